// The Groth16 prover: from a proving key and a circom witness (.wtns bytes) to a proof, in the
// same steps and with the same conventions as snarkjs 0.7.6's groth16 prove, so that snarkjs and
// the generated Solidity verifier accept it.
#pragma once
#include <cstdint>
#include <vector>

#include "zkey.hpp"

namespace zkm {

/** Seconds spent in each phase of one proof (the bench's phases). */
struct Phases {
  double read = 0;      // parsing and checking the witness
  double abc = 0;       // A, B and C evaluations from the coefficients
  double quotient = 0;  // inverse FFTs, coset shift, FFTs, join
  double msm = 0;       // the five multi-scalar multiplications
  double finish = 0;    // randomisation and affine conversion
  double msmEach[5] = {0, 0, 0, 0, 0};  // A, B1, B2, C, H: shares of msm by their thread-seconds
};

struct Proof {
  G1 a, c;
  G2 b;
  /** The public signals, witness values 1 .. nPublic, plain. */
  std::vector<U256> publicSignals;
  Phases phases;
};

/** Reads a .wtns (bytes) for `key`: its field must be BN254's r, its length key.nVars. */
std::vector<U256> readWitness(const ProvingKey &key, const uint8_t *data, uint64_t size);

/** Proves with fresh r and s from the operating system's CSPRNG. */
Proof prove(const ProvingKey &key, const uint8_t *wtns, uint64_t size, unsigned threads);

/** The MSM of section `which` (0 A, 1 B1, 2 B2, 3 C, 4 H) alone, for the MSM floor. */
enum class Msm { A = 0, B1 = 1, B2 = 2, C = 3, H = 4 };
size_t msmLength(const ProvingKey &key, Msm which);
/** Returns the result affine: G1 (x, y) or G2 (x.c0, x.c1, y.c0, y.c1), plain values. */
std::vector<U256> multiExpSection(const ProvingKey &key, Msm which, const std::vector<U256> &scalars,
                                  unsigned threads);

}  // namespace zkm
