/**
 * The same book under several policies, side by side (`zkmargin margin --compare`): typically a
 * hedged desk under a `standard` policy (model v1, each position charged on its own) and a
 * `portfolio` policy (model v2, one joint scenario scan).
 */
import { table } from "../io/table";
import { percent, usd } from "./format";
import type { MarginReport } from "./report";

const sum = (values: bigint[]): bigint => values.reduce((s, v) => s + v, 0n);

/** What sets the scan part R of the requirement: the binding scenario, or the minimum. */
function scanDriver(report: MarginReport): string {
  if (report.bindingScenario !== null) return report.scenarios[report.bindingScenario].label;
  return report.options.requirementMicroUsd > 0n ? "short option minimum" : "none";
}

/** The verdict in one cell. */
function verdict(report: MarginReport): string {
  return report.sufficient ? "SUFFICIENT" : `SHORT by ${usd(-report.excessMicroUsd)}`;
}

/**
 * One column per report, one row per headline figure (USD): collateral before and after
 * haircuts, concentration excess, PnL and option value, equity; the perps' and the scan's shares
 * of the requirement, what binds, the buffer and the requirement; ratio, excess and verdict.
 * Every figure is read from the reports: nothing is recomputed here.
 */
export function formatComparison(reports: readonly MarginReport[]): string {
  if (reports.length === 0) throw new Error("formatComparison needs at least one report");
  const rows: [string, (r: MarginReport) => string][] = [
    ["margin model", (r) => r.margin],
    ["market round", (r) => r.round.toString()],
    ["collateral value", (r) => usd(sum(r.assets.map((a) => a.valueMicroUsd)))],
    ["after haircuts", (r) => usd(sum(r.assets.map((a) => a.haircutValueMicroUsd)))],
    ["concentration excess", (r) => usd(-sum(r.concentration.map((g) => g.excessMicroUsd)))],
    ["perp PnL", (r) => usd(sum(r.perps.map((p) => p.pnlMicroUsd)))],
    ["option value", (r) => usd(r.options.valueMicroUsd)],
    ["equity", (r) => usd(r.equityMicroUsd)],
    ["perp requirement", (r) => usd(sum(r.perps.map((p) => p.requirementMicroUsd)))],
    ["scan requirement", (r) => usd(r.options.requirementMicroUsd)],
    ["  set by", scanDriver],
    ["buffer", (r) => usd(r.bufferMicroUsd)],
    ["requirement", (r) => usd(r.requirementMicroUsd)],
    ["required ratio", (r) => percent(r.minRatioPpm)],
    ["ratio", (r) => (r.ratioPpm === null ? "n/a" : percent(r.ratioPpm))],
    ["excess", (r) => usd(r.excessMicroUsd)],
    ["verdict", verdict],
  ];
  const lines = [
    `The same book under ${reports.length} policies (USD)`,
    ...table(
      ["", ...reports.map((r) => r.policyId)],
      rows.map(([label, cell]) => [label, ...reports.map(cell)]),
    ),
  ];
  return `${lines.join("\n")}\n`;
}
