/**
 * Witnesses computed outside `generateProof`, for the measurements that need the wire values
 * themselves (the MSM floor) or another circuit (the baseline): the SDK's encoding of an example,
 * and snarkjs's witness calculator writing into memory.
 */
import { parseWtns } from "../build/r1cs";
import { withCommitments } from "../commitments";
import { encodeCircuitInput, type CircuitSignals } from "../encoding/circuit-input";
import type { InstanceDims } from "../encoding/instances";
import { snarkjs } from "../proving/snarkjs";
import type { ExampleTriple } from "../gas";

/** Fixed salt and nonce of the benchmark's witnesses (their values do not change the work). */
export const BENCH_SALT = 0x5a17n;
export const BENCH_NONCE = 1n;

/** The SDK's complete `MarginProof` input (commitments included) for an example on `dims`. */
export function encodeExample(example: ExampleTriple, dims: InstanceDims): Promise<CircuitSignals> {
  return withCommitments(
    encodeCircuitInput({ ...example, salt: BENCH_SALT, nonce: BENCH_NONCE, instance: dims }),
  );
}

/** The witness bytes (`.wtns`, in memory) of `input` for the circuit compiled to `wasm`. */
export async function computeWtns(input: object, wasm: string): Promise<Uint8Array> {
  const out: { type: "mem"; data?: Uint8Array } = { type: "mem" };
  await snarkjs.wtns.calculate({ ...input }, wasm, out);
  if (!out.data) throw new Error(`${wasm}: snarkjs wrote no witness`);
  return out.data;
}

/** The wire values (wire 0 = 1 first) of `input` for the circuit compiled to `wasm`. */
export async function computeWitness(input: object, wasm: string): Promise<bigint[]> {
  return parseWtns(await computeWtns(input, wasm));
}
