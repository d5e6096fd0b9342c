/**
 * `zkmargin deploy` in the SDK: the contracts (module `ZkMargin`) and then each policy (module
 * `ZkMarginPolicy_<id>`), through Hardhat Ignition against a JSON-RPC node, each step signed by
 * the role that may take it, and the deployment file that records the result.
 */
import { getAddress, type HDNodeWallet, type Wallet } from "ethers";
import { DEFAULT_ADMIN_DELAY } from "../chain/deploy";
import { policyIdOf } from "../chain/policy";
import { policyCommitmentOf } from "../commitments";
import { loadInstances } from "../encoding/instances";
import { InputError } from "../errors";
import type { Policy } from "../inputs";
import { feedIdOf } from "../layout";
import { readManifest } from "../setup/manifest";
import { signingProvider } from "./eip1193";
import { DEPLOYMENT_FILE_VERSION, type Deployment } from "./file";
import { contractsModule, policyModule, runModule } from "./ignition";
import { verifierContractName } from "../setup/paths";

type AnyWallet = Wallet | HDNodeWallet;

/** Options of {@link deployContracts}. */
export interface DeployContractsOptions {
  rpc: string;
  /** Signs every deployment transaction; the initial default admin. */
  deployer: AnyWallet;
  /** Circuit instances whose verifiers to deploy and approve (set up locally, in the manifest). */
  instances: readonly string[];
  /** The final default admin (default: the deployer); a delayed two-step transfer is begun. */
  admin?: string;
  adminDelay?: bigint;
  publishers: readonly string[];
  policyAdmins: readonly string[];
  custodianAdmins: readonly string[];
  /** Ignition's journal folder (resume an interrupted deployment by running again). */
  journalDir: string;
  /** Confirmations Ignition waits for on a chain that does not automine (default Ignition's 5). */
  confirmations?: number;
}

async function rpcNumber(
  provider: { request(a: { method: string }): Promise<unknown> },
  method: string,
) {
  return BigInt(String(await provider.request({ method })));
}

/** Deploys and wires the contracts; returns the deployment (no policy yet). */
export async function deployContracts(options: DeployContractsOptions): Promise<Deployment> {
  const manifest = readManifest();
  for (const instance of options.instances) {
    if (manifest.instances[instance] === undefined) {
      throw new InputError(
        "command line",
        "--instance",
        `"${instance}" is not set up (run zkmargin setup)`,
      );
    }
  }
  const provider = signingProvider(options.rpc, [options.deployer]);
  const chainId = await rpcNumber(provider, "eth_chainId");
  const startBlock = Number(await rpcNumber(provider, "eth_blockNumber")) + 1;
  const deployer = getAddress(options.deployer.address);
  const admin = getAddress(options.admin ?? deployer);
  const contracts = await runModule(
    provider,
    contractsModule({
      instances: options.instances,
      adminDelay: options.adminDelay ?? DEFAULT_ADMIN_DELAY,
      admin,
      deployer,
      publishers: options.publishers,
      policyAdmins: options.policyAdmins,
      custodianAdmins: options.custodianAdmins,
    }),
    {
      journalDir: options.journalDir,
      instances: options.instances,
      ...(options.confirmations !== undefined ? { confirmations: options.confirmations } : {}),
    },
  );
  return {
    version: DEPLOYMENT_FILE_VERSION,
    chainId: chainId.toString(),
    startBlock,
    contracts: {
      marketBook: getAddress(contracts.MarketBook),
      policyRegistry: getAddress(contracts.PolicyRegistry),
      marginRegistry: getAddress(contracts.MarginRegistry),
    },
    roles: {
      admin,
      publishers: options.publishers.map((a) => getAddress(a)),
      policyAdmins: options.policyAdmins.map((a) => getAddress(a)),
      custodianAdmins: options.custodianAdmins.map((a) => getAddress(a)),
    },
    verifiers: Object.fromEntries(
      options.instances.map((instance) => [
        instance,
        {
          address: getAddress(contracts[verifierContractName(instance)]),
          verificationKeyHash: manifest.instances[instance].vkeyHash,
        },
      ]),
    ),
    policies: {},
  };
}

/** Options of {@link deployPolicy}. */
export interface DeployPolicyOptions {
  rpc: string;
  deployment: Deployment;
  /** The deployment file's name, for errors. */
  file: string;
  policy: Policy;
  /** The policy.json document as read (public), recorded in the deployment file. */
  document: unknown;
  instance: string;
  maxRoundAge: bigint;
  supersededGrace: bigint;
  cureWindow: bigint;
  requiresAttestation: boolean;
  custodians: readonly string[];
  venues: readonly string[];
  /** The policy admin signs the registration; the custodian admin and the admin when needed. */
  signers: { policyAdmin: AnyWallet; custodianAdmin?: AnyWallet; admin?: AnyWallet };
  journalDir: string;
  confirmations?: number;
}

/** Registers a policy (custodians, venues) and returns the deployment with it recorded. */
export async function deployPolicy(options: DeployPolicyOptions): Promise<Deployment> {
  const { deployment, file, policy, instance } = options;
  const verifier = deployment.verifiers[instance];
  if (verifier === undefined) {
    throw new InputError(file, "verifiers", `has no verifier for instance "${instance}"`);
  }
  if (deployment.policies[policy.id] !== undefined) {
    throw new InputError(
      file,
      `policies.${policy.id}`,
      "is already registered (ids are never reused)",
    );
  }
  const dims = loadInstances()[instance];
  if (dims === undefined)
    throw new InputError("command line", "--instance", `unknown instance "${instance}"`);
  const { signers } = options;
  if (options.custodians.length > 0 && signers.custodianAdmin === undefined) {
    throw new InputError("command line", "--custodian", "needs the custodian admin's key");
  }
  if (options.venues.length > 0 && signers.admin === undefined) {
    throw new InputError("command line", "--venue", "needs the default admin's key");
  }
  const provider = signingProvider(
    options.rpc,
    [signers.policyAdmin, signers.custodianAdmin, signers.admin].filter(
      (w): w is AnyWallet => w !== undefined,
    ),
  );
  const chainId = await rpcNumber(provider, "eth_chainId");
  if (chainId.toString() !== deployment.chainId) {
    throw new InputError(
      file,
      "chainId",
      `is ${deployment.chainId} but the node's chain is ${chainId}`,
    );
  }
  const { layoutId, policy: commitment } = await policyCommitmentOf(policy, dims);
  const policyId = policyIdOf(policy.id);
  const feed = feedIdOf(layoutId);
  const params = {
    commitment,
    mode: policy.mode,
    verifier: verifier.address,
    verificationKeyHash: verifier.verificationKeyHash,
    feed,
    maxRoundAge: options.maxRoundAge,
    supersededGrace: options.supersededGrace,
    requiresAttestation: options.requiresAttestation,
    cureWindow: options.cureWindow,
  };
  await runModule(
    provider,
    policyModule({
      key: policy.id.replace(/[^A-Za-z0-9_]/g, "_"),
      policyRegistry: deployment.contracts.policyRegistry,
      policyId,
      params,
      policyAdmin: getAddress(signers.policyAdmin.address),
      custodians: options.custodians,
      ...(signers.custodianAdmin
        ? { custodianAdmin: getAddress(signers.custodianAdmin.address) }
        : {}),
      venues: options.venues,
      ...(signers.admin ? { admin: getAddress(signers.admin.address) } : {}),
    }),
    {
      journalDir: options.journalDir,
      ...(options.confirmations !== undefined ? { confirmations: options.confirmations } : {}),
    },
  );
  return {
    ...deployment,
    policies: {
      ...deployment.policies,
      [policy.id]: {
        policyId,
        instance,
        feed,
        commitment: commitment.toString(),
        mode: policy.mode,
        verifier: verifier.address,
        verificationKeyHash: verifier.verificationKeyHash,
        maxRoundAge: options.maxRoundAge.toString(),
        supersededGrace: options.supersededGrace.toString(),
        cureWindow: options.cureWindow.toString(),
        requiresAttestation: options.requiresAttestation,
        custodians: options.custodians.map((a) => getAddress(a)),
        venues: options.venues.map((a) => getAddress(a)),
        document: options.document,
      },
    },
  };
}
