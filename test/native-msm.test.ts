/**
 * The native MSM (native/src/msm.hpp: signed windows, batch-affine bucket trees, window pieces
 * shared by the threads) against the plain sum of k_i * P_i, over G1 and G2, on the cases its
 * bucket method treats specially: zero scalars, 1, r - 1, the halving boundary, carries between
 * signed windows, points at infinity, one point, a point twice and a point beside its negation
 * in one bucket (a doubling and a sum at infinity inside one batch), every point in one bucket,
 * sizes below and above the one-thread threshold, and several MSMs in one batch. The check is a
 * C++ program (native/test/msm_test.cpp) built here with g++ against the addon's generated field
 * code, so it needs the addon built (`npm run build:native`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { buildScratchDir } from "./helpers/scratch";

const NATIVE = path.resolve(__dirname, "..", "native");

describe("native MSM (C++ check against the plain sum)", function () {
  this.timeout(300_000);

  it("agrees with sum k_i * P_i on every special case, on one thread and on two", () => {
    const objects = ["fq.o", "fr.o"].map((file) => path.join(NATIVE, "gen", file));
    for (const file of objects) {
      if (!fs.existsSync(file)) {
        throw new Error(
          `${file} is missing: run npm run build:native (it generates the field code)`,
        );
      }
    }
    const dir = buildScratchDir("native-msm-");
    try {
      check(path.join(dir, "msm_test"), objects);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Builds the C++ check into `binary` and runs it: every case passes and every case ran. */
function check(binary: string, objects: string[]): void {
  const build = spawnSync(
    "g++",
    [
      "-std=c++17",
      "-O2",
      "-Wall",
      "-Wextra",
      "-Werror",
      path.join(NATIVE, "test", "msm_test.cpp"),
      path.join(NATIVE, "src", "ffiasm.cpp"),
      ...objects,
      "-o",
      binary,
    ],
    { encoding: "utf8", timeout: 180_000 },
  );
  expect(build.error, "g++ could not be run").to.equal(undefined);
  expect(build.status, `g++ failed:\n${build.stderr}`).to.equal(0);
  const run = spawnSync(binary, [], { encoding: "utf8", timeout: 180_000 });
  expect(run.error, "the MSM check could not be run or timed out").to.equal(undefined);
  const lines = run.stdout.trim().split("\n");
  expect(
    lines.filter((line) => !line.startsWith("ok ")),
    run.stdout,
  ).to.deep.equal(["0 failures"]);
  // Every case ran: G1 and G2 each 2 x 31 checks, and the batch.
  expect(lines.filter((line) => line.startsWith("ok ")).length).to.equal(2 * 2 * 31 + 1);
  expect(run.status).to.equal(0);
}
