/**
 * `zkmargin submit` (institution): sends a proof made by `zkmargin prove` (proof.json and
 * public.json) with its custodians' pledges to `MarginRegistry.prove`, signed by the account's key,
 * after checking what it can against chain state (prover/src/submit); prints the transaction and
 * the resulting status in one line. Exit status 0 when the status counts, 2 when it was recorded
 * and does not count, 1 on a refusal (in words) or an error.
 */
import * as path from "node:path";
import type { Command } from "commander";
import type { Contract } from "ethers";
import { submitProof } from "../../chain";
import { deployedContracts, deployedPolicy } from "../../deployment";
import { judgeStatus, readStatusFacts } from "../../status";
import { checkSubmission, loadSubmission } from "../../submit";
import { unixTime } from "../../time";
import {
  collect,
  connectedWallet,
  openDeployment,
  refusedAs,
  withDeployment,
  withKey,
  withPolicyId,
} from "../chain-options";
import { EXIT_NO, exitStatusHelp } from "../exit-status";
import { examples, PUBLIC_FILE_HELP } from "../options";

interface SubmitOptions {
  deployment: string;
  rpc: string;
  policyId: string;
  dir: string;
  proof?: string;
  public?: string;
  pledge: string[];
  keystore?: string;
}

/** Registers `zkmargin submit`. */
export function register(program: Command): void {
  const command = program
    .command("submit")
    .description(
      "institution: send a proof made by `zkmargin prove` with its pledges (one per used slot, in slot order) " +
        "to MarginRegistry.prove, signed by the account (key from $ZKMARGIN_ACCOUNT_KEY or --keystore); " +
        "checks first the pledges against the proof's commitments, the policy, the nonce and that the round " +
        "is the feed's latest (or the one before within the policy's grace), then the registry's own checks " +
        "run in a call before anything is sent; every refusal in words",
    )
    .option("--dir <dir>", "the folder `zkmargin prove --out` wrote", ".")
    .option("--proof <file>", "proof.json (default: in --dir)")
    .option("--public <file>", `${PUBLIC_FILE_HELP} (default: in --dir)`)
    .option(
      "--pledge <file>",
      "a custodian's pledge.json (zkmargin attest); repeat it, one per used slot, in slot order",
      collect,
      [],
    );
  withKey(withDeployment(withPolicyId(command)), "account")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_ACCOUNT_KEY=0x... zkmargin submit --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --dir out/ --pledge pledge.json",
        "zkmargin submit --deployment deployment.json --rpc $RPC --policy-id desk-maintenance-v1 --dir out/ --pledge pledge-a.json --pledge pledge-b.json --keystore account.json",
      ) + exitStatusHelp("recorded and it counts", "recorded and it does not count"),
    )
    .action(async (opts: SubmitOptions) => {
      const loaded = loadSubmission({
        proof: opts.proof ?? path.join(opts.dir, "proof.json"),
        public: opts.public ?? path.join(opts.dir, "public.json"),
        pledges: opts.pledge,
      });
      const { deployment, provider } = await openDeployment(opts.deployment, opts.rpc);
      try {
        const { name, entry } = deployedPolicy(deployment, opts.policyId, opts.deployment);
        const account = await connectedWallet("account", opts.keystore, provider);
        const contracts = deployedContracts(deployment, account);
        const registry = contracts.marginRegistry as Contract;
        const checked = await checkSubmission(
          contracts,
          provider,
          loaded,
          entry.policyId,
          account.address,
        );
        const receipt = await refusedAs(
          registry,
          "prove",
          () => submitProof(registry, checked.submission),
          [contracts.policyRegistry.interface, contracts.marketBook.interface],
        );
        const facts = await readStatusFacts(
          deployedContracts(deployment, provider),
          provider,
          account.address,
          entry.policyId,
        );
        const verdict = judgeStatus(facts);
        const status = verdict.counts
          ? "COUNTS" + (verdict.until ? ` until ${unixTime(verdict.until.time)}` : "")
          : `DOES NOT COUNT: ${verdict.reasons.join("; ")}`;
        process.stdout.write(
          `submitted the proof of ${account.address} under ${name} on round ${checked.round} ` +
            `(nonce ${checked.submission.nonce}, ${loaded.pledges.length} pledge(s)): transaction ` +
            `${receipt.hash} (block ${receipt.blockNumber}, ${receipt.gasUsed} gas); status ${status}\n`,
        );
        if (!verdict.counts) process.exitCode = EXIT_NO;
      } finally {
        provider.destroy();
      }
    });
}
