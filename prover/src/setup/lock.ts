/**
 * A cross-process lock on a path (a `.lock` folder created atomically with mkdir), so two runs
 * that need the same ptau or the same instance keys never build them at the same time. A lock
 * whose owner process is gone is taken over.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const POLL_MS = 250;

function ownerAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(path.join(lockDir, "pid"), "utf8"), 10);
  } catch {
    // The owner is between mkdir and writing its pid, or the lock was just released.
    return true;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` while holding the lock `${target}.lock`; waits (polling) while another live process
 * holds it. `onWait` is called once if the lock is busy.
 */
export async function withLock<T>(
  target: string,
  fn: () => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  const lockDir = `${target}.lock`;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  let warned = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!ownerAlive(lockDir)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!warned && onWait) onWait();
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  try {
    fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
