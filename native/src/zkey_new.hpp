// The initial Groth16 proving key of a circuit over a prepared ptau, as snarkjs 0.7.6's `zkey new`
// writes it, byte for byte (so that `snarkjs zkey verify` recomputes the same file and accepts the
// contributions made on it): header, constraint coefficients, the IC, C, A, B1 and B2 points as
// sums of the ptau's Lagrange points weighted by the r1cs coefficients, the H points, and the
// circuit hash (BLAKE2b-512 of every point, in snarkjs's order) with no contribution.
#pragma once
#include <cstdint>
#include <string>

namespace zkm {

struct NewZkey {
  /** The circuit hash snarkjs prints ("Circuit hash"), 64 bytes. */
  uint8_t circuitHash[64];
  uint32_t domainSize = 0;
};

/**
 * Writes `zkeyFile` (which must not exist). snarkjs's circuit hash covers, among the H points'
 * differences [tau^(n+j)]G1 - [tau^j]G1, one more than there are when the domain n exceeds 2^14
 * (j = n - 1); when the ptau's power is the circuit's, that one is read past the ptau's section 2,
 * and its 64 hashed bytes must be given as `hashTail` (computed as snarkjs computes them); it is
 * ignored otherwise. Throws an error naming the file and the rule.
 */
NewZkey newZkey(const std::string &r1csFile, const std::string &ptauFile, const std::string &zkeyFile,
                const uint8_t *hashTail, unsigned threads);

/** True when {@link newZkey} needs `hashTail` for a domain of 2^circuitPower over a ptau of 2^ptauPower. */
inline bool needsHashTail(unsigned circuitPower, unsigned ptauPower) {
  return circuitPower > 14 && circuitPower == ptauPower;
}

}  // namespace zkm
