/**
 * Times and durations for people: every Unix time the CLI, the watcher or a refusal prints is
 * shown with its ISO 8601 UTC form beside it, and durations in the largest units that fit.
 */

/** Unix seconds as an ISO-8601 UTC time without milliseconds: 1735689600 -> "2025-01-01T00:00:00Z". */
export function isoTime(unixSeconds: bigint | number): string {
  const ms = Number(unixSeconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return "beyond the calendar";
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Unix seconds with their ISO form: "1735689600 (2025-01-01T00:00:00Z)". */
export function unixTime(unixSeconds: bigint | number): string {
  return `${unixSeconds} (${isoTime(unixSeconds)})`;
}

const UNITS: [string, bigint][] = [
  ["d", 86_400n],
  ["h", 3_600n],
  ["min", 60n],
  ["s", 1n],
];

/**
 * Seconds in words, in the largest unit and the one below it, truncated: 90061 -> "1 d 1 h",
 * 900 -> "15 min", 0 -> "0 s". Negative durations keep their sign.
 */
export function duration(seconds: bigint | number): string {
  const value = BigInt(seconds);
  let rest = value < 0n ? -value : value;
  const first = UNITS.findIndex(([, size]) => rest >= size);
  if (first === -1) return "0 s";
  const parts: string[] = [];
  for (const [unit, size] of UNITS.slice(first, first + 2)) {
    const count = rest / size;
    rest -= count * size;
    if (count > 0n) parts.push(`${count} ${unit}`);
  }
  return `${value < 0n ? "-" : ""}${parts.join(" ")}`;
}

/** Seconds with their reading: "3600 s (1 h)"; plain "45 s" under a minute. */
export function seconds(value: bigint | number): string {
  return BigInt(value) < 60n && BigInt(value) > -60n
    ? `${value} s`
    : `${value} s (${duration(value)})`;
}
