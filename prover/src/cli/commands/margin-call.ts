/**
 * `zkmargin margin-call` (venue): calls margin on an account under a policy, or, with `--settle`,
 * emits where an open call stands (cure or expiry); prints the call.
 */
import type { Command } from "commander";
import type { Contract } from "ethers";
import { callMargin, readMarginCall, settleMarginCall } from "../../chain";
import { deployedContracts, deployedPolicy } from "../../deployment";
import {
  connectedWallet,
  openDeployment,
  parseAddress,
  refusedAs,
  withDeployment,
  withKey,
  withPolicyId,
} from "../chain-options";
import { unixTime } from "../../time";
import { examples } from "../options";

/** Registers `zkmargin margin-call`. */
export function register(program: Command): void {
  const command = program
    .command("margin-call")
    .description(
      "venue: call margin on an account (it must prove on a later round within the policy's cure " +
        "window), or --settle an open call; key from $ZKMARGIN_VENUE_KEY or --keystore",
    )
    .requiredOption("--account <address>", "the account")
    .option("--settle", "emit the call's cure or expiry instead of calling");
  withKey(withDeployment(withPolicyId(command)), "venue")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_VENUE_KEY=0x... zkmargin margin-call --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      ),
    )
    .action(
      async (opts: {
        deployment: string;
        rpc: string;
        policyId: string;
        account: string;
        settle?: boolean;
        keystore?: string;
      }) => {
        const account = parseAddress(opts.account, "--account");
        const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
        try {
          const { entry } = deployedPolicy(deployment, opts.policyId, opts.deployment);
          const venue = await connectedWallet("venue", opts.keystore, provider);
          const { marginRegistry } = deployedContracts(deployment, venue);
          const registry = marginRegistry as Contract;
          const receipt = await refusedAs(
            registry,
            opts.settle === true ? "settleMarginCall" : "callMargin",
            () =>
              opts.settle === true
                ? settleMarginCall(registry, account, entry.policyId)
                : callMargin(registry, account, entry.policyId),
          );
          const call = await readMarginCall(registry, account, entry.policyId);
          process.stdout.write(
            `margin call on ${account} under ${opts.policyId}: ${call.state}` +
              (call.state === "none"
                ? ""
                : ` (after round ${call.round}, deadline ${unixTime(call.deadline)})`) +
              `; transaction ${receipt.hash}\n`,
          );
        } finally {
          provider.destroy();
        }
      },
    );
}
