/**
 * snarkjs `zKey.verifyFromR1cs` with its report parsed, remembered per process by the sha256 of
 * the three files: the same bytes always give the same verdict, and one verification of the
 * `small` instance takes about a minute on 2 cores.
 */
import { parsePhase2Report, type Phase2Report } from "../setup/phase2";
import { capturingLogger, snarkjs } from "../setup/snarkjs";

/** A file and the sha256 the caller has just checked it against. */
export interface HashedFile {
  file: string;
  sha256: string;
}

const verified = new Map<string, Promise<Phase2Report>>();

/**
 * Verifies that `zkey` is a Groth16 proving key of `r1cs` over `ptau` (every phase-2 contribution
 * checked) and returns snarkjs's report: circuit hash and contributions. Throws naming the zkey.
 */
export function verifyZkey(
  r1cs: HashedFile,
  ptau: HashedFile,
  zkey: HashedFile,
): Promise<Phase2Report> {
  const key = `${r1cs.sha256}:${ptau.sha256}:${zkey.sha256}`;
  let pending = verified.get(key);
  if (pending === undefined) {
    pending = run(r1cs.file, ptau.file, zkey.file);
    verified.set(key, pending);
    pending.catch(() => verified.delete(key));
  }
  return pending;
}

async function run(r1cs: string, ptau: string, zkey: string): Promise<Phase2Report> {
  const logger = capturingLogger();
  let ok: boolean;
  try {
    ok = await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger);
  } catch (error) {
    throw new Error(
      `${zkey}: not a valid zkey for ${r1cs} and ${ptau} (${(error as Error).message})`,
    );
  }
  if (!ok) {
    throw new Error(
      `${zkey}: does not verify against ${r1cs} and ${ptau} (${logger.errors().join("; ") || "invalid"})`,
    );
  }
  return parsePhase2Report(logger.lines);
}
