/**
 * One benchmark run: for every set-up circuit instance (or the quick set), constraints, warm and
 * cold proving, the MSM floor, sizes, gas, and the naive baseline side by side; then the report
 * files. Each measurement lives in its own module; this file only sequences them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type {} from "@nomicfoundation/hardhat-ethers";
import { parseWtns } from "../build/r1cs";
import { toSolidityProof } from "../chain";
import { loadInstances, type InstanceDims } from "../encoding/instances";
import { measureProveBatchGas, measureProveGas, measureVerifierGas } from "../gas";
import { writeFileAtomic } from "../io/atomic-write";
import { toJson } from "../io/json";
import { usingCurve } from "../proving/snarkjs";
import { nativeAddon } from "../native";
import { setupInstance } from "../setup/dev-setup";
import { loadArtifacts, readManifest } from "../setup/manifest";
import { measureBaseline, type BaselineResult } from "./baseline/measure";
import { BATCH_SIZES, QUICK_BATCH_SIZES, batchGasFigures, type BatchGasFigures } from "./batch-gas";
import { coldProve, coldStartup } from "./cold-run";
import type { Example } from "./examples";
import { describeMachine, LoadMonitor } from "./machine";
import { measureGroth16Phases } from "./groth16-phases";
import { measureMsmFloor } from "./msm-floor";
import { measureNative } from "./native";
import { readiness } from "./readiness";
import type { BenchOptions } from "./options";
import { renderChart } from "./report/chart";
import { formatCount } from "./report/format";
import { renderMarkdown } from "./report/markdown";
import {
  BENCH_RESULTS_VERSION,
  HEAVY_CONSTRAINTS,
  type BenchResults,
  type InstanceFigures,
} from "./results";
import { measureSlotCosts } from "./slot-costs";
import { measureWarmProving } from "./warm";
import { computeWtns, encodeExample } from "./witness";

/** Files a run writes into its output folder. */
export const REPORT_FILES = {
  markdown: "BENCHMARKS.md",
  chart: "benchmarks.svg",
  json: "benchmarks.json",
} as const;

type Log = (message: string) => void;

/** An instance measured up to (not including) gas; no baseline for a heavy instance. */
interface Measured {
  figures: Omit<InstanceFigures, "gas" | "baseline">;
  example: Example;
  baseline?: BaselineResult;
}

/** The most warm runs a heavy instance gets (see {@link HEAVY_CONSTRAINTS}). */
const HEAVY_RUNS = 3;

/** Every non-gas figure of one instance. */
async function measureInstance(
  instance: string,
  dims: InstanceDims,
  example: Example,
  requestedRuns: number,
  log: Log,
): Promise<Measured> {
  const artifacts = await loadArtifacts(instance);
  const heavy = artifacts.entry.constraints > HEAVY_CONSTRAINTS;
  const runs = heavy ? Math.min(requestedRuns, HEAVY_RUNS) : requestedRuns;
  let heavyNote: string | undefined;
  let constraints: InstanceFigures["constraints"];
  let baseline: BaselineResult | undefined;
  if (heavy) {
    heavyNote =
      `${instance} has ${formatCount(artifacts.entry.constraints)} constraints (more than ` +
      `${formatCount(HEAVY_CONSTRAINTS)}): ` +
      `measured with at most ${HEAVY_RUNS} warm runs, and without its marginal costs and the naive ` +
      "baseline, each of which would compile (the baseline also set up) a circuit of its size again";
    log(`${instance}: heavy: ${heavyNote}`);
    constraints = { total: artifacts.entry.constraints };
  } else {
    log(`${instance}: constraints per slot kind and per scenario`);
    constraints = await measureSlotCosts(dims, (message) => log(`${instance}: ${message}`));
    log(`${instance}: naive baseline (compile, keys, ${runs} proofs)`);
    baseline = await measureBaseline(instance, dims, example, runs, log);
  }
  log(`${instance}: cold \`zkmargin prove --prover snarkjs\``);
  const cold = await coldProve(
    instance,
    {
      policy: path.join(example.dir, "policy.json"),
      market: path.join(example.dir, "market.json"),
      portfolio: path.join(example.dir, "portfolio.json"),
    },
    "snarkjs",
  );
  log(`${instance}: ${runs} warm snarkjs proofs of examples/${example.name}`);
  const warm = await measureWarmProving(instance, example, runs, "snarkjs");
  log(`${instance}: MSM floor, and the phases of a Groth16 proof (snarkjs)`);
  const wtns = await computeWtns(await encodeExample(example, dims), artifacts.wasm);
  const witness = parseWtns(wtns);
  const { floor, groth16 } = await usingCurve(async () => ({
    floor: await measureMsmFloor(artifacts.zkey, witness, runs),
    groth16: await measureGroth16Phases(artifacts.zkey, wtns, runs),
  }));
  log(`${instance}: the native prover (warm, cold, MSM floor, phases)`);
  const native = await measureNative(artifacts, example, floor.sizes, wtns, witness, runs);
  return {
    figures: {
      instance,
      dims,
      example: example.name,
      constraints,
      nPublic: artifacts.entry.nPublic,
      zkeyBytes: fs.statSync(artifacts.zkey).size,
      wasmBytes: fs.statSync(artifacts.wasm).size,
      warm,
      cold,
      floor,
      groth16,
      ...(native ? { native } : {}),
      ...(heavyNote !== undefined ? { heavyNote } : {}),
    },
    example,
    baseline,
  };
}

/** Hardhat's in-process network, its contracts compiled, and the signers gas is measured with. */
async function gasNetwork() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  await hre.run("compile", { quiet: true });
  const [admin, account, custodian, operator] = await hre.ethers.getSigners();
  return { hre, signers: { admin, account, custodian, operator } };
}

/** `prove` (first, repeat) and `verifyProof` gas of one instance with a real proof of `example`. */
async function instanceGas(
  figures: Pick<InstanceFigures, "instance" | "dims">,
  example: Example,
  signers: Awaited<ReturnType<typeof gasNetwork>>["signers"],
): Promise<InstanceFigures["gas"]> {
  const prove = await measureProveGas(figures.instance, figures.dims, example, signers);
  return {
    firstProve: Number(prove.firstProve),
    repeatProve: Number(prove.repeatProve),
    verifyOnly: Number(prove.verifyOnly),
  };
}

/**
 * `proveBatch` beside `prove` and `proveFor` on the smallest measured instance (real proofs of
 * distinct accounts, as `npm run gas` measures them); a quick run batches fewer.
 */
async function measureBatchGas(
  measured: readonly Measured[],
  quick: boolean,
  log: Log,
): Promise<BatchGasFigures | undefined> {
  const smallest = [...measured].sort(
    (a, b) => a.figures.constraints.total - b.figures.constraints.total,
  )[0];
  if (smallest === undefined) return undefined;
  const sizes = quick ? QUICK_BATCH_SIZES : BATCH_SIZES;
  const { instance, dims } = smallest.figures;
  log(`${instance}: gas of proveBatch at B = ${sizes.join(", ")} (real proofs, distinct accounts)`);
  const { signers } = await gasNetwork();
  const gas = await measureProveBatchGas(instance, dims, smallest.example, signers, sizes);
  return batchGasFigures(instance, gas);
}

/** Gas of every measured instance and of its baseline, on Hardhat's in-process network. */
async function measureGas(measured: readonly Measured[], log: Log): Promise<InstanceFigures[]> {
  if (measured.length === 0) return [];
  const { hre, signers } = await gasNetwork();
  const { admin, account, custodian, operator } = signers;
  const out: InstanceFigures[] = [];
  for (const { figures, example, baseline } of measured) {
    log(
      `${figures.instance}: gas (prove${baseline ? `, and the baseline verifier with ${baseline.figures.nPublic} inputs` : ""})`,
    );
    const gas = await instanceGas(figures, example, { admin, operator, account, custodian });
    if (baseline === undefined) {
      out.push({ ...figures, gas });
      continue;
    }
    const verifier = await measureVerifierGas(
      admin,
      hre.ethers.provider,
      baseline.vkey,
      toSolidityProof(baseline.proof),
      baseline.publicSignals,
    );
    if (!verifier.accepted) {
      throw new Error(`the baseline verifier of ${figures.instance} rejected a valid proof`);
    }
    out.push({
      ...figures,
      gas,
      baseline: {
        ...baseline.figures,
        verifyGas: Number(verifier.verifyGas),
        verifierRuntimeBytes: verifier.runtimeBytes,
        verifierDeployGas: verifier.deployGas === null ? null : Number(verifier.deployGas),
      },
    });
  }
  return out;
}

/**
 * The instances a run considers: the named ones, or else every declared instance, the set-up ones
 * first (fewest constraints first) and then the others in declared order, so that a full run's
 * report lists those it could not measure, with the reason, instead of leaving them out.
 */
export function benchCandidates(
  named: readonly string[],
  declared: readonly string[],
  setUp: Readonly<Record<string, { constraints: number }>>,
): string[] {
  if (named.length > 0) return [...named];
  const ready = declared
    .filter((name) => setUp[name] !== undefined)
    .sort((a, b) => setUp[a].constraints - setUp[b].constraints);
  return [...ready, ...declared.filter((name) => setUp[name] === undefined)];
}

/**
 * Runs the benchmark: quick mode sets up its instance when needed; a full run measures every
 * set-up instance whose keys match the current circuits (others are listed as skipped), smallest
 * first. Named instances that are not measurable are an error.
 */
export async function runBench(options: BenchOptions, log: Log): Promise<BenchResults> {
  const date = new Date().toISOString();
  const started = performance.now();
  const load = new LoadMonitor();
  const machine = describeMachine();
  const declared = loadInstances();
  for (const name of options.instances) {
    if (!declared[name]) throw new Error(`circuits/instances.json: unknown instance "${name}"`);
  }
  if (options.quick) {
    for (const name of options.instances) await setupInstance(name, { log });
  }
  const candidates = benchCandidates(
    options.instances,
    Object.keys(declared),
    readManifest().instances,
  );

  const skipped: BenchResults["skipped"] = [];
  const measured: Measured[] = [];
  for (const instance of candidates) {
    const dims = declared[instance];
    const ready = await readiness(instance, dims);
    if ("reason" in ready) {
      if (options.instances.length > 0) throw new Error(`${instance}: ${ready.reason}`);
      log(`${instance}: skipped (${ready.reason})`);
      skipped.push({ instance, reason: ready.reason });
      continue;
    }
    measured.push(await measureInstance(instance, dims, ready.example, options.runs, log));
  }
  log("the CLI's start-up (`zkmargin --help`)");
  const startup = await coldStartup();
  const instances = await measureGas(measured, log);
  const batchGas = await measureBatchGas(measured, options.quick, log);
  return {
    version: BENCH_RESULTS_VERSION,
    date,
    mode: options.quick ? "quick" : "full",
    runs: options.runs,
    machine,
    load: load.stop(),
    startup,
    instances,
    ...(batchGas ? { batchGas } : {}),
    nativeUnavailable: nativeAddon().addon ? null : (nativeAddon() as { reason: string }).reason,
    skipped,
    durationSeconds: (performance.now() - started) / 1000,
  };
}

/**
 * `npm run bench -- --gas-only`: the report in `outDir` with its gas figures re-measured at the
 * current contracts (each instance's `prove` and `verifyProof`, and `proveBatch`), its proving
 * figures kept; the baseline verifier's gas is kept too (snarkjs's template, not ours). Refuses a
 * report of another layout version, or whose instances are not measurable now.
 */
export async function remeasureGas(outDir: string, log: Log): Promise<BenchResults> {
  const file = path.join(outDir, REPORT_FILES.json);
  let previous: BenchResults;
  try {
    previous = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults;
  } catch (error) {
    throw new Error(
      `${file}: cannot be read (${(error as Error).message}): run \`npm run bench\` first`,
    );
  }
  if (previous.version !== BENCH_RESULTS_VERSION) {
    throw new Error(
      `${file}: version: is ${String(previous.version)}, this benchmark writes ${BENCH_RESULTS_VERSION}: run \`npm run bench\``,
    );
  }
  const measured: Measured[] = [];
  for (const figures of previous.instances) {
    const ready = await readiness(figures.instance, figures.dims);
    if ("reason" in ready) throw new Error(`${figures.instance}: ${ready.reason}`);
    measured.push({ figures, example: ready.example });
  }
  const { signers } = await gasNetwork();
  const instances: InstanceFigures[] = [];
  for (const { figures, example } of measured) {
    log(`${figures.instance}: gas (prove, verifyProof)`);
    instances.push({ ...figures, gas: await instanceGas(figures, example, signers) });
  }
  const batchGas = await measureBatchGas(measured, previous.mode === "quick", log);
  return {
    ...previous,
    instances,
    ...(batchGas ? { batchGas } : {}),
    gasMeasuredAt: new Date().toISOString(),
  };
}

/** Writes BENCHMARKS.md, benchmarks.svg and benchmarks.json into `outDir`; returns their paths. */
export async function writeReport(results: BenchResults, outDir: string): Promise<string[]> {
  const files = {
    markdown: path.join(outDir, REPORT_FILES.markdown),
    chart: path.join(outDir, REPORT_FILES.chart),
    json: path.join(outDir, REPORT_FILES.json),
  };
  writeFileAtomic(files.markdown, await renderMarkdown(results, REPORT_FILES.chart));
  writeFileAtomic(files.chart, renderChart(results));
  writeFileAtomic(files.json, toJson(results));
  return Object.values(files);
}
