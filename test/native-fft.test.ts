/**
 * The native number-theoretic transform (native/src/fft.cpp: bit reversal by squares, the first
 * stages in cache-sized blocks, the rest in tiles of columns, per-stage twiddle tables, the coset
 * scaling fused) against the textbook radix-2 transform it replaced and, on small sizes, the
 * plain sum: forward, inverse, inverseToCoset and inverse(forward(x)) = x on random inputs of
 * every size 2^1..2^14 and of 2^16 and 2^17, on one, two and three threads. Its roots are
 * checked against ffjavascript's (snarkjs's curve), so the zkey's H points stay valid. The check
 * is a C++ program (native/test/fft_test.cpp) built here with g++ against the addon's generated
 * field code, so it needs the addon built (`npm run build:native`).
 */
import { bn128, releaseCurve } from "../prover/src/setup/snarkjs";
import { runNativeCheck } from "./helpers/native-check";

/** Sizes the check covers (2^1..2^14, 2^16, 2^17): the roots it needs are w_1..w_17. */
const LARGEST_LOG = 17;
/** Cases: a size two root checks and five a thread count (1, 2, 3); two plain sums to 2^8. */
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
    const field = ((await bn128()) as unknown as { Fr: SnarkField }).Fr;
    const roots: string[] = [];
    for (let log = 1; log <= LARGEST_LOG; log++) {
      roots.push(field.toObject(field.w[log]).toString(16).padStart(64, "0"));
    }
    runNativeCheck(
      "fft_test",
      ["test/fft_test.cpp", "src/fft.cpp", "src/ffiasm.cpp"],
      CASES,
      roots,
    );
  });
});
