// A circom constraint system (.r1cs, version 1): header and the A, B and C terms of every
// constraint, each checked (signal in range, coefficient a reduced field element).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "field.hpp"

namespace zkm {

struct R1csTerm {
  uint32_t constraint;
  uint32_t signal;
  U256 coefficient;  // plain
};

struct R1cs {
  uint32_t nWires = 0, nPubOut = 0, nPubIn = 0, nPrvIn = 0, nConstraints = 0;
  /** Terms of each matrix in file order: constraint by constraint, as the file lists them. */
  std::vector<R1csTerm> a, b, c;

  uint32_t nPublic() const { return nPubOut + nPubIn; }

  /** Reads and checks `file`; throws an error naming the file and the rule. */
  static R1cs read(const std::string &file);
};

}  // namespace zkm
