/**
 * The visual margin report (`zkmargin margin --html`, and the institution's view in the verify
 * page): equity and requirement by asset and position as charts and tables, the ratio against the
 * policy's minimum, the scenario losses with the binding scenario, and, when the report carries
 * them (model v2), the joint scenario set and concentration use. Private figures: it shows the
 * portfolio, so it is for the institution (and whoever it chooses to show it to).
 */
import type { Policy } from "../inputs/types";
import type { MarginReport } from "../model/report";
import { barChart, ratioGauge, type BarRow } from "./charts";
import { percent, units, usdCents } from "./format";
import { badge, dataTable, esc, facts, htmlDocument, section } from "./html";

/** A group's use of its concentration limit (model v2). */
export interface ConcentrationUse {
  assets: readonly string[];
  /** The group's maximum share of total haircut value, ppm. */
  maxSharePpm: bigint;
  /** sum of H over the group's assets, µUSD. */
  haircutValueMicroUsd: bigint;
  /** min(group H, floor(maxShare * T / 1e6)), µUSD. */
  creditedMicroUsd: bigint;
  /** What is taken off equity: group H - credited, µUSD. */
  excessMicroUsd: bigint;
}

/**
 * What model v2 adds to a report (DESIGN.md "Portfolio margin"). Absent from v1 reports; each
 * section is drawn only when its part is present.
 */
export interface MarginReportExtras {
  /** Joint scenario losses L_k, µUSD, positive = loss, with the scenario labels. */
  scenarios?: {
    labels?: readonly string[];
    lossMicroUsd: readonly bigint[];
    /** Index of the binding scenario (default: the largest loss, when positive). */
    bindingIndex?: number | null;
  };
  concentration?: readonly ConcentrationUse[];
}

/** A report as computed by `computeMargin`, with the v2 parts when the model provides them. */
export type RenderableReport = MarginReport & MarginReportExtras;

/** Options of the margin report renderers. */
export interface MarginHtmlOptions {
  /** The policy, to show amounts in whole tokens and sizes in units (else base units). */
  policy?: Policy;
  /** Prefix for element ids, so two reports can share a page. */
  idPrefix?: string;
}

const PPM = 1_000_000n;

/** Index of the largest positive loss, or null when no scenario loses. */
function largestLoss(losses: readonly bigint[]): number | null {
  let best: number | null = null;
  losses.forEach((loss, k) => {
    if (loss > 0n && (best === null || loss > losses[best])) best = k;
  });
  return best;
}

function summary(report: RenderableReport, id: (s: string) => string): string {
  const required = report.equityMicroUsd - report.excessMicroUsd; // ceil(Req * minRatio / 1e6)
  const rows: BarRow[] = [
    { label: "Equity", value: report.equityMicroUsd, tone: "equity" },
    { label: "Required equity", value: required, tone: "requirement" },
  ];
  return section(
    id("summary"),
    "Summary",
    facts([
      ["Equity", `${usdCents(report.equityMicroUsd)} USD`],
      ["Requirement (incl. buffer)", `${usdCents(report.requirementMicroUsd)} USD`],
      ["Required equity", `${usdCents(required)} USD`],
      [report.sufficient ? "Excess" : "Shortfall", `${usdCents(report.excessMicroUsd)} USD`],
      ["Ratio", report.ratioPpm === null ? "n/a (no requirement)" : percent(report.ratioPpm)],
      ["Policy minimum ratio", percent(report.minRatioPpm)],
    ]) +
      ratioGauge(report.ratioPpm, report.minRatioPpm) +
      barChart(
        `Equity against required equity: the requirement × ${percent(report.minRatioPpm)} (USD)`,
        rows,
      ),
  );
}

function equity(
  report: RenderableReport,
  policy: Policy | undefined,
  id: (s: string) => string,
): string {
  const decimals = new Map(policy?.assets.map((a) => [a.symbol, a.decimals]));
  const concentrationOff = (report.concentration ?? []).reduce((s, g) => s + g.excessMicroUsd, 0n);
  const rows: BarRow[] = [
    ...report.assets.map((a) => ({
      label: `${a.symbol} after haircut`,
      value: a.haircutValueMicroUsd,
      ghost: a.valueMicroUsd,
      tone: "equity" as const,
    })),
    ...report.perps.map((p) => ({
      label: `${p.instrument} unrealized PnL`,
      value: p.pnlMicroUsd,
      tone: p.pnlMicroUsd < 0n ? ("loss" as const) : ("gain" as const),
    })),
    {
      label: "Options value",
      value: report.options.valueMicroUsd,
      tone: report.options.valueMicroUsd < 0n ? "loss" : "gain",
    },
    ...(concentrationOff > 0n
      ? [{ label: "Concentration excess", value: -concentrationOff, tone: "loss" as const }]
      : []),
  ];
  const table = dataTable(
    "Collateral",
    [
      "asset",
      policy ? "amount (tokens)" : "amount (base units)",
      "price (USD)",
      "value (USD)",
      "haircut",
      "after haircut (USD)",
    ],
    report.assets.map((a) => {
      const d = decimals.get(a.symbol);
      const cut =
        a.valueMicroUsd === 0n
          ? "–"
          : percent(((a.valueMicroUsd - a.haircutValueMicroUsd) * PPM) / a.valueMicroUsd);
      return [
        esc(a.symbol),
        d === undefined ? units(a.amount, 0) : units(a.amount, d),
        units(a.price, 8),
        usdCents(a.valueMicroUsd),
        cut,
        usdCents(a.haircutValueMicroUsd),
      ];
    }),
  );
  return section(
    id("equity"),
    "Equity by asset and position",
    `<p class="muted"><span class="key equity"></span>value after haircut, <span class="key equity-soft"></span>value before haircut; PnL and option value are signed.</p>` +
      barChart("Equity components (USD)", rows) +
      table,
  );
}

function requirement(
  report: RenderableReport,
  policy: Policy | undefined,
  id: (s: string) => string,
): string {
  const sizeDecimals = new Map(policy?.perps.map((p) => [p.instrument, p.sizeDecimals]));
  const o = report.options;
  const rows: BarRow[] = [
    ...report.perps.map((p) => ({
      label: `${p.instrument} margin`,
      value: p.requirementMicroUsd,
      tone: "requirement" as const,
    })),
    {
      label: `Options (${o.scanRiskMicroUsd >= o.shortOptionMinimumMicroUsd ? "scan risk" : "short-option minimum"})`,
      value: o.requirementMicroUsd,
      tone: "requirement",
    },
    { label: "Buffer", value: report.bufferMicroUsd, tone: "requirement" },
  ];
  const perps = dataTable(
    "Perpetuals and futures",
    [
      "instrument",
      policy ? "size (units)" : "size (base units)",
      "entry (USD)",
      "mark (USD)",
      "notional (USD)",
      "PnL (USD)",
      "requirement (USD)",
    ],
    report.perps.map((p) => [
      esc(p.instrument),
      units(p.size, sizeDecimals.get(p.instrument) ?? 0),
      units(p.entryPrice, 8),
      units(p.mark, 8),
      usdCents(p.notionalMicroUsd),
      usdCents(p.pnlMicroUsd),
      usdCents(p.requirementMicroUsd),
    ]),
  );
  const options = facts([
    ["Option value", `${usdCents(o.valueMicroUsd)} USD`],
    ["Scan risk (worst scenario)", `${usdCents(o.scanRiskMicroUsd)} USD`],
    ["Short-option minimum", `${usdCents(o.shortOptionMinimumMicroUsd)} USD`],
    ["Option requirement", `${usdCents(o.requirementMicroUsd)} USD`],
  ]);
  return section(
    id("requirement"),
    "Requirement by position",
    barChart("Requirement components (USD)", rows) + perps + options,
  );
}

function scenarios(report: RenderableReport, id: (s: string) => string): string {
  const joint = report.scenarios;
  const losses = joint?.lossMicroUsd ?? report.options.scenarioLossMicroUsd;
  if (losses.length === 0) return "";
  const binding = joint?.bindingIndex !== undefined ? joint.bindingIndex : largestLoss(losses);
  const o = report.options;
  const rows: BarRow[] = losses.map((loss, k) => ({
    label: joint?.labels?.[k] ?? `scenario ${k + 1}`,
    value: loss,
    tone: loss > 0n ? "loss" : "gain",
    ...(k === binding ? { highlight: true, note: "binding" } : {}),
  }));
  const what = joint
    ? "Joint scenario losses of the whole book (portfolio margin): every position moves at once."
    : "Option book losses per scenario of the market round's risk arrays.";
  const name = (k: number) =>
    joint?.labels?.[k] === undefined ? `Scenario ${k + 1}` : `Scenario "${joint.labels[k]}"`;
  const bindingText =
    binding === null
      ? "No scenario loses money: the scan risk is zero."
      : joint
        ? `${esc(name(binding))} binds: its loss ${usdCents(losses[binding])} USD sets the portfolio scan risk.`
        : o.scanRiskMicroUsd >= o.shortOptionMinimumMicroUsd
          ? `${esc(name(binding))} binds: its loss ${usdCents(losses[binding])} USD is the option requirement.`
          : `The worst is ${esc(name(binding))} (${usdCents(losses[binding])} USD), but the short-option minimum (${usdCents(o.shortOptionMinimumMicroUsd)} USD) is larger and binds instead.`;
  return section(
    id("scenarios"),
    joint ? "Joint scenarios" : "Option scenarios",
    `<p>${what} Positive = loss.</p><p>${bindingText}</p>` +
      barChart("Loss per scenario (USD, positive = loss)", rows),
  );
}

function concentration(report: RenderableReport, id: (s: string) => string): string {
  const groups = report.concentration;
  if (groups === undefined || groups.length === 0) return "";
  const total = report.assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n);
  const name = (g: ConcentrationUse) => g.assets.join(" + ");
  const rows: BarRow[] = groups.map((g) => ({
    label: name(g),
    value: g.creditedMicroUsd,
    ghost: g.haircutValueMicroUsd,
    tone: "equity",
    ...(g.excessMicroUsd > 0n
      ? { highlight: true, note: `over its limit by ${usdCents(g.excessMicroUsd)} USD` }
      : {}),
  }));
  const table = dataTable(
    "Concentration groups",
    ["group", "share of haircut value", "limit", "credited (USD)", "taken off equity (USD)"],
    groups.map((g) => [
      esc(name(g)),
      total === 0n ? "–" : percent((g.haircutValueMicroUsd * PPM) / total),
      percent(g.maxSharePpm),
      usdCents(g.creditedMicroUsd),
      usdCents(g.excessMicroUsd),
    ]),
  );
  return section(
    id("concentration"),
    "Concentration limits",
    `<p class="muted"><span class="key equity"></span>credited, <span class="key equity-soft"></span>group value after haircut.</p>` +
      barChart("Credited value per group (USD)", rows) +
      table,
  );
}

/**
 * The report as an HTML fragment (headings from h1 down), for a page that already has the
 * report stylesheet (`.zkm-report`).
 */
export function marginReportBody(
  report: RenderableReport,
  options: MarginHtmlOptions = {},
): string {
  const prefix = options.idPrefix ?? "margin";
  const id = (s: string) => `${prefix}-${s}`;
  const verdict = report.sufficient ? badge("SUFFICIENT", "good") : badge("SHORTFALL", "bad");
  const mode = options.policy ? ` (${esc(options.policy.mode)})` : "";
  return (
    `<header><h1>Margin report</h1>` +
    `<p>Policy <strong>${esc(report.policyId)}</strong>${mode}, market round <strong>${esc(report.round)}</strong></p>` +
    `<p class="headline">${verdict}<span class="big">${report.sufficient ? "excess" : "shortfall"} ${usdCents(report.sufficient ? report.excessMicroUsd : -report.excessMicroUsd)} USD</span></p>` +
    `<p class="muted">Private: this report shows the portfolio's holdings and positions. Amounts in USD rounded to the cent for display; the verdict, the excess and the ratio are computed exactly (µUSD), as the circuit proves them.</p></header>` +
    summary(report, id) +
    equity(report, options.policy, id) +
    requirement(report, options.policy, id) +
    scenarios(report, id) +
    concentration(report, id)
  );
}

/** The report as one self-contained HTML document (inline CSS and SVG, no script, no network). */
export function marginReportHtml(
  report: RenderableReport,
  options: MarginHtmlOptions = {},
): string {
  return htmlDocument(
    `Margin report: ${report.policyId}, round ${report.round}`,
    marginReportBody(report, options),
  );
}
