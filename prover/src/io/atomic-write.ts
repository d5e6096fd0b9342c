/**
 * Atomic file writes (write-file-atomic): data goes to a temporary file beside the target, is
 * flushed to disk and given its mode, and is then moved into place, so a reader never sees a
 * half-written file and an interrupted run leaves the previous file (or none) behind. On top of
 * the library: parent folders are created, the mode defaults to 0o644 rather than the replaced
 * file's, and `overwrite: false` refuses an existing target atomically.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import writeFileAtomicLib from "write-file-atomic";

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o644); applied before the file becomes visible. */
  mode?: number;
  /**
   * When false, an existing file at the target is never replaced: the write fails with a
   * {@link FileExistsError} instead, atomically (no check-then-write race). Default true.
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
  const bytes =
    typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (options.overwrite !== false) {
    writeFileAtomicLib.sync(file, bytes, { mode, fsync: true });
    return;
  }
  // The library always replaces its target; to refuse an existing one, write a complete sibling
  // and link(2) it into place, which fails with EEXIST when the target exists: no window between
  // the check and the write.
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    writeFileAtomicLib.sync(temp, bytes, { mode, fsync: true });
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(file);
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
