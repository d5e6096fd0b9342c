// Arbitrary-size natural numbers (little-endian 64-bit limbs), only for deriving the pairing's
// exponents from the moduli once (q^2, (q^4 - q^2 + 1) / r, (q - 1) / 3, ...): schoolbook
// products and bitwise long division, so every constant is computed, never typed in.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "field.hpp"

namespace zkm {

using Nat = std::vector<uint64_t>;

namespace nat {

inline Nat of(const U256 &x) { return Nat(x.v, x.v + 4); }

inline void trim(Nat &a) {
  while (!a.empty() && a.back() == 0) a.pop_back();
}

inline int compare(const Nat &a0, const Nat &b0) {
  Nat a = a0, b = b0;
  trim(a);
  trim(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

inline Nat add(const Nat &a, const Nat &b) {
  Nat out(std::max(a.size(), b.size()) + 1, 0);
  unsigned __int128 carry = 0;
  for (size_t i = 0; i < out.size(); i++) {
    carry += static_cast<unsigned __int128>(i < a.size() ? a[i] : 0) + (i < b.size() ? b[i] : 0);
    out[i] = static_cast<uint64_t>(carry);
    carry >>= 64;
  }
  trim(out);
  return out;
}

/** a - b; throws when b > a. */
inline Nat sub(const Nat &a, const Nat &b) {
  if (compare(a, b) < 0) throw std::logic_error("nat::sub: negative result");
  Nat out(a.size(), 0);
  uint64_t borrow = 0;
  for (size_t i = 0; i < a.size(); i++) {
    uint64_t bi = i < b.size() ? b[i] : 0;
    unsigned __int128 d = static_cast<unsigned __int128>(a[i]) - bi - borrow;
    out[i] = static_cast<uint64_t>(d);
    borrow = (d >> 64) != 0 ? 1 : 0;
  }
  trim(out);
  return out;
}

inline Nat mul(const Nat &a, const Nat &b) {
  Nat out(a.size() + b.size() + 1, 0);
  for (size_t i = 0; i < a.size(); i++) {
    unsigned __int128 carry = 0;
    for (size_t j = 0; j < b.size(); j++) {
      carry += static_cast<unsigned __int128>(a[i]) * b[j] + out[i + j];
      out[i + j] = static_cast<uint64_t>(carry);
      carry >>= 64;
    }
    for (size_t k = i + b.size(); carry != 0; k++) {
      carry += out[k];
      out[k] = static_cast<uint64_t>(carry);
      carry >>= 64;
    }
  }
  trim(out);
  return out;
}

inline size_t bitLength(const Nat &a0) {
  Nat a = a0;
  trim(a);
  if (a.empty()) return 0;
  return 64 * (a.size() - 1) + 64 - __builtin_clzll(a.back());
}

inline bool bit(const Nat &a, size_t i) { return i / 64 < a.size() && ((a[i / 64] >> (i % 64)) & 1); }

/** a / b (bitwise long division); `exact` also requires the remainder to be zero. */
inline Nat divide(const Nat &a, const Nat &b, bool exact = false) {
  if (bitLength(b) == 0) throw std::logic_error("nat::divide: division by zero");
  Nat quotient((bitLength(a) + 63) / 64 + 1, 0), remainder;
  for (size_t i = bitLength(a); i-- > 0;) {
    remainder = add(remainder, remainder);  // shift left by one
    if (bit(a, i)) remainder = add(remainder, Nat{1});
    if (compare(remainder, b) >= 0) {
      remainder = sub(remainder, b);
      quotient[i / 64] |= uint64_t(1) << (i % 64);
    }
  }
  if (exact && bitLength(remainder) != 0) throw std::logic_error("nat::divide: not exact");
  trim(quotient);
  return quotient;
}

/** The U256 of a decimal string (for curve constants); throws when it does not fit. */
inline U256 decimal(const char *digits) {
  Nat value;
  for (const char *c = digits; *c != 0; c++) {
    if (*c < '0' || *c > '9') throw std::logic_error("nat::decimal: not a decimal digit");
    value = add(mul(value, Nat{10}), Nat{static_cast<uint64_t>(*c - '0')});
  }
  trim(value);
  if (value.size() > 4) throw std::logic_error("nat::decimal: more than 256 bits");
  U256 out{{0, 0, 0, 0}};
  for (size_t i = 0; i < value.size(); i++) out.v[i] = value[i];
  return out;
}

}  // namespace nat

}  // namespace zkm
