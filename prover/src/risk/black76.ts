/**
 * Black's 1976 model for European options on a forward (or futures) price F:
 *
 *   call = e^(-rT) (F N(d1) - K N(d2)),  put = e^(-rT) (K N(-d2) - F N(-d1)),
 *   d1 = (ln(F/K) + σ²T/2) / (σ√T),       d2 = d1 - σ√T,
 *
 * with T in years, r the continuously compounded discount rate and σ the annual volatility.
 * At σ√T = 0 the price is the discounted intrinsic value.
 */
import { normalCdf } from "./normal";
import { brentRoot } from "./root-finding";

/** Call or put. */
export type OptionKind = "call" | "put";

/** The inputs of a Black-76 price, volatility excluded. */
export interface Black76Inputs {
  kind: OptionKind;
  /** Forward price of the underlying for the option's expiry, > 0. */
  forward: number;
  /** Strike, > 0. */
  strike: number;
  /** Time to expiry in years, >= 0. */
  years: number;
  /** Continuously compounded discount rate per year. */
  rate: number;
}

/** Discount factor e^(-rT). */
function discount(inputs: Black76Inputs): number {
  return Math.exp(-inputs.rate * inputs.years);
}

/** Discounted intrinsic value: e^(-rT) max(F - K, 0) for a call, e^(-rT) max(K - F, 0) for a put. */
export function discountedIntrinsic(inputs: Black76Inputs): number {
  const payoff =
    inputs.kind === "call"
      ? Math.max(inputs.forward - inputs.strike, 0)
      : Math.max(inputs.strike - inputs.forward, 0);
  return discount(inputs) * payoff;
}

/** The Black-76 price of a European option with annual volatility `vol` (>= 0). */
export function black76Price(inputs: Black76Inputs, vol: number): number {
  const { kind, forward: f, strike: k, years } = inputs;
  const stdDev = vol * Math.sqrt(years);
  if (!(stdDev > 0)) return discountedIntrinsic(inputs);
  const d1 = (Math.log(f / k) + 0.5 * stdDev * stdDev) / stdDev;
  const d2 = d1 - stdDev;
  const df = discount(inputs);
  return kind === "call"
    ? df * (f * normalCdf(d1) - k * normalCdf(d2))
    : df * (k * normalCdf(-d2) - f * normalCdf(-d1));
}

/**
 * No-arbitrage bounds of a European option price: above the discounted intrinsic value and below
 * the discounted forward (call) or strike (put). A price outside `(lower, upper)` has no implied
 * volatility.
 */
export function noArbitrageBounds(inputs: Black76Inputs): { lower: number; upper: number } {
  const df = discount(inputs);
  return {
    lower: discountedIntrinsic(inputs),
    upper: df * (inputs.kind === "call" ? inputs.forward : inputs.strike),
  };
}

/** Largest implied volatility searched for: 1000 % a year. */
export const MAX_IMPLIED_VOL = 10;

/** Why a price has no implied volatility in (0, {@link MAX_IMPLIED_VOL}]. */
export type ImpliedVolRefusal =
  | { reason: "below-lower-bound"; bound: number }
  | { reason: "above-upper-bound"; bound: number }
  | { reason: "above-max-vol"; bound: number };

/** Outcome of {@link impliedVolatility}. */
export type ImpliedVolResult = { ok: true; vol: number } | ({ ok: false } & ImpliedVolRefusal);

/**
 * The annual volatility at which the Black-76 price equals `price`, found by Brent's method on
 * (0, MAX_IMPLIED_VOL] (the price is strictly increasing in σ for T > 0). Refuses a price at or
 * below the discounted intrinsic value, at or above the upper bound, or needing a volatility
 * above MAX_IMPLIED_VOL.
 */
export function impliedVolatility(inputs: Black76Inputs, price: number): ImpliedVolResult {
  const { lower, upper } = noArbitrageBounds(inputs);
  if (!(price > lower) || !(inputs.years > 0)) {
    return { ok: false, reason: "below-lower-bound", bound: lower };
  }
  if (!(price < upper)) return { ok: false, reason: "above-upper-bound", bound: upper };
  const atMax = black76Price(inputs, MAX_IMPLIED_VOL);
  if (price > atMax) return { ok: false, reason: "above-max-vol", bound: atMax };
  // The price scale sets the tolerance: solve in σ to 1e-12 absolute, far below any quote's tick.
  const vol = brentRoot((v) => black76Price(inputs, v) - price, 0, MAX_IMPLIED_VOL, {
    tolerance: 1e-12,
  });
  return { ok: true, vol };
}
