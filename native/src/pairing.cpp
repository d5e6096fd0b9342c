#include "pairing.hpp"

#include <stdexcept>

#include "bignat.hpp"

namespace zkm {

namespace {

/** The constants of the pairing, derived once from q, r and x. */
struct Constants {
  Nat loop;   // 6x + 2
  Nat qSquared;
  Nat hard;   // (q^4 - q^2 + 1) / r
  Fq2 frobeniusX;  // xi^((q - 1) / 3): the Frobenius of an untwisted x coordinate
  Fq2 frobeniusY;  // xi^((q - 1) / 2): the Frobenius of an untwisted y coordinate

  Constants() {
    const Nat x{4965661367192848881ULL};
    loop = nat::add(nat::mul(x, Nat{6}), Nat{2});
    const Nat q = nat::of(Fq::modulus()), r = nat::of(Fr::modulus());
    qSquared = nat::mul(q, q);
    Nat q4 = nat::mul(qSquared, qSquared);
    hard = nat::divide(nat::add(nat::sub(q4, qSquared), Nat{1}), r, true);
    const Nat qMinus1 = nat::sub(q, Nat{1});
    const Fq2 xi{Fq::fromInt(9), Fq::one()};
    frobeniusX = powLimbs(xi, nat::divide(qMinus1, Nat{3}, true));
    frobeniusY = powLimbs(xi, nat::divide(qMinus1, Nat{2}, true));
  }
};

const Constants &constants() {
  static const Constants c;
  return c;
}

/** The q-power Frobenius of a point of the twist, through the untwisting map. */
G2 frobenius(const G2 &p) {
  const Constants &c = constants();
  return {conjugate(p.x) * c.frobeniusX, conjugate(p.y) * c.frobeniusY};
}

/**
 * The line of slope `lambda` (on the twist) through `t`, evaluated at `p`: with the untwisting
 * (x, y) -> (x w^2, y w^3) its slope is lambda w, so it is
 * y_p - lambda x_p w + (lambda x_t - y_t) v w.
 */
Fq12 line(const G1 &p, const Fq2 &lambda, const G2 &t) {
  Fq12 out;
  out.c0 = {Fq2{p.y, Fq::zero()}, Fq2::zero(), Fq2::zero()};
  out.c1 = {-(lambda * Fq2{p.x, Fq::zero()}), lambda * t.x - t.y, Fq2::zero()};
  return out;
}

/** A point of the twist in affine coordinates, with its own infinity flag. */
struct TwistPoint {
  G2 p;
  bool infinity;
};

/** f *= the tangent at t (evaluated at p); t = 2t. */
void doubleStep(Fq12 &f, TwistPoint &t, const G1 &p) {
  if (t.infinity) return;
  if (t.p.y.isZero()) {  // a point of order 2 (not in G2): the tangent is vertical
    t.infinity = true;
    return;
  }
  const Fq2 x2 = t.p.x.squared();
  const Fq2 lambda = (x2.doubled() + x2) * t.p.y.doubled().inverse();
  f = f * line(p, lambda, t.p);
  const Fq2 x3 = lambda.squared() - t.p.x.doubled();
  t.p = {x3, lambda * (t.p.x - x3) - t.p.y};
}

/** f *= the line through t and q (evaluated at p); t = t + q. */
void addStep(Fq12 &f, TwistPoint &t, const G2 &q, const G1 &p) {
  if (t.infinity) {
    t = {q, false};
    return;
  }
  if (t.p.x == q.x) {
    if (t.p.y == q.y) {
      doubleStep(f, t, p);
      return;
    }
    // t = -q: a vertical line, x_p - x_t v, lies in Fq6 and vanishes in the final exponentiation.
    t.infinity = true;
    return;
  }
  const Fq2 lambda = (q.y - t.p.y) * (q.x - t.p.x).inverse();
  f = f * line(p, lambda, t.p);
  const Fq2 x3 = lambda.squared() - t.p.x - q.x;
  t.p = {x3, lambda * (t.p.x - x3) - t.p.y};
}

}  // namespace

G1 g1Generator() { return {Fq::fromInt(1), Fq::fromInt(2)}; }

G2 g2Generator() {
  auto fq = [](const char *d) { return Fq::fromNormal(nat::decimal(d)); };
  return {{fq("10857046999023057135944570762232829481370756359578518086990519993285655852781"),
           fq("11559732032986387107991004021392285783925812861821192530917403151452391805634")},
          {fq("8495653923123431417604973247489272438418190587263600148770280649306958101930"),
           fq("4082367875863433681332203403145435568316851327593401208105741076214120093531")}};
}

bool inG2Subgroup(const G2 &p) {
  if (p.isInfinity()) return true;
  return Xyzz<Fq2>::from(p).times(Fr::modulus()).isInfinity();
}

Fq12 finalExponentiation(const Fq12 &f) {
  const Constants &c = constants();
  // The easy part, f^((q^6 - 1)(q^2 + 1)): conjugation is the q^6-power Frobenius.
  Fq12 t = f.conjugate() * f.inverse();
  t = powLimbs(t, c.qSquared) * t;
  // The hard part.
  return powLimbs(t, c.hard);
}

Fq12 millerLoop(const std::vector<std::pair<G1, G2>> &pairs) {
  const Constants &c = constants();
  std::vector<std::pair<G1, G2>> live;
  for (const auto &pair : pairs) {
    if (!pair.first.isInfinity() && !pair.second.isInfinity()) live.push_back(pair);
  }
  std::vector<TwistPoint> t;
  for (const auto &pair : live) t.push_back({pair.second, false});
  Fq12 f = Fq12::one();
  for (size_t i = nat::bitLength(c.loop) - 1; i-- > 0;) {
    f = f.squared();
    for (size_t k = 0; k < live.size(); k++) doubleStep(f, t[k], live[k].first);
    if (nat::bit(c.loop, i)) {
      for (size_t k = 0; k < live.size(); k++) addStep(f, t[k], live[k].second, live[k].first);
    }
  }
  for (size_t k = 0; k < live.size(); k++) {
    const G2 q1 = frobenius(live[k].second);
    const G2 q2 = frobenius(q1).negated();
    addStep(f, t[k], q1, live[k].first);
    addStep(f, t[k], q2, live[k].first);
  }
  return f;
}

bool pairingProductIsOne(const std::vector<std::pair<G1, G2>> &pairs) {
  return finalExponentiation(millerLoop(pairs)).isOne();
}

}  // namespace zkm
