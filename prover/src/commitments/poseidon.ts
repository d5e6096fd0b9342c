/**
 * Poseidon over BN254's scalar field, the function circomlib's `Poseidon(n)` template computes, in
 * plain bigint arithmetic: circomlibjs's `buildPoseidon` builds a WebAssembly curve first, which
 * costs a cold `zkmargin prove` several times the CPU of the hundred or so hashes its commitments
 * need. The round constants are circomlibjs's own (its `poseidon_constants_opt.json`, read once
 * per width used), in the optimized form with sparse partial rounds (Neptune's; circomlib's
 * circuit uses the same constants); test/commitments.test.ts checks the result against
 * circomlibjs's WebAssembly Poseidon and its unoptimized reference.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SNARK_SCALAR_FIELD as P } from "../encoding/widths";

/** Full rounds (half before the partial rounds, half after). */
const FULL_ROUNDS = 8;
/** Partial rounds by width t = inputs + 1, from t = 2. */
const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

/** The largest number of inputs of one hash. */
export const POSEIDON_MAX_INPUTS = PARTIAL_ROUNDS.length;

interface RawConstants {
  C: string[][];
  M: string[][][];
  P: string[][][];
  S: string[][];
}

/** The constants of one width: round constants, MDS matrix, pre-sparse matrix, sparse rows. */
interface Constants {
  c: bigint[];
  m: bigint[][];
  p: bigint[][];
  s: bigint[];
}

let raw: RawConstants | undefined;
const byWidth = new Map<number, Constants>();

function constantsFile(): string {
  // circomlibjs's package exports only its bundle; the constants sit beside its sources.
  return path.join(
    path.dirname(require.resolve("circomlibjs")),
    "..",
    "src",
    "poseidon_constants_opt.json",
  );
}

function constants(t: number): Constants {
  let found = byWidth.get(t);
  if (found === undefined) {
    raw ??= JSON.parse(fs.readFileSync(constantsFile(), "utf8")) as RawConstants;
    const i = t - 2;
    found = {
      c: raw.C[i].map(BigInt),
      m: raw.M[i].map((row) => row.map(BigInt)),
      p: raw.P[i].map((row) => row.map(BigInt)),
      s: raw.S[i].map(BigInt),
    };
    byWidth.set(t, found);
  }
  return found;
}

const pow5 = (a: bigint): bigint => {
  const a2 = (a * a) % P;
  return (((a2 * a2) % P) * a) % P;
};

/** `state` times `matrix` (row vector on the left), reduced. */
function mix(state: readonly bigint[], matrix: readonly (readonly bigint[])[]): bigint[] {
  return state.map((_, i) => {
    let sum = 0n;
    for (let j = 0; j < state.length; j++) sum += matrix[j][i] * state[j];
    return sum % P;
  });
}

/**
 * Poseidon of `inputs` (1 to 16 field elements, each already reduced) with initial state 0: the
 * output of circomlib's `Poseidon(inputs.length)`.
 */
export function poseidonHash(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > POSEIDON_MAX_INPUTS) {
    throw new RangeError(`Poseidon takes 1 to ${POSEIDON_MAX_INPUTS} inputs`);
  }
  const t = inputs.length + 1;
  const partial = PARTIAL_ROUNDS[t - 2];
  const half = FULL_ROUNDS / 2;
  const { c, m, p, s } = constants(t);
  let state = [0n, ...inputs].map((a, i) => (a + c[i]) % P);
  for (let r = 0; r < half - 1; r++) {
    state = mix(
      state.map((a, i) => (pow5(a) + c[(r + 1) * t + i]) % P),
      m,
    );
  }
  state = mix(
    state.map((a, i) => (pow5(a) + c[half * t + i]) % P),
    p,
  );
  for (let r = 0; r < partial; r++) {
    const first = (pow5(state[0]) + c[(half + 1) * t + r]) % P;
    state[0] = first;
    const row = (2 * t - 1) * r;
    let s0 = 0n;
    for (let j = 0; j < t; j++) s0 += s[row + j] * state[j];
    for (let k = 1; k < t; k++) state[k] = (state[k] + first * s[row + t + k - 1]) % P;
    state[0] = s0 % P;
  }
  for (let r = 0; r < half - 1; r++) {
    state = mix(
      state.map((a, i) => (pow5(a) + c[(half + 1) * t + partial + r * t + i]) % P),
      m,
    );
  }
  return mix(state.map(pow5), m)[0];
}
