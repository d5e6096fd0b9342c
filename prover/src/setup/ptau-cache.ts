/**
 * The per-machine ptau cache (`${ZKMARGIN_CACHE:-~/.cache/zkmargin}/ptau`): what it holds, and the
 * temporary files of development ptau builds. A build writes `.dev-potNN.ptau.<pid>-<random>.<k>.tmp`
 * under the lock of `dev-potNN.ptau` (`dev-potNN-native.ptau` for the native generator); a build
 * that was interrupted leaves them behind (tens of MB each). They are removed on a later run when
 * nobody builds that power any more (its lock is free) or their owner process is gone.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readPtauHeader } from "./binfile";
import { LockHeldByThisProcessError, LockTimeoutError, processAlive, withLock } from "./lock";
import { ptauCacheDir } from "./paths";

/** What makes a development ptau: the native addon, or snarkjs. */
export type DevPtauGenerator = "native" | "snarkjs";

/** The cache file name of a development ptau of a power. */
export function devPtauName(power: number, generator: DevPtauGenerator = "snarkjs"): string {
  return `dev-pot${String(power).padStart(2, "0")}${generator === "native" ? "-native" : ""}.ptau`;
}

/**
 * The stem of a build's temporary files for `file` (the build adds `.<k>.tmp`): in the cache folder,
 * hidden, named after the target and this process.
 */
export function devPtauTempStem(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}-${randomBytes(6).toString("hex")}`,
  );
}

/** A temporary file of a ptau build: its target's name and its owner's pid (older builds left none). */
interface TempFile {
  file: string;
  target: string;
  pid?: number;
  bytes: number;
}

/**
 * `.dev-pot13.ptau.123-0a1b2c3d4e5f.1.tmp` (or `.dev-pot13-native.ptau...`), or
 * `.dev-pot13.ptau.0a1b2c3d4e5f.1.tmp` before owners were named.
 */
const TEMP = /^\.(dev-pot\d{2}(?:-native)?\.ptau)\.(?:(\d+)-)?[0-9a-f]{12}\.\d\.tmp$/;

function tempFiles(cacheDir: string): TempFile[] {
  if (!fs.existsSync(cacheDir)) return [];
  const found: TempFile[] = [];
  for (const name of fs.readdirSync(cacheDir)) {
    const match = TEMP.exec(name);
    if (!match) continue;
    const file = path.join(cacheDir, name);
    let bytes = 0;
    try {
      bytes = fs.statSync(file).size;
    } catch {
      continue; // removed meanwhile
    }
    found.push({ file, target: match[1], pid: match[2] ? Number(match[2]) : undefined, bytes });
  }
  return found;
}

/** What {@link removeOrphanTemps} removed, and what it left because a live build owns it. */
export interface TempSweep {
  removed: { files: number; bytes: number };
  inUse: { files: number; bytes: number };
}

/**
 * Removes the temporary files of interrupted development ptau builds in `cacheDir`: those of a
 * power whose lock is free (nobody builds it), and those whose owner process is gone from this
 * machine. Never waits for a lock.
 */
export async function removeOrphanTemps(cacheDir: string = ptauCacheDir()): Promise<TempSweep> {
  const sweep: TempSweep = { removed: { files: 0, bytes: 0 }, inUse: { files: 0, bytes: 0 } };
  const remove = (temp: TempFile) => {
    fs.rmSync(temp.file, { force: true });
    sweep.removed.files += 1;
    sweep.removed.bytes += temp.bytes;
  };
  const byTarget = new Map<string, TempFile[]>();
  for (const temp of tempFiles(cacheDir)) {
    byTarget.set(temp.target, [...(byTarget.get(temp.target) ?? []), temp]);
  }
  for (const [target, temps] of byTarget) {
    try {
      await withLock(path.join(cacheDir, target), async () => temps.forEach(remove), {
        waitMs: 0,
        purpose: "removing temporary files of interrupted ptau builds",
      });
    } catch (error) {
      if (!(error instanceof LockTimeoutError || error instanceof LockHeldByThisProcessError)) {
        throw error;
      }
      // Someone builds this power now: only files whose owner is gone are orphans.
      for (const temp of temps) {
        if (temp.pid !== undefined && temp.pid !== process.pid && !processAlive(temp.pid)) {
          remove(temp);
        } else {
          sweep.inUse.files += 1;
          sweep.inUse.bytes += temp.bytes;
        }
      }
    }
  }
  return sweep;
}

/**
 * Removes the temporary files of `file`'s earlier builds; call only while holding `file`'s lock
 * (then every such file is an orphan) and before writing new ones.
 */
export function removeTempsOf(file: string): void {
  const name = path.basename(file);
  for (const temp of tempFiles(path.dirname(file))) {
    if (temp.target === name) fs.rmSync(temp.file, { force: true });
  }
}

/** One ptau file in the cache. */
export interface CachedPtau {
  file: string;
  name: string;
  bytes: number;
  /** From the file's header; undefined when it cannot be read. */
  power?: number;
  /**
   * Development (generated on this machine: by snarkjs with one contribution, or natively from
   * one secret with no transcript), a published Hermez file, or anything else.
   */
  source: "development" | "native development" | "published" | "other";
  /** Why the header could not be read. */
  error?: string;
}

/** What the cache holds. */
export interface PtauCacheReport {
  dir: string;
  files: CachedPtau[];
  sweep: TempSweep;
}

/**
 * Lists the ptau files in the cache (power from each header, size, source) after removing the
 * orphaned temporary files of interrupted builds.
 */
export async function describePtauCache(
  cacheDir: string = ptauCacheDir(),
): Promise<PtauCacheReport> {
  const sweep = await removeOrphanTemps(cacheDir);
  const names = fs.existsSync(cacheDir)
    ? fs.readdirSync(cacheDir).filter((n) => n.endsWith(".ptau") && !n.startsWith("."))
    : [];
  const files: CachedPtau[] = [];
  for (const name of names.sort()) {
    const file = path.join(cacheDir, name);
    const source = /^dev-pot\d{2}\.ptau$/.test(name)
      ? "development"
      : /^dev-pot\d{2}-native\.ptau$/.test(name)
        ? "native development"
        : /^powersOfTau28_hez_final(_\d{2})?\.ptau$/.test(name)
          ? "published"
          : "other";
    const entry: CachedPtau = { file, name, bytes: fs.statSync(file).size, source };
    try {
      entry.power = (await readPtauHeader(file)).power;
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
    }
    files.push(entry);
  }
  return { dir: cacheDir, files, sweep };
}

/** Bytes in words: `37.7 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

const SOURCES: Record<CachedPtau["source"], string> = {
  development: "development (one contribution from this machine: not for production)",
  "native development":
    "development (made natively from one secret on this machine, no transcript: not for production)",
  published: "published Hermez file (its hash is checked when it is used)",
  other: "not made by zkmargin",
};

/** The report as lines for `zkmargin setup`. */
export function formatPtauCache(report: PtauCacheReport): string[] {
  const home = os.homedir();
  const where = report.dir.startsWith(home) ? `~${report.dir.slice(home.length)}` : report.dir;
  const lines = [`ptau cache ${where} (set ZKMARGIN_CACHE to move it):`];
  if (report.files.length === 0) lines.push("  empty");
  for (const f of report.files) {
    const power = f.power === undefined ? `unreadable (${f.error})` : `power ${f.power}`;
    lines.push(`  ${f.name}: ${power}, ${formatBytes(f.bytes)}, ${SOURCES[f.source]}`);
  }
  const { removed, inUse } = report.sweep;
  if (removed.files > 0) {
    lines.push(
      `  removed ${removed.files} temporary file(s) of interrupted builds (${formatBytes(removed.bytes)})`,
    );
  }
  if (inUse.files > 0) {
    lines.push(
      `  ${inUse.files} temporary file(s) of a build in progress (${formatBytes(inUse.bytes)})`,
    );
  }
  return lines;
}
