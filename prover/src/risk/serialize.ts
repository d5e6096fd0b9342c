/**
 * The generated set in market.json's format (docs/formats.md "market.json"):
 * `"scenarios": {"labels": [K], "assets": {SYMBOL: [K]}, "perps": {INSTRUMENT: [K]}}` with losses
 * in USD per whole token or unit as decimal strings, and every option's `riskArray` (K entries,
 * USD per long contract, at most 6 decimals), in the same scenario order. The format takes up to
 * 12 decimals (1e-12 USD, the price unit); the generator writes at most 8 (SCENARIO_DECIMALS):
 * its losses come from double-precision maths, good to about 16 significant digits, so digits
 * past 1e-8 USD of a BTC-sized loss would be noise, and rounding up to 1e-8 USD keeps every
 * entry at or above the loss computed.
 */
import { formatUnits } from "../decimal";
import { PRICE_DECIMALS } from "../encoding/widths";
import { parseMarket, type Market } from "../inputs";
import type { GeneratedScenarioSet } from "./types";

/** Decimals the generator writes in asset and perp scenario entries (1e-8 USD). */
export const SCENARIO_DECIMALS = 8;
/** Decimals of option risk-array entries (µUSD). */
export const OPTION_RISK_DECIMALS = 6;

/** market.json's `scenarios` object. */
export interface ScenariosJson {
  labels: string[];
  assets: Record<string, string[]>;
  perps: Record<string, string[]>;
}

/** The `scenarios` object of a set (entries in 1e-12 USD written as USD decimals). */
export function scenariosJson(set: GeneratedScenarioSet): ScenariosJson {
  const format = (losses: bigint[]): string[] =>
    losses.map((loss) => formatUnits(loss, PRICE_DECIMALS));
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
  set: GeneratedScenarioSet,
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

/**
 * The round to publish: {@link withScenarios}, and the same JSON read back by the project's
 * market parser (every rule `loadMarket` applies), so nothing is written that a prover would
 * refuse. Errors name `file`, the file to be written.
 */
export function scenarioRound(
  marketJson: Readonly<Record<string, unknown>>,
  set: GeneratedScenarioSet,
  file: string,
): { json: Record<string, unknown>; market: Market } {
  const json = withScenarios(marketJson, set);
  return { json, market: parseMarket(json, file) };
}
