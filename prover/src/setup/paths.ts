/**
 * Where setup artifacts live: the project's build folder (git-ignored) and the per-machine cache
 * shared by every clone (`$ZKMARGIN_CACHE`, default `~/.cache/zkmargin`).
 */
import * as os from "node:os";
import * as path from "node:path";

/** The repository root (this file is `prover/src/setup/paths.ts`). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Locations of every setup artifact, relative to one project root. */
export interface SetupPaths {
  root: string;
  build: string;
  /** `build/manifest.json`. */
  manifest: string;
  /** `build/ptau/`: the ptau files in use, linked or copied from the machine cache. */
  ptauDir: string;
  /** `build/keys/`: one folder per instance. */
  keysDir: string;
  /** `verifier-contracts/contracts/generated/` (git-ignored, compiled by hardhat). */
  generatedContracts: string;
  /** `circuits/instances.json`. */
  instances: string;
}

/** The layout under `root` (default: this checkout). */
export function setupPaths(root: string = PROJECT_ROOT): SetupPaths {
  const build = path.join(root, "build");
  return {
    root,
    build,
    manifest: path.join(build, "manifest.json"),
    ptauDir: path.join(build, "ptau"),
    keysDir: path.join(build, "keys"),
    generatedContracts: path.join(root, "verifier-contracts", "contracts", "generated"),
    instances: path.join(root, "circuits", "instances.json"),
  };
}

/** The per-machine cache folder for ptau files: `${ZKMARGIN_CACHE:-$HOME/.cache/zkmargin}/ptau`. */
export function ptauCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.ZKMARGIN_CACHE !== undefined && env.ZKMARGIN_CACHE !== ""
      ? env.ZKMARGIN_CACHE
      : path.join(os.homedir(), ".cache", "zkmargin");
  return path.join(path.resolve(base), "ptau");
}

/** The files of one instance's keys under `build/keys/<instance>/`. */
export function instanceKeyPaths(paths: SetupPaths, instance: string) {
  const dir = path.join(paths.keysDir, instance);
  return {
    dir,
    zkey: path.join(dir, "main.zkey"),
    vkey: path.join(dir, "verification_key.json"),
    verifier: path.join(dir, `${verifierContractName(instance)}.sol`),
    generatedVerifier: path.join(paths.generatedContracts, `${verifierContractName(instance)}.sol`),
  };
}

/** The Solidity contract name of an instance's verifier, e.g. `Groth16Verifier_small` (- becomes _). */
export function verifierContractName(instance: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(instance)) {
    throw new Error(`instance name "${instance}": must be letters, digits, - and _`);
  }
  return `Groth16Verifier_${instance.replace(/-/g, "_")}`;
}

/** The compiled circuit of an instance (layout of `prover/src/build/compile.ts`). */
export function circuitArtifactPaths(paths: SetupPaths, instance: string) {
  const dir = path.join(paths.build, "circuits", instance);
  return { dir, r1cs: path.join(dir, "main.r1cs"), wasm: path.join(dir, "main_js", "main.wasm") };
}
