/**
 * Warm witness calculation. snarkjs's `wtns.calculate` reads the instance's circom WebAssembly and
 * compiles and instantiates it on every call (circom_runtime's `WitnessCalculatorBuilder`); a
 * worker that proves many portfolios builds that calculator once per instance, from the bytes
 * whose sha256 the manifest lists, and reuses it. circom's `init` resets the calculator at the
 * start of every calculation.
 */
import * as fs from "node:fs";
import type { WitnessSource } from "../proving";
import { sha256Hex } from "../setup/hash";
import { ArtifactIntegrityError, checkDigest, type LoadedArtifacts } from "../setup/manifest";

/** The part of circom_runtime's calculator for circom 2 WebAssembly that is used here. */
interface WitnessCalculator {
  circom_version(): number;
  /** The `.wtns` file's bytes for `input`. */
  calculateWTNSBin(input: Record<string, unknown>): Promise<Uint8Array>;
}

interface CircomRuntime {
  WitnessCalculatorBuilder(code: Uint8Array): Promise<WitnessCalculator>;
}

// circom_runtime ships no types; it is the runtime snarkjs itself calculates witnesses with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { WitnessCalculatorBuilder } = require("circom_runtime") as CircomRuntime;

/** Compiles the instance's wasm, refusing bytes other than the manifest's. */
async function buildCalculator(artifacts: LoadedArtifacts): Promise<WitnessCalculator> {
  const code = fs.readFileSync(artifacts.wasm);
  checkDigest(artifacts.wasm, sha256Hex(code), artifacts.entry.artifacts.wasm);
  const calculator = await WitnessCalculatorBuilder(code);
  if (calculator.circom_version() !== 2) {
    throw new ArtifactIntegrityError(artifacts.wasm, "must be compiled by circom 2");
  }
  return calculator;
}

/** A calculator and the end of the last calculation queued on it. */
interface Warm {
  calculator: Promise<WitnessCalculator>;
  idle: Promise<unknown>;
}

/**
 * One witness calculator per set of checked artifacts (a new `loadArtifacts` result, after a
 * setup changed the files, gets a new one). A calculator holds one witness at a time and yields
 * between computing it and copying it out, so calculations on it run one after another. One that
 * throws discards its calculator; the next proof builds a fresh one. The last witness stays in the
 * calculator's memory (inside this process) until the next calculation overwrites it.
 */
export class WitnessCalculators {
  private readonly warm = new WeakMap<LoadedArtifacts, Warm>();

  /** The {@link WitnessSource} to pass to `generateProof`. */
  readonly witness: WitnessSource = (artifacts, input) => {
    const warm = this.entry(artifacts);
    const calculation = warm.idle.then(async () => (await warm.calculator).calculateWTNSBin(input));
    warm.idle = calculation.catch(() => undefined);
    calculation.catch(() => {
      if (this.warm.get(artifacts) === warm) this.warm.delete(artifacts);
    });
    return calculation;
  };

  /** Builds the calculator of `artifacts` now (before the first proof). */
  async prepare(artifacts: LoadedArtifacts): Promise<void> {
    await this.entry(artifacts).calculator;
  }

  private entry(artifacts: LoadedArtifacts): Warm {
    let warm = this.warm.get(artifacts);
    if (warm === undefined) {
      const calculator = buildCalculator(artifacts);
      warm = { calculator, idle: calculator };
      this.warm.set(artifacts, warm);
      const built = warm;
      calculator.catch(() => {
        if (this.warm.get(artifacts) === built) this.warm.delete(artifacts);
      });
    }
    return warm;
  }
}
