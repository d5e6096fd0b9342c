// Prime-field elements in Montgomery form over ffiasm's generated arithmetic, the quadratic
// extension Fq2 = Fq[u]/(u^2 + 1) that G2 lives in, and 256-bit plain integers (scalars).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

#include "ffiasm.hpp"

namespace zkm {

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
  static void add(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fq_rawAdd(r, a, b); }
  static void sub(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fq_rawSub(r, a, b); }
  static void neg(uint64_t *r, const uint64_t *a) { Fq_rawNeg(r, a); }
  static void mul(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fq_rawMMul(r, a, b); }
  static void sqr(uint64_t *r, const uint64_t *a) { Fq_rawMSquare(r, a); }
  static void toMont(uint64_t *r, const uint64_t *a) { Fq_rawToMontgomery(r, a); }
  static void fromMont(uint64_t *r, const uint64_t *a) { Fq_rawFromMontgomery(r, a); }
};

struct FrOps {
  static const uint64_t *modulus() { return Fr_rawq; }
  static void add(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fr_rawAdd(r, a, b); }
  static void sub(uint64_t *r, const uint64_t *a, const uint64_t *b) { Fr_rawSub(r, a, b); }
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
    Ops::neg(r.v, v);
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
