/**
 * RiskMetrics EWMA volatility and correlation of log returns (J.P. Morgan/Reuters, "RiskMetrics —
 * Technical Document", 4th ed., 1996, section 5.2): zero-mean returns, weights falling by `lambda`
 * per observation into the past,
 *
 *   Σ = sum_t w_t r_t r_tᵀ,   w_t = (1 - λ) λ^(N-1-t) / (1 - λ^N),   t = 0..N-1 (N-1 the latest),
 *
 * normalised over the N returns available so they sum to one (the finite-sample form of the
 * recursion Σ_t = λ Σ_(t-1) + (1 - λ) r_t r_tᵀ). σ_i = √Σ_ii per observation step, and
 * ρ_ij = Σ_ij / (σ_i σ_j).
 */

/** The EWMA estimate over one history. */
export interface EwmaEstimate {
  lambda: number;
  /** Number of returns used. */
  observations: number;
  /** Covariance of log returns per step, [i][j]. */
  covariance: number[][];
  /** Volatility of log returns per step, √Σ_ii. */
  sigma: number[];
  /**
   * Correlation matrix, [i][j], ones on the diagonal, within [-1, 1]; a series with zero variance
   * (a constant price) is uncorrelated with every other.
   */
  correlation: number[][];
}

/** Log returns of price series `series[i][t]`, as rows `returns[t][i] = ln(P_i,t+1 / P_i,t)`. */
export function logReturns(series: readonly (readonly number[])[]): number[][] {
  const length = series.length === 0 ? 0 : series[0].length;
  const returns: number[][] = [];
  for (let t = 1; t < length; t++) returns.push(series.map((p) => Math.log(p[t] / p[t - 1])));
  return returns;
}

/**
 * The fewest returns for which the EWMA weights that a longer history would add weigh at most
 * `cutoff` (λ^N <= cutoff): 75 for λ = 0.94 and 1 %.
 */
export function minimumReturns(lambda: number, cutoff = 0.01): number {
  return Math.ceil(Math.log(cutoff) / Math.log(lambda));
}

/** ρ_ij = Σ_ij / (σ_i σ_j), clamped to [-1, 1]; 0 where a variance is 0; 1 on the diagonal. */
export function correlationOf(covariance: readonly (readonly number[])[]): number[][] {
  const sigma = covariance.map((row, i) => Math.sqrt(row[i]));
  return covariance.map((row, i) =>
    row.map((c, j) => {
      if (i === j) return 1;
      const scale = sigma[i] * sigma[j];
      return scale > 0 ? Math.max(-1, Math.min(1, c / scale)) : 0;
    }),
  );
}

/** The EWMA covariance, volatilities and correlation of `returns[t][i]` (oldest row first). */
export function ewmaEstimate(
  returns: readonly (readonly number[])[],
  lambda: number,
): EwmaEstimate {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`lambda must be in (0, 1), got ${lambda}`);
  const n = returns.length;
  if (n === 0) throw new RangeError("ewmaEstimate needs at least one return");
  const width = returns[0].length;
  const covariance = Array.from({ length: width }, () => new Array<number>(width).fill(0));
  const norm = (1 - lambda) / (1 - Math.pow(lambda, n));
  for (let t = 0; t < n; t++) {
    const w = norm * Math.pow(lambda, n - 1 - t);
    const r = returns[t];
    for (let i = 0; i < width; i++) {
      for (let j = 0; j <= i; j++) covariance[i][j] += w * r[i] * r[j];
    }
  }
  for (let i = 0; i < width; i++) for (let j = 0; j < i; j++) covariance[j][i] = covariance[i][j];
  return {
    lambda,
    observations: n,
    covariance,
    sigma: covariance.map((row, i) => Math.sqrt(row[i])),
    correlation: correlationOf(covariance),
  };
}
