/**
 * Market-round well-formedness: the rules that relate fields of a {@link Market} (every risk array
 * has the round's scenario count, scenario labels are unique) and the circuit widths of its
 * values, checked on a parsed round (also one built in memory). The file parser runs them after
 * its schema, `checkConsistency` before the cross-file rules. Rules name the offending values (a
 * market round is public).
 */
import { formatUnits } from "../decimal";
import {
  JOINT_RISK_BITS,
  MARK_BITS,
  PRICE_BITS,
  PRICE_DECIMALS,
  RISK_OFFSET_BITS,
  fitsBits,
  fitsSigned,
} from "../encoding/widths";
import { InputError } from "../errors";
import { formatPath } from "./issues";
import type { Market } from "./types";

/** One broken rule: a JSON path into market.json and what was expected, with the value. */
export interface MarketProblem {
  path: string;
  rule: string;
}

/** Scenario labels: 1-64 printable ASCII characters, no leading or trailing space. */
export const SCENARIO_LABEL = /^[!-~](?:[ -~]{0,62}[!-~])?$/;
export const SCENARIO_LABEL_RULE =
  "must be 1-64 printable ASCII characters without leading or trailing spaces";

export const PRICE_RULE = `must be below 2^${PRICE_BITS} x 1e-${PRICE_DECIMALS} USD`;
export const MARK_RULE = `must be below 2^${MARK_BITS} µUSD`;
export const RISK_RULE = `must be at least -2^${RISK_OFFSET_BITS} and below 2^${RISK_OFFSET_BITS} µUSD`;
export const JOINT_RISK_RULE = `must be at least -2^${JOINT_RISK_BITS} and below 2^${JOINT_RISK_BITS} x 1e-${PRICE_DECIMALS} USD`;

/** `(got 3012.55)`: a value in `decimals` places, as the file writes it. */
function got(value: bigint, decimals: number): string {
  return ` (got ${formatUnits(value, decimals)})`;
}

/** Width rules of every value of the round (the schema applies the same bounds to a file). */
function widthProblems(market: Market): MarketProblem[] {
  const problems: MarketProblem[] = [];
  for (const [symbol, price] of market.prices) {
    if (!fitsBits(price, PRICE_BITS)) {
      problems.push({
        path: formatPath(["prices", symbol]),
        rule: PRICE_RULE + got(price, PRICE_DECIMALS),
      });
    }
  }
  for (const [name, quote] of market.options) {
    if (!fitsBits(quote.markMicroUsd, MARK_BITS)) {
      problems.push({
        path: formatPath(["options", name, "mark"]),
        rule: MARK_RULE + got(quote.markMicroUsd, 6),
      });
    }
    quote.riskArrayMicroUsd.forEach((x, k) => {
      if (!fitsSigned(x, RISK_OFFSET_BITS)) {
        problems.push({
          path: formatPath(["options", name, "riskArray", k]),
          rule: RISK_RULE + got(x, 6),
        });
      }
    });
  }
  for (const [section, arrays] of scenarioArrays(market)) {
    for (const [name, array] of arrays) {
      array.forEach((x, k) => {
        if (!fitsSigned(x, JOINT_RISK_BITS)) {
          problems.push({
            path: formatPath(["scenarios", section, name, k]),
            rule: JOINT_RISK_RULE + got(x, PRICE_DECIMALS),
          });
        }
      });
    }
  }
  return problems;
}

/** The scenario set's asset and perp risk arrays, by section name (none without a set). */
function scenarioArrays(market: Market): [string, Map<string, bigint[]>][] {
  const set = market.scenarios;
  return set === null
    ? []
    : [
        ["assets", set.assets],
        ["perps", set.perps],
      ];
}

/** Length rules: one scenario count K for every risk array of the round, unique labels. */
function lengthProblems(market: Market): MarketProblem[] {
  const problems: MarketProblem[] = [];
  const quotes = [...market.options];
  const set = market.scenarios;
  if (set === null) {
    // Without a scenario set, the first option series sets the count.
    const [first] = quotes;
    for (const [name, quote] of quotes) {
      const path = formatPath(["options", name, "riskArray"]);
      if (quote.riskArrayMicroUsd.length === 0) {
        problems.push({ path, rule: "must list at least one scenario" });
      } else if (quote.riskArrayMicroUsd.length !== first[1].riskArrayMicroUsd.length) {
        problems.push({
          path,
          rule: `must have ${first[1].riskArrayMicroUsd.length} scenarios like ${first[0]}`,
        });
      }
    }
    return problems;
  }
  const k = set.labels.length;
  if (k === 0) {
    problems.push({ path: "scenarios.labels", rule: "must list at least one scenario" });
  }
  const seen = new Map<string, number>();
  set.labels.forEach((label, i) => {
    const path = formatPath(["scenarios", "labels", i]);
    if (!SCENARIO_LABEL.test(label)) {
      problems.push({ path, rule: `${SCENARIO_LABEL_RULE} (got ${JSON.stringify(label)})` });
    }
    const earlier = seen.get(label);
    if (earlier !== undefined) {
      problems.push({
        path,
        rule: `labels must be unique (got ${JSON.stringify(label)}, also labels[${earlier}])`,
      });
    } else {
      seen.set(label, i);
    }
  });
  const perLabel = (n: number): string =>
    `must have ${k} entries, one per scenario label (got ${n})`;
  for (const [name, quote] of quotes) {
    if (quote.riskArrayMicroUsd.length !== k) {
      problems.push({
        path: formatPath(["options", name, "riskArray"]),
        rule: perLabel(quote.riskArrayMicroUsd.length),
      });
    }
  }
  for (const [section, arrays] of scenarioArrays(market)) {
    for (const [name, array] of arrays) {
      if (array.length !== k) {
        problems.push({
          path: formatPath(["scenarios", section, name]),
          rule: perLabel(array.length),
        });
      }
    }
  }
  return problems;
}

/**
 * Every broken rule of `market`: with a scenario set of K labels (at least one, unique, printable),
 * every option risk array and every asset and perp scenario array has K entries; without one,
 * the option risk arrays share one length of at least 1; and every price, mark and risk entry
 * fits its circuit width. Empty when well formed.
 */
export function marketProblems(market: Market): MarketProblem[] {
  return [...lengthProblems(market), ...widthProblems(market)];
}

/** Throws an {@link InputError} about `file` naming the first broken rule of `market`, if any. */
export function assertWellFormedMarket(market: Market, file: string): void {
  const [first] = marketProblems(market);
  if (first !== undefined) throw new InputError(file, first.path, first.rule);
}
