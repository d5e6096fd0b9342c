/**
 * A chain holding single and batched submissions of real two-pledge proofs (the `demo` instance,
 * C = 2), for the views that read them back (`inspect`, `audit chain`, the verify page): the
 * example's collateral pledged by custodian A and its positions by custodian B (as
 * test/pledges.e2e.test.ts splits them), then
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

/** Runs the story (see the module comment) with `signers`, one of which holds the example's account. */
export async function twoPledgeStory(
  signers: readonly Signer[],
  provider: Provider,
): Promise<TwoPledgeStory> {
  const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
  const whole: Portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
  const addresses = await Promise.all(signers.map((s) => s.getAddress()));
  const holder = signers[addresses.indexOf(whole.account)];
  if (holder === undefined) throw new Error(`no signer holds the example's ${whole.account}`);
  const others = signers.filter((_, i) => addresses[i] !== whole.account);
  const [admin, publisher, policyAdmin, custodianAdmin, relayer] = others;
  const custodians: [Signer, Signer] = [others[5], others[6]];
  const pieces: Portfolio[] = [
    { ...whole, perps: new Map(), options: new Map() },
    { ...whole, collateral: new Map() },
  ];
  const market: Market = {
    ...loadMarket(path.join(EXAMPLES, "market.json")),
    timestamp: (await latest(provider)) - 60n,
  };
  const venue = await deployVenue(
    { admin, publisher, policyAdmin, custodianAdmin, custodian: custodians[0], stranger: relayer },
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
  const registry = venue.marginRegistry.contract;
  const domain = await readMarginRegistryDomain(registry);

  const pledged = async (nonce: bigint): Promise<PledgedProof> => {
    const proved = await generateProof({ policy, market, portfolio: pieces, nonce });
    if (proved.instance !== INSTANCE) throw new Error(`proved on ${proved.instance}, not demo`);
    const files: PledgeFile[] = [];
    for (const [slot, custodian] of custodians.entries()) {
      const issuedAt = await latest(provider);
      files.push(
        await pledgeOpening({
          opening: proved.openings[slot],
          records: pieces[slot],
          policy,
          market,
          signer: custodian,
          domain,
          venue: venue.venue,
          terms: await readPledgeTerms(
            registry,
            await custodian.getAddress(),
            whole.account,
            venue.venue,
          ),
          issuedAt,
          validUntil: issuedAt + DAY,
          files: { opening: `opening-${slot + 1}.json`, records: `records-${slot + 1}.json` },
        }),
      );
    }
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
