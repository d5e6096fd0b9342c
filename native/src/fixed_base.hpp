// Many scalar multiples of one point (a powers-of-tau file is millions of k*G for a fixed G):
// a table of d * 2^(8w) * G for every 8-bit window w and d = 1 .. 128, so that k*G is one
// mixed addition per window with k written in signed 8-bit digits (-128 .. 128); and the
// conversion of many points to affine coordinates with one field inversion (Montgomery's trick).
#pragma once
#include <vector>

#include "curve.hpp"

namespace zkm {

/**
 * points[i] in affine coordinates, in place of their XYZZ form; one inversion for all. XYZZ
 * has ZZ^3 = ZZZ^2, so with t = 1/ZZZ: 1/ZZ = (ZZ t)^2, x = X (ZZ t)^2, y = Y t.
 */
template <class F>
void toAffine(const Xyzz<F> *points, Affine<F> *out, size_t n) {
  std::vector<F> prefix(n);
  F acc = F::one();
  for (size_t i = 0; i < n; i++) {
    prefix[i] = acc;
    if (!points[i].isInfinity()) acc = acc * points[i].zzz;
  }
  F inverse = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    const Xyzz<F> &p = points[i];
    if (p.isInfinity()) {
      out[i] = Affine<F>::infinity();
      continue;
    }
    F t = inverse * prefix[i];  // 1 / zzz_i
    inverse = inverse * p.zzz;
    F zzInverse = (p.zz * t).squared();
    out[i] = {p.x * zzInverse, p.y * t};
  }
}

template <class F>
class FixedBase {
 public:
  static constexpr unsigned WINDOW = 8;
  static constexpr unsigned WINDOWS = 32;  // 256 bits: room for the carry of the top digit
  static constexpr unsigned HALF = 1u << (WINDOW - 1);

  explicit FixedBase(const Affine<F> &g) : table_(size_t(WINDOWS) * HALF) {
    std::vector<Xyzz<F>> multiples(table_.size());
    Xyzz<F> base = Xyzz<F>::from(g);
    for (unsigned w = 0; w < WINDOWS; w++) {
      Xyzz<F> m = base;
      for (unsigned d = 0; d < HALF; d++) {
        multiples[size_t(w) * HALF + d] = m;
        m.add(base);
      }
      for (unsigned b = 0; b < WINDOW; b++) base = base.doubled();
    }
    toAffine(multiples.data(), table_.data(), multiples.size());
  }

  /** k * G for a plain scalar k < 2^255. */
  Xyzz<F> times(const U256 &k) const {
    Xyzz<F> acc = Xyzz<F>::infinity();
    unsigned carry = 0;
    for (unsigned w = 0; w < WINDOWS; w++) {
      unsigned digit = k.bits(w * WINDOW, WINDOW) + carry;
      carry = digit > HALF;
      if (digit == 0 || digit == 2 * HALF) {
        carry = digit != 0;
        continue;
      }
      if (carry) {
        acc.addAffine(table_[size_t(w) * HALF + (2 * HALF - digit) - 1].negated());
      } else {
        acc.addAffine(table_[size_t(w) * HALF + digit - 1]);
      }
    }
    return acc;
  }

 private:
  std::vector<Affine<F>> table_;
};

}  // namespace zkm
