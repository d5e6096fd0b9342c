// Deterministic random values for the C++ checks of native/test: splitmix64 from a fixed seed,
// so the cases are the same on every run.
#pragma once
#include <cstdint>

#include "../src/field.hpp"

namespace zkm {

/** The next 64 random bits. */
inline uint64_t next64() {
  static uint64_t state = 0x2545f4914f6cdd1dULL;
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/** A uniformly random scalar below r (in normal form). */
inline U256 randomScalar() {
  const U256 order = Fr::modulus();
  for (;;) {
    U256 k{{next64(), next64(), next64(), next64() >> 2}};
    if (k < order) return k;
  }
}

}  // namespace zkm
