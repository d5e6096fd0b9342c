/**
 * `zkmargin publish` (oracle publisher): validates a market file for a registered policy's feed
 * (every slot priced, the instance's dimensions, the next round of the feed; the joint scenario
 * set when a portfolio-margin policy shares the feed) and posts it with the file itself in the
 * `RoundPosted` event, then prints what was posted.
 */
import type { Command } from "commander";
import type { Contract } from "ethers";
import { deployedContracts, feedLayoutOf, feedLayoutsOf } from "../../deployment";
import { readJsonFile } from "../../io/json";
import { publishMarket } from "../../market-data";
import {
  connectedWallet,
  openDeployment,
  refusedAs,
  withDeployment,
  withKey,
} from "../chain-options";
import { examples } from "../options";

/** Registers `zkmargin publish`. */
export function register(program: Command): void {
  const command = program
    .command("publish")
    .description(
      "publisher: validate a market.json for a policy's feed and post it as the feed's next round, " +
        "the file in the event (key from $ZKMARGIN_PUBLISHER_KEY or --keystore)",
    )
    .requiredOption(
      "--policy <id>",
      "a registered policy of the deployment (its feed is posted to)",
    )
    .requiredOption("--market <file>", "market.json of the round to post");
  withKey(withDeployment(command), "publisher")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_PUBLISHER_KEY=0x... zkmargin publish --deployment deployment.json --rpc http://127.0.0.1:8545 --policy desk-maintenance-v1 --market market.json",
      ),
    )
    .action(
      async (opts: {
        deployment: string;
        rpc: string;
        policy: string;
        market: string;
        keystore?: string;
      }) => {
        const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
        try {
          const layout = feedLayoutOf(deployment, opts.policy, opts.deployment);
          const sharing = feedLayoutsOf(deployment, layout.feed, opts.deployment).filter(
            (other) => other.policy.id !== layout.policy.id,
          );
          const document = readJsonFile(opts.market);
          const publisher = await connectedWallet("publisher", opts.keystore, provider);
          const { marketBook } = deployedContracts(deployment, publisher);
          const posted = await refusedAs(marketBook, "postRound", () =>
            publishMarket(marketBook as Contract, layout, document, opts.market, sharing),
          );
          process.stdout.write(
            `posted round ${posted.round} to feed ${posted.feed}: timestamp ${posted.timestamp}, ` +
              `market commitment ${posted.commitment}, ${posted.marketDataBytes} bytes of market data; ` +
              `transaction ${posted.transactionHash} (block ${posted.blockNumber}, ${posted.gasUsed} gas)\n`,
          );
        } finally {
          provider.destroy();
        }
      },
    );
}
