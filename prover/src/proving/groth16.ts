/**
 * Which Groth16 prover makes a proof: the native one (C++, every core) when it is built, else
 * snarkjs. Both take the instance's manifest-checked zkey and the `.wtns` bytes and return the
 * same JSON proof; the caller verifies every proof before returning it (generateProof does).
 */
import { FAST_PATH, nativeAddon, NativeProver, verifyGroth16Native } from "../native";
import type { LoadedArtifacts } from "../setup/manifest";
import { bn128 } from "../setup/snarkjs";
import { snarkjs, type Groth16Proof } from "./snarkjs";
import type { Groth16Check } from "./verify-proof";

export const PROVER_NAMES = ["native", "snarkjs"] as const;
export type ProverName = (typeof PROVER_NAMES)[number];

export interface Groth16Result {
  proof: Groth16Proof;
  publicSignals: string[];
}

/** A Groth16 prover over the instance's manifest-checked artifacts. */
export interface Groth16Prover {
  readonly name: ProverName;
  /**
   * True when the prover checks the zkey bytes it reads against the manifest itself (the native
   * one), so the caller's artifact check may leave the zkey out
   * (`loadArtifacts`'s `zkeyCheckedByCaller`).
   */
  readonly checksZkey?: boolean;
  /**
   * Loads what proving the instance needs (a warm prover calls it before the first proof;
   * generateProof starts it before the witness, to run beside it).
   */
  prepare(artifacts: LoadedArtifacts): Promise<void>;
  /**
   * Resolves once the rest of a started `prepare` runs off the main thread (the native prover:
   * the zkey read and checked, its parse begun), so that a caller about to block the main thread
   * (the witness calculation) does not hold it up; absent when `prepare` needs no main thread.
   */
  handedOff?(artifacts: LoadedArtifacts): Promise<void>;
  /** Proves the witness (`.wtns` bytes); the caller runs it inside `usingCurve` and verifies. */
  prove(artifacts: LoadedArtifacts, wtns: Uint8Array): Promise<Groth16Result>;
}

/** snarkjs 0.7.6's `groth16.prove` (JavaScript and WebAssembly). */
export const snarkjsProver: Groth16Prover = {
  name: "snarkjs",
  async prepare() {
    await bn128();
  },
  prove(artifacts, wtns) {
    return snarkjs.groth16.prove(artifacts.zkey, { type: "mem", data: wtns });
  },
};

/**
 * The native Groth16 verification (no WebAssembly curve to build) when the addon is loaded, for
 * {@link verifyProof}'s `check`; undefined otherwise, and snarkjs verifies.
 */
export function nativeGroth16Check(): Groth16Check | undefined {
  const addon = nativeAddon().addon;
  if (addon === undefined) return undefined;
  return (vkey, publicSignals, proof) => verifyGroth16Native(addon, vkey, publicSignals, proof);
}

/** The native prover is asked for by name but is not built or does not load. */
export class ProverUnavailableError extends Error {
  constructor(reason: string) {
    super(`the native prover is not available: ${reason}. For the fast path: ${FAST_PATH}`);
    this.name = "ProverUnavailableError";
  }
}

let sharedNative: NativeProver | undefined;
let noticeGiven = false;

/** The process's native prover (one key cache per process), or undefined when not loaded. */
export function sharedNativeProver(): NativeProver | undefined {
  const status = nativeAddon();
  if (status.addon === undefined) return undefined;
  sharedNative ??= new NativeProver(status.addon);
  return sharedNative;
}

/** The prover ZKMARGIN_PROVER names (for a process started by another: workers, benches). */
function environmentProver(): ProverName | undefined {
  const named = process.env.ZKMARGIN_PROVER;
  if (named === undefined || named === "") return undefined;
  if (!(PROVER_NAMES as readonly string[]).includes(named)) {
    throw new Error(`ZKMARGIN_PROVER must be one of ${PROVER_NAMES.join(", ")} (it is "${named}")`);
  }
  return named as ProverName;
}

/**
 * The name {@link chooseProver} picks by default: ZKMARGIN_PROVER's when set, else native when it
 * is loaded, else snarkjs.
 */
export function defaultProverName(): ProverName {
  return environmentProver() ?? (nativeAddon().addon ? "native" : "snarkjs");
}

/**
 * The prover called `name` (default: ZKMARGIN_PROVER's, else the native one when it is loaded,
 * else snarkjs, saying so once per process on stderr (`notice`) with how to get the native one).
 * Asking for "native" where it is not available throws a {@link ProverUnavailableError}.
 */
export function chooseProver(
  requested?: ProverName,
  notice: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
): Groth16Prover {
  const name = requested ?? environmentProver();
  if (name === "snarkjs") return snarkjsProver;
  const native = sharedNativeProver();
  if (native) return native;
  const status = nativeAddon();
  const reason = status.addon === undefined ? status.reason : "";
  if (name === "native") throw new ProverUnavailableError(reason);
  if (!noticeGiven) {
    noticeGiven = true;
    notice(
      `zkmargin: native prover not available (${reason}); proving with snarkjs. For the fast path: ${FAST_PATH}`,
    );
  }
  return snarkjsProver;
}
