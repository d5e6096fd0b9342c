/**
 * Loads the native Groth16 prover (native/, an N-API addon built at `npm ci` when a compiler is
 * present), which also verifies proofs and writes and checks development powers of tau. When it
 * cannot be loaded, {@link nativeAddon} says why and zkmargin uses snarkjs for all of it;
 * {@link FAST_PATH} says how to get the native code.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What the addon's `prove` resolves with: plain values as hexadecimal strings, times in seconds. */
export interface RawNativeProof {
  a: [string, string];
  /** x.c0, x.c1, y.c0, y.c1 */
  b: [string, string, string, string];
  c: [string, string];
  publicSignals: string[];
  phases: { read: number; abc: number; quotient: number; msm: number; finish: number };
  /** Each MSM's share of phases.msm (the five run together), by its pieces' thread-seconds. */
  msm: { A: number; B1: number; B2: number; C: number; H: number };
}

/** A proving key held in native memory. */
export interface RawNativeKey {
  readonly nVars: number;
  readonly nPublic: number;
  readonly domainSize: number;
  /** Proves a `.wtns` (bytes) with fresh r and s from the OS CSPRNG. */
  prove(wtns: Uint8Array): Promise<RawNativeProof>;
  /** One MSM of the key (0 A, 1 B1, 2 B2, 3 C, 4 H) over 32-byte little-endian scalars. */
  multiExp(section: number, scalars: Uint8Array): Promise<{ seconds: number; point: string[] }>;
}

/** What the addon's `checkPtau` read from a ptau it found consistent. */
export interface RawPtauCheck {
  power: number;
  ceremonyPower: number;
  /** Phase-1 contributions the file records (0 for a native development ptau). */
  contributions: number;
  /** Sections 12..15 (the Lagrange forms phase 2 reads) are present. */
  prepared: boolean;
}

export interface NativeAddon {
  /** Reads and checks a `.zkey` (bytes); rejects with an error naming the broken rule. */
  loadProvingKey(zkey: Uint8Array): Promise<RawNativeKey>;
  /**
   * Groth16 verification: the key (alpha1, beta2, gamma2, delta2, IC...), the proof (A, B, C)
   * and the public signals, as plain 32-byte little-endian values (see native/src/verify.hpp).
   * False for a proof that does not verify; throws for a malformed key or a wrong signal count.
   */
  verifyGroth16(vkey: Uint8Array, proof: Uint8Array, signals: Uint8Array): boolean;
  /**
   * Writes a development ptau of 2^power, prepared for phase 2, to `file` (which must not
   * exist), from tau, alpha and beta drawn from the OS CSPRNG and wiped in memory; resolves with
   * the seconds of its two halves.
   */
  generateDevPtau(power: number, file: string): Promise<{ powers: number; lagrange: number }>;
  /** Checks a ptau's sections against each other with pairings; rejects naming the broken rule. */
  checkPtau(file: string): Promise<RawPtauCheck>;
  /**
   * snarkjs 0.7.6's `zkey new`, byte for byte: writes `zkey` (which must not exist) from `r1cs`
   * over the prepared `ptau`; `hashTail` is the 64 bytes snarkjs hashes past the ptau's section
   * 2 when the domain exceeds 2^14 and the ptau has the circuit's power (see setup/native-zkey.ts).
   */
  newZkey(
    r1cs: string,
    ptau: string,
    zkey: string,
    hashTail?: Uint8Array,
  ): Promise<{ circuitHash: string; domainSize: number }>;
  /** True when the CPU has BMI2 and ADX (the field code's instructions). */
  readonly cpuSupported: boolean;
  /** Threads each proof uses (the machine's hardware threads). */
  readonly threads: number;
}

/** How to build the native prover where it is missing. */
export const FAST_PATH =
  "apt-get install -y g++ make python3 nasm, then npm run build:native (or npm ci)";

/** The addon's default location; ZKMARGIN_NATIVE_ADDON overrides it (tests use a missing path). */
export const ADDON_FILE = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "native",
  "build",
  "Release",
  "zkmargin_native.node",
);

/** The functions the addon must export: one built from older sources lacks some. */
const ADDON_FUNCTIONS = [
  "loadProvingKey",
  "verifyGroth16",
  "generateDevPtau",
  "checkPtau",
  "newZkey",
] as const satisfies readonly (keyof NativeAddon)[];

export type NativeStatus = { addon: NativeAddon } | { addon?: undefined; reason: string };

let status: NativeStatus | undefined;

/** The loaded addon, or why it is not available (checked once per process). */
export function nativeAddon(): NativeStatus {
  if (status === undefined) status = load(process.env.ZKMARGIN_NATIVE_ADDON ?? ADDON_FILE);
  return status;
}

function load(file: string): NativeStatus {
  if (!fs.existsSync(file)) return { reason: `it is not built (${file} is missing)` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(file) as NativeAddon;
    const missing = ADDON_FUNCTIONS.filter((name) => typeof addon[name] !== "function");
    if (missing.length > 0) {
      return {
        reason: `it is built from older sources (no ${missing.join(", ")}): run npm run build:native`,
      };
    }
    if (!addon.cpuSupported) return { reason: "this CPU lacks BMI2/ADX" };
    return { addon };
  } catch (error) {
    return { reason: `it does not load: ${(error as Error).message.split("\n")[0]}` };
  }
}
