// The optimal ate pairing on BN254, e: G1 x G2 -> Fq12 (as Ethereum's ecPairing and snarkjs's
// bn128 compute it, up to the choice of representative that the final exponentiation removes):
// a Miller loop over 6x + 2 (x = 4965661367192848881, the curve's parameter) with two extra
// lines through the Frobenius images of Q, then the final exponentiation (q^12 - 1) / r.
#pragma once
#include <utility>
#include <vector>

#include "curve.hpp"
#include "tower.hpp"

namespace zkm {

/** The generators snarkjs and Ethereum use: (1, 2) on G1, EIP-197's point on G2. */
G1 g1Generator();
G2 g2Generator();

/** True when `p` is a point of G2's subgroup of prime order r ([r]p is infinity). */
bool inG2Subgroup(const G2 &p);

/** f^((q^12 - 1) / r). */
Fq12 finalExponentiation(const Fq12 &f);

/**
 * The product of the Miller loops of every pair (one shared squaring per step); pairs with a
 * point at infinity contribute 1. Every Q must be in G2's subgroup (the caller checks).
 */
Fq12 millerLoop(const std::vector<std::pair<G1, G2>> &pairs);

/** True when the product of e(p_i, q_i) over `pairs` is 1. */
bool pairingProductIsOne(const std::vector<std::pair<G1, G2>> &pairs);

}  // namespace zkm
