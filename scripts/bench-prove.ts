/**
 * `npm run bench [-- instance...] [--runs N]`: proving time per set-up circuit instance, from the
 * three example files to a locally verified proof (witness, Groth16 proof, verification), with
 * the largest example triple that fits the instance (examples/desk, else examples/small;
 * standard and large run the desk triple padded). Prints the median and the range over N runs; nothing is typed in by hand.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fits, loadInstances } from "../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { generateProof, releaseCurve } from "../prover/src/proving";
import { readManifest } from "../prover/src/setup/manifest";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = ["desk", "small"].map((name) => path.join(ROOT, "examples", name));

function parseArgs(argv: string[]): { names: string[]; runs: number } {
  const runsAt = argv.indexOf("--runs");
  const runs = runsAt >= 0 ? Number.parseInt(argv[runsAt + 1], 10) : 5;
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
  const names = argv.filter((a, i) => !a.startsWith("--") && i !== runsAt + 1);
  return { names, runs };
}

async function main(): Promise<void> {
  const { names, runs } = parseArgs(process.argv.slice(2));
  const instances = loadInstances();
  const setUp = Object.keys(readManifest().instances);
  const chosen = names.length > 0 ? names : setUp;
  console.log(`proving time, ${runs} runs each (witness + Groth16 + local verification)`);
  console.log("instance   constraints  example  median (s)  min (s)  max (s)");
  for (const name of chosen) {
    if (!setUp.includes(name)) {
      console.log(`${name.padEnd(9)}  not set up: run \`npx zkmargin setup --instance ${name}\``);
      continue;
    }
    const triple = EXAMPLES.map((dir) => {
      const policy = loadPolicy(path.join(dir, "policy.json"));
      const market = loadMarket(path.join(dir, "market.json"));
      const portfolio = loadPortfolio(path.join(dir, "portfolio.json"), policy);
      return { dir, policy, market, portfolio };
    }).find((t) => fits(t.policy, t.market, instances[name]));
    if (!triple) {
      console.log(`${name.padEnd(9)}  no example fits this instance`);
      continue;
    }
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      await generateProof({ ...triple, nonce: BigInt(run + 1), instance: name });
      times.push((performance.now() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const constraints = readManifest().instances[name]?.constraints ?? 0;
    console.log(
      `${name.padEnd(9)}  ${String(constraints).padStart(11)}  ${path.basename(triple.dir).padEnd(7)}` +
        `  ${median.toFixed(2).padStart(10)}  ${times[0].toFixed(2).padStart(7)}  ${times[times.length - 1].toFixed(2).padStart(7)}`,
    );
  }
  await releaseCurve();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
