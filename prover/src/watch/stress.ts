/**
 * "Would the next move put it short?": the portfolio stressed by each scenario the round
 * publishes. Model v1: the scenarios are the options' risk arrays (loss per scenario
 * `sum_o q_o * RA_o[k]`, already in the margin report). Model v2 (joint scenario sets with asset
 * and perp risk arrays) passes its joint losses `L_k` instead; this is the one place that judges.
 *
 * The stressed excess of scenario k is `excess - loss_k`: equity falls by the scenario's loss and
 * the requirement is held at its current value (conservative for a requirement that would fall).
 */
import type { MarginReport } from "../model";

/** One scenario's outcome. */
export interface ScenarioStress {
  /** Scenario index (0-based, the risk arrays' order). */
  index: number;
  /** The portfolio's loss in the scenario, µUSD (negative = gain). */
  lossMicroUsd: bigint;
  /** The excess after the move, µUSD; negative = short. */
  excessAfterMicroUsd: bigint;
}

/** The stress of a report. */
export interface StressResult {
  /** The scenario with the lowest excess after the move (undefined without scenarios). */
  worst?: ScenarioStress;
  /** Every scenario that would put the portfolio short, worst first. */
  short: ScenarioStress[];
}

/**
 * Stresses `report` with `losses` (default: its option scenario losses, model v1), one entry per
 * scenario in µUSD, positive = loss.
 */
export function stressNextMove(
  report: MarginReport,
  losses: readonly bigint[] = report.options.scenarioLossMicroUsd,
): StressResult {
  const all = losses.map((lossMicroUsd, index) => ({
    index,
    lossMicroUsd,
    excessAfterMicroUsd: report.excessMicroUsd - lossMicroUsd,
  }));
  const byExcess = [...all].sort((a, b) =>
    a.excessAfterMicroUsd < b.excessAfterMicroUsd
      ? -1
      : a.excessAfterMicroUsd > b.excessAfterMicroUsd
        ? 1
        : a.index - b.index,
  );
  return { worst: byExcess[0], short: byExcess.filter((s) => s.excessAfterMicroUsd < 0n) };
}
