/**
 * Was this very proof accepted on-chain? A `MarginProved` event names only the account, policy,
 * round, nonce and portfolio commitment, and two proofs can share those (a proof made on round
 * 1042 and one submitted on round 1043 with the same nonce and salt). So each event of the proof's
 * account and nonce is checked the way the registry checked it: the proof points and arguments of
 * its transaction's `prove`/`proveFor` call (or of its item of a `proveBatch` call, never one the
 * batch skipped), and the public signals rebuilt from that call and chain state (the round's
 * market commitment in the policy's feed, the policy's registered commitment), every one compared
 * with the proof's.
 */
import { Contract, type Interface, type TransactionReceipt } from "ethers";
import type { SolidityProof } from "../chain/calldata";
import type { MarginProvedEvent } from "../chain/registry";
import { accountNonceOf } from "../encoding/circuit-input";
import {
  compareSignals,
  differingSignals,
  statementSignals,
  type SignalComparison,
} from "./signals";
import { skippedIndices, submissionOutcomes } from "./outcomes";
import {
  decodeSubmissions,
  sameProof,
  submissionOfEvent,
  submittedStatement,
  type Submission,
  type SubmittedTransaction,
} from "./submission";

/** The chain reads {@link findProofOnChain} needs (cached by the caller as it likes). */
export interface SubmissionReader {
  /** The registry's address and ABI. */
  registry: { address: string; abi: Interface };
  /** A transaction by hash; null when the node does not know it. */
  transaction(hash: string): Promise<SubmittedTransaction | null>;
  /**
   * A transaction's receipt (null when the node does not know it): a batch's `ProofSkipped`
   * events, so a skipped item is never taken for the accepted one.
   */
  receipt(hash: string): Promise<TransactionReceipt | null>;
  /** A policy's registered commitment and feed; null when it is not registered. */
  policy(policyId: string): Promise<{ commitment: bigint; feed: string } | null>;
  /** The market commitment of `round` in `feed` (0n when it was never posted). */
  marketCommitment(feed: string, round: bigint): Promise<bigint>;
}

/** One event of the proof's account and nonce, checked against the proof. */
export interface SubmissionCheck<E extends MarginProvedEvent = MarginProvedEvent> {
  event: E;
  /** The call of the event's transaction that emitted it; absent when it cannot be read. */
  submission?: Submission;
  /** Each of the proof's public signals against the one the registry verified. */
  signals: SignalComparison[];
  /** The transaction carries the very proof points of the proof. */
  sameProof: boolean;
  /** Every public signal and the proof points are the proof's. */
  matches: boolean;
  /** Why it is not this proof, in words (absent when it is). */
  mismatch?: string;
}

/** What the chain holds of a proof. */
export interface ProofOnChain<E extends MarginProvedEvent = MarginProvedEvent> {
  /** The submission of this very proof, when there is one. */
  accepted?: SubmissionCheck<E>;
  /** Every event of the proof's account and nonce, checked (`accepted` among them). */
  candidates: SubmissionCheck<E>[];
}

/** Why a submission whose signals or proof differ is not the proof, in words. */
function mismatchOf(
  signals: readonly SignalComparison[],
  proofMatches: boolean,
): string | undefined {
  const differ = differingSignals(signals);
  if (differ.length > 0) {
    return `the public signals the registry verified differ from the proof's in ${differ.join(", ")}`;
  }
  if (!proofMatches) {
    return "same public signals, but the transaction carries other proof points (another proof of the same statement)";
  }
  return undefined;
}

/** Checks one event against the proof; see the module comment. */
async function checkEvent<E extends MarginProvedEvent>(
  event: E,
  proof: { signals: readonly bigint[]; proof: SolidityProof },
  reader: SubmissionReader,
): Promise<SubmissionCheck<E>> {
  const unread = (mismatch: string): SubmissionCheck<E> => ({
    event,
    signals: [],
    sameProof: false,
    matches: false,
    mismatch,
  });
  const tx = await reader.transaction(event.transactionHash);
  if (tx === null) return unread("the node does not return its transaction");
  const { address, abi } = reader.registry;
  const submissions = decodeSubmissions(tx, address, abi);
  let skipped = new Set<number>();
  if (submissions.some((s) => s.batch !== undefined)) {
    try {
      const receipt = await reader.receipt(event.transactionHash);
      skipped = skippedIndices(
        submissionOutcomes(new Contract(address, abi), receipt, submissions),
      );
    } catch (error) {
      return unread(`its batch's logs do not account for its items: ${(error as Error).message}`);
    }
  }
  const submission = submissionOfEvent(submissions, event, skipped);
  if (submission === undefined) {
    return unread(
      "its transaction is not a direct prove, proveFor or proveBatch call to the registry (e.g. through a wallet contract), so its proof cannot be read from the calldata",
    );
  }
  const policy = await reader.policy(submission.policyId);
  if (policy === null) return { ...unread("its policy is not registered"), submission };
  const marketCommitment = await reader.marketCommitment(policy.feed, submission.round);
  const chainSignals = statementSignals(
    submittedStatement(submission, { marketCommitment, policyCommitment: policy.commitment }),
  );
  const signals = compareSignals(proof.signals, chainSignals);
  const proofMatches = sameProof(submission.proof, proof.proof);
  const mismatch = mismatchOf(signals, proofMatches);
  return {
    event,
    submission,
    signals,
    sameProof: proofMatches,
    matches: mismatch === undefined,
    ...(mismatch === undefined ? {} : { mismatch }),
  };
}

/**
 * Finds the submission of `proof` (its public signals, as public.json lists them, and its points)
 * among `events` (`MarginProved` events, any account): the events of its account and nonce are
 * checked as the module comment says, oldest first.
 */
export async function findProofOnChain<E extends MarginProvedEvent>(
  proof: { signals: readonly bigint[]; proof: SolidityProof },
  events: readonly E[],
  reader: SubmissionReader,
): Promise<ProofOnChain<E>> {
  const candidates: SubmissionCheck<E>[] = [];
  for (const event of events) {
    if (accountNonceOf(event.account, event.nonce) !== proof.signals[0]) continue;
    candidates.push(await checkEvent(event, proof, reader));
  }
  const accepted = candidates.find((c) => c.matches);
  return { ...(accepted ? { accepted } : {}), candidates };
}
