/**
 * `generateScenarios`: from a price history, a market round (prices and option marks) and a
 * policy, the joint scenario set of docs/model.md "4. Scenario scan": EWMA volatility and
 * correlation of the factors, z-sigma scan ranges over the horizon, moves along the principal
 * components and of each factor alone, the loss of one long unit of every asset and perp
 * underlying, and every option revalued with Black-76 at the horizon. Pure: reads no file.
 */
import { formatUnits } from "../decimal";
import { InputError } from "../errors";
import { JOINT_RISK_BITS, PRICE_DECIMALS, RISK_OFFSET_BITS, fitsSigned } from "../encoding/widths";
import type { Policy } from "../inputs";
import { formatPath } from "../inputs/issues";
import { impliedVolatility, MAX_IMPLIED_VOL } from "./black76";
import { ewmaEstimate, logReturns, minimumReturns } from "./ewma";
import { resolveFactors, type FactorLayout } from "./factors";
import { cellPath, formatHistoryTime, type PriceHistory } from "./history";
import { optionSeriesOf } from "./option-quotes";
import type { OptionSeries } from "./option-series";
import { black76Inputs, linearLosses, optionLoss, YEAR_SECONDS, type OptionState } from "./revalue";
import { buildScenarios } from "./scenario-moves";
import { SCENARIO_DECIMALS } from "./serialize";
import {
  DEFAULT_SCENARIO_OPTIONS,
  type GeneratedScenarioSet,
  type OptionRisk,
  type RiskFactor,
  type RoundQuotes,
  type ScenarioOptions,
} from "./types";

/** Components moved when the caller does not say: three, or fewer when fewer factors move. */
export const DEFAULT_COMPONENTS = 3;
const DAY_SECONDS = 86_400;
/** 1e-12 USD per 1e-8 USD: asset and perp losses are rounded up to whole 1e-8 USD. */
const LOSS_GRID = 10n ** BigInt(PRICE_DECIMALS - SCENARIO_DECIMALS);
/** The market's price unit, 1e-12 USD, per USD. */
const PRICE_SCALE = 10 ** PRICE_DECIMALS;

/** A range of risk entries the circuit takes: magnitude bits and the unit, for the message. */
interface EntryRange {
  bits: number;
  unit: string;
}
/** Option risk arrays: µUSD per contract. */
const OPTION_RANGE: EntryRange = { bits: RISK_OFFSET_BITS, unit: "µUSD" };
/** Asset and perp scenario arrays: 1e-12 USD per whole token or unit. */
const JOINT_RANGE: EntryRange = { bits: JOINT_RISK_BITS, unit: `1e-${PRICE_DECIMALS} USD` };

type Files = Required<NonNullable<ScenarioOptions["files"]>>;

/** Checks the numeric options; errors name the option. */
function checkParameters(options: ScenarioOptions, files: Files): void {
  const refuse = (key: string, rule: string): never => {
    throw new InputError(files.options, key, rule);
  };
  const { lambda, z, horizonDays, volShift, rate } = options;
  if (!(lambda > 0 && lambda < 1)) refuse("lambda", "must be between 0 and 1 (exclusive)");
  if (!(z > 0 && Number.isFinite(z))) refuse("z", "must be greater than 0");
  if (!(horizonDays > 0 && Number.isFinite(horizonDays))) {
    refuse("horizonDays", "must be greater than 0");
  }
  if (!(volShift >= 0 && volShift < 1)) refuse("volShift", "must be at least 0 and below 1");
  if (!(Math.abs(rate) <= 1)) refuse("rate", "must be between -1 and 1 (a yearly rate)");
}

/** Checks that the history is long enough for λ and ends no later than the round. */
function checkHistory(history: PriceHistory, market: RoundQuotes, lambda: number): void {
  const needed = minimumReturns(lambda);
  const returns = history.times.length - 1;
  if (returns < needed) {
    throw new InputError(
      history.file,
      "$",
      `has ${returns} returns; lambda ${lambda} needs at least ${needed} (so the weights left out weigh under 1 %)`,
    );
  }
  const last = history.times.length - 1;
  if (history.times[last] > Number(market.timestamp)) {
    throw new InputError(
      history.file,
      cellPath(history.lines[last], history.timeColumn),
      `${formatHistoryTime(history.times[last], history.timeColumn)} is after the round's timestamp ${market.timestamp}`,
    );
  }
}

/** The options' factor lists resolved: components count and singles. */
function resolveSelection(
  options: ScenarioOptions,
  layout: FactorLayout,
  moving: number,
  files: Files,
): { components: number; singles: string[] } {
  const components = options.components ?? Math.min(DEFAULT_COMPONENTS, moving);
  if (!Number.isInteger(components) || components < 0 || components > moving) {
    throw new InputError(
      files.options,
      "components",
      `must be an integer from 0 to ${moving} (the factors whose price moves)`,
    );
  }
  const singles = [...(options.singles ?? layout.symbols)];
  singles.forEach((symbol, k) => {
    if (!layout.symbols.includes(symbol)) {
      throw new InputError(
        files.options,
        formatPath(["singles", k]),
        `${symbol} is not a factor (factors: ${layout.symbols.join(", ")})`,
      );
    }
    if (singles.indexOf(symbol) !== k) {
      throw new InputError(files.options, formatPath(["singles", k]), `${symbol} is listed twice`);
    }
  });
  return { components, singles };
}

/** Backs the implied volatility of every option's mark out with Black-76. */
function optionStates(
  series: readonly OptionSeries[],
  market: RoundQuotes,
  rate: number,
  file: string,
): OptionState[] {
  return series.map((s) => {
    const quote = market.options.get(s.instrument)!;
    const spot = Number(market.prices.get(s.underlying)!) / PRICE_SCALE;
    if (!(spot > 0)) {
      throw new InputError(
        file,
        formatPath(["prices", s.underlying]),
        `must be greater than 0: ${s.instrument} is valued on it`,
      );
    }
    const years = (s.expiry - Number(market.timestamp)) / YEAR_SECONDS;
    const mark = Number(quote.markMicroUsd) / 1e6;
    const iv = impliedVolatility(black76Inputs(s, spot, years, rate), mark);
    if (!iv.ok) {
      const bound = formatUnits(BigInt(Math.round(iv.bound * 1e6)), 6);
      const rule =
        iv.reason === "below-lower-bound"
          ? `must be above ${bound} USD, the discounted intrinsic value (Black-76 no-arbitrage lower bound)`
          : iv.reason === "above-upper-bound"
            ? `must be below ${bound} USD, the discounted ${s.kind === "call" ? "forward" : "strike"} (Black-76 no-arbitrage upper bound)`
            : `implies a volatility above ${MAX_IMPLIED_VOL * 100} % a year (Black-76 value there: ${bound} USD)`;
      throw new InputError(file, formatPath(["options", s.instrument, "mark"]), rule);
    }
    return { series: s, spot, years, impliedVol: iv.vol, markMicroUsd: quote.markMicroUsd };
  });
}

/** Refuses a loss outside the circuit's range for its kind of entry. */
function checkRange(losses: bigint[], range: EntryRange, file: string, path: string): bigint[] {
  for (const loss of losses) {
    if (!fitsSigned(loss, range.bits)) {
      throw new InputError(
        file,
        path,
        `a scenario loss leaves the risk-entry range ±2^${range.bits} ${range.unit}`,
      );
    }
  }
  return losses;
}

/** Every option's implied volatility and risk array (K losses per long contract, µUSD). */
function revalueOptions(
  series: readonly OptionSeries[],
  market: RoundQuotes,
  layout: FactorLayout,
  built: { scenarios: { moves: number[] }[]; scanRanges: number[] },
  options: ScenarioOptions,
  file: string,
): Map<string, OptionRisk> {
  const parameters = {
    rate: options.rate,
    horizonYears: (options.horizonDays * DAY_SECONDS) / YEAR_SECONDS,
    volShift: options.volShift,
  };
  return new Map(
    optionStates(series, market, options.rate, file).map((state): [string, OptionRisk] => {
      const factor = layout.factorOf.get(state.series.underlying)!;
      const losses = built.scenarios.map(({ moves }) =>
        optionLoss(state, moves[factor], built.scanRanges[factor], parameters),
      );
      const path = formatPath(["options", state.series.instrument, "mark"]);
      return [
        state.series.instrument,
        {
          series: state.series,
          years: state.years,
          forward: black76Inputs(state.series, state.spot, state.years, options.rate).forward,
          impliedVol: state.impliedVol,
          riskArrayMicroUsd: checkRange(losses, OPTION_RANGE, file, path),
        },
      ];
    }),
  );
}

/**
 * The joint scenario set for `market` under `policy` from `history` (see the module comment and
 * README "For oracle publishers"). Options not given take DEFAULT_SCENARIO_OPTIONS. Throws an
 * {@link InputError} naming the file (or option), the place and the rule on anything it cannot use.
 */
export function generateScenarios(
  history: PriceHistory,
  market: RoundQuotes,
  policy: Policy,
  options: Partial<ScenarioOptions> = {},
): GeneratedScenarioSet {
  const merged: ScenarioOptions = { ...DEFAULT_SCENARIO_OPTIONS, ...options };
  const files: Files = {
    market: "market.json",
    policy: "policy.json",
    options: "options",
    ...merged.files,
  };
  checkParameters(merged, files);
  const proxies = merged.proxies ?? new Map<string, string>();
  const series = optionSeriesOf(market, policy, files);
  const layout = resolveFactors(policy, market, series, history, proxies, files);
  checkHistory(history, market, merged.lambda);

  const estimate = ewmaEstimate(
    logReturns(layout.symbols.map((symbol) => history.prices.get(symbol)!)),
    merged.lambda,
  );
  const moving = estimate.sigma.filter((sigma) => sigma > 0).length;
  const { components, singles } = resolveSelection(merged, layout, moving, files);
  const horizonSteps = (merged.horizonDays * DAY_SECONDS) / history.stepSeconds;
  const built = buildScenarios({
    symbols: layout.symbols,
    estimate,
    z: merged.z,
    horizonSteps,
    components,
    singles,
  });
  const labels = built.scenarios.map((s) => s.label);
  const duplicate = labels.find((label, k) => labels.indexOf(label) !== k);
  if (duplicate !== undefined) {
    throw new InputError(
      history.file,
      "header",
      `a column makes the scenario label ${duplicate} twice`,
    );
  }
  const movesOf = (factor: number): number[] => built.scenarios.map((s) => s.moves[factor]);

  const factors: RiskFactor[] = layout.symbols.map((symbol, i) => ({
    symbol,
    sigmaPerStep: estimate.sigma[i],
    sigmaHorizon: estimate.sigma[i] * Math.sqrt(horizonSteps),
    scanRange: built.scanRanges[i],
    moves: layout.moves[i],
  }));
  const priceLosses = (symbol: string, path: string): bigint[] =>
    checkRange(
      linearLosses(market.prices.get(symbol)!, movesOf(layout.factorOf.get(symbol)!), LOSS_GRID),
      JOINT_RANGE,
      files.market,
      path,
    );
  const assets = new Map(
    policy.assets.map((a) => [a.symbol, priceLosses(a.symbol, formatPath(["prices", a.symbol]))]),
  );
  const perps = new Map(
    policy.perps.map((p) => [
      p.instrument,
      priceLosses(p.underlying, formatPath(["prices", p.underlying])),
    ]),
  );
  const optionRisks = revalueOptions(series, market, layout, built, merged, files.market);
  return {
    parameters: {
      lambda: merged.lambda,
      z: merged.z,
      horizonDays: merged.horizonDays,
      components,
      singles,
      volShift: merged.volShift,
      rate: merged.rate,
      proxies,
    },
    history: {
      file: history.file,
      rows: history.times.length,
      first: history.times[0],
      last: history.times[history.times.length - 1],
      stepSeconds: history.stepSeconds,
      timeColumn: history.timeColumn,
    },
    factors,
    correlation: estimate.correlation,
    components: built.components,
    scenarios: built.scenarios,
    assets,
    perps,
    optionRisks,
  };
}
