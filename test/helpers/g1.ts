/**
 * G1 points of BN254 for the tests that spoil a proof while keeping it on the curve: the
 * generator, addition by the ecAdd precompile (on Hardhat's network), negation, and a proof with
 * another C.
 */
import { AbiCoder } from "ethers";
import { BN254_BASE_FIELD, type SolidityProof } from "../../prover/src/chain";
import { hre } from "../contracts.fixture";

/** The generator of G1: a valid point to add to a proof's C. */
export const G1: [bigint, bigint] = [1n, 2n];

const EC_ADD = "0x0000000000000000000000000000000000000006";

/** `P + Q` on G1, by the ecAdd precompile. */
export async function g1Add(p: readonly bigint[], q: readonly bigint[]): Promise<[bigint, bigint]> {
  const coder = AbiCoder.defaultAbiCoder();
  const data = coder.encode(["uint256", "uint256", "uint256", "uint256"], [...p, ...q]);
  const out = await hre.ethers.provider.call({ to: EC_ADD, data });
  const [x, y] = coder.decode(["uint256", "uint256"], out) as unknown as [bigint, bigint];
  return [x, y];
}

/** `-P` on G1 (the point at infinity stays itself). */
export const g1Neg = (p: readonly bigint[]): [bigint, bigint] => [
  p[0],
  p[1] === 0n ? 0n : BN254_BASE_FIELD - p[1],
];

/** `proof` with `c` as its C. */
export const withC = (proof: SolidityProof, c: [bigint, bigint]): SolidityProof => ({
  ...proof,
  c,
});
