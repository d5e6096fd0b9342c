/**
 * The scenario generator of model v2 (`zkmargin scenarios`): price history + market round +
 * policy -> joint scenario set and option risk arrays. One concern per module:
 *
 * - `history`: the price-history CSV; `market-input`: the round before its scenarios exist;
 * - `normal`, `root-finding`, `black76`: the pricing maths; `option-series`: Deribit names;
 * - `ewma`, `pca`: volatility, correlation, principal components;
 * - `factors`, `option-quotes`, `scenario-moves`, `revalue`, `generate`: the scenario set;
 * - `serialize`, `summary`: market.json output and the publisher's summary;
 * - `synthetic`: seeded correlated price paths for examples and tests.
 */
export { generateScenarios, DEFAULT_COMPONENTS } from "./generate";
export {
  DEFAULT_SCENARIO_OPTIONS,
  type GeneratedScenarioSet,
  type OptionRisk,
  type RiskFactor,
  type RoundQuotes,
  type Scenario,
  type ScenarioOptions,
} from "./types";
export { loadHistory, parseHistory, type PriceHistory } from "./history";
export { loadMarketInput, parseMarketInput, type MarketInput } from "./market-input";
export {
  scenarioRound,
  scenariosJson,
  withScenarios,
  OPTION_RISK_DECIMALS,
  SCENARIO_DECIMALS,
  type ScenariosJson,
} from "./serialize";
export { formatScenarioSummary } from "./summary";
export {
  black76Price,
  impliedVolatility,
  noArbitrageBounds,
  type Black76Inputs,
  type OptionKind,
} from "./black76";
export { parseOptionSeries, type OptionSeries } from "./option-series";
export { ewmaEstimate, logReturns, minimumReturns, type EwmaEstimate } from "./ewma";
export { principalComponents, type PrincipalComponent } from "./pca";
