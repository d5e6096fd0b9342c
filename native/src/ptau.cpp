#include "ptau.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "binfile.hpp"
#include "binio.hpp"
#include "fft.hpp"
#include "fixed_base.hpp"
#include "msm.hpp"
#include "pairing.hpp"
#include "parallel.hpp"
#include "random.hpp"
#include "wipe.hpp"

namespace zkm {

namespace {

using Clock = std::chrono::steady_clock;

using namespace ptau;

constexpr uint64_t HEADER_SIZE = 4 + 32 + 4 + 4;

}  // namespace

const char *ptauSectionName(uint32_t type) {
  switch (type) {
    case HEADER: return "header";
    case TAU_G1: return "tauG1";
    case TAU_G2: return "tauG2";
    case ALPHA_TAU_G1: return "alphaTauG1";
    case BETA_TAU_G1: return "betaTauG1";
    case BETA_G2: return "betaG2";
    case CONTRIBUTIONS: return "contributions";
    case LAGRANGE_TAU_G1: return "Lagrange tauG1";
    case LAGRANGE_TAU_G2: return "Lagrange tauG2";
    case LAGRANGE_ALPHA_TAU_G1: return "Lagrange alphaTauG1";
    case LAGRANGE_BETA_TAU_G1: return "Lagrange betaTauG1";
  }
  return "unknown";
}

namespace {

/** The sections of a prepared ptau of 2^power with their sizes, in file order. */
std::vector<std::pair<uint32_t, uint64_t>> layout(unsigned power) {
  const uint64_t n = uint64_t(1) << power;
  return {{HEADER, HEADER_SIZE},
          {TAU_G1, (2 * n - 1) * 64},
          {TAU_G2, n * 128},
          {ALPHA_TAU_G1, n * 64},
          {BETA_TAU_G1, n * 64},
          {BETA_G2, 128},
          {CONTRIBUTIONS, 4},
          {LAGRANGE_TAU_G1, (4 * n - 1) * 64},
          {LAGRANGE_TAU_G2, (2 * n - 1) * 128},
          {LAGRANGE_ALPHA_TAU_G1, (2 * n - 1) * 64},
          {LAGRANGE_BETA_TAU_G1, (2 * n - 1) * 64}};
}

/** Writes [k]G for each plain scalar of `scalars` as points first .. first + count of `section`. */
template <class F>
void writeMultiples(SectionWriter &out, uint32_t section, uint64_t first, const FixedBase<F> &base, const U256 *scalars,
                    size_t count, unsigned threads) {
  parallelFor(count, threads, [&](size_t lo, size_t hi, unsigned) {
    constexpr size_t CHUNK = 4096;
    std::vector<Xyzz<F>> projective(std::min(CHUNK, hi - lo));
    std::vector<Affine<F>> affine(projective.size());
    for (size_t at = lo; at < hi; at += CHUNK) {
      const size_t m = std::min(CHUNK, hi - at);
      for (size_t i = 0; i < m; i++) projective[i] = base.times(scalars[at + i]);
      toAffine(projective.data(), affine.data(), m);
      out.put(section, (first + at) * sizeof(Affine<F>), affine.data(), m * sizeof(Affine<F>));
    }
  });
}

/** out[i] = (factor * values[i]) in plain form, i < count. */
void plainTimes(const Fr *values, const Fr &factor, U256 *out, size_t count, unsigned threads) {
  parallelFor(count, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi; i++) out[i] = (factor * values[i]).toNormal();
  });
}

/** A secret scalar drawn from the OS CSPRNG, in Montgomery form. */
Fr drawSecret() {
  U256 k = randomScalar();
  Fr out = Fr::fromNormal(k);
  wipe(k);
  return out;
}

/** tau, alpha and beta, wiped when they go out of scope. */
struct ToxicWaste {
  Fr tau = drawSecret(), alpha = drawSecret(), beta = drawSecret();
  ToxicWaste() = default;
  ToxicWaste(const ToxicWaste &) = delete;
  ToxicWaste &operator=(const ToxicWaste &) = delete;
  ~ToxicWaste() { wipe(*this); }
};

double since(Clock::time_point &mark) {
  auto now = Clock::now();
  double seconds = std::chrono::duration<double>(now - mark).count();
  mark = now;
  return seconds;
}

}  // namespace

DevPtauTimings writeDevPtau(unsigned power, const std::string &file, unsigned threads) {
  if (power < 1 || power > PTAU_MAX_POWER) {
    throw std::runtime_error("a development ptau's power must be 1 .. " + std::to_string(PTAU_MAX_POWER) + ", not " +
                             std::to_string(power));
  }
  DevPtauTimings timings;
  auto mark = Clock::now();
  const size_t n = size_t(1) << power;
  SectionWriter out(file, "ptau", 1, layout(power));
  {
    uint8_t header[HEADER_SIZE];
    const uint32_t n8 = 32, p = power;
    const U256 q = Fq::modulus();
    std::memcpy(header, &n8, 4);
    std::memcpy(header + 4, q.v, 32);
    std::memcpy(header + 36, &p, 4);
    std::memcpy(header + 40, &p, 4);
    out.put(HEADER, 0, header, sizeof header);
    const uint32_t noContributions = 0;
    out.put(CONTRIBUTIONS, 0, &noContributions, 4);
  }
  const FixedBase<Fq> g1(g1Generator());
  const FixedBase<Fq2> g2(g2Generator());

  ToxicWaste toxic;
  SecretVector<Fr> powers(2 * n);  // tau^i
  powers[0] = Fr::one();
  for (size_t i = 1; i < 2 * n; i++) powers[i] = powers[i - 1] * toxic.tau;
  SecretVector<U256> scalars(2 * n);

  plainTimes(powers.data(), Fr::one(), scalars.data(), 2 * n - 1, threads);
  writeMultiples(out, TAU_G1, 0, g1, scalars.data(), 2 * n - 1, threads);
  writeMultiples(out, TAU_G2, 0, g2, scalars.data(), n, threads);
  plainTimes(powers.data(), toxic.alpha, scalars.data(), n, threads);
  writeMultiples(out, ALPHA_TAU_G1, 0, g1, scalars.data(), n, threads);
  plainTimes(powers.data(), toxic.beta, scalars.data(), n, threads);
  writeMultiples(out, BETA_TAU_G1, 0, g1, scalars.data(), n, threads);
  writeMultiples(out, BETA_G2, 0, g2, scalars.data(), 1, threads);
  timings.powers = since(mark);

  // Block p of the Lagrange sections: the inverse transform of (tau^0 .. tau^(2^p - 1)) gives
  // L_i(tau) = (1/2^p) sum_j w^(-ij) tau^j; it starts after the 2^p - 1 points of the blocks before.
  for (unsigned p = 0; p <= power + 1; p++) {
    const size_t m = size_t(1) << p;
    SecretVector<Fr> lagrange(m);
    std::memcpy(lagrange.data(), powers.data(), m * sizeof(Fr));
    if (p == power + 1) lagrange[m - 1] = Fr::zero();  // section 2 stops at tau^(2N-2)
    Domain(p).inverse(lagrange.data(), threads);
    plainTimes(lagrange.data(), Fr::one(), scalars.data(), m, threads);
    writeMultiples(out, LAGRANGE_TAU_G1, m - 1, g1, scalars.data(), m, threads);
    if (p > power) continue;
    writeMultiples(out, LAGRANGE_TAU_G2, m - 1, g2, scalars.data(), m, threads);
    plainTimes(lagrange.data(), toxic.alpha, scalars.data(), m, threads);
    writeMultiples(out, LAGRANGE_ALPHA_TAU_G1, m - 1, g1, scalars.data(), m, threads);
    plainTimes(lagrange.data(), toxic.beta, scalars.data(), m, threads);
    writeMultiples(out, LAGRANGE_BETA_TAU_G1, m - 1, g1, scalars.data(), m, threads);
  }
  out.close();
  timings.lagrange = since(mark);
  return timings;
}

namespace {

/** A ptau file's sections; points are checked reduced and on their curve as they are read. */
class PtauFile : public SectionFile {
 public:
  explicit PtauFile(const std::string &file) : SectionFile(file, "ptau", 1, ptauSectionName) {}

  /** Point `index` of a section of `expected` bytes, checked. */
  template <class F>
  Affine<F> point(uint32_t type, uint64_t expected, uint64_t index) const {
    auto out = items<Affine<F>>(section(type, expected), index, 1);
    checkPoints(out, type, 1);
    return out[0];
  }

  /** The points of a section of `expected` bytes, each checked. */
  template <class F>
  std::vector<Affine<F>> points(uint32_t type, uint64_t expected, unsigned threads) const {
    Place place = section(type, expected);
    auto out = items<Affine<F>>(place, 0, place.size / sizeof(Affine<F>));
    checkPoints(out, type, threads);
    return out;
  }

 private:
  template <class F>
  void checkPoints(const std::vector<Affine<F>> &points, uint32_t type, unsigned threads) const;
};

bool reducedFq(const Fq &f) { return f.raw() < Fq::modulus(); }
bool reduced(const G1 &p) { return reducedFq(p.x) && reducedFq(p.y); }
bool reduced(const G2 &p) {
  return reducedFq(p.x.c0) && reducedFq(p.x.c1) && reducedFq(p.y.c0) && reducedFq(p.y.c1);
}
Fq curveB(const G1 &) { return g1B(); }
Fq2 curveB(const G2 &) { return g2B(); }

template <class F>
void PtauFile::checkPoints(const std::vector<Affine<F>> &points, uint32_t type, unsigned threads) const {
  const F b = curveB(Affine<F>{});
  std::vector<uint64_t> firstBad(std::max(1u, threads), UINT64_MAX);
  parallelFor(points.size(), threads, [&](size_t lo, size_t hi, unsigned part) {
    for (size_t i = lo; i < hi; i++) {
      if (!reduced(points[i]) || !onCurve(points[i], b)) {
        firstBad[part] = i;
        return;
      }
    }
  });
  for (uint64_t bad : firstBad) {
    if (bad != UINT64_MAX) {
      fail("point " + std::to_string(bad) + " of " + name(type) + " is not a point of the curve");
    }
  }
}

/** Random 128-bit coefficients: a false identity survives a random combination with chance 2^-128. */
std::vector<U256> randomCoefficients(size_t n) {
  std::vector<U256> out(n);
  std::vector<uint64_t> bits(2 * n);
  if (n > 0) randomBytes(bits.data(), bits.size() * 8);
  for (size_t i = 0; i < n; i++) out[i] = U256{{bits[2 * i], bits[2 * i + 1], 0, 0}};
  return out;
}

template <class F>
bool sameAffine(const Xyzz<F> &a, const Xyzz<F> &b) {
  Affine<F> x = a.toAffine(), y = b.toAffine();
  return x.x == y.x && x.y == y.y;
}

/**
 * Sum rho_i p_i and sum rho_i p_(i+1) over i < n - 1, one rho per i: when every p_(i+1) is
 * [tau] p_i, the second is [tau] times the first.
 */
template <class F>
std::pair<Affine<F>, Affine<F>> shiftedCombinations(const std::vector<Affine<F>> &p, unsigned threads) {
  const size_t n = p.size() - 1;
  std::vector<U256> rho = randomCoefficients(n);
  return {multiExp(p.data(), rho.data(), n, threads).toAffine(),
          multiExp(p.data() + 1, rho.data(), n, threads).toAffine()};
}

/**
 * True when `lagrange` holds, block after block for p = 0 .. levels - 1, the Lagrange forms of
 * the first 2^p points of `powers` (missing ones count as infinity). Block p must satisfy
 * sum_j rho_j P_j = sum_i c_i L_i with c the forward transform of rho; one random rho per block,
 * all blocks in one pair of multi-scalar multiplications.
 */
template <class F>
bool isLagrangeForm(const std::vector<Affine<F>> &powers, const std::vector<Affine<F>> &lagrange, unsigned levels,
                    unsigned threads) {
  std::vector<Fr> powerCoefficients(powers.size(), Fr::zero());
  std::vector<U256> lagrangeCoefficients(lagrange.size());
  for (unsigned p = 0; p < levels; p++) {
    const size_t m = size_t(1) << p;
    std::vector<U256> rho = randomCoefficients(m);
    std::vector<Fr> c(m);
    for (size_t j = 0; j < m; j++) {
      c[j] = Fr::fromNormal(rho[j]);
      if (j < powers.size()) powerCoefficients[j] = powerCoefficients[j] + c[j];
    }
    Domain(p).forward(c.data(), threads);
    for (size_t i = 0; i < m; i++) lagrangeCoefficients[m - 1 + i] = c[i].toNormal();
  }
  std::vector<U256> plain(powers.size());
  for (size_t j = 0; j < powers.size(); j++) plain[j] = powerCoefficients[j].toNormal();
  return sameAffine(multiExp(powers.data(), plain.data(), powers.size(), threads),
                    multiExp(lagrange.data(), lagrangeCoefficients.data(), lagrange.size(), threads));
}

bool sameRatio(const G1 &a1, const G1 &b1, const G2 &a2, const G2 &b2) {
  // e(a1, b2) = e(b1, a2): the discrete log of b over a is the same in both groups.
  return pairingProductIsOne({{a1, b2}, {b1.negated(), a2}});
}

}  // namespace

PtauHeader readPtauHeader(const SectionFile &ptau) {
  SectionFile::Place place = ptau.section(HEADER, HEADER_SIZE);
  uint8_t bytes[HEADER_SIZE];
  ptau.read(place.offset, bytes, HEADER_SIZE);
  uint32_t n8, power, ceremonyPower;
  U256 q;
  std::memcpy(&n8, bytes, 4);
  std::memcpy(q.v, bytes + 4, 32);
  std::memcpy(&power, bytes + 36, 4);
  std::memcpy(&ceremonyPower, bytes + 40, 4);
  if (n8 != 32 || !(q == Fq::modulus())) ptau.fail("is not over BN254 (its header's field differs)");
  if (power < 1 || power > PTAU_MAX_POWER) {
    ptau.fail("has power " + std::to_string(power) + "; this code handles 1 .. " + std::to_string(PTAU_MAX_POWER));
  }
  if (ceremonyPower < power) ptau.fail("has ceremony power " + std::to_string(ceremonyPower) + " below its power");
  return {power, ceremonyPower};
}

PtauCheck checkPtau(const std::string &file, unsigned threads) {
  PtauFile ptau(file);
  PtauCheck result;
  const PtauHeader header = readPtauHeader(ptau);
  result.power = header.power;
  result.ceremonyPower = header.ceremonyPower;
  const unsigned power = result.power;
  std::map<uint32_t, uint64_t> sizes;
  for (const auto &[type, size] : layout(power)) sizes[type] = size;
  {
    SectionFile::Place contributions = ptau.section(CONTRIBUTIONS, 0);
    if (contributions.size < 4) ptau.fail("section 7 (contributions) has no count");
    ptau.read(contributions.offset, &result.contributions, 4);
  }
  result.prepared = ptau.has(LAGRANGE_TAU_G1);

  const G1 g1 = g1Generator();
  const G2 g2 = g2Generator();
  auto mismatch = [&](uint32_t type, const std::string &rule) { ptau.fail(ptau.name(type) + " " + rule); };

  // [tau]G1 and [tau]G2 first: every ratio check below is against them (and section 2's own
  // check ties [tau]G1 to [tau]G2).
  const G1 tau1 = ptau.point<Fq>(TAU_G1, sizes[TAU_G1], 1);
  const G2 tau2 = ptau.point<Fq2>(TAU_G2, sizes[TAU_G2], 1);
  if (!inG2Subgroup(tau2)) mismatch(TAU_G2, "has a second point outside G2's subgroup");

  // Each section, then its Lagrange form; sections are large, so each is dropped when done.
  {
    auto tauG1 = ptau.points<Fq>(TAU_G1, sizes[TAU_G1], threads);
    if (!(tauG1[0].x == g1.x && tauG1[0].y == g1.y)) mismatch(TAU_G1, "does not start with the generator");
    auto [r1, r2] = shiftedCombinations(tauG1, threads);
    if (!sameRatio(r1, r2, g2, tau2)) {
      mismatch(TAU_G1, "is not the powers of one tau (its successive points differ in ratio)");
    }
    if (result.prepared) {
      auto lagrange = ptau.points<Fq>(LAGRANGE_TAU_G1, sizes[LAGRANGE_TAU_G1], threads);
      if (!isLagrangeForm(tauG1, lagrange, power + 2, threads)) {
        mismatch(LAGRANGE_TAU_G1, "is not the Lagrange form of section 2 (tauG1)");
      }
    }
  }
  {
    auto tauG2 = ptau.points<Fq2>(TAU_G2, sizes[TAU_G2], threads);
    if (!(tauG2[0].x == g2.x && tauG2[0].y == g2.y)) mismatch(TAU_G2, "does not start with the generator");
    auto [s1, s2] = shiftedCombinations(tauG2, threads);
    if (!inG2Subgroup(s1) || !inG2Subgroup(s2)) mismatch(TAU_G2, "has points outside G2's subgroup");
    if (!sameRatio(g1, tau1, s1, s2)) mismatch(TAU_G2, "is not the powers of the tau of section 2");
    if (result.prepared) {
      auto lagrange = ptau.points<Fq2>(LAGRANGE_TAU_G2, sizes[LAGRANGE_TAU_G2], threads);
      if (!isLagrangeForm(tauG2, lagrange, power + 1, threads)) {
        mismatch(LAGRANGE_TAU_G2, "is not the Lagrange form of section 3 (tauG2)");
      }
    }
  }
  G1 beta1;
  for (uint32_t type : {ALPHA_TAU_G1, BETA_TAU_G1}) {
    auto scaled = ptau.points<Fq>(type, sizes[type], threads);
    auto [r1, r2] = shiftedCombinations(scaled, threads);
    if (!sameRatio(r1, r2, g2, tau2)) mismatch(type, "is not the powers of the tau of section 2");
    if (type == BETA_TAU_G1) beta1 = scaled[0];
    const uint32_t prepared = type == ALPHA_TAU_G1 ? LAGRANGE_ALPHA_TAU_G1 : LAGRANGE_BETA_TAU_G1;
    if (result.prepared) {
      auto lagrange = ptau.points<Fq>(prepared, sizes[prepared], threads);
      if (!isLagrangeForm(scaled, lagrange, power + 1, threads)) {
        mismatch(prepared, std::string("is not the Lagrange form of section ") + std::to_string(type) + " (" +
                               ptauSectionName(type) + ")");
      }
    }
  }
  auto beta2 = ptau.points<Fq2>(BETA_G2, sizes[BETA_G2], threads);
  if (!inG2Subgroup(beta2[0]) || !sameRatio(g1, beta1, g2, beta2[0])) {
    mismatch(BETA_G2, "is not the beta of section 5 (betaTauG1)");
  }
  return result;
}

}  // namespace zkm
