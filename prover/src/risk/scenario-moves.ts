/**
 * The joint scenarios: log moves of every factor at once.
 *
 * With σ_i the EWMA volatility of factor i per history step, the horizon volatility is
 * σ_i √(h / step) and the scan range s_i = z σ_i √(h / step). With C the EWMA correlation of the
 * factors that move (constant series left out) and C = Σ_j λ_j v_j v_jᵀ its eigen-decomposition
 * (λ_1 >= λ_2 >= ...), scenario "PCj up" moves factor i by x_i = + s_i √λ_j v_ji and "PCj down"
 * by the opposite: a z-sigma move along the j-th principal component in each factor's own scale.
 * Since Σ_j λ_j v_ji² = C_ii = 1, no component moves a factor by more than its scan range.
 * Scenario "F up" / "F down" moves factor F alone by ± s_F.
 *
 * Order: PC1 up, PC1 down, PC2 up, ..., then the single-factor moves in factor order.
 */
import type { EwmaEstimate } from "./ewma";
import { principalComponents, type PrincipalComponent } from "./pca";
import type { Scenario } from "./types";

/** What the moves are built from. */
export interface MoveInputs {
  /** Factor symbols (history columns). */
  symbols: readonly string[];
  estimate: EwmaEstimate;
  z: number;
  /** Horizon in history steps (h / step). */
  horizonSteps: number;
  /** Number of principal components moved. */
  components: number;
  /** Factors moved alone, in the order given. */
  singles: readonly string[];
}

/** Scan ranges z σ_i √(horizonSteps). */
export function scanRanges(
  sigmaPerStep: readonly number[],
  z: number,
  horizonSteps: number,
): number[] {
  return sigmaPerStep.map((sigma) => z * sigma * Math.sqrt(horizonSteps));
}

/**
 * Principal components of the correlation restricted to the factors with a non-zero volatility,
 * with vectors widened back to every factor (0 for the constant ones).
 */
export function movingComponents(estimate: EwmaEstimate): PrincipalComponent[] {
  const moving = estimate.sigma.flatMap((sigma, i) => (sigma > 0 ? [i] : []));
  const sub = moving.map((i) => moving.map((j) => estimate.correlation[i][j]));
  return principalComponents(sub).map(({ eigenvalue, vector }) => {
    const wide = new Array<number>(estimate.sigma.length).fill(0);
    moving.forEach((i, k) => (wide[i] = vector[k]));
    return { eigenvalue, vector: wide };
  });
}

/** The scenarios (labels and log moves), the scan ranges and the components used. */
export function buildScenarios(inputs: MoveInputs): {
  scenarios: Scenario[];
  scanRanges: number[];
  components: PrincipalComponent[];
} {
  const ranges = scanRanges(inputs.estimate.sigma, inputs.z, inputs.horizonSteps);
  const components = movingComponents(inputs.estimate);
  const scenarios: Scenario[] = [];
  const both = (name: string, up: number[]): void => {
    scenarios.push({ label: `${name}-up`, moves: up });
    scenarios.push({ label: `${name}-down`, moves: up.map((x) => -x + 0) });
  };
  components.slice(0, inputs.components).forEach(({ eigenvalue, vector }, j) => {
    const scale = Math.sqrt(eigenvalue);
    both(
      `PC${j + 1}`,
      vector.map((v, i) => ranges[i] * scale * v),
    );
  });
  for (const single of inputs.singles) {
    const i = inputs.symbols.indexOf(single);
    both(
      single,
      ranges.map((range, k) => (k === i ? range : 0)),
    );
  }
  return { scenarios, scanRanges: ranges, components };
}
