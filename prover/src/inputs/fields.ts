/** Reusable zod field schemas: exact decimals with bounds, symbols, safe integers. */
import { getAddress } from "ethers";
import { z } from "zod";
import { tryParseDecimal } from "../decimal";

/** True when ethers accepts the address (all-lowercase, all-uppercase or correctly checksummed). */
function isChecksumValid(address: string): boolean {
  try {
    getAddress(address);
    return true;
  } catch {
    return false;
  }
}

/** An EVM address: 0x and 40 hex digits with a valid EIP-55 checksum (or all one case). */
export const addressSchema = z
  .string()
  .refine((a) => /^0x[0-9a-fA-F]{40}$/.test(a) && isChecksumValid(a), {
    message: "must be a 0x-prefixed 20-byte address with a valid EIP-55 checksum",
  });

/** Asset / instrument names: 1..32 of [A-Za-z0-9._-], not all digits (JS would reorder those keys). */
export const symbolSchema = z.string().regex(/^(?![0-9]+$)[A-Za-z0-9._-]{1,32}$/, {
  message: "must be 1-32 characters of A-Z a-z 0-9 . _ - and not all digits",
});

/** Bounds of a decimal field, in scaled units. */
export interface DecimalBounds {
  signed?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: bigint;
  /** Largest allowed value (inclusive). */
  max?: bigint;
  /** Rule reported when a bound is broken. */
  rangeRule?: string;
}

/** Checks a raw JSON value as a decimal string with `decimals` places and returns it scaled. */
export function decimalValue(
  raw: unknown,
  decimals: number,
  bounds: DecimalBounds,
): { ok: true; value: bigint } | { ok: false; rule: string } {
  if (raw === undefined) return { ok: false, rule: "is required" };
  const result = tryParseDecimal(raw, decimals, { signed: bounds.signed });
  if (!result.ok) return result;
  const tooLow = bounds.min !== undefined && result.value < bounds.min;
  const tooHigh = bounds.max !== undefined && result.value > bounds.max;
  if (tooLow || tooHigh) return { ok: false, rule: bounds.rangeRule ?? "out of range" };
  return result;
}

/** A zod schema for a decimal string, transformed into the scaled bigint. */
export function decimal(decimals: number, bounds: DecimalBounds = {}) {
  return z.unknown().transform((raw, ctx): bigint => {
    const result = decimalValue(raw, decimals, bounds);
    if (result.ok) return result.value;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.rule });
    return z.NEVER;
  });
}

/** A zod schema for a non-negative JSON integer (safe in JS), transformed into a bigint. */
export function nonNegativeInteger(rule: string) {
  return z
    .number()
    .refine((n) => Number.isSafeInteger(n) && n >= 0, { message: rule })
    .transform((n) => BigInt(n));
}

/** The rule of an integer in [0, max], with the reason for `max` when there is one. */
export function integerRangeRule(max: number, why?: string): string {
  return `must be an integer from 0 to ${max}${why === undefined ? "" : `, as ${why}`}`;
}

/** A zod schema for an integer in [0, max] (kept a number). */
export function smallInteger(max: number, why?: string) {
  return z.number().refine((n) => Number.isInteger(n) && n >= 0 && n <= max, {
    message: integerRangeRule(max, why),
  });
}
