// BN254's groups: G1 over Fq (y^2 = x^3 + 3) and G2 over Fq2 (y^2 = x^3 + 3/(9+u)). Points are
// stored affine, exactly as a .zkey holds them (x then y, Montgomery form, (0, 0) = infinity),
// and computed in extended Jacobian "XYZZ" coordinates (x = X/ZZ, y = Y/ZZZ, ZZ^3 = ZZZ^2), whose
// mixed addition is cheap and needs no inversion. Formulas: the standard ones for short
// Weierstrass curves with a = 0 (madd-2008-s, add-2008-s, dbl-2008-s).
#pragma once
#include "field.hpp"

namespace zkm {

template <class F>
struct Affine {
  F x, y;
  bool isInfinity() const { return x.isZero() && y.isZero(); }
  static Affine infinity() { return {F::zero(), F::zero()}; }
  Affine negated() const { return {x, -y}; }
};

static_assert(sizeof(Affine<Fq>) == 64, "G1 points are 64 bytes in a zkey");
static_assert(sizeof(Affine<Fq2>) == 128, "G2 points are 128 bytes in a zkey");

template <class F>
struct Xyzz {
  F x, y, zz, zzz;

  static Xyzz infinity() { return {F::one(), F::one(), F::zero(), F::zero()}; }
  static Xyzz from(const Affine<F> &p) {
    if (p.isInfinity()) return infinity();
    return {p.x, p.y, F::one(), F::one()};
  }
  bool isInfinity() const { return zz.isZero(); }
  Xyzz negated() const { return {x, -y, zz, zzz}; }

  /** 2 * this. */
  Xyzz doubled() const {
    if (isInfinity()) return *this;
    F u = y.doubled();
    F v = u.squared();
    F w = u * v;
    F s = x * v;
    F x2 = x.squared();
    F m = x2.doubled() + x2;
    F x3 = m.squared() - s.doubled();
    F y3 = m * (s - x3) - w * y;
    return {x3, y3, v * zz, w * zzz};
  }

  /** this += q, q affine: add() with q.zz = q.zzz = 1, four products fewer (the MSMs' step). */
  void addAffine(const Affine<F> &q) {
    if (q.isInfinity()) return;
    if (isInfinity()) {
      *this = from(q);
      return;
    }
    F u2 = q.x * zz;
    F s2 = q.y * zzz;
    F p = u2 - x;
    F r = s2 - y;
    if (p.isZero()) {
      *this = r.isZero() ? from(q).doubled() : infinity();
      return;
    }
    F pp = p.squared();
    F ppp = p * pp;
    F qq = x * pp;
    F x3 = r.squared() - ppp - qq.doubled();
    y = r * (qq - x3) - y * ppp;
    x = x3;
    zz = zz * pp;
    zzz = zzz * ppp;
  }

  /** this += q. */
  void add(const Xyzz &q) {
    if (q.isInfinity()) return;
    if (isInfinity()) {
      *this = q;
      return;
    }
    F u1 = x * q.zz;
    F u2 = q.x * zz;
    F s1 = y * q.zzz;
    F s2 = q.y * zzz;
    F p = u2 - u1;
    F r = s2 - s1;
    if (p.isZero()) {
      *this = r.isZero() ? doubled() : infinity();
      return;
    }
    F pp = p.squared();
    F ppp = p * pp;
    F qq = u1 * pp;
    F x3 = r.squared() - ppp - qq.doubled();
    y = r * (qq - x3) - s1 * ppp;
    x = x3;
    zz = zz * q.zz * pp;
    zzz = zzz * q.zzz * ppp;
  }

  /** k * this for a plain (normal-form) scalar k. */
  Xyzz times(const U256 &k) const {
    Xyzz out = infinity();
    for (int i = static_cast<int>(k.bitLength()) - 1; i >= 0; i--) {
      out = out.doubled();
      if (k.bit(i)) out.add(*this);
    }
    return out;
  }

  Affine<F> toAffine() const {
    if (isInfinity()) return Affine<F>::infinity();
    return {x * zz.inverse(), y * zzz.inverse()};
  }
};

using G1 = Affine<Fq>;
using G2 = Affine<Fq2>;

/** The curve constant b of each group. */
inline Fq g1B() { return Fq::fromInt(3); }
inline Fq2 g2B() {
  Fq2 twist{Fq::fromInt(9), Fq::one()};
  return Fq2{Fq::fromInt(3), Fq::zero()} * twist.inverse();
}

/** True when p is the point at infinity or satisfies y^2 = x^3 + b. */
template <class F>
bool onCurve(const Affine<F> &p, const F &b) {
  if (p.isInfinity()) return true;
  return p.y.squared() == p.x.squared() * p.x + b;
}

}  // namespace zkm
