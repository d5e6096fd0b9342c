/**
 * Seeded synthetic price histories with a set volatility and correlation, for the examples and the
 * tests: returns are drawn as correlated normals (Box–Muller on a seeded uniform stream, then the
 * Cholesky factor of the correlation, ml-matrix) and turned into prices by compounding. The
 * uniform stream is the AES-256-CTR keystream under SHA-256(seed): reproducible on every machine,
 * with no hand-written generator.
 */
import { createCipheriv, createHash } from "node:crypto";
import { CholeskyDecomposition, Matrix } from "ml-matrix";

/** A reproducible stream of uniform numbers in [0, 1), 53 random bits each. */
export function seededUniforms(seed: string): () => number {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const chunk = 8 * 512;
  let buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset === buffer.length) {
      buffer = cipher.update(Buffer.alloc(chunk));
      offset = 0;
    }
    const high = buffer.readUInt32BE(offset) >>> 5; // 27 bits
    const low = buffer.readUInt32BE(offset + 4) >>> 6; // 26 bits
    offset += 8;
    return (high * 67_108_864 + low) / 9_007_199_254_740_992; // (high·2^26 + low) / 2^53
  };
}

/** A reproducible stream of standard normal numbers (Box–Muller). */
export function seededNormals(seed: string): () => number {
  const uniform = seededUniforms(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - uniform(); // (0, 1]: the logarithm is finite
    const angle = 2 * Math.PI * uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** What a synthetic history is drawn from. */
export interface SyntheticSpec {
  seed: string;
  /** Volatility of log returns per step, per series. */
  sigma: readonly number[];
  /** Correlation of the returns (symmetric, positive definite). */
  correlation: readonly (readonly number[])[];
  /** Number of returns. */
  steps: number;
}

/** Correlated normal log returns, `[t][i]`, with the given volatilities and correlation. */
export function correlatedReturns(spec: SyntheticSpec): number[][] {
  const cholesky = new CholeskyDecomposition(new Matrix(spec.correlation.map((r) => [...r])));
  if (!cholesky.isPositiveDefinite()) {
    throw new RangeError("the correlation matrix must be positive definite");
  }
  const l = cholesky.lowerTriangularMatrix;
  const normal = seededNormals(spec.seed);
  const n = spec.sigma.length;
  const returns: number[][] = [];
  for (let t = 0; t < spec.steps; t++) {
    const e = Array.from({ length: n }, normal);
    returns.push(
      spec.sigma.map((sigma, i) => {
        let x = 0;
        for (let j = 0; j <= i; j++) x += l.get(i, j) * e[j];
        return sigma * x;
      }),
    );
  }
  return returns;
}

/**
 * Price paths `[i][t]` (steps + 1 prices each) ending at `last[i]`, whose log returns are
 * `returns[t][i]`: prices are compounded backwards from the end.
 */
export function pricePathsEndingAt(
  last: readonly number[],
  returns: readonly (readonly number[])[],
): number[][] {
  return last.map((end, i) => {
    const path = [end];
    for (let t = returns.length - 1; t >= 0; t--) path.unshift(path[0] / Math.exp(returns[t][i]));
    return path;
  });
}

/** A daily synthetic history CSV: `date` then one column per symbol. */
export interface SyntheticCsvSpec extends SyntheticSpec {
  symbols: readonly string[];
  /** Prices on the last day, USD (at most 8 decimals are written). */
  last: readonly number[];
  /** The last day, YYYY-MM-DD. */
  lastDate: string;
  /** Comment lines written first (without the leading '#'). */
  comments?: readonly string[];
}

/** USD with at most 8 decimals, trailing zeros dropped. */
function price8(x: number): string {
  const text = x.toFixed(8);
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** The CSV text of a seeded daily history ending at `lastDate` with `last` prices. */
export function syntheticHistoryCsv(spec: SyntheticCsvSpec): string {
  const paths = pricePathsEndingAt(spec.last, correlatedReturns(spec));
  const end = Date.parse(`${spec.lastDate}T00:00:00Z`);
  const lines = (spec.comments ?? []).map((c) => `# ${c}`);
  lines.push(["date", ...spec.symbols].join(","));
  for (let t = 0; t <= spec.steps; t++) {
    const date = new Date(end - (spec.steps - t) * 86_400_000).toISOString().slice(0, 10);
    lines.push([date, ...paths.map((p) => price8(p[t]))].join(","));
  }
  return `${lines.join("\n")}\n`;
}
