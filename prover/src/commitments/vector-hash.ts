/**
 * VectorHash of circuits/README.md: s = Poseidon(tag, L); then for each chunk of 15 elements (the
 * last one zero-padded) s = Poseidon(s, c_1, ..., c_15). The tag is an ASCII string read as a
 * big-endian integer, so each commitment lives in its own domain and binds its length.
 */
import type * as Circomlibjs from "circomlibjs";
import { SNARK_SCALAR_FIELD } from "../encoding/widths";
import { poseidonHash } from "./poseidon";

/** Elements absorbed per Poseidon call after the header. */
export const CHUNK_SIZE = 15;

let poseidonPromise: Promise<(inputs: readonly bigint[]) => bigint> | undefined;

/** Node (the SDK and the CLI), not the verify page's browser bundle. */
const IN_NODE = typeof process !== "undefined" && typeof process.versions?.node === "string";

/**
 * circomlibjs, loaded on first use rather than at start-up: its CommonJS build (every hash, its
 * contract generators, ethers v5) takes about 0.3 s to load. Loading it runs its own copy of
 * ffjavascript, which sets `globalThis.curve_bn128` (where snarkjs caches its bn128 curve, and
 * `releaseCurve` finds it to stop its worker threads) to null; the cached curve is put back, or
 * its threads would keep the process alive.
 */
function loadCircomlibjs(): typeof Circomlibjs {
  const global = globalThis as { curve_bn128?: unknown };
  const curve = global.curve_bn128;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const circomlibjs = require("circomlibjs") as typeof Circomlibjs;
  if (curve !== undefined && curve !== null) global.curve_bn128 ??= curve;
  return circomlibjs;
}

/** circomlibjs's WebAssembly Poseidon as a bigint function. */
async function circomlibjsPoseidon(): Promise<(inputs: readonly bigint[]) => bigint> {
  const hash = await loadCircomlibjs().buildPoseidon();
  return (inputs) => hash.F.toObject(hash(inputs));
}

/**
 * Poseidon as a bigint function, built once per process: in Node, {@link poseidonHash} (plain
 * bigint arithmetic: no WebAssembly curve to build, which a cold proof would wait for); in the
 * verify page's browser bundle, circomlibjs's, which the bundle ships.
 */
export async function poseidon(): Promise<(inputs: readonly bigint[]) => bigint> {
  poseidonPromise ??= IN_NODE ? Promise.resolve(poseidonHash) : circomlibjsPoseidon();
  return poseidonPromise;
}

/** The ASCII `tag` as a big-endian integer (must be a field element). */
export function tagToField(tag: string): bigint {
  if (!/^[\x20-\x7e]+$/.test(tag)) throw new RangeError("tag must be non-empty printable ASCII");
  const value = BigInt("0x" + Buffer.from(tag, "ascii").toString("hex"));
  if (value >= SNARK_SCALAR_FIELD) throw new RangeError("tag is too long for one field element");
  return value;
}

/** VectorHash(tag, elements); every element must already be a field element. */
export async function vectorHash(tag: string, elements: readonly bigint[]): Promise<bigint> {
  for (const e of elements) {
    if (e < 0n || e >= SNARK_SCALAR_FIELD) throw new RangeError("element is not a field element");
  }
  const hash = await poseidon();
  let state = hash([tagToField(tag), BigInt(elements.length)]);
  for (let start = 0; start < elements.length; start += CHUNK_SIZE) {
    const chunk = elements.slice(start, start + CHUNK_SIZE);
    while (chunk.length < CHUNK_SIZE) chunk.push(0n);
    state = hash([state, ...chunk]);
  }
  return state;
}
