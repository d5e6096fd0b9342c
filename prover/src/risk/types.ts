/** Inputs, options and result of the scenario generator ({@link generateScenarios}). */
import type { OptionSeries } from "./option-series";
import type { PrincipalComponent } from "./pca";

/**
 * What the generator reads of a market round: its time, prices and option marks. A parsed
 * `Market` is one; `parseMarketInput` reads one from a round whose risk arrays and scenarios are
 * still to be generated.
 */
export interface RoundQuotes {
  round: bigint;
  /** Unix seconds. */
  timestamp: bigint;
  /** Price per whole token, 1e-12 USD, by symbol. */
  prices: ReadonlyMap<string, bigint>;
  /** Option marks per contract, µUSD, by instrument (Deribit names). */
  options: ReadonlyMap<string, { markMicroUsd: bigint }>;
}

/** What the publisher chooses; see DEFAULT_SCENARIO_OPTIONS for the defaults. */
export interface ScenarioOptions {
  /** EWMA decay per observation, in (0, 1). RiskMetrics: 0.94 for daily data. */
  lambda: number;
  /** Scan range in standard deviations of the horizon return, > 0. */
  z: number;
  /** Horizon in days (86,400 s), > 0: the time over which moves happen and options age. */
  horizonDays: number;
  /**
   * Number of principal components moved up and down, 0 to the number of factors that move;
   * undefined: 3, or fewer when fewer factors move.
   */
  components?: number;
  /** Factors moved alone up and down, by history column; undefined: every factor. */
  singles?: readonly string[];
  /**
   * Relative implied-volatility shift at a full scan-range move of the option's underlying, in
   * [0, 1): a fall of the whole scan range raises the implied vol by this fraction, a rise of the
   * whole range lowers it by it, in proportion in between.
   */
  volShift: number;
  /** Continuously compounded rate per year for forwards and discounting (Black-76). */
  rate: number;
  /**
   * Symbols moved with another history column instead of their own (same relative move), e.g.
   * WETH -> ETH, wstETH -> ETH.
   */
  proxies?: ReadonlyMap<string, string>;
  /** File names used in errors (defaults: "market.json", "policy.json", "options"). */
  files?: { market?: string; policy?: string; options?: string };
}

/** The defaults: RiskMetrics' λ, a 3-sigma move over two days, a 25 % vol shift, zero rate. */
export const DEFAULT_SCENARIO_OPTIONS: ScenarioOptions = {
  lambda: 0.94,
  z: 3,
  horizonDays: 2,
  volShift: 0.25,
  rate: 0,
};

/** A risk factor: one history column that scenarios move. */
export interface RiskFactor {
  /** The history column. */
  symbol: string;
  /** EWMA volatility of log returns per history step. */
  sigmaPerStep: number;
  /** EWMA volatility of log returns over the horizon, σ √(horizon / step). */
  sigmaHorizon: number;
  /** z σ_horizon: the log move of the factor's single-factor scenarios. */
  scanRange: number;
  /** Policy assets, perp instruments and option series it moves. */
  moves: string[];
}

/** One scenario: a log move of every factor at once. */
export interface Scenario {
  label: string;
  /** Log move (ln of new over old price) per factor, in factor order. */
  moves: number[];
}

/** An option series' implied volatility and risk array. */
export interface OptionRisk {
  series: OptionSeries;
  /** Time from the round to expiry, years of 365 days. */
  years: number;
  /** Forward price for the expiry, USD. */
  forward: number;
  /** Black-76 implied volatility of the mark, per year. */
  impliedVol: number;
  /** Loss per long contract in each scenario, µUSD, rounded up (positive = loss). */
  riskArrayMicroUsd: bigint[];
}

/**
 * The generated joint scenario set and everything that went into it. Asset and perp losses are in
 * the market's unit, 1e-12 USD, rounded up to a whole 1e-8 USD (SCENARIO_DECIMALS), so they equal
 * the `scenarios` arrays that `loadMarket` reads back from the written file.
 */
export interface GeneratedScenarioSet {
  /** The options used, with defaults filled in. */
  parameters: Required<Omit<ScenarioOptions, "files" | "proxies">> & {
    proxies: ReadonlyMap<string, string>;
  };
  history: {
    file: string;
    rows: number;
    first: number;
    last: number;
    stepSeconds: number;
    timeColumn: "date" | "timestamp";
  };
  factors: RiskFactor[];
  /** EWMA correlation of the factors, [i][j]. */
  correlation: number[][];
  /**
   * Principal components of the correlation of the factors that move (a constant series is left
   * out), largest first; vectors have one entry per factor (0 for those left out).
   */
  components: PrincipalComponent[];
  /** K scenarios, in output order. */
  scenarios: Scenario[];
  /** Loss per whole token of each policy asset, per scenario, 1e-12 USD (see above). */
  assets: Map<string, bigint[]>;
  /** Loss per unit of the underlying of each policy perp, per scenario, 1e-12 USD (see above). */
  perps: Map<string, bigint[]>;
  /** Every option series quoted in the round, in market order. */
  optionRisks: Map<string, OptionRisk>;
}
