/**
 * snarkjs proof -> the `Proof` struct that `MarginRegistry.prove` and the generated verifiers take.
 */
import { InputError } from "../errors";
import type { Groth16Proof } from "../proving/snarkjs";

/** The BN254 base field modulus q: every proof coordinate must be below it. */
export const BN254_BASE_FIELD =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** A Groth16 proof in the Solidity layout (`MarginRegistry.Proof`). */
export interface SolidityProof {
  a: [bigint, bigint];
  /** G2 point with each coordinate as `[imaginary, real]` (the EIP-197 order). */
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
}

function coordinate(value: string, where: string, file: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(value))
    throw new InputError(file, where, "must be a decimal string");
  const n = BigInt(value);
  if (n >= BN254_BASE_FIELD)
    throw new InputError(file, where, "must be below the base field modulus");
  return n;
}

/**
 * Converts a snarkjs Groth16 proof (projective, decimal strings) to the Solidity layout: drops
 * the projective `z` (which snarkjs normalises to 1) and swaps each G2 coordinate to
 * `[imaginary, real]`. Refuses a proof that is not affine-normalised or has out-of-field values.
 */
export function toSolidityProof(proof: Groth16Proof, file = "proof"): SolidityProof {
  if (proof.pi_a[2] !== "1" || proof.pi_c[2] !== "1") {
    throw new InputError(file, "pi_a[2]/pi_c[2]", "must be 1 (affine point)");
  }
  if (proof.pi_b[2][0] !== "1" || proof.pi_b[2][1] !== "0") {
    throw new InputError(file, "pi_b[2]", 'must be ["1", "0"] (affine point)');
  }
  const g1 = (p: Groth16Proof["pi_a"], name: string): [bigint, bigint] => [
    coordinate(p[0], `${name}[0]`, file),
    coordinate(p[1], `${name}[1]`, file),
  ];
  const b = proof.pi_b;
  return {
    a: g1(proof.pi_a, "pi_a"),
    b: [
      [coordinate(b[0][1], "pi_b[0][1]", file), coordinate(b[0][0], "pi_b[0][0]", file)],
      [coordinate(b[1][1], "pi_b[1][1]", file), coordinate(b[1][0], "pi_b[1][0]", file)],
    ],
    c: g1(proof.pi_c, "pi_c"),
  };
}

/** The eight coordinates in the order `ProofCoordinateOutOfField(index)` numbers them. */
export function proofCoordinates(proof: SolidityProof): bigint[] {
  return [
    proof.a[0],
    proof.a[1],
    proof.b[0][0],
    proof.b[0][1],
    proof.b[1][0],
    proof.b[1][1],
    proof.c[0],
    proof.c[1],
  ];
}

/** The inverse of {@link proofCoordinates}. */
export function proofFromCoordinates(values: readonly bigint[]): SolidityProof {
  if (values.length !== 8) throw new RangeError("a proof has 8 coordinates");
  const v = values;
  return {
    a: [v[0], v[1]],
    b: [
      [v[2], v[3]],
      [v[4], v[5]],
    ],
    c: [v[6], v[7]],
  };
}
