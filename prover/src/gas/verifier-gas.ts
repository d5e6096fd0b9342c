/**
 * Gas of snarkjs-generated Groth16 verifiers with any number of public inputs: the verifier
 * rendered from snarkjs 0.7.6's own template for a verification key, compiled with the project's
 * solc, put on Hardhat's in-process network, and `verifyProof` measured with a real proof.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ContractFactory, keccak256 } from "ethers";
import type { Signer } from "ethers";
import type { SolidityProof } from "../chain";
import type { VerificationKey } from "../proving";
import { snarkjsTemplatesDir } from "../setup/snarkjs";
import { bytecodeSize, compileSolidity, MAX_RUNTIME_BYTES } from "./solidity";

/** The JSON-RPC access a measurement needs besides a signer (Hardhat's provider has it). */
export interface RpcProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** What {@link measureVerifierGas} measured. */
export interface VerifierGas {
  nPublic: number;
  /** Transaction gas of `verifyProof` (21,000 base, calldata and execution), by eth_estimateGas. */
  verifyGas: bigint;
  /** Whether the verifier accepted the proof (the template returns false rather than reverting). */
  accepted: boolean;
  /** Runtime code size in bytes. */
  runtimeBytes: number;
  /**
   * Deployment gas, or null when the runtime code is above EIP-170's 24,576 bytes: such a
   * verifier cannot be deployed on Ethereum mainnet, and its code is installed with
   * `hardhat_setCode` to measure `verifyProof` all the same.
   */
  deployGas: bigint | null;
}

/** Renders snarkjs's Groth16 verifier template for `vkey` (what `zkey export solidityverifier` does). */
export function renderGroth16Verifier(vkey: VerificationKey): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ejs = require("ejs") as { render(template: string, data: object): string };
  const template = fs.readFileSync(
    path.join(snarkjsTemplatesDir(), "verifier_groth16.sol.ejs"),
    "utf8",
  );
  return ejs.render(template, vkey);
}

/**
 * A verification key like `vkey` with `nPublic` inputs: its IC points reused cyclically (valid
 * curve points, so every input costs its full ecMul and ecAdd). Proofs do not verify under it; it
 * measures what one more public input costs.
 */
export function withPublicInputs(vkey: VerificationKey, nPublic: number): VerificationKey {
  const ic = vkey.IC as unknown[];
  return {
    ...vkey,
    nPublic,
    IC: [ic[0], ...Array.from({ length: nPublic }, (_, i) => ic[1 + (i % (ic.length - 1))])],
  };
}

/**
 * Puts the verifier of `vkey` on the network (deployed when its code fits EIP-170, else installed
 * with `hardhat_setCode`) and measures `verifyProof(proof, publicSignals)`.
 */
export async function measureVerifierGas(
  deployer: Signer,
  provider: RpcProvider,
  vkey: VerificationKey,
  proof: SolidityProof,
  publicSignals: readonly (bigint | string)[],
): Promise<VerifierGas> {
  const nPublic = vkey.nPublic;
  if (publicSignals.length !== nPublic) {
    throw new Error(`${publicSignals.length} public signals for a verifier of ${nPublic}`);
  }
  const compiled = compileSolidity(renderGroth16Verifier(vkey));
  const abi = [
    `function verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${nPublic}]) view returns (bool)`,
  ];
  const factory = new ContractFactory(abi, compiled.bytecode, deployer);
  const runtimeBytes = bytecodeSize(compiled.deployedBytecode);
  let deployGas: bigint | null = null;
  let address: string;
  if (runtimeBytes <= MAX_RUNTIME_BYTES) {
    const contract = await factory.deploy();
    const receipt = await contract.deploymentTransaction()?.wait();
    if (!receipt || receipt.status !== 1) throw new Error("verifier deployment failed");
    deployGas = receipt.gasUsed;
    address = await contract.getAddress();
  } else {
    // An address no deployment uses: the last 20 bytes of the code's hash.
    address = `0x${keccak256(compiled.deployedBytecode).slice(-40)}`;
    await provider.send("hardhat_setCode", [address, compiled.deployedBytecode]);
  }
  const verifier = factory.attach(address).connect(deployer);
  const args = [proof.a, proof.b, proof.c, publicSignals.map((s) => BigInt(s))];
  const verify = verifier.getFunction("verifyProof");
  const accepted = (await verify.staticCall(...args)) as boolean;
  const verifyGas = await verify.estimateGas(...args);
  return { nPublic, verifyGas, accepted, runtimeBytes, deployGas };
}
