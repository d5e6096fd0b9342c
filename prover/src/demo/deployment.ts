/**
 * The demo's deployment: the contracts with every role held by its own account, the venue's
 * policy registered on its layout's feed, a custodian added, and the publisher's rounds.
 */
import type { Contract, Signer } from "ethers";
import {
  addCustodian,
  approveVerifier,
  deployVerifier,
  deployZkMargin,
  policyIdOf,
  postRound,
  registerPolicy,
  type ZkMarginDeployment,
} from "../chain";
import { publicCommitments } from "../commitments";
import type { InstanceDims } from "../encoding/instances";
import type { Market, Policy } from "../inputs";
import { feedIdOf } from "../layout";

/** Who does what in the demo: one account per role. */
export interface DemoRoles {
  admin: Signer;
  publisher: Signer;
  policyAdmin: Signer;
  custodianAdmin: Signer;
  custodian: Signer;
  stranger: Signer;
}

/** The demo's accounts, by role, out of the chain's unlocked signers (the holder excluded). */
export async function assignRoles(signers: Signer[], holder: string): Promise<DemoRoles> {
  const others: Signer[] = [];
  for (const signer of signers) {
    if ((await signer.getAddress()) !== holder) others.push(signer);
  }
  if (others.length < 6) {
    throw new Error("the demo needs 6 unlocked accounts besides the holder's");
  }
  const [admin, custodian, stranger, publisher, policyAdmin, custodianAdmin] = others;
  return { admin, publisher, policyAdmin, custodianAdmin, custodian, stranger };
}

/** A deployed and configured demo venue. */
export interface DemoVenue extends ZkMarginDeployment {
  verifier: string;
  policyId: string;
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
}

/**
 * Deploys the verifier and the contracts (roles granted to separate accounts), posts the first
 * round, registers the policy on its feed and adds the custodian: the commitments are computed
 * from the public files alone, as the publisher and governance would.
 */
export async function deployVenue(roles: DemoRoles, options: VenueOptions): Promise<DemoVenue> {
  const verifier = await deployVerifier(roles.admin, options.instance);
  const deployment = await deployZkMargin(roles.admin, {
    roles: {
      publishers: [await roles.publisher.getAddress()],
      policyAdmins: [await roles.policyAdmin.getAddress()],
      custodianAdmins: [await roles.custodianAdmin.getAddress()],
    },
  });
  // The admin approves the verifier's code (its key hash read from it); the policy admin alone
  // could not point a policy at any other contract.
  await approveVerifier(deployment.policyRegistry.contract, verifier.address);
  const published = await publicCommitments({
    policy: options.policy,
    market: options.market,
    instance: options.dims,
  });
  const feed = feedIdOf(published.layoutId);
  await postRound(deployment.marketBook.contract.connect(roles.publisher) as Contract, {
    feed,
    round: options.market.round,
    timestamp: options.market.timestamp,
    commitment: published.market,
  });
  const policyId = policyIdOf(options.policy.id);
  await registerPolicy(deployment.policyRegistry.contract.connect(roles.policyAdmin) as Contract, {
    policyId,
    commitment: published.policy,
    mode: options.policy.mode,
    verifier: verifier.address,
    verificationKeyHash: options.verificationKeyHash,
    feed,
    maxRoundAge: options.maxRoundAge,
    supersededGrace: options.supersededGrace,
  });
  await addCustodian(
    deployment.policyRegistry.contract.connect(roles.custodianAdmin) as Contract,
    policyId,
    await roles.custodian.getAddress(),
  );
  return {
    ...deployment,
    verifier: verifier.address,
    policyId,
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
