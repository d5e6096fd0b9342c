/** Lock holders for tests: a child process that holds a lock, and the pid of a process that is gone. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as path from "node:path";

const LOCK_MODULE = path.resolve(__dirname, "..", "..", "prover", "src", "setup", "lock.ts");

/** A child process that takes the lock on `target` and holds it until it is stopped. */
export function holdLockInChild(target: string): Promise<ChildProcess> {
  const code =
    `require(${JSON.stringify(LOCK_MODULE)}).withLock(${JSON.stringify(target)}, ` +
    `() => { process.stdout.write("locked\\n"); return new Promise(() => setInterval(() => {}, 1000)); }, ` +
    `{ purpose: "holding it for the test" })`;
  const child = spawn(process.execPath, ["-r", "tsx/cjs", "-e", code], {
    cwd: path.resolve(__dirname, "..", ".."),
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

export /** Stops `child` (if running) and waits for its exit. */
function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}

/** The pid of a process that has exited. */
export function deadPid(): number {
  const pid = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  }).stdout;
  return Number(pid);
}
