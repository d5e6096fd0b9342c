/** Scratch folders for tests, inside the project's ignored build/ folder. */
import * as fs from "node:fs";
import * as path from "node:path";

const BUILD = path.resolve(__dirname, "..", "..", "build");

/** A new empty folder `build/<prefix>XXXXXX` (build/ is created on a fresh clone). */
export function buildScratchDir(prefix: string): string {
  fs.mkdirSync(BUILD, { recursive: true });
  return fs.mkdtempSync(path.join(BUILD, prefix));
}
