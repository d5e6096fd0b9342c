/** Command-line options of `npm run bench`. */
import * as path from "node:path";
import { PROJECT_ROOT } from "../setup/paths";

/** Where a full run writes BENCHMARKS.md, benchmarks.svg and benchmarks.json. */
export const DEFAULT_OUT_DIR = path.join(PROJECT_ROOT, "bench");
/** The instance a quick run measures (set up first when it is not). */
export const QUICK_INSTANCES = ["small"];

/** Parsed options. */
export interface BenchOptions {
  /** Small instance(s) only, fewer runs: what CI runs so the benchmark cannot rot. */
  quick: boolean;
  /** Warm runs per figure, after one warm-up. */
  runs: number;
  outDir: string;
  /** Instances to measure (default: every set-up instance; quick: {@link QUICK_INSTANCES}). */
  instances: string[];
  /**
   * Re-measure only the gas figures of the report already in `outDir` (its benchmarks.json) at
   * the current contracts, keep its proving figures, and rewrite the report.
   */
  gasOnly: boolean;
}

export const USAGE =
  "usage: npm run bench -- [--quick | --gas-only] [--runs N] [--out DIR] [instance ...]\n" +
  "  --quick    the small instance only (set up when missing), 3 runs: a few minutes\n" +
  "  --runs N   warm runs per figure after one warm-up (default 5, quick 3)\n" +
  "  --gas-only re-measure the gas figures of the report in --out at the current contracts\n" +
  "             (prove per instance, proveBatch), keeping its proving figures: minutes, not an hour\n" +
  "  --out DIR  folder for BENCHMARKS.md, benchmarks.svg and benchmarks.json (default bench/)\n" +
  "  instance   measure only these set-up instances (default: all that are set up)";

/** Parses `argv` (without node and the script); throws with the usage on a bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let gasOnly = false;
  let runs: number | undefined;
  let outDir = DEFAULT_OUT_DIR;
  const instances: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--quick") quick = true;
    else if (arg === "--gas-only") gasOnly = true;
    else if (arg === "--runs") {
      const text = value();
      runs = Number(text);
      if (!/^[1-9][0-9]*$/.test(text) || runs > 100) {
        throw new Error(`--runs must be an integer from 1 to 100, not "${text}"\n${USAGE}`);
      }
    } else if (arg === "--out") outDir = path.resolve(value());
    else if (arg.startsWith("--")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else instances.push(arg);
  }
  if (gasOnly && (quick || instances.length > 0 || runs !== undefined)) {
    throw new Error(
      `--gas-only re-measures the report's own instances; it takes only --out\n${USAGE}`,
    );
  }
  if (quick && instances.length > 0) {
    throw new Error(`--quick measures ${QUICK_INSTANCES.join(", ")}; name no instances\n${USAGE}`);
  }
  return {
    quick,
    runs: runs ?? (quick ? 3 : 5),
    outDir,
    instances: quick ? [...QUICK_INSTANCES] : instances,
    gasOnly,
  };
}
