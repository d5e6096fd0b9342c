/** The result of the reference margin model: every intermediate figure of DESIGN.md "Margin model v1". */

/** One collateral asset slot. */
export interface AssetLine {
  symbol: string;
  /** Base units held. */
  amount: bigint;
  /** 1e-8 USD per whole token. */
  price: bigint;
  /** v = floor(amount * price / 10^(decimals + 2)), µUSD. */
  valueMicroUsd: bigint;
  /** H = floor(sum_t weight_t * slice_t(v) / 1e6), µUSD. */
  haircutValueMicroUsd: bigint;
}

/** One perp slot. */
export interface PerpLine {
  instrument: string;
  /** Signed, 10^-sizeDecimals units of the underlying. */
  size: bigint;
  /** 1e-8 USD. */
  entryPrice: bigint;
  /** The underlying's price in the round, 1e-8 USD. */
  mark: bigint;
  /** n = ceil(|size| * mark / 10^(sizeDecimals + 2)), µUSD. */
  notionalMicroUsd: bigint;
  /** u = floor(size * (mark - entry) / 10^(sizeDecimals + 2)), µUSD, signed. */
  pnlMicroUsd: bigint;
  /** M = ceil(sum_t rate_t * slice_t(n) / 1e6), µUSD. */
  requirementMicroUsd: bigint;
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
  /** R = max(L, SOM), µUSD. */
  requirementMicroUsd: bigint;
}

/** Everything `computeMargin` derives, in µUSD unless said otherwise. */
export interface MarginReport {
  policyId: string;
  round: bigint;
  assets: AssetLine[];
  perps: PerpLine[];
  options: OptionsLine;
  /** Eq = sum H + sum u + V. */
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
