/**
 * Compiles circuit instances (default: all of circuits/instances.json) and prints their
 * constraint counts. Usage: tsx scripts/build-circuits.ts [--force] [names...]
 */
import { compileInstance } from "../prover/src/build/compile";
import { loadInstances } from "../prover/src/encoding/instances";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const names = args.filter((a) => a !== "--force");
  const instances = loadInstances();
  for (const name of names.length > 0 ? names : Object.keys(instances)) {
    const started = Date.now();
    const built = await compileInstance(name, {
      force,
      onProgress: (line) => process.stderr.write(`  [${name}] ${line}\n`),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${name}: ${built.constraints} constraints (${built.r1cs}, ${seconds} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
