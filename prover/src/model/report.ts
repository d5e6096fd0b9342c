/**
 * The result of the reference margin model: every intermediate figure of docs/model.md
 * (both margin models). Prices are in 1e-12 USD (PRICE_DECIMALS = 12).
 */
import type { MarginKind } from "../inputs/types";

/** One collateral asset slot. */
export interface AssetLine {
  symbol: string;
  /** Base units held. */
  amount: bigint;
  /** 1e-12 USD per whole token. */
  price: bigint;
  /** v = floor(amount * price / 10^(decimals + 6)), µUSD. */
  valueMicroUsd: bigint;
  /** H = floor(sum_t weight_t * slice_t(v) / 1e6), µUSD. */
  haircutValueMicroUsd: bigint;
}

/** One perp slot. */
export interface PerpLine {
  instrument: string;
  /** Signed, 10^-sizeDecimals units of the underlying. */
  size: bigint;
  /** 1e-12 USD. */
  entryPrice: bigint;
  /** The underlying's price in the round, 1e-12 USD. */
  mark: bigint;
  /** n = ceil(|size| * mark / 10^(sizeDecimals + 6)), µUSD. */
  notionalMicroUsd: bigint;
  /** u = floor(size * (mark - entry) / 10^(sizeDecimals + 6)), µUSD, signed. */
  pnlMicroUsd: bigint;
  /** M = ceil(sum_t rate_t * slice_t(n) / 1e6), µUSD. */
  requirementMicroUsd: bigint;
}

/**
 * One scenario of the round: its label and the loss it causes, µUSD (positive = loss). Under a
 * `portfolio` policy the joint loss of every position, `L_k = ceil(sum_i amount_i * A_i[k] /
 * 10^(dec_i + 6) + sum_j s_j * P_j[k] / 10^(sd_j + 6) + sum_o q_o * RA_o[k])` (one rounding up of
 * the exact sum); under a `standard` policy the option book's alone, `sum_o q_o * RA_o[k]`.
 */
export interface ScenarioLine {
  label: string;
  lossMicroUsd: bigint;
}

/** One concentration group (docs/model.md "5. Concentration limits"), µUSD. */
export interface ConcentrationLine {
  assets: string[];
  maxSharePpm: bigint;
  /** S_g = sum of the group's haircut values. */
  haircutMicroUsd: bigint;
  /** floor(maxShare * T / 1e6), T = sum of every asset's haircut value. */
  capMicroUsd: bigint;
  /** min(S_g, cap). */
  creditedMicroUsd: bigint;
  /** S_g - credited: taken off the equity. */
  excessMicroUsd: bigint;
}

/** The option book as a whole. */
export interface OptionsLine {
  /** V = sum_o q_o * mark_o, µUSD, signed. */
  valueMicroUsd: bigint;
  /** sum_o q_o * RA_o[k] for each scenario k, µUSD, signed (positive = loss). */
  scenarioLossMicroUsd: bigint[];
  /** L = max(0, max_k scenarioLoss[k]), µUSD. */
  scanRiskMicroUsd: bigint;
  /** SOM = shortOptionMinimum * sum of short contracts, µUSD. */
  shortOptionMinimumMicroUsd: bigint;
  /**
   * R = max(L, SOM), µUSD, where L is the scan risk above under a `standard` policy and the joint
   * scan risk (max(0, max_k L_k) of `MarginReport.scenarios`) under a `portfolio` policy.
   */
  requirementMicroUsd: bigint;
}

/** Everything `computeMargin` derives, in µUSD unless said otherwise. */
export interface MarginReport {
  policyId: string;
  round: bigint;
  margin: MarginKind;
  assets: AssetLine[];
  perps: PerpLine[];
  options: OptionsLine;
  /** Every scenario's loss (joint under `portfolio`, the options' under `standard`). */
  scenarios: ScenarioLine[];
  /**
   * The scenario whose loss is the scan risk that sets R (the first one with the largest loss),
   * or null when no loss is positive or the short-option minimum is larger.
   */
  bindingScenario: number | null;
  /** Per concentration group of the policy (empty without groups). */
  concentration: ConcentrationLine[];
  /** Eq = sum H + sum u + V - sum of the groups' excess. */
  equityMicroUsd: bigint;
  /** The policy's fixed buffer (already included in the requirement). */
  bufferMicroUsd: bigint;
  /** Req = sum M + R + buffer. */
  requirementMicroUsd: bigint;
  /**
   * Eq - ceil(Req * minRatio / 1e6): the requirement scaled by minRatio is rounded up (against
   * the holder), so `excess >= 0` exactly when the statement holds.
   */
  excessMicroUsd: bigint;
  /** floor(Eq * 1e6 / Req) (towards minus infinity); null when Req = 0. */
  ratioPpm: bigint | null;
  minRatioPpm: bigint;
  /** Exactly `Eq * 1e6 >= Req * minRatio`, the statement the circuit proves. */
  sufficient: boolean;
}
