/**
 * One watcher per state file (prover/src/watch/state-lock.ts): a held lock refuses a second
 * holder, naming the first; a lock left by a process that is gone is taken over; a released lock
 * can be taken again, and a lock is only ever removed by its holder. Watchers on a chain:
 * test/watch.test.ts and test/watch-cli.test.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { InputError } from "../prover/src/errors";
import { StateLock } from "../prover/src/watch";
import { removeTempDirs, tempDir } from "./helpers/cli";

describe("the watcher's state-file lock", function () {
  after(removeTempDirs);

  it("refuses a second holder, naming the first, until the first lets go", function () {
    const state = path.join(tempDir(), "watch", "state.json");
    const first = StateLock.acquire(state);
    expect(fs.statSync(`${state}.lock`).mode & 0o777).to.equal(0o600);
    let refusal: unknown;
    try {
      StateLock.acquire(state);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(InputError);
    expect((refusal as Error).message).to.equal(
      `${state}: $: is in use by another watcher of this process (pid ${process.pid}): two watchers ` +
        `must not share a state file; stop that one, or give this one its own --state (if that ` +
        `process is gone, delete ${state}.lock)`,
    );
    first.release();
    expect(fs.existsSync(`${state}.lock`)).to.equal(false);
    StateLock.acquire(state).release();
  });

  it("takes over a lock whose process is gone, and refuses one of another host", function () {
    const state = path.join(tempDir(), "state.json");
    const gone = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid;
    fs.writeFileSync(`${state}.lock`, JSON.stringify({ pid: gone, host: hostname(), since: "x" }));
    const lock = StateLock.acquire(state);
    expect(JSON.parse(fs.readFileSync(`${state}.lock`, "utf8"))).to.include({ pid: process.pid });
    lock.release();

    const remote = { pid: 1234, host: "elsewhere", since: "2026-12-07T00:00:00.000Z" };
    fs.writeFileSync(`${state}.lock`, JSON.stringify(remote));
    expect(() => StateLock.acquire(state)).to.throw(
      InputError,
      "is in use by zkmargin watch process 1234 on host elsewhere (since 2026-12-07T00:00:00.000Z)",
    );
    // A lock that is not its own is never removed by a release.
    lock.release();
    expect(JSON.parse(fs.readFileSync(`${state}.lock`, "utf8"))).to.deep.equal(remote);
  });
});
