/**
 * Number formatting for the visual reports: exact integer inputs (µUSD, ppm, base units) turned
 * into grouped decimal text. Display rounding happens here only, and every report says so.
 */
import { formatUnits } from "../decimal";

/** "1234567.5" -> "1,234,567.5" (the sign and the fraction are kept). */
export function groupThousands(text: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction = ""] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${fraction}`;
}

/** Rounds `value / divisor` half away from zero (divisor > 0). */
function roundHalfAway(value: bigint, divisor: bigint): bigint {
  const magnitude = value < 0n ? -value : value;
  const rounded = (magnitude * 2n + divisor) / (divisor * 2n);
  return value < 0n ? -rounded : rounded;
}

/** µUSD as USD rounded to the cent, grouped, always two decimals: 1234567890n -> "1,234.57". */
export function usdCents(microUsd: bigint): string {
  const cents = roundHalfAway(microUsd, 10_000n);
  const text = formatUnits(cents, 2);
  const [whole, fraction = ""] = text.split(".");
  return groupThousands(`${whole}.${fraction.padEnd(2, "0")}`);
}

/** µUSD as exact USD (up to six decimals, trailing zeros dropped), grouped. */
export function usdExact(microUsd: bigint): string {
  return groupThousands(formatUnits(microUsd, 6));
}

/** ppm as a percentage, truncated to `decimals` places: 1_823_456n -> "182.34 %". */
export function percent(ppm: bigint, decimals = 2): string {
  const scale = 10n ** BigInt(4 - Math.min(decimals, 4));
  const text = formatUnits(ppm / scale, Math.min(decimals, 4));
  const [whole, fraction = ""] = text.split(".");
  const padded = decimals === 0 ? whole : `${whole}.${fraction.padEnd(decimals, "0")}`;
  return `${groupThousands(padded)} %`;
}

/** An integer scaled by 10^decimals (a token amount, a 1e-8 USD price), grouped. */
export function units(value: bigint, decimals: number): string {
  return groupThousands(formatUnits(value, decimals));
}

/** Unix seconds as an ISO-8601 UTC time without milliseconds (one definition, in time.ts). */
export { isoTime } from "../time";

/** A long hex or decimal string shortened for display: "0x1234abcd…89ef". */
export function shorten(text: string, head = 10, tail = 6): string {
  return text.length <= head + tail + 1 ? text : `${text.slice(0, head)}…${text.slice(-tail)}`;
}
