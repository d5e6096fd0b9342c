/**
 * The units of the reference model, defined here and nowhere else in the model: the model is an
 * independent check of the circuit's encoding (`encoding/widths.ts`), so it takes nothing from it.
 * A test checks that the two agree.
 */

/** Prices are integers of 1e-12 USD per whole token. */
export const PRICE_DECIMALS = 12;
/** Amounts in USD are integers of µUSD (1e-6 USD). */
export const MICRO_USD_DECIMALS = 6;
/** µUSD per whole USD (a tier bound is in whole USD). */
export const MICRO_USD_PER_USD = 1_000_000n;
/** Weights and ratios are integers of ppm (parts per million): 1e6 ppm = 1. */
export const PPM = 1_000_000n;
/** Decimals of a percentage written from ppm (1 % = 10^4 ppm). */
export const PERCENT_DECIMALS_OF_PPM = 4;
