/**
 * "Would the next move put it short?", judged from the round's scenarios as the margin model
 * reports them (`computeMargin`, model v2): under a `portfolio` policy each scenario's joint loss
 * of every position (the round's joint scenario set: collateral, perps and options moving
 * together), under a `standard` policy the option book's loss (model v1: the published option risk
 * arrays). The model computes the losses; this module only judges them.
 *
 * After scenario k the equity falls by its loss and the requirement is held at the round's, so the
 * stressed excess is `excess - loss_k` (negative = short).
 */
import type { MarginKind } from "../inputs";
import type { MarginReport } from "../model";

/** One scenario's outcome. */
export interface ScenarioStress {
  /** Scenario index (0-based, the round's scenario order). */
  index: number;
  /** The round's label of the scenario. */
  label: string;
  /** The portfolio's loss in the scenario, µUSD (negative = gain). */
  lossMicroUsd: bigint;
  /** The excess after the move, µUSD; negative = short. */
  excessAfterMicroUsd: bigint;
}

/** The stress of a report. */
export interface StressResult {
  /** Which losses were judged: joint (`portfolio`) or the option book's (`standard`). */
  margin: MarginKind;
  /** The scenario that sets the scan risk in the requirement (the report's binding one), if any. */
  binding?: ScenarioStress;
  /** The scenario with the lowest excess after the move (undefined without scenarios). */
  worst?: ScenarioStress;
  /** Every scenario that would put the portfolio short, worst first. */
  short: ScenarioStress[];
}

/** Stresses a margin report with its own per-scenario losses. */
export function stressNextMove(report: MarginReport): StressResult {
  const all: ScenarioStress[] = report.scenarios.map(({ label, lossMicroUsd }, index) => ({
    index,
    label,
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
  return {
    margin: report.margin,
    ...(report.bindingScenario === null ? {} : { binding: all[report.bindingScenario] }),
    ...(byExcess.length === 0 ? {} : { worst: byExcess[0] }),
    short: byExcess.filter((s) => s.excessAfterMicroUsd < 0n),
  };
}
