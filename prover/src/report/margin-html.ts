/**
 * The visual margin report (`zkmargin margin --html`, and the institution's view in the verify
 * page) of a {@link MarginReport}, standard (model v1) or portfolio margin (model v2): equity and
 * requirement by asset and position as charts and tables, the ratio against the policy's minimum,
 * every scenario's loss (the joint loss of the whole book under portfolio margin, the option
 * book's under standard) with the scenario that binds, or what binds instead, and each
 * concentration group's haircut value, cap, credited value and excess. Private figures: it shows
 * the portfolio, so it is for the institution (and whoever it chooses to show it to).
 */
import { PRICE_DECIMALS } from "../encoding/widths";
import type { Policy } from "../inputs/types";
import { pieceLabel, pieceTotals, type PieceTotals } from "../model/pieces";
import type { ConcentrationLine, MarginReport } from "../model/report";
import { barChart, ratioGauge, type BarRow } from "./charts";
import { percent, units, usdCents } from "./format";
import { badge, dataTable, esc, facts, htmlDocument, section } from "./html";

/** Options of the margin report renderers. */
export interface MarginHtmlOptions {
  /** The policy, to show amounts in whole tokens and sizes in units (else base units). */
  policy?: Policy;
  /** Prefix for element ids, so two reports can share a page. */
  idPrefix?: string;
  /** The sub-portfolios' names (e.g. their files), for the report of several. */
  pieceNames?: readonly string[];
}

const PPM = 1_000_000n;

/** max(0, max_k loss_k): the scan risk of the report's scenarios. */
function scanRisk(report: MarginReport): bigint {
  return report.scenarios.reduce((m, s) => (s.lossMicroUsd > m ? s.lossMicroUsd : m), 0n);
}

/** Index of the first largest positive loss, or null when no scenario loses. */
function worstScenario(report: MarginReport): number | null {
  const worst = scanRisk(report);
  return worst > 0n ? report.scenarios.findIndex((s) => s.lossMicroUsd === worst) : null;
}

/**
 * A scenario's name in text: its label quoted, or "scenario k" for a round without a scenario
 * set (whose scenarios the model numbers 1..K).
 */
function scenarioName(report: MarginReport, k: number): string {
  const label = report.scenarios[k].label;
  return label === `${k + 1}` ? `scenario ${k + 1}` : `scenario "${label}"`;
}

/** The label of a scenario's chart row. */
function scenarioRowLabel(report: MarginReport, k: number): string {
  const label = report.scenarios[k].label;
  return label === `${k + 1}` ? `scenario ${k + 1}` : label;
}

/** First letter up. */
function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What the scan requirement R is: the binding scenario's loss, the short-option minimum, or 0. */
function scanRequirementLabel(report: MarginReport): string {
  const joint = report.margin === "portfolio";
  if (report.bindingScenario !== null) {
    const what = joint ? "Portfolio scan risk" : "Options scan risk";
    return `${what} (${scenarioRowLabel(report, report.bindingScenario)})`;
  }
  if (report.options.shortOptionMinimumMicroUsd > 0n) return "Short-option minimum";
  return joint ? "Portfolio scan risk" : "Options scan risk";
}

function summary(report: MarginReport, id: (s: string) => string): string {
  const required = report.equityMicroUsd - report.excessMicroUsd; // ceil(Req * minRatio / 1e6)
  const concentrationOff = report.concentration.reduce((s, g) => s + g.excessMicroUsd, 0n);
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
      ...(report.concentration.length > 0
        ? ([["Concentration excess (off equity)", `${usdCents(concentrationOff)} USD`]] as [
            string,
            string,
          ][])
        : []),
    ]) +
      ratioGauge(report.ratioPpm, report.minRatioPpm) +
      barChart(
        `Equity against required equity: the requirement × ${percent(report.minRatioPpm)} (USD)`,
        rows,
      ),
  );
}

function equity(
  report: MarginReport,
  policy: Policy | undefined,
  id: (s: string) => string,
): string {
  const decimals = new Map(policy?.assets.map((a) => [a.symbol, a.decimals]));
  const concentrationOff = report.concentration.reduce((s, g) => s + g.excessMicroUsd, 0n);
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
    ...(report.concentration.length > 0
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
        units(a.amount, d ?? 0),
        units(a.price, PRICE_DECIMALS),
        usdCents(a.valueMicroUsd),
        cut,
        usdCents(a.haircutValueMicroUsd),
      ];
    }),
  );
  return section(
    id("equity"),
    "Equity by asset and position",
    `<p class="muted"><span class="key equity"></span>value after haircut, <span class="key equity-soft"></span>value before haircut; PnL and option value are signed${report.concentration.length > 0 ? "; the concentration excess is taken off" : ""}.</p>` +
      barChart("Equity components (USD)", rows) +
      table,
  );
}

function requirement(
  report: MarginReport,
  policy: Policy | undefined,
  id: (s: string) => string,
): string {
  const joint = report.margin === "portfolio";
  const sizeDecimals = new Map(policy?.perps.map((p) => [p.instrument, p.sizeDecimals]));
  const o = report.options;
  const rows: BarRow[] = [
    ...report.perps.map((p) => ({
      label: `${p.instrument} ${joint ? "add-on" : "margin"}`,
      value: p.requirementMicroUsd,
      tone: "requirement" as const,
    })),
    { label: scanRequirementLabel(report), value: o.requirementMicroUsd, tone: "requirement" },
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
      joint ? "add-on (USD)" : "requirement (USD)",
    ],
    report.perps.map((p) => [
      esc(p.instrument),
      units(p.size, sizeDecimals.get(p.instrument) ?? 0),
      units(p.entryPrice, PRICE_DECIMALS),
      units(p.mark, PRICE_DECIMALS),
      usdCents(p.notionalMicroUsd),
      usdCents(p.pnlMicroUsd),
      usdCents(p.requirementMicroUsd),
    ]),
  );
  const scan = facts([
    ["Option value", `${usdCents(o.valueMicroUsd)} USD`],
    [
      joint ? "Joint scan risk (worst scenario, whole book)" : "Scan risk (worst scenario)",
      `${usdCents(scanRisk(report))} USD`,
    ],
    ["Short-option minimum", `${usdCents(o.shortOptionMinimumMicroUsd)} USD`],
    [
      joint ? "Scan requirement R (joint scan risk or minimum)" : "Option requirement",
      `${usdCents(o.requirementMicroUsd)} USD`,
    ],
  ]);
  const how = joint
    ? "Portfolio margin: the perps' tiers are size add-ons; the whole book's worst joint scenario loss (or the short-option minimum, if larger) is one requirement R, in which hedges offset."
    : "Standard margin: each perp is charged its tiered margin and the option book its worst scenario loss (or the short-option minimum, if larger), each position on its own.";
  return section(
    id("requirement"),
    "Requirement by position",
    `<p>${how}</p>` + barChart("Requirement components (USD)", rows) + perps + scan,
  );
}

function scenarios(report: MarginReport, id: (s: string) => string): string {
  if (report.scenarios.length === 0) return "";
  const joint = report.margin === "portfolio";
  const binding = report.bindingScenario;
  const worst = worstScenario(report);
  const som = report.options.shortOptionMinimumMicroUsd;
  const rows: BarRow[] = report.scenarios.map((s, k) => ({
    label: scenarioRowLabel(report, k),
    value: s.lossMicroUsd,
    tone: s.lossMicroUsd > 0n ? "loss" : "gain",
    ...(k === binding
      ? { highlight: true, note: "binds" }
      : k === worst
        ? { note: "worst; the short-option minimum binds" }
        : {}),
  }));
  const what = joint
    ? "Loss of the whole book in each scenario of the round's joint set: every asset, perp and option moves at once, so hedges offset."
    : "Loss of the option book in each scenario of the round's risk arrays (assets and perps are charged on their own).";
  const bindingText =
    binding !== null
      ? `${capital(esc(scenarioName(report, binding)))} binds: its loss ${usdCents(report.scenarios[binding].lossMicroUsd)} USD is ${joint ? "the portfolio scan risk R" : "the option requirement"}.`
      : worst !== null
        ? `No scenario binds: the short-option minimum (${usdCents(som)} USD) is larger than the worst loss (${esc(scenarioName(report, worst))}, ${usdCents(report.scenarios[worst].lossMicroUsd)} USD) and is the requirement instead.`
        : `No scenario binds: no scenario loses money${som > 0n ? `; the short-option minimum (${usdCents(som)} USD) is the requirement` : ""}.`;
  return section(
    id("scenarios"),
    joint ? "Joint scenarios" : "Option scenarios",
    `<p>${what} Positive = loss.</p><p>${bindingText}</p>` +
      barChart("Loss per scenario (USD, positive = loss)", rows),
  );
}

function concentration(report: MarginReport, id: (s: string) => string): string {
  const groups = report.concentration;
  if (groups.length === 0) return "";
  const total = report.assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n);
  const name = (g: ConcentrationLine) => g.assets.join(" + ");
  const rows: BarRow[] = groups.map((g) => ({
    label: name(g),
    value: g.creditedMicroUsd,
    ghost: g.haircutMicroUsd,
    tone: "equity",
    ...(g.excessMicroUsd > 0n
      ? { highlight: true, note: `over its cap by ${usdCents(g.excessMicroUsd)} USD` }
      : {}),
  }));
  const table = dataTable(
    "Concentration groups (USD)",
    ["group", "share", "max share", "after haircut", "cap", "credited", "excess"],
    groups.map((g) => [
      esc(name(g)),
      total === 0n ? "–" : percent((g.haircutMicroUsd * PPM) / total),
      percent(g.maxSharePpm),
      usdCents(g.haircutMicroUsd),
      usdCents(g.capMicroUsd),
      usdCents(g.creditedMicroUsd),
      usdCents(g.excessMicroUsd),
    ]),
  );
  return section(
    id("concentration"),
    "Concentration limits",
    `<p>A group's value after haircut counts up to its cap: its max share of all assets' value after haircut (${usdCents(total)} USD). The share is the group's part of that value now; the excess over the cap is taken off the equity.</p>` +
      `<p class="muted"><span class="key equity"></span>credited, <span class="key equity-soft"></span>group value after haircut.</p>` +
      barChart("Credited value per group (USD)", rows) +
      table,
  );
}

/** Each sub-portfolio's share of the total (only for several). */
function pieces(
  report: MarginReport,
  names: readonly string[] | undefined,
  id: (s: string) => string,
): string {
  if (report.pieces.length < 2) return "";
  const rows = pieceTotals(report.pieces);
  const cells = (label: string, t: PieceTotals) => [
    esc(label),
    usdCents(t.valueMicroUsd),
    usdCents(t.haircutValueMicroUsd),
    usdCents(t.pnlMicroUsd),
    usdCents(t.optionValueMicroUsd),
    usdCents(t.equityPartMicroUsd),
    usdCents(t.perpRequirementMicroUsd),
  ];
  return section(
    id("pieces"),
    "Sub-portfolios",
    `<p>The margin is the sum's: ${rows.pieces.length} sub-portfolios, each held apart (one per custodian), each with its share of the total's figures; the shares add up to the total exactly. The scan risk, the short-option minimum, the concentration excess and the buffer belong to the whole book.</p>` +
      dataTable(
        "Each sub-portfolio's share (USD)",
        [
          "sub-portfolio",
          "value",
          "after haircut",
          "perp PnL",
          "option value",
          "equity part",
          "perp requirement",
        ],
        [
          ...rows.pieces.map((t, k) => cells(`sub-portfolio ${pieceLabel(k, names)}`, t)),
          cells("total", rows.total),
        ],
      ),
  );
}

/**
 * The report as an HTML fragment (headings from h1 down), for a page that already has the
 * report stylesheet (`.zkm-report`).
 */
export function marginReportBody(report: MarginReport, options: MarginHtmlOptions = {}): string {
  const prefix = options.idPrefix ?? "margin";
  const id = (s: string) => `${prefix}-${s}`;
  const verdict = report.sufficient ? badge("SUFFICIENT", "good") : badge("SHORTFALL", "bad");
  const kind = report.margin === "portfolio" ? "portfolio margin" : "standard margin";
  const mode = options.policy ? `${esc(options.policy.mode)}, ` : "";
  return (
    `<header><h1>Margin report</h1>` +
    `<p>Policy <strong>${esc(report.policyId)}</strong> (${mode}${kind}), market round <strong>${esc(report.round)}</strong></p>` +
    `<p class="headline">${verdict}<span class="big">${report.sufficient ? "excess" : "shortfall"} ${usdCents(report.sufficient ? report.excessMicroUsd : -report.excessMicroUsd)} USD</span></p>` +
    `<p class="muted">Private: this report shows the portfolio's holdings and positions. Amounts in USD rounded to the cent for display; the verdict, the excess and the ratio are computed exactly (µUSD), as the circuit proves them.</p></header>` +
    summary(report, id) +
    equity(report, options.policy, id) +
    requirement(report, options.policy, id) +
    scenarios(report, id) +
    concentration(report, id) +
    pieces(report, options.pieceNames, id)
  );
}

/** The report as one self-contained HTML document (inline CSS and SVG, no script, no network). */
export function marginReportHtml(report: MarginReport, options: MarginHtmlOptions = {}): string {
  return htmlDocument(
    `Margin report: ${report.policyId}, round ${report.round}`,
    marginReportBody(report, options),
  );
}
