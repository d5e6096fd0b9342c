/**
 * Groth16 verification in native code (native/src/verify.cpp, a BN254 pairing over ffiasm's
 * field code): the decision snarkjs's `groth16.verify` makes, without building snarkjs's
 * WebAssembly curve and its worker threads, which is most of a cold proof's verification.
 */
import type { Groth16Proof, VerificationKey } from "../proving/snarkjs";
import type { NativeAddon } from "./addon";

const WORD = 32;

/** Plain values as 32-byte little-endian words (undefined when one does not fit). */
function words(values: readonly bigint[]): Uint8Array | undefined {
  const out = new Uint8Array(values.length * WORD);
  for (const [i, value] of values.entries()) {
    if (value < 0n || value >= 1n << 256n) return undefined;
    let rest = value;
    for (let b = 0; b < WORD; b += 1) {
      out[i * WORD + b] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  return out;
}

const isDecimal = (v: unknown): v is string => typeof v === "string" && /^(0|[1-9][0-9]*)$/.test(v);

/**
 * The affine coordinates of a snarkjs G1 point `[x, y, z]`: z = 1 gives (x, y), the point at
 * infinity `[0, 1, 0]` gives (0, 0); any other z (a projective form snarkjs itself never writes)
 * gives undefined.
 */
function g1(point: unknown): bigint[] | undefined {
  if (!Array.isArray(point) || point.length !== 3 || !point.every(isDecimal)) return undefined;
  const [x, y, z] = point.map(BigInt);
  if (z === 1n) return [x, y];
  if (z === 0n && x === 0n && y === 1n) return [0n, 0n];
  return undefined;
}

/** The same for G2, `[[x0, x1], [y0, y1], [z0, z1]]`: (x0, x1, y0, y1) when z = 1 (or infinity). */
function g2(point: unknown): bigint[] | undefined {
  if (!Array.isArray(point) || point.length !== 3) return undefined;
  const pairs = point.map((c: unknown) =>
    Array.isArray(c) && c.length === 2 && c.every(isDecimal) ? c.map(BigInt) : undefined,
  );
  if (pairs.some((c) => c === undefined)) return undefined;
  const [[x0, x1], [y0, y1], [z0, z1]] = pairs as bigint[][];
  if (z0 === 1n && z1 === 0n) return [x0, x1, y0, y1];
  if (z0 === 0n && z1 === 0n && x0 === 0n && x1 === 0n && y0 === 1n && y1 === 0n) {
    return [0n, 0n, 0n, 0n];
  }
  return undefined;
}

/** The key's bytes for the addon (alpha1, beta2, gamma2, delta2, IC...), or undefined. */
function keyBytes(vkey: VerificationKey): Uint8Array | undefined {
  const ic = Array.isArray(vkey.IC) ? (vkey.IC as unknown[]).map(g1) : [undefined];
  const parts = [
    g1(vkey.vk_alpha_1),
    g2(vkey.vk_beta_2),
    g2(vkey.vk_gamma_2),
    g2(vkey.vk_delta_2),
    ...ic,
  ];
  if (parts.some((p) => p === undefined)) return undefined;
  return words((parts as bigint[][]).flat());
}

const keys = new WeakMap<VerificationKey, Uint8Array | undefined>();

/**
 * Verifies like snarkjs's `groth16.verify` (the same inputs, already shape-checked): true or
 * false, or undefined when the proof or key uses a projective form the native code does not
 * read (then the caller verifies with snarkjs). A malformed key or a wrong number of signals
 * throws.
 */
export function verifyGroth16Native(
  addon: NativeAddon,
  vkey: VerificationKey,
  publicSignals: readonly string[],
  proof: Groth16Proof,
): boolean | undefined {
  if (!keys.has(vkey)) keys.set(vkey, keyBytes(vkey));
  const key = keys.get(vkey);
  const a = g1(proof.pi_a);
  const b = g2(proof.pi_b);
  const c = g1(proof.pi_c);
  if (key === undefined || a === undefined || b === undefined || c === undefined) return undefined;
  if (!publicSignals.every(isDecimal)) return false;
  const signals = words(publicSignals.map(BigInt));
  const points = words([...a, ...b, ...c]);
  // A coordinate or signal of 2^256 or more is no field element: the proof is invalid.
  if (signals === undefined || points === undefined) return false;
  return addon.verifyGroth16(key, points, signals);
}
