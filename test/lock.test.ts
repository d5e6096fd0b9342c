import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LockHeldByThisProcessError,
  LockTimeoutError,
  readLockHolder,
  withLock,
} from "../prover/src/setup/lock";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";

const LOCK_MODULE = path.resolve(__dirname, "..", "prover", "src", "setup", "lock.ts");

/** A child process that takes the lock on `target`, prints "locked", and holds it until killed. */
function holdLockInChild(target: string): Promise<ChildProcess> {
  const code =
    `require(${JSON.stringify(LOCK_MODULE)}).withLock(${JSON.stringify(target)}, ` +
    `() => { process.stdout.write("locked\\n"); return new Promise(() => setInterval(() => {}, 1000)); }, ` +
    `{ purpose: "holding it for the test" })`;
  const child = spawn(process.execPath, ["-r", "tsx/cjs", "-e", code], {
    cwd: path.resolve(__dirname, ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("the child did not take the lock in 60 s")),
      60_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("locked")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the child exited (${code}) before taking the lock`));
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout;
  return Number(pid);
}

describe("setup: locks (proper-lockfile)", function () {
  let work: string;
  let target: string;
  const children: ChildProcess[] = [];

  before(() => (work = buildScratchDir("tmp-lock-")));
  beforeEach(() => (target = path.join(work, `file-${Math.random().toString(16).slice(2)}`)));
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => stop(c)));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("holds the lock while the work runs, records its owner, and releases it after a success or a throw", async function () {
    const seen = await withLock(target, async () => readLockHolder(target), { purpose: "a test" });
    expect(seen).to.include({ pid: process.pid, host: os.hostname(), purpose: "a test" });
    expect(fs.existsSync(`${target}.lock`)).to.equal(false);
    const thrown = await refusal(
      withLock(target, async () => {
        throw new Error("the work failed");
      }),
    );
    expect(thrown.message).to.equal("the work failed");
    expect(fs.existsSync(`${target}.lock`)).to.equal(false);
  });

  it("refuses at once a lock this process already holds, naming it and its holder", async function () {
    const started = Date.now();
    const inner = await withLock(target, () => refusal(withLock(target, async () => "never")), {
      purpose: "setting up small",
    });
    expect(inner).to.be.instanceOf(LockHeldByThisProcessError);
    expect(inner.message)
      .to.contain(`${target}.lock`)
      .and.contain(`pid ${process.pid}`)
      .and.contain("setting up small")
      .and.contain("has not finished");
    expect(Date.now() - started).to.be.below(2000);
  });

  it("waits for another process, reports who holds the lock, and gives up with a clear error after waitMs", async function () {
    const child = await holdLockInChild(target);
    children.push(child);
    const waits: string[] = [];
    const e = await refusal(
      withLock(target, async () => "never", {
        waitMs: 1500,
        onWait: (holder) => waits.push(`${holder?.pid} ${holder?.purpose}`),
      }),
    );
    expect(e).to.be.instanceOf(LockTimeoutError);
    expect(e.message)
      .to.contain(`${target}.lock`)
      .and.contain(`still held by pid ${child.pid}`)
      .and.contain("holding it for the test");
    expect(e.message).to.match(/after waiting \d+ s;/);
    expect(waits[0]).to.equal(`${child.pid} holding it for the test`);
  });

  it("takes the lock as soon as the other process releases it", async function () {
    const child = await holdLockInChild(target);
    children.push(child);
    setTimeout(() => void stop(child), 1000);
    const started = Date.now();
    const result = await withLock(target, async () => "ours", { waitMs: 30_000 });
    expect(result).to.equal("ours");
    expect(Date.now() - started).to.be.below(20_000);
  });

  it("is released when its holder is stopped by a signal", async function () {
    const child = await holdLockInChild(target);
    await stop(child, "SIGINT");
    expect(fs.existsSync(`${target}.lock`)).to.equal(false);
  });

  it("takes over at once a fresh lock whose holder process is gone, and an older zkmargin's", async function () {
    const dir = `${target}.lock`;
    fs.mkdirSync(dir);
    const gone = {
      pid: deadPid(),
      host: os.hostname(),
      since: new Date().toISOString(),
      purpose: "x",
    };
    fs.writeFileSync(path.join(dir, "owner.json"), JSON.stringify(gone));
    const started = Date.now();
    expect(await withLock(target, async () => "taken", { waitMs: 5000 })).to.equal("taken");
    expect(Date.now() - started).to.be.below(4000);

    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "pid"), String(deadPid()));
    expect(await withLock(target, async () => "legacy taken", { waitMs: 5000 })).to.equal(
      "legacy taken",
    );
    expect(fs.existsSync(dir)).to.equal(false);
  });

  it("waits for a live older zkmargin's lock instead of taking it as stale", async function () {
    const dir = `${target}.lock`;
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "pid"), String(process.ppid));
    fs.utimesSync(dir, 0, 0); // an old lock that an older zkmargin never refreshes
    const e = await refusal(withLock(target, async () => "never", { waitMs: 1000 }));
    expect(e).to.be.instanceOf(LockTimeoutError);
    expect(e.message).to.contain(`pid ${process.ppid}`).and.contain("an older zkmargin");
    fs.rmSync(dir, { recursive: true });
  });
});
