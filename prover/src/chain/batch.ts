/**
 * The batch check of the generated verifiers (`verifyBatch`, `Groth16Batch.sol`) from the
 * TypeScript side: its calldata, and a reference of the weights it draws, so a relayer can
 * predict them and tests can hold the contract to them.
 */
import { AbiCoder, concat, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import type { VerificationKey } from "../setup/snarkjs";
import { proofCoordinates, type SolidityProof } from "./calldata";

/** `Groth16Batch.BATCH_DOMAIN`: the first word hashed into the seed. */
export const BATCH_DOMAIN = keccak256(toUtf8Bytes("zkmargin.Groth16Batch.v1"));

/** `Groth16Batch.WEIGHT_MODULUS`: weights of items after the first are `1 + hash mod (2^128 - 1)`. */
export const WEIGHT_MODULUS = (1n << 128n) - 1n;

/** One item of a batch: a proof and the public signals it is checked against. */
export interface BatchItem {
  proof: SolidityProof;
  publicSignals: readonly (bigint | string)[];
}

/** The arguments of `verifyBatch(uint256[8][] proofs, uint256[] pubSignals)`. */
export interface BatchCalldata {
  /** Each proof as `[A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y]`. */
  proofs: bigint[][];
  /** Every item's public signals, item after item. */
  pubSignals: bigint[];
}

/**
 * Lays a batch out as `verifyBatch` takes it. Refuses an empty batch and items whose numbers of
 * public signals differ (one verifier, one circuit).
 */
export function toBatchCalldata(items: readonly BatchItem[]): BatchCalldata {
  if (items.length === 0) throw new RangeError("a batch has at least one item");
  const n = items[0].publicSignals.length;
  items.forEach((item, i) => {
    if (item.publicSignals.length !== n) {
      throw new RangeError(
        `batch item ${i} has ${item.publicSignals.length} public signals, item 0 has ${n}`,
      );
    }
  });
  return {
    proofs: items.map((item) => proofCoordinates(item.proof)),
    pubSignals: items.flatMap((item) => item.publicSignals.map((s) => BigInt(s))),
  };
}

const word = (value: bigint): string => toBeHex(value, 32);

/** `Groth16Batch.seed`: keccak256 of the domain, every proof word, then every signal. */
export function batchSeed(calldata: BatchCalldata): string {
  return keccak256(
    concat([BATCH_DOMAIN, ...calldata.proofs.flat().map(word), ...calldata.pubSignals.map(word)]),
  );
}

/**
 * `Groth16Batch.weights`: 1 for the first item; for item i >= 1,
 * `1 + (keccak256(abi.encode(seed, i)) mod (2^128 - 1))`.
 */
export function batchWeights(calldata: BatchCalldata): bigint[] {
  const count = calldata.proofs.length;
  if (count === 0) return [];
  if (count === 1) return [1n];
  const seed = batchSeed(calldata);
  const coder = AbiCoder.defaultAbiCoder();
  return Array.from({ length: count }, (_, i) =>
    i === 0
      ? 1n
      : 1n + (BigInt(keccak256(coder.encode(["bytes32", "uint256"], [seed, i]))) % WEIGHT_MODULUS),
  );
}

type Affine1 = [string, string, string];
type Affine2 = [[string, string], [string, string], [string, string]];

/**
 * A snarkjs Groth16 verification key as `Groth16Batch` takes it (for test harnesses that take
 * the key as input): one word list in the EIP-197 layout, `alpha_1 (x, y)`,
 * `beta_2 (x_im, x_re, y_im, y_re)`, `gamma_2`, `delta_2`, then `IC_0.x, IC_0.y, ...`.
 */
export function toBatchVerifyingKey(vkey: VerificationKey): bigint[] {
  if (vkey.protocol !== "groth16" || vkey.curve !== "bn128") {
    throw new RangeError(`not a BN254 Groth16 key: ${vkey.protocol} on ${vkey.curve}`);
  }
  const g1 = (p: Affine1): bigint[] => [BigInt(p[0]), BigInt(p[1])];
  // snarkjs keeps G2 coordinates [real, imaginary]; EIP-197 wants imaginary first.
  const g2 = (p: Affine2): bigint[] => [
    BigInt(p[0][1]),
    BigInt(p[0][0]),
    BigInt(p[1][1]),
    BigInt(p[1][0]),
  ];
  const ic = vkey.IC as Affine1[];
  if (ic.length !== vkey.nPublic + 1) {
    throw new RangeError(`a key of ${vkey.nPublic} public signals has ${ic.length} IC points`);
  }
  return [
    ...g1(vkey.vk_alpha_1 as Affine1),
    ...g2(vkey.vk_beta_2 as Affine2),
    ...g2(vkey.vk_gamma_2 as Affine2),
    ...g2(vkey.vk_delta_2 as Affine2),
    ...ic.flatMap(g1),
  ];
}
