/**
 * What became of each submission of a transaction, from its logs: accepted (a `MarginProved` of
 * its account, policy, round, nonce and commitments) or, for an item of a `proveBatch` call,
 * skipped (a `ProofSkipped` naming its index, with the reason: the custom error `proveFor` would
 * have reverted with, put in words). A skipped item was never verified and records nothing: no
 * view may count it as accepted. Shared by `zkmargin inspect --tx`, `audit chain` and the verify
 * page.
 */
import { getAddress, type Interface } from "ethers";
import { explainRevert, refusalText } from "../chain/refusals";
import { submissionOfEvent, type Submission } from "./submission";

/** A log as a receipt or `eth_getLogs` has it. */
export interface LogEntry {
  address: string;
  topics: readonly string[];
  data: string;
}

/** A `ProofSkipped` event: the batch item the registry refused, and why. */
export interface SkippedItem {
  index: number;
  account: string;
  /** Lower-case bytes32. */
  policyId: string;
  /** The custom error's ABI encoding, as logged. */
  reason: string;
  /** The error and its words ("PledgeRevoked(0, 1, 2): ..."); the raw bytes when unknown. */
  refusal: string;
}

/** A `MarginProved` event as logged. */
export interface ProvedLog {
  account: string;
  policyId: string;
  round: bigint;
  nonce: bigint;
  portfolioCommitments: bigint[];
}

/** One submission of a transaction and what the registry did with it. */
export type SubmissionOutcome =
  | { submission: Submission; accepted: true }
  | { submission: Submission; accepted: false; skipped: SkippedItem }
  /** Neither event names it (e.g. the transaction reverted). */
  | { submission: Submission; accepted: false; skipped?: undefined };

/** The refusal a `ProofSkipped` reason encodes, in words (its hex when no interface knows it). */
export function skipReasonText(reason: string, interfaces: readonly Interface[]): string {
  const refusal = explainRevert({ data: reason }, interfaces);
  return refusal === undefined ? `an unknown refusal ${reason}` : refusalText(refusal);
}

/** The registry's logs of one kind, parsed with its ABI (other contracts' logs left out). */
function registryLogs(
  logs: readonly LogEntry[],
  registry: string,
  abi: Interface,
  name: string,
): ReturnType<Interface["parseLog"]>[] {
  const address = getAddress(registry);
  return logs.flatMap((log) => {
    if (getAddress(log.address) !== address) return [];
    const parsed = abi.parseLog({ topics: [...log.topics], data: log.data });
    return parsed?.name === name ? [parsed] : [];
  });
}

/** The `ProofSkipped` events among `logs`, their reasons decoded with `interfaces`. */
export function skippedIn(
  logs: readonly LogEntry[],
  registry: string,
  abi: Interface,
  interfaces: readonly Interface[] = [abi],
): SkippedItem[] {
  return registryLogs(logs, registry, abi, "ProofSkipped").map((p) => {
    const reason = p!.args.getValue("reason") as string;
    return {
      index: Number(p!.args.getValue("index") as bigint),
      account: getAddress(p!.args.getValue("account") as string),
      policyId: (p!.args.getValue("policyId") as string).toLowerCase(),
      reason,
      refusal: skipReasonText(reason, interfaces),
    };
  });
}

/** The `MarginProved` events among `logs`. */
export function provedIn(logs: readonly LogEntry[], registry: string, abi: Interface): ProvedLog[] {
  return registryLogs(logs, registry, abi, "MarginProved").map((p) => ({
    account: getAddress(p!.args.getValue("account") as string),
    policyId: (p!.args.getValue("policyId") as string).toLowerCase(),
    round: p!.args.getValue("round") as bigint,
    nonce: p!.args.getValue("nonce") as bigint,
    portfolioCommitments: [...(p!.args.getValue("portfolioCommitments") as readonly bigint[])],
  }));
}

/**
 * Each of a transaction's submissions (`decodeSubmissions`) with what its logs say became of it:
 * a skipped batch item by its `ProofSkipped` index, an accepted one by its `MarginProved` event
 * (each event accounts for one submission, skipped items set apart).
 */
export function submissionOutcomes(
  submissions: readonly Submission[],
  logs: readonly LogEntry[],
  registry: string,
  abi: Interface,
  interfaces: readonly Interface[] = [abi],
): SubmissionOutcome[] {
  const skipped = skippedIn(logs, registry, abi, interfaces);
  const skippedIndices = new Set(skipped.map((s) => s.index));
  const accepted = new Set<Submission>();
  for (const event of provedIn(logs, registry, abi)) {
    const rest = submissions.filter((s) => !accepted.has(s));
    const found = submissionOfEvent(rest, event, skippedIndices);
    if (found !== undefined) accepted.add(found);
  }
  return submissions.map((submission): SubmissionOutcome => {
    if (accepted.has(submission)) return { submission, accepted: true };
    const skip = skipped.find((s) => s.index === submission.batch?.index);
    return skip === undefined
      ? { submission, accepted: false }
      : { submission, accepted: false, skipped: skip };
  });
}
