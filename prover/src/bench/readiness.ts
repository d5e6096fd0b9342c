/**
 * Whether a circuit instance can be measured now (set up, keys made from the current circuits/,
 * artifacts as the manifest lists them, an example that fits), and with which example; shared by
 * `npm run bench` and `npm run gas`.
 */
import type { InstanceDims } from "../encoding/instances";
import { sourceFingerprint } from "../setup/circuit";
import { loadArtifacts, readManifest } from "../setup/manifest";
import { setupPaths } from "../setup/paths";
import { exampleFor, type Example } from "./examples";

/** The example to prove on an instance, or why the instance cannot be measured now. */
export type Readiness = { example: Example } | { reason: string };

/** Checks instance `instance` (dimensions `dims`); never throws for an instance that is not ready. */
export async function readiness(instance: string, dims: InstanceDims): Promise<Readiness> {
  const entry = readManifest().instances[instance];
  if (!entry) return { reason: `not set up: run \`npx zkmargin setup --instance ${instance}\`` };
  if (entry.sourceFingerprint !== (await sourceFingerprint(setupPaths(), instance))) {
    return {
      reason: `its keys predate the current circuits/: run \`npx zkmargin setup --instance ${instance}\``,
    };
  }
  try {
    await loadArtifacts(instance);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  const example = exampleFor(dims);
  return example ? { example } : { reason: "no example in examples/ fits it" };
}
