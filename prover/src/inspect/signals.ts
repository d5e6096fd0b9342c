/**
 * A proof's public signals as a list, and the one place that says how a statement (account,
 * nonce, the round's market commitment, the policy commitment and the portfolio commitments) lays
 * out as that list: `[accountNonce, marketCommitment, policyCommitment, portfolioCommitment_1 ..
 * _C]`, one portfolio commitment per pledge slot (0 for an unused slot). The verify page,
 * `audit chain` and an opening's check compare a proof's signals with the ones they rebuild from
 * the chain or from an opening through {@link compareSignals}; `encodePublicSignals` lays them out
 * here too.
 */
import { accountNonceOf } from "../encoding/circuit-input";

/** The signals before the portfolio commitments, in the circuit's order. */
export const LEADING_SIGNALS = ["accountNonce", "marketCommitment", "policyCommitment"] as const;

/**
 * The public signals' names of an instance with `pledges` slots: `portfolioCommitment` alone
 * for one slot (v2's four signals), `portfolioCommitment_1 .. _C` for several (the circuit's
 * array signal `portfolioCommitment[0..C-1]`, which snarkjs flattens in order).
 */
export function publicSignalNames(pledges: number): string[] {
  if (!Number.isInteger(pledges) || pledges < 1) {
    throw new RangeError(`pledge slots must be a positive integer, not ${pledges}`);
  }
  return [
    ...LEADING_SIGNALS,
    ...(pledges === 1
      ? ["portfolioCommitment"]
      : Array.from({ length: pledges }, (_, k) => `portfolioCommitment_${k + 1}`)),
  ];
}

/** What a proof states, as the registry (or an opening) rebuilds it. */
export interface Statement {
  /** The account (any case; the packing checks it). */
  account: string;
  nonce: bigint;
  /** The market commitment of the round, as MarketBook records it in the policy's feed. */
  marketCommitment: bigint;
  /** The policy commitment, as PolicyRegistry records it. */
  policyCommitment: bigint;
  /** The portfolio commitments, one per pledge slot in slot order (0 for an unused slot). */
  portfolioCommitments: readonly bigint[];
}

/** The statement's public signals in the circuit's order. */
export function statementSignals(s: Statement): bigint[] {
  return [
    accountNonceOf(s.account, s.nonce),
    s.marketCommitment,
    s.policyCommitment,
    ...s.portfolioCommitments,
  ];
}

/**
 * The name of signal `index` in a list of `count` signals: the circuit's names, and
 * `portfolioCommitment_k` (from 1) when a proof has several portfolio commitments.
 */
export function signalName(index: number, count: number): string {
  const leading = LEADING_SIGNALS.length;
  if (index < leading) return LEADING_SIGNALS[index];
  return publicSignalNames(Math.max(1, count - leading))[index];
}

/** The public signals of `public.json` (already checked by `decodePublicSignals`) as numbers. */
export function signalValues(publicSignals: readonly string[]): bigint[] {
  return publicSignals.map((s) => BigInt(s));
}

/** One public signal of a proof against the same signal from another source. */
export interface SignalComparison {
  index: number;
  name: string;
  /** The proof's value; undefined when the proof has fewer signals. */
  proof?: bigint;
  /** The other source's value; undefined when it has fewer signals. */
  other?: bigint;
  equal: boolean;
}

/** Compares two signal lists position by position; a list longer than the other never matches. */
export function compareSignals(
  proof: readonly bigint[],
  other: readonly bigint[],
): SignalComparison[] {
  const count = Math.max(proof.length, other.length);
  return Array.from({ length: count }, (_, index) => ({
    index,
    name: signalName(index, count),
    ...(index < proof.length ? { proof: proof[index] } : {}),
    ...(index < other.length ? { other: other[index] } : {}),
    equal: index < proof.length && index < other.length && proof[index] === other[index],
  }));
}

/** The names of the signals that differ, in order (empty when all are equal). */
export function differingSignals(comparisons: readonly SignalComparison[]): string[] {
  return comparisons.filter((c) => !c.equal).map((c) => c.name);
}
