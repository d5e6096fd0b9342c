/**
 * Bracketed root finding: Brent's method (R. P. Brent, "Algorithms for Minimization without
 * Derivatives", 1973, chapter 4), which keeps a sign-changing bracket at every step, so it always
 * converges, and uses inverse quadratic or secant steps where they help, bisection where not.
 */

/** Options of {@link brentRoot}. */
export interface RootOptions {
  /** Absolute tolerance on x (default 1e-12). */
  tolerance?: number;
  /** Iteration limit (default 200); exceeding it throws. */
  maxIterations?: number;
}

/** Thrown when `f(lo)` and `f(hi)` do not have opposite signs: no root is bracketed. */
export class NoBracketError extends Error {
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    super(`no sign change of f on [${lo}, ${hi}]`);
    this.name = "NoBracketError";
  }
}

/**
 * A root of `f` in `[lo, hi]`, where `f(lo)` and `f(hi)` have opposite signs (or one is zero).
 * Returns x with |x - root| <= tolerance (or f(x) === 0).
 */
export function brentRoot(
  f: (x: number) => number,
  lo: number,
  hi: number,
  options: RootOptions = {},
): number {
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 200;
  let a = lo;
  let b = hi;
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Number.isNaN(fa) || Number.isNaN(fb) || Math.sign(fa) === Math.sign(fb)) {
    throw new NoBracketError(lo, hi);
  }
  // b is the best estimate, a the previous one, c the contrapoint: f(b) and f(c) differ in sign.
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant when two points are known, inverse quadratic when three are.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = d;
      }
    } else {
      d = m;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
  }
  throw new Error(`brentRoot: no convergence within ${maxIterations} iterations`);
}
