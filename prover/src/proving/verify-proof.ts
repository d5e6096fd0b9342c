/** Local Groth16 verification of a margin proof. */
import { decodePublicSignals } from "./public-signals";
import { parseProof, parseVerificationKey } from "./proof-files";
import { snarkjs, usingCurve, type Groth16Proof, type VerificationKey } from "./snarkjs";

/**
 * True when `proof` verifies for `publicSignals` under `vkey` (snarkjs groth16.verify). The three
 * are shape-checked first (an {@link InputError} when malformed); a well-formed proof that does
 * not verify gives false.
 */
export async function verifyProof(
  proof: Groth16Proof,
  publicSignals: readonly string[],
  vkey: VerificationKey,
): Promise<boolean> {
  const checkedProof = parseProof(proof);
  decodePublicSignals(publicSignals);
  const checkedKey = parseVerificationKey(vkey);
  if (checkedKey.nPublic !== publicSignals.length) return false;
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return usingCurve(() => snarkjs.groth16.verify(checkedKey, publicSignals, checkedProof, silent));
}
