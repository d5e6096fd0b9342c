/**
 * A zkey held in native memory and the proofs made with it, converted to snarkjs's JSON shape
 * (decimal strings, projective coordinates with z = 1). Proofs are not verified here: callers
 * verify every proof before returning it (generateProof does; see proving/groth16.ts).
 */
import * as fs from "node:fs";
import type { Groth16Proof } from "../proving/snarkjs";
import type { NativeAddon, RawNativeKey, RawNativeProof } from "./addon";

/** The five MSMs of a proof, in the order of the addon's section numbers. */
export const NATIVE_MSMS = ["A", "B1", "B2", "C", "H"] as const;
export type NativeMsm = (typeof NATIVE_MSMS)[number];

/** Seconds in each phase of one native proof; `msm` is the sum of `msmEach`. */
export interface NativePhases {
  read: number;
  abc: number;
  quotient: number;
  msm: number;
  finish: number;
  msmEach: Record<NativeMsm, number>;
}

export interface NativeProof {
  proof: Groth16Proof;
  publicSignals: string[];
  phases: NativePhases;
}

/** A native-prover failure: the message names the file and the broken rule. */
export class NativeProverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NativeProverError";
  }
}

const decimal = (hex: string): string => BigInt(`0x${hex}`).toString();

function toProof(raw: RawNativeProof): NativeProof {
  const [bx0, bx1, by0, by1] = raw.b.map(decimal);
  return {
    proof: {
      pi_a: [decimal(raw.a[0]), decimal(raw.a[1]), "1"],
      pi_b: [
        [bx0, bx1],
        [by0, by1],
        ["1", "0"],
      ],
      pi_c: [decimal(raw.c[0]), decimal(raw.c[1]), "1"],
      protocol: "groth16",
      curve: "bn128",
    },
    publicSignals: raw.publicSignals.map(decimal),
    phases: { ...raw.phases, msmEach: { ...raw.msm } },
  };
}

/** A zkey loaded into native memory. */
export class NativeKey {
  private constructor(
    private readonly raw: RawNativeKey,
    /** The zkey's file name, for errors. */
    readonly file: string,
  ) {}

  /** Loads `bytes` (the zkey `file`'s checked contents); errors name `file`. */
  static async load(addon: NativeAddon, file: string, bytes: Uint8Array): Promise<NativeKey> {
    try {
      return new NativeKey(await addon.loadProvingKey(bytes), file);
    } catch (error) {
      throw new NativeProverError(`${file}: ${(error as Error).message}`);
    }
  }

  /** Reads `file` and loads it. */
  static async read(addon: NativeAddon, file: string): Promise<NativeKey> {
    return NativeKey.load(addon, file, fs.readFileSync(file));
  }

  get nVars(): number {
    return this.raw.nVars;
  }
  get nPublic(): number {
    return this.raw.nPublic;
  }
  get domainSize(): number {
    return this.raw.domainSize;
  }

  /** Proves `wtns` (the `.wtns` bytes), with fresh r and s; errors name the zkey. */
  async prove(wtns: Uint8Array): Promise<NativeProof> {
    try {
      return toProof(await this.raw.prove(wtns));
    } catch (error) {
      throw new NativeProverError(`${this.file}: ${(error as Error).message}`);
    }
  }

  /**
   * One MSM of the key over `scalars` (32-byte little-endian field elements, as many as the
   * section's points): the result's plain affine coordinates (decimal) and its time in seconds.
   */
  async multiExp(
    name: NativeMsm,
    scalars: Uint8Array,
  ): Promise<{ seconds: number; point: string[] }> {
    const out = await this.raw.multiExp(NATIVE_MSMS.indexOf(name), scalars);
    return { seconds: out.seconds, point: out.point.map(decimal) };
  }
}
