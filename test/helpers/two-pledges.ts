/**
 * A venue whose holder's collateral sits with two custodians ({@link deployTwoCustodianVenue}, the
 * `demo` instance, C = 2) and a custodian's pledge of a slot ({@link pledgeSlot}), shared by
 * test/pledges.e2e.test.ts; and on it, for the views that read them back (`inspect`, `audit
 * chain`, the verify page), a chain holding single and batched submissions of real two-pledge
 * proofs ({@link twoPledgeStory}): the example's collateral pledged by custodian A and its
 * positions by custodian B, then
 * - a `prove` transaction of the holder's proof of nonce 1 with both pledges, and
 * - a `proveBatch` transaction of three relayed items: the proof of nonce 2 with an expired
 *   pledge (skipped, PledgeExpired), the same proof with both pledges valid (accepted), and that
 *   item again (skipped, NonceNotIncreasing).
 * Works on Hardhat's in-process network and on a `hardhat node` alike.
 */
import path from "node:path";
import type { Provider, Signer, TypedDataDomain } from "ethers";
import {
  proveRequestOf,
  readMarginRegistryDomain,
  readPledgeTerms,
  signPledge,
  signProveRequest,
  submitProof,
  submitProofBatch,
  toSolidityProof,
  type RelayedSubmission,
  type SignedPledge,
} from "../../prover/src/chain";
import { deployVenue, type DemoVenue } from "../../prover/src/demo/deployment";
import { loadInstances } from "../../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio } from "../../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../../prover/src/inputs";
import {
  decodePublicSignals,
  generateProof,
  pledgeOpening,
  signedPledgeOf,
  type MarginProof,
  type PledgeFile,
} from "../../prover/src/proving";
import { readManifest } from "../../prover/src/setup/manifest";

const EXAMPLES = path.resolve(__dirname, "..", "..", "examples", "small");
const INSTANCE = "demo";
const DAY = 86_400n;

/** One proof of the sum with each custodian's pledge of its own sub-portfolio. */
export interface PledgedProof {
  proved: MarginProof;
  nonce: bigint;
  commitments: bigint[];
  /** pledge.json of each slot, as `zkmargin attest` writes them. */
  files: PledgeFile[];
  pledges: SignedPledge[];
}

/** What the story left on the chain. */
export interface TwoPledgeStory {
  venue: DemoVenue;
  policy: Policy;
  market: Market;
  holder: Signer;
  /** Custodian A (slot 1, the collateral) and custodian B (slot 2, the positions). */
  custodians: [Signer, Signer];
  domain: TypedDataDomain;
  /** Nonce 1, submitted with `prove` (`proveTx`); nonce 2, accepted as item 1 of `batchTx`. */
  first: PledgedProof;
  second: PledgedProof;
  proveTx: string;
  batchTx: string;
}

async function latest(provider: Provider): Promise<bigint> {
  return BigInt((await provider.getBlock("latest"))!.timestamp);
}

/**
 * A fresh venue on the `demo` instance (C = 2) whose holder's example portfolio is split between
 * two custodians: custodian A holds the collateral (slot 1), custodian B the positions (slot 2).
 */
export interface TwoCustodianVenue {
  venue: DemoVenue;
  policy: Policy;
  /** The example's round, stamped a minute before the chain's clock at deployment. */
  market: Market;
  /** The example's whole portfolio, and its two sub-portfolios (collateral, positions). */
  whole: Portfolio;
  pieces: [Portfolio, Portfolio];
  /** The signer of the example's account. */
  holder: Signer;
  /** Custodian A (slot 1) and custodian B (slot 2), both registered at the venue. */
  custodians: [Signer, Signer];
  /** An account with no role at the venue (a relayer, an attacker). */
  stranger: Signer;
  domain: TypedDataDomain;
  provider: Provider;
}

/** Deploys {@link TwoCustodianVenue} with `signers`, one of which holds the example's account. */
export async function deployTwoCustodianVenue(
  signers: readonly Signer[],
  provider: Provider,
): Promise<TwoCustodianVenue> {
  const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
  const whole: Portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
  const addresses = await Promise.all(signers.map((s) => s.getAddress()));
  const holder = signers[addresses.indexOf(whole.account)];
  if (holder === undefined) throw new Error(`no signer holds the example's ${whole.account}`);
  const others = signers.filter((_, i) => addresses[i] !== whole.account);
  const [admin, publisher, policyAdmin, custodianAdmin, stranger] = others;
  const custodians: [Signer, Signer] = [others[5], others[6]];
  const market: Market = {
    ...loadMarket(path.join(EXAMPLES, "market.json")),
    timestamp: (await latest(provider)) - 60n,
  };
  const venue = await deployVenue(
    { admin, publisher, policyAdmin, custodianAdmin, custodian: custodians[0], stranger },
    {
      policy,
      market,
      instance: INSTANCE,
      dims: loadInstances()[INSTANCE],
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      maxRoundAge: DAY,
      supersededGrace: 300n,
      moreCustodians: [custodians[1]],
    },
  );
  return {
    venue,
    policy,
    market,
    whole,
    pieces: [
      { ...whole, perps: new Map(), options: new Map() },
      { ...whole, collateral: new Map() },
    ],
    holder,
    custodians,
    stranger,
    domain: await readMarginRegistryDomain(venue.marginRegistry.contract),
    provider,
  };
}

/**
 * `custodian`'s pledge (default: the slot's own) of slot `slot` (from 0) of `proved`, checked
 * against `records` (default: that slot's sub-portfolio), issued at the chain's clock, valid a day.
 */
export async function pledgeSlot(
  v: TwoCustodianVenue,
  proved: MarginProof,
  slot: number,
  custodian: Signer = v.custodians[slot],
  records: Portfolio = v.pieces[slot],
): Promise<PledgeFile> {
  const issuedAt = await latest(v.provider);
  return pledgeOpening({
    opening: proved.openings[slot],
    records,
    policy: v.policy,
    market: v.market,
    signer: custodian,
    domain: v.domain,
    venue: v.venue.venue,
    terms: await readPledgeTerms(
      v.venue.marginRegistry.contract,
      await custodian.getAddress(),
      v.whole.account,
      v.venue.venue,
    ),
    issuedAt,
    validUntil: issuedAt + DAY,
    files: { opening: `opening-${slot + 1}.json`, records: `records-${slot + 1}.json` },
  });
}

/** Runs the story (see the module comment) with `signers`, one of which holds the example's account. */
export async function twoPledgeStory(
  signers: readonly Signer[],
  provider: Provider,
): Promise<TwoPledgeStory> {
  const world = await deployTwoCustodianVenue(signers, provider);
  const { venue, policy, market, whole, pieces, holder, custodians, domain } = world;
  const registry = venue.marginRegistry.contract;
  const relayer = world.stranger;

  const pledged = async (nonce: bigint): Promise<PledgedProof> => {
    const proved = await generateProof({ policy, market, portfolio: pieces, nonce });
    if (proved.instance !== INSTANCE) throw new Error(`proved on ${proved.instance}, not demo`);
    const files: PledgeFile[] = [];
    for (const slot of custodians.keys()) files.push(await pledgeSlot(world, proved, slot));
    return {
      proved,
      nonce,
      commitments: decodePublicSignals(proved.publicSignals).portfolioCommitments,
      files,
      pledges: files.map(signedPledgeOf),
    };
  };
  const first = await pledged(1n);
  const second = await pledged(2n);

  const proveTx = await submitProof(venue.registryAs(holder), {
    policyId: venue.policyId,
    round: market.round,
    nonce: first.nonce,
    portfolioCommitments: first.commitments,
    proof: toSolidityProof(first.proved.proof),
    pledges: first.pledges,
  });

  // Custodian A's pledge of the second proof's slot 1, expired a second before the batch.
  const now = await latest(provider);
  const expired = await signPledge(custodians[0], domain, {
    custodian: await custodians[0].getAddress(),
    ...(await readPledgeTerms(
      registry,
      await custodians[0].getAddress(),
      whole.account,
      venue.venue,
    )),
    account: whole.account,
    venue: venue.venue,
    portfolioCommitment: second.commitments[0],
    issuedAt: now - 100n,
    validUntil: now - 1n,
  });
  const relayed = async (pledges: SignedPledge[]): Promise<RelayedSubmission> => {
    const submission = {
      account: whole.account,
      policyId: venue.policyId,
      round: market.round,
      nonce: second.nonce,
      deadline: now + DAY,
      portfolioCommitments: second.commitments,
      proof: toSolidityProof(second.proved.proof),
      pledges,
    };
    const request = proveRequestOf(submission, venue.venue);
    return { ...submission, accountSignature: await signProveRequest(holder, domain, request) };
  };
  const good = await relayed(second.pledges);
  const { receipt } = await submitProofBatch(venue.registryAs(relayer), [
    await relayed([expired, second.pledges[1]]),
    good,
    good,
  ]);
  return {
    venue,
    policy,
    market,
    holder,
    custodians,
    domain,
    first,
    second,
    proveTx: proveTx.hash,
    batchTx: receipt.hash,
  };
}
