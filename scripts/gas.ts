/**
 * `npm run gas`: measured gas of the zkmargin contracts on Hardhat's in-process EVM.
 *
 * - deployment gas of MarketBook, PolicyRegistry, MarginRegistry and each set-up verifier (an
 *   instance whose keys predate the current circuits/ is named and skipped, as in `npm run bench`);
 * - gas of `MarginRegistry.prove` per set-up circuit instance, with a real proof made from the
 *   examples/<name>/ triple that fits it (`exampleFor`; first proof of an account, and a repeat);
 * - the cost of one more public input, measured on snarkjs verifiers rendered from the same
 *   template with N public inputs, and what a design with one public input per price, or per
 *   market value (prices, marks, option and joint risk arrays), would cost.
 *
 * Every figure printed is measured here; nothing is typed in by hand.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type {} from "@nomicfoundation/hardhat-ethers";
import type { Example } from "../prover/src/bench/examples";
import { readiness } from "../prover/src/bench/readiness";
import { deployVerifier, deployZkMargin, hasVerifierSource } from "../prover/src/chain";
import { loadInstances, type InstanceDims } from "../prover/src/encoding/instances";
import {
  measureProveGas,
  measureVerifierGas,
  withPublicInputs,
  type ProveGas,
} from "../prover/src/gas";
import { releaseCurve } from "../prover/src/proving";
import { loadArtifacts, readManifest } from "../prover/src/setup/manifest";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hre = require("hardhat") as HardhatRuntimeEnvironment;

const TARGET = 300_000n;
/**
 * Extra public inputs of the rendered verifier variants used to measure the per-input cost, over
 * the circuit's own count.
 */
const VARIANT_EXTRA_INPUTS = [0, 8, 16];

function row(label: string, value: string | bigint | number, width = 44): string {
  return `  ${label.padEnd(width)} ${String(value).padStart(10)}`;
}

async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const [admin, account, custodian, operator] = await hre.ethers.getSigners();
  const manifest = readManifest();
  const declared = loadInstances();
  // `npm run gas -- small demo` measures only the named instances.
  const only = process.argv.slice(2);
  const setUp = Object.keys(manifest.instances).filter(
    (name) =>
      hasVerifierSource(name) &&
      declared[name] !== undefined &&
      (only.length === 0 || only.includes(name)),
  );

  console.log("zkmargin gas report (Hardhat EVM, solc 0.8.30, optimizer 10000 runs)\n");
  // Stale keys (a circuit changed since setup) or no fitting example: say so rather than measure
  // an old verifier or nothing.
  const ready: { instance: string; dims: InstanceDims; example: Example }[] = [];
  for (const instance of setUp) {
    const dims = declared[instance];
    const checked = await readiness(instance, dims);
    if ("reason" in checked) console.log(`(${instance}: skipped: ${checked.reason})\n`);
    else ready.push({ instance, dims, example: checked.example });
  }

  console.log("Deployment");
  const d = await deployZkMargin(admin);
  console.log(row("MarketBook", d.marketBook.gasUsed));
  console.log(row("PolicyRegistry", d.policyRegistry.gasUsed));
  console.log(row("MarginRegistry", d.marginRegistry.gasUsed));
  for (const { instance } of ready) {
    console.log(row(`verifier (${instance})`, (await deployVerifier(admin, instance)).gasUsed));
  }
  if (ready.length === 0) {
    console.log(
      "\nNo circuit instance is set up and current (build/manifest.json + generated verifier): " +
        "run `zkmargin setup --instance small` to measure prove gas.",
    );
    return;
  }

  const results: (ProveGas & { dims: InstanceDims })[] = [];
  for (const { instance, dims, example } of ready) {
    const measured = await measureProveGas(instance, dims, example, {
      admin,
      operator,
      account,
      custodian,
    });
    results.push({ ...measured, dims });
  }

  const reference = results[0];
  if (reference === undefined) return;
  // Every instance has the same public signals; the count is read off a real proof.
  const nPublic = reference.publicSignals.length;
  console.log(
    `\nprove (real proof, ${nPublic} public inputs, custodian attestation, total tx gas)`,
  );
  for (const r of results) {
    const label = `${r.instance} (${r.dims.assets}A/${r.dims.perps}P/${r.dims.options}O, ${r.example})`;
    console.log(`  ${label}`);
    console.log(row("  first proof of the account", r.firstProve, 42));
    console.log(row("  repeat proof (status already stored)", r.repeatProve, 42));
    console.log(row("  verifyProof alone (tx gas)", r.verifyOnly, 42));
    const verdict = (g: bigint) => (g < TARGET ? "under" : "OVER");
    console.log(
      `    target ${TARGET}: first ${verdict(r.firstProve)}, repeat ${verdict(r.repeatProve)}`,
    );
  }

  const { vkey } = await loadArtifacts(reference.instance);
  console.log("\nCost of public inputs (snarkjs verifier template, measured per N)");
  const perN: [number, bigint][] = [];
  for (const n of VARIANT_EXTRA_INPUTS.map((extra) => nPublic + extra)) {
    // Distinct non-zero field elements, like real commitments and prices.
    const signals = Array.from({ length: n }, (_, i) => (1n << 250n) + BigInt(i) * 7919n);
    const variant = withPublicInputs(vkey, n);
    const { verifyGas } = await measureVerifierGas(
      admin,
      hre.ethers.provider,
      variant,
      reference.proof,
      signals,
    );
    perN.push([n, verifyGas]);
    console.log(row(`verifyProof with ${n} public inputs`, verifyGas));
  }
  const [n0, g0] = perN[0];
  const [n1, g1] = perN[perN.length - 1];
  const perInput = (g1 - g0) / BigInt(n1 - n0);
  console.log(row("per extra public input (slope)", perInput));

  console.log(
    "\nOne public input per market value instead of a market commitment (verifier cost only)",
  );
  for (const r of results) {
    const { assets, perps, options, scenarios, joint } = r.dims;
    const prices = assets + perps + options;
    // Every value the market commitment binds but the round and timestamp: prices, marks, option
    // risk arrays and, on an instance with joint scenario arrays, one entry per position and scenario.
    const values = prices + (options + joint * (assets + perps)) * scenarios;
    console.log(
      `  ${r.instance}: ${prices} prices (assets + perp marks + option marks), ${values} market values (with the risk arrays)`,
    );
    console.log(row("  this design, repeat prove", r.repeatProve, 42));
    console.log(
      row("  per-price design, repeat prove (>=)", r.repeatProve + perInput * BigInt(prices), 42),
    );
    console.log(
      row("  per-value design, repeat prove (>=)", r.repeatProve + perInput * BigInt(values), 42),
    );
  }
  console.log(
    "\nprove's cost does not depend on the portfolio or instance size: the circuit always has " +
      `${nPublic} public inputs. A per-value design grows by the slope above per public value (a ` +
      "lower bound: it also pays to read each value on-chain).",
  );
}

main()
  .then(async () => {
    await releaseCurve();
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await releaseCurve();
    process.exitCode = 1;
  });
