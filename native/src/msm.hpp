// Multi-scalar multiplication sum_i k_i * P_i (Pippenger's bucket method) over affine bases.
//
// Circom witnesses are mostly small numbers (bits, counters, amounts) or the negatives of small
// numbers (p - x). Each scalar above p/2 is replaced by p - k with the point negated, zero
// scalars are dropped, and the rest are sorted by bit length, so a window only visits the scalars
// long enough to have a digit in it.
//
// Digits are signed, in [-2^(c-1), 2^(c-1)]: a negative digit adds the negated point, so a
// window of c bits needs 2^(c-1) buckets. Each window's points are counting-sorted by bucket and
// every bucket's points are summed in affine coordinates by a pairwise tree: one round adds
// neighbouring pairs in every bucket at once, all with one field inversion (Montgomery's batch
// trick), about 6 products an addition against 10 for an extended-Jacobian mixed addition; a
// bucket hit by many points (a circom bit signal in window 0) only takes more rounds. The bucket
// sums (running-sum trick) are done in XYZZ coordinates. The window width c minimises the
// estimated cost for the actual bit-length histogram. The work is split into tasks, one a window
// (the heaviest windows cut into stretches of their points), which the threads take in turn, so
// no window's bucket sums are done twice unless the window is cut.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
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

/** Relative costs, in batched affine additions: one bucket's share of the running sums. */
constexpr double kBucketSumCost = 4.0;

/** The scalars of one MSM, reduced, sorted and cut into signed windows. */
struct Plan {
  std::vector<Term> sorted;  // longest first
  std::array<size_t, 257> atLeast{};  // atLeast[b] = number of scalars with at least b bits
  unsigned maxBits = 0, c = 1, windows = 0;
  std::vector<std::vector<int32_t>> digits;  // digits[w][t] for the first reach(w) terms

  /** The number of (longest) terms that can have a non-zero digit in window w. */
  size_t reach(unsigned w) const { return atLeast[std::max(1u, w * c)]; }
  size_t buckets() const { return size_t(1) << (c - 1); }
};

/** The window width that minimises tree additions plus bucket sums for these bit lengths. */
inline unsigned chooseWindow(const std::array<size_t, 257> &atLeast, unsigned maxBits) {
  unsigned best = 2;
  double bestCost = -1;
  for (unsigned c = 2; c <= 16; c++) {
    unsigned windows = maxBits / c + 1;
    double cost = 0;
    for (unsigned w = 0; w < windows; w++) cost += static_cast<double>(atLeast[std::max(1u, w * c)]);
    cost += windows * kBucketSumCost * static_cast<double>(uint64_t(1) << (c - 1));
    if (bestCost < 0 || cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

/** Drops zero scalars and infinite bases, halves the scalars, sorts them and makes the digits. */
template <class F>
Plan plan(const Affine<F> *bases, const U256 *scalars, size_t n) {
  const U256 order = Fr::modulus();
  const U256 half = order.minus(U256{{1, 0, 0, 0}});
  U256 halfOrder;  // (r - 1) / 2
  for (int i = 0; i < 4; i++) {
    halfOrder.v[i] = (half.v[i] >> 1) | (i < 3 ? half.v[i + 1] << 63 : 0);
  }

  Plan out;
  std::array<size_t, 257> count{};
  std::vector<Term> terms;
  terms.reserve(n);
  for (size_t i = 0; i < n; i++) {
    const U256 &s = scalars[i];
    if (s.isZero() || bases[i].isInfinity()) continue;
    Term t;
    t.index = static_cast<uint32_t>(i);
    t.negate = halfOrder < s;
    t.k = t.negate ? order.minus(s) : s;
    count[t.k.bitLength()]++;
    terms.push_back(t);
  }
  if (terms.empty()) return out;

  for (int b = 256; b >= 0; b--) {
    out.atLeast[b] = count[b] + (b < 256 ? out.atLeast[b + 1] : 0);
    if (out.maxBits == 0 && count[b] != 0) out.maxBits = b;
  }
  out.sorted.resize(terms.size());
  {
    std::array<size_t, 257> next{};
    for (int b = 256; b >= 0; b--) next[b] = b < 256 ? out.atLeast[b + 1] : 0;
    for (const Term &t : terms) out.sorted[next[t.k.bitLength()]++] = t;
  }
  terms.clear();
  terms.shrink_to_fit();

  // Windows up to the one holding bit maxBits: the top digit then never carries out.
  out.c = chooseWindow(out.atLeast, out.maxBits);
  out.windows = out.maxBits / out.c + 1;
  out.digits.resize(out.windows);
  for (unsigned w = 0; w < out.windows; w++) out.digits[w].resize(out.reach(w));
  const uint32_t full = uint32_t(1) << out.c, halfDigit = full >> 1;
  for (size_t t = 0; t < out.sorted.size(); t++) {
    const U256 &k = out.sorted[t].k;
    uint32_t carry = 0;
    for (unsigned w = 0; w < out.windows && t < out.digits[w].size(); w++) {
      uint32_t raw = k.bits(w * out.c, out.c) + carry;
      carry = raw > halfDigit;
      out.digits[w][t] = carry ? static_cast<int32_t>(raw) - static_cast<int32_t>(full) : static_cast<int32_t>(raw);
    }
    // A term reaches window w when it has at least w * c bits; where it stops, its last digit
    // was below 2^(c-1) before the carry, so no carry is left over.
  }
  return out;
}

/** Per-thread working memory of windowSum, kept across its tasks. */
template <class F>
struct Scratch {
  std::vector<Affine<F>> src, dst, bucket;
  std::vector<F> prefix;
  std::vector<uint32_t> start, length, active, next;
};

/** What adding the pair (p, q) takes: an inversion of the returned denominator or none. */
enum class PairKind { add, doubling, copyFirst, copySecond, infinity };

template <class F>
inline PairKind pairKind(const Affine<F> &p, const Affine<F> &q, F &denominator) {
  if (q.isInfinity()) return PairKind::copyFirst;
  if (p.isInfinity()) return PairKind::copySecond;
  if (p.x == q.x) {
    if (p.y != q.y) return PairKind::infinity;
    denominator = p.y.doubled();
    return PairKind::doubling;
  }
  denominator = q.x - p.x;
  return PairKind::add;
}

/**
 * Adds, in every active bucket, the points src[start + 2i] and src[start + 2i + 1] into
 * dst[start + i] (an odd one out is moved along), with one inversion for all of them.
 */
template <class F>
void treeRound(Scratch<F> &s) {
  F acc = F::one();
  size_t m = 0;
  for (uint32_t b : s.active) {
    const Affine<F> *pts = &s.src[s.start[b]];
    for (uint32_t i = 0; i + 1 < s.length[b]; i += 2) {
      F d;
      PairKind kind = pairKind(pts[i], pts[i + 1], d);
      if (kind == PairKind::add || kind == PairKind::doubling) {
        s.prefix[m++] = acc;
        acc = acc * d;
      }
    }
  }
  F inv = acc.inverse();
  for (size_t a = s.active.size(); a-- > 0;) {
    const uint32_t b = s.active[a];
    const Affine<F> *pts = &s.src[s.start[b]];
    Affine<F> *out = &s.dst[s.start[b]];
    const uint32_t len = s.length[b];
    if (len & 1) out[len >> 1] = pts[len - 1];
    for (uint32_t i = len & ~1u; i >= 2;) {
      i -= 2;
      const Affine<F> &p = pts[i], &q = pts[i + 1];
      F d;
      PairKind kind = pairKind(p, q, d);
      Affine<F> &r = out[i >> 1];
      switch (kind) {
        case PairKind::copyFirst:
          r = p;
          break;
        case PairKind::copySecond:
          r = q;
          break;
        case PairKind::infinity:
          r = Affine<F>::infinity();
          break;
        default: {
          F invD = inv * s.prefix[--m];
          inv = inv * d;
          F lambda;
          if (kind == PairKind::add) {
            lambda = (q.y - p.y) * invD;
          } else {
            F x2 = p.x.squared();
            lambda = (x2.doubled() + x2) * invD;
          }
          F x3 = lambda.squared() - p.x - q.x;
          r.y = lambda * (p.x - x3) - p.y;
          r.x = x3;
        }
      }
    }
    s.length[b] = (len + 1) >> 1;
  }
}

/** sum_t digit_t * P_t over the terms [lo, hi) of window w. */
template <class F>
Xyzz<F> windowSum(const Affine<F> *bases, const Plan &plan, unsigned w, size_t lo, size_t hi, Scratch<F> &s) {
  const size_t nBuckets = plan.buckets();
  const int32_t *digits = plan.digits[w].data();
  s.start.assign(nBuckets + 1, 0);
  s.length.assign(nBuckets, 0);
  for (size_t t = lo; t < hi; t++) {
    int32_t d = digits[t];
    if (d != 0) s.length[static_cast<uint32_t>(d < 0 ? -d : d) - 1]++;
  }
  size_t total = 0;
  s.active.clear();
  for (size_t b = 0; b < nBuckets; b++) {
    s.start[b] = static_cast<uint32_t>(total);
    total += s.length[b];
    if (s.length[b] > 1) s.active.push_back(static_cast<uint32_t>(b));
  }
  s.start[nBuckets] = static_cast<uint32_t>(total);
  if (s.src.size() < total) {
    s.src.resize(total);
    s.dst.resize(total);
  }
  if (s.prefix.size() < total / 2 + 1) s.prefix.resize(total / 2 + 1);
  {
    std::vector<uint32_t> &fill = s.next;
    fill.assign(s.start.begin(), s.start.end() - 1);
    for (size_t t = lo; t < hi; t++) {
      int32_t d = digits[t];
      if (d == 0) continue;
      const Term &term = plan.sorted[t];
      const Affine<F> &p = bases[term.index];
      const bool negate = (d < 0) != (term.negate != 0);
      s.src[fill[static_cast<uint32_t>(d < 0 ? -d : d) - 1]++] = negate ? p.negated() : p;
    }
  }

  // Each bucket's sum, affine (infinity when empty).
  s.bucket.assign(nBuckets, Affine<F>::infinity());
  for (size_t b = 0; b < nBuckets; b++) {
    if (s.length[b] == 1) s.bucket[b] = s.src[s.start[b]];
  }
  while (!s.active.empty()) {
    treeRound(s);
    std::swap(s.src, s.dst);
    size_t kept = 0;
    for (uint32_t b : s.active) {
      if (s.length[b] > 1) {
        s.active[kept++] = b;
      } else {
        s.bucket[b] = s.src[s.start[b]];
      }
    }
    s.active.resize(kept);
  }

  // sum_b (b + 1) * bucket[b] by running sums, from the top bucket down.
  Xyzz<F> running = Xyzz<F>::infinity(), sum = Xyzz<F>::infinity();
  for (size_t b = nBuckets; b-- > 0;) {
    running.addAffine(s.bucket[b]);
    sum.add(running);
  }
  return sum;
}

/** One piece of work: the terms [lo, hi) of window w. */
struct Task {
  unsigned window;
  size_t lo, hi;
  double cost;
};

/** The windows as tasks, the heavy ones cut so that `threads` threads end about together. */
inline std::vector<Task> tasks(const Plan &plan, unsigned threads) {
  const double bucketSums = kBucketSumCost * static_cast<double>(plan.buckets());
  double total = 0;
  for (unsigned w = 0; w < plan.windows; w++) total += static_cast<double>(plan.reach(w)) + bucketSums;
  // Pieces of at most a quarter of a thread's share.
  const double piece = total / (4.0 * threads);
  std::vector<Task> out;
  for (unsigned w = 0; w < plan.windows; w++) {
    const size_t reach = plan.reach(w);
    const double cost = static_cast<double>(reach) + bucketSums;
    size_t parts = threads == 1 ? 1 : static_cast<size_t>(cost / piece) + 1;
    parts = std::max<size_t>(1, std::min(parts, reach / 256 + 1));
    for (size_t p = 0; p < parts; p++) {
      size_t lo = reach * p / parts, hi = reach * (p + 1) / parts;
      out.push_back({w, lo, hi, static_cast<double>(hi - lo) + bucketSums});
    }
  }
  // Longest first: the threads take them in turn.
  std::stable_sort(out.begin(), out.end(), [](const Task &a, const Task &b) { return a.cost > b.cost; });
  return out;
}

}  // namespace detail

/** sum_i scalars[i] * bases[i] for i < n; scalars are plain (normal-form) field elements. */
template <class F>
Xyzz<F> multiExp(const Affine<F> *bases, const U256 *scalars, size_t n, unsigned threads) {
  const detail::Plan plan = detail::plan(bases, scalars, n);
  if (plan.sorted.empty()) return Xyzz<F>::infinity();
  // Below a few thousand points, one thread is faster than starting another.
  const unsigned parts = plan.sorted.size() < 4096 ? 1 : std::max(1u, threads);
  const std::vector<detail::Task> work = detail::tasks(plan, parts);
  std::vector<Xyzz<F>> sums(work.size(), Xyzz<F>::infinity());
  std::atomic<size_t> taken{0};
  parallelFor(parts, parts, [&](size_t, size_t, unsigned) {
    detail::Scratch<F> scratch;
    for (size_t i = taken++; i < work.size(); i = taken++) {
      const detail::Task &task = work[i];
      sums[i] = detail::windowSum(bases, plan, task.window, task.lo, task.hi, scratch);
    }
  });
  std::vector<Xyzz<F>> windowSums(plan.windows, Xyzz<F>::infinity());
  for (size_t i = 0; i < work.size(); i++) windowSums[work[i].window].add(sums[i]);
  Xyzz<F> acc = Xyzz<F>::infinity();
  for (unsigned w = plan.windows; w-- > 0;) {
    for (unsigned d = 0; d < plan.c && !acc.isInfinity(); d++) acc = acc.doubled();
    acc.add(windowSums[w]);
  }
  return acc;
}

}  // namespace zkm
