/**
 * One watcher per state file: a watcher holds `<state>.lock` (its process id, host and start
 * time, created exclusively) from its start until it stops, so a second watcher on the same state
 * file is refused at once, naming the first, instead of two of them sending the same submission.
 * A lock left by a process that is gone (killed, crashed) on this host is taken over; one from
 * another host cannot be checked and is refused with the way out.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../errors";

/** What a lock file holds. */
interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** Whether process `pid` of this host is alive (EPERM: alive, another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The owner recorded in a lock file; undefined when unreadable or malformed (being written). */
function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid !== "number" || typeof owner.host !== "string") return undefined;
    return { pid: owner.pid, host: owner.host, since: String(owner.since ?? "") };
  } catch {
    return undefined;
  }
}

/** The lock of one state file, held until {@link StateLock.release}. */
export class StateLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    private readonly token: string,
  ) {
    // A process that exits without stopping its watcher (an uncaught error) still lets go.
    process.once("exit", this.onExit);
  }

  /**
   * Takes the lock of `stateFile`, or throws an {@link InputError} naming the state file and the
   * process that holds it.
   */
  static acquire(stateFile: string): StateLock {
    const file = `${stateFile}.lock`;
    const owner: LockOwner = {
      pid: process.pid,
      host: os.hostname(),
      since: new Date().toISOString(),
    };
    const token = JSON.stringify(owner);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, token, { flag: "wx", mode: 0o600 });
        return new StateLock(file, token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readOwner(file);
      const gone = holder !== undefined && holder.host === owner.host && !alive(holder.pid);
      if (!gone) throw heldBy(stateFile, file, holder);
      fs.rmSync(file, { force: true }); // its process is gone: take it over
    }
    throw heldBy(stateFile, file, readOwner(file));
  }

  /** Lets go of the lock (once; only if the lock file is still this lock's). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off("exit", this.onExit);
    try {
      if (fs.readFileSync(this.file, "utf8") === this.token) fs.rmSync(this.file, { force: true });
    } catch {
      // Already gone.
    }
  }
}

/** The refusal of a lock held by another watcher. */
function heldBy(stateFile: string, lockFile: string, holder: LockOwner | undefined): InputError {
  const who =
    holder === undefined
      ? "another zkmargin watch"
      : holder.pid === process.pid && holder.host === os.hostname()
        ? `another watcher of this process (pid ${holder.pid})`
        : `zkmargin watch process ${holder.pid} on host ${holder.host}` +
          (holder.since === "" ? "" : ` (since ${holder.since})`);
  return new InputError(
    stateFile,
    "$",
    `is in use by ${who}: two watchers must not share a state file; stop that one, or give ` +
      `this one its own --state (if that process is gone, delete ${lockFile})`,
  );
}
