/**
 * Where a snarkjs Groth16 proof spends its time, read from its own debug log (snarkjs 0.7.6 and
 * ffjavascript 0.3.1 announce each step): reading (the witness, the zkey's coefficients and each
 * MSM's bases), building the A, B and C evaluations from the constraint coefficients, the quotient
 * polynomial (three inverse FFTs, the coset shifts, three FFTs and the join), the five MSMs, and
 * the final point arithmetic. The MSM phase is what the floor (msm-floor.ts) times alone; the
 * other phases are the distance from it.
 */
import { performance } from "node:perf_hooks";
import { snarkjs } from "../proving/snarkjs";
import { summarize, type Summary } from "./stats";

/** The phases of one proof, in the order snarkjs runs them. */
export const GROTH16_PHASES = ["read", "abc", "quotient", "msm", "finish"] as const;
export type Groth16Phase = (typeof GROTH16_PHASES)[number];

/** A debug message and when it was logged (performance.now(), ms). */
export interface LogEvent {
  at: number;
  message: string;
}

/** Timings of each phase over several proofs, in seconds, and of the whole prove call. */
export type Groth16Phases = Record<Groth16Phase | "total", Summary>;

/** The phase that a snarkjs / ffjavascript debug message starts, if it starts one. */
export function phaseStartedBy(message: string): Groth16Phase | undefined {
  if (message === "Reading Wtns" || /^Reading \w+ Points$/.test(message)) return "read";
  if (message === "Building ABC") return "abc";
  if (/^I?FFT_[ABC]: /.test(message) || message === "Join ABC") return "quotient";
  if (message.startsWith("Multiexp start: ")) return "msm";
  return undefined;
}

/**
 * Splits one prove call, from `start` to `end` (ms), into its phases by its log `events`, in
 * seconds. Time before the first event is reading (the zkey and witness headers); the last MSM
 * chunk's end starts the final point arithmetic.
 */
export function splitGroth16Log(
  start: number,
  events: readonly LogEvent[],
  end: number,
): Record<Groth16Phase, number> {
  const out: Record<Groth16Phase, number> = { read: 0, abc: 0, quotient: 0, msm: 0, finish: 0 };
  let lastMsmEnd = -1;
  events.forEach((event, i) => {
    if (event.message.startsWith("Multiexp end: ")) lastMsmEnd = i;
  });
  let phase: Groth16Phase = "read";
  let since = start;
  events.forEach((event, i) => {
    const next = i === lastMsmEnd ? "finish" : phaseStartedBy(event.message);
    if (next === undefined || next === phase) return;
    out[phase] += event.at - since;
    phase = next;
    since = event.at;
  });
  out[phase] += end - since;
  for (const name of GROTH16_PHASES) out[name] /= 1000;
  return out;
}

/** One timed prove call: its phases and its whole wall time, in seconds. */
export interface TimedProof {
  phases: Record<Groth16Phase, number>;
  total: number;
}

/**
 * Calls `prove` `runs` times after one untimed warm-up and summarises every phase and the whole
 * call. Both provers' phases are measured with it.
 */
export async function summarizeProofPhases(
  runs: number,
  prove: () => Promise<TimedProof>,
): Promise<Groth16Phases> {
  const names = [...GROTH16_PHASES, "total"] as const;
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    (typeof names)[number],
    number[]
  >;
  for (let run = 0; run <= runs; run++) {
    const { phases, total } = await prove();
    if (run === 0) continue;
    for (const name of GROTH16_PHASES) samples[name].push(phases[name]);
    samples.total.push(total);
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples[name])])) as Groth16Phases;
}

/**
 * Proves `wtns` (witness bytes) with `zkey` `runs` times after one untimed warm-up, each with a
 * logger that timestamps snarkjs's debug messages, and summarises every phase. The caller keeps
 * the curve alive across calls (see `usingCurve`).
 */
export async function measureGroth16Phases(
  zkey: string,
  wtns: Uint8Array,
  runs: number,
): Promise<Groth16Phases> {
  return summarizeProofPhases(runs, async () => {
    const events: LogEvent[] = [];
    const record = (message: string): void => {
      events.push({ at: performance.now(), message });
    };
    const logger = { debug: record, info: record, warn: record, error: record };
    const start = performance.now();
    await snarkjs.groth16.prove(zkey, { type: "mem", data: wtns }, logger);
    const end = performance.now();
    return { phases: splitGroth16Log(start, events, end), total: (end - start) / 1000 };
  });
}
