/**
 * What becomes of a job whose item `proveBatch` skipped: a refusal that may clear by itself is
 * retried (the round is not posted on this node yet; the item met a batch of another verifier),
 * every other one fails the job for good with the registry's reason in words, as a single `prove`
 * refusal does. A used nonce is first looked up: when the item's own proof is what used it (an
 * earlier attempt's transaction), it is adopted instead.
 */
import { PermanentJobError } from "../queue/failures";

/** Skip reasons retried rather than final. */
export const TRANSIENT_SKIPS: ReadonlySet<string> = new Set([
  "UnknownRound",
  "BatchVerifierMismatch",
  "NoOutcome",
]);

/** The error a job fails (or is retried) with, for an item skipped by `refusal`. */
export function skipError(refusal: { name: string }, reason: string): Error {
  const text = `MarginRegistry skipped the proof: ${reason}`;
  return TRANSIENT_SKIPS.has(refusal.name)
    ? new Error(`${text}; retried`)
    : new PermanentJobError(text);
}

/** The error of a job whose nonce a later proof (not its own) used first. */
export function overtakenError(nonce: bigint, last: bigint, policy: string): PermanentJobError {
  return new PermanentJobError(
    `nonce ${nonce} is not above the account's last nonce on-chain (${last}) for policy ` +
      `${policy}: a later proof was recorded first`,
  );
}
