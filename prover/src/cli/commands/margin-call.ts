/**
 * `zkmargin margin-call` (venue): calls margin on an account under a policy, or, with `--settle`,
 * emits where an open call stands (cure or expiry), or, with `--withdraw`, withdraws it; prints the
 * call.
 */
import type { Command } from "commander";
import type { Contract } from "ethers";
import {
  callMargin,
  deadlineText,
  readMarginCall,
  settleMarginCall,
  withdrawMarginCall,
} from "../../chain";
import { InputError } from "../../errors";
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
import { COMMAND_LINE, examples } from "../options";

/** Registers `zkmargin margin-call`. */
export function register(program: Command): void {
  const command = program
    .command("margin-call")
    .description(
      "venue: call margin on an account (it must prove on a later round within the policy's cure " +
        "window of that round's posting), --settle an open call or --withdraw it; key from " +
        "$ZKMARGIN_VENUE_KEY or --keystore",
    )
    .requiredOption("--account <address>", "the account")
    .option("--settle", "emit the call's cure or expiry instead of calling")
    .option("--withdraw", "withdraw the account's call (the venue's) instead of calling");
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
        withdraw?: boolean;
        keystore?: string;
      }) => {
        const account = parseAddress(opts.account, "--account");
        if (opts.settle === true && opts.withdraw === true) {
          throw new InputError(COMMAND_LINE, "--withdraw", "cannot be combined with --settle");
        }
        const [method, act] =
          opts.settle === true
            ? (["settleMarginCall", settleMarginCall] as const)
            : opts.withdraw === true
              ? (["withdrawMarginCall", withdrawMarginCall] as const)
              : (["callMargin", callMargin] as const);
        const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
        try {
          const { entry } = deployedPolicy(deployment, opts.policyId, opts.deployment);
          const venue = await connectedWallet("venue", opts.keystore, provider);
          const { marginRegistry } = deployedContracts(deployment, venue);
          const registry = marginRegistry as Contract;
          const receipt = await refusedAs(registry, method, () =>
            act(registry, account, entry.policyId),
          );
          const call = await readMarginCall(registry, account, entry.policyId);
          process.stdout.write(
            `margin call on ${account} under ${opts.policyId}: ${call.state}` +
              (call.state === "none"
                ? ""
                : ` (prove on a round after ${call.round} ${deadlineText(call)})`) +
              `; transaction ${receipt.hash}\n`,
          );
        } finally {
          provider.destroy();
        }
      },
    );
}
