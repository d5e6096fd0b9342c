/**
 * V8's WebAssembly tiers for a process that computes one witness (a cold `zkmargin prove`).
 * circom's witness calculator is a large module whose code runs about once per proof, so the
 * optimizing compiler that V8 starts in the background on its hot functions (TurboFan) costs
 * several times the CPU it saves, on cores the native prover's key load shares; the baseline
 * compiler (Liftoff) alone computes the witness sooner. A long-lived prover, which runs its
 * compiled calculators many times, keeps V8's default.
 */
import * as v8 from "node:v8";

/** From now on, this process compiles WebAssembly with V8's baseline compiler only. */
export function baselineWasmOnly(): void {
  v8.setFlagsFromString("--liftoff-only");
}
