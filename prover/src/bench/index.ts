/**
 * The benchmark behind `npm run bench`: per set-up circuit instance, constraints, witness,
 * proving (warm and cold), peak memory, verification, sizes, gas, the MSM floor, and a naive
 * baseline circuit side by side; rendered into BENCHMARKS.md and benchmarks.svg.
 */
export {
  parseBenchArgs,
  DEFAULT_OUT_DIR,
  QUICK_INSTANCES,
  USAGE,
  type BenchOptions,
} from "./options";
export { REPORT_FILES, remeasureGas, runBench, writeReport } from "./run";
export type { BenchResults, InstanceFigures, BaselineFigures, GasFigures } from "./results";
