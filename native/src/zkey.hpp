// A Groth16 proving key read from snarkjs's .zkey (format of snarkjs 0.7.6): header, the A and
// B constraint coefficients, and the A, B1, B2, C and H points, kept in native memory. Every
// size is checked against the header, every coordinate is checked to be a reduced field element
// on its curve, and every coefficient's indices are checked, before the key can be used.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "curve.hpp"
#include "fft.hpp"

namespace zkm {

/** One QAP matrix (A or B) by constraint row: row c's terms are [rowStart[c], rowStart[c+1]). */
struct Matrix {
  std::vector<uint32_t> rowStart;
  std::vector<uint32_t> signal;
  /** Coefficients as stored: value * 2^512 mod r, so that a Montgomery product with a plain
   *  witness value gives the Montgomery form of their product. */
  std::vector<Fr> coefficient;
};

struct ProvingKey {
  uint32_t nVars = 0;
  uint32_t nPublic = 0;
  uint32_t domainSize = 0;
  unsigned domainLog = 0;
  G1 alpha1, beta1, delta1;
  G2 beta2, gamma2, delta2;
  Matrix a, b;
  std::vector<G1> pointsA, pointsB1, pointsC, pointsH;
  std::vector<G2> pointsB2;
  std::unique_ptr<Domain> domain;

  /** Reads and checks a .zkey held in memory (the bytes are copied). */
  static std::unique_ptr<ProvingKey> load(const uint8_t *data, uint64_t size, unsigned threads);
};

}  // namespace zkm
