/**
 * The parsed domain of policy.json, market.json and portfolio.json. All money is an exact bigint
 * in the unit named next to it; arrays keep the order of the JSON object keys, which is the slot
 * order of the circuit.
 */

/** Which margin the policy asks for; the circuit encodes initial = 0, maintenance = 1. */
export type PolicyMode = "initial" | "maintenance";

/**
 * The margin model (docs/model.md "4. Scenario scan"): `standard` is model v1 (each
 * position on its own; asset and perp scenario arrays ignored), `portfolio` scans every position
 * through the round's joint scenario set. The circuit encodes standard = 0, portfolio = 1.
 */
export type MarginKind = "standard" | "portfolio";

/** A concentration limit: the group's haircut value counts up to `maxSharePpm` of all assets'. */
export interface ConcentrationGroup {
  /** Asset symbols of the policy (each asset is in at most one group). */
  assets: string[];
  /** Largest share of the total haircut value the group may contribute, ppm (0..1e6). */
  maxSharePpm: bigint;
}

/** One haircut bracket of a collateral asset: value up to `upToUsd` (whole USD) keeps `weightPpm`. */
export interface HaircutTier {
  /** Upper bound of the bracket in whole USD; null for the last (unbounded) bracket. */
  upToUsd: bigint | null;
  /** Share of the slice's value that counts, in ppm (1e6 = 100 %). */
  weightPpm: bigint;
}

/** One margin bracket of a perp market: notional up to `upToUsd` (whole USD) costs `ratePpm`. */
export interface RateTier {
  upToUsd: bigint | null;
  /** Margin rate of the slice's notional, in ppm. */
  ratePpm: bigint;
}

/** A collateral asset slot. */
export interface PolicyAsset {
  symbol: string;
  /** EIP-55 address of the token contract, when the asset is a token on an EVM chain. */
  token?: string | null;
  /** Base-unit decimals of the token, 0..18. */
  decimals: number;
  /** Brackets with non-increasing weights and strictly increasing `upToUsd`, last one null. */
  tiers: HaircutTier[];
}

/** A perpetual / future market slot. */
export interface PolicyPerp {
  instrument: string;
  /** Symbol whose market price is the perp's mark. */
  underlying: string;
  /** Sizes are integers in 10^-sizeDecimals units of the underlying; 0..12 (sizes are 64-bit). */
  sizeDecimals: number;
  /** Brackets with non-decreasing rates and strictly increasing `upToUsd`, last one null. */
  tiers: RateTier[];
}

/** An option series slot. */
export interface PolicyOption {
  instrument: string;
  underlying: string;
}

/** A parsed policy.json. */
export interface Policy {
  id: string;
  mode: PolicyMode;
  /** Margin model; "standard" when the file omits it. */
  margin: MarginKind;
  /** Concentration limits, in file order (empty when the file omits them). */
  concentration: ConcentrationGroup[];
  /** Required equity / requirement ratio in ppm (> 0; 1e6 = 100 %). */
  minRatioPpm: bigint;
  /** Fixed amount added to the requirement, µUSD. */
  bufferMicroUsd: bigint;
  /** Minimum requirement per short option contract, µUSD. */
  shortOptionMinimumMicroUsd: bigint;
  assets: PolicyAsset[];
  perps: PolicyPerp[];
  options: PolicyOption[];
}

/** Mark and risk array of one option series in a market round. */
export interface OptionQuote {
  /** Mark per contract, µUSD. */
  markMicroUsd: bigint;
  /** Loss per long contract in each scenario, µUSD, signed (positive = loss). */
  riskArrayMicroUsd: bigint[];
}

/**
 * A round's joint scenario set: K scenarios, each a move of every underlying at once; per asset
 * and per perp a risk array of K losses for a long holding (positive = loss), in
 * 1e-12 USD per whole token (asset) or per unit of the underlying (perp), like prices.
 */
export interface ScenarioSet {
  /** K labels; every risk array of the round (options included) has K entries. */
  labels: string[];
  /** Risk arrays by asset symbol (1e-12 USD per whole token, signed). */
  assets: Map<string, bigint[]>;
  /** Risk arrays by perp instrument (1e-12 USD per unit of the underlying, signed). */
  perps: Map<string, bigint[]>;
}

/** A parsed market.json (one oracle round). */
export interface Market {
  round: bigint;
  /** Unix seconds. */
  timestamp: bigint;
  /** Price per whole token in 1e-12 USD (at most 12 decimals in the file), by symbol. */
  prices: Map<string, bigint>;
  /** Quotes by option instrument; all risk arrays have the same length (the scenario count). */
  options: Map<string, OptionQuote>;
  /** The joint scenario set, when the round carries one (null otherwise). */
  scenarios: ScenarioSet | null;
}

/** A net perp position. */
export interface PerpPosition {
  /** Signed size in 10^-sizeDecimals units of the underlying (negative = short). */
  size: bigint;
  /** Entry price per whole underlying token, 1e-12 USD. */
  entryPrice: bigint;
}

/** A parsed portfolio.json (private). */
export interface Portfolio {
  /** EIP-55 checksummed EVM address. */
  account: string;
  /** Base units (10^-decimals of a token) by asset symbol. */
  collateral: Map<string, bigint>;
  /** Net position by perp instrument. */
  perps: Map<string, PerpPosition>;
  /** Signed number of contracts by option instrument (negative = short). */
  options: Map<string, bigint>;
}

/** The file names used in error messages about a policy/market/portfolio triple. */
export interface InputFiles {
  policy: string;
  market: string;
  portfolio: string;
}
