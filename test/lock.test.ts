import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LOCK_UPDATE_MS,
  LockHeldByThisProcessError,
  LockTimeoutError,
  readLockHolder,
  withLock,
} from "../prover/src/setup/lock";
import { refusal } from "./helpers/refusal";
import { deadPid, holdLockInChild, stop } from "./helpers/locks";
import { buildScratchDir } from "./helpers/scratch";

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

  it("keeps a lock held across its refreshes (the owner record does not make it look taken over)", async function () {
    this.timeout(60_000);
    const lost: string[] = [];
    await withLock(
      target,
      () => new Promise((resolve) => setTimeout(resolve, LOCK_UPDATE_MS * 2.5)),
      { onLost: (m) => lost.push(m) },
    );
    expect(lost).to.deep.equal([]);
    expect(fs.existsSync(`${target}.lock`)).to.equal(false);
  });

  it("refuses at once a second call of this process while the first still waits for another process", async function () {
    const child = await holdLockInChild(target);
    children.push(child);
    const first = withLock(target, async () => "first", { waitMs: 60_000 });
    const second = await refusal(withLock(target, async () => "second"));
    expect(second).to.be.instanceOf(LockHeldByThisProcessError);
    expect(second.message).to.contain("waiting to take the lock");
    await stop(child);
    expect(await first).to.equal("first");
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
