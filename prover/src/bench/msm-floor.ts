/**
 * The floor of Groth16 proving: the five multi-scalar multiplications (MSMs) a snarkjs proof
 * computes, with the same library (ffjavascript's `G1.multiExpAffine` / `G2.multiExpAffine` on
 * snarkjs's bn128 curve), the same bases (the zkey's A, B1, B2, C and H sections, sizes from its
 * header) and the same scalars for A, B1, B2 and C (the witness; C skips the public part). H's
 * scalars are the quotient polynomial's evaluations, which look uniformly random: random field
 * elements stand in for them. Everything else snarkjs does (reading the zkey, the witness, the
 * FFTs, the final additions) is above this floor.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { SNARK_SCALAR_FIELD } from "../encoding/widths";
import { NATIVE_MSMS, type NativeMsm } from "../native";
import { withBinFile } from "../setup/binfile";
import { bn128 } from "../setup/snarkjs";
import { summarize, type Summary } from "./stats";

/** Bytes of a BN254 base-field or scalar-field element. */
const N8 = 32;

/** The five MSMs of a proof (the native prover's section order). */
export const MSM_NAMES = NATIVE_MSMS;
export type MsmName = NativeMsm;

/** The zkey's Groth16 header fields that fix the MSM sizes. */
export interface ZkeyMsmSizes {
  nVars: number;
  nPublic: number;
  domainSize: number;
  /** Points per MSM, read from the section lengths and checked against the header. */
  points: Record<MsmName, number>;
}

/** Section of each MSM's bases in a zkey, and whether its points are on G2. */
const BASES: Record<MsmName, { section: number; g2: boolean }> = {
  A: { section: 5, g2: false },
  B1: { section: 6, g2: false },
  B2: { section: 7, g2: true },
  C: { section: 8, g2: false },
  H: { section: 9, g2: false },
};

function pointBytes(g2: boolean): number {
  return (g2 ? 4 : 2) * N8;
}

/**
 * Reads the MSM sizes of a Groth16 zkey (header section 2: n8q, q, n8r, r, nVars, nPublic,
 * domainSize) and checks each base section's length against them; throws naming the file.
 */
export function readZkeyMsmSizes(zkey: string): Promise<ZkeyMsmSizes> {
  return withBinFile(zkey, "zkey", async (bin) => {
    if ((await bin.read(1, 0, 4)).readUInt32LE(0) !== 1) {
      throw new Error(`${zkey}: not a Groth16 zkey`);
    }
    const n8q = (await bin.read(2, 0, 4)).readUInt32LE(0);
    const n8r = (await bin.read(2, 4 + n8q, 4)).readUInt32LE(0);
    if (n8q !== N8 || n8r !== N8) throw new Error(`${zkey}: not a bn128 zkey`);
    const counts = await bin.read(2, 8 + n8q + n8r, 12);
    const nVars = counts.readUInt32LE(0);
    const nPublic = counts.readUInt32LE(4);
    const domainSize = counts.readUInt32LE(8);
    const expected: Record<MsmName, number> = {
      A: nVars,
      B1: nVars,
      B2: nVars,
      C: nVars - nPublic - 1,
      H: domainSize,
    };
    const points = {} as Record<MsmName, number>;
    for (const name of MSM_NAMES) {
      const { section: type, g2 } = BASES[name];
      points[name] = bin.size(type) / pointBytes(g2);
      if (points[name] !== expected[name]) {
        throw new Error(
          `${zkey}: section ${type} holds ${points[name]} points, the header implies ${expected[name]}`,
        );
      }
    }
    return { nVars, nPublic, domainSize, points };
  });
}

/** The base points of each MSM, as snarkjs passes them (affine, Montgomery form). */
function readBases(zkey: string): Promise<Record<MsmName, Uint8Array>> {
  return withBinFile(zkey, "zkey", async (bin) => {
    const bases = {} as Record<MsmName, Uint8Array>;
    for (const name of MSM_NAMES) bases[name] = await bin.read(BASES[name].section);
    return bases;
  });
}

/** Field elements as little-endian 32-byte scalars (the witness file's layout). */
export function scalarBytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * N8);
  values.forEach((value, i) => {
    let v = value;
    for (let b = 0; b < N8; b++) {
      out[i * N8 + b] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return out;
}

/** `count` uniformly random scalar-field elements. */
function randomScalars(count: number): bigint[] {
  return Array.from(
    { length: count },
    () => BigInt(`0x${randomBytes(N8 + 8).toString("hex")}`) % SNARK_SCALAR_FIELD,
  );
}

/**
 * The scalars of each MSM of a proof: the witness for A, B1 and B2, its private part for C, and
 * random field elements standing in for the quotient's evaluations for H. Both provers' floors
 * are measured with these.
 */
export function msmScalars(
  sizes: ZkeyMsmSizes,
  witness: readonly bigint[],
): Record<MsmName, Uint8Array> {
  const wires = scalarBytes(witness);
  return {
    A: wires,
    B1: wires,
    B2: wires,
    C: wires.slice((sizes.nPublic + 1) * N8),
    H: scalarBytes(randomScalars(sizes.domainSize)),
  };
}

interface MsmCurve {
  G1: { multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array> };
  G2: { multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array> };
}

/** Timings of the five MSMs over several runs, in seconds. */
export interface MsmFloor {
  sizes: ZkeyMsmSizes;
  /** Sum of the five MSMs per run. */
  total: Summary;
  each: Record<MsmName, Summary>;
}

/**
 * Times the five MSMs of a proof of `zkey` with `witness` (wire values, wire 0 first), `runs`
 * times after one untimed warm-up, on snarkjs's shared bn128 curve. The caller keeps the curve
 * alive across calls (see `usingCurve`) and releases it.
 */
export async function measureMsmFloor(
  zkey: string,
  witness: readonly bigint[],
  runs: number,
): Promise<MsmFloor> {
  const sizes = await readZkeyMsmSizes(zkey);
  if (witness.length !== sizes.nVars) {
    throw new Error(`${zkey}: a witness of ${witness.length} wires for ${sizes.nVars} variables`);
  }
  const bases = await readBases(zkey);
  const scalars = msmScalars(sizes, witness);
  const curve = (await bn128()) as unknown as MsmCurve;
  const times: Record<MsmName, number[]> = { A: [], B1: [], B2: [], C: [], H: [] };
  const totals: number[] = [];
  for (let run = 0; run <= runs; run++) {
    let total = 0;
    for (const name of MSM_NAMES) {
      const group = BASES[name].g2 ? curve.G2 : curve.G1;
      const started = performance.now();
      await group.multiExpAffine(bases[name], scalars[name]);
      const seconds = (performance.now() - started) / 1000;
      total += seconds;
      if (run > 0) times[name].push(seconds);
    }
    if (run > 0) totals.push(total);
  }
  const each = {} as Record<MsmName, Summary>;
  for (const name of MSM_NAMES) each[name] = summarize(times[name]);
  return { sizes, total: summarize(totals), each };
}
