/** Which circuit instances have keys, and which of them a proof uses, through the build manifest. */
import type { Market, Policy } from "../inputs";
import {
  InstanceFitError,
  misfits,
  requiredDims,
  smallestFittingInstance,
} from "../encoding/instances";
import type { InstanceDims } from "../encoding/instances";
import { InputError } from "../errors";
import { readManifest } from "../setup/manifest";
import { setupPaths } from "../setup/paths";

/** Instances that have been set up (listed in build/manifest.json), with their slot counts. */
export function setUpInstances(root?: string): Record<string, InstanceDims> {
  const manifest = readManifest(setupPaths(root));
  return Object.fromEntries(
    Object.entries(manifest.instances).map(([name, entry]) => [name, entry.params]),
  );
}

/**
 * The smallest instance of `instances` (default: all of circuits/instances.json) that fits with
 * `pieces` sub-portfolios, or null.
 */
function smallestFitting(
  policy: Policy,
  market: Market,
  pieces: number,
  instances?: Record<string, InstanceDims>,
): string | null {
  try {
    return instances === undefined
      ? smallestFittingInstance(policy, market, undefined, undefined, pieces)
      : smallestFittingInstance(policy, market, Object.keys(instances), instances, pieces);
  } catch (error) {
    if (error instanceof InstanceFitError) return null;
    throw error;
  }
}

/**
 * The instance a proof of `policy` with `market` and `pieces` sub-portfolios uses: `requested`
 * when it is set up and fits (with at least `pieces` pledge slots), else the smallest set-up
 * instance that fits. Refusals are {@link InputError}s about `policyFile` that say which
 * instance would fit and whether it still needs `zkmargin setup`.
 */
export function chooseInstance(
  policy: Policy,
  market: Market,
  policyFile: string,
  requested?: string,
  root?: string,
  pieces = 1,
): { name: string; dims: InstanceDims } {
  const ready = setUpInstances(root);
  const refuse = (problem: string): never => {
    const anyFit = smallestFitting(policy, market, pieces);
    const hint =
      anyFit === null
        ? "no circuit instance fits"
        : ready[anyFit] !== undefined
          ? `instance "${anyFit}" would fit`
          : `instance "${anyFit}" would fit; run \`zkmargin setup --instance ${anyFit}\``;
    throw new InputError(policyFile, "$", `${problem}; ${hint}`);
  };
  if (requested !== undefined) {
    const dims = ready[requested];
    if (dims === undefined) return refuse(`instance "${requested}" is not set up`);
    const problems = misfits(requiredDims(policy, market, pieces), dims);
    if (problems.length > 0) {
      return refuse(`does not fit instance "${requested}" (${problems.join(", ")})`);
    }
    return { name: requested, dims };
  }
  const name = smallestFitting(policy, market, pieces, ready);
  if (name === null) return refuse("no set-up circuit instance fits");
  return { name, dims: ready[name] };
}
