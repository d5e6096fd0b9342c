/**
 * `npm run bench [-- --quick | --gas-only] [--runs N] [--out DIR] [instance...]`: measures every set-up
 * circuit instance and the naive baseline side by side and writes BENCHMARKS.md, benchmarks.svg
 * and benchmarks.json (default: bench/). The measurements are prover/src/bench/; nothing in the
 * report is typed in by hand.
 */
import { parseBenchArgs, remeasureGas, runBench, writeReport } from "../prover/src/bench";
import { releaseCurve } from "../prover/src/proving";
import { PROJECT_ROOT } from "../prover/src/setup/paths";

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  process.chdir(PROJECT_ROOT); // Hardhat finds its configuration from the working directory
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const results = options.gasOnly
    ? await remeasureGas(options.outDir, log)
    : await runBench(options, log);
  for (const file of await writeReport(results, options.outDir)) console.log(`wrote ${file}`);
}

main()
  .then(releaseCurve)
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await releaseCurve();
    process.exitCode = 1;
  });
