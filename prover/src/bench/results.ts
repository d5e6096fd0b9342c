/**
 * The figures of one benchmark run, as written to benchmarks.json and rendered into
 * BENCHMARKS.md and benchmarks.svg. Times are seconds, sizes bytes, gas units as numbers
 * (every gas figure is far below 2^53).
 */
import type { InstanceDims } from "../encoding/instances";
import type { BaselineMeasured } from "./baseline/measure";
import type { BatchGasFigures } from "./batch-gas";
import type { ProcessUsage } from "./cold-run";
import type { LoadSummary, MachineInfo } from "./machine";
import type { Groth16Phases } from "./groth16-phases";
import type { MsmName, ZkeyMsmSizes } from "./msm-floor";
import type { NativeFigures } from "./native";
import type { SlotCosts } from "./slot-costs";
import type { Summary } from "./stats";
import type { WarmTimings } from "./warm";

/** Version of the benchmarks.json layout. */
export const BENCH_RESULTS_VERSION = 3;

/** The naive baseline's figures for one instance: what it measured, and its verifier's gas. */
export interface BaselineFigures extends BaselineMeasured {
  /** Transaction gas of its generated verifier's `verifyProof` with a real proof. */
  verifyGas: number;
  verifierRuntimeBytes: number;
  /** Null when the verifier is above EIP-170's limit (not deployable on Ethereum mainnet). */
  verifierDeployGas: number | null;
}

/** Gas of the real design for one instance (Hardhat's in-process EVM). */
export interface GasFigures {
  firstProve: number;
  repeatProve: number;
  /** Transaction gas of the instance verifier's `verifyProof` alone. */
  verifyOnly: number;
}

/**
 * Everything measured for one set-up instance. `warm`, `cold`, `floor` and `groth16` are
 * snarkjs's; `native` the native prover's, when it is built.
 */
export interface InstanceFigures {
  instance: string;
  dims: InstanceDims;
  /** The examples/ folder proved. */
  example: string;
  /**
   * The total, and the marginal costs per slot kind, scenario and pledge slot; only the total for
   * a heavy instance (see `heavyNote`).
   */
  constraints: SlotCosts | { total: number };
  nPublic: number;
  zkeyBytes: number;
  wasmBytes: number;
  warm: WarmTimings;
  cold: ProcessUsage;
  floor: { sizes: ZkeyMsmSizes; total: Summary; each: Record<MsmName, Summary> };
  /** One Groth16 prove call split into its phases by snarkjs's own log (same witness). */
  groth16: Groth16Phases;
  native?: NativeFigures;
  gas: GasFigures;
  /** The naive baseline's figures; absent for a heavy instance (see `heavyNote`). */
  baseline?: BaselineFigures;
  /**
   * Why a heavy instance (above {@link HEAVY_CONSTRAINTS}) was measured with fewer runs and without
   * its marginal costs and baseline; absent for the others.
   */
  heavyNote?: string;
}

/**
 * An instance with more constraints than this is measured "heavy": at most 3 warm runs, and neither
 * its marginal costs nor the naive baseline, each of which would compile (the baseline also set
 * up) a circuit of its size again: together longer than the rest of the run.
 */
export const HEAVY_CONSTRAINTS = 300_000;

/** The marginal costs of `constraints`, when they were measured. */
export function marginalCosts(constraints: InstanceFigures["constraints"]): SlotCosts | undefined {
  return "perSlot" in constraints ? constraints : undefined;
}

/** One run of `npm run bench`. */
export interface BenchResults {
  version: typeof BENCH_RESULTS_VERSION;
  /** ISO 8601 start time. */
  date: string;
  mode: "full" | "quick";
  /** Warm runs per figure (after one warm-up). */
  runs: number;
  machine: MachineInfo;
  load: LoadSummary;
  /** `zkmargin --help` in a fresh process: the CLI's start-up, part of every cold run. */
  startup: ProcessUsage;
  instances: InstanceFigures[];
  /**
   * `MarginRegistry.proveBatch` beside `prove` and `proveFor`, per account (issue 20), on the
   * smallest measured instance; absent when none was measured.
   */
  batchGas?: BatchGasFigures;
  /** Why the native prover was not measured (not built), or null when it was. */
  nativeUnavailable: string | null;
  /** Instances that are set up but could not be measured, and why. */
  skipped: { instance: string; reason: string }[];
  durationSeconds: number;
  /**
   * When the gas figures were re-measured by `npm run bench -- --gas-only` (ISO 8601), at the
   * contracts of that time; absent when they come from this run.
   */
  gasMeasuredAt?: string;
}
