import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { PUBLIC_SIGNAL_NAMES } from "../prover/src/proving/public-signals";
import * as fs from "node:fs";
import * as path from "node:path";
import { readPtauHeader, readR1csHeader } from "../prover/src/setup/binfile";
import { DEVELOPMENT_WARNING, setupInstance } from "../prover/src/setup/dev-setup";
import { loadArtifacts } from "../prover/src/setup/manifest";
import {
  PUBLISHED_PTAU_BLAKE2B,
  checkProductionPtau,
  ensureDevPtau,
  linkIntoBuild,
  publishedPtauName,
  requiredPower,
} from "../prover/src/setup/ptau";
import {
  formatDuration,
  lineProgress,
  setupProgress,
  step,
  type SetupProgressEvent,
} from "../prover/src/setup/progress";
import {
  describePtauCache,
  formatPtauCache,
  removeOrphanTemps,
} from "../prover/src/setup/ptau-cache";
import { bn128, releaseCurve, snarkjs } from "../prover/src/setup/snarkjs";
import { deadPid, holdLockInChild, stop } from "./helpers/locks";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");

describe("setup: ptau", function () {
  let work: string;
  before(() => (work = buildScratchDir("tmp-setup-")));
  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("picks the smallest power with 2^power > constraints + public signals (snarkjs newZKey's rule)", function () {
    expect(requiredPower(8186, 5)).to.equal(13); // 8191 rows fit the 8192 domain
    expect(requiredPower(8187, 5)).to.equal(14); // 8192 rows need the next one
    expect(requiredPower(3, 1)).to.equal(8); // never below the smallest published power
    expect(() => requiredPower(2 ** 28, 0)).to.throw(/bn128 limit/);
  });

  it("embeds the published blake2b-512 of every Hermez file from 2^8 to 2^28", function () {
    expect(Object.keys(PUBLISHED_PTAU_BLAKE2B).map(Number)).to.deep.equal(
      [...Array(21).keys()].map((i) => i + 8),
    );
    for (const hash of Object.values(PUBLISHED_PTAU_BLAKE2B))
      expect(hash).to.match(/^[0-9a-f]{128}$/);
    expect(publishedPtauName(16)).to.equal("powersOfTau28_hez_final_16.ptau");
    expect(publishedPtauName(28)).to.equal("powersOfTau28_hez_final.ptau");
  });

  it("refuses a --ptau whose hash is not the published one, naming the file", async function () {
    const dev = await ensureDevPtau(8);
    const copy = path.join(work, "powersOfTau28_hez_final_08.ptau");
    fs.copyFileSync(dev.file, copy);
    const e = await refusal(checkProductionPtau(copy, 8));
    expect(e.message).to.contain(copy).and.contain("does not match the published hash");
  });

  it("refuses a --ptau of a power without a published hash, and a file that is no ptau", async function () {
    const tiny = path.join(work, "pot5.ptau");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 5, tiny);
    expect(await readPtauHeader(tiny)).to.deep.equal({
      power: 5,
      ceremonyPower: 5,
      prepared: false,
      contributions: 0,
    });
    const e = await refusal(checkProductionPtau(tiny, 5));
    expect(e.message).to.contain(tiny).and.contain("power 5 has no published hash");
    const text = path.join(work, "notes.ptau");
    fs.writeFileSync(text, "hello, this is not a ptau file");
    expect((await refusal(checkProductionPtau(text, 8))).message).to.contain(
      `${text}: not a ptau file`,
    );
  });
});

describe("setup: binary containers (@iden3/binfileutils)", function () {
  let work: string;
  before(() => (work = buildScratchDir("tmp-binfile-")));
  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("reads a ptau header, and refuses a bad magic, a newer version and a truncated file, naming it", async function () {
    const ptau = path.join(work, "pot6.ptau");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 6, ptau);
    expect(await readPtauHeader(ptau)).to.deep.equal({
      power: 6,
      ceremonyPower: 6,
      prepared: false,
      contributions: 0,
    });
    const bytes = fs.readFileSync(ptau);

    const variants: [string, Buffer, RegExp][] = [
      [
        "r1cs.ptau",
        Buffer.concat([Buffer.from("r1cs"), bytes.subarray(4)]),
        /: not a ptau file \(bad magic\)$/,
      ],
      ["empty.ptau", Buffer.alloc(0), /: not a ptau file \(bad magic\)$/],
      [
        "v2.ptau",
        Buffer.from(bytes).fill(0, 4, 8).fill(2, 4, 5),
        /: ptau version 2 is not supported \(at most 1\)$/,
      ],
      ["cut.ptau", bytes.subarray(0, bytes.length >> 1), /: not a valid ptau file \(truncated\)$/],
    ];
    for (const [name, content, message] of variants) {
      const file = path.join(work, name);
      fs.writeFileSync(file, content);
      const e = await refusal(readPtauHeader(file));
      expect(e.message.startsWith(`${file}:`), e.message).to.equal(true);
      expect(e.message).to.match(message);
    }
    await refusal(readR1csHeader(ptau)).then((e) =>
      expect(e.message).to.equal(`${ptau}: not a r1cs file (bad magic)`),
    );
  });
});

describe("setup: development setup of the small instance", function () {
  // A first build (ptau and phase 2) happens in the shared fixture, with its own timeout.
  before(sharedKeysHook("small"));
  after(releaseCurve);

  it("sets up (or finds up to date) the small instance, prints the development warning, and reruns as a no-op", async function () {
    const logs: string[] = [];
    const first = await setupInstance("small", {
      log: (m) => logs.push(m),
      onProgress: () => undefined,
    });
    expect(logs[0]).to.equal(DEVELOPMENT_WARNING);
    expect(first.entry.kind).to.equal("development");
    const r1cs = await readR1csHeader(path.join(ROOT, first.entry.artifacts.r1cs.path));
    expect(first.entry.constraints).to.equal(r1cs.nConstraints);
    expect(first.entry.nPublic).to.equal(PUBLIC_SIGNAL_NAMES.length);
    expect(first.entry.ptau.power).to.be.at.least(requiredPower(r1cs.nConstraints, r1cs.nPublic));

    const rerunLogs: string[] = [];
    const rerun = await setupInstance("small", {
      log: (m) => rerunLogs.push(m),
      onProgress: () => undefined,
      compile: () => {
        throw new Error("a rerun with nothing changed must not compile");
      },
    });
    expect(rerun.status).to.equal("unchanged");
    expect(rerun.entry).to.deep.equal(first.entry);
    expect(rerunLogs[0]).to.equal(DEVELOPMENT_WARNING);
    const artifacts = await loadArtifacts("small");
    expect(artifacts.vkey.nPublic).to.equal(PUBLIC_SIGNAL_NAMES.length);
  });
});

describe("setup: ptau cache (what interrupted builds leave, what it holds)", function () {
  let cache: string;
  const children: ChildProcess[] = [];
  beforeEach(() => (cache = buildScratchDir("tmp-ptau-cache-")));
  afterEach(async function () {
    await Promise.all(children.splice(0).map((c) => stop(c)));
    fs.rmSync(cache, { recursive: true, force: true });
  });
  after(releaseCurve);

  /** A temporary file as a build of `power` by `pid` (none: an older zkmargin's) would leave it. */
  function temp(power: number, pid: number | undefined, k: number, bytes = 1000): string {
    const random = Math.random().toString(16).slice(2, 14).padEnd(12, "0");
    const owner = pid === undefined ? "" : `${pid}-`;
    const file = path.join(
      cache,
      `.dev-pot${String(power).padStart(2, "0")}.ptau.${owner}${random}.${k}.tmp`,
    );
    fs.writeFileSync(file, Buffer.alloc(bytes));
    return file;
  }

  it("links a cached ptau into the build folder again without leaving a temporary name behind", function () {
    const cached = path.join(cache, "dev-pot09.ptau");
    fs.writeFileSync(cached, "ptau");
    const buildDir = path.join(cache, "build-ptau");
    const info = {
      file: cached,
      power: 9,
      source: "development" as const,
      name: "dev-pot09.ptau",
      sha256: "",
    };
    // The second link finds the same file already there (rename(2) of two links to one file is a no-op).
    for (let run = 0; run < 2; run++) {
      expect(linkIntoBuild(info, buildDir)).to.equal(path.join(buildDir, "dev-pot09.ptau"));
    }
    expect(fs.readdirSync(buildDir)).to.deep.equal(["dev-pot09.ptau"]);
  });

  it("removes every temporary file of a power nobody builds, and those of gone processes where a build runs", async function () {
    const gone = deadPid();
    const idle = [temp(9, gone, 1), temp(9, undefined, 0), temp(9, process.ppid, 2)];
    const builder = await holdLockInChild(path.join(cache, "dev-pot10.ptau"));
    children.push(builder);
    const orphan = temp(10, gone, 1, 500);
    const running = [temp(10, builder.pid, 1, 300), temp(10, undefined, 2, 200)];

    const sweep = await removeOrphanTemps(cache);
    expect(sweep.removed).to.deep.equal({ files: 4, bytes: 3500 });
    expect(sweep.inUse).to.deep.equal({ files: 2, bytes: 500 });
    for (const file of [...idle, orphan]) expect(fs.existsSync(file), file).to.equal(false);
    for (const file of running) expect(fs.existsSync(file), file).to.equal(true);
    expect(fs.existsSync(path.join(cache, "dev-pot09.ptau.lock"))).to.equal(false);
  });

  it("builds a missing power after removing an interrupted build's files, reporting the step with snarkjs's progress", async function () {
    const leftover = temp(8, deadPid(), 1, 4096);
    const events: SetupProgressEvent[] = [];
    const ptau = await ensureDevPtau(8, {
      cacheDir: cache,
      generator: "snarkjs",
      progress: (e) => events.push(e),
    });
    expect(ptau).to.include({ power: 8, source: "development", name: "dev-pot08.ptau" });
    expect(fs.existsSync(leftover)).to.equal(false);
    expect(fs.readdirSync(cache)).to.deep.equal(["dev-pot08.ptau"]);
    expect(events[0]).to.include({ phase: "start", step: "development ptau 2^8" });
    expect(events.at(-1)).to.include({ phase: "end", step: "development ptau 2^8" });
    const details = events.flatMap((e) => (e.phase === "detail" ? [e.message] : []));
    expect(details).to.include.members(["new accumulator", "contribution", "phase-2 preparation"]);
    expect(details.some((d) => /^contribution: processing: tauG1: \d+\/\d+$/.test(d))).to.equal(
      true,
    );

    // Cached now: the next call neither builds nor reports.
    const again: SetupProgressEvent[] = [];
    await ensureDevPtau(8, { cacheDir: cache, progress: (e) => again.push(e) });
    expect(again).to.deep.equal([]);
  });

  it("says what the cache holds: each ptau's power, size and source, and the folder", async function () {
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 5, path.join(cache, "dev-pot05.ptau"));
    fs.writeFileSync(path.join(cache, "powersOfTau28_hez_final_08.ptau"), "not really");
    temp(11, deadPid(), 1, 2_000_000);
    const report = await describePtauCache(cache);
    expect(report.dir).to.equal(cache);
    expect(report.files.map((f) => [f.name, f.power, f.source])).to.deep.equal([
      ["dev-pot05.ptau", 5, "development"],
      ["powersOfTau28_hez_final_08.ptau", undefined, "published"],
    ]);
    const lines = formatPtauCache(report);
    expect(lines[0]).to.equal(`ptau cache ${cache} (set ZKMARGIN_CACHE to move it):`);
    expect(lines[1]).to.match(
      /^ {2}dev-pot05\.ptau: power 5, \d+\.\d kB, development \(one contribution from this machine/,
    );
    expect(lines[2]).to.match(
      /^ {2}powersOfTau28_hez_final_08\.ptau: unreadable \(.*not a ptau file.*\), 10 B, published Hermez file/,
    );
    expect(lines[3]).to.equal("  removed 1 temporary file(s) of interrupted builds (2.0 MB)");
    expect(formatPtauCache(await describePtauCache(path.join(cache, "none")))).to.deep.equal([
      `ptau cache ${path.join(cache, "none")} (set ZKMARGIN_CACHE to move it):`,
      "  empty",
    ]);
  });
});

describe("setup: progress of long steps", function () {
  it("prints a line per step with the time, a heartbeat with what snarkjs is doing, and the duration", async function () {
    const lines: string[] = [];
    const progress = lineProgress({ write: (l) => lines.push(l), heartbeatMs: 40 });
    await step(progress, "phase 2 for demo (2^14)", 256, async (detail) => {
      detail("new zkey: processing constraints: 10000/16000");
      await new Promise((resolve) => setTimeout(resolve, 130));
    });
    expect(lines[0]).to.equal(
      "[0:00] phase 2 for demo (2^14): started, estimate about 4 min 16 s on 2 cores",
    );
    expect(lines.slice(1, -1).length).to.be.at.least(2);
    for (const beat of lines.slice(1, -1)) {
      expect(beat).to.match(
        /^\[0:00\] phase 2 for demo \(2\^14\): 0 s elapsed, estimate about 4 min 16 s on 2 cores; now: new zkey: processing constraints: 10000\/16000$/,
      );
    }
    expect(lines.at(-1)).to.equal("[0:00] phase 2 for demo (2^14): done in 0 s");

    // No heartbeat once the step is over, also after a failure.
    const count = lines.length;
    await refusal(
      step(progress, "compile small", undefined, async () => {
        throw new Error("circom failed");
      }),
    );
    expect(lines.slice(count)).to.deep.equal([
      "[0:00] compile small: started",
      "[0:00] compile small (failed): done in 0 s",
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines).to.have.length(count + 2);
  });

  it("draws a bar only on an interactive terminal outside CI, and prints lines anywhere else", async function () {
    const lines: string[] = [];
    const write = (l: string) => lines.push(l);
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    const ciTerminal = { isTTY: true } as NodeJS.WriteStream;
    for (const progress of [
      setupProgress({ stream: pipe, env: {}, write }),
      setupProgress({ stream: ciTerminal, env: { CI: "true" }, write }),
    ]) {
      await step(progress, "compile demo", undefined, async () => undefined);
    }
    expect(lines).to.deep.equal([
      "[0:00] compile demo: started",
      "[0:00] compile demo: done in 0 s",
      "[0:00] compile demo: started",
      "[0:00] compile demo: done in 0 s",
    ]);
    expect(formatDuration(59.6)).to.equal("60 s");
    expect(formatDuration(125)).to.equal("2 min 05 s");
  });
});
