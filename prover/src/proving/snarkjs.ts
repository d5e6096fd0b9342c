/**
 * A typed view of the parts of snarkjs 0.7.6 that the prover uses (the package ships no types).
 * Files may be given as paths or as in-memory buffers (`{ type: "mem", data }`), which lets the
 * prover use exactly the bytes whose hashes the manifest checked and keeps the witness off disk.
 */
import { releaseCurve, type VerificationKey } from "../setup/snarkjs";

export { releaseCurve, type VerificationKey };

/** A file for snarkjs: a path, or bytes held in memory. */
export type SnarkFile = string | { type: "mem"; data?: Uint8Array };

/** A Groth16 proof over BN254 as snarkjs writes it (decimal strings, projective coordinates). */
export interface Groth16Proof {
  pi_a: [string, string, string];
  pi_b: [[string, string], [string, string], [string, string]];
  pi_c: [string, string, string];
  protocol: "groth16";
  curve: "bn128";
}

/** A logger snarkjs reports its steps to (debug: every step of a proof). */
export interface SnarkLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface SnarkjsApi {
  wtns: {
    calculate(input: Record<string, unknown>, wasm: SnarkFile, out: SnarkFile): Promise<void>;
  };
  groth16: {
    prove(
      zkey: SnarkFile,
      witness: SnarkFile,
      logger?: SnarkLogger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: VerificationKey,
      publicSignals: readonly string[],
      proof: Groth16Proof,
      logger?: unknown,
    ): Promise<boolean>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const snarkjs = require("snarkjs") as SnarkjsApi;

let curveUsers = 0;

/**
 * Keeps snarkjs's BN254 curve (and its worker threads) alive across {@link usingCurve} calls until
 * the returned function is called: a long-lived prover holds it so proofs after the first do not
 * rebuild the curve. Releasing twice is harmless.
 */
export function holdCurve(): () => Promise<void> {
  curveUsers += 1;
  let held = true;
  return async () => {
    if (!held) return;
    held = false;
    curveUsers -= 1;
    if (curveUsers === 0) await releaseCurve();
  };
}

/**
 * Runs `fn`, which uses snarkjs's shared BN254 curve, and stops the curve's worker threads when
 * the last such call in this module ends, so a script that proves or verifies can exit by itself.
 * (Calls may nest or overlap; the next one builds the curve again.)
 */
export async function usingCurve<T>(fn: () => Promise<T>): Promise<T> {
  curveUsers += 1;
  try {
    return await fn();
  } finally {
    curveUsers -= 1;
    if (curveUsers === 0) await releaseCurve();
  }
}
