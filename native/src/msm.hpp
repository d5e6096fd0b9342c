// Multi-scalar multiplication sum_i k_i * P_i (Pippenger's bucket method) over affine bases.
//
// Circom witnesses are mostly small numbers (bits, counters, amounts) or the negatives of small
// numbers (p - x). Each scalar above p/2 is replaced by p - k with the point negated, zero
// scalars are dropped, and the rest are sorted by bit length, so a window only visits the scalars
// long enough to have a digit in it. The window width c minimises the estimated cost for the
// actual bit-length histogram: the bucket additions (one per scalar per window it reaches) plus
// the bucket sums (about 2^c additions per window). The points are dealt to the threads in
// turn; the threads' sums are added at the end.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "curve.hpp"
#include "parallel.hpp"

namespace zkm {

namespace detail {

struct Term {
  U256 k;
  uint32_t index;
  uint32_t negate;
};

/** The window width that minimises bucket additions plus bucket sums for these bit lengths. */
inline unsigned chooseWindow(const std::array<size_t, 257> &atLeast, unsigned maxBits) {
  unsigned best = 1;
  double bestCost = -1;
  for (unsigned c = 1; c <= 20; c++) {
    unsigned windows = (maxBits + c - 1) / c;
    double cost = 0;
    for (unsigned w = 0; w < windows; w++) cost += static_cast<double>(atLeast[w * c + 1]);
    // A bucket sum costs two full additions per bucket, each about 1.4 mixed additions.
    cost += windows * 2.8 * static_cast<double>(uint64_t(1) << c);
    if (bestCost < 0 || cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

template <class F>
Xyzz<F> pippenger(const Affine<F> *bases, const U256 *scalars, size_t first, size_t n, size_t step) {
  const U256 order = Fr::modulus();
  const U256 half = order.minus(U256{{1, 0, 0, 0}});
  U256 halfOrder;  // (r - 1) / 2
  for (int i = 0; i < 4; i++) {
    halfOrder.v[i] = (half.v[i] >> 1) | (i < 3 ? half.v[i + 1] << 63 : 0);
  }

  std::array<size_t, 257> count{};
  std::vector<Term> terms;
  terms.reserve(n / step + 1);
  for (size_t i = first; i < n; i += step) {
    const U256 &s = scalars[i];
    if (s.isZero() || bases[i].isInfinity()) continue;
    Term t;
    t.index = static_cast<uint32_t>(i);
    t.negate = halfOrder < s;
    t.k = t.negate ? order.minus(s) : s;
    count[t.k.bitLength()]++;
    terms.push_back(t);
  }
  if (terms.empty()) return Xyzz<F>::infinity();

  // atLeast[b] = number of scalars with at least b bits; offsets sort longest first.
  std::array<size_t, 257> atLeast{};
  unsigned maxBits = 0;
  for (int b = 256; b >= 0; b--) {
    atLeast[b] = count[b] + (b < 256 ? atLeast[b + 1] : 0);
    if (maxBits == 0 && count[b] != 0) maxBits = b;
  }
  std::vector<Term> sorted(terms.size());
  {
    std::array<size_t, 257> next{};
    for (int b = 256; b >= 0; b--) next[b] = b < 256 ? atLeast[b + 1] : 0;
    for (const Term &t : terms) sorted[next[t.k.bitLength()]++] = t;
  }
  terms.clear();
  terms.shrink_to_fit();

  const unsigned c = chooseWindow(atLeast, maxBits);
  const unsigned windows = (maxBits + c - 1) / c;
  std::vector<Xyzz<F>> buckets((size_t(1) << c) - 1);
  Xyzz<F> acc = Xyzz<F>::infinity();
  for (int w = static_cast<int>(windows) - 1; w >= 0; w--) {
    for (unsigned d = 0; d < c && !acc.isInfinity(); d++) acc = acc.doubled();
    for (auto &bucket : buckets) bucket = Xyzz<F>::infinity();
    const unsigned at = static_cast<unsigned>(w) * c;
    const size_t reach = atLeast[at + 1];
    for (size_t t = 0; t < reach; t++) {
      const Term &term = sorted[t];
      uint32_t digit = term.k.bits(at, c);
      if (digit == 0) continue;
      const Affine<F> &p = bases[term.index];
      buckets[digit - 1].addAffine(term.negate ? p.negated() : p);
    }
    Xyzz<F> running = Xyzz<F>::infinity(), sum = Xyzz<F>::infinity();
    for (size_t b = buckets.size(); b-- > 0;) {
      running.add(buckets[b]);
      sum.add(running);
    }
    acc.add(sum);
  }
  return acc;
}

}  // namespace detail

/** sum_i scalars[i] * bases[i] for i < n; scalars are plain (normal-form) field elements. */
template <class F>
Xyzz<F> multiExp(const Affine<F> *bases, const U256 *scalars, size_t n, unsigned threads) {
  // Below a few thousand points, one thread is faster than splitting.
  // Each thread takes every parts-th point, so that dense and sparse stretches of the witness
  // are shared evenly.
  const unsigned parts = n < 4096 ? 1 : std::max(1u, threads);
  std::vector<Xyzz<F>> partial(parts, Xyzz<F>::infinity());
  parallelFor(parts, parts, [&](size_t lo, size_t hi, unsigned) {
    for (size_t part = lo; part < hi; part++) {
      partial[part] = detail::pippenger(bases, scalars, part, n, parts);
    }
  });
  Xyzz<F> out = Xyzz<F>::infinity();
  for (const auto &p : partial) out.add(p);
  return out;
}

}  // namespace zkm
