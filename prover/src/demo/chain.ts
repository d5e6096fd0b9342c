/**
 * The chain the demo runs on: Hardhat's in-process network (nothing to start, nothing to
 * download) or any EVM JSON-RPC node with unlocked accounts, such as `npx hardhat node`.
 * Either way the contracts are compiled with the project's Hardhat config first.
 */
import path from "node:path";
import { JsonRpcProvider, getAddress } from "ethers";
import type { Provider, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersHelpers } from "@nomicfoundation/hardhat-ethers/types";

/** A connected chain: a provider, its unlocked accounts, and how to let go of it. */
export interface DemoChain {
  provider: Provider;
  signers: Signer[];
  /** The unlocked signer of `address`; refuses an address the node does not hold. */
  signerFor(address: string): Promise<Signer>;
  close(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Compiles the contracts (incl. generated verifiers) and connects to `rpc` or in-process. */
export async function connectChain(rpc?: string): Promise<DemoChain> {
  process.env.HARDHAT_CONFIG ??= path.join(ROOT, "hardhat.config.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as HardhatRuntimeEnvironment & { ethers: HardhatEthersHelpers };
  await hre.run("compile", { quiet: true });

  let provider: Provider;
  let signers: Signer[];
  let close = async (): Promise<void> => undefined;
  if (rpc === undefined) {
    provider = hre.ethers.provider;
    signers = await hre.ethers.getSigners();
  } else {
    const rpcProvider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
    const accounts = (await rpcProvider.send("eth_accounts", [])) as string[];
    if (accounts.length < 8) {
      throw new Error(`${rpc}: the demo needs a node with at least 8 unlocked accounts`);
    }
    provider = rpcProvider;
    signers = await Promise.all(accounts.map((a) => rpcProvider.getSigner(a)));
    close = async () => rpcProvider.destroy();
  }
  const signerFor = async (address: string): Promise<Signer> => {
    for (const signer of signers) {
      if ((await signer.getAddress()) === getAddress(address)) return signer;
    }
    throw new Error(`account ${address} is not unlocked on the demo chain`);
  };
  return { provider, signers, signerFor, close };
}
