#include "verify.hpp"

#include <stdexcept>
#include <string>

#include "binfile.hpp"
#include "pairing.hpp"

namespace zkm {

namespace {

/** A coordinate below q, or nothing. */
bool readFq(Cursor &c, Fq &out) {
  U256 v = c.u256();
  if (!(v < Fq::modulus())) return false;
  out = Fq::fromNormal(v);
  return true;
}

bool readG1(Cursor &c, G1 &out) {
  bool ok = readFq(c, out.x);
  ok = readFq(c, out.y) && ok;
  return ok && onCurve(out, g1B());
}

bool readG2(Cursor &c, G2 &out) {
  bool ok = readFq(c, out.x.c0);
  ok = readFq(c, out.x.c1) && ok;
  ok = readFq(c, out.y.c0) && ok;
  ok = readFq(c, out.y.c1) && ok;
  return ok && onCurve(out, g2B()) && inG2Subgroup(out);
}

}  // namespace

VerifyingKey VerifyingKey::read(const uint8_t *data, uint64_t size) {
  const uint64_t fixed = 64 + 3 * 128;
  if (size < fixed + 64 || (size - fixed) % 64 != 0) {
    throw FormatError("verification key: " + std::to_string(size) +
                      " bytes is not alpha1, beta2, gamma2, delta2 and at least one IC point");
  }
  Cursor c(data, size, "verification key");
  VerifyingKey key;
  auto fail = [](const char *name) {
    throw FormatError(std::string("verification key: ") + name + " is not a point of its group");
  };
  if (!readG1(c, key.alpha1)) fail("vk_alpha_1");
  if (!readG2(c, key.beta2)) fail("vk_beta_2");
  if (!readG2(c, key.gamma2)) fail("vk_gamma_2");
  if (!readG2(c, key.delta2)) fail("vk_delta_2");
  key.ic.resize((size - fixed) / 64);
  for (G1 &p : key.ic) {
    if (!readG1(c, p)) fail("an IC point");
  }
  return key;
}

bool verifyGroth16(const VerifyingKey &key, const uint8_t *proof, uint64_t proofSize, const uint8_t *signals,
                   uint64_t signalsSize) {
  const uint64_t nPublic = key.ic.size() - 1;
  if (signalsSize != nPublic * 32) {
    throw FormatError("public signals: " + std::to_string(signalsSize / 32) + " given, the key takes " +
                      std::to_string(nPublic));
  }
  if (proofSize != 256) throw FormatError("proof: " + std::to_string(proofSize) + " bytes, not 256");
  Cursor p(proof, proofSize, "proof");
  G1 a, c;
  G2 b;
  bool wellFormed = readG1(p, a);
  wellFormed = readG2(p, b) && wellFormed;
  wellFormed = readG1(p, c) && wellFormed;
  if (!wellFormed) return false;

  Cursor s(signals, signalsSize, "public signals");
  Xyzz<Fq> vkX = Xyzz<Fq>::from(key.ic[0]);
  for (uint64_t i = 0; i < nPublic; i++) {
    U256 value = s.u256();
    if (!(value < Fr::modulus())) return false;
    vkX.add(Xyzz<Fq>::from(key.ic[i + 1]).times(value));
  }
  return pairingProductIsOne(
      {{a.negated(), b}, {vkX.toAffine(), key.gamma2}, {c, key.delta2}, {key.alpha1, key.beta2}});
}

}  // namespace zkm
