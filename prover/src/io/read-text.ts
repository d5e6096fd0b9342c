/** Reading a text file with file-named errors. */
import * as fs from "node:fs";
import { InputError } from "../errors";

/** JSON path (or place) used in errors about a file as a whole (missing, unreadable, malformed). */
export const WHOLE_FILE = "$";

/** Reads `file` as UTF-8; a missing or unreadable file is an {@link InputError}. */
export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      WHOLE_FILE,
      code === "ENOENT" ? "file not found" : `unreadable (${code})`,
    );
  }
}
