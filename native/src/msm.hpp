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
#include <chrono>
#include <cstdint>
#include <vector>

#include "curve.hpp"
#include "parallel.hpp"
#include "wipe.hpp"

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

/** Pairs of one bucket in a tree round: pairs [from, to) (pair i adds points 2i and 2i + 1). */
struct Segment {
  uint32_t bucket, from, to;
};

/** Per-thread working memory of windowSum, kept across its tasks. */
template <class F>
struct Scratch {
  std::vector<Affine<F>> src, dst, bucket;
  std::vector<F> prefix;
  std::vector<uint32_t> start, length, active, next;
  std::vector<Segment> segments;
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

/** Pairs added with one inversion: enough to make it cheap, few enough to stay in cache. */
constexpr uint32_t kPairsPerInversion = 1024;

/** Adds the pairs of `segments` from src into dst, with one inversion for all of them. */
template <class F>
void addPairs(Scratch<F> &s, const std::vector<Segment> &segments) {
  F acc = F::one();
  size_t m = 0;
  for (const Segment &g : segments) {
    const Affine<F> *pts = &s.src[s.start[g.bucket]];
    for (uint32_t i = g.from; i < g.to; i++) {
      F d;
      PairKind kind = pairKind(pts[2 * i], pts[2 * i + 1], d);
      if (kind == PairKind::add || kind == PairKind::doubling) {
        s.prefix[m++] = acc;
        acc = acc * d;
      }
    }
  }
  F inv = acc.inverse();
  for (size_t k = segments.size(); k-- > 0;) {
    const Segment &g = segments[k];
    const Affine<F> *pts = &s.src[s.start[g.bucket]];
    Affine<F> *out = &s.dst[s.start[g.bucket]];
    for (uint32_t i = g.to; i-- > g.from;) {
      const Affine<F> &p = pts[2 * i], &q = pts[2 * i + 1];
      F d;
      PairKind kind = pairKind(p, q, d);
      Affine<F> &r = out[i];
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
  }
}

/**
 * One round of the bucket trees: in every active bucket, the points src[start + 2i] and
 * src[start + 2i + 1] are added into dst[start + i] (an odd one out is moved along), in chunks of
 * about kPairsPerInversion pairs sharing one inversion.
 */
template <class F>
void treeRound(Scratch<F> &s) {
  std::vector<Segment> &chunk = s.segments;
  chunk.clear();
  uint32_t pairs = 0;
  for (uint32_t b : s.active) {
    const uint32_t len = s.length[b];
    if (len & 1) s.dst[s.start[b] + (len >> 1)] = s.src[s.start[b] + len - 1];
    for (uint32_t from = 0; from < len / 2;) {
      const uint32_t to = std::min(len / 2, from + (kPairsPerInversion - pairs));
      chunk.push_back({b, from, to});
      pairs += to - from;
      from = to;
      if (pairs == kPairsPerInversion) {
        addPairs(s, chunk);
        chunk.clear();
        pairs = 0;
      }
    }
    s.length[b] = (len + 1) >> 1;
  }
  if (!chunk.empty()) addPairs(s, chunk);
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
  if (s.prefix.size() < kPairsPerInversion) s.prefix.resize(kPairsPerInversion);
  {
    std::vector<uint32_t> &fill = s.next;
    fill.assign(s.start.begin(), s.start.end() - 1);
    constexpr size_t ahead = 16;  // the bases are read in scalar order: fetch them early
    for (size_t t = lo; t < hi; t++) {
      if (t + ahead < hi && digits[t + ahead] != 0) __builtin_prefetch(&bases[plan.sorted[t + ahead].index]);
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

/** One MSM of a batch: its bases and scalars, its plan, and the sums of its tasks. */
template <class F>
struct Job {
  const Affine<F> *bases;
  const U256 *scalars;
  size_t n;
  Xyzz<F> *out;
  double *seconds;  // the thread-seconds of its pieces, when not null
  Plan plan;
  std::vector<Xyzz<F>> sums;  // one a task

  /** sum_w 2^(w c) * (the sums of window w's tasks), into *out. */
  template <class Piece>
  void finish(const std::vector<Piece> &pieces, unsigned group, size_t job) {
    std::vector<Xyzz<F>> windowSums(plan.windows, Xyzz<F>::infinity());
    if (seconds) *seconds = 0;
    for (size_t i = 0; i < pieces.size(); i++) {
      if (pieces[i].group != group || pieces[i].job != job) continue;
      windowSums[pieces[i].window].add(sums[i]);
      if (seconds) *seconds += pieces[i].seconds;
    }
    Xyzz<F> acc = Xyzz<F>::infinity();
    for (unsigned w = plan.windows; w-- > 0;) {
      for (unsigned d = 0; d < plan.c && !acc.isInfinity(); d++) acc = acc.doubled();
      acc.add(windowSums[w]);
    }
    *out = acc;
    // The plan holds the scalars (witness values): wiped, as the prover wipes the witness.
    wipe(plan.sorted);
    for (auto &digits : plan.digits) wipe(digits);
  }
};

/** One piece of work: the terms [lo, hi) of window `window` of job `job` of group 0 (G1) or 1 (G2). */
struct Piece {
  unsigned group, window;
  size_t job, lo, hi;
  double cost;
  double seconds;  // measured
};

/** A G2 addition costs about three G1 ones (Fq2 products are three Fq products). */
constexpr double kGroupWeight[2] = {1.0, 3.0};

}  // namespace detail

/**
 * Several MSMs over G1 and G2 computed together: their scalars are planned in parallel, then
 * every window of every MSM (the heavy ones cut into stretches of points) is a piece of work
 * that the threads take in turn, longest first, so that the threads are started once and end
 * about together.
 */
class MsmBatch {
 public:
  /**
   * Adds sum_i scalars[i] * bases[i] for i < n (plain scalars), written to *out by run(), with
   * the thread-seconds its pieces took to *seconds when that is not null.
   */
  void add(const G1 *bases, const U256 *scalars, size_t n, Xyzz<Fq> *out, double *seconds = nullptr) {
    g1_.push_back({bases, scalars, n, out, seconds, {}, {}});
  }
  void add(const G2 *bases, const U256 *scalars, size_t n, Xyzz<Fq2> *out, double *seconds = nullptr) {
    g2_.push_back({bases, scalars, n, out, seconds, {}, {}});
  }

  void run(unsigned threads) {
    const size_t jobs = g1_.size() + g2_.size();
    size_t terms = 0;
    parallelFor(jobs, threads, [&](size_t lo, size_t hi, unsigned) {
      for (size_t j = lo; j < hi; j++) {
        if (j < g1_.size()) {
          auto &job = g1_[j];
          job.plan = detail::plan(job.bases, job.scalars, job.n);
        } else {
          auto &job = g2_[j - g1_.size()];
          job.plan = detail::plan(job.bases, job.scalars, job.n);
        }
      }
    });
    for (const auto &job : g1_) terms += job.plan.sorted.size();
    for (const auto &job : g2_) terms += job.plan.sorted.size();
    // Below a few thousand points, one thread is faster than starting another.
    const unsigned parts = terms < 4096 ? 1 : std::max(1u, threads);
    std::vector<detail::Piece> pieces = cut(parts);
    for (auto &job : g1_) job.sums.assign(pieces.size(), Xyzz<Fq>::infinity());
    for (auto &job : g2_) job.sums.assign(pieces.size(), Xyzz<Fq2>::infinity());
    std::atomic<size_t> taken{0};
    parallelFor(parts, parts, [&](size_t, size_t, unsigned) {
      detail::Scratch<Fq> scratch1;
      detail::Scratch<Fq2> scratch2;
      for (size_t i = taken++; i < pieces.size(); i = taken++) {
        detail::Piece &p = pieces[i];
        const auto started = std::chrono::steady_clock::now();
        if (p.group == 0) {
          auto &job = g1_[p.job];
          job.sums[i] = detail::windowSum(job.bases, job.plan, p.window, p.lo, p.hi, scratch1);
        } else {
          auto &job = g2_[p.job];
          job.sums[i] = detail::windowSum(job.bases, job.plan, p.window, p.lo, p.hi, scratch2);
        }
        p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      }
    });
    for (size_t j = 0; j < g1_.size(); j++) g1_[j].finish(pieces, 0, j);
    for (size_t j = 0; j < g2_.size(); j++) g2_[j].finish(pieces, 1, j);
    g1_.clear();
    g2_.clear();
  }

 private:
  /** Every job's windows as pieces, cut so that no piece exceeds a quarter of a thread's share. */
  std::vector<detail::Piece> cut(unsigned threads) const {
    std::vector<detail::Piece> out;
    double total = 0;
    auto windowCost = [](const detail::Plan &plan, unsigned, size_t count) {
      return static_cast<double>(count) + detail::kBucketSumCost * static_cast<double>(plan.buckets());
    };
    auto each = [&](auto &&fn) {
      for (size_t j = 0; j < g1_.size(); j++) fn(0u, j, g1_[j].plan);
      for (size_t j = 0; j < g2_.size(); j++) fn(1u, j, g2_[j].plan);
    };
    each([&](unsigned group, size_t, const detail::Plan &plan) {
      for (unsigned w = 0; w < plan.windows; w++) {
        total += detail::kGroupWeight[group] * windowCost(plan, w, plan.reach(w));
      }
    });
    const double piece = total / (4.0 * threads);
    each([&](unsigned group, size_t job, const detail::Plan &plan) {
      for (unsigned w = 0; w < plan.windows; w++) {
        const size_t reach = plan.reach(w);
        const double cost = detail::kGroupWeight[group] * windowCost(plan, w, reach);
        size_t parts = threads == 1 ? 1 : static_cast<size_t>(cost / piece) + 1;
        parts = std::max<size_t>(1, std::min(parts, reach / 256 + 1));
        for (size_t p = 0; p < parts; p++) {
          const size_t lo = reach * p / parts, hi = reach * (p + 1) / parts;
          out.push_back({group, w, job, lo, hi, detail::kGroupWeight[group] * windowCost(plan, w, hi - lo), 0});
        }
      }
    });
    // Longest first: the threads take them in turn.
    std::stable_sort(out.begin(), out.end(),
                     [](const detail::Piece &a, const detail::Piece &b) { return a.cost > b.cost; });
    return out;
  }

  std::vector<detail::Job<Fq>> g1_;
  std::vector<detail::Job<Fq2>> g2_;
};

/** sum_i scalars[i] * bases[i] for i < n; scalars are plain (normal-form) field elements. */
template <class F>
Xyzz<F> multiExp(const Affine<F> *bases, const U256 *scalars, size_t n, unsigned threads) {
  Xyzz<F> out = Xyzz<F>::infinity();
  MsmBatch batch;
  batch.add(bases, scalars, n, &out);
  batch.run(threads);
  return out;
}

}  // namespace zkm
