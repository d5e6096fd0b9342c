/**
 * Atomic file writes: data goes to a temporary file in the target's directory, is flushed to disk,
 * and is then moved into place, so a reader never sees a half-written file and an interrupted run
 * leaves the previous file (or none) behind.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o644); applied before the file becomes visible. */
  mode?: number;
  /**
   * When false, an existing file at the target is never replaced: the write fails with an
   * `EEXIST` error instead, atomically (no check-then-write race). Default true.
   */
  overwrite?: boolean;
}

/** Thrown by {@link writeFileAtomic} when `overwrite: false` and the target already exists. */
export class FileExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file}: already exists`);
    this.name = "FileExistsError";
  }
}

/** Writes `data` to `file` atomically (temp file + fsync + rename or link), creating parent folders. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const mode = options.mode ?? 0o644;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = fs.openSync(temp, "wx", mode);
  try {
    fs.fchmodSync(fd, mode); // the umask must not widen or narrow the requested mode
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    if (options.overwrite === false) {
      // link(2) fails with EEXIST when the target exists: no window between check and write.
      fs.linkSync(temp, file);
    } else {
      fs.renameSync(temp, file);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(file);
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
