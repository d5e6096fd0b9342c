/**
 * A warm prover: the manifest-checked artifacts of each circuit instance are loaded (and hashed)
 * once, its witness calculator (the circuit's WebAssembly) is compiled once, its zkey is held in
 * native memory by the native Groth16 prover (when built; else snarkjs proves), and snarkjs's
 * BN254 curve with its worker threads (which verifies every proof) is built once and kept alive,
 * so a proof after the first pays no start-up. If an artifact file changes on disk (a new
 * setup), the instance is checked against the manifest again, and its calculator rebuilt (and
 * its zkey reloaded), before the next proof.
 */
import * as fs from "node:fs";
import {
  chooseProver,
  holdCurve,
  type ArtifactSource,
  type Groth16Prover,
  type ProverName,
  type WitnessSource,
} from "../proving";
import { loadArtifacts, type LoadedArtifacts } from "../setup/manifest";
import { bn128 } from "../setup/snarkjs";
import { WitnessCalculators } from "./witness";

interface CachedArtifacts {
  artifacts: LoadedArtifacts;
  /** Size and modification time of each file snarkjs reads, when it was checked. */
  stamp: string;
}

/** The size and modification time of the files a proof reads. */
function stampOf(artifacts: LoadedArtifacts): string {
  return [artifacts.wasm, artifacts.zkey, artifacts.vkeyPath]
    .map((file) => {
      const stat = fs.statSync(file);
      return `${stat.size}:${stat.mtimeMs}`;
    })
    .join("|");
}

/** Keeps artifacts and the curve warm across proofs; call {@link WarmProver.close} when done. */
export class WarmProver {
  private readonly cache = new Map<string, Promise<CachedArtifacts>>();
  private readonly release: () => Promise<void>;
  private readonly calculators = new WitnessCalculators();

  /** The {@link WitnessSource} to pass to `generateProof`. */
  readonly witness: WitnessSource = this.calculators.witness;

  /** The Groth16 prover to pass to `generateProof` (default: native when built, else snarkjs). */
  readonly prover: Groth16Prover;

  constructor(
    private readonly root?: string,
    prover?: ProverName | Groth16Prover,
  ) {
    this.prover = typeof prover === "object" ? prover : chooseProver(prover);
    this.release = holdCurve();
  }

  /** The {@link ArtifactSource} to pass to `generateProof`. */
  readonly artifacts: ArtifactSource = async (instance) => {
    const pending = this.cache.get(instance);
    if (pending) {
      const cached = await pending.catch(() => undefined);
      if (cached && stampOf(cached.artifacts) === cached.stamp) return cached.artifacts;
    }
    const loading = loadArtifacts(instance, { root: this.root }).then((artifacts) => ({
      artifacts,
      stamp: stampOf(artifacts),
    }));
    this.cache.set(instance, loading);
    // A failed check is tried again on the next call.
    loading.catch(() => {
      if (this.cache.get(instance) === loading) this.cache.delete(instance);
    });
    return (await loading).artifacts;
  };

  /**
   * Checks the instances' artifacts, compiles their calculators, loads their zkeys into the
   * prover and builds the curve now.
   */
  async preload(instances: readonly string[]): Promise<void> {
    for (const instance of instances) {
      const artifacts = await this.artifacts(instance);
      await this.calculators.prepare(artifacts);
      await this.prover.prepare(artifacts);
    }
    await bn128();
  }

  /** Lets the curve's worker threads stop (once no other proof is running). */
  async close(): Promise<void> {
    await this.release();
  }
}
