/**
 * Inline SVG charts for the visual reports. Each chart is a figure whose numbers are written out as
 * text next to the shapes (a table row per bar), so it reads the same with a screen reader, on a
 * phone and in print; the SVG only draws the bars (aria-hidden) and stretches to its cell.
 */
import { esc } from "./html";
import { percent, usdCents } from "./format";

/** The colour class of a bar, named after what it stands for. */
export type Tone = "equity" | "requirement" | "loss" | "gain" | "neutral";

/** One bar: a signed µUSD value, with an optional lighter bar behind it. */
export interface BarRow {
  label: string;
  value: bigint;
  tone: Tone;
  /** A lighter bar drawn behind the value (e.g. the value before a haircut). */
  ghost?: bigint;
  /** Marks the row (e.g. the binding scenario); `note` says why in words. */
  highlight?: boolean;
  note?: string;
}

const WIDTH = 1000;
const HEIGHT = 10;

const max = (values: readonly bigint[]): bigint => values.reduce((m, v) => (v > m ? v : m), 0n);

/** x of `value` on a scale whose left end is `-neg` and whose right end is `pos`. */
function scaleX(value: bigint, neg: bigint, pos: bigint): number {
  const span = neg + pos === 0n ? 1n : neg + pos;
  return (WIDTH * Number(value + neg)) / Number(span);
}

function rect(from: number, to: number, cls: string): string {
  const x = Math.min(from, to);
  const width = Math.max(Math.abs(to - from), from === to ? 0 : 1);
  return `<rect x="${x.toFixed(1)}" y="1" width="${width.toFixed(1)}" height="${HEIGHT - 2}" class="${cls}"/>`;
}

/**
 * A horizontal bar chart of signed µUSD values, bars growing from a shared zero (left of zero for
 * negative values). `title` is the figure's caption and names the unit; the table lists label,
 * bar and amount (rounded to the cent).
 */
export function barChart(title: string, rows: readonly BarRow[]): string {
  const pos = max(rows.flatMap((r) => [r.value, r.ghost ?? 0n]));
  const neg = max(rows.map((r) => -r.value));
  const zero = scaleX(0n, neg, pos);
  const body = rows.map((r) => {
    const ghost =
      r.ghost === undefined ? "" : rect(zero, scaleX(r.ghost, neg, pos), `${r.tone}-soft`);
    const axis =
      neg > 0n
        ? `<line x1="${zero.toFixed(1)}" x2="${zero.toFixed(1)}" y1="0" y2="${HEIGHT}" class="axis" vector-effect="non-scaling-stroke"/>`
        : "";
    const svg =
      `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" aria-hidden="true" focusable="false">` +
      `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" class="track"/>${ghost}` +
      `${rect(zero, scaleX(r.value, neg, pos), r.tone)}${axis}</svg>`;
    const note = r.note === undefined ? "" : ` <span class="note">(${esc(r.note)})</span>`;
    return (
      `<tr${r.highlight === true ? ' class="highlight"' : ""}><th scope="row">${esc(r.label)}${note}</th>` +
      `<td class="bar">${svg}</td><td class="num">${usdCents(r.value)}</td></tr>`
    );
  });
  return (
    `<figure class="chart"><figcaption>${esc(title)}</figcaption><table class="bars">` +
    `<tbody>${body.join("")}</tbody></table></figure>`
  );
}

/**
 * The margin ratio against the policy's minimum: a bar for the ratio, a marker at the minimum,
 * and both written out. `ratioPpm` is null when there is no requirement.
 */
export function ratioGauge(ratioPpm: bigint | null, minRatioPpm: bigint): string {
  if (ratioPpm === null) {
    return `<p class="gauge">No requirement: the statement holds for any equity of at least zero (required ratio ${percent(minRatioPpm)}).</p>`;
  }
  const top = max([ratioPpm, minRatioPpm]);
  const end = top + top / 5n; // 20 % headroom past the larger of the two
  const x = (ppm: bigint) =>
    ppm <= 0n ? 0 : (WIDTH * Number(ppm)) / Number(end === 0n ? 1n : end);
  const meets = ratioPpm >= minRatioPpm;
  const markerX = x(minRatioPpm).toFixed(1);
  return (
    `<figure class="chart gauge"><figcaption>Margin ratio (equity / requirement) against the policy's minimum</figcaption>` +
    `<svg viewBox="0 0 ${WIDTH} 24" preserveAspectRatio="none" aria-hidden="true" focusable="false">` +
    `<rect x="0" y="4" width="${WIDTH}" height="16" class="track"/>` +
    `<rect x="0" y="4" width="${x(ratioPpm).toFixed(1)}" height="16" class="${meets ? "equity" : "loss"}"/>` +
    `<line x1="${markerX}" x2="${markerX}" y1="0" y2="24" class="marker" vector-effect="non-scaling-stroke"/></svg>` +
    `<div class="legend"><span><span class="key ${meets ? "equity" : "loss"}"></span>ratio ${percent(ratioPpm)}</span>` +
    `<span>| minimum ${percent(minRatioPpm)} (${meets ? "met" : "not met"})</span></div></figure>`
  );
}

/** One mark on a timeline strip. */
export interface StripPoint {
  /** Position on the axis (a block number or a time). */
  at: number;
  highlight?: boolean;
}

/**
 * A strip with one tick per event along an axis (blocks or time), the highlighted ones in another
 * colour; `from` and `to` label the ends in words.
 */
export function timelineStrip(points: readonly StripPoint[], from: string, to: string): string {
  if (points.length === 0) return "";
  const lo = Math.min(...points.map((p) => p.at));
  const hi = Math.max(...points.map((p) => p.at));
  const x = (at: number) => (hi === lo ? WIDTH / 2 : 20 + ((WIDTH - 40) * (at - lo)) / (hi - lo));
  const ticks = points
    .map((p) => {
      const px = x(p.at).toFixed(1);
      return `<line x1="${px}" x2="${px}" y1="4" y2="36" class="${p.highlight === true ? "tick highlight" : "tick"}" vector-effect="non-scaling-stroke"/>`;
    })
    .join("");
  return (
    `<figure class="chart strip"><svg viewBox="0 0 ${WIDTH} 40" preserveAspectRatio="none" aria-hidden="true" focusable="false">` +
    `<line x1="0" x2="${WIDTH}" y1="20" y2="20" class="axis" vector-effect="non-scaling-stroke"/>${ticks}</svg>` +
    `<figcaption class="legend"><span>${esc(from)}</span><span>${esc(to)}</span></figcaption></figure>`
  );
}
