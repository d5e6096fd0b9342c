/**
 * The example triples under `examples/` (a folder with policy.json, market.json and
 * portfolio.json), and the one a measurement uses for a circuit instance.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { fits, requiredDims, type InstanceDims } from "../encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio } from "../inputs";
import { computeMargin } from "../model";
import { PROJECT_ROOT } from "../setup/paths";
import type { ExampleTriple } from "../gas";

const FILES = ["policy.json", "market.json", "portfolio.json"] as const;

/** An example triple and the folder its files are in. */
export interface Example extends ExampleTriple {
  dir: string;
}

/** Every complete example triple under `dir` (default: the project's examples/), by folder name. */
export function loadExamples(dir = path.join(PROJECT_ROOT, "examples")): Example[] {
  return readdirSync(dir)
    .sort()
    .filter((name) => FILES.every((file) => existsSync(path.join(dir, name, file))))
    .map((name) => {
      const policy = loadPolicy(path.join(dir, name, "policy.json"));
      return {
        name,
        dir: path.join(dir, name),
        policy,
        market: loadMarket(path.join(dir, name, "market.json")),
        portfolio: loadPortfolio(path.join(dir, name, "portfolio.json"), policy),
      };
    });
}

/** Slots an example uses (its policy's universe and the market's scenarios), summed. */
function usedSlots(example: Example): number {
  const dims = requiredDims(example.policy, example.market);
  return dims.assets + dims.perps + dims.options + dims.scenarios + dims.tiers;
}

/**
 * The example a measurement of an instance proves: among the examples that fit `dims` and whose
 * portfolio meets its policy (so a proof exists), the one that fills most slots; undefined when
 * none fits.
 */
export function exampleFor(
  dims: InstanceDims,
  examples: readonly Example[] = loadExamples(),
): Example | undefined {
  return examples
    .filter((e) => fits(e.policy, e.market, dims))
    .filter((e) => computeMargin(e.policy, e.market, e.portfolio).sufficient)
    .sort((a, b) => usedSlots(b) - usedSlots(a) || a.name.localeCompare(b.name))[0];
}
