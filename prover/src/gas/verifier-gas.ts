/**
 * Gas of snarkjs-generated Groth16 verifiers with any number of public inputs: the verifier
 * rendered from snarkjs 0.7.6's own template for a verification key, compiled with the project's
 * solc, put on Hardhat's in-process network, and `verifyProof` measured with a real proof. The
 * same verifier with zkmargin's edits (the batch functions) is rendered and installed for the
 * batch measurements and tests at any number of public inputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AbiCoder, Contract, ContractFactory, keccak256 } from "ethers";
import type { Provider, Signer } from "ethers";
import { BN254_BASE_FIELD } from "../chain/calldata";
import type { SolidityProof } from "../chain";
import type { VerificationKey } from "../proving";
import { editVerifier } from "../setup/export-keys";
import { vkeyHash } from "../setup/manifest";
import { verifierContractName } from "../setup/paths";
import { snarkjsTemplatesDir } from "../setup/snarkjs";
import {
  bytecodeSize,
  compileSolidity,
  MAX_RUNTIME_BYTES,
  type CompiledBytecode,
} from "./solidity";

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

/** A G1 point, affine. */
type G1 = readonly [bigint, bigint];

/** `p + q` on BN254's G1, by the ecAdd precompile (0x06) of `provider`'s chain. */
async function g1Add(provider: Provider, p: G1, q: G1): Promise<G1> {
  const coder = AbiCoder.defaultAbiCoder();
  const data = coder.encode(["uint256", "uint256", "uint256", "uint256"], [...p, ...q]);
  const out = await provider.call({ to: "0x0000000000000000000000000000000000000006", data });
  return coder.decode(["uint256", "uint256"], out) as unknown as [bigint, bigint];
}

/** `s * p` on BN254's G1, by the ecMul precompile (0x07). */
async function g1Mul(provider: Provider, p: G1, s: bigint): Promise<G1> {
  const coder = AbiCoder.defaultAbiCoder();
  const data = coder.encode(["uint256", "uint256", "uint256"], [...p, s]);
  const out = await provider.call({ to: "0x0000000000000000000000000000000000000007", data });
  return coder.decode(["uint256", "uint256"], out) as unknown as [bigint, bigint];
}

/**
 * A verification key like `vkey` with `extra.length` more public inputs, under which a proof
 * valid for its `signals` under `vkey` is valid for `[...signals, ...extra]`: the new inputs'
 * points are `vkey`'s own (reused cyclically, so each costs its full ecMul and ecAdd), and IC_0
 * is moved by `-sum_k extra_k P_k`, so the linear combination of the inputs is unchanged. How a
 * real proof of a circuit of C = 1 measures what `prove` of C > 1 costs (the verifier's pairings,
 * one ecMul and ecAdd per signal), before a circuit with more slots is set up.
 */
export async function keyAcceptingMoreSignals(
  provider: Provider,
  vkey: VerificationKey,
  extra: readonly bigint[],
): Promise<VerificationKey> {
  const ic = (vkey.IC as string[][]).map((p): G1 => [BigInt(p[0]), BigInt(p[1])]);
  const points = extra.map((_, k) => ic[1 + (k % (ic.length - 1))]);
  let shift: G1 = [0n, 0n];
  for (const [k, point] of points.entries()) {
    shift = await g1Add(provider, shift, await g1Mul(provider, point, extra[k]));
  }
  const negated: G1 = [shift[0], shift[1] === 0n ? 0n : BN254_BASE_FIELD - shift[1]];
  const ic0 = await g1Add(provider, ic[0], negated);
  const asStrings = (p: G1) => [p[0].toString(), p[1].toString(), "1"];
  return {
    ...vkey,
    nPublic: vkey.nPublic + extra.length,
    IC: [asStrings(ic0), ...ic.slice(1).map(asStrings), ...points.map(asStrings)],
  };
}

/** Compiled code put on the network, and what that cost. */
export interface Installed {
  address: string;
  runtimeBytes: number;
  /** Deployment gas, or null when the code was installed with `hardhat_setCode` (over EIP-170). */
  deployGas: bigint | null;
}

/** Deploys `compiled` when its runtime code fits EIP-170, else installs it with `hardhat_setCode`. */
async function install(
  deployer: Signer,
  provider: RpcProvider,
  compiled: CompiledBytecode,
): Promise<Installed> {
  const runtimeBytes = bytecodeSize(compiled.deployedBytecode);
  if (runtimeBytes > MAX_RUNTIME_BYTES) {
    // An address no deployment uses: the last 20 bytes of the code's hash.
    const address = `0x${keccak256(compiled.deployedBytecode).slice(-40)}`;
    await provider.send("hardhat_setCode", [address, compiled.deployedBytecode]);
    return { address, runtimeBytes, deployGas: null };
  }
  const contract = await new ContractFactory([], compiled.bytecode, deployer).deploy();
  const receipt = await contract.deploymentTransaction()?.wait();
  if (!receipt || receipt.status !== 1) throw new Error("verifier deployment failed");
  return { address: await contract.getAddress(), runtimeBytes, deployGas: receipt.gasUsed };
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
  const { address, runtimeBytes, deployGas } = await install(
    deployer,
    provider,
    compileSolidity(renderGroth16Verifier(vkey)),
  );
  const abi = [
    `function verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${nPublic}]) view returns (bool)`,
  ];
  const verifier = new Contract(address, abi, deployer);
  const args = [proof.a, proof.b, proof.c, publicSignals.map((s) => BigInt(s))];
  const verify = verifier.getFunction("verifyProof");
  const accepted = (await verify.staticCall(...args)) as boolean;
  const verifyGas = await verify.estimateGas(...args);
  return { nPublic, verifyGas, accepted, runtimeBytes, deployGas };
}

/** The ABI of a generated zkmargin verifier of `nPublic` public signals. */
export function zkMarginVerifierAbi(nPublic: number): string[] {
  return [
    `function verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${nPublic}]) view returns (bool)`,
    "function verifyBatch(uint256[8][] proofs, uint256[] pubSignals) view returns (bool)",
    "function verifyOne(uint256[8] proof, uint256[] pubSignals) view returns (bool)",
    "function publicSignalCount() pure returns (uint256)",
    "function verificationKeyHash() pure returns (bytes32)",
    "error EmptyBatch()",
    "error PublicSignalsLength(uint256 expected, uint256 actual)",
  ];
}

/**
 * The generated verifier of `vkey` exactly as the setup step writes it (snarkjs's template, then
 * zkmargin's edits) for an instance called `name`, compiled and put on the network: how the batch
 * check is measured and tested at other numbers of public signals than a set-up instance has.
 */
export async function installZkMarginVerifier(
  deployer: Signer,
  provider: RpcProvider,
  vkey: VerificationKey,
  name: string,
): Promise<Installed & { contract: Contract }> {
  const source = editVerifier(renderGroth16Verifier(vkey), name, "development", vkeyHash(vkey));
  const compiled = compileSolidity(source, verifierContractName(name));
  const installed = await install(deployer, provider, compiled);
  const contract = new Contract(installed.address, zkMarginVerifierAbi(vkey.nPublic), deployer);
  return { ...installed, contract };
}
