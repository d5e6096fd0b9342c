// Powers-of-tau files (snarkjs 0.7.6's .ptau format, prepared for phase 2): a development
// generator that computes every section from one random secret, and a checker that tests any
// such file's sections against each other with pairings.
//
// The format: "ptau", version 1, then sections (u32 type, u64 length, bytes); points affine in
// Montgomery form, little-endian, x then y, (0, 0) for infinity; N = 2^power.
//   1 header: n8 = 32, q (32 bytes), power, ceremony power (u32 each)
//   2 [tau^i]G1, i < 2N - 1          3 [tau^i]G2, i < N
//   4 [alpha tau^i]G1, i < N          5 [beta tau^i]G1, i < N        6 [beta]G2
//   7 contributions: u32 count, then each contribution's record
//  12..15: the Lagrange forms of 2..5 for every domain 2^p, p = 0 .. power (12: .. power + 1,
//   where the missing [tau^(2N-1)]G1 counts as infinity): block p holds [L_i(tau)]G (times
//   alpha or beta for 14, 15), L_i the Lagrange polynomials of the 2^p-th roots of unity
//   (snarkjs's roots), i < 2^p, the blocks one after another.
#pragma once
#include <cstdint>
#include <string>

#include "binio.hpp"

namespace zkm {

namespace ptau {
/** The sections of a ptau file. */
enum Section : uint32_t {
  HEADER = 1,
  TAU_G1 = 2,
  TAU_G2 = 3,
  ALPHA_TAU_G1 = 4,
  BETA_TAU_G1 = 5,
  BETA_G2 = 6,
  CONTRIBUTIONS = 7,
  LAGRANGE_TAU_G1 = 12,
  LAGRANGE_TAU_G2 = 13,
  LAGRANGE_ALPHA_TAU_G1 = 14,
  LAGRANGE_BETA_TAU_G1 = 15,
};
}  // namespace ptau

/** "tauG1", "Lagrange tauG2", ... for errors about ptau sections. */
const char *ptauSectionName(uint32_t type);

/** A ptau's header: BN254 checked, power at most {@link PTAU_MAX_POWER}. */
struct PtauHeader {
  unsigned power = 0;
  unsigned ceremonyPower = 0;
};
PtauHeader readPtauHeader(const SectionFile &ptau);

/** Seconds spent by {@link writeDevPtau}. */
struct DevPtauTimings {
  double powers = 0;    // sections 2 .. 6
  double lagrange = 0;  // sections 12 .. 15
};

/** The largest power {@link writeDevPtau} and {@link checkPtau} handle (a domain of 2^(power+1) < 2^28). */
constexpr unsigned PTAU_MAX_POWER = 26;

/**
 * Creates `file` (which must not exist) holding a development ptau of 2^power prepared for
 * phase 2, computed from tau, alpha and beta drawn from the OS CSPRNG, held only in memory and
 * wiped before returning (also on failure). It records no contribution (section 7 holds a count
 * of 0): there is no transcript, so `snarkjs powersoftau verify` refuses it by design.
 */
DevPtauTimings writeDevPtau(unsigned power, const std::string &file, unsigned threads);

/** What {@link checkPtau} read. */
struct PtauCheck {
  unsigned power = 0;
  unsigned ceremonyPower = 0;
  uint32_t contributions = 0;
  bool prepared = false;
};

/**
 * Checks a ptau file: its container and header (BN254, section sizes for its power), every
 * point reduced and on its curve, the first points the generators, and with pairings over
 * random combinations that sections 2 .. 5 are successive powers of one tau (4 and 5 scaled by
 * alpha and beta), that section 6 holds the beta of section 5, and (when prepared) that sections
 * 12 .. 15 are exactly the Lagrange forms of 2 .. 5. Throws an error naming the file, the section
 * and the rule otherwise.
 */
PtauCheck checkPtau(const std::string &file, unsigned threads);

}  // namespace zkm
