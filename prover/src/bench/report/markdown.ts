/**
 * BENCHMARKS.md from one run's results: machine and load, then constraints, proving time, the
 * distance from the MSM floor, sizes, gas and the naive baseline side by side, then how each
 * figure is measured. Formatted with the project's Prettier settings, so the generated file passes
 * `npm run lint` as it is.
 */
import * as path from "node:path";
import { PROJECT_ROOT } from "../../setup/paths";
import type { ProcessUsage } from "../cold-run";
import { batchTargetChecks, type BatchGasFigures } from "../batch-gas";
import { marginalCosts, type BenchResults, type InstanceFigures } from "../results";
import { dimsLabel } from "../slot-costs";
import { GROTH16_PHASES, type Groth16Phase } from "../groth16-phases";
import { MSM_NAMES } from "../msm-floor";
import { nativeTargetChecks, type NativeFigures } from "../native";
import {
  formatBytes,
  formatCount,
  formatRatio,
  formatSeconds,
  formatSummary,
  markdownTable as table,
} from "./format";

/** A cell not measured (a heavy instance's marginal costs and baseline: "Measured in part"). */
const NOT_MEASURED = "not measured";

/** Text from outside the project (a CPU model, an OS name) made safe in a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function loadSentence(results: BenchResults): string {
  const { load, machine } = results;
  const figures = `${load.max.toFixed(2)} on ${machine.cores} cores (${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end, ${load.samples} samples)`;
  return load.shared
    ? `**The machine was shared during this run**: the one-minute load average reached ${figures}, so other jobs competed for the cores and every time below is an upper bound.`
    : `The one-minute load average stayed at or below ${figures}: the cores were not oversubscribed.`;
}

function machineTable(results: BenchResults): string {
  const m = results.machine;
  return table(
    ["machine", ""],
    [
      ["CPU", cell(m.cpu)],
      ["cores", String(m.cores)],
      ["memory", `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ["OS", cell(m.platform)],
      ["Node.js", m.node],
      ["snarkjs / ffjavascript", `${m.snarkjs} / ${m.ffjavascript}`],
      ["circom", m.circom],
      ["Hardhat / solc", `${m.hardhat} / ${m.solc}`],
    ],
  );
}

function constraintsSection(list: readonly InstanceFigures[]): string {
  return [
    "## Constraints",
    "",
    table(
      [
        "instance",
        "A/P/O/S/T/G/J/C",
        "constraints",
        "per asset",
        "per perp",
        "per option",
        "per scenario",
        "per pledge slot",
        "baseline constraints",
      ],
      list.map((f) => {
        const marginal = marginalCosts(f.constraints);
        const count = (value: number | undefined) =>
          value === undefined ? NOT_MEASURED : formatCount(value);
        return [
          f.instance,
          dimsLabel(f.dims),
          formatCount(f.constraints.total),
          count(marginal?.perSlot.assets),
          count(marginal?.perSlot.perps),
          count(marginal?.perSlot.options),
          count(marginal?.perScenario),
          count(marginal?.perPledge),
          f.baseline
            ? `${formatCount(f.baseline.constraints)} (${formatRatio(f.baseline.constraints, f.constraints.total)})`
            : NOT_MEASURED,
        ];
      }),
    ),
    "",
    "A/P/O/S/T/G/J/C: assets, perps, options, scenarios, tiers, concentration groups, 1 when the " +
      "instance has joint scenario arrays (portfolio margin), and pledge slots (sub-portfolios summed " +
      "in one proof). Per slot, per scenario and per pledge slot: the marginal " +
      "cost of one more, measured by compiling the instance with one more and differencing, so it " +
      "includes its share of the commitments (as `npm run constraints`, which also splits each " +
      "figure into the standard machinery and the joint scenario share and checks the targets).",
  ].join("\n");
}

function provingSection(list: readonly InstanceFigures[], startup: ProcessUsage): string {
  return [
    "## Proving time",
    "",
    "With snarkjs (the native prover's figures follow in their own section). " +
      "Warm: `generateProof` in one process, as `zkmargin worker` runs it (its `WarmProver`: the " +
      "curve and its worker threads stay alive, the artifacts are hashed against the manifest " +
      "once, the witness calculator is compiled once), median (min to max) of the runs, split by " +
      "its own progress events; _other_ is the rest (input checks, the reference model, " +
      "commitments).",
    "",
    table(
      ["instance", "example", "witness", "Groth16 prove", "local verification", "other", "total"],
      list.map((f) => [
        f.instance,
        f.example,
        formatSummary(f.warm.witness),
        formatSummary(f.warm.proving),
        formatSummary(f.warm.verifying),
        formatSummary(f.warm.other),
        formatSummary(f.warm.total),
      ]),
    ),
    "",
    "Cold: one `zkmargin prove` in a new process, as a user runs it (the compiled CLI loading, artifact " +
      "hashing, curve start-up, proof, local verification, files written), under `/usr/bin/time -v`.",
    "",
    table(
      ["instance", "wall", "of which start-up", "CPU (user + system)", "peak memory (max RSS)"],
      list.map((f) => [
        f.instance,
        formatSeconds(f.cold.wallSeconds),
        `${formatSeconds(startup.wallSeconds)} (${Math.round((100 * startup.wallSeconds) / f.cold.wallSeconds)} %)`,
        formatSeconds(f.cold.userSeconds + f.cold.systemSeconds),
        formatBytes(f.cold.maxRssBytes),
      ]),
    ),
    "",
    `Start-up is \`zkmargin --help\` in a new process, timed the same way: Node.js and every ` +
      `compiled module the verbs import (prover/dist), before any proving ` +
      `(${formatSeconds(startup.wallSeconds)} wall, ${formatBytes(startup.maxRssBytes)} peak).`,
  ].join("\n");
}

function floorSection(list: readonly InstanceFigures[]): string {
  return [
    "## Distance from the floor",
    "",
    "The MSM floor is the time of the proof's five multi-scalar multiplications alone, with the same " +
      "library and curve (ffjavascript's `multiExpAffine` on snarkjs's bn128), the zkey's own bases " +
      "and the witness as scalars (random field elements for H); sizes from the zkey's header.",
    "",
    table(
      [
        "instance",
        "points A / B1 / B2 / C / H",
        "floor",
        "Groth16 prove ÷ floor",
        "warm total ÷ floor",
        "cold wall ÷ floor",
      ],
      list.map((f) => {
        const p = f.floor.sizes.points;
        const floor = f.floor.total.median;
        return [
          f.instance,
          MSM_NAMES.map((name) => formatCount(p[name])).join(" / "),
          formatSummary(f.floor.total),
          formatRatio(f.warm.proving.median, floor),
          formatRatio(f.warm.total.median, floor),
          formatRatio(f.cold.wallSeconds, floor),
        ];
      }),
    ),
    "",
    table(
      ["instance", ...MSM_NAMES.map((name) => (name === "B2" ? "B2 (G2)" : name))],
      list.map((f) => [
        f.instance,
        ...MSM_NAMES.map((name) => formatSeconds(f.floor.each[name].median)),
      ]),
    ),
    "",
    "Where the rest goes: the same witness proved by `groth16.prove` with a logger, each call split " +
      "by snarkjs's own step messages (medians, with each phase's share of the call): _read_ is " +
      "the witness, the zkey's coefficients and every MSM's bases; _ABC_ evaluates the constraints " +
      "on the witness; _quotient_ is the six FFTs, the coset shifts and the join of the quotient " +
      "polynomial; _MSMs_ the five multi-scalar multiplications (compare the floor); _finish_ the " +
      "final point arithmetic.",
    "",
    phasesTable(list.map((f) => ({ instance: f.instance, phases: f.groth16, floor: f.floor }))),
  ].join("\n");
}

const PHASE_HEADERS = ["read", "ABC", "quotient", "MSMs", "finish", "prove call", "MSMs ÷ floor"];

/** One row per instance: each phase with its share of the call, and the MSMs against the floor. */
function phasesTable(
  rows: readonly {
    instance: string;
    phases: InstanceFigures["groth16"];
    floor: { total: { median: number } };
  }[],
): string {
  return table(
    ["instance", ...PHASE_HEADERS],
    rows.map(({ instance, phases: g, floor }) => {
      const share = (phase: Groth16Phase): string =>
        `${formatSeconds(g[phase].median)} (${Math.round((100 * g[phase].median) / g.total.median)} %)`;
      return [
        instance,
        ...GROTH16_PHASES.map(share),
        formatSummary(g.total),
        formatRatio(g.msm.median, floor.total.median),
      ];
    }),
  );
}

/** The native prover beside snarkjs: times, floors, phases, memory and issue 21's targets. */
function nativeSection(results: BenchResults): string {
  const measured = results.instances.filter(
    (f): f is InstanceFigures & { native: NativeFigures } => f.native !== undefined,
  );
  if (measured.length === 0) {
    const why = results.nativeUnavailable ?? "no instance was measured with it";
    return ["## Native prover", "", `The native prover was not measured: ${why}.`].join("\n");
  }
  const pair = (native: number, snarkjs: number) =>
    `${formatSeconds(native)} vs ${formatSeconds(snarkjs)}`;
  const checks = measured.flatMap((f) => nativeTargetChecks(f.instance, f.native));
  const value = (what: string, v: number) =>
    what.includes("÷") ? `${v.toFixed(2)}x` : formatSeconds(v);
  return [
    "## Native prover",
    "",
    `The native Groth16 prover (\`native/\`: C++ over ffiasm's generated field code, an N-API ` +
      `addon, ${measured[0].native.threads} threads) proves the same witness with the same zkey ` +
      "as snarkjs; every proof is verified before it is returned. Each cell is native vs snarkjs " +
      "(medians of the same runs); its MSM floor is its own five MSMs alone, with the same bases " +
      "and scalars as snarkjs's floor; peak memory is the cold run's.",
    "",
    table(
      [
        "instance",
        "Groth16 prove",
        "speed-up",
        "MSM floor",
        "prove ÷ own floor",
        "warm generateProof",
        "cold zkmargin prove",
        "peak memory (cold)",
      ],
      measured.map((f) => [
        f.instance,
        pair(f.native.phases.total.median, f.groth16.total.median),
        formatRatio(f.groth16.total.median, f.native.phases.total.median),
        pair(f.native.floor.total.median, f.floor.total.median),
        formatRatio(f.native.phases.total.median, f.native.floor.total.median),
        pair(f.native.warm.total.median, f.warm.total.median),
        pair(f.native.cold.wallSeconds, f.cold.wallSeconds),
        `${formatBytes(f.native.cold.maxRssBytes)} vs ${formatBytes(f.cold.maxRssBytes)}`,
      ]),
    ),
    "",
    "Inside a native prove call, by the prover's own clock (same phases as snarkjs's above; _read_ " +
      "is parsing and checking the witness, the zkey being already in native memory):",
    "",
    phasesTable(
      measured.map((f) => ({
        instance: f.instance,
        phases: f.native.phases,
        floor: f.native.floor,
      })),
    ),
    "",
    table(
      ["instance", ...MSM_NAMES.map((name) => (name === "B2" ? "B2 (G2)" : name))],
      measured.map((f) => [
        f.instance,
        ...MSM_NAMES.map((name) => formatSeconds(f.native.floor.each[name].median)),
      ]),
    ),
    "",
    "Targets (issue 21):",
    "",
    ...checks.map(
      (c) =>
        `- ${c.met ? "met" : "**not met**"}: ${c.what} ${value(c.what, c.measured)} (at most ${value(c.what, c.limit)})`,
    ),
  ].join("\n");
}

function sizesAndGasSection(list: readonly InstanceFigures[]): string {
  return [
    "## Sizes and gas",
    "",
    table(
      [
        "instance",
        "public signals",
        "zkey",
        "wasm",
        "baseline public signals",
        "baseline zkey",
        "baseline wasm",
      ],
      list.map((f) => [
        f.instance,
        String(f.nPublic),
        formatBytes(f.zkeyBytes),
        formatBytes(f.wasmBytes),
        f.baseline ? String(f.baseline.nPublic) : NOT_MEASURED,
        f.baseline ? formatBytes(f.baseline.zkeyBytes) : NOT_MEASURED,
        f.baseline ? formatBytes(f.baseline.wasmBytes) : NOT_MEASURED,
      ]),
    ),
    "",
    "Gas on Hardhat's in-process EVM with real proofs. `prove` is `MarginRegistry.prove` with a " +
      "custodian pledge (the account's first proof, then a repeat); `verifyProof` is the " +
      "transaction gas of the generated verifier alone.",
    "",
    table(
      [
        "instance",
        "prove (first)",
        "prove (repeat)",
        "verifyProof",
        "baseline verifyProof",
        "baseline verifier code",
      ],
      list.map((f) => [
        f.instance,
        formatCount(f.gas.firstProve),
        formatCount(f.gas.repeatProve),
        formatCount(f.gas.verifyOnly),
        f.baseline ? formatCount(f.baseline.verifyGas) : NOT_MEASURED,
        f.baseline
          ? `${formatCount(f.baseline.verifierRuntimeBytes)} bytes${f.baseline.verifierDeployGas === null ? " (above EIP-170: not deployable on mainnet)" : ""}`
          : NOT_MEASURED,
      ]),
    ),
  ].join("\n");
}

function batchGasSection(figures: BatchGasFigures): string {
  const share = figures.repeatShare;
  const parts: [string, number][] = [
    ["pairings", share.pairing],
    ["ecMul and ecAdd", share.ecMulAdd],
    ["ecrecover (the request's and the pledge's signatures)", share.ecrecover],
    ["storage (SLOAD, SSTORE)", share.storage],
    ["events", share.events],
    ["keccak", share.keccak],
    ["calldata", share.calldata],
    ["the transaction's 21,000 base", share.txBase],
    ["execution (ABI decoding, checks, copies, calls)", share.other],
  ];
  return [
    "## Batched verification on-chain",
    "",
    `Gas per account of \`MarginRegistry.proveBatch\` beside single \`prove\` (sent by the account) ` +
      `and \`proveFor\` (a relayer sends its signed request), with real proofs of the ` +
      `${figures.instance} instance for distinct accounts, each with one custodian's pledge and a ` +
      "signed `ProveRequest`: the account's first proof (its status slot written from zero), then " +
      "its next. The transaction's gas divided by the accounts in it, all in (calldata and the " +
      "21,000 base included); the same measurement as `npm run gas`.",
    "",
    table(
      ["way", "accounts", "first proof, per account", "repeat proof, per account"],
      figures.rows.map((r) => [
        r.way,
        String(r.accounts),
        formatCount(r.first),
        formatCount(r.repeat),
      ]),
    ),
    "",
    `Where a repeat proof's ${formatCount(share.total)} gas goes in a batch of ${figures.shareAt} ` +
      "(per account, from the transaction's trace):",
    "",
    table(
      ["part", "gas per account"],
      parts.map(([what, gas]) => [what, formatCount(gas)]),
    ),
    "",
    "Targets (issue 20):",
    "",
    ...batchTargetChecks(figures).map(
      (c) =>
        `- ${c.met ? "met" : "**not met**"}: ${c.what}: ${formatCount(c.measured)} (at most ${formatCount(c.limit)})`,
    ),
  ].join("\n");
}

function baselineSection(list: readonly InstanceFigures[]): string {
  return [
    "## The naive baseline, side by side",
    "",
    "The baseline (`bench/baseline/`, see its README for what it leaves out: among others the " +
      "in-circuit range checks of public values and the layout binding) proves the same margin " +
      "statement for the same slot counts with the same slot arithmetic, but takes prices, marks, " +
      "risk arrays and every policy parameter as public inputs instead of market and policy " +
      "commitments. Same example, same number of warm runs, same process.",
    "",
    table(
      [
        "instance",
        "constraints",
        "public signals",
        "witness",
        "Groth16 prove",
        "local verification",
        "verifyProof gas",
      ],
      list.flatMap((f) => {
        const b = f.baseline;
        if (b === undefined) return [];
        const pair = (ours: string, theirs: string) => `${ours} vs ${theirs}`;
        return [
          [
            f.instance,
            pair(formatCount(f.constraints.total), formatCount(b.constraints)),
            pair(String(f.nPublic), String(b.nPublic)),
            pair(formatSeconds(f.warm.witness.median), formatSeconds(b.witness.median)),
            pair(formatSeconds(f.warm.proving.median), formatSeconds(b.proving.median)),
            pair(formatSeconds(f.warm.verifying.median), formatSeconds(b.verifying.median)),
            pair(formatCount(f.gas.verifyOnly), formatCount(b.verifyGas)),
          ],
        ];
      }),
    ),
    "",
    "Each cell is zkmargin vs baseline (medians). The baseline's `prove` would also read every " +
      "public input from storage (at least 2,100 gas per cold slot) before calling its verifier.",
  ].join("\n");
}

function methodSection(): string {
  return [
    "## How each figure is measured",
    "",
    "- Constraints: circom `--O2` r1cs headers; per slot and per scenario by compiling one more " +
      "and differencing.",
    "- Witness, Groth16 prove, local verification: wall time of each step in one warm process, " +
      "after one untimed warm-up proof; the example is the largest `examples/` triple that fits.",
    "- Cold run and peak memory: `/usr/bin/time -v node bin/zkmargin.js prove ...` (wall clock, " +
      "user and system CPU, maximum resident set size of the process and its threads).",
    "- Floor: the five MSMs timed one by one with the zkey's bases, median of the runs; the " +
      "native prover's the same way, by its own clock, with the same scalars.",
    "- Native prover: the same warm, cold and phase measurements with `--prover native`; its " +
      "phases are timed inside the addon.",
    "- Groth16 phases: `groth16.prove` on the in-memory witness with a logger that timestamps " +
      "snarkjs's and ffjavascript's debug messages; a phase runs from its first message to the " +
      "next phase's (the last MSM chunk's end starts _finish_).",
    "- Gas: `eth_estimateGas` and receipts on Hardhat's in-process network, every contract " +
      "compiled with hardhat.config.js's solc settings (optimizer, EVM version, IR pipeline); the " +
      "baseline's verifier is snarkjs's template rendered for its own key.",
    "- Sizes: the files the manifest lists (zkey, wasm) and the baseline's own.",
  ].join("\n");
}

/** The report's Markdown for `results`; `chartFile` is the SVG's path relative to the report. */
export async function renderMarkdown(results: BenchResults, chartFile: string): Promise<string> {
  const list = results.instances;
  const when = `${results.date.slice(0, 10)} ${results.date.slice(11, 16)} UTC`;
  const parts = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (prover/src/bench/) from one run; do not edit by hand. -->",
    "",
    `Measured on ${when} by \`npm run bench\`${results.mode === "quick" ? " `--quick`" : ""}: ` +
      `${results.runs} warm runs per figure after one warm-up, ${formatSeconds(results.durationSeconds)} in all. ` +
      loadSentence(results) +
      (results.gasMeasuredAt
        ? ` The gas figures were re-measured on ${results.gasMeasuredAt.slice(0, 10)} ${results.gasMeasuredAt.slice(11, 16)} UTC by \`npm run bench -- --gas-only\`, at the contracts of that time.`
        : ""),
    "",
    machineTable(results),
    "",
    `![Proving time, constraints and verifier gas per instance](${chartFile})`,
    "",
  ];
  if (list.length === 0) parts.push("No instance was measured.", "");
  else {
    parts.push(
      constraintsSection(list),
      "",
      provingSection(list, results.startup),
      "",
      floorSection(list),
      "",
      nativeSection(results),
      "",
      sizesAndGasSection(list),
      "",
      ...(results.batchGas ? [batchGasSection(results.batchGas), ""] : []),
      baselineSection(list),
      "",
    );
  }
  const heavy = list.filter((f) => f.heavyNote !== undefined);
  if (heavy.length > 0) {
    parts.push(
      "## Measured in part",
      "",
      ...heavy.map((f) => `- ${f.instance}: ${f.heavyNote}.`),
      "",
    );
  }
  if (results.skipped.length > 0) {
    parts.push(
      "## Not measured",
      "",
      ...results.skipped.map((s) => `- ${s.instance}: ${s.reason}`),
      "",
    );
  }
  parts.push(methodSection(), "");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prettier = require("prettier") as {
    format(source: string, options: object): Promise<string>;
    resolveConfig(file: string): Promise<object | null>;
  };
  const config = (await prettier.resolveConfig(path.join(PROJECT_ROOT, "README.md"))) ?? {};
  return prettier.format(parts.join("\n"), { ...config, parser: "markdown" });
}
