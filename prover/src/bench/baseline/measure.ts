/**
 * The baseline proved side by side with the real circuit: the same example, the same number of
 * warm runs in the same process, witness, Groth16 proof and local verification timed separately.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { InstanceDims } from "../../encoding/instances";
import type { ExampleTriple } from "../../gas";
import { snarkjs, usingCurve, type Groth16Proof } from "../../proving/snarkjs";
import type { VerificationKey } from "../../setup/snarkjs";
import { summarize, type Summary } from "../stats";
import { computeWtns, encodeExample } from "../witness";
import { baselineInput, baselinePublicValues } from "./circuit";
import { ensureBaselineKeys } from "./keys";

/** What the baseline measured for one instance (times in seconds). */
export interface BaselineMeasured {
  constraints: number;
  /** Public signals: the verifier's N. */
  nPublic: number;
  zkeyBytes: number;
  wasmBytes: number;
  witness: Summary;
  proving: Summary;
  verifying: Summary;
}

/** The figures, and the last proof with its public signals and key (for the verifier's gas). */
export interface BaselineResult {
  figures: BaselineMeasured;
  proof: Groth16Proof;
  publicSignals: string[];
  vkey: VerificationKey;
}

/**
 * Proves `example` with the baseline for `instance` `runs` times after one warm-up. Throws when
 * a proof does not verify or its public inputs are not the example's.
 */
export async function measureBaseline(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  runs: number,
  log: (message: string) => void = () => undefined,
): Promise<BaselineResult> {
  const keys = await ensureBaselineKeys(instance, dims, log);
  const input = baselineInput(await encodeExample(example, dims));
  // The public signals after the output commitment: the example's own values.
  const expected = baselinePublicValues(input, dims).map(String);
  const seconds = (since: number) => (performance.now() - since) / 1000;

  return usingCurve(async () => {
    const samples = { witness: [] as number[], proving: [] as number[], verifying: [] as number[] };
    let last: { proof: Groth16Proof; publicSignals: string[] } | undefined;
    for (let run = 0; run <= runs; run++) {
      let started = performance.now();
      const wtns = await computeWtns(input, keys.wasm);
      const witnessSeconds = seconds(started);
      started = performance.now();
      const made = await snarkjs.groth16.prove(keys.zkey, { type: "mem", data: wtns });
      const provingSeconds = seconds(started);
      started = performance.now();
      const valid = await snarkjs.groth16.verify(keys.vkey, made.publicSignals, made.proof);
      const verifyingSeconds = seconds(started);
      if (!valid) throw new Error(`the baseline proof for ${instance} does not verify`);
      if (made.publicSignals.slice(1).join() !== expected.join()) {
        throw new Error(
          `the baseline proof for ${instance} exposes other public inputs than its input`,
        );
      }
      if (run > 0) {
        samples.witness.push(witnessSeconds);
        samples.proving.push(provingSeconds);
        samples.verifying.push(verifyingSeconds);
      }
      last = made;
    }
    if (!last) throw new Error("no baseline proof made");
    return {
      figures: {
        constraints: keys.constraints,
        nPublic: keys.nPublic,
        zkeyBytes: fs.statSync(keys.zkey).size,
        wasmBytes: fs.statSync(keys.wasm).size,
        witness: summarize(samples.witness),
        proving: summarize(samples.proving),
        verifying: summarize(samples.verifying),
      },
      proof: last.proof,
      publicSignals: last.publicSignals,
      vkey: keys.vkey,
    };
  });
}
