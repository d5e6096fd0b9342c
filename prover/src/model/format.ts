/** Plaintext rendering of a {@link MarginReport} for the CLI (`zkmargin margin`). */
import { formatUnits } from "../decimal";
import type { Policy } from "../inputs/types";
import { table } from "../io/table";
import type { MarginReport } from "./report";
import { MICRO_USD_DECIMALS, PERCENT_DECIMALS_OF_PPM, PRICE_DECIMALS } from "./units";

/** µUSD as USD with exactly 6 decimals, right-aligned by the table. */
export function usd(microUsd: bigint): string {
  const text = formatUnits(microUsd, MICRO_USD_DECIMALS);
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(MICRO_USD_DECIMALS, "0")}`;
}

/** ppm as a percentage with 4 decimals. */
export function percent(ppm: bigint): string {
  const text = formatUnits(ppm, PERCENT_DECIMALS_OF_PPM);
  const [whole, fraction = ""] = text.split(".");
  return `${whole}.${fraction.padEnd(PERCENT_DECIMALS_OF_PPM, "0")} %`;
}

/** The scenario section: every scenario's loss, the scan risk and which scenario binds. */
function scenarioSection(report: MarginReport): string[] {
  if (report.scenarios.length === 0) return [];
  const joint = report.margin === "portfolio";
  const scanRisk = report.scenarios.reduce((m, s) => (s.lossMicroUsd > m ? s.lossMicroUsd : m), 0n);
  const binding = report.bindingScenario;
  const verdict =
    binding !== null
      ? `scenario ${JSON.stringify(report.scenarios[binding].label)} binds: R = its loss`
      : scanRisk > 0n
        ? "no scenario binds: the short option minimum is larger"
        : "no scenario binds: no scenario loses";
  return [
    joint
      ? "Joint scenarios (USD, loss of every position together, positive = loss)"
      : "Option scenarios (USD, loss of the option book, positive = loss)",
    ...table(
      ["scenario", "loss", ""],
      [
        ...report.scenarios.map((s, k) => [
          s.label,
          usd(s.lossMicroUsd),
          k === binding ? "<- binds" : "",
        ]),
        ["scan risk", usd(scanRisk), ""],
      ],
    ),
    verdict,
    "",
  ];
}

/** The concentration section: per group its haircut value, cap, credited value and excess. */
function concentrationSection(report: MarginReport): string[] {
  if (report.concentration.length === 0) return [];
  return [
    "Concentration limits (USD; the excess is taken off the equity)",
    ...table(
      ["group", "max share", "after haircut", "cap", "credited", "excess"],
      report.concentration.map((g) => [
        g.assets.join("+"),
        percent(g.maxSharePpm),
        usd(g.haircutMicroUsd),
        usd(g.capMicroUsd),
        usd(g.creditedMicroUsd),
        usd(g.excessMicroUsd),
      ]),
    ),
    "",
  ];
}

/** The decimals a report's amounts and sizes are shown in: the policy's (the files' units). */
export type ReportUnits = Pick<Policy, "assets" | "perps">;

/**
 * A readable report: one row per asset, per concentration group and per perp, the option book,
 * every scenario (joint under a `portfolio` policy) with the one that binds, the totals and the
 * verdict. Given the policy, amounts are in whole tokens and perp sizes in units of the
 * underlying, as portfolio.json writes them; without it, in base units. Prices are in USD with up
 * to 12 decimals (their exact 1e-12 USD unit), so nothing is rounded for display.
 */
export function formatReport(report: MarginReport, units?: ReportUnits): string {
  const decimals = new Map(units?.assets.map((a) => [a.symbol, a.decimals]));
  const sizeDecimals = new Map(units?.perps.map((p) => [p.instrument, p.sizeDecimals]));
  const inUnits = (value: bigint, scale: number | undefined) =>
    scale === undefined ? value.toString() : formatUnits(value, scale);
  const out: string[] = [
    `Margin report: policy ${report.policyId} (${report.margin} margin), market round ${report.round}`,
    "",
  ];
  out.push("Collateral (USD)");
  out.push(
    ...table(
      [
        "asset",
        units === undefined ? "amount (base units)" : "amount (tokens)",
        "price (USD)",
        "value",
        "after haircut",
      ],
      report.assets.map((a) => [
        a.symbol,
        inUnits(a.amount, decimals.get(a.symbol)),
        formatUnits(a.price, PRICE_DECIMALS),
        usd(a.valueMicroUsd),
        usd(a.haircutValueMicroUsd),
      ]),
    ),
    "",
  );
  out.push(...concentrationSection(report));
  out.push("Perpetuals (USD)");
  out.push(
    ...table(
      [
        "instrument",
        units === undefined ? "size (base units)" : "size (units)",
        "entry",
        "mark",
        "notional",
        "PnL",
        "requirement",
      ],
      report.perps.map((p) => [
        p.instrument,
        inUnits(p.size, sizeDecimals.get(p.instrument)),
        formatUnits(p.entryPrice, PRICE_DECIMALS),
        formatUnits(p.mark, PRICE_DECIMALS),
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
        ["short option minimum", usd(o.shortOptionMinimumMicroUsd)],
        [
          report.margin === "portfolio"
            ? "requirement (joint scan risk or minimum)"
            : "requirement (scan risk or minimum)",
          usd(o.requirementMicroUsd),
        ],
      ],
    ),
    "",
  );
  out.push(...scenarioSection(report));
  const excess = report.concentration.reduce((s, g) => s + g.excessMicroUsd, 0n);
  out.push("Totals (USD)");
  out.push(
    ...table(
      ["item", "amount"],
      [
        ...(report.concentration.length > 0
          ? [["concentration excess (taken off equity)", usd(excess)]]
          : []),
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
