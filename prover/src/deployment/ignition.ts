/**
 * The zkmargin deployment as Hardhat Ignition modules (ignition-core, the engine of
 * `@nomicfoundation/hardhat-ignition` 0.15.x for Hardhat 2), run against any JSON-RPC node with a
 * journal, so an interrupted deployment resumes where it stopped:
 * - `ZkMargin`: the verifier of each circuit instance, MarketBook, PolicyRegistry and
 *   MarginRegistry, the policy and custodian admin roles granted to their own holders, each
 *   verifier's code proposed (approvable after the registry's approval delay), and the default
 *   admin handed (two-step, delayed) to the final admin when it is not the deployer;
 * - `ZkMarginApproval_<instance>`: the instance's verifier approved by the default admin, once
 *   its proposal is effective (run by `deploy policy` when the verifier is not approved yet);
 * - `ZkMarginPolicy_<id>`: a policy registered by the policy admin, its custodians added by the
 *   custodian admin, its venue role and its feed's publisher role granted by the default admin.
 */
import type {
  Artifact,
  ArtifactResolver,
  DeploymentResult,
  IgnitionModule,
  IgnitionModuleResult,
} from "@nomicfoundation/ignition-core";
import {
  loadArtifact,
  loadVerifierArtifact,
  type ContractArtifact,
  type ZkMarginContractName,
} from "../chain/artifacts";
import { publisherRoleOf } from "../chain/market-book";
import { POLICY_MODE, venueRoleOf } from "../chain/policy";
import { roleId } from "../chain/roles";
import { verifierContractName } from "../setup/paths";
import type { SigningProvider } from "./eip1193";

/**
 * ignition-core, loaded on first use: it takes a noticeable part of a second to load, and every
 * `zkmargin` verb imports this module through the deployment file readers.
 */
function ignition(): typeof import("@nomicfoundation/ignition-core") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@nomicfoundation/ignition-core") as typeof import("@nomicfoundation/ignition-core");
}

/** What the `ZkMargin` module deploys and grants. */
export interface ContractsModuleConfig {
  /** Circuit instances whose verifiers are deployed and approved. */
  instances: readonly string[];
  /** Default-admin transfer delay, seconds. */
  adminDelay: bigint;
  /** PolicyRegistry's delay between a verifier's proposal and its approval, seconds. */
  verifierApprovalDelay: bigint;
  /** The final default admin; when not the deployer, a delayed transfer to it is begun. */
  admin: string;
  deployer: string;
  policyAdmins: readonly string[];
  custodianAdmins: readonly string[];
}

/** The `ZkMargin` module for `config`. */
export function contractsModule(config: ContractsModuleConfig) {
  return ignition().buildModule("ZkMargin", (m) => {
    const marketBook = m.contract("MarketBook", [config.adminDelay, config.deployer]);
    const policyRegistry = m.contract("PolicyRegistry", [
      config.adminDelay,
      config.deployer,
      config.verifierApprovalDelay,
    ]);
    const marginRegistry = m.contract("MarginRegistry", [marketBook, policyRegistry]);
    config.policyAdmins.forEach((holder, i) =>
      m.call(policyRegistry, "grantRole", [roleId("POLICY_ADMIN_ROLE"), holder], {
        id: `policyAdmin${i}`,
      }),
    );
    config.custodianAdmins.forEach((holder, i) =>
      m.call(policyRegistry, "grantRole", [roleId("CUSTODIAN_ADMIN_ROLE"), holder], {
        id: `custodianAdmin${i}`,
      }),
    );
    const verifiers = Object.fromEntries(
      config.instances.map((instance) => {
        const name = verifierContractName(instance);
        const verifier = m.contract(name, [], { id: name });
        m.call(policyRegistry, "proposeVerifier", [verifier], { id: `propose_${name}` });
        return [name, verifier];
      }),
    );
    if (config.admin.toLowerCase() !== config.deployer.toLowerCase()) {
      m.call(marketBook, "beginDefaultAdminTransfer", [config.admin], { id: "marketBookAdmin" });
      m.call(policyRegistry, "beginDefaultAdminTransfer", [config.admin], {
        id: "policyRegistryAdmin",
      });
    }
    return { marketBook, policyRegistry, marginRegistry, ...verifiers };
  });
}

/** What a `ZkMarginPolicy_<id>` module registers. */
export interface PolicyModuleConfig {
  /** Module id suffix: letters, digits and `_` (derived from the policy.json id). */
  key: string;
  policyRegistry: string;
  policyId: string;
  params: {
    commitment: bigint;
    mode: keyof typeof POLICY_MODE;
    verifier: string;
    verificationKeyHash: string;
    feed: string;
    maxRoundAge: bigint;
    supersededGrace: bigint;
    venue: string;
    requiresPledges: boolean;
    cureWindow: bigint;
  };
  policyAdmin: string;
  custodians: readonly string[];
  custodianAdmin?: string;
  venues: readonly string[];
  /** MarketBook, where the publishers of the policy's feed are granted. */
  marketBook: string;
  publishers: readonly string[];
  admin?: string;
}

/** What a `ZkMarginApproval_<instance>` module approves. */
export interface ApprovalModuleConfig {
  /** Module id suffix: letters, digits and `_` (the instance name). */
  key: string;
  policyRegistry: string;
  /** The verifier's runtime code hash, as proposed. */
  codeHash: string;
  admin: string;
}

/** The module that approves one proposed verifier code (its proposal must be effective). */
export function approvalModule(config: ApprovalModuleConfig) {
  return ignition().buildModule(`ZkMarginApproval_${config.key}`, (m) => {
    const registry = m.contractAt("PolicyRegistry", config.policyRegistry);
    m.call(registry, "approveVerifier", [config.codeHash], {
      from: config.admin,
      id: "approveVerifier",
    });
    return { registry };
  });
}

/** The module that registers one policy (and its custodians, venues and feed publishers). */
export function policyModule(config: PolicyModuleConfig) {
  return ignition().buildModule(`ZkMarginPolicy_${config.key}`, (m) => {
    const registry = m.contractAt("PolicyRegistry", config.policyRegistry);
    const registered = m.call(
      registry,
      "registerPolicy",
      [config.policyId, { ...config.params, mode: POLICY_MODE[config.params.mode] }],
      { from: config.policyAdmin, id: "registerPolicy" },
    );
    config.custodians.forEach((custodian, i) =>
      m.call(registry, "addCustodian", [config.params.venue, custodian], {
        from: config.custodianAdmin,
        id: `custodian${i}`,
        after: [registered],
      }),
    );
    config.venues.forEach((venue, i) =>
      m.call(registry, "grantRole", [venueRoleOf(config.policyId), venue], {
        from: config.admin,
        id: `venue${i}`,
      }),
    );
    const book = m.contractAt("MarketBook", config.marketBook);
    config.publishers.forEach((publisher, i) =>
      m.call(book, "grantRole", [publisherRoleOf(config.params.feed), publisher], {
        from: config.admin,
        id: `publisher${i}`,
      }),
    );
    return { registry, book };
  });
}

/** Resolves contract names to the project's compiled artifacts (verifiers by instance). */
function artifactResolver(instances: readonly string[]): ArtifactResolver {
  const verifiers = new Map(instances.map((i) => [verifierContractName(i), i]));
  const withLinks = (a: ContractArtifact): Artifact => ({
    contractName: a.contractName,
    sourceName: a.sourceName,
    abi: a.abi as Artifact["abi"],
    bytecode: a.bytecode,
    linkReferences: {},
  });
  return {
    loadArtifact: async (name: string) => {
      const instance = verifiers.get(name);
      return withLinks(
        instance !== undefined
          ? loadVerifierArtifact(instance)
          : loadArtifact(name as ZkMarginContractName),
      );
    },
    getBuildInfo: async () => undefined,
  };
}

/** A failed Ignition deployment, with Ignition's own explanation. */
export class IgnitionError extends Error {
  constructor(result: DeploymentResult) {
    super(`Ignition deployment failed: ${describe(result)}`);
    this.name = "IgnitionError";
  }
}

function describe(result: DeploymentResult): string {
  const { DeploymentResultType } = ignition();
  switch (result.type) {
    case DeploymentResultType.VALIDATION_ERROR:
    case DeploymentResultType.RECONCILIATION_ERROR:
      return Object.entries(result.errors)
        .map(([id, errors]) => `${id}: ${errors.join("; ")}`)
        .join(" | ");
    case DeploymentResultType.PREVIOUS_RUN_ERROR:
      return `previous run of ${result.errors ? Object.keys(result.errors).join(", ") : "?"} failed; see the journal`;
    case DeploymentResultType.EXECUTION_ERROR:
      return [
        ...result.failed.map((f) => `${f.futureId}: ${f.error}`),
        ...result.timedOut.map((f) => `${f.futureId}: timed out`),
        ...result.held.map((f) => `${f.futureId}: held (${f.reason})`),
      ].join(" | ");
    default:
      return "unknown result";
  }
}

/** Runs a module; returns the deployed contracts' addresses by name (without the module id). */
export async function runModule<T extends IgnitionModuleResult<string>>(
  provider: SigningProvider,
  module: IgnitionModule<string, string, T>,
  options: { journalDir: string; instances?: readonly string[]; confirmations?: number },
): Promise<Record<string, string>> {
  const { deploy, DeploymentResultType } = ignition();
  const result = await deploy({
    config:
      options.confirmations !== undefined ? { requiredConfirmations: options.confirmations } : {},
    artifactResolver: artifactResolver(options.instances ?? []),
    provider,
    deploymentDir: options.journalDir,
    ignitionModule: module,
    deploymentParameters: {},
    accounts: provider.accounts,
    defaultSender: provider.accounts[0],
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) throw new IgnitionError(result);
  // Keyed by future id, `<module>#<name>`.
  return Object.fromEntries(
    Object.entries(result.contracts).map(([id, c]) => [id.slice(id.indexOf("#") + 1), c.address]),
  );
}
