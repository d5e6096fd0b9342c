// Randomness from the operating system's CSPRNG (getrandom(2)): bytes, and uniform scalars by
// rejection sampling.
#pragma once
#include <sys/random.h>

#include <cerrno>
#include <stdexcept>

#include "field.hpp"

namespace zkm {

/** Fills `size` bytes at `out` from the OS CSPRNG. */
inline void randomBytes(void *out, size_t size) {
  unsigned char *bytes = static_cast<unsigned char *>(out);
  size_t got = 0;
  while (got < size) {
    ssize_t n = getrandom(bytes + got, size - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("the operating system's random source failed");
    }
    got += static_cast<size_t>(n);
  }
}

/** A uniformly random non-zero element of [0, r). */
inline U256 randomScalar() {
  const U256 order = Fr::modulus();
  for (;;) {
    U256 candidate;
    randomBytes(candidate.v, sizeof candidate.v);
    candidate.v[3] &= (uint64_t(1) << 62) - 1;  // r < 2^254: keep 254 bits, then reject
    if (candidate < order && !candidate.isZero()) return candidate;
  }
}

}  // namespace zkm
