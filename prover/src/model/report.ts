/**
 * The result of the reference margin model: every intermediate figure of docs/model.md (both
 * margin models) for the sum of the sub-portfolios (DESIGN.md "Several custodians in one
 * proof"), and each sub-portfolio's share. Prices are in 1e-12 USD (PRICE_DECIMALS = 12).
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

/** One perp slot: the net position of every sub-portfolio. */
export interface PerpLine {
  instrument: string;
  /** The net size s = sum_k s_k, signed, 10^-sizeDecimals units of the underlying. */
  size: bigint;
  /**
   * The entry price, 1e-12 USD: the one sub-portfolio's that holds the perp when only one does
   * (always so for a single portfolio), else the average `floor(cost / size)` (0 at a net size
   * of 0). For display: the PnL is computed from the exact {@link cost}.
   */
  entryPrice: bigint;
  /** The cost sum_k s_k * E_k, signed (10^-sizeDecimals units x 1e-12 USD). */
  cost: bigint;
  /** The underlying's price in the round, 1e-12 USD. */
  mark: bigint;
  /** n = ceil(|size| * mark / 10^(sizeDecimals + 6)), µUSD. */
  notionalMicroUsd: bigint;
  /**
   * u = floor((size * mark - cost) / 10^(sizeDecimals + 6)), µUSD, signed: the pieces' PnL summed
   * exactly and rounded once (for one piece, floor(size * (mark - entry) / 10^(sd + 6))).
   */
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

/** One collateral asset of one sub-portfolio: its amount and its share of the total's values. */
export interface AssetShare {
  symbol: string;
  /** Base units this sub-portfolio holds. */
  amount: bigint;
  /**
   * Its share of the total's value v, µUSD: its own value `amount * price / 10^(dec + 6)` with the
   * total's one rounding apportioned (cumulative floors, so the shares add up to v exactly and
   * each is within 1 µUSD of the piece's own floor).
   */
  valueMicroUsd: bigint;
  /**
   * Its pro-rata part of the total's haircut value H, by amount (cumulative floors: the shares
   * add up to H exactly). The tiers apply to the total, so a piece's part is at the total's
   * blended weight H / v, not at the weight its own value would get alone.
   */
  haircutValueMicroUsd: bigint;
}

/** One perp of one sub-portfolio: its piece and its share of the net position's figures. */
export interface PerpShare {
  instrument: string;
  /** This sub-portfolio's signed size s_k. */
  size: bigint;
  /** This sub-portfolio's entry price E_k, 1e-12 USD. */
  entryPrice: bigint;
  /**
   * Its share of the net PnL u, µUSD: its own exact PnL `s_k (P - E_k) / 10^(sd + 6)` with the
   * total's one rounding apportioned (cumulative floors: the shares add up to u exactly).
   */
  pnlMicroUsd: bigint;
  /**
   * Its signed pro-rata part of the net notional n and of the requirement M, by size s_k / s:
   * a piece on the other side of the net (a hedge) takes a negative part. Cumulative floors make
   * the parts add up to n and M exactly; 0 when the net size is 0 (so are n and M).
   */
  notionalMicroUsd: bigint;
  requirementMicroUsd: bigint;
}

/** One option series of one sub-portfolio. */
export interface OptionShare {
  instrument: string;
  /** This sub-portfolio's signed quantity q_k. */
  quantity: bigint;
  /** q_k * mark, µUSD, exactly its part of the book's value V. */
  valueMicroUsd: bigint;
}

/**
 * One sub-portfolio's share of the total (DESIGN.md "Several custodians in one proof"): per asset
 * and per position what it holds and its part of the total's figures, every column adding up to
 * the total's exactly. The margin is the sum's: the scan risk, the short-option minimum, the
 * concentration excess and the buffer belong to the whole book and are not apportioned.
 */
export interface PieceShare {
  assets: AssetShare[];
  perps: PerpShare[];
  options: OptionShare[];
  /** Its parts summed: value, haircut value, PnL, option value and perp requirement, µUSD. */
  totals: {
    valueMicroUsd: bigint;
    haircutValueMicroUsd: bigint;
    pnlMicroUsd: bigint;
    optionValueMicroUsd: bigint;
    perpRequirementMicroUsd: bigint;
  };
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
  /**
   * Each sub-portfolio's share, in the order given (one entry for a single portfolio, equal to
   * the total's lines).
   */
  pieces: PieceShare[];
}
