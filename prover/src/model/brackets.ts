/**
 * Bracket ("tax bracket") sums over tiers: the value is cut into slices at each tier's `upTo`
 * and every slice is weighted by its own tier's ppm. This is the definition in docs/model.md; the
 * circuit checks the equivalent min/max-of-lines form, so the two are tested against each other.
 */
import { MICRO_USD_PER_USD } from "./units";

/** A tier reduced to what the bracket sum needs. */
export interface Bracket {
  /** Upper bound in whole USD; null = unbounded (last tier). */
  upToUsd: bigint | null;
  ppm: bigint;
}

/**
 * sum_t ppm_t * slice_t(value), in µUSD·ppm, where slice_t is the part of `value` (µUSD, >= 0)
 * between the previous tier's bound and this tier's bound.
 */
export function bracketSum(valueMicroUsd: bigint, brackets: readonly Bracket[]): bigint {
  if (valueMicroUsd < 0n) throw new RangeError("bracketSum: value must be non-negative");
  let lower = 0n;
  let total = 0n;
  for (const { upToUsd, ppm } of brackets) {
    if (valueMicroUsd <= lower) break;
    const upper = upToUsd === null ? valueMicroUsd : upToUsd * MICRO_USD_PER_USD;
    const slice = (valueMicroUsd < upper ? valueMicroUsd : upper) - lower;
    if (slice > 0n) total += ppm * slice;
    lower = upper;
  }
  return total;
}
