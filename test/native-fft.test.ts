/**
 * The native number-theoretic transform (native/src/fft.cpp: parallel bit reversal, the first
 * stages in cache-sized blocks, the rest in tiles of columns, per-stage twiddle tables, the coset
 * scaling fused) against the textbook radix-2 transform it replaced and, on small sizes, the
 * plain sum: forward, inverse, inverseToCoset and inverse(forward(x)) = x on random inputs of
 * every size 2^1..2^14 and of 2^16 and 2^17, on one, two and three threads. Its roots are
 * checked against ffjavascript's (snarkjs's curve), so the zkey's H points stay valid. The check
 * is a C++ program (native/test/fft_test.cpp) built here with g++ against the addon's generated
 * field code, so it needs the addon built (`npm run build:native`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { bn128, releaseCurve } from "../prover/src/setup/snarkjs";
import { buildScratchDir } from "./helpers/scratch";

const NATIVE = path.resolve(__dirname, "..", "native");
/** Sizes the check covers (2^1..2^14, 2^16, 2^17): the roots it needs are w_1..w_17. */
const LARGEST_LOG = 17;
/** Cases a size: two root checks and five a thread count (1, 2, 3); two plain sums to 2^8. */
const CASES = 16 * (2 + 3 * 5) + 8 * 2;

/** The bits of ffjavascript's Fr these tests call (ffjavascript has no types). */
interface SnarkField {
  w: Uint8Array[];
  toObject(a: Uint8Array): bigint;
}

describe("native FFT (C++ check against the textbook transform)", function () {
  this.timeout(300_000);

  after(releaseCurve);

  it("equals the textbook transform and the plain sum, with ffjavascript's roots", async () => {
    const objects = ["fq.o", "fr.o"].map((file) => path.join(NATIVE, "gen", file));
    for (const file of objects) {
      if (!fs.existsSync(file)) {
        throw new Error(
          `${file} is missing: run npm run build:native (it generates the field code)`,
        );
      }
    }
    const field = ((await bn128()) as unknown as { Fr: SnarkField }).Fr;
    const roots: string[] = [];
    for (let log = 1; log <= LARGEST_LOG; log++) {
      roots.push(field.toObject(field.w[log]).toString(16).padStart(64, "0"));
    }
    const dir = buildScratchDir("native-fft-");
    try {
      check(path.join(dir, "fft_test"), objects, roots);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Builds the C++ check into `binary` and runs it: every case passes and every case ran. */
function check(binary: string, objects: string[], roots: string[]): void {
  const build = spawnSync(
    "g++",
    [
      "-std=c++17",
      "-O2",
      "-Wall",
      "-Wextra",
      "-Werror",
      path.join(NATIVE, "test", "fft_test.cpp"),
      path.join(NATIVE, "src", "fft.cpp"),
      path.join(NATIVE, "src", "ffiasm.cpp"),
      ...objects,
      "-o",
      binary,
    ],
    { encoding: "utf8", timeout: 180_000 },
  );
  expect(build.error, "g++ could not be run").to.equal(undefined);
  expect(build.status, `g++ failed:\n${build.stderr}`).to.equal(0);
  const run = spawnSync(binary, roots, { encoding: "utf8", timeout: 180_000 });
  expect(run.error, "the FFT check could not be run or timed out").to.equal(undefined);
  const lines = run.stdout.trim().split("\n");
  expect(
    lines.filter((line) => !line.startsWith("ok ")),
    run.stdout,
  ).to.deep.equal(["0 failures"]);
  expect(lines.filter((line) => line.startsWith("ok ")).length).to.equal(CASES);
  expect(run.status).to.equal(0);
}
