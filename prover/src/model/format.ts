/** Plaintext rendering of a {@link MarginReport} for the CLI (`zkmargin margin`). */
import { formatUnits } from "../decimal";
import type { MarginReport } from "./report";

/** µUSD as USD with exactly 6 decimals, right-aligned by the table. */
function usd(microUsd: bigint): string {
  const text = formatUnits(microUsd, 6);
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(6, "0")}`;
}

/** ppm as a percentage with 4 decimals. */
function percent(ppm: bigint): string {
  const text = formatUnits(ppm, 4);
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(4, "0")} %`;
}

/** Renders rows as a table: first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/**
 * A readable report: one row per asset and per perp, the option book, the totals and the verdict.
 * Amounts are shown in base units and prices in 1e-8 USD so nothing is rounded for display.
 */
export function formatReport(report: MarginReport): string {
  const out: string[] = [
    `Margin report: policy ${report.policyId}, market round ${report.round}`,
    "",
  ];
  out.push("Collateral (USD)");
  out.push(
    ...table(
      ["asset", "amount (base units)", "price (USD)", "value", "after haircut"],
      report.assets.map((a) => [
        a.symbol,
        a.amount.toString(),
        formatUnits(a.price, 8),
        usd(a.valueMicroUsd),
        usd(a.haircutValueMicroUsd),
      ]),
    ),
    "",
  );
  out.push("Perpetuals (USD)");
  out.push(
    ...table(
      ["instrument", "size (units)", "entry", "mark", "notional", "PnL", "requirement"],
      report.perps.map((p) => [
        p.instrument,
        p.size.toString(),
        formatUnits(p.entryPrice, 8),
        formatUnits(p.mark, 8),
        usd(p.notionalMicroUsd),
        usd(p.pnlMicroUsd),
        usd(p.requirementMicroUsd),
      ]),
    ),
    "",
  );
  const o = report.options;
  out.push("Options (USD)");
  out.push(
    ...table(
      ["item", "amount"],
      [
        ["value", usd(o.valueMicroUsd)],
        ...o.scenarioLossMicroUsd.map((loss, k) => [`scenario ${k + 1} loss`, usd(loss)]),
        ["scan risk", usd(o.scanRiskMicroUsd)],
        ["short option minimum", usd(o.shortOptionMinimumMicroUsd)],
        ["requirement", usd(o.requirementMicroUsd)],
      ],
    ),
    "",
  );
  out.push("Totals (USD)");
  out.push(
    ...table(
      ["item", "amount"],
      [
        ["equity", usd(report.equityMicroUsd)],
        ["buffer", usd(report.bufferMicroUsd)],
        ["requirement (incl. buffer)", usd(report.requirementMicroUsd)],
        ["required ratio", percent(report.minRatioPpm)],
        ["ratio", report.ratioPpm === null ? "n/a (no requirement)" : percent(report.ratioPpm)],
        ["excess", usd(report.excessMicroUsd)],
      ],
    ),
    "",
  );
  out.push(
    report.sufficient
      ? `Verdict: SUFFICIENT (excess ${usd(report.excessMicroUsd)} USD)`
      : `Verdict: SHORTFALL of ${usd(-report.excessMicroUsd)} USD`,
  );
  return out.join("\n") + "\n";
}
