/**
 * A cross-process lock on a path (`${target}.lock`, proper-lockfile), so two runs that need the
 * same ptau or the same instance keys never build them at the same time.
 *
 * - The holder keeps the lock fresh (proper-lockfile touches it every {@link LOCK_UPDATE_MS}); a
 *   lock not touched for {@link LOCK_STALE_MS} is stale and taken over, and a lock whose holder
 *   process is gone from this machine is taken over at once. A holder that exits, even on a
 *   signal, releases its locks.
 * - Inside the lock folder an owner record names the holder (pid, host, since, purpose), so a
 *   waiter can say who it waits for.
 * - Every wait is bounded: after `waitMs` the waiter fails with a {@link LockTimeoutError} naming
 *   the lock and its holder.
 * - A process never waits on a lock it holds (or already waits for) itself: that fails at once
 *   with a {@link LockHeldByThisProcessError} (an earlier call that never finished, such as a test
 *   hook that timed out, would otherwise block every later call forever).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lockfile from "proper-lockfile";

/** A lock not refreshed for this long is stale (its holder is stuck or gone). */
export const LOCK_STALE_MS = 60_000;
/** How often a holder refreshes its lock. */
export const LOCK_UPDATE_MS = 10_000;
/** Default longest wait for a lock held by another process. */
export const DEFAULT_LOCK_WAIT_MS = 60 * 60_000;
/** How often a waiter re-reads the holder and reports that it still waits. */
export const LOCK_REPORT_MS = 30_000;

/** Who holds a lock, from its owner record. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** What the holder is doing, e.g. "generating dev-pot13.ptau". */
  purpose: string;
}

/** Options of {@link withLock}. */
export interface LockOptions {
  /** What the lock protects, for the owner record and messages; default the target's name. */
  purpose?: string;
  /** Longest wait for another holder before a {@link LockTimeoutError}; default 60 min. */
  waitMs?: number;
  /**
   * Called when the lock is busy, then every {@link LOCK_REPORT_MS} while waiting, with the holder
   * (undefined when it left no owner record) and the time waited so far.
   */
  onWait?: (holder: LockHolder | undefined, waitedMs: number) => void;
  /** Called if the lock is lost while held (the process stalled past the stale time); default: stderr. */
  onLost?: (message: string) => void;
}

/** The holder in words: `pid 123 on host h since 2025-01-01T10:00:00.000Z (generating ...)`. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return "a process that left no owner record";
  return `pid ${holder.pid} on ${holder.host} since ${holder.since} (${holder.purpose})`;
}

function minutes(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

/** Thrown when a lock stays held by another process for longer than the wait allowed. */
export class LockTimeoutError extends Error {
  constructor(
    readonly lock: string,
    readonly holder: LockHolder | undefined,
    readonly waitedMs: number,
  ) {
    super(
      `${lock}: still held by ${describeHolder(holder)} after waiting ${minutes(waitedMs)}; ` +
        `wait for it to finish or stop it (a holder that is gone or stuck loses the lock ` +
        `${minutes(LOCK_STALE_MS)} after its last refresh)`,
    );
    this.name = "LockTimeoutError";
  }
}

/** Thrown when a process asks for a lock it already holds. */
export class LockHeldByThisProcessError extends Error {
  constructor(
    readonly lock: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${lock}: already held by this process (${describeHolder(holder)}); an earlier call in ` +
        `this process has not finished (for example a test hook that timed out), so waiting for ` +
        `it could last forever`,
    );
    this.name = "LockHeldByThisProcessError";
  }
}

const OWNER = "owner.json";
/** The owner file of locks taken by zkmargin before proper-lockfile (read, never written). */
const LEGACY_OWNER = "pid";

/** Locks this process holds or waits for, by lock folder. */
const heldHere = new Map<string, LockHolder>();

/**
 * proper-lockfile's file system, except that the lock folder is created with the owner record
 * inside (before proper-lockfile reads the folder's time, which the record's creation changes) and
 * removed with it (proper-lockfile removes it with rmdir, which needs it empty).
 */
function lockFsFor(owner: () => LockHolder) {
  return {
    ...fs,
    mkdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
      fs.mkdir(dir, (error) => {
        if (error) return callback(error);
        fs.writeFile(path.join(dir, OWNER), JSON.stringify(owner()), () => callback(null));
      }),
    rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
      fs.rm(dir, { recursive: true, force: true }, callback),
    rmdirSync: (dir: string) => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function lockDirOf(target: string): string {
  return `${path.resolve(target)}.lock`;
}

/** The holder named by a lock folder's owner record (or a legacy pid file), if readable. */
export function readLockHolder(target: string): LockHolder | undefined {
  const dir = lockDirOf(target);
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, OWNER), "utf8")) as LockHolder;
    if (Number.isSafeInteger(record.pid) && typeof record.host === "string") return record;
  } catch {
    // No record yet (the holder is between taking the lock and writing it), or an older lock.
  }
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dir, LEGACY_OWNER), "utf8"), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
    const since = fs.statSync(dir).mtime.toISOString();
    return { pid, host: os.hostname(), since, purpose: "an older zkmargin" };
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live process on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The staleness to try the lock with. A holder that is a process of this machine and is gone
 * cannot refresh its lock: its lock is marked stale at once (its time set to the epoch) so that
 * proper-lockfile takes it over now rather than {@link LOCK_STALE_MS} after its last refresh. A
 * live holder of an older zkmargin does not refresh its lock, so its lock is never stale.
 */
function staleFor(target: string, holder: LockHolder | undefined): number {
  if (holder === undefined || holder.host !== os.hostname()) return LOCK_STALE_MS;
  const dir = lockDirOf(target);
  if (!processAlive(holder.pid)) {
    try {
      if (readLockHolder(target)?.pid === holder.pid) fs.utimesSync(dir, 0, 0);
    } catch {
      // Released meanwhile: the next attempt takes it.
    }
    return LOCK_STALE_MS;
  }
  return fs.existsSync(path.join(dir, LEGACY_OWNER)) ? Number.POSITIVE_INFINITY : LOCK_STALE_MS;
}

function isBusy(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ELOCKED";
}

/**
 * Runs `fn` while holding the lock on `target` (see the module comment). Waits, with backoff,
 * while another process holds it, for at most `options.waitMs`.
 */
export async function withLock<T>(
  target: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const dir = lockDirOf(target);
  const mine = heldHere.get(dir);
  if (mine !== undefined) throw new LockHeldByThisProcessError(dir, mine);
  const purpose = options.purpose ?? path.basename(target);
  const self: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    purpose: `waiting to take the lock for ${purpose}`,
  };
  heldHere.set(dir, self);
  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    let lost: Error | undefined;
    const lockFs = lockFsFor(() => {
      self.since = new Date().toISOString();
      self.purpose = purpose;
      return self;
    });
    const attempt = (stale: number, waitMs: number) =>
      lockfile.lock(target, {
        realpath: false,
        lockfilePath: dir,
        fs: lockFs,
        stale,
        update: LOCK_UPDATE_MS,
        onCompromised: (error) => {
          lost = error;
          (options.onLost ?? ((m) => void process.stderr.write(`${m}\n`)))(
            `${dir}: lock lost while held (${error.message}); another process may have taken it over`,
          );
        },
        retries:
          waitMs <= 0
            ? 0
            : {
                retries: Math.ceil(waitMs / 1000) + 10,
                minTimeout: 200,
                maxTimeout: 2000,
                factor: 1.5,
                maxRetryTime: waitMs,
              },
      });

    const started = Date.now();
    const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
    let release: (() => Promise<void>) | undefined;
    let holder = readLockHolder(target);
    try {
      release = await attempt(staleFor(target, holder), 0);
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
    while (release === undefined) {
      holder = readLockHolder(target);
      const waited = Date.now() - started;
      if (waited >= waitMs) throw new LockTimeoutError(dir, holder, waited);
      options.onWait?.(holder, waited);
      try {
        release = await attempt(
          staleFor(target, holder),
          Math.min(LOCK_REPORT_MS, waitMs - waited),
        );
      } catch (error) {
        if (!isBusy(error)) throw error;
      }
    }

    try {
      return await fn();
    } finally {
      if (lost === undefined) await release().catch(() => undefined);
      else if (readLockHolder(target)?.since === self.since) {
        // Lost to a stall, but nobody took it over: the folder is still ours to remove.
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    heldHere.delete(dir);
  }
}
