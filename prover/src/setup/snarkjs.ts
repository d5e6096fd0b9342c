/**
 * A typed view of the parts of snarkjs 0.7.6 that the setup uses (snarkjs ships no types), plus
 * helpers to capture its log and to stop its worker threads so that processes can exit. Every
 * `powersOfTau` and `zKey` call closes the files it opened, whatever happens (see file-handles.ts).
 */
import * as path from "node:path";
import { closingFileHandlesOf } from "./file-handles";

/** The logger interface snarkjs accepts. */
export interface SnarkLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A bn128 curve handle from ffjavascript (only what we call). */
export interface Curve {
  terminate(): Promise<void>;
}

/** Groth16 verification key as exported by snarkjs. */
export interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  [field: string]: unknown;
}

interface SnarkjsSetupApi {
  curves: { getCurveFromName(name: string): Promise<Curve> };
  powersOfTau: {
    newAccumulator(
      curve: Curve,
      power: number,
      file: string,
      logger?: SnarkLogger,
    ): Promise<unknown>;
    contribute(
      oldPtau: string,
      newPtau: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<Uint8Array>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkLogger): Promise<void>;
    verify(ptau: string, logger?: SnarkLogger): Promise<boolean>;
  };
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<unknown>;
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<Uint8Array>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: SnarkLogger,
    ): Promise<Uint8Array | false>;
    verifyFromR1cs(
      r1cs: string,
      ptau: string,
      zkey: string,
      logger?: SnarkLogger,
    ): Promise<boolean>;
    verifyFromInit(
      initZkey: string,
      ptau: string,
      zkey: string,
      logger?: SnarkLogger,
    ): Promise<boolean>;
    exportVerificationKey(zkey: string, logger?: SnarkLogger): Promise<VerificationKey>;
    exportSolidityVerifier(
      zkey: string,
      templates: { groth16: string },
      logger?: SnarkLogger,
    ): Promise<string>;
  };
  groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: string,
      zkey: string,
    ): Promise<{ proof: Record<string, unknown>; publicSignals: string[] }>;
    verify(
      vkey: VerificationKey,
      publicSignals: string[],
      proof: Record<string, unknown>,
    ): Promise<boolean>;
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const library = require("snarkjs") as SnarkjsSetupApi;

/** snarkjs, with the file readers and writers made to close what they open (they leak on some paths). */
export const snarkjs: SnarkjsSetupApi = {
  ...library,
  powersOfTau: closingFileHandlesOf(library.powersOfTau),
  zKey: closingFileHandlesOf(library.zKey),
};

/** The folder of snarkjs's Solidity templates (`templates/verifier_groth16.sol.ejs`). */
export function snarkjsTemplatesDir(): string {
  return path.join(path.dirname(require.resolve("snarkjs")), "..", "templates");
}

/** The shared bn128 curve (ffjavascript caches one per process). */
export function bn128(): Promise<Curve> {
  return snarkjs.curves.getCurveFromName("bn128");
}

/**
 * Stops the worker threads of the cached bn128 curve, if any, so the process can exit; the next
 * snarkjs call builds a fresh curve.
 */
export async function releaseCurve(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (cached) await cached.terminate();
}

/** One captured log line of a snarkjs call. */
export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
}

/**
 * A logger that records every line (for parsing results or explaining a refusal) and passes the
 * first line of each debug or info message to `onDetail` (what snarkjs is doing now, for
 * progress). It also has `log`, which snarkjs's `newAccumulator` calls on large powers.
 */
export function capturingLogger(
  onDetail?: (message: string) => void,
): SnarkLogger & { log(message: string): void; lines: LogLine[]; errors(): string[] } {
  const lines: LogLine[] = [];
  const push = (level: LogLine["level"]) => (message: string) => {
    lines.push({ level, message });
    if (onDetail && (level === "debug" || level === "info")) {
      const first = String(message).split("\n")[0].trim();
      if (first !== "") onDetail(first);
    }
  };
  return {
    lines,
    log: push("debug"),
    debug: push("debug"),
    info: push("info"),
    warn: push("warn"),
    error: push("error"),
    errors: () => lines.filter((l) => l.level === "error").map((l) => l.message),
  };
}
