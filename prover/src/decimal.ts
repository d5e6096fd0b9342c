/**
 * Exact decimal strings <-> scaled bigints. Money never passes through a JS float: "3012.55" with
 * 8 decimals is 301255000000n, and anything that cannot be represented exactly is refused.
 */
import { InputError } from "./errors";

/** Where a value sits, for error messages. */
export interface ValueContext {
  file: string;
  path: string;
}

/** Options of {@link parseDecimal}. */
export interface DecimalOptions {
  /** Allow a leading '-' (default false). */
  signed?: boolean;
}

/** Outcome of {@link tryParseDecimal}: the scaled value, or the rule that was broken. */
export type DecimalResult = { ok: true; value: bigint } | { ok: false; rule: string };

const PLAIN_DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses `text` as a decimal number scaled by 10^decimals, without throwing. Accepts `0`, `12`,
 * `12.5`, `-3.25` (when signed); refuses JSON numbers, exponents, a leading '+', leading zeros,
 * a bare or trailing '.', whitespace and more than `decimals` fractional digits.
 */
export function tryParseDecimal(
  text: unknown,
  decimals: number,
  opts: DecimalOptions = {},
): DecimalResult {
  if (!Number.isInteger(decimals) || decimals < 0) {
    throw new RangeError(`decimals must be a non-negative integer, got ${decimals}`);
  }
  if (typeof text === "number") {
    return { ok: false, rule: "must be a decimal string, not a JSON number" };
  }
  if (typeof text !== "string") return { ok: false, rule: "must be a decimal string" };
  if (text.startsWith("+")) return { ok: false, rule: "leading '+' is not allowed" };
  if (/[eE]/.test(text)) return { ok: false, rule: "exponent notation is not allowed" };
  const match = PLAIN_DECIMAL.exec(text);
  if (match === null) return { ok: false, rule: 'must be a plain decimal such as "12.50"' };
  const [, sign, whole, fraction = ""] = match;
  if (sign === "-" && opts.signed !== true) return { ok: false, rule: "must not be negative" };
  if (fraction.length > decimals) {
    return { ok: false, rule: `at most ${decimals} decimal places` };
  }
  const magnitude = BigInt(whole + fraction.padEnd(decimals, "0"));
  return { ok: true, value: sign === "-" ? -magnitude : magnitude };
}

/**
 * Parses `text` exactly into an integer scaled by 10^decimals; throws an {@link InputError} naming
 * `ctx.file`, `ctx.path` and the rule on anything that is not an exact, plain decimal string.
 */
export function parseDecimal(
  text: unknown,
  decimals: number,
  ctx: ValueContext,
  opts: DecimalOptions = {},
): bigint {
  const result = tryParseDecimal(text, decimals, opts);
  if (!result.ok) throw new InputError(ctx.file, ctx.path, result.rule);
  return result.value;
}

/**
 * Formats an integer scaled by 10^decimals as a plain decimal string, without trailing zeros in
 * the fraction: formatUnits(301255000000n, 8) === "3012.55". Inverse of {@link parseDecimal}.
 */
export function formatUnits(value: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0) {
    throw new RangeError(`decimals must be a non-negative integer, got ${decimals}`);
  }
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : "." + fraction}`;
}
