/** Exact signed bigint helpers with explicit rounding direction. */

/** floor(a / b) for b > 0 (BigInt `/` truncates towards zero, which is wrong for a < 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError("floorDiv: divisor must be positive");
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** ceil(a / b) for b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** |a|. */
export function abs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}
