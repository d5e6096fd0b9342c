/**
 * `prepack`: compiles the contracts with Hardhat and copies the artifact (ABI and bytecode, as
 * Hardhat writes it) of every contract and interface under verifier-contracts/contracts/ (not
 * test/, not generated/) to verifier-contracts/artifacts/<Name>.json, the folder the npm package
 * ships (`zkmargin/artifacts/<Name>.json`) and `loadArtifact` reads where Hardhat's output is
 * absent. `--clean` (`postpack`) removes the folder again, so a checkout never reads a stale copy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ARTIFACTS_DIR, PACKAGED_ARTIFACTS_DIR } from "../prover/src/chain/artifacts";
import { PROJECT_ROOT } from "../prover/src/setup/paths";

/** Hardhat's artifacts of the contract sources, relative to ARTIFACTS_DIR. */
const SOURCES = "verifier-contracts/contracts";
/** Source folders whose contracts are not the package's: test fixtures and per-key verifiers. */
const LEFT_OUT = new Set(["test", "generated"]);

/** The artifact files (`<Name>.json`, not `.dbg.json`) under `dir`, skipping LEFT_OUT folders. */
function artifactFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return LEFT_OUT.has(entry.name) ? [] : artifactFiles(full);
    return entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json") ? [full] : [];
  });
}

async function compile(): Promise<void> {
  process.chdir(PROJECT_ROOT);
  process.env.HARDHAT_CONFIG ??= path.join(PROJECT_ROOT, "hardhat.config.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as { run(task: string, args: object): Promise<unknown> };
  // Hardhat reports "Compiled N Solidity files" on stdout even when quiet, and stdout is what
  // `npm pack --json` prints its report on: the compiler's lines go to stderr instead.
  const log = console.log;
  console.log = console.error;
  try {
    await hre.run("compile", { quiet: true });
  } finally {
    console.log = log;
  }
}

/** Copies the artifacts into a fresh PACKAGED_ARTIFACTS_DIR; returns the contract names. */
function copyArtifacts(): string[] {
  const files = artifactFiles(path.join(ARTIFACTS_DIR, SOURCES));
  const byName = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file, ".json");
    const other = byName.get(name);
    if (other !== undefined) {
      throw new Error(`two contracts named ${name}: ${other} and ${file}; rename one`);
    }
    byName.set(name, file);
  }
  fs.rmSync(PACKAGED_ARTIFACTS_DIR, { recursive: true, force: true });
  fs.mkdirSync(PACKAGED_ARTIFACTS_DIR, { recursive: true });
  for (const [name, file] of byName) {
    fs.copyFileSync(file, path.join(PACKAGED_ARTIFACTS_DIR, `${name}.json`));
  }
  return [...byName.keys()].sort();
}

async function main(): Promise<void> {
  const relative = path.relative(PROJECT_ROOT, PACKAGED_ARTIFACTS_DIR);
  if (process.argv.includes("--clean")) {
    fs.rmSync(PACKAGED_ARTIFACTS_DIR, { recursive: true, force: true });
    return;
  }
  await compile();
  const names = copyArtifacts();
  if (names.length === 0)
    throw new Error(`no contract artifacts under ${ARTIFACTS_DIR}/${SOURCES}`);
  process.stderr.write(`package-contracts: ${relative}/: ${names.join(", ")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`package-contracts: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
});
