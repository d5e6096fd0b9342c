/**
 * The demo's deployment: the contracts with every role held by its own account, the verifier
 * proposed and approved after its delay (the development chain's clock moved past it), the
 * venue's policy registered on its layout's feed, a custodian added, and the publisher's rounds.
 */
import type { Contract, Signer } from "ethers";
import {
  addCustodian,
  approveVerifier,
  deployVerifier,
  deployZkMargin,
  grantPublisher,
  grantVenue,
  latestBlockTime,
  policyIdOf,
  postRound,
  proposeVerifier,
  readVerifierApproval,
  registerPolicy,
  venueIdOf,
  verifierCodeHash,
  type ZkMarginDeployment,
} from "../chain";
import { policyCommitmentOf, publicCommitments } from "../commitments";
import { DEPLOYMENT_FILE_VERSION, type Deployment } from "../deployment";
import type { InstanceDims } from "../encoding/instances";
import type { Market, Policy } from "../inputs";
import { feedIdOf } from "../layout";
import { advanceDevChainTime } from "./steps";

/**
 * The demo's verifier approval delay: one minute, so that moving the development chain's clock
 * past it leaves the rounds the demo stamped before within their maximum age (a real deployment
 * takes two days: `DEFAULT_VERIFIER_APPROVAL_DELAY`).
 */
export const DEMO_VERIFIER_APPROVAL_DELAY = 60n;

/**
 * On a development chain: proposes `verifier` as the default admin (`policyRegistry`'s runner),
 * moves the clock to the proposal's effective time and approves it. Returns its code hash.
 */
export async function approveVerifierOnDevChain(
  policyRegistry: Contract,
  verifier: string,
): Promise<string> {
  const provider = policyRegistry.runner?.provider;
  if (!provider) throw new Error("the policy registry's runner has no provider");
  const codeHash = await verifierCodeHash(provider, verifier);
  await proposeVerifier(policyRegistry, verifier);
  const { effectiveAt } = await readVerifierApproval(policyRegistry, codeHash);
  const wait = effectiveAt - (await latestBlockTime(provider));
  if (wait > 0n) await advanceDevChainTime(provider, wait);
  await approveVerifier(policyRegistry, codeHash);
  return codeHash;
}
/** Who does what in the demo: one account per role. */
export interface DemoRoles {
  admin: Signer;
  publisher: Signer;
  policyAdmin: Signer;
  custodianAdmin: Signer;
  custodian: Signer;
  stranger: Signer;
  /** Holds the policy's venue role: calls margin (none: nobody may). */
  venue?: Signer;
}

/** The demo's accounts, by role, out of the chain's unlocked signers (the holder excluded). */
export async function assignRoles(signers: Signer[], holder: string): Promise<Required<DemoRoles>> {
  const others: Signer[] = [];
  for (const signer of signers) {
    if ((await signer.getAddress()) !== holder) others.push(signer);
  }
  if (others.length < 7) {
    throw new Error("the demo needs 7 unlocked accounts besides the holder's");
  }
  const [admin, custodian, stranger, publisher, policyAdmin, custodianAdmin, venue] = others;
  return { admin, publisher, policyAdmin, custodianAdmin, custodian, stranger, venue };
}

/** The demo's venue id: its policies share it, and its custodians pledge to it. */
export const DEMO_VENUE = venueIdOf("zkmargin demo venue");

/** A deployed and configured demo venue. */
export interface DemoVenue extends ZkMarginDeployment {
  verifier: string;
  policyId: string;
  /** The policy's venue id (bytes32): the custodian is registered, and pledges, there. */
  venue: string;
  /** The policy's MarketBook feed (its layout id). */
  feed: string;
  /** The registry as each role sees it. */
  registryAs(signer: Signer): Contract;
}

/** Options of {@link deployVenue}. */
export interface VenueOptions {
  policy: Policy;
  market: Market;
  instance: string;
  dims: InstanceDims;
  verificationKeyHash: string;
  maxRoundAge: bigint;
  supersededGrace: bigint;
  /** Seconds an account has to answer a margin call (default 0: no margin calls). */
  cureWindow?: bigint;
  /** The policy's venue id (default {@link DEMO_VENUE}). */
  venue?: string;
  /**
   * A verifier already deployed for the policy (default: the instance's generated verifier,
   * deployed here); it is proposed and approved all the same.
   */
  verifier?: string;
  /** Custodians registered at the venue besides `roles.custodian` (default: none). */
  moreCustodians?: readonly Signer[];
}

/**
 * Deploys the verifier and the contracts (roles granted to separate accounts), approves the
 * verifier (proposed, then approved after {@link DEMO_VERIFIER_APPROVAL_DELAY}: the chain's clock
 * is moved past it), grants the policy's feed to the publisher, posts the first round, registers
 * the policy on its feed (at `options.venue`, default {@link DEMO_VENUE}) and registers the
 * custodian (and `options.moreCustodians`) at the venue: the commitments are computed from the
 * public files alone, as the publisher and governance would.
 */
export async function deployVenue(roles: DemoRoles, options: VenueOptions): Promise<DemoVenue> {
  const verifier =
    options.verifier !== undefined
      ? { address: options.verifier }
      : await deployVerifier(roles.admin, options.instance);
  const deployment = await deployZkMargin(roles.admin, {
    verifierApprovalDelay: DEMO_VERIFIER_APPROVAL_DELAY,
    roles: {
      policyAdmins: [await roles.policyAdmin.getAddress()],
      custodianAdmins: [await roles.custodianAdmin.getAddress()],
    },
  });
  // The admin proposes the verifier's code (its key hash read from it) and approves it after the
  // delay; the policy admin alone could not point a policy at any other contract.
  await approveVerifierOnDevChain(deployment.policyRegistry.contract, verifier.address);
  const published = await publicCommitments({
    policy: options.policy,
    market: options.market,
    instance: options.dims,
  });
  const feed = feedIdOf(published.layoutId);
  // Publishing is per feed: the admin grants this feed to the publisher.
  await grantPublisher(deployment.marketBook.contract, feed, await roles.publisher.getAddress());
  await postRound(deployment.marketBook.contract.connect(roles.publisher) as Contract, {
    feed,
    round: options.market.round,
    timestamp: options.market.timestamp,
    commitment: published.market,
  });
  const policyId = policyIdOf(options.policy.id);
  const venue = options.venue ?? DEMO_VENUE;
  await registerPolicy(deployment.policyRegistry.contract.connect(roles.policyAdmin) as Contract, {
    policyId,
    commitment: published.policy,
    mode: options.policy.mode,
    verifier: verifier.address,
    verificationKeyHash: options.verificationKeyHash,
    feed,
    venue,
    maxRoundAge: options.maxRoundAge,
    supersededGrace: options.supersededGrace,
    cureWindow: options.cureWindow ?? 0n,
  });
  // The admin grants the venue its role for this policy: it may call margin on its accounts.
  if (roles.venue !== undefined) {
    await grantVenue(deployment.policyRegistry.contract, policyId, await roles.venue.getAddress());
  }
  const asCustodianAdmin = deployment.policyRegistry.contract.connect(
    roles.custodianAdmin,
  ) as Contract;
  for (const custodian of [roles.custodian, ...(options.moreCustodians ?? [])]) {
    await addCustodian(asCustodianAdmin, venue, await custodian.getAddress());
  }
  return {
    ...deployment,
    verifier: verifier.address,
    policyId,
    venue,
    feed,
    registryAs: (signer) => deployment.marginRegistry.contract.connect(signer) as Contract,
  };
}

/**
 * The publisher's next round: every price moved by `movePpm` (e.g. -30_000n for -3 %), the round
 * number one up, stamped `timestamp`; option quotes unchanged.
 */
export function nextRound(market: Market, movePpm: bigint, timestamp: bigint): Market {
  const prices = new Map(
    [...market.prices].map(([symbol, price]) => [
      symbol,
      (price * (1_000_000n + movePpm)) / 1_000_000n,
    ]),
  );
  return { ...market, round: market.round + 1n, timestamp, prices };
}

/** Posts `market` to the venue's feed as the publisher, with its commitment for `dims`. */
export async function publishRound(
  venue: DemoVenue,
  publisher: Signer,
  policy: Policy,
  market: Market,
  dims: InstanceDims,
): Promise<void> {
  const published = await publicCommitments({ policy, market, instance: dims });
  await postRound(venue.marketBook.contract.connect(publisher) as Contract, {
    feed: venue.feed,
    round: market.round,
    timestamp: market.timestamp,
    commitment: published.market,
  });
}

/**
 * The deployment file of a demo venue (what `zkmargin deploy` would have written), so the demo's
 * watcher reads the venue as an institution's watcher reads a real deployment.
 */
export async function venueDeployment(
  venue: DemoVenue,
  roles: DemoRoles,
  options: VenueOptions & { document: unknown; chainId: bigint },
): Promise<Deployment> {
  const { layoutId, policy: commitment } = await policyCommitmentOf(options.policy, options.dims);
  const address = (signer: Signer) => signer.getAddress();
  return {
    version: DEPLOYMENT_FILE_VERSION,
    chainId: options.chainId.toString(),
    startBlock: 0,
    contracts: {
      marketBook: venue.marketBook.address,
      policyRegistry: venue.policyRegistry.address,
      marginRegistry: venue.marginRegistry.address,
    },
    roles: {
      admin: await address(roles.admin),
      publishers: { [feedIdOf(layoutId)]: [await address(roles.publisher)] },
      policyAdmins: [await address(roles.policyAdmin)],
      custodianAdmins: [await address(roles.custodianAdmin)],
    },
    verifiers: {
      [options.instance]: {
        address: venue.verifier,
        verificationKeyHash: options.verificationKeyHash,
      },
    },
    policies: {
      [options.policy.id]: {
        policyId: venue.policyId,
        instance: options.instance,
        feed: feedIdOf(layoutId),
        commitment: commitment.toString(),
        mode: options.policy.mode,
        verifier: venue.verifier,
        verificationKeyHash: options.verificationKeyHash,
        maxRoundAge: options.maxRoundAge.toString(),
        supersededGrace: options.supersededGrace.toString(),
        cureWindow: (options.cureWindow ?? 0n).toString(),
        venue: venue.venue.toLowerCase(),
        requiresPledges: true,
        custodians: [await address(roles.custodian)],
        venues: roles.venue !== undefined ? [await address(roles.venue)] : [],
        document: options.document,
      },
    },
  };
}
