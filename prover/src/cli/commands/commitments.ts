/**
 * `zkmargin commitments`: what the public side posts on-chain for a policy and a market round —
 * the layout's feed id, the MarketBook publisher's `marketCommitment` for that feed, and
 * governance's `policyId`, `policyCommitment`, feed and verification-key hash for
 * `PolicyRegistry.registerPolicy`. Public files only; a malformed policy is refused.
 */
import type { Command } from "commander";
import { policyIdOf } from "../../chain/policy";
import { publicCommitments } from "../../commitments";
import { InstanceFitError, assertFits } from "../../encoding/instances";
import { InputError } from "../../errors";
import { loadMarket, loadPolicy } from "../../inputs";
import { toJson } from "../../io/json";
import { feedIdOf } from "../../layout";
import { readManifest } from "../../setup/manifest";
import { unixTime } from "../../time";
import { examples } from "../options";

interface CommitmentsOptions {
  policy: string;
  market: string;
  instance: string;
  json?: boolean;
}

/** Registers `zkmargin commitments`. */
export function register(program: Command): void {
  program
    .command("commitments")
    .description(
      "print the layout's feed id, the market commitment a publisher posts to that feed for a " +
        "round, and the policy id, policy commitment and verification-key hash governance " +
        "registers (public files only)",
    )
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--market <file>", "market.json: one market round (public)")
    .requiredOption("--instance <name>", "circuit instance whose layout the policy is proved in")
    .option("--json", "print JSON (integers as decimal strings)")
    .addHelpText(
      "after",
      examples(
        "zkmargin commitments --policy examples/desk/policy.json --market examples/desk/market.json --instance demo",
      ),
    )
    .action(async (opts: CommitmentsOptions) => {
      const policy = loadPolicy(opts.policy);
      const market = loadMarket(opts.market);
      let dims;
      try {
        dims = assertFits(policy, market, opts.instance);
      } catch (error) {
        if (error instanceof InstanceFitError)
          throw new InputError(opts.policy, "$", error.message);
        throw error;
      }
      const c = await publicCommitments({ policy, market, instance: dims });
      const entry = readManifest().instances[opts.instance];
      const out = {
        instance: opts.instance,
        layoutId: c.layoutId,
        feed: feedIdOf(c.layoutId),
        policyId: policyIdOf(policy.id),
        policyCommitment: c.policy,
        mode: policy.mode,
        verificationKeyHash: entry?.vkeyHash ?? null,
        round: market.round,
        timestamp: market.timestamp,
        marketCommitment: c.market,
      };
      if (opts.json === true) {
        process.stdout.write(toJson(out));
        return;
      }
      const lines = [
        `instance             ${out.instance}`,
        `feed (layoutId)      ${out.feed}`,
        `policy               ${policy.id} (${policy.mode})`,
        `policyId             ${out.policyId}`,
        `policyCommitment     ${out.policyCommitment}`,
        `verificationKeyHash  ${out.verificationKeyHash ?? `(run zkmargin setup --instance ${opts.instance})`}`,
        `round                ${out.round} at ${unixTime(out.timestamp)}`,
        `marketCommitment     ${out.marketCommitment}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
