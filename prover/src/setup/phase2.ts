/**
 * Phase-2 primitives shared by the development setup and the ceremony: a fresh zkey from an r1cs
 * and a ptau, one random contribution, and time estimates.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { nativeAddon } from "../native/addon";
import { newZkeyNative } from "./native-zkey";
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

/**
 * Creates the initial (zero-contribution) zkey of `r1cs` over `ptau`; returns snarkjs's circuit
 * hash (blake2b-512, hex). Natively where the addon is loaded (the same bytes as snarkjs's, see
 * native-zkey.ts), else with snarkjs. Throws with the reason when either refuses. `onDetail`
 * hears what is being done (snarkjs's log, or that the native code runs), for progress.
 */
export async function newZkey(
  r1cs: string,
  ptau: string,
  zkey: string,
  onDetail?: (message: string) => void,
): Promise<string> {
  const addon = nativeAddon().addon;
  if (addon !== undefined) {
    onDetail?.("native");
    let circuitHash = "";
    await writeAtomically(zkey, async (temp) => {
      circuitHash = await newZkeyNative(addon, r1cs, ptau, temp);
    });
    return circuitHash;
  }
  const logger = capturingLogger(onDetail);
  let circuitHash = "";
  await writeAtomically(zkey, async (temp) => {
    const result = await snarkjs.zKey.newZKey(r1cs, ptau, temp, logger);
    if (!(result instanceof Uint8Array)) {
      throw new Error(
        `${ptau}: phase 2 refused for ${r1cs}: ${logger.errors().join("; ") || "snarkjs failed"}`,
      );
    }
    circuitHash = Buffer.from(result).toString("hex");
  });
  return circuitHash;
}

/**
 * Adds one contribution with 64 bytes of fresh OS randomness (never stored or logged) to `from`,
 * writing `to`; returns snarkjs's contribution hash (blake2b-512, hex). `onDetail` hears what
 * snarkjs is doing (its log), for progress.
 */
export async function contributeRandom(
  from: string,
  to: string,
  name: string,
  onDetail?: (message: string) => void,
): Promise<string> {
  let hash: Uint8Array | undefined;
  const logger = onDetail === undefined ? undefined : capturingLogger(onDetail);
  await writeAtomically(to, async (temp) => {
    hash = await snarkjs.zKey.contribute(from, temp, name, randomBytes(64).toString("hex"), logger);
  });
  return Buffer.from(hash as Uint8Array).toString("hex");
}

/** One contribution of a zkey as snarkjs reports it while verifying. */
export interface ReportedContribution {
  /** 1-based position in the zkey. */
  index: number;
  name: string;
  /** snarkjs's contribution hash (blake2b-512, hex). */
  hash: string;
  beacon?: { hash: string; iterationsExp: number };
}

/** What a successful snarkjs phase-2 verification reports. */
export interface Phase2Report {
  circuitHash: string;
  contributions: ReportedContribution[];
}

function hexOf(formatted: string): string {
  return formatted.replace(/\s+/g, "");
}

/**
 * Parses the report that snarkjs 0.7.6 `verifyFromInit`/`verifyFromR1cs` logs on success
 * ("Circuit Hash:", then "contribution #N name:" with the hash, and "Beacon generator:" /
 * "Beacon iterations Exp:" after a beacon), in contribution order.
 */
export function parsePhase2Report(
  lines: readonly { level: string; message: string }[],
): Phase2Report {
  let circuitHash = "";
  const contributions: ReportedContribution[] = [];
  let current: ReportedContribution | undefined;
  for (const { level, message } of lines) {
    if (level !== "info") continue;
    const circuit = /^Circuit Hash: \n([\s0-9a-f]+)$/.exec(message);
    const contribution = /^contribution #(\d+) (.*):\n([\s0-9a-f]+)$/s.exec(message);
    const generator = /^Beacon generator: ([0-9a-f]+)$/.exec(message);
    const iterations = /^Beacon iterations Exp: (\d+)$/.exec(message);
    if (circuit) circuitHash = hexOf(circuit[1]);
    else if (contribution) {
      current = {
        index: Number(contribution[1]),
        name: contribution[2],
        hash: hexOf(contribution[3]),
      };
      contributions.push(current);
    } else if (generator && current) current.beacon = { hash: generator[1], iterationsExp: 0 };
    else if (iterations && current?.beacon) current.beacon.iterationsExp = Number(iterations[1]);
  }
  contributions.sort((a, b) => a.index - b.index);
  if (
    !/^[0-9a-f]{128}$/.test(circuitHash) ||
    contributions.some((c, i) => c.index !== i + 1 || !/^[0-9a-f]{128}$/.test(c.hash))
  ) {
    throw new Error("unexpected snarkjs verification report (snarkjs version changed?)");
  }
  return { circuitHash, contributions };
}

/**
 * Estimated seconds, on 2 cores, for phase-2 work on a circuit of domain 2^power (a new zkey plus
 * one contribution, or one full verification): grows about linearly with the domain; measured
 * with snarkjs 0.7.6 on this project's `small` instance.
 */
export function phase2EstimateSeconds(power: number): number {
  return Math.max(2, Math.round(8 * 2 ** (power - 14)));
}
