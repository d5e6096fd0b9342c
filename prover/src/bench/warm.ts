/**
 * Warm proving: several `generateProof` calls in one process, after one untimed warm-up proof,
 * through the proving service's {@link WarmProver} (the `zkmargin worker` one): snarkjs's curve
 * and its worker threads stay alive, the manifest-checked artifacts are hashed once (again only
 * if a file changes) and the witness calculator is compiled once. Each call is split by its own
 * progress events into witness, Groth16 proving and local verification; the rest ("other": input
 * checks, the model, commitments) is the remainder.
 */
import { performance } from "node:perf_hooks";
import { generateProof, type ProverName } from "../proving";
import { WarmProver } from "../queue/prover";
import type { ExampleTriple } from "../gas";
import { summarize, type Summary } from "./stats";

/** The steps `generateProof` reports to its progress listener. */
const STEPS = ["witness", "proving", "verifying"] as const;
type StepName = (typeof STEPS)[number];

function isStep(name: string): name is StepName {
  return (STEPS as readonly string[]).includes(name);
}

/** Timings of warm proofs, in seconds. */
export interface WarmTimings {
  /** `generateProof` from parsed files to a locally verified proof. */
  total: Summary;
  witness: Summary;
  proving: Summary;
  verifying: Summary;
  other: Summary;
}

/**
 * Proves `example` with `instance` `runs` times after one warm-up, in this process, with the
 * Groth16 prover `prover`.
 */
export async function measureWarmProving(
  instance: string,
  example: ExampleTriple,
  runs: number,
  prover: ProverName,
): Promise<WarmTimings> {
  const { policy, market, portfolio } = example;
  const warm = new WarmProver(undefined, prover);
  const sources = { artifacts: warm.artifacts, witness: warm.witness, prover: warm.prover };
  try {
    await generateProof({ policy, market, portfolio, nonce: 1n, instance, ...sources });
    const samples: Record<StepName | "total" | "other", number[]> = {
      total: [],
      witness: [],
      proving: [],
      verifying: [],
      other: [],
    };
    for (let run = 0; run < runs; run++) {
      const steps: Partial<Record<StepName, number>> = {};
      const started = performance.now();
      await generateProof({
        policy,
        market,
        portfolio,
        nonce: BigInt(run + 2),
        instance,
        ...sources,
        onProgress: (event) => {
          if (event.phase === "end" && isStep(event.step))
            steps[event.step] = event.elapsedMs / 1000;
        },
      });
      const total = (performance.now() - started) / 1000;
      let accounted = 0;
      for (const name of STEPS) {
        const seconds = steps[name];
        if (seconds === undefined) throw new Error(`generateProof reported no "${name}" step`);
        samples[name].push(seconds);
        accounted += seconds;
      }
      samples.total.push(total);
      samples.other.push(Math.max(0, total - accounted));
    }
    return {
      total: summarize(samples.total),
      witness: summarize(samples.witness),
      proving: summarize(samples.proving),
      verifying: summarize(samples.verifying),
      other: summarize(samples.other),
    };
  } finally {
    await warm.close();
  }
}
