/**
 * Prints, per instance: constraints in total and the marginal cost of one more collateral asset,
 * perp and option slot and of one more scenario (each measured by compiling one more and
 * differencing, so it includes its share of the commitments); the split of those figures into
 * the standard machinery and the joint scenario share (the instance's dimensions compiled with
 * and without joint arrays); and the targets of issues 14 and 10 against the measured figures.
 * Usage: tsx scripts/constraints.ts [--update-snapshot] [--totals] [names...]
 *   (default: all instances; large takes many minutes). --update-snapshot writes the measured
 *   totals into circuits/constraints.snapshot.json (other instances' entries are kept).
 *   --totals compiles each instance once and prints its total only (no per-slot split): the way
 *   to re-pin `large`, whose split would compile a dozen 400k-constraint variants.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { declaredCosts, measureCostSplit, type CostSplit } from "../prover/src/bench/cost-split";
import { renderConstraintsReport } from "../prover/src/bench/report/constraints";
import { targetChecks } from "../prover/src/bench/targets";
import { PROJECT_ROOT, compileInstance } from "../prover/src/build/compile";
import { loadInstances } from "../prover/src/encoding/instances";
import { writeFileAtomic } from "../prover/src/io/atomic-write";

const SNAPSHOT = path.join(PROJECT_ROOT, "circuits", "constraints.snapshot.json");

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Merges the measured totals into the snapshot, in circuits/instances.json's order. */
function updateSnapshot(measured: Record<string, number>, order: readonly string[]): void {
  const previous = fs.existsSync(SNAPSHOT)
    ? (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>)
    : {};
  const merged = { ...previous, ...measured };
  const next = Object.fromEntries(
    order.filter((name) => name in merged).map((name) => [name, merged[name]]),
  );
  writeFileAtomic(SNAPSHOT, `${JSON.stringify(next, null, 2)}\n`);
  log(`updated ${path.relative(PROJECT_ROOT, SNAPSHOT)} (${Object.keys(measured).join(", ")})`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const update = args.includes("--update-snapshot");
  const totalsOnly = args.includes("--totals");
  const unknownOption = args.find(
    (a) => a.startsWith("--") && a !== "--update-snapshot" && a !== "--totals",
  );
  if (unknownOption) throw new Error(`unknown option ${unknownOption}`);
  const instances = loadInstances();
  const named = args.filter((a) => !a.startsWith("--"));
  const names = named.length > 0 ? named : Object.keys(instances);
  const unknown = names.find((name) => !(name in instances));
  if (unknown) throw new Error(`circuits/instances.json: unknown instance "${unknown}"`);
  const measured: Record<string, number> = {};
  if (totalsOnly) {
    for (const name of names) {
      log(`${name}: compiling ...`);
      measured[name] = (await compileInstance(name)).constraints;
      console.log(`${name}: ${measured[name]} constraints`);
    }
  } else {
    const splits: CostSplit[] = [];
    for (const name of names) splits.push(await measureCostSplit(name, instances[name], log));
    for (const split of splits) measured[split.instance] = declaredCosts(split).total;
    console.log(renderConstraintsReport(splits, targetChecks(splits)));
  }
  if (update) updateSnapshot(measured, Object.keys(instances));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
