/**
 * What became of each submission of a transaction, from its receipt: a `prove` or `proveFor`
 * call that succeeded was accepted (it reverts on any refusal); each item of a `proveBatch` call
 * was accepted (its `MarginProved`) or skipped (a `ProofSkipped` naming its index, with the
 * refusal `proveFor` would have reverted with, in words), as `batchOutcomes` reads them. A skipped
 * item was never verified and records nothing: no view may count it as accepted. Shared by
 * `zkmargin inspect --tx`, `audit chain` and the verify page.
 */
import type { BaseContract, Interface, TransactionReceipt } from "ethers";
import { batchOutcomes } from "../chain/prove-batch";
import type { Submission } from "./submission";

/** A batch item the registry skipped, and why. */
export interface SkippedItem {
  index: number;
  account: string;
  /** Lower-case bytes32. */
  policyId: string;
  /** The custom error's name ("PledgeRevoked"). */
  error: string;
  /** The error and its words: "PledgeRevoked(0, 1, 2): ...". */
  refusal: string;
}

/** One submission of a transaction and what the registry did with it. */
export type SubmissionOutcome =
  | { submission: Submission; accepted: true; skipped?: undefined }
  | { submission: Submission; accepted: false; skipped: SkippedItem }
  /** Not recorded: the transaction reverted, or is not mined. */
  | { submission: Submission; accepted: false; skipped?: undefined };

/**
 * Each of a transaction's submissions (`decodeSubmissions`, in order) with its outcome under the
 * transaction's `receipt` (null: not mined). Throws when a batch's logs are not its items'
 * (`batchOutcomes`): a registry that logged something else than what it was sent.
 */
export function submissionOutcomes(
  registry: BaseContract,
  receipt: TransactionReceipt | null,
  submissions: readonly Submission[],
  interfaces: readonly Interface[] = [registry.interface],
): SubmissionOutcome[] {
  if (receipt === null || receipt.status !== 1) {
    return submissions.map((submission) => ({ submission, accepted: false }));
  }
  if (!submissions.some((s) => s.batch !== undefined)) {
    return submissions.map((submission) => ({ submission, accepted: true }));
  }
  const outcomes = batchOutcomes(registry, receipt, submissions, interfaces);
  return submissions.map((submission, i): SubmissionOutcome => {
    const o = outcomes[i];
    if (o.accepted) return { submission, accepted: true };
    return {
      submission,
      accepted: false,
      skipped: {
        index: o.index,
        account: submission.account,
        policyId: submission.policyId,
        error: o.refusal.name,
        refusal: o.reason,
      },
    };
  });
}

/** The indices of the items a batch skipped (empty for any other transaction). */
export function skippedIndices(outcomes: readonly SubmissionOutcome[]): Set<number> {
  return new Set(outcomes.flatMap((o) => (o.skipped === undefined ? [] : [o.skipped.index])));
}
