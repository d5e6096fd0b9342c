/**
 * The HTML shell of the visual reports: escaping, a self-contained document (inline CSS, a
 * Content-Security-Policy that forbids every network load) and the one stylesheet shared by the
 * reports the CLI writes and the verify page (which links it as report.css).
 */

/** Text made safe for HTML element content and quoted attribute values. */
export function esc(text: string | number | bigint): string {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A heading-labelled section: `<section aria-labelledby>` with an `<h2>` (or `level`). */
export function section(id: string, title: string, body: string, level = 2): string {
  return (
    `<section class="report-section" aria-labelledby="${esc(id)}">` +
    `<h${level} id="${esc(id)}">${esc(title)}</h${level}>${body}</section>`
  );
}

/**
 * A data table: header cells, rows of already-escaped cells (first cell is the row header). The
 * other columns are numbers, right-aligned, unless `text` is set.
 */
export function dataTable(
  caption: string,
  header: readonly string[],
  rows: string[][],
  text = false,
): string {
  const cls = text ? "" : ' class="num"';
  const head = header.map((h, i) => `<th scope="col"${i > 0 ? cls : ""}>${esc(h)}</th>`);
  const body = rows.map(
    (cells) =>
      `<tr><th scope="row">${cells[0]}</th>${cells
        .slice(1)
        .map((c) => `<td${cls}>${c}</td>`)
        .join("")}</tr>`,
  );
  return (
    `<div class="table-scroll" role="region" aria-label="${esc(caption)}" tabindex="0">` +
    `<table class="data"><caption>${esc(caption)}</caption>` +
    `<thead><tr>${head.join("")}</tr></thead><tbody>${body.join("")}</tbody></table></div>`
  );
}

/** A definition list of label/value pairs (values already escaped). */
export function facts(pairs: readonly [string, string][]): string {
  return `<dl class="facts">${pairs
    .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`)
    .join("")}</dl>`;
}

/**
 * A link that opens in a new tab and tells the target nothing (no opener, no referrer); `text` is
 * already-escaped HTML, `label` what a screen reader announces.
 */
export function externalLink(href: string, text: string, label: string): string {
  return `<a class="mono" href="${esc(href)}" target="_blank" rel="noopener noreferrer" aria-label="${esc(label)}">${text}</a>`;
}

/** A verdict badge: its text says the verdict, the colour only repeats it. */
export function badge(text: string, tone: "good" | "bad" | "warn" | "neutral"): string {
  return `<span class="badge badge-${tone}">${esc(text)}</span>`;
}

/**
 * The stylesheet of every report. Colours are paired with words (PASS, SHORTFALL, binding), never
 * the only carrier of meaning; text contrast is at least 4.5:1 on white.
 */
export const REPORT_CSS = `
.zkm-report { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --bg-soft: #f5f7fa;
  --equity: #1d6f52; --equity-soft: #a8d5c2; --requirement: #9a4a06; --loss: #b42318;
  --gain: #1d6f52; --neutral: #3e5c76; --focus: #1a56db;
  color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.zkm-report h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.zkm-report h2 { font-size: 1.2rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.zkm-report h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.zkm-report p { margin: .5rem 0; }
.zkm-report .muted { color: var(--muted); }
.zkm-report .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.zkm-report .badge { display: inline-block; font-weight: 700; padding: .1rem .6rem; border-radius: 999px; border: 2px solid currentColor; }
.zkm-report .badge-good { color: var(--equity); background: #e6f4ee; }
.zkm-report .badge-bad { color: var(--loss); background: #fdecea; }
.zkm-report .badge-warn { color: #8a4b00; background: #fff4e0; }
.zkm-report .badge-neutral { color: var(--neutral); background: var(--bg-soft); }
.zkm-report .headline { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; margin: .5rem 0 1rem; }
.zkm-report .headline .big { font-size: 1.35rem; font-weight: 700; }
.zkm-report .facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem 1rem; margin: .5rem 0; }
.zkm-report .facts div { background: var(--bg-soft); border-radius: 6px; padding: .4rem .6rem; min-width: 0; }
.zkm-report .facts dt { font-size: .8rem; color: var(--muted); }
.zkm-report .facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.zkm-report .table-scroll { overflow-x: auto; margin: .5rem 0; }
.zkm-report .table-scroll:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.zkm-report table { border-collapse: collapse; width: 100%; font-size: .92rem; }
.zkm-report caption { text-align: left; font-weight: 600; padding: .25rem 0; }
.zkm-report th, .zkm-report td { padding: .35rem .5rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
.zkm-report thead th { background: var(--bg-soft); font-size: .85rem; }
.zkm-report .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.zkm-report figure.chart { margin: 1rem 0; }
.zkm-report figure.chart figcaption { font-weight: 600; margin-bottom: .25rem; }
.zkm-report table.bars th { font-weight: 500; width: 30%; overflow-wrap: break-word; }
.zkm-report table.bars td.bar { width: 50%; min-width: 4rem; padding-left: 0; padding-right: 0; }
.zkm-report table.bars svg { display: block; width: 100%; height: 1.1rem; }
.zkm-report table.bars tr.highlight th, .zkm-report table.bars tr.highlight td { background: #fff4e0; font-weight: 700; }
.zkm-report .equity { fill: var(--equity); }
.zkm-report .equity-soft, .zkm-report .gain-soft { fill: var(--equity-soft); }
.zkm-report .requirement-soft, .zkm-report .loss-soft, .zkm-report .neutral-soft { fill: #e4c9b0; }
.zkm-report .requirement { fill: var(--requirement); }
.zkm-report .loss { fill: var(--loss); }
.zkm-report .gain { fill: var(--gain); }
.zkm-report .neutral { fill: var(--neutral); }
.zkm-report .axis { stroke: var(--muted); stroke-width: 1; }
.zkm-report .marker { stroke: var(--ink); stroke-width: 3; }
.zkm-report .track { fill: var(--bg-soft); }
.zkm-report .gauge svg { display: block; width: 100%; height: 2.2rem; }
.zkm-report .gauge .legend { display: flex; justify-content: space-between; flex-wrap: wrap; gap: .25rem 1rem; font-size: .9rem; }
.zkm-report .key { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; vertical-align: -.05rem; margin-right: .3rem; }
.zkm-report .key.equity { background: var(--equity); }
.zkm-report .key.equity-soft { background: var(--equity-soft); }
.zkm-report .key.requirement { background: var(--requirement); }
.zkm-report .key.loss { background: var(--loss); }
.zkm-report .checks .status { font-weight: 700; white-space: nowrap; }
.zkm-report .status-pass { color: var(--equity); }
.zkm-report .status-fail, .zkm-report .status-skip { color: var(--loss); }
.zkm-report .status-warn { color: #8a4b00; }
.zkm-report .status-info { color: var(--neutral); }
.zkm-report .checks td.detail { overflow-wrap: anywhere; font-size: .88rem; color: var(--muted); }
.zkm-report table.data td:has(.mono) { min-width: 10rem; }
.zkm-report ol.timeline { list-style: none; margin: .5rem 0; padding: 0 0 0 1.25rem; border-left: 3px solid var(--line); }
.zkm-report ol.timeline li { position: relative; margin: 0 0 .9rem; padding-left: .5rem; }
.zkm-report ol.timeline li::before { content: ""; position: absolute; left: -1.72rem; top: .35rem; width: .8rem; height: .8rem; border-radius: 50%; background: var(--neutral); border: 2px solid #fff; }
.zkm-report ol.timeline li.current::before { background: var(--equity); }
.zkm-report ol.timeline li.highlight { background: #fff4e0; border-radius: 6px; padding: .25rem .5rem; }
.zkm-report .strip svg { display: block; width: 100%; height: 2.5rem; }
.zkm-report .strip .tick { stroke: var(--neutral); stroke-width: 3; }
.zkm-report .strip .highlight { stroke: #c2410c; stroke-width: 4; }
.zkm-report .strip .legend { display: flex; justify-content: space-between; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; color: var(--muted); font-weight: 400; }
.zkm-report pre { background: var(--bg-soft); padding: .75rem; overflow-x: auto; font-size: .85rem; }
@media (max-width: 36rem) {
  .zkm-report table.checks thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .zkm-report table.checks tr { display: grid; grid-template-columns: auto minmax(0, 1fr); border-bottom: 1px solid var(--line); }
  .zkm-report table.checks th, .zkm-report table.checks td { border-bottom: none; }
  .zkm-report table.checks td.detail { grid-column: 1 / -1; padding-top: 0; }
  .zkm-report table.bars tr { display: grid; grid-template-columns: minmax(0, 1fr) 9rem; align-items: center; border-bottom: 1px solid var(--line); }
  .zkm-report table.bars th { grid-column: 1 / -1; width: auto; border-bottom: none; padding-bottom: 0; }
  .zkm-report table.bars td { border-bottom: none; }
  .zkm-report table.bars td.bar { width: auto; padding-left: .5rem; }
}
@media print { .zkm-report .table-scroll { overflow: visible; } }
`;

/**
 * A complete, self-contained HTML document: inline CSS, no script, and a Content-Security-Policy
 * that forbids loading anything (fonts, images, scripts, connections), so the file can be opened
 * offline or handed on without it ever reaching the network.
 */
export function htmlDocument(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
body { margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
${REPORT_CSS}
</style>
</head>
<body>
<main class="zkm-report">
${body}
</main>
</body>
</html>
`;
}
