/** This process's open file descriptors, to catch calls that leave files open. */
import { expect } from "chai";
import * as fs from "node:fs";

const FD_DIR = fs.existsSync("/proc/self/fd") ? "/proc/self/fd" : "/dev/fd";

/** How long a closing descriptor may take to go (fastfile closes without awaiting the close). */
const SETTLE_MS = 2000;

/** What this process's descriptors point to (a file's path, a pipe, ...) with how many point there. */
export function openFiles(): Map<string, number> {
  const files = new Map<string, number>();
  for (const fd of fs.readdirSync(FD_DIR)) {
    let target: string;
    try {
      target = fs.readlinkSync(`${FD_DIR}/${fd}`);
    } catch {
      continue; // closed meanwhile (or the listing's own descriptor)
    }
    files.set(target, (files.get(target) ?? 0) + 1);
  }
  return files;
}

/** The targets with more descriptors in `after` than in `before`. */
function opened(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([file, n]) => n > (before.get(file) ?? 0)).map(([file]) => file);
}

/**
 * Runs `call` (whether it fulfils or rejects) and fails the test, naming the files, if within
 * {@link SETTLE_MS} after it some file has more descriptors open than before, or if meanwhile
 * Node.js closed a forgotten FileHandle at garbage collection (its warning, DEP0137, is how a
 * leak shows when garbage collection runs before the count); then returns what the call returned
 * or throws what it threw. Build snarkjs's curve first (`bn128()`): its worker threads open
 * descriptors of their own.
 */
export async function withoutDescriptorLeak<T>(what: string, call: () => Promise<T>): Promise<T> {
  const collected: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => {
    if (warning.code === "DEP0137" || /on garbage collection/.test(warning.message)) {
      collected.push(warning.message);
    }
  };
  process.on("warning", onWarning);
  try {
    const before = openFiles();
    const [outcome] = await Promise.allSettled([call()]);
    const deadline = Date.now() + SETTLE_MS;
    let left = opened(before, openFiles());
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      left = opened(before, openFiles());
    }
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    expect(left, `${what}: files left open after the call`).to.deep.equal([]);
    expect(collected, `${what}: FileHandles closed by garbage collection`).to.deep.equal([]);
    if (outcome.status === "rejected") throw outcome.reason;
    return outcome.value;
  } finally {
    process.off("warning", onWarning);
  }
}
