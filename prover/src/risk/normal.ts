/**
 * The standard normal distribution: density and cumulative distribution function in double
 * precision. The CDF is Hart's (1968) rational approximation as published by G. West, "Better
 * approximations to cumulative normal functions" (Wilmott, 2005): absolute error below 1e-14 on
 * the whole line, and the tail is computed directly (not as 1 - something), so deep out-of-the-money
 * option prices keep their relative precision.
 */

const SQRT_2PI = 2.5066282746310002;

/** Density of the standard normal distribution at `x`. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/** Lower tail Φ(-|x|) for |x| below 7.07 (Hart's rational function). */
function hartTail(a: number, exponential: number): number {
  let num = 3.52624965998911e-2 * a + 0.700383064443688;
  num = num * a + 6.37396220353165;
  num = num * a + 33.912866078383;
  num = num * a + 112.079291497871;
  num = num * a + 221.213596169931;
  num = num * a + 220.206867912376;
  let den = 8.83883476483184e-2 * a + 1.75566716318264;
  den = den * a + 16.064177579207;
  den = den * a + 86.7807322029461;
  den = den * a + 296.564248779674;
  den = den * a + 637.333633378831;
  den = den * a + 793.826512519948;
  den = den * a + 440.413735824752;
  return (exponential * num) / den;
}

/** Lower tail Φ(-|x|) for |x| from 7.07 (continued fraction). */
function continuedFractionTail(a: number, exponential: number): number {
  let build = a + 0.65;
  build = a + 4 / build;
  build = a + 3 / build;
  build = a + 2 / build;
  build = a + 1 / build;
  return exponential / build / SQRT_2PI;
}

/** Φ(x) = P(Z <= x) for a standard normal Z. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) tail = 0;
  else {
    const exponential = Math.exp(-0.5 * a * a);
    tail = a < 7.07106781186547 ? hartTail(a, exponential) : continuedFractionTail(a, exponential);
  }
  return x > 0 ? 1 - tail : tail;
}
