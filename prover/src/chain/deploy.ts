/**
 * Deployment of the zkmargin contracts from their compiled artifacts.
 */
import { Contract, ContractFactory } from "ethers";
import type { BaseContract, ContractRunner, Signer } from "ethers";
import { loadArtifact, loadVerifierArtifact } from "./artifacts";
import type { ContractArtifact } from "./artifacts";
import { grantPublisher } from "./market-book";
import { grantRoleId, roleId } from "./roles";

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

/** The operational roles of a deployment, each held by its own addresses. */
export interface ZkMarginRoles {
  /** MarketBook `publisherRole(feed)`, by feed: post and invalidate that feed's rounds. */
  publishers?: Readonly<Record<string, readonly string[]>>;
  /** PolicyRegistry POLICY_ADMIN_ROLE: register and retire policies. */
  policyAdmins?: readonly string[];
  /** PolicyRegistry CUSTODIAN_ADMIN_ROLE: add and remove custodians. */
  custodianAdmins?: readonly string[];
}

/** Options of {@link deployZkMargin}. */
export interface DeployOptions {
  /** Default admin of MarketBook and PolicyRegistry (default: the deployer). */
  admin?: string;
  /** Delay of a two-step default-admin transfer, seconds (default {@link DEFAULT_ADMIN_DELAY}). */
  adminDelay?: bigint;
  /**
   * Seconds between a verifier's proposal and its approval, non-zero (default
   * {@link DEFAULT_VERIFIER_APPROVAL_DELAY}).
   */
  verifierApprovalDelay?: bigint;
  /** Roles to grant at deployment; needs the deployer to be the admin (default: none). */
  roles?: ZkMarginRoles;
}

/** Default delay of an admin transfer: 2 days. */
export const DEFAULT_ADMIN_DELAY = 2n * 24n * 3600n;

/** Default delay between a verifier's proposal and its approval: 2 days, as an admin transfer. */
export const DEFAULT_VERIFIER_APPROVAL_DELAY = DEFAULT_ADMIN_DELAY;

/**
 * Grants `role` (a role constant's name) of PolicyRegistry to `account`; per-feed publisher and
 * per-policy venue roles: {@link grantPublisher}, `grantVenue`.
 */
export async function grantRole(
  contract: BaseContract,
  role: "POLICY_ADMIN_ROLE" | "CUSTODIAN_ADMIN_ROLE",
  account: string,
): Promise<void> {
  const receipt = await grantRoleId(contract, roleId(role), account);
  if (receipt.status !== 1) throw new Error(`granting ${role} to ${account} failed`);
}

/**
 * Deploys MarketBook, PolicyRegistry and a MarginRegistry over them. The admin can hold no
 * operational role; `roles` grants them (separate holders, as the design asks).
 */
export async function deployZkMargin(
  deployer: Signer,
  options: DeployOptions = {},
): Promise<ZkMarginDeployment> {
  const deployerAddress = await deployer.getAddress();
  const admin = options.admin ?? deployerAddress;
  const roles = options.roles ?? {};
  const publishers = Object.entries(roles.publishers ?? {});
  const granting =
    publishers.some(([, list]) => list.length > 0) ||
    [roles.policyAdmins, roles.custodianAdmins].some((list) => (list?.length ?? 0) > 0);
  if (granting && admin !== deployerAddress) {
    throw new Error("roles can be granted at deployment only when the deployer is the admin");
  }
  const delay = options.adminDelay ?? DEFAULT_ADMIN_DELAY;
  const marketBook = await deployArtifact(deployer, loadArtifact("MarketBook"), [delay, admin]);
  const policyRegistry = await deployArtifact(deployer, loadArtifact("PolicyRegistry"), [
    delay,
    admin,
    options.verifierApprovalDelay ?? DEFAULT_VERIFIER_APPROVAL_DELAY,
  ]);
  const marginRegistry = await deployArtifact(deployer, loadArtifact("MarginRegistry"), [
    marketBook.address,
    policyRegistry.address,
  ]);
  for (const [feed, accounts] of publishers) {
    for (const account of accounts) await grantPublisher(marketBook.contract, feed, account);
  }
  for (const account of roles.policyAdmins ?? []) {
    await grantRole(policyRegistry.contract, "POLICY_ADMIN_ROLE", account);
  }
  for (const account of roles.custodianAdmins ?? []) {
    await grantRole(policyRegistry.contract, "CUSTODIAN_ADMIN_ROLE", account);
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
