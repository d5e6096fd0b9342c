/**
 * Losses under a scenario, rounded so that a loss is never understated: a long holding of one
 * unit of a price-P factor moved by log move x loses P (1 - e^x); an option loses its mark minus
 * its Black-76 value at the horizon, under the moved forward and the shifted volatility.
 */
import { black76Price, type Black76Inputs } from "./black76";
import type { OptionSeries } from "./option-series";

/** Seconds in the year of option maturities (365 days). */
export const YEAR_SECONDS = 365 * 86_400;

/** The smallest integer at or above `units` (a loss in the output's unit), as a bigint. */
export function ceilUnits(units: number): bigint {
  if (!Number.isFinite(units)) throw new RangeError(`loss is not finite: ${units}`);
  return BigInt(Math.ceil(units));
}

/**
 * Loss of one long unit priced `price` (any unit) under each log move, in that unit, rounded up
 * to a whole multiple of `grid` units (default 1).
 */
export function linearLosses(price: bigint, moves: readonly number[], grid = 1n): bigint[] {
  const p = Number(price);
  return moves.map((x) => {
    const loss = -p * Math.expm1(x);
    const units = ceilUnits(loss / Number(grid));
    // A positive loss is at least one grid step, also where loss / grid underflows to 0.
    return (loss > 0 && units === 0n ? 1n : units) * grid;
  });
}

/** One option's inputs to revaluation. */
export interface OptionState {
  series: OptionSeries;
  /** Underlying price in the round, USD. */
  spot: number;
  /** Years from the round to expiry. */
  years: number;
  /** Black-76 implied volatility of the mark. */
  impliedVol: number;
  /** Mark per contract, µUSD. */
  markMicroUsd: bigint;
}

/** Revaluation parameters shared by every option. */
export interface RevalueParameters {
  rate: number;
  /** Horizon, years. */
  horizonYears: number;
  volShift: number;
}

/** Black-76 inputs of an option with the underlying at `spot` and `years` to expiry. */
export function black76Inputs(
  series: OptionSeries,
  spot: number,
  years: number,
  rate: number,
): Black76Inputs {
  return {
    kind: series.kind,
    forward: spot * Math.exp(rate * years),
    strike: series.strike,
    years,
    rate,
  };
}

/**
 * The shifted implied volatility: σ (1 - volShift · x / s), with x the underlying's log move and s
 * its scan range (the ratio clamped to [-1, 1]); unchanged when s is 0.
 */
export function shiftedVol(vol: number, move: number, scanRange: number, volShift: number): number {
  if (!(scanRange > 0)) return vol;
  const ratio = Math.max(-1, Math.min(1, move / scanRange));
  return vol * (1 - volShift * ratio);
}

/**
 * Loss per long contract, µUSD rounded up, under an underlying log move `move` (scan range
 * `scanRange`): the mark minus the Black-76 value at the horizon with the moved spot, the
 * remaining time (the payoff when the option expires within the horizon) and the shifted vol.
 */
export function optionLoss(
  option: OptionState,
  move: number,
  scanRange: number,
  parameters: RevalueParameters,
): bigint {
  const remaining = Math.max(0, option.years - parameters.horizonYears);
  const inputs = black76Inputs(
    option.series,
    option.spot * Math.exp(move),
    remaining,
    parameters.rate,
  );
  const vol = shiftedVol(option.impliedVol, move, scanRange, parameters.volShift);
  const value = black76Price(inputs, vol);
  return ceilUnits(Number(option.markMicroUsd) - value * 1e6);
}
