// Uniform scalars from the operating system's CSPRNG (getrandom(2)), by rejection sampling.
#pragma once
#include <sys/random.h>

#include <cerrno>
#include <stdexcept>

#include "field.hpp"

namespace zkm {

/** A uniformly random non-zero element of [0, r). */
inline U256 randomScalar() {
  const U256 order = Fr::modulus();
  for (;;) {
    U256 candidate;
    unsigned char *bytes = reinterpret_cast<unsigned char *>(candidate.v);
    size_t got = 0;
    while (got < sizeof candidate.v) {
      ssize_t n = getrandom(bytes + got, sizeof candidate.v - got, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("the operating system's random source failed");
      }
      got += static_cast<size_t>(n);
    }
    candidate.v[3] &= (uint64_t(1) << 62) - 1;  // r < 2^254: keep 254 bits, then reject
    if (candidate < order && !candidate.isZero()) return candidate;
  }
}

}  // namespace zkm
