/** JSON file helpers: reading with file-named errors, writing with bigints as decimal strings. */
import { InputError } from "../errors";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic-write";
import { WHOLE_FILE, readTextFile } from "./read-text";

export { WHOLE_FILE };

/** Reads and parses a JSON file; a missing, unreadable or malformed file is an {@link InputError}. */
export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(file, WHOLE_FILE, `malformed JSON (${(error as Error).message})`);
  }
}

/** `JSON.stringify` with two-space indentation, bigints as decimal strings and a final newline. */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) +
    "\n"
  );
}

/** Writes `value` as JSON ({@link toJson}) atomically. */
export function writeJsonFile(file: string, value: unknown, options?: AtomicWriteOptions): void {
  writeFileAtomic(file, toJson(value), options);
}
