/**
 * Compiles one Solidity source with the project's solc (the `solc` package, 0.8.30) and the
 * settings of hardhat.config.js (read from it: optimizer, EVM version, IR pipeline), for contracts
 * that are rendered on the fly rather than kept under verifier-contracts/. Imports resolve from
 * the project root, so a rendered verifier finds `Groth16Batch.sol` as Hardhat does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { PROJECT_ROOT } from "../setup/paths";

/** Bytecode of one compiled contract, 0x-prefixed. */
export interface CompiledBytecode {
  /** Creation code (constructor included). */
  bytecode: string;
  /** Runtime code, what EIP-170 limits to 24,576 bytes. */
  deployedBytecode: string;
}

/** EIP-170: the largest runtime code a contract may have on Ethereum mainnet, in bytes. */
export const MAX_RUNTIME_BYTES = 24_576;

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
}

/** The compiler hardhat.config.js compiles the project's contracts with. */
export interface ProjectSolc {
  version: string;
  /** Its settings (optimizer, EVM version, IR pipeline), without Hardhat's output selection. */
  settings: Record<string, unknown>;
}

/**
 * Where a generated verifier lives in the project (a source unit name), so that its
 * `import "../Groth16Batch.sol"` resolves to `verifier-contracts/contracts/Groth16Batch.sol`.
 */
export const GENERATED_SOURCE_UNIT = "verifier-contracts/contracts/generated/Verifier.sol";

/**
 * solc's import callback over the project's files (source unit names are paths from the project
 * root), refusing anything outside `verifier-contracts/contracts/` and `node_modules/`.
 */
export function projectImport(unit: string): { contents: string } | { error: string } {
  const file = path.resolve(PROJECT_ROOT, unit);
  const allowed = [
    path.join(PROJECT_ROOT, "verifier-contracts", "contracts"),
    path.join(PROJECT_ROOT, "node_modules"),
  ];
  if (!allowed.some((dir) => file.startsWith(dir + path.sep))) {
    return { error: `${unit}: not under verifier-contracts/contracts/ or node_modules/` };
  }
  if (!fs.existsSync(file)) return { error: `${unit}: no such file under ${PROJECT_ROOT}` };
  return { contents: fs.readFileSync(file, "utf8") };
}

/** hardhat.config.js's first Solidity compiler, read through Hardhat's runtime environment. */
export function projectSolc(): ProjectSolc {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment;
  const [compiler] = hre.config.solidity.compilers;
  if (compiler === undefined) throw new Error("hardhat.config.js declares no Solidity compiler");
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { outputSelection, ...settings } = compiler.settings as Record<string, unknown>;
  return { version: compiler.version, settings };
}

/**
 * Compiles `source` (as the source unit `unit`, which its relative imports resolve from) and
 * returns the bytecode of its contract `name` (default: the only or first contract). Throws with
 * solc's messages when compilation fails.
 */
export function compileSolidity(
  source: string,
  name?: string,
  unit = GENERATED_SOURCE_UNIT,
): CompiledBytecode {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as {
    compile(input: string, callbacks?: { import: typeof projectImport }): string;
    version(): string;
  };
  const project = projectSolc();
  if (!solc.version().startsWith(`${project.version}+`)) {
    throw new Error(
      `the solc package is ${solc.version()}; hardhat.config.js compiles with ${project.version}`,
    );
  }
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { [unit]: { content: source } },
        settings: {
          ...project.settings,
          outputSelection: { "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object"] } },
        },
      }),
      { import: projectImport },
    ),
  ) as SolcOutput;
  const fatal = (output.errors ?? []).filter((e) => e.severity === "error");
  if (fatal.length > 0) throw new Error(fatal.map((e) => e.formattedMessage).join("\n"));
  const contracts = output.contracts?.[unit] ?? {};
  const chosen = name === undefined ? Object.values(contracts)[0] : contracts[name];
  if (!chosen) throw new Error(`solc produced no contract ${name ?? ""}`.trim());
  return {
    bytecode: `0x${chosen.evm.bytecode.object}`,
    deployedBytecode: `0x${chosen.evm.deployedBytecode.object}`,
  };
}

/** Size in bytes of 0x-prefixed bytecode. */
export function bytecodeSize(hex: string): number {
  return (hex.length - 2) / 2;
}
