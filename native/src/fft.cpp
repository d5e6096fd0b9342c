#include "fft.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace zkm {

namespace {

/** Points per block of the first stages: 2^13 elements are 256 KiB, in a core's L2. */
constexpr unsigned kBlockLog = 13;
/** Fewest contiguous columns a tile of the later stages holds (8 x 32 B: whole cache lines). */
constexpr size_t kMinTileColumns = 8;
/** Bit reversal trades squares of 2^4 x 2^4 points (rows of 16 x 32 B = 512 B). */
constexpr unsigned kSwapLog = 4;
/** Below 2^12 points a transform runs on the caller's thread alone. */
constexpr unsigned kParallelLog = 12;

U256 shiftRight(const U256 &a, unsigned bits) {
  U256 out{{0, 0, 0, 0}};
  for (unsigned i = 0; i < 256; i++) {
    if (i + bits < 256 && a.bit(i + bits)) out.v[i / 64] |= uint64_t(1) << (i % 64);
  }
  return out;
}

/** A primitive 2^log-th root of unity, as ffjavascript chooses it. */
Fr rootOfUnity(unsigned log) {
  const U256 r = Fr::modulus();
  const U256 rMinus1 = r.minus(U256{{1, 0, 0, 0}});
  const U256 half = shiftRight(rMinus1, 1);
  const Fr minusOne = -Fr::one();
  uint64_t candidate = 2;
  while (Fr::fromInt(candidate).pow(half) != minusOne) candidate++;
  Fr w = Fr::fromInt(candidate).pow(shiftRight(rMinus1, FR_TWO_ADICITY));
  for (unsigned k = FR_TWO_ADICITY; k > log; k--) w = w.squared();
  return w;
}

std::vector<Fr> powers(const Fr &base, size_t count, const Fr &first) {
  std::vector<Fr> out(count);
  Fr p = first;
  for (size_t i = 0; i < count; i++) {
    out[i] = p;
    p = p * base;
  }
  return out;
}

/** The stage tables of a 2^log-point transform with generator w (see Domain::twiddles_). */
std::vector<Fr> stageTwiddles(const Fr &w, unsigned log) {
  const size_t n = size_t(1) << log;
  std::vector<Fr> table(std::max<size_t>(n, 2));
  if (n < 2) return table;
  const size_t last = n / 2;
  Fr p = Fr::one();
  for (size_t j = 0; j < last; j++) {
    table[last + j] = p;
    p = p * w;
  }
  for (size_t h = last / 2; h >= 1; h /= 2) {
    for (size_t j = 0; j < h; j++) table[h + j] = table[2 * h + 2 * j];
  }
  return table;
}

/** The low `log` bits of i in reverse order. */
inline size_t reverseBits(size_t i, unsigned log) {
  uint64_t x = i;
  x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
  x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((x & 0x0f0f0f0f0f0f0f0fULL) << 4);
  x = __builtin_bswap64(x);
  return log == 0 ? 0 : static_cast<size_t>(x >> (64 - log));
}

/** lo, hi = lo + t, lo - t for t = hi * w. */
inline void butterfly(Fr &lo, Fr &hi, const Fr &w) {
  const Fr t = hi * w;
  hi = lo - t;
  lo = lo + t;
}

/** lo, hi = lo + hi, lo - hi (a twiddle of 1). */
inline void butterflyOne(Fr &lo, Fr &hi) {
  const Fr t = hi;
  hi = lo - t;
  lo = lo + t;
}

/** Every stage joining halves of fewer than `size` points, on the `size` points at x. */
void blockStages(Fr *x, size_t size, const Fr *twiddles) {
  for (size_t i = 0; i + 1 < size; i += 2) butterflyOne(x[i], x[i + 1]);
  for (size_t h = 2; h < size; h *= 2) {
    const Fr *w = twiddles + h;
    for (size_t g = 0; g < size; g += 2 * h) {
      Fr *lo = x + g, *hi = lo + h;
      butterflyOne(lo[0], hi[0]);
      for (size_t j = 1; j < h; j++) butterfly(lo[j], hi[j], w[j]);
    }
  }
}

void scale(Fr *x, size_t count, const Fr *perPoint, const Fr *constant) {
  if (perPoint != nullptr) {
    for (size_t i = 0; i < count; i++) x[i] = x[i] * perPoint[i];
  } else if (constant != nullptr) {
    for (size_t i = 0; i < count; i++) x[i] = x[i] * *constant;
  }
}

}  // namespace

Domain::Domain(unsigned log) : n_(size_t(1) << log), log_(log) {
  if (log >= FR_TWO_ADICITY) throw std::runtime_error("the domain is too large for BN254");
  root_ = rootOfUnity(log);
  shift_ = rootOfUnity(log + 1);
  twiddles_ = stageTwiddles(root_, log);
  inverseTwiddles_ = stageTwiddles(root_.inverse(), log);
  nInverse_ = Fr::fromInt(n_).inverse();
  cosetScale_ = powers(shift_, n_, nInverse_);
}

void Domain::bitReverse(Fr *a, unsigned parts) const {
  const unsigned log = log_;
  if (log < 2 * kSwapLog) {
    for (size_t i = 0; i < n_; i++) {
      const size_t j = reverseBits(i, log);
      if (i < j) std::swap(a[i], a[j]);
    }
    return;
  }
  // Index i = (high, middle, low), high and low kSwapLog bits each; its reverse is (reversed
  // low, reversed middle, reversed high). So the square of 2^kSwapLog rows (high) of 2^kSwapLog
  // contiguous points (low) at one middle value trades places, transposed, with the square at
  // the reversed middle value: whole cache lines on both sides. Each pair is swapped once, from
  // the square with the smaller middle value (or, within a square its own reverse, from i < j).
  const unsigned middleLog = log - 2 * kSwapLog, highShift = log - kSwapLog;
  const size_t side = size_t(1) << kSwapLog;
  parallelFor(size_t(1) << middleLog, parts, [&](size_t lo, size_t hi, unsigned) {
    for (size_t m = lo; m < hi; m++) {
      const size_t mirror = reverseBits(m, middleLog);
      if (mirror < m) continue;
      for (size_t high = 0; high < side; high++) {
        const size_t rowI = (high << highShift) | (m << kSwapLog);
        const size_t columnJ = (mirror << kSwapLog) | reverseBits(high, kSwapLog);
        for (size_t low = 0; low < side; low++) {
          const size_t i = rowI | low, j = (reverseBits(low, kSwapLog) << highShift) | columnJ;
          if (mirror != m || i < j) std::swap(a[i], a[j]);
        }
      }
    }
  });
}

void Domain::transform(Fr *a, const std::vector<Fr> &twiddles, Scaling scaling,
                       unsigned threads) const {
  const unsigned parts = log_ < kParallelLog ? 1 : std::max(1u, threads);
  const Fr *tw = twiddles.data();

  bitReverse(a, parts);

  // The first stages, block by block (at least one block a part).
  unsigned blockLog = std::min(log_, kBlockLog);
  while (blockLog > 1 && (n_ >> blockLog) < parts) blockLog--;
  const size_t block = size_t(1) << blockLog, blocks = n_ >> blockLog;
  const bool scaleInBlocks = blocks == 1;
  parallelFor(blocks, parts, [&](size_t lo, size_t hi, unsigned) {
    for (size_t b = lo; b < hi; b++) {
      blockStages(a + b * block, block, tw);
      if (scaleInBlocks) scale(a + b * block, block, scaling.perPoint, scaling.constant);
    }
  });
  if (blocks == 1) return;

  // The later stages join points `block` or more apart, so the columns (index mod block) are
  // independent: each tile takes a few contiguous columns of every row, then scales them.
  size_t columns = std::max(kMinTileColumns, (size_t(1) << kBlockLog) / blocks);
  columns = std::min(columns, block);
  while (columns > 1 && block / columns < parts) columns /= 2;
  const size_t tiles = block / columns, n = n_;
  parallelFor(tiles, parts, [&](size_t lo, size_t hi, unsigned) {
    for (size_t t = lo; t < hi; t++) {
      const size_t c0 = t * columns;
      for (size_t h = block; h < n; h *= 2) {
        for (size_t g = 0; g < n; g += 2 * h) {
          for (size_t j0 = 0; j0 < h; j0 += block) {
            Fr *x = a + g + j0 + c0, *y = x + h;
            const Fr *w = tw + h + j0 + c0;
            for (size_t c = 0; c < columns; c++) butterfly(x[c], y[c], w[c]);
          }
        }
      }
      if (scaling.perPoint != nullptr || scaling.constant != nullptr) {
        for (size_t row = 0; row < blocks; row++) {
          const size_t at = row * block + c0;
          scale(a + at, columns, scaling.perPoint == nullptr ? nullptr : scaling.perPoint + at,
                scaling.constant);
        }
      }
    }
  });
}

void Domain::inverseToCoset(Fr *a, unsigned threads) const {
  transform(a, inverseTwiddles_, Scaling{nullptr, cosetScale_.data()}, threads);
}

void Domain::inverse(Fr *a, unsigned threads) const {
  transform(a, inverseTwiddles_, Scaling{&nInverse_, nullptr}, threads);
}

}  // namespace zkm
