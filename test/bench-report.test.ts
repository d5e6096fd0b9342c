/**
 * The benchmark's deterministic parts: options, the GNU time parser, summaries, the load monitor,
 * the example choice, the zkey's MSM sizes against the r1cs, and the rendering of BENCHMARKS.md
 * and benchmarks.svg from fixed results (no timing is asserted anywhere).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseGnuTimeVerbose } from "../prover/src/bench/cold-run";
import { exampleFor, loadExamples } from "../prover/src/bench/examples";
import {
  GROTH16_PHASES,
  measureGroth16Phases,
  phaseStartedBy,
  splitGroth16Log,
} from "../prover/src/bench/groth16-phases";
import { batchGasFigures, batchTargetChecks } from "../prover/src/bench/batch-gas";
import { LoadMonitor } from "../prover/src/bench/machine";
import { MSM_NAMES, measureMsmFloor, readZkeyMsmSizes } from "../prover/src/bench/msm-floor";
import { DEFAULT_OUT_DIR, parseBenchArgs } from "../prover/src/bench/options";
import { readiness } from "../prover/src/bench/readiness";
import { benchCandidates, remeasureGas } from "../prover/src/bench/run";
import { renderChart } from "../prover/src/bench/report/chart";
import { renderMarkdown } from "../prover/src/bench/report/markdown";
import type { BenchResults, InstanceFigures } from "../prover/src/bench/results";
import { summarize, type Summary } from "../prover/src/bench/stats";
import { computeWitness, computeWtns, encodeExample } from "../prover/src/bench/witness";
import { readR1csHeader } from "../prover/src/build/r1cs";
import { loadInstances } from "../prover/src/encoding/instances";
import type { GasSplit, ProveBatchGas } from "../prover/src/gas";
import { loadPortfolio } from "../prover/src/inputs";
import { usingCurve } from "../prover/src/proving/snarkjs";
import { loadArtifacts } from "../prover/src/setup/manifest";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";
import { awaitSharedKeys } from "./helpers/shared-keys";

describe("bench: options", function () {
  it("defaults to every set-up instance, 5 runs, bench/", function () {
    expect(parseBenchArgs([])).to.deep.equal({
      quick: false,
      runs: 5,
      outDir: DEFAULT_OUT_DIR,
      instances: [],
      gasOnly: false,
    });
  });

  it("quick means the small instance and 3 runs; --runs and --out override", function () {
    expect(parseBenchArgs(["--quick", "--out", "scratch"])).to.deep.equal({
      quick: true,
      runs: 3,
      outDir: path.resolve("scratch"),
      instances: ["small"],
      gasOnly: false,
    });
    expect(parseBenchArgs(["--gas-only", "--out", "scratch"])).to.include({
      gasOnly: true,
      outDir: path.resolve("scratch"),
    });
    expect(parseBenchArgs(["demo", "--runs", "7"])).to.include({ runs: 7 });
    expect(parseBenchArgs(["demo", "standard"]).instances).to.deep.equal(["demo", "standard"]);
  });

  it("refuses bad options with the usage", function () {
    for (const argv of [
      ["--runs", "0"],
      ["--runs", "x"],
      ["--runs"],
      ["--fast"],
      ["--quick", "demo"],
      ["--gas-only", "--quick"],
      ["--gas-only", "demo"],
      ["--gas-only", "--runs", "3"],
    ]) {
      expect(() => parseBenchArgs(argv), argv.join(" ")).to.throw(/usage: npm run bench/);
    }
  });
});

describe("bench: measurements' plumbing", function () {
  it("parses GNU time's verbose report", function () {
    const report = [
      '\tCommand being timed: "node bin/zkmargin.js prove"',
      "\tUser time (seconds): 10.52",
      "\tSystem time (seconds): 0.81",
      "\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03.50",
      "\tMaximum resident set size (kbytes): 512000",
      "\tExit status: 0",
    ].join("\n");
    expect(parseGnuTimeVerbose(report)).to.deep.equal({
      wallSeconds: 3723.5,
      userSeconds: 10.52,
      systemSeconds: 0.81,
      maxRssBytes: 512000 * 1024,
      exitStatus: 0,
    });
    expect(parseGnuTimeVerbose(report.replace("1:02:03.50", "0:08.05")).wallSeconds).to.equal(8.05);
    expect(() => parseGnuTimeVerbose("Exit status: 0")).to.throw(/Elapsed/);
  });

  it("summarises odd and even samples by their median", function () {
    expect(summarize([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarize([4, 1, 2, 3]).median).to.equal(2.5);
    expect(() => summarize([])).to.throw(RangeError);
  });

  it("flags a load above the number of cores as a shared machine", function () {
    const loads = [0.5, 3.5, 1];
    const monitor = new LoadMonitor(2, 60_000, () => loads.shift() ?? 1);
    monitor.sample();
    expect(monitor.stop()).to.deep.equal({
      samples: 3,
      start: 0.5,
      max: 3.5,
      end: 1,
      shared: true,
    });
    const quiet = new LoadMonitor(2, 60_000, () => 1.5).stop();
    expect(quiet.shared).to.equal(false);
  });

  it("proves, for each instance, the largest example that fits and meets its policy", function () {
    const instances = loadInstances();
    const examples = loadExamples();
    expect(exampleFor(instances.small, examples)?.name).to.equal("small");
    expect(exampleFor(instances.demo, examples)?.name).to.equal("desk");
    expect(
      exampleFor(
        instances.small,
        examples.filter((e) => e.name !== "small"),
      ),
    ).to.equal(undefined);
    // A portfolio short of its margin has no proof: never chosen.
    const small = examples.find((e) => e.name === "small");
    if (!small) throw new Error("examples/small is missing");
    const short = {
      ...small,
      portfolio: loadPortfolio(path.join(small.dir, "shortfall-portfolio.json"), small.policy),
    };
    expect(exampleFor(instances.small, [short])).to.equal(undefined);
  });

  it("measures a set-up, current instance and names why another cannot be", async function () {
    await awaitSharedKeys(this, "small");
    const small = await readiness("small", loadInstances().small);
    expect("example" in small && small.example.name).to.equal("small");
    const missing = await readiness("not-an-instance", loadInstances().small);
    expect("reason" in missing && missing.reason).to.match(
      /not set up: run `npx zkmargin setup --instance not-an-instance`/,
    );
  });

  it("considers every declared instance in a full run, set-up ones first, smallest first", function () {
    const declared = ["small", "demo", "standard", "classic", "large"];
    const setUp = { demo: { constraints: 13_672 }, small: { constraints: 7_504 } };
    // The rest stay in the list, so the report names them with the reason they were skipped.
    expect(benchCandidates([], declared, setUp)).to.deep.equal([
      "small",
      "demo",
      "standard",
      "classic",
      "large",
    ]);
    expect(
      benchCandidates([], declared, { large: { constraints: 1 }, demo: { constraints: 2 } }),
    ).to.deep.equal(["large", "demo", "small", "standard", "classic"]);
    expect(benchCandidates(["demo"], declared, setUp)).to.deep.equal(["demo"]);
  });

  it("reads the MSM sizes from the zkey and times MSMs of exactly those sizes", async function () {
    await awaitSharedKeys(this, "small");
    const artifacts = await loadArtifacts("small");
    const r1cs = readR1csHeader(artifacts.r1cs);
    const sizes = await readZkeyMsmSizes(artifacts.zkey);
    const nPublic = r1cs.nPublicInputs + r1cs.nPublicOutputs;
    expect(sizes.nVars).to.equal(r1cs.nWires);
    expect(sizes.nPublic).to.equal(nPublic);
    expect(sizes.points).to.deep.equal({
      A: r1cs.nWires,
      B1: r1cs.nWires,
      B2: r1cs.nWires,
      C: r1cs.nWires - nPublic - 1,
      H: sizes.domainSize,
    });
    // snarkjs's domain: the smallest power of two above constraints + public inputs.
    expect(sizes.domainSize).to.be.above(r1cs.nConstraints + nPublic);
    expect(sizes.domainSize / 2).to.be.at.most(r1cs.nConstraints + nPublic);

    const example = loadExamples().find((e) => e.name === "small");
    if (!example) throw new Error("examples/small is missing");
    const dims = loadInstances().small;
    const floor = await usingCurve(async () =>
      measureMsmFloor(
        artifacts.zkey,
        await computeWitness(await encodeExample(example, dims), artifacts.wasm),
        1,
      ),
    );
    expect(floor.sizes).to.deep.equal(sizes);
    for (const name of MSM_NAMES) expect(floor.each[name].runs).to.equal(1);
    expect((await refusal(readZkeyMsmSizes(artifacts.r1cs))).message).to.match(/not a zkey file/);

    // A real proof's log: every phase is announced, and the phases add up to the call.
    const phases = await usingCurve(async () =>
      measureGroth16Phases(
        artifacts.zkey,
        await computeWtns(await encodeExample(example, dims), artifacts.wasm),
        1,
      ),
    );
    for (const name of GROTH16_PHASES) expect(phases[name].median, name).to.be.above(0);
    const sum = GROTH16_PHASES.reduce((total, name) => total + phases[name].median, 0);
    expect(sum).to.be.closeTo(phases.total.median, 1e-9);
  });
});

describe("bench: Groth16 phases from snarkjs's log", function () {
  it("knows the messages that start a phase, and ignores the rest", function () {
    expect(phaseStartedBy("Reading Wtns")).to.equal("read");
    expect(phaseStartedBy("Reading Coeffs")).to.equal(undefined); // still reading
    expect(phaseStartedBy("Building ABC")).to.equal("abc");
    expect(phaseStartedBy("QAP AB: 0/100")).to.equal(undefined);
    expect(phaseStartedBy("IFFT_A: fft 13 mix start: 0/1")).to.equal("quotient");
    expect(phaseStartedBy("FFT_C: fft  13  join: 1/13")).to.equal("quotient");
    expect(phaseStartedBy("Join ABC")).to.equal("quotient");
    expect(phaseStartedBy("Reading B2 Points")).to.equal("read");
    expect(phaseStartedBy("Multiexp start: multiexp B2: 0/7501")).to.equal("msm");
    expect(phaseStartedBy("Multiexp end: multiexp B2: 0/7501")).to.equal(undefined);
  });

  it("splits a call at each phase's first message; the last MSM chunk's end starts finish", function () {
    const events = [
      [10, "Reading Wtns"],
      [12, "Reading Coeffs"],
      [20, "Building ABC"],
      [25, "QAP AB: 0/10"],
      [50, "IFFT_A: fft 13 mix start: 0/1"],
      [70, "FFT_C: fft 13 mix end: 0/1"],
      [80, "Join ABC"],
      [90, "Reading A Points"],
      [95, "Multiexp start: multiexp A: 0/8"],
      [150, "Multiexp end: multiexp A: 0/8"],
      [151, "Reading H Points"],
      [160, "Multiexp start: multiexp H: 0/8"],
      [170, "Multiexp start: multiexp H: 4/8"],
      [230, "Multiexp end: multiexp H: 0/8"],
      [250, "Multiexp end: multiexp H: 4/8"],
    ].map(([at, message]) => ({ at: at as number, message: message as string }));
    const phases = splitGroth16Log(0, events, 260);
    const ms = Object.fromEntries(
      Object.entries(phases).map(([name, seconds]) => [name, Math.round(seconds * 1000)]),
    );
    // read: 0-20, 90-95, 151-160; abc 20-50; quotient 50-90; msm 95-151, 160-250; finish 250-260
    expect(ms).to.deep.equal({ read: 34, abc: 30, quotient: 40, msm: 146, finish: 10 });
  });
});

/** A fixed summary around `median`. */
function s(median: number): Summary {
  return { median, min: median * 0.9, max: median * 1.2, runs: 3 };
}

function figures(instance: string, scale: number): InstanceFigures {
  const points = {
    A: 100 * scale,
    B1: 100 * scale,
    B2: 100 * scale,
    C: 94 * scale,
    H: 128 * scale,
  };
  return {
    instance,
    dims: {
      assets: 3 * scale,
      perps: 2,
      options: 2,
      scenarios: 4,
      tiers: 2,
      groups: 1,
      joint: 1,
      pledges: 1,
    },
    example: "small",
    constraints: {
      total: 7590 * scale,
      perSlot: { assets: 679, perps: 944, options: 380 },
      perScenario: 237,
      perPledge: 1_000,
    },
    nPublic: 4,
    zkeyBytes: 6_000_000 * scale,
    wasmBytes: 4_400_000,
    warm: {
      total: s(2.5 * scale),
      witness: s(0.4),
      proving: s(1.6 * scale),
      verifying: s(0.03),
      other: s(0.5),
    },
    cold: {
      wallSeconds: 4 * scale,
      userSeconds: 5,
      systemSeconds: 0.5,
      maxRssBytes: 300 << 20,
      exitStatus: 0,
    },
    floor: {
      sizes: { nVars: points.A, nPublic: 4, domainSize: points.H, points },
      total: s(1.1 * scale),
      each: { A: s(0.2), B1: s(0.2), B2: s(0.4), C: s(0.1), H: s(0.2) },
    },
    groth16: {
      read: s(0.05),
      abc: s(0.1),
      quotient: s(0.3 * scale),
      msm: s(1.1 * scale),
      finish: s(0.05),
      total: s(1.6 * scale),
    },
    native: {
      threads: 2,
      warm: {
        total: s(0.5 * scale),
        witness: s(0.4),
        proving: s(0.2 * scale),
        verifying: s(0.03),
        other: s(0.5),
      },
      cold: {
        wallSeconds: 2.5,
        userSeconds: 3,
        systemSeconds: 0.4,
        maxRssBytes: 250 << 20,
        exitStatus: 0,
      },
      floor: {
        total: s(0.16 * scale),
        each: { A: s(0.02), B1: s(0.02), B2: s(0.06), C: s(0.02), H: s(0.04) },
      },
      phases: {
        read: s(0.001),
        abc: s(0.004),
        quotient: s(0.02 * scale),
        msm: s(0.16 * scale),
        finish: s(0.001),
        total: s(0.2 * scale),
      },
    },
    gas: { firstProve: 299_045, repeatProve: 281_957, verifyOnly: 242_702 },
    baseline: {
      constraints: 4634 * scale,
      nPublic: 48 * scale,
      zkeyBytes: 3_500_000,
      wasmBytes: 4_300_000,
      witness: s(0.3),
      proving: s(1.0 * scale),
      verifying: s(0.03),
      verifyGas: 534_963 * scale,
      verifierRuntimeBytes: 5_799 * scale * scale,
      verifierDeployGas: scale === 1 ? 1_300_000 : null,
    },
  };
}

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    version: 3,
    date: "2026-01-02T03:04:05.000Z",
    mode: "full",
    runs: 3,
    machine: {
      cpu: "Test CPU <R&D>",
      cores: 2,
      memoryBytes: 24 * 2 ** 30,
      platform: "Linux test x64",
      node: "v20.0.0",
      snarkjs: "0.7.6",
      ffjavascript: "0.3.1",
      circom: "circom compiler 2.2.3",
      hardhat: "2.29.1",
      solc: "0.8.30",
    },
    load: { samples: 10, start: 0.5, max: 1.5, end: 0.7, shared: false },
    startup: {
      wallSeconds: 1.25,
      userSeconds: 1.4,
      systemSeconds: 0.2,
      maxRssBytes: 150 << 20,
      exitStatus: 0,
    },
    instances: [figures("small", 1), figures("standard", 9)],
    nativeUnavailable: null,
    skipped: [],
    durationSeconds: 321,
    ...overrides,
  };
}

describe("bench: BENCHMARKS.md and benchmarks.svg", function () {
  it("states the date, the machine and every section, one row per instance", async function () {
    const md = await renderMarkdown(results(), "benchmarks.svg");
    expect(md).to.match(/^# Benchmarks\n/);
    expect(md).to.include("do not edit by hand");
    expect(md).to.include("2026-01-02 03:04 UTC");
    for (const fact of [
      "Test CPU &lt;R&D&gt;",
      "24.0 GiB",
      "v20.0.0",
      "0.7.6 / 0.3.1",
      "circom compiler 2.2.3",
    ]) {
      expect(md).to.include(fact);
    }
    for (const heading of [
      "## Constraints",
      "## Proving time",
      "## Distance from the floor",
      "## Native prover",
      "## Sizes and gas",
      "## The naive baseline, side by side",
      "## How each figure is measured",
    ]) {
      expect(md).to.include(heading);
    }
    expect(md).to.include(
      "![Proving time, constraints and verifier gas per instance](benchmarks.svg)",
    );
    // Every table lists both instances, with figures from the results.
    const rows = md.split("\n").filter((line) => /^\| (small|standard) /.test(line));
    expect(rows).to.have.length(2 * 12);
    expect(md).to.include("1.45x"); // Groth16 prove / floor for small: 1.6 / 1.1
    // Inside the prove call: each phase with its share, and the MSMs against the floor.
    expect(md).to.match(
      /\| small +\| 50 ms \(3 %\) +\| 100 ms \(6 %\) +\| 300 ms \(19 %\) +\| 1\.10 s \(69 %\) +\| 50 ms \(3 %\) +\| 1\.60 s \(1\.44 s to 1\.92 s\) +\| 1\.00x +\|/,
    );
    expect(md).to.include("7,590 vs 4,634");
    // The native prover beside snarkjs: prove 200 ms vs 1.6 s (8x), 1.25x its own floor.
    expect(md).to.match(
      /\| small +\| 200 ms vs 1\.60 s +\| 8\.00x +\| 160 ms vs 1\.10 s +\| 1\.25x +\|/,
    );
    expect(md).to.include("- met: small: Groth16 prove ÷ its MSM floor 1.25x (at most 1.30x)");
    expect(md).to.include("- **not met**: standard: warm generateProof 4.50 s (at most 2.50 s)");
    // The CLI's start-up inside each cold run (small: 1.25 s of 4 s).
    expect(md).to.match(/\| small +\| 4\.00 s +\| 1\.25 s \(31 %\) +\|/);
    expect(md).to.include("(1.25 s wall, 150.0 MiB peak)");
    // The dimensions (joint flag, then pledge slots last) and the marginal cost of one more
    // scenario and one more pledge slot.
    expect(md).to.match(
      /\| small +\| 3\/2\/2\/4\/2\/1\/1\/1 +\| 7,590 +\| 679 +\| 944 +\| 380 +\| 237 +\| 1,000 +\|/,
    );
    expect(md).to.include("above EIP-170");
    expect(md).to.include("not oversubscribed");
    expect(md).to.not.include("## Not measured");
  });

  it("says when the machine was shared and which instances were not measured", async function () {
    const md = await renderMarkdown(
      results({
        load: { samples: 4, start: 3, max: 9.5, end: 4, shared: true },
        skipped: [{ instance: "large", reason: "not set up" }],
      }),
      "benchmarks.svg",
    );
    expect(md).to.include("The machine was shared during this run");
    expect(md).to.include("9.50 on 2 cores");
    expect(md).to.include("## Not measured");
    expect(md).to.include("- large: not set up");
    const unbuilt = await renderMarkdown(
      results({
        instances: [figures("small", 1)].map(({ native: _, ...f }) => f),
        nativeUnavailable: "it is not built",
      }),
      "benchmarks.svg",
    );
    expect(unbuilt).to.include("The native prover was not measured: it is not built.");
  });

  it("is already formatted as the project's Prettier wants it", async function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prettier = require("prettier") as {
      check(source: string, options: object): Promise<boolean>;
      resolveConfig(file: string): Promise<object | null>;
    };
    const md = await renderMarkdown(results(), "benchmarks.svg");
    const config = (await prettier.resolveConfig(path.resolve(__dirname, "../README.md"))) ?? {};
    expect(await prettier.check(md, { ...config, parser: "markdown" })).to.equal(true);
  });

  it("draws one bar per series and instance, with escaped text", function () {
    const svg = renderChart(results());
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trimEnd()).to.match(/<\/svg>$/);
    expect(svg).to.include("Test CPU &lt;R&amp;D&gt;");
    expect(svg).to.not.include("<R&D>");
    const bars = svg.match(/<rect [^>]*><title>/g) ?? [];
    expect(bars).to.have.length(2 * (9 + 2 + 2));
    expect(svg).to.include("MSM floor: the five multi-scalar multiplications");
    expect(svg).to.include("What the baseline gives up is gas");
    const noNative = renderChart(
      results({ instances: [figures("small", 1)].map(({ native: _, ...f }) => f) }),
    );
    expect(noNative).to.include("native Groth16 prove (warm): not measured");
    expect(svg).to.include("<title>standard, baseline: 4,814,667</title>");
    const empty = renderChart(results({ instances: [] }));
    expect(empty).to.include("No instance was measured.");
  });

  it("says what a heavy instance was not measured for, in the tables and the chart", async function () {
    const full = figures("large", 60);
    delete full.baseline;
    const heavy: InstanceFigures = {
      ...full,
      constraints: { total: full.constraints.total },
      heavyNote: "large has 455,400 constraints (more than 300000): measured in part",
    };
    const md = await renderMarkdown(
      results({ instances: [figures("small", 1), heavy] }),
      "benchmarks.svg",
    );
    expect(md).to.include("## Measured in part");
    expect(md).to.include(
      "- large: large has 455,400 constraints (more than 300000): measured in part.",
    );
    const largeRows = md.split("\n").filter((line) => line.startsWith("| large "));
    // Constraints, proving (warm, cold), floor (two), native tables, sizes, gas; not the baseline's.
    expect(largeRows.length).to.be.greaterThan(5);
    expect(largeRows[0]).to.include("455,400");
    expect(largeRows[0]).to.include("not measured");
    const baselineTable = md.slice(
      md.indexOf("## The naive baseline"),
      md.indexOf("## Measured in part"),
    );
    expect(baselineTable).to.include("| small ");
    expect(baselineTable).to.not.include("| large ");
    const svg = renderChart(results({ instances: [heavy] }));
    expect(svg).to.include("baseline Groth16 prove (warm): not measured");
  });
});

describe("bench: batched verification on-chain (proveBatch gas per account)", function () {
  /** A trace split whose every part is `unit` times a fixed weight, `total` its sum. */
  function split(total: number): GasSplit {
    const part = (share: number) => BigInt(Math.round(total * share));
    const g = {
      pairing: part(0.4),
      pairs: 0,
      ecMul: part(0.1),
      ecMuls: 0,
      ecAdd: part(0.05),
      ecAdds: 0,
      keccak: part(0.01),
      keccaks: 0,
      ecrecover: part(0.07),
      ecrecovers: 0,
      storage: part(0.08),
      logs: part(0.03),
      calldataBytes: 0,
    };
    const intrinsic = 21_000n + part(0.1);
    const counted = g.pairing + g.ecMul + g.ecAdd + g.keccak + g.ecrecover + g.storage + g.logs;
    const totalGas = BigInt(total);
    return {
      ...g,
      total: totalGas,
      intrinsic,
      accessList: 0n,
      other: totalGas - counted - intrinsic,
    };
  }
  const pair = (first: number, repeat: number) => ({ first: split(first), repeat: split(repeat) });
  const measured = {
    prove: pair(298_985, 281_873),
    proveFor: pair(305_000, 288_000),
    batches: [
      { size: 1, ...pair(310_204, 293_104) },
      { size: 32, ...pair(32 * 109_059, 32 * 91_961) },
    ],
    proofs: [],
  } as unknown as ProveBatchGas;

  it("divides each transaction by its accounts and judges issue 20's targets", function () {
    const figures = batchGasFigures("small", measured);
    expect(figures.rows.map((r) => r.way)).to.deep.equal([
      "prove",
      "proveFor",
      "proveBatch B = 1",
      "proveBatch B = 32",
    ]);
    expect(figures.rows[3]).to.deep.include({ accounts: 32, first: 109_059, repeat: 91_961 });
    expect(figures.shareAt).to.equal(32);
    expect(figures.repeatShare.total).to.equal(91_961);
    expect(figures.repeatShare.txBase).to.equal(Math.round(21_000 / 32));
    const checks = batchTargetChecks(figures);
    expect(checks.map((c) => [c.measured, c.limit, c.met])).to.deep.equal([
      [91_961, 90_000, false],
      [109_059, 110_000, true],
      [310_204, Math.floor(298_985 * 1.05), true],
      [293_104, Math.floor(281_873 * 1.05), true],
    ]);
  });

  it("puts the table, the split and the targets in BENCHMARKS.md, and a panel in the chart", async function () {
    const batchGas = batchGasFigures("small", measured);
    const md = await renderMarkdown(results({ batchGas }), "benchmarks.svg");
    expect(md).to.include("## Batched verification on-chain");
    expect(md).to.match(/\| proveBatch B = 32 +\| 32 +\| 109,059 +\| 91,961 +\|/);
    expect(md).to.include("Where a repeat proof's 91,961 gas goes in a batch of 32");
    expect(md).to.include(
      "- **not met**: repeat proof in a batch of 32, per account: 91,961 (at most 90,000)",
    );
    expect(md).to.include(
      "- met: first proof in a batch of 32, per account: 109,059 (at most 110,000)",
    );
    const svg = renderChart(results({ batchGas }));
    expect(svg).to.include("<title>proveBatch B = 32, repeat proof: 91,961</title>");
    expect(svg).to.include("<title>prove, first proof: 298,985</title>");
    expect(renderChart(results())).to.not.include("proveBatch");
    expect(md).to.not.include("re-measured");
    const remeasured = await renderMarkdown(
      results({ batchGas, gasMeasuredAt: "2026-01-03T04:05:06.000Z" }),
      "benchmarks.svg",
    );
    expect(remeasured).to.include(
      "The gas figures were re-measured on 2026-01-03 04:05 UTC by `npm run bench -- --gas-only`",
    );
  });

  it("--gas-only refuses a report it cannot read or of another layout, saying what to run", async function () {
    const dir = buildScratchDir("tmp-bench-gas-only-");
    try {
      const err = await refusal(remeasureGas(dir, () => undefined));
      expect(err.message).to.match(/benchmarks\.json: cannot be read .*run `npm run bench` first/);
      fs.writeFileSync(path.join(dir, "benchmarks.json"), JSON.stringify({ version: 2 }));
      const old = await refusal(remeasureGas(dir, () => undefined));
      expect(old.message).to.match(/version: is 2, this benchmark writes 3: run `npm run bench`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
