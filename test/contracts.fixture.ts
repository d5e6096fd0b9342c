/**
 * Shared setup of the contract tests: Hardhat's in-process network, compiled once, with
 * snapshots, clock control and custom-error assertions.
 */
import { expect } from "chai";
import { getBytes, hexlify } from "ethers";
import type { BaseContract, ContractTransactionReceipt, Interface, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
// Brings in the `hre.ethers` type extension.
import type {} from "@nomicfoundation/hardhat-ethers";
import { decodeRevert } from "../prover/src/chain";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";

// Loading "hardhat" from the project root picks up hardhat.config.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const hre = require("hardhat") as HardhatRuntimeEnvironment;

/** BN254 scalar field modulus r. */
export const SCALAR_FIELD = SNARK_SCALAR_FIELD;

/**
 * Compiles the contracts (quietly). Hardhat's cache makes a repeat call cheap, and a call after the
 * setup step wrote a generated verifier picks it up.
 */
export async function compileContracts(): Promise<void> {
  await hre.run("compile", { quiet: true });
}

/** Takes an EVM snapshot; the returned function reverts to it. */
export async function snapshot(): Promise<() => Promise<void>> {
  const id = (await hre.network.provider.send("evm_snapshot", [])) as string;
  return async () => {
    await hre.network.provider.send("evm_revert", [id]);
  };
}

/** Reverts the chain after each test of the calling suite to its state before that test. */
export function revertAfterEachTest(): void {
  let restore: () => Promise<void>;
  beforeEach(async function () {
    restore = await snapshot();
  });
  afterEach(async function () {
    await restore();
  });
}

/** The latest block's timestamp. */
export async function now(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  if (!block) throw new Error("no latest block");
  return BigInt(block.timestamp);
}

/** Sets the timestamp of the next mined block (the next transaction, with automining). */
export async function setNextTimestamp(timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
}

/** Mines one block at `timestamp` (so views see that time). */
export async function mineAt(timestamp: bigint): Promise<void> {
  await setNextTimestamp(timestamp);
  await hre.network.provider.send("evm_mine", []);
}

/**
 * Expects `action` to revert with the custom error `name` (decoded with `interfaces`), and, when
 * given, with exactly `args`.
 */
export async function expectRevert(
  action: Promise<unknown>,
  interfaces: readonly Interface[],
  name: string,
  args?: readonly unknown[],
): Promise<void> {
  let error: unknown;
  try {
    await action;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a revert with ${name}`).to.not.equal(undefined);
  const decoded = decodeRevert(error, interfaces);
  expect(decoded?.name, `revert reason of: ${String(error)}`).to.equal(name);
  if (args !== undefined) expect(decoded?.args).to.deep.equal([...args]);
}

/**
 * Deploys raw runtime bytecode (at most 255 bytes) behind an 11-byte constructor that copies it
 * into memory and returns it, e.g. the audit's 10-byte "answer true to everything" contract.
 * Returns the new contract's address.
 */
export async function deployRuntime(deployer: Signer, runtime: string): Promise<string> {
  const code = getBytes(runtime);
  if (code.length === 0 || code.length > 255) throw new RangeError("runtime must be 1..255 bytes");
  const size = code.length.toString(16).padStart(2, "0");
  // PUSH1 size, DUP1, PUSH1 11, PUSH1 0, CODECOPY, PUSH1 0, RETURN; then the runtime itself.
  const initCode = `0x60${size}80600b6000396000f3${hexlify(code).slice(2)}`;
  const receipt = await (await deployer.sendTransaction({ data: initCode })).wait();
  if (!receipt?.contractAddress) throw new Error("raw deployment failed");
  return receipt.contractAddress;
}

/** The arguments of the one `name` event that `contract` emitted in `receipt`. */
export function eventArgs(
  contract: BaseContract,
  receipt: ContractTransactionReceipt | null,
  name: string,
): unknown[] {
  const found = (receipt?.logs ?? [])
    .filter((log) => log.address.toLowerCase() === String(contract.target).toLowerCase())
    .map((log) => contract.interface.parseLog(log))
    .filter((parsed) => parsed?.name === name);
  expect(found, `${name} events`).to.have.length(1);
  return [...(found[0]?.args ?? [])];
}

/** The timestamp of the block that included `receipt`. */
export async function blockTimestamp(receipt: ContractTransactionReceipt | null): Promise<bigint> {
  if (!receipt) throw new Error("no receipt");
  const block = await hre.ethers.provider.getBlock(receipt.blockNumber);
  if (!block) throw new Error(`no block ${receipt.blockNumber}`);
  return BigInt(block.timestamp);
}
