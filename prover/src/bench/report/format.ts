/** Number formats of the benchmark report. */
import type { Summary } from "../stats";

/** Seconds as "840 ms" below one second, else "2.31 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** A summary as its median with the range: "2.31 s (2.20 to 2.45)". */
export function formatSummary(summary: Summary): string {
  if (summary.runs === 1) return formatSeconds(summary.median);
  return `${formatSeconds(summary.median)} (${formatSeconds(summary.min)} to ${formatSeconds(summary.max)})`;
}

/** An integer with thousands separators: 1,234,567. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** Bytes in KiB or MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `a / b` as "1.84x". */
export function formatRatio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

/** A Markdown table (cells as given: escape text from outside the project first). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
