// Radix-2 number-theoretic transforms over Fr on a power-of-two domain, with the roots of unity
// snarkjs (ffjavascript) uses: w_28 = g^((r-1)/2^28) for g the smallest quadratic non-residue,
// w_k = w_28^(2^(28-k)). The quotient is evaluated on the coset shifted by w_(k+1) (the odd
// points of the doubled domain), the coset on which a .zkey's H points are computed.
//
// The transform is an iterative decimation-in-time radix-2 one, arranged for the cache: the
// bit-reversal permutation, square by square of 16 x 16 points, on every thread; then the first
// stages within blocks of 2^13 points (256 KiB, in a core's L2), block by block; then the
// remaining stages on tiles of a few contiguous columns of every row of blocks, tile by tile,
// with any final scaling (1/n, or the coset's shift^i / n) fused into the tile. Twiddles are
// read from per-stage contiguous tables built once per Domain.
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
  /** The domain's generator w (a primitive 2^log-th root of unity). */
  const Fr &root() const { return root_; }
  /** The coset generator w_(log+1), a square root of {@link root}. */
  const Fr &cosetShift() const { return shift_; }

  /** In place: from coefficients to values at w^i (natural order in and out). */
  void forward(Fr *a, unsigned threads) const { transform(a, twiddles_, Scaling{}, threads); }
  /**
   * In place: from values at w^i to the coefficients multiplied by shift^i, where shift is the
   * coset generator w_(log+1): followed by {@link forward}, gives the values on the coset.
   */
  void inverseToCoset(Fr *a, unsigned threads) const;
  /** In place: from values at w^i to coefficients (natural order in and out). */
  void inverse(Fr *a, unsigned threads) const;

 private:
  /** What the transform's output is multiplied by: nothing, one constant, or a value a point. */
  struct Scaling {
    const Fr *constant = nullptr;
    const Fr *perPoint = nullptr;
  };
  /** In place: a[i] and a[reverse(i)] swapped, square by square (see fft.cpp). */
  void bitReverse(Fr *a, unsigned parts) const;
  void transform(Fr *a, const std::vector<Fr> &twiddles, Scaling scaling, unsigned threads) const;

  size_t n_;
  unsigned log_;
  Fr root_, shift_;
  // Stage tables: entry h + j (h a power of two below n, j < h) is w^(j n / 2h), the twiddle of
  // the j-th butterfly of the stage that joins halves of h points; entry 0 is unused.
  std::vector<Fr> twiddles_;         // from w
  std::vector<Fr> inverseTwiddles_;  // from w^-1
  std::vector<Fr> cosetScale_;       // shift^i / n, i < n
  Fr nInverse_;
};

}  // namespace zkm
