// The extension tower BN254's pairing lands in: Fq6 = Fq2[v]/(v^3 - xi) with xi = 9 + u, and
// Fq12 = Fq6[w]/(w^2 - v) (so w^6 = xi). Plain formulas (schoolbook products, adjugate
// inverses): the pairing runs a handful of times per verification, so clarity beats speed here.
#pragma once
#include <vector>

#include "field.hpp"

namespace zkm {

/** (a + b u)(9 + u) = (9a - b) + (a + 9b) u. */
inline Fq2 mulByXi(const Fq2 &x) {
  Fq two = x.c0.doubled(), four = two.doubled(), eight = four.doubled();
  Fq nineA = eight + x.c0;
  Fq twoB = x.c1.doubled(), fourB = twoB.doubled(), eightB = fourB.doubled();
  Fq nineB = eightB + x.c1;
  return {nineA - x.c1, x.c0 + nineB};
}

/** The conjugate c0 - c1 u (the q-power Frobenius of Fq2). */
inline Fq2 conjugate(const Fq2 &x) { return {x.c0, -x.c1}; }

/** x^e for an exponent given as little-endian 64-bit limbs. */
template <class F>
F powLimbs(const F &x, const std::vector<uint64_t> &e) {
  F result = F::one();
  for (size_t limb = e.size(); limb-- > 0;) {
    for (int bit = 63; bit >= 0; bit--) {
      result = result.squared();
      if ((e[limb] >> bit) & 1) result = result * x;
    }
  }
  return result;
}

/** c0 + c1 v + c2 v^2 in Fq6 = Fq2[v]/(v^3 - xi). */
struct Fq6 {
  Fq2 c0, c1, c2;

  static Fq6 zero() { return {Fq2::zero(), Fq2::zero(), Fq2::zero()}; }
  static Fq6 one() { return {Fq2::one(), Fq2::zero(), Fq2::zero()}; }
  bool isZero() const { return c0.isZero() && c1.isZero() && c2.isZero(); }
  bool operator==(const Fq6 &o) const { return c0 == o.c0 && c1 == o.c1 && c2 == o.c2; }

  friend Fq6 operator+(const Fq6 &a, const Fq6 &b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
  friend Fq6 operator-(const Fq6 &a, const Fq6 &b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
  Fq6 operator-() const { return {-c0, -c1, -c2}; }
  friend Fq6 operator*(const Fq6 &a, const Fq6 &b) {
    return {a.c0 * b.c0 + mulByXi(a.c1 * b.c2 + a.c2 * b.c1),
            a.c0 * b.c1 + a.c1 * b.c0 + mulByXi(a.c2 * b.c2),
            a.c0 * b.c2 + a.c1 * b.c1 + a.c2 * b.c0};
  }
  Fq6 squared() const { return *this * *this; }
  /** this * v = xi c2 + c0 v + c1 v^2. */
  Fq6 timesV() const { return {mulByXi(c2), c0, c1}; }
  /** The adjugate over the norm: (c0^2 - xi c1 c2, xi c2^2 - c0 c1, c1^2 - c0 c2) / N. */
  Fq6 inverse() const {
    Fq2 t0 = c0.squared() - mulByXi(c1 * c2);
    Fq2 t1 = mulByXi(c2.squared()) - c0 * c1;
    Fq2 t2 = c1.squared() - c0 * c2;
    Fq2 norm = (c0 * t0 + mulByXi(c2 * t1 + c1 * t2)).inverse();
    return {t0 * norm, t1 * norm, t2 * norm};
  }
};

/** c0 + c1 w in Fq12 = Fq6[w]/(w^2 - v). */
struct Fq12 {
  Fq6 c0, c1;

  static Fq12 one() { return {Fq6::one(), Fq6::zero()}; }
  bool isOne() const { return c0 == Fq6::one() && c1.isZero(); }
  bool operator==(const Fq12 &o) const { return c0 == o.c0 && c1 == o.c1; }

  friend Fq12 operator*(const Fq12 &a, const Fq12 &b) {
    return {a.c0 * b.c0 + (a.c1 * b.c1).timesV(), a.c0 * b.c1 + a.c1 * b.c0};
  }
  Fq12 squared() const { return *this * *this; }
  /** c0 - c1 w: the q^6-power Frobenius (w^(q^6) = -w). */
  Fq12 conjugate() const { return {c0, -c1}; }
  /** (c0 - c1 w) / (c0^2 - v c1^2). */
  Fq12 inverse() const {
    Fq6 norm = (c0.squared() - c1.squared().timesV()).inverse();
    return {c0 * norm, -(c1 * norm)};
  }
};

}  // namespace zkm
