#include "zkey_new.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "binfile.hpp"
#include "binio.hpp"
#include "blake2b.hpp"
#include "fixed_base.hpp"
#include "msm.hpp"
#include "pairing.hpp"
#include "parallel.hpp"
#include "ptau.hpp"
#include "r1cs.hpp"

namespace zkm {

namespace {

/** The sections of a zkey, and the order snarkjs writes them in. */
enum ZkeySection : uint32_t { HEADER = 1, GROTH = 2, IC = 3, COEFFICIENTS = 4, A = 5, B1 = 6, B2 = 7, C = 8, H = 9, MPC = 10 };

constexpr uint64_t GROTH_HEADER_SIZE = 4 + 32 + 4 + 32 + 12 + 3 * 64 + 3 * 128;
constexpr uint64_t COEFFICIENT_SIZE = 12 + 32;

/** A plain field element as 32 big-endian bytes. */
void bigEndian(const Fq &f, uint8_t *out) {
  const U256 n = f.toNormal();
  for (int i = 0; i < 32; i++) out[31 - i] = static_cast<uint8_t>(n.v[i / 8] >> (8 * (i % 8)));
}

/** snarkjs's "uncompressed" form (LEMtoU): big-endian coordinates (Fq2: c1 then c0); zeros for infinity. */
void uncompressed(const G1 &p, uint8_t *out) {
  if (p.isInfinity()) {
    std::memset(out, 0, 64);
    return;
  }
  bigEndian(p.x, out);
  bigEndian(p.y, out + 32);
}
void uncompressed(const G2 &p, uint8_t *out) {
  if (p.isInfinity()) {
    std::memset(out, 0, 128);
    return;
  }
  bigEndian(p.x.c1, out);
  bigEndian(p.x.c0, out + 32);
  bigEndian(p.y.c1, out + 64);
  bigEndian(p.y.c0, out + 96);
}

/** The circuit hash: points are hashed in their uncompressed form, counts as big-endian u32. */
class CircuitHasher {
 public:
  void count(uint32_t n) {
    uint8_t bytes[4] = {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16), static_cast<uint8_t>(n >> 8),
                        static_cast<uint8_t>(n)};
    hash_.update(bytes, 4);
  }
  template <class F>
  void points(const std::vector<Affine<F>> &points) {
    constexpr size_t SIZE = sizeof(Affine<F>);
    std::vector<uint8_t> buffer(4096 * SIZE);
    for (size_t at = 0; at < points.size(); at += 4096) {
      const size_t m = std::min<size_t>(4096, points.size() - at);
      for (size_t i = 0; i < m; i++) uncompressed(points[at + i], buffer.data() + i * SIZE);
      hash_.update(buffer.data(), m * SIZE);
    }
  }
  template <class F>
  void point(const Affine<F> &p) {
    points(std::vector<Affine<F>>{p});
  }
  void bytes(const uint8_t *data, size_t size) { hash_.update(data, size); }
  void final(uint8_t out[64]) { hash_.final(out); }

 private:
  Blake2b hash_;
};

/**
 * sum_j k_j P_j for one signal's terms. Few terms: Straus's method with signed 5-bit windows
 * (each point's multiples 1..16 in affine form, one inversion for all, then one pass over the
 * windows of every scalar, digits -16..16); many: Pippenger. Each scalar above r/2 is replaced by
 * r - k with its point negated (circuit coefficients are often small negatives).
 */
template <class F>
Xyzz<F> combination(const Affine<F> *bases, const U256 *scalars, size_t m) {
  if (m >= 64) return multiExp(bases, scalars, m, 1);
  constexpr unsigned W = 5, HALF = 1u << (W - 1), MAX_WINDOWS = (256 + W - 1) / W;
  static const U256 r = Fr::modulus();
  static const U256 half = [] {
    U256 h = Fr::modulus().minus(U256{{1, 0, 0, 0}});
    for (int i = 0; i < 4; i++) h.v[i] = (h.v[i] >> 1) | (i < 3 ? h.v[i + 1] << 63 : 0);
    return h;
  }();
  thread_local std::vector<int8_t> digits;
  thread_local std::vector<Xyzz<F>> multiples;
  thread_local std::vector<Affine<F>> table;
  digits.assign(m * MAX_WINDOWS, 0);
  multiples.resize(m * HALF);
  table.resize(m * HALF);
  unsigned windows = 0;
  for (size_t j = 0; j < m; j++) {
    Affine<F> p = bases[j];
    U256 s = scalars[j];
    if (half < s) {
      s = r.minus(s);
      p = p.negated();
    }
    Xyzz<F> *row = &multiples[j * HALF];
    if (s.isZero() || p.isInfinity()) {
      for (unsigned d = 0; d < HALF; d++) row[d] = Xyzz<F>::infinity();
      continue;
    }
    // Signed digits, least significant first: d = bits + carry, above 16 taken as d - 32.
    unsigned carry = 0, w = 0;
    for (; w < MAX_WINDOWS; w++) {
      unsigned d = s.bits(w * W, W) + carry;
      carry = d > HALF;
      digits[j * MAX_WINDOWS + w] = static_cast<int8_t>(carry ? static_cast<int>(d) - (1 << W) : static_cast<int>(d));
      if (d != 0) windows = std::max(windows, w + 1);
    }
    row[0] = Xyzz<F>::from(p);
    row[1] = row[0].doubled();
    for (unsigned d = 2; d < HALF; d++) {
      row[d] = row[d - 1];
      row[d].addAffine(p);
    }
  }
  toAffine(multiples.data(), table.data(), m * HALF);
  Xyzz<F> acc = Xyzz<F>::infinity();
  for (int w = static_cast<int>(windows) - 1; w >= 0; w--) {
    for (unsigned d = 0; d < W && !acc.isInfinity(); d++) acc = acc.doubled();
    for (size_t j = 0; j < m; j++) {
      const int d = digits[j * MAX_WINDOWS + static_cast<size_t>(w)];
      if (d > 0) acc.addAffine(table[j * HALF + static_cast<size_t>(d) - 1]);
      if (d < 0) acc.addAffine(table[j * HALF + static_cast<size_t>(-d) - 1].negated());
    }
  }
  return acc;
}

/** One term of a point sum: row `row` of the base family `family`, times `*coefficient`. */
struct Entry {
  uint32_t row;
  uint32_t family;
  const U256 *coefficient;
};

/** Terms grouped by signal (counting sort): signal s's are entries[start[s] .. start[s+1]). */
struct BySignal {
  std::vector<uint64_t> start;
  std::vector<Entry> entries;
};

struct Source {
  const std::vector<R1csTerm> *terms;
  uint32_t family;
};

const U256 ONE{{1, 0, 0, 0}};

/**
 * Groups `sources` by signal; with `publicFamily` >= 0, also the row nConstraints + s with
 * coefficient 1 for every public signal s (and the constant), as snarkjs adds them.
 */
BySignal group(uint32_t nSignals, const std::vector<Source> &sources, int publicFamily, const R1cs &r1cs) {
  BySignal out;
  out.start.assign(size_t(nSignals) + 1, 0);
  for (const Source &source : sources) {
    for (const R1csTerm &t : *source.terms) out.start[t.signal + 1]++;
  }
  if (publicFamily >= 0) {
    for (uint32_t s = 0; s <= r1cs.nPublic(); s++) out.start[s + 1]++;
  }
  for (uint32_t s = 0; s < nSignals; s++) out.start[s + 1] += out.start[s];
  out.entries.resize(out.start[nSignals]);
  std::vector<uint64_t> next(out.start.begin(), out.start.end() - 1);
  for (const Source &source : sources) {
    for (const R1csTerm &t : *source.terms) out.entries[next[t.signal]++] = {t.constraint, source.family, &t.coefficient};
  }
  if (publicFamily >= 0) {
    for (uint32_t s = 0; s <= r1cs.nPublic(); s++) {
      out.entries[next[s]++] = {r1cs.nConstraints + s, static_cast<uint32_t>(publicFamily), &ONE};
    }
  }
  return out;
}

/**
 * The point of each signal first .. first + count - 1: the sum of its terms, base rows taken from
 * `families`; threads take chunks of signals in turn (a few signals, like the constant, have most
 * terms).
 */
template <class F>
std::vector<Affine<F>> sums(const BySignal &terms, const std::vector<const Affine<F> *> &families, uint32_t first,
                            uint32_t count, unsigned threads) {
  std::vector<Affine<F>> out(count);
  constexpr uint32_t CHUNK = 1024;
  std::atomic<uint32_t> nextChunk{0};
  parallelFor(threads, threads, [&](size_t, size_t, unsigned) {
    std::vector<Affine<F>> bases;
    std::vector<U256> scalars;
    std::vector<Xyzz<F>> chunk(CHUNK);
    for (;;) {
      const uint32_t at = nextChunk.fetch_add(CHUNK);
      if (at >= count) return;
      const uint32_t m = std::min(CHUNK, count - at);
      for (uint32_t i = 0; i < m; i++) {
        const uint32_t signal = first + at + i;
        const uint64_t lo = terms.start[signal], hi = terms.start[signal + 1];
        bases.resize(hi - lo);
        scalars.resize(hi - lo);
        for (uint64_t t = lo; t < hi; t++) {
          const Entry &e = terms.entries[t];
          bases[t - lo] = families[e.family][e.row];
          scalars[t - lo] = *e.coefficient;
        }
        chunk[i] = combination(bases.data(), scalars.data(), hi - lo);
      }
      toAffine(chunk.data(), out.data() + at, m);
    }
  });
  return out;
}

/** A block of `count` points from point `first` of a ptau section, each checked on its curve. */
template <class F>
std::vector<Affine<F>> ptauPoints(const SectionFile &ptau, uint32_t type, uint64_t first, size_t count,
                                  unsigned threads) {
  auto points = ptau.items<Affine<F>>(ptau.section(type), first, count);
  std::atomic<bool> bad{false};
  parallelFor(points.size(), threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi && !bad.load(); i++) {
      if constexpr (std::is_same_v<F, Fq>) {
        if (!onCurve(points[i], g1B())) bad = true;
      } else {
        if (!onCurve(points[i], g2B())) bad = true;
      }
    }
  });
  if (bad.load()) ptau.fail(ptau.name(type) + " holds a point off the curve");
  return points;
}

template <class F>
void writePoints(SectionWriter &out, uint32_t section, const std::vector<Affine<F>> &points) {
  if (!points.empty()) out.put(section, 0, points.data(), points.size() * sizeof(Affine<F>));
}

}  // namespace

NewZkey newZkey(const std::string &r1csFile, const std::string &ptauFile, const std::string &zkeyFile,
                const uint8_t *hashTail, unsigned threads) {
  const R1cs r1cs = R1cs::read(r1csFile);
  SectionFile ptau(ptauFile, "ptau", 1, ptauSectionName);
  const PtauHeader header = readPtauHeader(ptau);
  if (!ptau.has(ptau::LAGRANGE_TAU_G1)) ptau.fail("is not prepared for phase 2 (it has no section 12)");

  // snarkjs: cirPower = floor(log2(nConstraints + nPublic)) + 1, the domain 2^cirPower.
  const uint64_t rows = uint64_t(r1cs.nConstraints) + r1cs.nPublic();
  unsigned power = 1;
  while ((uint64_t(1) << power) <= rows) power++;
  if (power > header.power) {
    ptau.fail("has power " + std::to_string(header.power) + ", too small for " + r1csFile + " (it needs " +
              std::to_string(power) + ")");
  }
  const uint32_t n = uint32_t(1) << power;
  const uint32_t nVars = r1cs.nWires, nPublic = r1cs.nPublic(), nPrivate = nVars - nPublic - 1;
  const bool tailNeeded = needsHashTail(power, header.power);
  if (tailNeeded && hashTail == nullptr) {
    throw std::invalid_argument("the circuit hash of a domain of 2^" + std::to_string(power) +
                                " over a ptau of the same power needs snarkjs's hash tail");
  }

  // The Lagrange bases of the domain (block `power` of sections 12..15 starts at point n - 1).
  const auto tauG1 = ptauPoints<Fq>(ptau, ptau::LAGRANGE_TAU_G1, n - 1, n, threads);
  const auto alphaTauG1 = ptauPoints<Fq>(ptau, ptau::LAGRANGE_ALPHA_TAU_G1, n - 1, n, threads);
  const auto betaTauG1 = ptauPoints<Fq>(ptau, ptau::LAGRANGE_BETA_TAU_G1, n - 1, n, threads);
  const G1 alpha1 = ptauPoints<Fq>(ptau, ptau::ALPHA_TAU_G1, 0, 1, 1)[0];
  const G1 beta1 = ptauPoints<Fq>(ptau, ptau::BETA_TAU_G1, 0, 1, 1)[0];
  const G2 beta2 = ptauPoints<Fq2>(ptau, ptau::BETA_G2, 0, 1, 1)[0];

  const uint64_t nCoefficients = r1cs.a.size() + r1cs.b.size() + nPublic + 1;
  SectionWriter out(zkeyFile, "zkey", 1,
                    {{HEADER, 4},
                     {GROTH, GROTH_HEADER_SIZE},
                     {COEFFICIENTS, 4 + nCoefficients * COEFFICIENT_SIZE},
                     {IC, uint64_t(nPublic + 1) * 64},
                     {H, uint64_t(n) * 64},
                     {C, uint64_t(nPrivate) * 64},
                     {A, uint64_t(nVars) * 64},
                     {B1, uint64_t(nVars) * 64},
                     {B2, uint64_t(nVars) * 128},
                     {MPC, 64 + 4}});
  const uint32_t groth16 = 1;
  out.put(HEADER, 0, &groth16, 4);
  CircuitHasher hash;
  {
    std::vector<uint8_t> h;
    auto put = [&h](const void *data, size_t size) {
      const uint8_t *bytes = static_cast<const uint8_t *>(data);
      h.insert(h.end(), bytes, bytes + size);
    };
    const uint32_t n8 = 32;
    const U256 q = Fq::modulus(), r = Fr::modulus();
    const G1 g1 = g1Generator();
    const G2 g2 = g2Generator();
    put(&n8, 4);
    put(q.v, 32);
    put(&n8, 4);
    put(r.v, 32);
    put(&nVars, 4);
    put(&nPublic, 4);
    put(&n, 4);
    put(&alpha1, 64);
    put(&beta1, 64);
    put(&beta2, 128);
    put(&g2, 128);  // gamma2
    put(&g1, 64);   // delta1
    put(&g2, 128);  // delta2
    out.put(GROTH, 0, h.data(), h.size());
    hash.point(alpha1);
    hash.point(beta1);
    hash.point(beta2);
    hash.point(g2);
    hash.point(g1);
    hash.point(g2);
  }

  // Coefficients: constraint by constraint its A terms then its B terms, then a row per public
  // signal; (matrix, constraint, signal, value * 2^512 mod r), as snarkjs stores them.
  {
    std::vector<uint8_t> buffer;
    uint64_t written = 0;
    auto flush = [&] {
      out.put(COEFFICIENTS, written, buffer.data(), buffer.size());
      written += buffer.size();
      buffer.clear();
    };
    auto emit = [&](uint32_t matrix, uint32_t constraint, uint32_t signal, const U256 &value) {
      const Fr twice = Fr::fromNormal(Fr::fromNormal(value).raw());  // value * R^2 mod r
      uint8_t entry[COEFFICIENT_SIZE];
      std::memcpy(entry, &matrix, 4);
      std::memcpy(entry + 4, &constraint, 4);
      std::memcpy(entry + 8, &signal, 4);
      std::memcpy(entry + 12, twice.v, 32);
      buffer.insert(buffer.end(), entry, entry + COEFFICIENT_SIZE);
      if (buffer.size() >= (size_t(1) << 24)) flush();
    };
    const uint32_t count = static_cast<uint32_t>(nCoefficients);
    buffer.insert(buffer.end(), reinterpret_cast<const uint8_t *>(&count), reinterpret_cast<const uint8_t *>(&count) + 4);
    size_t ai = 0, bi = 0;
    for (uint32_t constraint = 0; constraint < r1cs.nConstraints; constraint++) {
      for (; ai < r1cs.a.size() && r1cs.a[ai].constraint == constraint; ai++) {
        emit(0, constraint, r1cs.a[ai].signal, r1cs.a[ai].coefficient);
      }
      for (; bi < r1cs.b.size() && r1cs.b[bi].constraint == constraint; bi++) {
        emit(1, constraint, r1cs.b[bi].signal, r1cs.b[bi].coefficient);
      }
    }
    for (uint32_t s = 0; s <= nPublic; s++) emit(0, r1cs.nConstraints + s, s, ONE);
    flush();
  }

  // IC and C: A terms on beta tau, B terms on alpha tau, C terms on tau, and the public rows.
  std::vector<G1> ic, c;
  {
    const BySignal k = group(nVars, {{&r1cs.a, 1}, {&r1cs.b, 2}, {&r1cs.c, 0}}, 1, r1cs);
    const std::vector<const G1 *> families{tauG1.data(), betaTauG1.data(), alphaTauG1.data()};
    ic = sums<Fq>(k, families, 0, nPublic + 1, threads);
    c = sums<Fq>(k, families, nPublic + 1, nPrivate, threads);
  }
  writePoints(out, IC, ic);
  hash.count(nPublic + 1);
  hash.points(ic);

  // H: the odd points of the Lagrange basis of the doubled domain (block power + 1 of section 12).
  {
    auto doubled = ptauPoints<Fq>(ptau, ptau::LAGRANGE_TAU_G1, 2 * uint64_t(n) - 1, 2 * size_t(n), threads);
    std::vector<G1> h(n);
    for (uint32_t i = 0; i < n; i++) h[i] = doubled[2 * size_t(i) + 1];
    writePoints(out, H, h);
  }

  // The hash of the H points' differences [tau^(n+j)]G1 - [tau^j]G1 (section 2), j < n - 1, and
  // for a domain above 2^14 one more, as snarkjs counts them.
  {
    const uint32_t count = n > (uint32_t(1) << 14) ? n : n - 1;
    const uint32_t computed = tailNeeded ? count - 1 : count;
    const auto powers = ptauPoints<Fq>(ptau, ptau::TAU_G1, 0, size_t(computed) + n, threads);
    std::vector<G1> differences(computed);
    parallelFor(computed, threads, [&](size_t lo, size_t hi, unsigned) {
      std::vector<Xyzz<Fq>> chunk(std::min<size_t>(4096, hi - lo));
      for (size_t at = lo; at < hi; at += chunk.size()) {
        const size_t m = std::min(chunk.size(), hi - at);
        for (size_t i = 0; i < m; i++) {
          chunk[i] = Xyzz<Fq>::from(powers[at + i + n]);
          chunk[i].addAffine(powers[at + i].negated());
        }
        toAffine(chunk.data(), differences.data() + at, m);
      }
    });
    hash.count(n - 1);
    hash.points(differences);
    if (tailNeeded) hash.bytes(hashTail, 64);
  }

  writePoints(out, C, c);
  hash.count(nPrivate);
  hash.points(c);
  c = {};
  {
    const BySignal a = group(nVars, {{&r1cs.a, 0}}, 0, r1cs);
    const auto points = sums<Fq>(a, {tauG1.data()}, 0, nVars, threads);
    writePoints(out, A, points);
    hash.count(nVars);
    hash.points(points);
  }
  {
    const BySignal b = group(nVars, {{&r1cs.b, 0}}, -1, r1cs);
    const auto points1 = sums<Fq>(b, {tauG1.data()}, 0, nVars, threads);
    writePoints(out, B1, points1);
    hash.count(nVars);
    hash.points(points1);
    const auto tauG2 = ptauPoints<Fq2>(ptau, ptau::LAGRANGE_TAU_G2, n - 1, n, threads);
    const auto points2 = sums<Fq2>(b, {tauG2.data()}, 0, nVars, threads);
    writePoints(out, B2, points2);
    hash.count(nVars);
    hash.points(points2);
  }

  NewZkey result;
  result.domainSize = n;
  hash.final(result.circuitHash);
  uint8_t mpc[68];
  std::memcpy(mpc, result.circuitHash, 64);
  std::memset(mpc + 64, 0, 4);  // no contribution
  out.put(MPC, 0, mpc, sizeof mpc);
  out.close();
  return result;
}

}  // namespace zkm
