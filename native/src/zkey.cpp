#include "zkey.hpp"

#include <atomic>
#include <string>

#include "binfile.hpp"

namespace zkm {

namespace {

// BN254's base-field and scalar-field moduli, little-endian limbs.
const U256 BN254_Q{{0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029}};
const U256 BN254_R{{0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029}};

template <class F>
bool reduced(const F &f);
template <>
bool reduced(const Fq &f) {
  return f.raw() < BN254_Q;
}
template <>
bool reduced(const Fq2 &f) {
  return f.c0.raw() < BN254_Q && f.c1.raw() < BN254_Q;
}

/** Copies `count` points from a section and checks each (reduced coordinates, on the curve). */
template <class F>
std::vector<Affine<F>> readPoints(const Section &s, uint64_t count, const F &b, const char *name,
                                  unsigned threads) {
  std::vector<Affine<F>> out(count);
  if (count > 0) std::memcpy(out.data(), s.data, count * sizeof(Affine<F>));
  std::atomic<uint64_t> bad{UINT64_MAX};
  parallelFor(count, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi && bad.load() == UINT64_MAX; i++) {
      if (!reduced(out[i].x) || !reduced(out[i].y) || !onCurve(out[i], b)) {
        uint64_t none = UINT64_MAX;
        bad.compare_exchange_strong(none, i);
      }
    }
  });
  if (bad.load() != UINT64_MAX) {
    throw FormatError(std::string("zkey is corrupted: point ") + std::to_string(bad.load()) + " of " +
                      name + " is not on the curve");
  }
  return out;
}

template <class F>
Affine<F> readPoint(Cursor &cursor, const F &b, const char *name) {
  Affine<F> p;
  std::memcpy(&p, cursor.take(sizeof p), sizeof p);
  if (!reduced(p.x) || !reduced(p.y) || !onCurve(p, b) || p.isInfinity()) {
    throw FormatError(std::string("zkey is corrupted: its ") + name + " is not a point of the curve");
  }
  return p;
}

struct RawCoefficient {
  uint32_t matrix, constraint, signal;
  Fr value;
};

/** Groups the coefficients of one matrix by constraint (counting sort, stable). */
Matrix buildMatrix(const std::vector<RawCoefficient> &all, uint32_t which, uint32_t rows) {
  Matrix m;
  m.rowStart.assign(size_t(rows) + 1, 0);
  for (const auto &c : all) {
    if (c.matrix == which) m.rowStart[c.constraint + 1]++;
  }
  for (uint32_t r = 0; r < rows; r++) m.rowStart[r + 1] += m.rowStart[r];
  m.signal.resize(m.rowStart[rows]);
  m.coefficient.resize(m.rowStart[rows]);
  std::vector<uint32_t> next(m.rowStart.begin(), m.rowStart.end() - 1);
  for (const auto &c : all) {
    if (c.matrix != which) continue;
    uint32_t at = next[c.constraint]++;
    m.signal[at] = c.signal;
    m.coefficient[at] = c.value;
  }
  return m;
}

}  // namespace

std::unique_ptr<ProvingKey> ProvingKey::load(const uint8_t *data, uint64_t size, unsigned threads) {
  BinFile file(data, size, "zkey", 2, "zkey");
  auto key = std::make_unique<ProvingKey>();

  Section protocol = file.exact(1, "header", 4);
  uint32_t protocolId;
  std::memcpy(&protocolId, protocol.data, 4);
  if (protocolId != 1) throw FormatError("zkey is not a Groth16 key (protocol " + std::to_string(protocolId) + ")");

  Section header = file.exact(2, "Groth16 header", 4 + 32 + 4 + 32 + 12 + 3 * 64 + 3 * 128);
  Cursor h(header.data, header.size, "zkey Groth16 header");
  if (h.u32() != 32 || !(h.u256() == BN254_Q) || h.u32() != 32 || !(h.u256() == BN254_R)) {
    throw FormatError("zkey is not over BN254 (bn128): its field sizes or moduli differ");
  }
  key->nVars = h.u32();
  key->nPublic = h.u32();
  key->domainSize = h.u32();
  if (key->nVars == 0 || key->nPublic >= key->nVars) {
    throw FormatError("zkey header is corrupted: " + std::to_string(key->nPublic) + " public signals of " +
                      std::to_string(key->nVars) + " variables");
  }
  if (key->domainSize < 2 || (key->domainSize & (key->domainSize - 1)) != 0 ||
      key->domainSize >= (1u << FR_TWO_ADICITY)) {
    throw FormatError("zkey header is corrupted: domain size " + std::to_string(key->domainSize) +
                      " is not a power of two below 2^28");
  }
  while ((1u << key->domainLog) < key->domainSize) key->domainLog++;

  const Fq b1 = g1B();
  const Fq2 b2 = g2B();
  key->alpha1 = readPoint(h, b1, "alpha1");
  key->beta1 = readPoint(h, b1, "beta1");
  key->beta2 = readPoint(h, b2, "beta2");
  key->gamma2 = readPoint(h, b2, "gamma2");
  key->delta1 = readPoint(h, b1, "delta1");
  key->delta2 = readPoint(h, b2, "delta2");

  // Every section's size is checked against the header before anything is allocated from it.
  const uint64_t nVars = key->nVars, nPublic = key->nPublic, domain = key->domainSize;
  const uint64_t nPrivate = nVars - nPublic - 1;
  file.exact(3, "IC", (nPublic + 1) * 64);
  const Section sectionA = file.exact(5, "A points", nVars * 64);
  const Section sectionB1 = file.exact(6, "B1 points", nVars * 64);
  const Section sectionB2 = file.exact(7, "B2 points", nVars * 128);
  const Section sectionC = file.exact(8, "C points", nPrivate * 64);
  const Section sectionH = file.exact(9, "H points", domain * 64);

  // Coefficients: u32 count, then (u32 matrix, u32 constraint, u32 signal, 32-byte value).
  Section coefficients = file.unique(4, "coefficients");
  Cursor c(coefficients.data, coefficients.size, "zkey coefficients");
  uint32_t count = c.u32();
  if (c.remaining() != uint64_t(count) * 44) {
    throw FormatError("zkey: section 4 (coefficients) holds " + std::to_string(coefficients.size) +
                      " bytes for " + std::to_string(count) + " coefficients");
  }
  std::vector<RawCoefficient> all(count);
  for (uint32_t i = 0; i < count; i++) {
    RawCoefficient &rc = all[i];
    rc.matrix = c.u32();
    rc.constraint = c.u32();
    rc.signal = c.u32();
    U256 v = c.u256();
    std::memcpy(rc.value.v, v.v, 32);
    if (rc.matrix > 1 || rc.constraint >= domain || rc.signal >= nVars || !(v < BN254_R)) {
      throw FormatError("zkey is corrupted: coefficient " + std::to_string(i) +
                        " has a matrix, constraint, signal or value out of range");
    }
  }
  key->a = buildMatrix(all, 0, key->domainSize);
  key->b = buildMatrix(all, 1, key->domainSize);
  all.clear();
  all.shrink_to_fit();

  key->pointsA = readPoints(sectionA, nVars, b1, "A", threads);
  key->pointsB1 = readPoints(sectionB1, nVars, b1, "B1", threads);
  key->pointsB2 = readPoints(sectionB2, nVars, b2, "B2", threads);
  key->pointsC = readPoints(sectionC, nPrivate, b1, "C", threads);
  key->pointsH = readPoints(sectionH, domain, b1, "H", threads);
  key->domain = std::make_unique<Domain>(key->domainLog);
  return key;
}

}  // namespace zkm
