#include "groth16.hpp"

#include <string.h>

#include <chrono>
#include <string>

#include "binfile.hpp"
#include "msm.hpp"
#include "random.hpp"
#include "wipe.hpp"

namespace zkm {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point &mark) {
  auto now = Clock::now();
  double seconds = std::chrono::duration<double>(now - mark).count();
  mark = now;
  return seconds;
}

/** A(c) or B(c) for every constraint row c, Montgomery form. */
void evaluate(const Matrix &m, const std::vector<U256> &witness, std::vector<Fr> &out, unsigned threads) {
  const size_t rows = m.rowStart.size() - 1;
  parallelFor(rows, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t row = lo; row < hi; row++) {
      Fr acc = Fr::zero();
      for (uint32_t t = m.rowStart[row]; t < m.rowStart[row + 1]; t++) {
        Fr w;
        std::memcpy(w.v, witness[m.signal[t]].v, sizeof w.v);
        acc = acc + m.coefficient[t] * w;
      }
      out[row] = acc;
    }
  });
}

std::vector<U256> plain(const G1 &p) { return {p.x.toNormal(), p.y.toNormal()}; }
std::vector<U256> plain(const G2 &p) {
  return {p.x.c0.toNormal(), p.x.c1.toNormal(), p.y.c0.toNormal(), p.y.c1.toNormal()};
}

}  // namespace

std::vector<U256> readWitness(const ProvingKey &key, const uint8_t *data, uint64_t size) {
  BinFile file(data, size, "wtns", 2, "witness");
  Section header = file.unique(1, "header");
  Cursor h(header.data, header.size, "witness header");
  uint32_t n8 = h.u32();
  if (n8 != 32 || !(h.u256() == Fr::modulus())) {
    throw FormatError("witness is not over BN254's scalar field (the field of the zkey)");
  }
  uint32_t count = h.u32();
  if (count != key.nVars) {
    throw FormatError("witness has " + std::to_string(count) + " values, the zkey expects " +
                      std::to_string(key.nVars) + ": the witness is of another circuit or instance");
  }
  Section values = file.exact(2, "values", uint64_t(count) * 32);
  std::vector<U256> out(count);
  std::memcpy(out.data(), values.data, values.size);
  const U256 order = Fr::modulus();
  for (uint32_t i = 0; i < count; i++) {
    if (!(out[i] < order)) {
      wipe(out);
      throw FormatError("witness value " + std::to_string(i) + " is not a field element");
    }
  }
  if (!(out[0] == U256{{1, 0, 0, 0}})) {
    wipe(out);
    throw FormatError("witness value 0 (the constant signal) is not 1");
  }
  return out;
}

Proof prove(const ProvingKey &key, const uint8_t *wtns, uint64_t size, unsigned threads) {
  Proof proof;
  auto mark = Clock::now();
  std::vector<U256> witness = readWitness(key, wtns, size);
  proof.phases.read = since(mark);

  const size_t n = key.domainSize;
  std::vector<Fr> a(n), b(n), c(n);
  evaluate(key.a, witness, a, threads);
  evaluate(key.b, witness, b, threads);
  parallelFor(n, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi; i++) c[i] = a[i] * b[i];
  });
  proof.phases.abc = since(mark);

  // The quotient's values on the coset: A*B - C there (the zkey's H points absorb 1/Z).
  for (std::vector<Fr> *v : {&a, &b, &c}) {
    key.domain->inverseToCoset(v->data(), threads);
    key.domain->forward(v->data(), threads);
  }
  std::vector<U256> h(n);
  parallelFor(n, threads, [&](size_t lo, size_t hi, unsigned) {
    for (size_t i = lo; i < hi; i++) h[i] = (a[i] * b[i] - c[i]).toNormal();
  });
  wipe(a);
  wipe(b);
  wipe(c);
  proof.phases.quotient = since(mark);

  // The five MSMs share one pool of threads (see MsmBatch); each one's figure is its share of
  // the phase, in proportion to the thread-seconds its pieces took.
  const size_t nVars = key.nVars, nPrivate = key.nVars - key.nPublic - 1;
  Xyzz<Fq> msmA, msmB1, msmC, msmH;
  Xyzz<Fq2> msmB2;
  double (&each)[5] = proof.phases.msmEach;
  MsmBatch batch;
  batch.add(key.pointsA.data(), witness.data(), nVars, &msmA, &each[0]);
  batch.add(key.pointsB1.data(), witness.data(), nVars, &msmB1, &each[1]);
  batch.add(key.pointsB2.data(), witness.data(), nVars, &msmB2, &each[2]);
  batch.add(key.pointsC.data(), witness.data() + key.nPublic + 1, nPrivate, &msmC, &each[3]);
  batch.add(key.pointsH.data(), h.data(), n, &msmH, &each[4]);
  batch.run(threads);
  wipe(h);
  const double threadSeconds = each[0] + each[1] + each[2] + each[3] + each[4];
  const double wall = since(mark);
  for (double &share : each) share = threadSeconds > 0 ? share * wall / threadSeconds : 0;
  proof.phases.msm = wall;

  std::vector<U256> secrets{randomScalar(), randomScalar()};
  const U256 &r = secrets[0], &s = secrets[1];
  const auto delta1 = Xyzz<Fq>::from(key.delta1);
  Xyzz<Fq> piA = msmA;
  piA.addAffine(key.alpha1);
  piA.add(delta1.times(r));
  Xyzz<Fq2> piB = msmB2;
  piB.addAffine(key.beta2);
  piB.add(Xyzz<Fq2>::from(key.delta2).times(s));
  Xyzz<Fq> piB1 = msmB1;
  piB1.addAffine(key.beta1);
  piB1.add(delta1.times(s));
  Xyzz<Fq> piC = msmC;
  piC.add(msmH);
  piC.add(piA.times(s));
  piC.add(piB1.times(r));
  std::vector<U256> rs{(Fr::fromNormal(r) * Fr::fromNormal(s)).toNormal()};
  piC.add(delta1.times(rs[0]).negated());
  wipe(secrets);
  wipe(rs);

  proof.a = piA.toAffine();
  proof.b = piB.toAffine();
  proof.c = piC.toAffine();
  proof.publicSignals.assign(witness.begin() + 1, witness.begin() + 1 + key.nPublic);
  wipe(witness);
  proof.phases.finish = since(mark);
  return proof;
}

size_t msmLength(const ProvingKey &key, Msm which) {
  switch (which) {
    case Msm::A:
    case Msm::B1:
    case Msm::B2:
      return key.nVars;
    case Msm::C:
      return key.nVars - key.nPublic - 1;
    case Msm::H:
      return key.domainSize;
  }
  return 0;
}

std::vector<U256> multiExpSection(const ProvingKey &key, Msm which, const std::vector<U256> &scalars,
                                  unsigned threads) {
  const size_t n = msmLength(key, which);
  if (scalars.size() != n) {
    throw std::runtime_error("the MSM takes " + std::to_string(n) + " scalars, " +
                             std::to_string(scalars.size()) + " given");
  }
  const U256 order = Fr::modulus();
  for (const U256 &s : scalars) {
    if (!(s < order)) throw std::runtime_error("an MSM scalar is not a field element");
  }
  switch (which) {
    case Msm::A:
      return plain(multiExp(key.pointsA.data(), scalars.data(), n, threads).toAffine());
    case Msm::B1:
      return plain(multiExp(key.pointsB1.data(), scalars.data(), n, threads).toAffine());
    case Msm::B2:
      return plain(multiExp(key.pointsB2.data(), scalars.data(), n, threads).toAffine());
    case Msm::C:
      return plain(multiExp(key.pointsC.data(), scalars.data(), n, threads).toAffine());
    case Msm::H:
      return plain(multiExp(key.pointsH.data(), scalars.data(), n, threads).toAffine());
  }
  return {};
}

}  // namespace zkm
