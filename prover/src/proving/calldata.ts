/** The arguments of the generated Solidity verifier's `verifyProof`, for calldata.json. */
import { toBeHex } from "ethers";
import { toSolidityProof } from "../chain/calldata";
import { decodePublicSignals } from "./public-signals";
import type { Groth16Proof } from "./snarkjs";

/**
 * `verifyProof(uint[2] _pA, uint[2][2] _pB, uint[2] _pC, uint[4] _pubSignals)` arguments as
 * 0x-prefixed 32-byte hex strings, G2 coordinates already in the EIP-197 order.
 */
export interface VerifierCalldata {
  pA: [string, string];
  pB: [[string, string], [string, string]];
  pC: [string, string];
  pubSignals: string[];
}

const word = (value: bigint | string): string => toBeHex(BigInt(value), 32);

/** Converts a snarkjs proof and its public signals (checked) into verifier arguments. */
export function toVerifierCalldata(
  proof: Groth16Proof,
  publicSignals: readonly string[],
): VerifierCalldata {
  decodePublicSignals(publicSignals);
  const p = toSolidityProof(proof);
  return {
    pA: [word(p.a[0]), word(p.a[1])],
    pB: [
      [word(p.b[0][0]), word(p.b[0][1])],
      [word(p.b[1][0]), word(p.b[1][1])],
    ],
    pC: [word(p.c[0]), word(p.c[1])],
    pubSignals: publicSignals.map(word),
  };
}
