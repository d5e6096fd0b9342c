/**
 * `zkmargin deploy` in the SDK: the contracts (module `ZkMargin`) and then each policy (module
 * `ZkMarginPolicy_<id>`), through Hardhat Ignition against a JSON-RPC node, each step signed by
 * the role that may take it, and the deployment file that records the result. Verifiers are
 * proposed with the contracts and approved by the first policy on them once the registry's
 * approval delay has passed ({@link verifierApprovals}, {@link VerifierApprovalPendingError}).
 */
import { JsonRpcProvider, getAddress, type HDNodeWallet, type Wallet } from "ethers";
import { attach, DEFAULT_ADMIN_DELAY, DEFAULT_VERIFIER_APPROVAL_DELAY } from "../chain/deploy";
import { nextBlockTime } from "../chain/clock";
import { policyIdOf, readVerifierApproval, verifierCodeHash } from "../chain/policy";
import { policyCommitmentOf } from "../commitments";
import { loadInstances } from "../encoding/instances";
import { InputError } from "../errors";
import type { Policy } from "../inputs";
import { feedIdOf } from "../layout";
import { readManifest } from "../setup/manifest";
import { signingProvider } from "./eip1193";
import { DEPLOYMENT_FILE_VERSION, type Deployment } from "./file";
import { approvalModule, contractsModule, policyModule, runModule } from "./ignition";
import { verifierContractName } from "../setup/paths";
import { seconds, unixTime } from "../time";

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
  /** PolicyRegistry's delay between a verifier's proposal and its approval (default 2 days). */
  verifierApprovalDelay?: bigint;
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

/** A verifier's proposal on chain: its code hash and when it is (or became) approvable. */
export interface VerifierApprovalState {
  instance: string;
  address: string;
  codeHash: string;
  /** The first block time at which the default admin can approve it (0n: never proposed). */
  effectiveAt: bigint;
  approved: boolean;
  /** The earliest time of the next block when read ({@link nextBlockTime}). */
  chainTime: bigint;
}

/** Reads the proposal and approval of each verifier of `deployment` from its chain. */
export async function verifierApprovals(
  rpc: string,
  deployment: Pick<Deployment, "chainId" | "contracts" | "verifiers">,
): Promise<VerifierApprovalState[]> {
  const provider = new JsonRpcProvider(rpc, BigInt(deployment.chainId), { staticNetwork: true });
  try {
    const registry = attach("PolicyRegistry", deployment.contracts.policyRegistry, provider);
    const chainTime = await nextBlockTime(provider);
    const states: VerifierApprovalState[] = [];
    for (const [instance, verifier] of Object.entries(deployment.verifiers)) {
      const codeHash = await verifierCodeHash(provider, verifier.address);
      const approval = await readVerifierApproval(registry, codeHash);
      states.push({
        instance,
        address: verifier.address,
        codeHash,
        effectiveAt: approval.effectiveAt,
        approved: approval.approved,
        chainTime,
      });
    }
    return states;
  } finally {
    provider.destroy();
  }
}

/**
 * `deploy policy` before the verifier's approval is effective: the proposal can be approved (and
 * the policy registered) from `effectiveAt` on, by the chain's clock.
 */
export class VerifierApprovalPendingError extends Error {
  constructor(
    readonly instance: string,
    readonly verifier: string,
    readonly effectiveAt: bigint,
    readonly chainTime: bigint,
  ) {
    super(
      `the verifier of instance "${instance}" (${verifier}) can be approved from ` +
        `${unixTime(effectiveAt)} by the chain's clock, ${seconds(effectiveAt - chainTime)} from ` +
        "now: run `zkmargin deploy policy` " +
        "again after it (the approval delay lets anyone audit the proposed code first)",
    );
    this.name = "VerifierApprovalPendingError";
  }
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
      verifierApprovalDelay: options.verifierApprovalDelay ?? DEFAULT_VERIFIER_APPROVAL_DELAY,
      admin,
      deployer,
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
      publishers: {},
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
  /** Granted `publisherRole(feed)` of the policy's feed by the default admin (default: none). */
  publishers?: readonly string[];
  /**
   * The policy admin signs the registration; the custodian admin adds custodians; the default
   * admin approves the verifier (when its proposal is effective and not yet approved) and grants
   * the venue and publisher roles.
   */
  signers: { policyAdmin: AnyWallet; custodianAdmin?: AnyWallet; admin?: AnyWallet };
  journalDir: string;
  confirmations?: number;
  /**
   * Waits for a verifier proposal that becomes approvable within this many seconds instead of
   * refusing (default {@link SHORT_APPROVAL_WAIT_SECONDS}); a longer wait is refused.
   */
  maxApprovalWaitSeconds?: number;
  /** Told before such a wait, with the seconds it lasts. */
  onApprovalWait?: (seconds: bigint, effectiveAt: bigint) => void;
}

/** How long `deployPolicy` waits by itself for a proposal that is about to become approvable. */
export const SHORT_APPROVAL_WAIT_SECONDS = 30;

/**
 * Registers a policy (approving its verifier first when needed; custodians, venues, the feed's
 * publishers) and returns the deployment with it recorded. Throws
 * {@link VerifierApprovalPendingError} while the verifier's proposal is not yet effective (after
 * waiting for one that becomes so within `maxApprovalWaitSeconds`).
 */
export async function deployPolicy(options: DeployPolicyOptions): Promise<Deployment> {
  const { deployment, file, policy, instance } = options;
  const publishers = (options.publishers ?? []).map((a) => getAddress(a));
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
  if (publishers.length > 0 && signers.admin === undefined) {
    throw new InputError("command line", "--publisher", "needs the default admin's key");
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
  const approval = (await verifierApprovals(options.rpc, deployment)).find(
    (state) => state.instance === instance,
  );
  if (approval === undefined || approval.effectiveAt === 0n) {
    throw new InputError(
      file,
      `verifiers.${instance}`,
      `${verifier.address} is not proposed on PolicyRegistry (never, or withdrawn): the default admin proposes it first`,
    );
  }
  const wait = approval.effectiveAt - approval.chainTime;
  if (
    !approval.approved &&
    wait > 0n &&
    wait <= BigInt(options.maxApprovalWaitSeconds ?? SHORT_APPROVAL_WAIT_SECONDS)
  ) {
    options.onApprovalWait?.(wait, approval.effectiveAt);
    // One second more: the next block must carry a time at or after effectiveAt.
    await new Promise((resolve) => setTimeout(resolve, Number(wait + 1n) * 1000));
  } else if (!approval.approved && wait > 0n) {
    throw new VerifierApprovalPendingError(
      instance,
      verifier.address,
      approval.effectiveAt,
      approval.chainTime,
    );
  }
  if (!approval.approved && signers.admin === undefined) {
    throw new InputError(
      "command line",
      "--admin-keystore",
      `the default admin's key is needed to approve the verifier of instance "${instance}" (its proposal is effective)`,
    );
  }
  const journal = {
    journalDir: options.journalDir,
    ...(options.confirmations !== undefined ? { confirmations: options.confirmations } : {}),
  };
  if (!approval.approved && signers.admin !== undefined) {
    await runModule(
      provider,
      approvalModule({
        key: instance.replace(/[^A-Za-z0-9_]/g, "_"),
        policyRegistry: deployment.contracts.policyRegistry,
        codeHash: approval.codeHash,
        admin: getAddress(signers.admin.address),
      }),
      journal,
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
      marketBook: deployment.contracts.marketBook,
      publishers,
      ...(signers.admin ? { admin: getAddress(signers.admin.address) } : {}),
    }),
    journal,
  );
  const feedPublishers = [
    ...new Set([...(deployment.roles.publishers[feed] ?? []), ...publishers]),
  ];
  return {
    ...deployment,
    roles: {
      ...deployment.roles,
      publishers: { ...deployment.roles.publishers, [feed]: feedPublishers },
    },
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
