// Radix-2 number-theoretic transforms over Fr on a power-of-two domain, with the roots of unity
// snarkjs (ffjavascript) uses: w_28 = g^((r-1)/2^28) for g the smallest quadratic non-residue,
// w_k = w_28^(2^(28-k)). The quotient is evaluated on the coset shifted by w_(k+1) (the odd
// points of the doubled domain), the coset on which a .zkey's H points are computed.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "field.hpp"
#include "parallel.hpp"

namespace zkm {

/** Largest power of two dividing r - 1 for BN254's scalar field. */
constexpr unsigned FR_TWO_ADICITY = 28;

class Domain {
 public:
  /** A domain of 2^log points; log < 28, so that the shifting coset exists. */
  explicit Domain(unsigned log);

  size_t size() const { return n_; }

  /** In place: from coefficients to values at w^i (natural order in and out). */
  void forward(Fr *a, unsigned threads) const { transform(a, roots_, threads); }
  /**
   * In place: from values at w^i to the coefficients multiplied by shift^i, where shift is the
   * coset generator w_(log+1): followed by {@link forward}, gives the values on the coset.
   */
  void inverseToCoset(Fr *a, unsigned threads) const;
  /** In place: from values at w^i to coefficients (natural order in and out). */
  void inverse(Fr *a, unsigned threads) const;

 private:
  void transform(Fr *a, const std::vector<Fr> &roots, unsigned threads) const;

  size_t n_;
  unsigned log_;
  std::vector<Fr> roots_;         // w^i, i < n/2
  std::vector<Fr> inverseRoots_;  // w^-i, i < n/2
  std::vector<Fr> cosetScale_;    // shift^i / n, i < n
  Fr nInverse_;
};

}  // namespace zkm
