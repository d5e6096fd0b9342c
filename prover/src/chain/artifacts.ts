/**
 * Compiled contract artifacts (ABI and bytecode) as Hardhat writes them under
 * `build/hardhat/artifacts/` (`npx hardhat compile`), so the SDK and CLI can deploy and call the
 * contracts without loading Hardhat itself.
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import type { InterfaceAbi } from "ethers";
import { verifierContractName } from "../setup/paths";

/** The project root (this file is `prover/src/chain/artifacts.ts`). */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Where Hardhat writes artifacts (see hardhat.config.js). */
export const ARTIFACTS_DIR = path.join(PROJECT_ROOT, "build", "hardhat", "artifacts");

/**
 * Where the npm package carries the artifacts of the hand-written contracts, `<Name>.json` each
 * (`npm pack` copies them from ARTIFACTS_DIR: scripts/package-contracts.ts). Read when
 * ARTIFACTS_DIR has no artifact of the contract, as in an installed package.
 */
export const PACKAGED_ARTIFACTS_DIR = path.join(PROJECT_ROOT, "verifier-contracts", "artifacts");

/** Where the setup step writes the generated Groth16 verifiers. */
export const GENERATED_VERIFIERS_DIR = path.join(
  PROJECT_ROOT,
  "verifier-contracts",
  "contracts",
  "generated",
);

/** The parts of a Hardhat artifact the SDK uses. */
export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: InterfaceAbi;
  bytecode: string;
}

/** The hand-written contracts, by name. */
export type ZkMarginContractName =
  | "MarketBook"
  | "PolicyRegistry"
  | "MarginRegistry"
  | "ExpectedInputsVerifier"
  | "ERC1271Wallet"
  | "ExamplePerpVenue"
  | "OracleGasProbe";

const SOURCES: Record<ZkMarginContractName, string> = {
  MarketBook: "verifier-contracts/contracts/MarketBook.sol",
  PolicyRegistry: "verifier-contracts/contracts/PolicyRegistry.sol",
  MarginRegistry: "verifier-contracts/contracts/MarginRegistry.sol",
  ExpectedInputsVerifier: "verifier-contracts/contracts/test/ExpectedInputsVerifier.sol",
  ERC1271Wallet: "verifier-contracts/contracts/test/ERC1271Wallet.sol",
  ExamplePerpVenue: "verifier-contracts/contracts/examples/ExamplePerpVenue.sol",
  OracleGasProbe: "verifier-contracts/contracts/test/OracleGasProbe.sol",
};

function readArtifact(file: string): ContractArtifact {
  if (!existsSync(file)) {
    throw new Error(`contract artifact ${file} is missing: run \`npx hardhat compile\` first`);
  }
  const json = JSON.parse(readFileSync(file, "utf8")) as ContractArtifact;
  if (!Array.isArray(json.abi) || typeof json.bytecode !== "string" || json.bytecode === "0x") {
    throw new Error(`contract artifact ${file} has no ABI or bytecode`);
  }
  return json;
}

/**
 * Loads the artifact of one of the hand-written contracts: Hardhat's, or where there is none, the
 * one the npm package carries.
 */
export function loadArtifact(name: ZkMarginContractName): ContractArtifact {
  const compiled = path.join(ARTIFACTS_DIR, SOURCES[name], `${name}.json`);
  const packaged = path.join(PACKAGED_ARTIFACTS_DIR, `${name}.json`);
  return readArtifact(existsSync(compiled) || !existsSync(packaged) ? compiled : packaged);
}

/** The source path (from the project root) of the generated verifier of a circuit instance. */
export function verifierSourceName(instance: string): string {
  return `verifier-contracts/contracts/generated/${verifierContractName(instance)}.sol`;
}

/** Whether the setup step has produced the verifier of `instance`. */
export function hasVerifierSource(instance: string): boolean {
  return existsSync(path.join(PROJECT_ROOT, verifierSourceName(instance)));
}

/**
 * Loads the compiled generated verifier of a circuit instance (the one contract compiled from
 * its `generated/Groth16Verifier_<instance>.sol`, whatever the setup step named it).
 */
export function loadVerifierArtifact(instance: string): ContractArtifact {
  const dir = path.join(ARTIFACTS_DIR, verifierSourceName(instance));
  if (!existsSync(dir)) {
    throw new Error(
      `no compiled verifier for instance "${instance}" in ${dir}: run the setup step, then \`npx hardhat compile\``,
    );
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".dbg.json"));
  if (files.length !== 1) {
    throw new Error(`expected one contract in ${dir}, found ${files.length}`);
  }
  return readArtifact(path.join(dir, files[0]));
}
