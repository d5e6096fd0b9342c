// Prime-field elements in Montgomery form over ffiasm's generated arithmetic, the quadratic
// extension Fq2 = Fq[u]/(u^2 + 1) that G2 lives in, and 256-bit plain integers (scalars).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include <x86intrin.h>

#include "ffiasm.hpp"

namespace zkm {

/**
 * Modular addition and subtraction of reduced 4-limb values (p < 2^255), inlined and branch-free:
 * a call into the generated assembly costs more than the few instructions they need. The
 * products (the bulk of the work) stay in ffiasm's mulx/adx code.
 */
namespace limbs {

using u64 = unsigned long long;

inline void addMod(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p) {
  u64 s0, s1, s2, s3, t0, t1, t2, t3;
  unsigned char c = _addcarry_u64(0, a[0], b[0], &s0);
  c = _addcarry_u64(c, a[1], b[1], &s1);
  c = _addcarry_u64(c, a[2], b[2], &s2);
  _addcarry_u64(c, a[3], b[3], &s3);
  unsigned char w = _subborrow_u64(0, s0, p[0], &t0);
  w = _subborrow_u64(w, s1, p[1], &t1);
  w = _subborrow_u64(w, s2, p[2], &t2);
  w = _subborrow_u64(w, s3, p[3], &t3);
  // a + b < 2p < 2^256: keep the sum when subtracting p borrows.
  const uint64_t keep = 0 - static_cast<uint64_t>(w);
  r[0] = (s0 & keep) | (t0 & ~keep);
  r[1] = (s1 & keep) | (t1 & ~keep);
  r[2] = (s2 & keep) | (t2 & ~keep);
  r[3] = (s3 & keep) | (t3 & ~keep);
}

inline void subMod(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *p) {
  u64 d0, d1, d2, d3;
  unsigned char w = _subborrow_u64(0, a[0], b[0], &d0);
  w = _subborrow_u64(w, a[1], b[1], &d1);
  w = _subborrow_u64(w, a[2], b[2], &d2);
  w = _subborrow_u64(w, a[3], b[3], &d3);
  const uint64_t wrap = 0 - static_cast<uint64_t>(w);
  u64 o0, o1, o2, o3;
  unsigned char c = _addcarry_u64(0, d0, p[0] & wrap, &o0);
  c = _addcarry_u64(c, d1, p[1] & wrap, &o1);
  c = _addcarry_u64(c, d2, p[2] & wrap, &o2);
  _addcarry_u64(c, d3, p[3] & wrap, &o3);
  r[0] = o0;
  r[1] = o1;
  r[2] = o2;
  r[3] = o3;
}

}  // namespace limbs

/** A 256-bit unsigned integer, four little-endian 64-bit limbs (a scalar in normal form). */
struct U256 {
  uint64_t v[4];

  bool isZero() const { return (v[0] | v[1] | v[2] | v[3]) == 0; }
  bool bit(unsigned i) const { return (v[i >> 6] >> (i & 63)) & 1; }
  /** Number of significant bits (0 for zero). */
  unsigned bitLength() const {
    for (int i = 3; i >= 0; i--) {
      if (v[i] != 0) return 64 * i + 64 - __builtin_clzll(v[i]);
    }
    return 0;
  }
  /** Bits [at, at + count) as a number; count <= 32. */
  uint32_t bits(unsigned at, unsigned count) const {
    unsigned limb = at >> 6, shift = at & 63;
    if (limb >= 4) return 0;
    uint64_t word = v[limb] >> shift;
    if (shift + count > 64 && limb + 1 < 4) word |= v[limb + 1] << (64 - shift);
    return static_cast<uint32_t>(word & ((uint64_t(1) << count) - 1));
  }
  bool operator==(const U256 &o) const { return std::memcmp(v, o.v, sizeof v) == 0; }
  bool operator<(const U256 &o) const {
    for (int i = 3; i >= 0; i--) {
      if (v[i] != o.v[i]) return v[i] < o.v[i];
    }
    return false;
  }
  /** this - o, assuming o <= this. */
  U256 minus(const U256 &o) const {
    U256 out;
    unsigned char borrow = 0;
    for (int i = 0; i < 4; i++) {
      unsigned long long d;
      borrow = __builtin_sub_overflow(v[i], o.v[i], &d) | __builtin_sub_overflow(d, borrow, &d);
      out.v[i] = d;
    }
    return out;
  }
  /** Lower-case hexadecimal, no prefix. */
  std::string hex() const {
    static const char digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (int i = 0; i < 64; i++) out[63 - i] = digits[(v[i / 16] >> (4 * (i % 16))) & 15];
    return out;
  }
};

struct FqOps {
  static const uint64_t *modulus() { return Fq_rawq; }
  static void add(uint64_t *r, const uint64_t *a, const uint64_t *b) { limbs::addMod(r, a, b, Fq_rawq); }
  static void sub(uint64_t *r, const uint64_t *a, const uint64_t *b) { limbs::subMod(r, a, b, Fq_rawq); }
  static void neg(uint64_t *r, const uint64_t *a) { Fq_rawNeg(r, a); }
  static void mul(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fq_rawMMul(r, a, b); }
  static void sqr(uint64_t *r, const uint64_t *a) { Fq_rawMSquare(r, a); }
  static void toMont(uint64_t *r, const uint64_t *a) { Fq_rawToMontgomery(r, a); }
  static void fromMont(uint64_t *r, const uint64_t *a) { Fq_rawFromMontgomery(r, a); }
};

struct FrOps {
  static const uint64_t *modulus() { return Fr_rawq; }
  static void add(uint64_t *r, const uint64_t *a, const uint64_t *b) { limbs::addMod(r, a, b, Fr_rawq); }
  static void sub(uint64_t *r, const uint64_t *a, const uint64_t *b) { limbs::subMod(r, a, b, Fr_rawq); }
  static void neg(uint64_t *r, const uint64_t *a) { Fr_rawNeg(r, a); }
  static void mul(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fr_rawMMul(r, a, b); }
  static void sqr(uint64_t *r, const uint64_t *a) { Fr_rawMSquare(r, a); }
  static void toMont(uint64_t *r, const uint64_t *a) { Fr_rawToMontgomery(r, a); }
  static void fromMont(uint64_t *r, const uint64_t *a) { Fr_rawFromMontgomery(r, a); }
};

/** An element of the prime field of `Ops`, in Montgomery form (value * 2^256 mod p). */
template <class Ops>
struct Fp {
  uint64_t v[4];

  static U256 modulus() {
    U256 p;
    std::memcpy(p.v, Ops::modulus(), sizeof p.v);
    return p;
  }
  static Fp zero() { return Fp{{0, 0, 0, 0}}; }
  /** The element of plain value `n` (n < p). */
  static Fp fromNormal(const U256 &n) {
    Fp out;
    Ops::toMont(out.v, n.v);
    return out;
  }
  static Fp fromInt(uint64_t n) { return fromNormal(U256{{n, 0, 0, 0}}); }
  static Fp one() { return fromInt(1); }
  /** The plain value. */
  U256 toNormal() const {
    U256 out;
    Ops::fromMont(out.v, v);
    return out;
  }
  /** The raw Montgomery limbs as a U256 (no conversion). */
  U256 raw() const {
    U256 out;
    std::memcpy(out.v, v, sizeof v);
    return out;
  }

  bool isZero() const { return (v[0] | v[1] | v[2] | v[3]) == 0; }
  bool operator==(const Fp &o) const { return std::memcmp(v, o.v, sizeof v) == 0; }
  bool operator!=(const Fp &o) const { return !(*this == o); }

  friend Fp operator+(const Fp &a, const Fp &b) {
    Fp r;
    Ops::add(r.v, a.v, b.v);
    return r;
  }
  friend Fp operator-(const Fp &a, const Fp &b) {
    Fp r;
    Ops::sub(r.v, a.v, b.v);
    return r;
  }
  friend Fp operator*(const Fp &a, const Fp &b) {
    Fp r;
    Ops::mul(r.v, a.v, b.v);
    return r;
  }
  Fp operator-() const {
    Fp r;
    const uint64_t z[4] = {0, 0, 0, 0};
    Ops::sub(r.v, z, v);
    return r;
  }
  Fp squared() const {
    Fp r;
    Ops::sqr(r.v, v);
    return r;
  }
  Fp doubled() const { return *this + *this; }

  /** this^e (square and multiply, most significant bit first). */
  Fp pow(const U256 &e) const {
    Fp result = one();
    for (int i = static_cast<int>(e.bitLength()) - 1; i >= 0; i--) {
      result = result.squared();
      if (e.bit(i)) result = result * *this;
    }
    return result;
  }
  /** The inverse (Fermat: this^(p-2)); zero for zero. */
  Fp inverse() const { return pow(modulus().minus(U256{{2, 0, 0, 0}})); }
};

using Fq = Fp<FqOps>;
using Fr = Fp<FrOps>;

/** An element c0 + c1*u of Fq2 = Fq[u]/(u^2 + 1). */
struct Fq2 {
  Fq c0, c1;

  static Fq2 zero() { return {Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return {Fq::one(), Fq::zero()}; }
  bool isZero() const { return c0.isZero() && c1.isZero(); }
  bool operator==(const Fq2 &o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fq2 &o) const { return !(*this == o); }

  friend Fq2 operator+(const Fq2 &a, const Fq2 &b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
  friend Fq2 operator-(const Fq2 &a, const Fq2 &b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
  Fq2 operator-() const { return {-c0, -c1}; }
  /** Karatsuba: three base-field products. */
  friend Fq2 operator*(const Fq2 &a, const Fq2 &b) {
    Fq t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
    Fq t2 = (a.c0 + a.c1) * (b.c0 + b.c1);
    return {t0 - t1, t2 - t0 - t1};
  }
  /** (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u: two base-field products. */
  Fq2 squared() const {
    Fq m = c0 * c1;
    return {(c0 + c1) * (c0 - c1), m + m};
  }
  Fq2 doubled() const { return *this + *this; }
  /** 1 / (c0 + c1 u) = (c0 - c1 u) / (c0^2 + c1^2); zero for zero. */
  Fq2 inverse() const {
    Fq norm = (c0.squared() + c1.squared()).inverse();
    return {c0 * norm, -(c1 * norm)};
  }
};

}  // namespace zkm
