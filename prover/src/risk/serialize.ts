/**
 * The generated set in market.json's format (DESIGN.md "Portfolio margin: model v2"):
 * `"scenarios": {"labels": [K], "assets": {SYMBOL: [K]}, "perps": {INSTRUMENT: [K]}}` with losses
 * in USD as decimal strings of at most 8 decimals, and every option's `riskArray` (K entries, USD
 * per long contract, at most 6 decimals), in the same scenario order.
 */
import { formatUnits } from "../decimal";
import type { ScenarioSet } from "./types";

/** Decimals of asset and perp risk-array entries (1e-8 USD, the price unit). */
export const SCENARIO_DECIMALS = 8;
/** Decimals of option risk-array entries (µUSD). */
export const OPTION_RISK_DECIMALS = 6;

/** market.json's `scenarios` object. */
export interface ScenariosJson {
  labels: string[];
  assets: Record<string, string[]>;
  perps: Record<string, string[]>;
}

/** The `scenarios` object of a set. */
export function scenariosJson(set: ScenarioSet): ScenariosJson {
  const format = (losses: bigint[]): string[] =>
    losses.map((loss) => formatUnits(loss, SCENARIO_DECIMALS));
  return {
    labels: set.scenarios.map((s) => s.label),
    assets: Object.fromEntries([...set.assets].map(([symbol, l]) => [symbol, format(l)])),
    perps: Object.fromEntries([...set.perps].map(([instrument, l]) => [instrument, format(l)])),
  };
}

/**
 * A copy of the market file's JSON (`marketJson`, as read) with every option's `riskArray`
 * replaced by the set's and `scenarios` set; every other key and its text are kept as they were.
 */
export function withScenarios(
  marketJson: Readonly<Record<string, unknown>>,
  set: ScenarioSet,
): Record<string, unknown> {
  const out = structuredClone(marketJson) as Record<string, unknown>;
  const options = (out.options ?? {}) as Record<string, Record<string, unknown>>;
  for (const [instrument, risk] of set.optionRisks) {
    options[instrument] = {
      ...options[instrument],
      riskArray: risk.riskArrayMicroUsd.map((loss) => formatUnits(loss, OPTION_RISK_DECIMALS)),
    };
  }
  out.options = options;
  out.scenarios = scenariosJson(set);
  return out;
}
