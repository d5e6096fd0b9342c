/**
 * Principal components of a correlation matrix: its eigenvalues, largest first, with unit
 * eigenvectors (ml-matrix's symmetric eigenvalue decomposition). Each eigenvector's sign is fixed
 * so its components sum to a positive number (the first component moves the market "up"); when
 * they sum to zero, its largest component is positive. Tiny negative eigenvalues from rounding
 * are set to 0.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/** One principal component. */
export interface PrincipalComponent {
  /** Variance along the component (the eigenvalue), >= 0. */
  eigenvalue: number;
  /** Unit eigenvector, one entry per series. */
  vector: number[];
}

/** Orients a unit vector by the sign convention above. */
function orient(vector: number[]): number[] {
  const sum = vector.reduce((s, x) => s + x, 0);
  let sign = Math.sign(sum);
  if (Math.abs(sum) < 1e-12) {
    const largest = vector.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
    sign = Math.sign(largest);
  }
  return vector.map((x) => (sign < 0 ? -x : x) + 0); // + 0 turns -0 into 0
}

/** The principal components of a symmetric matrix, largest eigenvalue first. */
export function principalComponents(matrix: readonly (readonly number[])[]): PrincipalComponent[] {
  if (matrix.length === 0) return [];
  const decomposition = new EigenvalueDecomposition(new Matrix(matrix.map((r) => [...r])), {
    assumeSymmetric: true,
  });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix;
  return values
    .map((eigenvalue, k) => ({
      eigenvalue: Math.max(0, eigenvalue),
      vector: orient(vectors.getColumn(k)),
    }))
    .sort((a, b) => b.eigenvalue - a.eigenvalue);
}
