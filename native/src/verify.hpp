// Groth16 verification on BN254, as snarkjs 0.7.6's groth16.verify decides it:
// e(-A, B) e(vk_x, gamma) e(C, delta) e(alpha, beta) = 1 with vk_x = IC_0 + sum_i s_i IC_(i+1).
// Proof points must be on their curves and B in G2's subgroup, public signals below r.
#pragma once
#include <cstdint>
#include <vector>

#include "curve.hpp"

namespace zkm {

struct VerifyingKey {
  G1 alpha1;
  G2 beta2, gamma2, delta2;
  std::vector<G1> ic;

  /**
   * Reads plain little-endian 32-byte coordinates: alpha1 (x, y), beta2, gamma2, delta2
   * (x.c0, x.c1, y.c0, y.c1), then IC_0 .. IC_n (x, y); (0, 0) is the point at infinity. Throws
   * when the size is wrong or a point is not reduced, on its curve and (G2) in the subgroup.
   */
  static VerifyingKey read(const uint8_t *data, uint64_t size);
};

/**
 * True when the proof (A: x, y; B: x.c0, x.c1, y.c0, y.c1; C: x, y; plain 32-byte little-endian
 * values, 256 bytes) verifies for the public signals (32 bytes each, as many as IC has after
 * IC_0). A malformed proof or a signal not below r gives false; a wrong count of signals throws.
 */
bool verifyGroth16(const VerifyingKey &key, const uint8_t *proof, uint64_t proofSize, const uint8_t *signals,
                   uint64_t signalsSize);

}  // namespace zkm
