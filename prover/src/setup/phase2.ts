/**
 * Phase-2 primitives shared by the development setup and the ceremony: a fresh zkey from an r1cs
 * and a ptau, one random contribution, and time estimates.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { capturingLogger, snarkjs } from "./snarkjs";

/** A temporary sibling path of `file` (same folder, so a rename into place is atomic). */
export function tempSibling(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
}

/** Runs `write(temp)` and moves the temp file to `file` only when it succeeded. */
export async function writeAtomically(
  file: string,
  write: (temp: string) => Promise<void>,
): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempSibling(file);
  try {
    await write(temp);
    fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Creates the initial (zero-contribution) zkey of `r1cs` over `ptau`; throws with snarkjs's reason. */
export async function newZkey(r1cs: string, ptau: string, zkey: string): Promise<void> {
  const logger = capturingLogger();
  await writeAtomically(zkey, async (temp) => {
    const result = await snarkjs.zKey.newZKey(r1cs, ptau, temp, logger);
    if (!(result instanceof Uint8Array)) {
      throw new Error(
        `${ptau}: phase 2 refused for ${r1cs}: ${logger.errors().join("; ") || "snarkjs failed"}`,
      );
    }
  });
}

/**
 * Adds one contribution with 64 bytes of fresh OS randomness (never stored or logged) to `from`,
 * writing `to`; returns snarkjs's contribution hash (blake2b-512, hex).
 */
export async function contributeRandom(from: string, to: string, name: string): Promise<string> {
  let hash: Uint8Array | undefined;
  await writeAtomically(to, async (temp) => {
    hash = await snarkjs.zKey.contribute(from, temp, name, randomBytes(64).toString("hex"));
  });
  return Buffer.from(hash as Uint8Array).toString("hex");
}

/**
 * Estimated seconds, on 2 cores, for phase-2 work on a circuit of domain 2^power (a new zkey plus
 * one contribution, or one full verification): grows about linearly with the domain; measured
 * with snarkjs 0.7.6 on this project's `small` instance.
 */
export function phase2EstimateSeconds(power: number): number {
  return Math.max(2, Math.round(8 * 2 ** (power - 14)));
}
