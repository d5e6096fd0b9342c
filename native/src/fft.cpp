#include "fft.hpp"

namespace zkm {

namespace {

U256 shiftRight(const U256 &a, unsigned bits) {
  U256 out{{0, 0, 0, 0}};
  for (unsigned i = 0; i < 256; i++) {
    if (i + bits < 256 && a.bit(i + bits)) out.v[i / 64] |= uint64_t(1) << (i % 64);
  }
  return out;
}

/** A primitive 2^log-th root of unity, as ffjavascript chooses it. */
Fr rootOfUnity(unsigned log) {
  const U256 r = Fr::modulus();
  const U256 rMinus1 = r.minus(U256{{1, 0, 0, 0}});
  const U256 half = shiftRight(rMinus1, 1);
  const Fr minusOne = -Fr::one();
  uint64_t candidate = 2;
  while (Fr::fromInt(candidate).pow(half) != minusOne) candidate++;
  Fr w = Fr::fromInt(candidate).pow(shiftRight(rMinus1, FR_TWO_ADICITY));
  for (unsigned k = FR_TWO_ADICITY; k > log; k--) w = w.squared();
  return w;
}

std::vector<Fr> powers(const Fr &base, size_t count, const Fr &first) {
  std::vector<Fr> out(count);
  Fr p = first;
  for (size_t i = 0; i < count; i++) {
    out[i] = p;
    p = p * base;
  }
  return out;
}

size_t reverseBits(size_t i, unsigned log) {
  size_t out = 0;
  for (unsigned b = 0; b < log; b++) out |= ((i >> b) & 1) << (log - 1 - b);
  return out;
}

}  // namespace

Domain::Domain(unsigned log) : n_(size_t(1) << log), log_(log) {
  if (log >= FR_TWO_ADICITY) throw std::runtime_error("the domain is too large for BN254");
  Fr w = rootOfUnity(log);
  size_t half = n_ / 2 == 0 ? 1 : n_ / 2;
  roots_ = powers(w, half, Fr::one());
  inverseRoots_ = powers(w.inverse(), half, Fr::one());
  nInverse_ = Fr::fromInt(n_).inverse();
  cosetScale_ = powers(rootOfUnity(log + 1), n_, nInverse_);
}

void Domain::transform(Fr *a, const std::vector<Fr> &roots, unsigned threads) const {
  for (size_t i = 0; i < n_; i++) {
    size_t j = reverseBits(i, log_);
    if (i < j) std::swap(a[i], a[j]);
  }
  const size_t butterflies = n_ / 2;
  unsigned parts = n_ < (size_t(1) << 12) ? 1 : threads;
  for (size_t half = 1; half < n_; half *= 2) {
    const size_t stride = n_ / (2 * half);
    parallelFor(butterflies, parts, [&](size_t lo, size_t hi, unsigned) {
      for (size_t k = lo; k < hi; k++) {
        size_t block = k / half, j = k % half;
        size_t i0 = block * 2 * half + j, i1 = i0 + half;
        Fr t = a[i1] * roots[j * stride];
        a[i1] = a[i0] - t;
        a[i0] = a[i0] + t;
      }
    });
  }
}

void Domain::inverseToCoset(Fr *a, unsigned threads) const {
  transform(a, inverseRoots_, threads);
  parallelFor(n_, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi; i++) a[i] = a[i] * cosetScale_[i];
  });
}

void Domain::inverse(Fr *a, unsigned threads) const {
  transform(a, inverseRoots_, threads);
  parallelFor(n_, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi; i++) a[i] = a[i] * nInverse_;
  });
}

}  // namespace zkm
