/**
 * Prints, per instance: constraints in total and the marginal cost of one more collateral asset,
 * perp and option slot (measured by compiling the instance with one more slot of that kind and
 * differencing, so each figure includes the slot's share of the commitments).
 * Usage: tsx scripts/constraints.ts [names...]   (default: all instances; large takes minutes)
 */
import { measureSlotCosts } from "../prover/src/bench/slot-costs";
import { loadInstances } from "../prover/src/encoding/instances";

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const instances = loadInstances();
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(instances);
  const rows: string[] = [];
  for (const name of names) {
    const dims = instances[name];
    if (!dims) throw new Error(`unknown instance "${name}"`);
    const { total, perSlot } = await measureSlotCosts(name, dims, log);
    const shape = `${dims.assets}/${dims.perps}/${dims.options}/${dims.scenarios}/${dims.tiers}`;
    rows.push(
      `| ${name} | ${shape} | ${total} | ${perSlot.assets} | ${perSlot.perps} | ${perSlot.options} |`,
    );
  }
  console.log(
    "| instance | assets/perps/options/scenarios/tiers | constraints | per asset | per perp | per option |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
