/** Summaries of repeated timings. */

/** Median, minimum and maximum of a non-empty sample, and its size. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Summarises `values` (the median of an even count is the mean of the two middle values). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summarize: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}
