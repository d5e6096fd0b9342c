/**
 * `npm run bench:batch [-- --accounts N]`: proving throughput of a round for N accounts (default
 * 50) on the demo instance, three ways, each with snarkjs and with the native prover (when built):
 *   1. a CLI process per proof (`zkmargin prove --prover P`, what a shell loop does),
 *   2. one warm in-process worker (`zkmargin batch` without --redis),
 *   3. two `zkmargin worker` processes on a local redis-server (`zkmargin batch --redis`; the
 *      workers' prover is set by ZKMARGIN_PROVER).
 * Prints proofs per second, the warm per-proof latency and the speed-up over snarkjs's CLI loop.
 * The portfolios are the desk example with the account and the USDC balance varied
 * (deterministic). Needs redis-server (apt-get install redis-server) for the third way.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { defaultProverName, type ProverName } from "../prover/src/proving";
import { nativeAddon } from "../prover/src/native";
import { runBatch, type BatchOptions, type BatchResult } from "../prover/src/queue";
import { setupInstance } from "../prover/src/setup/dev-setup";
import { syntheticAccounts, WorkerProcess, writePortfolios } from "../test/helpers/queue";
import { buildScratchDir } from "../test/helpers/scratch";
import { startRedisServer } from "../test/helpers/redis-server";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin", "zkmargin.js");
const DESK = path.join(ROOT, "examples", "desk");
const POLICY = path.join(DESK, "policy.json");
const MARKET = path.join(DESK, "market.json");

interface Way {
  name: string;
  proofs: number;
  seconds: number;
}

function parseAccounts(argv: string[]): number {
  const at = argv.indexOf("--accounts");
  const n = at >= 0 ? Number.parseInt(argv[at + 1], 10) : 50;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error("--accounts must be a positive integer");
  return n;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Way 1: one `zkmargin prove` process per portfolio, one after the other. */
function cliLoop(files: readonly string[], out: string, prover: ProverName): Way {
  const started = performance.now();
  for (const [i, file] of files.entries()) {
    const run = spawnSync(
      process.execPath,
      [
        BIN,
        "prove",
        "--policy",
        POLICY,
        "--market",
        MARKET,
        "--portfolio",
        file,
        "--out",
        path.join(out, String(i)),
        "--nonce",
        "1",
        "--prover",
        prover,
      ],
      { cwd: ROOT, env: { ...process.env, CI: "true" }, encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`zkmargin prove failed on ${file}: ${run.stderr}`);
  }
  return {
    name: `${prover}: CLI process per proof`,
    proofs: files.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Runs a batch of the desk round, checks it made `n` fresh proofs, and times it. */
async function timedBatch(
  name: string,
  n: number,
  options: Pick<BatchOptions, "portfolios" | "results" | "redis" | "prover">,
): Promise<[BatchResult, Way]> {
  const started = performance.now();
  const result = await runBatch({ policy: POLICY, market: MARKET, ...options });
  if (result.tally.proved !== n || result.tally.reused !== 0) {
    throw new Error(`${name}: expected ${n} fresh proofs, got ${JSON.stringify(result.tally)}`);
  }
  return [result, { name, proofs: n, seconds: (performance.now() - started) / 1000 }];
}

/** The three ways with one prover; the warm in-process latencies of each proof. */
async function waysWith(
  prover: ProverName,
  n: number,
  portfolios: string,
  files: readonly string[],
  scratch: string,
): Promise<{ ways: Way[]; latencies: number[] }> {
  const cli = cliLoop(files, path.join(scratch, `${prover}-cli`), prover);
  console.log(`${prover}: 1. CLI loop done: ${cli.seconds.toFixed(1)} s`);

  const [warm, warmWay] = await timedBatch(`${prover}: one warm worker (in-process)`, n, {
    portfolios,
    results: path.join(scratch, `${prover}-warm`),
    prover,
  });
  const latencies = warm.outcomes.map((o) => (o.provingMs ?? 0) / 1000);
  console.log(`${prover}: 2. in-process done: ${warmWay.seconds.toFixed(1)} s`);

  const redis = await startRedisServer();
  const workers: WorkerProcess[] = [];
  let queued: Way;
  let startup: number;
  const previous = process.env.ZKMARGIN_PROVER;
  process.env.ZKMARGIN_PROVER = prover; // inherited by the worker processes
  try {
    const startupStarted = performance.now();
    for (let i = 0; i < 2; i += 1) {
      workers.push(await WorkerProcess.start(["--redis", redis.url, "--preload", "demo"]));
    }
    startup = (performance.now() - startupStarted) / 1000;
    [, queued] = await timedBatch(`${prover}: two workers on Redis`, n, {
      portfolios,
      results: path.join(scratch, `${prover}-redis`),
      redis: redis.url,
    });
  } finally {
    if (previous === undefined) delete process.env.ZKMARGIN_PROVER;
    else process.env.ZKMARGIN_PROVER = previous;
    await Promise.all(workers.map((w) => w.stop("SIGTERM")));
    await redis.stop();
  }
  console.log(
    `${prover}: 3. Redis done: ${queued.seconds.toFixed(1)} s (worker start-up ${startup.toFixed(1)} s, not counted)`,
  );
  return { ways: [cli, warmWay, queued], latencies };
}

async function main(): Promise<void> {
  const n = parseAccounts(process.argv.slice(2));
  await setupInstance("demo", { log: () => undefined });
  const native = nativeAddon();
  const provers: ProverName[] = native.addon ? ["snarkjs", "native"] : ["snarkjs"];
  if (!native.addon) console.log(`native prover not measured: ${native.reason}`);
  const scratch = buildScratchDir("bench-batch-");
  try {
    const portfolios = path.join(scratch, "portfolios");
    const files = writePortfolios(portfolios, "desk", syntheticAccounts(n));
    console.log(`${n} accounts, demo instance, desk portfolios, provers: ${provers.join(", ")}`);

    const runs: { prover: ProverName; ways: Way[]; latencies: number[] }[] = [];
    for (const prover of provers) {
      runs.push({ prover, ...(await waysWith(prover, n, portfolios, files, scratch)) });
    }
    const reference = runs[0].ways[0];
    console.log(
      `\nway                                     proofs  wall (s)  proofs/s  vs ${reference.name}`,
    );
    for (const way of runs.flatMap((r) => r.ways)) {
      const rate = way.proofs / way.seconds;
      const speedUp = rate / (reference.proofs / reference.seconds);
      console.log(
        `${way.name.padEnd(39)} ${String(way.proofs).padStart(6)}  ${way.seconds.toFixed(1).padStart(8)}  ` +
          `${rate.toFixed(2).padStart(8)}  ${speedUp.toFixed(1).padStart(7)}x`,
      );
    }
    for (const { prover, ways, latencies } of runs) {
      const warmOnly = latencies.slice(1); // the first proof loads the keys and builds the curve
      console.log(
        `\n${prover}: warm per-proof latency (witness + Groth16 + local verification, in-process, proofs 2..${n}): ` +
          `median ${quantile(warmOnly, 0.5).toFixed(2)} s, p90 ${quantile(warmOnly, 0.9).toFixed(2)} s, ` +
          `min ${Math.min(...warmOnly).toFixed(2)} s; first proof ${latencies[0].toFixed(2)} s`,
      );
      console.log(
        `${prover}: CLI loop per proof (process start, keys, curve, proof): ${(ways[0].seconds / ways[0].proofs).toFixed(2)} s`,
      );
    }
    console.log(`(the default prover here is ${defaultProverName()})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
