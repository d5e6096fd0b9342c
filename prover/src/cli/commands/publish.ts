/**
 * `zkmargin publish` (oracle publisher): validates a market file for a registered policy's feed
 * (every slot priced, the instance's dimensions, the next round of the feed; the joint scenario
 * set when a portfolio-margin policy shares the feed), refuses a round too old for every policy of
 * the feed (their maxRoundAge) unless `--force`, warns of one some policy cannot use, and posts it
 * with the file itself in the `RoundPosted` event, then prints what was posted. `--round next` and
 * `--timestamp now` post a file's prices as the feed's next round at the chain's clock.
 */
import type { Command } from "commander";
import type { Contract } from "ethers";
import { readFeedHead } from "../../chain";
import { deployedContracts, feedLayoutOf, feedLayoutsOf } from "../../deployment";
import { InputError } from "../../errors";
import { readJsonFile } from "../../io/json";
import { publishMarket } from "../../market-data";
import { duration, unixTime } from "../../time";
import {
  connectedWallet,
  openDeployment,
  refusedAs,
  withDeployment,
  withKey,
  withPolicyId,
} from "../chain-options";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";

interface PublishOptions {
  deployment: string;
  rpc: string;
  policyId: string;
  market: string;
  round?: string;
  timestamp?: string;
  force?: boolean;
  keystore?: string;
}

/** `--round N|next` and `--timestamp SECONDS|now`, applied to the market document. */
async function restamp(
  document: unknown,
  opts: PublishOptions,
  next: () => Promise<bigint>,
  now: () => Promise<bigint>,
): Promise<unknown> {
  if (opts.round === undefined && opts.timestamp === undefined) return document;
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    return document; // the parser refuses it, naming the file
  }
  const value = async (text: string, option: string, word: string, auto: () => Promise<bigint>) =>
    Number(text === word ? await auto() : parseIntegerOption(text, option, 53));
  return {
    ...document,
    ...(opts.round === undefined
      ? {}
      : { round: await value(opts.round, "--round", "next", next) }),
    ...(opts.timestamp === undefined
      ? {}
      : { timestamp: await value(opts.timestamp, "--timestamp", "now", now) }),
  };
}

/** Registers `zkmargin publish`. */
export function register(program: Command): void {
  const command = program
    .command("publish")
    .description(
      "publisher: validate a market.json for a policy's feed and post it as the feed's next round, " +
        "the file in the event (key from $ZKMARGIN_PUBLISHER_KEY or --keystore); a round too old for " +
        "every policy of the feed is refused (--force posts it anyway)",
    )
    .requiredOption("--market <file>", "market.json of the round to post")
    .option("--round <n>", "post the file's prices as this round (next: the feed's next round)")
    .option(
      "--timestamp <seconds>",
      "post the file's prices with this Unix timestamp (now: the chain's latest block time)",
    )
    .option("--force", "post even a round too old for every policy of the feed");
  withKey(withDeployment(withPolicyId(command, "the policy whose feed is posted to")), "publisher")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_PUBLISHER_KEY=0x... zkmargin publish --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --market market.json",
        "zkmargin publish --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --market examples/desk/market.json --round next --timestamp now",
      ),
    )
    .action(async (opts: PublishOptions) => {
      const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
      try {
        const layout = feedLayoutOf(deployment, opts.policyId, opts.deployment);
        const sharing = feedLayoutsOf(deployment, layout.feed, opts.deployment).filter(
          (other) => other.policy.id !== layout.policy.id,
        );
        const maxRoundAges = Object.entries(deployment.policies)
          .filter(([, entry]) => entry.feed.toLowerCase() === layout.feed.toLowerCase())
          .map(([policy, entry]) => ({ policy, maxRoundAge: BigInt(entry.maxRoundAge) }));
        const publisher = await connectedWallet("publisher", opts.keystore, provider);
        const { marketBook } = deployedContracts(deployment, publisher);
        const document = await restamp(
          readJsonFile(opts.market),
          opts,
          async () => (await readFeedHead(marketBook, layout.feed)).latestRound + 1n,
          async () => {
            const block = await provider.getBlock("latest");
            if (block === null) throw new InputError(COMMAND_LINE, "--rpc", "has no latest block");
            return BigInt(block.timestamp);
          },
        );
        const posted = await refusedAs(marketBook, "postRound", () =>
          publishMarket(marketBook as Contract, layout, document, opts.market, sharing, {
            maxRoundAges,
            force: opts.force === true,
          }),
        );
        for (const warning of posted.warnings) {
          process.stderr.write(`zkmargin: warning: ${warning}\n`);
        }
        process.stdout.write(
          `posted round ${posted.round} to feed ${posted.feed}: timestamp ${unixTime(posted.timestamp)} ` +
            `(${duration(posted.ageSeconds)} old), market commitment ${posted.commitment}, ` +
            `${posted.marketDataBytes} bytes of market data; transaction ${posted.transactionHash} ` +
            `(block ${posted.blockNumber}, ${posted.gasUsed} gas)\n`,
        );
      } finally {
        provider.destroy();
      }
    });
}
