/** A short human summary of a generated scenario set, for the publisher (`zkmargin scenarios`). */
import { formatUnits } from "../decimal";
import { table } from "../io/table";
import { formatHistoryTime } from "./history";
import type { GeneratedScenarioSet } from "./types";

/** A fraction as a percentage with `digits` decimals. */
function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)} %`;
}

/** A signed log move as a signed percentage price change, e^x - 1. */
function priceChange(x: number): string {
  const change = Math.expm1(x) * 100;
  return `${change >= 0 ? "+" : ""}${change.toFixed(2)}`;
}

/** Seconds as a readable step. */
function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;
  return `${seconds} s`;
}

/** The summary: inputs, factors, correlation, components, scenarios and options. */
export function formatScenarioSummary(set: GeneratedScenarioSet): string {
  const p = set.parameters;
  const h = set.history;
  const symbols = set.factors.map((f) => f.symbol);
  const proxies = [...p.proxies].map(([s, c]) => `${s}->${c}`).join(", ");
  const out: string[] = [
    `history     ${h.file}: ${h.rows} rows, ${formatHistoryTime(h.first, h.timeColumn)} to ${formatHistoryTime(h.last, h.timeColumn)}, every ${duration(h.stepSeconds)}`,
    `model       EWMA lambda ${p.lambda}; scan ${p.z} sigma over ${p.horizonDays} days; ${p.components} components; vol shift ${pct(p.volShift, 0)}; rate ${pct(p.rate)}`,
    `proxies     ${proxies === "" ? "none" : proxies}`,
    "",
    "Factors (EWMA volatility of log returns; scan range = z x horizon volatility)",
    ...table(
      ["factor", "sigma/step", "sigma/horizon", "scan range"],
      set.factors.map((f) => [
        f.symbol,
        pct(f.sigmaPerStep, 3),
        pct(f.sigmaHorizon, 3),
        `±${pct(f.scanRange)}`,
      ]),
    ),
    ...set.factors.map((f) => `${f.symbol} moves ${f.moves.join(", ")}`),
    "",
    "Correlation",
    ...table(
      ["", ...symbols],
      set.correlation.map((row, i) => [symbols[i], ...row.map((c) => c.toFixed(3))]),
    ),
    "",
    "Principal components of the correlation (factors that move)",
    ...table(
      ["", "eigenvalue", "share", ...symbols],
      set.components.map((c, j) => {
        const total = set.components.reduce((s, x) => s + x.eigenvalue, 0);
        return [
          `PC${j + 1}${j < p.components ? "" : " (not used)"}`,
          c.eigenvalue.toFixed(4),
          pct(c.eigenvalue / total, 1),
          ...c.vector.map((v) => v.toFixed(3)),
        ];
      }),
    ),
    "",
    `Scenarios (K = ${set.scenarios.length}): price change of each factor, %`,
    ...table(
      ["scenario", ...symbols],
      set.scenarios.map((s) => [s.label, ...s.moves.map(priceChange)]),
    ),
  ];
  if (set.optionRisks.size > 0) {
    out.push(
      "",
      "Options (Black-76; loss per long contract in USD, worst scenario)",
      ...table(
        ["series", "years", "forward", "implied vol", "worst loss", "in"],
        [...set.optionRisks].map(([name, o]) => {
          const worst = o.riskArrayMicroUsd.reduce((m, x, k, a) => (x > a[m] ? k : m), 0);
          return [
            name,
            o.years.toFixed(4),
            o.forward.toFixed(2),
            pct(o.impliedVol),
            formatUnits(o.riskArrayMicroUsd[worst], 6),
            set.scenarios[worst].label,
          ];
        }),
      ),
    );
  }
  return `${out.join("\n")}\n`;
}
