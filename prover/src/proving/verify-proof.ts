/** Local Groth16 verification of a margin proof. */
import { decodePublicSignals } from "./public-signals";
import { parseProof, parseVerificationKey } from "./proof-files";
import { snarkjs, usingCurve, type Groth16Proof, type VerificationKey } from "./snarkjs";

/**
 * Another Groth16 check than snarkjs's (the native one, see proving/groth16.ts), given the
 * shape-checked inputs: true or false, or undefined when it cannot decide (snarkjs then does).
 */
export type Groth16Check = (
  vkey: VerificationKey,
  publicSignals: readonly string[],
  proof: Groth16Proof,
) => boolean | undefined;

/**
 * True when `proof` verifies for `publicSignals` under `vkey`. The three are shape-checked first
 * (an {@link InputError} when malformed); a well-formed proof that does not verify gives false.
 * `check` decides when given and able to (the native verifier); otherwise snarkjs's
 * groth16.verify does.
 */
export async function verifyProof(
  proof: Groth16Proof,
  publicSignals: readonly string[],
  vkey: VerificationKey,
  check?: Groth16Check,
): Promise<boolean> {
  const checkedProof = parseProof(proof);
  decodePublicSignals(publicSignals);
  const checkedKey = parseVerificationKey(vkey);
  if (checkedKey.nPublic !== publicSignals.length) return false;
  const decided = check?.(checkedKey, publicSignals, checkedProof);
  if (decided !== undefined) return decided;
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return usingCurve(() => snarkjs.groth16.verify(checkedKey, publicSignals, checkedProof, silent));
}
