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
import { runNativeCheck } from "./helpers/native-check";

describe("native MSM (C++ check against the plain sum)", function () {
  this.timeout(300_000);

  it("agrees with sum k_i * P_i on every special case, on one thread and on two", () => {
    // Every case ran: G1 and G2 each 2 x 31 checks, and the batch.
    runNativeCheck("msm_test", ["test/msm_test.cpp", "src/ffiasm.cpp"], 2 * 2 * 31 + 1);
  });
});
