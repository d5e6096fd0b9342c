/**
 * Runs a C++ check of native/ (a program under native/test that prints "ok <case>" a passing
 * case, "FAIL <case>" a failing one, then "<k> failures"): builds it with g++ against the addon's
 * generated field code (so the addon must be built: `npm run build:native`) in a scratch folder,
 * runs it with a timeout, and expects every case to pass and exactly `cases` cases to have run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { buildScratchDir } from "./scratch";

const NATIVE = path.resolve(__dirname, "..", "..", "native");

/**
 * Builds `sources` (paths relative to native/, the check's own file first) into a program named
 * `name`, runs it with `args` and checks its report.
 */
export function runNativeCheck(
  name: string,
  sources: string[],
  cases: number,
  args: string[] = [],
): void {
  const objects = ["fq.o", "fr.o"].map((file) => path.join(NATIVE, "gen", file));
  for (const file of objects) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: run npm run build:native (it generates the field code)`);
    }
  }
  const dir = buildScratchDir(`native-${name}-`);
  try {
    const binary = path.join(dir, name);
    const build = spawnSync(
      "g++",
      [
        "-std=c++17",
        "-O2",
        "-Wall",
        "-Wextra",
        "-Werror",
        ...sources.map((source) => path.join(NATIVE, source)),
        ...objects,
        "-o",
        binary,
      ],
      { encoding: "utf8", timeout: 180_000 },
    );
    expect(build.error, "g++ could not be run").to.equal(undefined);
    expect(build.status, `g++ failed:\n${build.stderr}`).to.equal(0);
    const run = spawnSync(binary, args, { encoding: "utf8", timeout: 180_000 });
    expect(run.error, `the check ${name} could not be run or timed out`).to.equal(undefined);
    const lines = run.stdout.trim().split("\n");
    expect(
      lines.filter((line) => !line.startsWith("ok ")),
      run.stdout,
    ).to.deep.equal(["0 failures"]);
    expect(lines.filter((line) => line.startsWith("ok ")).length).to.equal(cases);
    expect(run.status).to.equal(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
