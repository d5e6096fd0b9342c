/**
 * Deployment of the zkmargin contracts from their compiled artifacts.
 */
import { Contract, ContractFactory } from "ethers";
import type { ContractRunner, Signer } from "ethers";
import { loadArtifact, loadVerifierArtifact } from "./artifacts";
import type { ContractArtifact } from "./artifacts";

/** A deployed contract and the gas its deployment used. */
export interface Deployed {
  contract: Contract;
  address: string;
  gasUsed: bigint;
}

/** The three contracts of a zkmargin deployment. */
export interface ZkMarginDeployment {
  marketBook: Deployed;
  policyRegistry: Deployed;
  marginRegistry: Deployed;
}

/** Deploys `artifact` with constructor `args` and waits for the receipt. */
export async function deployArtifact(
  deployer: Signer,
  artifact: ContractArtifact,
  args: readonly unknown[] = [],
): Promise<Deployed> {
  const factory = new ContractFactory(artifact.abi, artifact.bytecode, deployer);
  const deployed = await factory.deploy(...args);
  const receipt = await deployed.deploymentTransaction()?.wait();
  if (!receipt || receipt.status !== 1)
    throw new Error(`deployment of ${artifact.contractName} failed`);
  const address = await deployed.getAddress();
  return {
    contract: new Contract(address, artifact.abi, deployer),
    address,
    gasUsed: receipt.gasUsed,
  };
}

/** Options of {@link deployZkMargin}. */
export interface DeployOptions {
  /** Holder of the admin roles of MarketBook and PolicyRegistry (default: the deployer). */
  admin?: string;
  /**
   * Addresses granted MarketBook's PUBLISHER_ROLE, which needs the deployer to be the admin
   * (default: none).
   */
  publishers?: readonly string[];
}

/** Deploys MarketBook, PolicyRegistry and a MarginRegistry over them. */
export async function deployZkMargin(
  deployer: Signer,
  options: DeployOptions = {},
): Promise<ZkMarginDeployment> {
  const deployerAddress = await deployer.getAddress();
  const admin = options.admin ?? deployerAddress;
  const publishers = options.publishers ?? [];
  if (publishers.length > 0 && admin !== deployerAddress) {
    throw new Error("publishers can be granted at deployment only when the deployer is the admin");
  }
  const marketBook = await deployArtifact(deployer, loadArtifact("MarketBook"), [admin]);
  const policyRegistry = await deployArtifact(deployer, loadArtifact("PolicyRegistry"), [admin]);
  const marginRegistry = await deployArtifact(deployer, loadArtifact("MarginRegistry"), [
    marketBook.address,
    policyRegistry.address,
  ]);
  if (publishers.length > 0) {
    const role = (await marketBook.contract.getFunction("PUBLISHER_ROLE")()) as string;
    for (const publisher of publishers) {
      await (await marketBook.contract.getFunction("grantRole")(role, publisher)).wait();
    }
  }
  return { marketBook, policyRegistry, marginRegistry };
}

/** Deploys the generated Groth16 verifier of a circuit instance. */
export async function deployVerifier(deployer: Signer, instance: string): Promise<Deployed> {
  return deployArtifact(deployer, loadVerifierArtifact(instance));
}

/** Attaches to an already deployed hand-written contract. */
export function attach(
  name: "MarketBook" | "PolicyRegistry" | "MarginRegistry",
  address: string,
  runner: ContractRunner,
): Contract {
  return new Contract(address, loadArtifact(name).abi, runner);
}
