/**
 * The native Groth16 prover's figures for one instance, measured the way snarkjs's are: warm
 * `generateProof` through the proving service's WarmProver, a cold `zkmargin prove --prover
 * native`, its own MSM floor (its five MSMs alone, same bases, same scalars as snarkjs's floor:
 * msm-floor.ts's {@link msmScalars}), and each proof split into the same phases, from the
 * prover's own clock. Also the targets of issue 21, checked against those figures.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { NATIVE_MSMS, type NativeKey } from "../native";
import { sharedNativeProver } from "../proving/groth16";
import type { LoadedArtifacts } from "../setup/manifest";
import { coldProve, type ProcessUsage } from "./cold-run";
import type { Example } from "./examples";
import { summarizeProofPhases, type Groth16Phases } from "./groth16-phases";
import { msmScalars, type MsmName, type ZkeyMsmSizes } from "./msm-floor";
import { summarize, type Summary } from "./stats";
import { measureWarmProving, type WarmTimings } from "./warm";

/** Everything measured for the native prover on one instance. */
export interface NativeFigures {
  /** Threads each proof used (the machine's hardware threads). */
  threads: number;
  warm: WarmTimings;
  cold: ProcessUsage;
  /** The five MSMs alone, each timed inside the prover. */
  floor: { total: Summary; each: Record<MsmName, Summary> };
  /** One prove call split into the phases snarkjs's is split into (the prover's own clock). */
  phases: Groth16Phases;
}

/** Issue 21's targets for the native prover, warm and cold, in seconds. */
export const NATIVE_TARGETS = {
  warm: { demo: 0.4, standard: 2.5, large: 12 } as Record<string, number>,
  cold: { demo: 2, standard: 4 } as Record<string, number>,
  /** Native Groth16 prove at most this factor of its own MSM floor. */
  floorFactor: 1.3,
} as const;

/** One target compared with a measured figure. */
export interface NativeTargetCheck {
  what: string;
  measured: number;
  limit: number;
  met: boolean;
}

/** The targets that apply to an instance's native figures. */
export function nativeTargetChecks(instance: string, f: NativeFigures): NativeTargetCheck[] {
  const checks: NativeTargetCheck[] = [];
  const warm = NATIVE_TARGETS.warm[instance];
  if (warm !== undefined) {
    const measured = f.warm.total.median;
    checks.push({
      what: `${instance}: warm generateProof`,
      measured,
      limit: warm,
      met: measured <= warm,
    });
  }
  const cold = NATIVE_TARGETS.cold[instance];
  if (cold !== undefined) {
    const measured = f.cold.wallSeconds;
    checks.push({
      what: `${instance}: cold zkmargin prove`,
      measured,
      limit: cold,
      met: measured <= cold,
    });
  }
  const ratio = f.phases.total.median / f.floor.total.median;
  checks.push({
    what: `${instance}: Groth16 prove ÷ its MSM floor`,
    measured: ratio,
    limit: NATIVE_TARGETS.floorFactor,
    met: ratio <= NATIVE_TARGETS.floorFactor,
  });
  return checks;
}

/** The native MSM floor: each MSM `runs` times after one untimed warm-up. */
async function measureFloor(
  key: NativeKey,
  sizes: ZkeyMsmSizes,
  witness: readonly bigint[],
  runs: number,
): Promise<NativeFigures["floor"]> {
  const scalars = msmScalars(sizes, witness);
  const times = Object.fromEntries(NATIVE_MSMS.map((n) => [n, [] as number[]])) as Record<
    MsmName,
    number[]
  >;
  const totals: number[] = [];
  for (let run = 0; run <= runs; run++) {
    let total = 0;
    for (const name of NATIVE_MSMS) {
      const { seconds } = await key.multiExp(name, scalars[name]);
      total += seconds;
      if (run > 0) times[name].push(seconds);
    }
    if (run > 0) totals.push(total);
  }
  const each = Object.fromEntries(NATIVE_MSMS.map((n) => [n, summarize(times[n])])) as Record<
    MsmName,
    Summary
  >;
  return { total: summarize(totals), each };
}

/** `runs` native proofs of `wtns` after one warm-up, split into phases by the prover's clock. */
function measurePhases(key: NativeKey, wtns: Uint8Array, runs: number): Promise<Groth16Phases> {
  return summarizeProofPhases(runs, async () => {
    const started = performance.now();
    const { phases } = await key.prove(wtns);
    return { phases, total: (performance.now() - started) / 1000 };
  });
}

/**
 * The native prover's figures for `instance`, or undefined when it is not built. `wtns` and
 * `witness` are the example's witness (file bytes and values) that the snarkjs figures used.
 */
export async function measureNative(
  artifacts: LoadedArtifacts,
  example: Example,
  sizes: ZkeyMsmSizes,
  wtns: Uint8Array,
  witness: readonly bigint[],
  runs: number,
): Promise<NativeFigures | undefined> {
  const prover = sharedNativeProver();
  if (!prover) return undefined;
  const instance = artifacts.instance;
  const key = await prover.key(artifacts);
  const warm = await measureWarmProving(instance, example, runs, "native");
  const cold = await coldProve(
    instance,
    {
      policy: path.join(example.dir, "policy.json"),
      market: path.join(example.dir, "market.json"),
      portfolio: path.join(example.dir, "portfolio.json"),
    },
    "native",
  );
  const floor = await measureFloor(key, sizes, witness, runs);
  const phases = await measurePhases(key, wtns, runs);
  return { threads: prover.threads, warm, cold, floor, phases };
}
