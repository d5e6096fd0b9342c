/**
 * The contract tests' world: MarketBook, PolicyRegistry and MarginRegistry with stand-in
 * verifiers that accept exactly the (proof, public signals) pairs a test sets
 * (`ExpectedInputsVerifier`, one of 4 signals for C = 1 and one of 7 for C = 4), two venues, their
 * policies and custodians, and the steps the tests share: a custodian's pledge with the terms read
 * from the chain, a proof submitted with the verifier expecting exactly the signals the chain state
 * gives, a round posted. Shared by contracts.test.ts and pledges.test.ts.
 */
import { AbiCoder, keccak256 } from "ethers";
import type { Contract, ContractTransactionReceipt, Interface, Signer } from "ethers";
import type { TypedDataDomain } from "ethers";
import {
  addCustodian,
  deployArtifact,
  deployZkMargin,
  isMarginSufficient,
  loadArtifact,
  policyIdOf,
  postRound,
  proofFromCoordinates,
  readFeedHead,
  readMarginRegistryDomain,
  readPledgeTerms,
  registerPolicy,
  PLEDGE_TYPES,
  signPledge,
  signedPledge,
  submitProof,
  venueIdOf,
  type SignedPledge,
  type SolidityProof,
} from "../../prover/src/chain";
import { approveVerifierOnDevChain } from "../../prover/src/demo/deployment";
import { accountNonceOf } from "../../prover/src/encoding";
import { standInProofHash } from "../../prover/src/gas/stand-in";
import { feedIdOf } from "../../prover/src/layout";
import { compileContracts, hre, now, setNextTimestamp } from "../contracts.fixture";

export const HOUR = 3600n;
export const DAY = 24n * HOUR;
export const MAX_ROUND_AGE = HOUR;
/** Every setup policy's `supersededGrace`. */
export const GRACE = 600n;
/** Two slot layouts' feeds. */
export const FEED = feedIdOf(0xa11ce5n);
export const OTHER_FEED = feedIdOf(0xb0b5n);
/** Venue A, with three policies, and venue B, with one. */
export const VENUE = venueIdOf("venue A");
export const OTHER_VENUE = venueIdOf("venue B");
/** Venue A's maintenance and initial policies (one pledge slot each). */
export const POLICY = policyIdOf("desk-maintenance-v2");
export const OTHER_POLICY = policyIdOf("desk-initial-v2");
/** Venue A's policy on a circuit of four pledge slots. */
export const POLICY4 = policyIdOf("desk-four-custodians");
/** Venue B's policy (one pledge slot). */
export const POLICY_B = policyIdOf("venue-b-maintenance");
export const POLICY_COMMITMENT = 0x1234n;
export const OTHER_POLICY_COMMITMENT = 0x5678n;
export const POLICY4_COMMITMENT = 0x4444n;
export const POLICY_B_COMMITMENT = 0xbbbbn;
export const PORTFOLIO = 0x7777n;
/** The round posted to FEED at setup; the feed opens with it. */
export const ROUND = 1042n;
/** PolicyRegistry's verifier approval delay in these tests. */
export const APPROVAL_DELAY = DAY;

/** An arbitrary proof with every coordinate below q; only the stub verifier gives it meaning. */
export const PROOF: SolidityProof = proofFromCoordinates([11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n]);

/** What the stub verifier keys a proof by: keccak256 of its eight words. */
export const proofHash = standInProofHash;

/** The market commitment the tests post for `round` of `feed` (distinct per feed and round). */
export function market(round: bigint, feed: string = FEED): bigint {
  const encoded = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint64"], [feed, round]);
  return BigInt(keccak256(encoded)) >> 8n;
}

/**
 * A proof's public signals in the circuit's order, `[uint160(account) | nonce << 160,
 * marketCommitment, policyCommitment, portfolioCommitment_1 .. _C]`.
 */
export function signalsOf(
  account: string,
  nonce: bigint,
  commitments: { market: bigint; policy: bigint; portfolios: readonly bigint[] },
): bigint[] {
  return [
    accountNonceOf(account, nonce),
    commitments.market,
    commitments.policy,
    ...commitments.portfolios,
  ];
}

export interface World {
  admin: Signer;
  /** Publishes FEED and OTHER_FEED. */
  publisher: Signer;
  /** Publishes OTHER_FEED only: another feed's oracle, as far as FEED is concerned. */
  otherPublisher: Signer;
  policyAdmin: Signer;
  custodianAdmin: Signer;
  alice: Signer;
  bob: Signer;
  /** Registered at both venues. */
  custodian: Signer;
  /** custodian2..custodian4: registered at venue A only. */
  custodian2: Signer;
  custodian3: Signer;
  custodian4: Signer;
  stranger: Signer;
  marketBook: Contract;
  policyRegistry: Contract;
  marginRegistry: Contract;
  /** The stand-in verifier of 4 signals (C = 1). */
  verifier: Contract;
  /** The stand-in verifier of 7 signals (C = 4). */
  verifier4: Contract;
  vkHash: string;
  domain: TypedDataDomain;
  roundTimestamp: bigint;
  errors: Interface[];
}

/** The registered setup policies: commitment, venue, pledge slots. */
export const SETUP_POLICIES: Readonly<
  Record<string, { commitment: bigint; venue: string; slots: number }>
> = {
  [POLICY]: { commitment: POLICY_COMMITMENT, venue: VENUE, slots: 1 },
  [OTHER_POLICY]: { commitment: OTHER_POLICY_COMMITMENT, venue: VENUE, slots: 1 },
  [POLICY4]: { commitment: POLICY4_COMMITMENT, venue: VENUE, slots: 4 },
  [POLICY_B]: { commitment: POLICY_B_COMMITMENT, venue: OTHER_VENUE, slots: 1 },
};

/**
 * Deploys the world: the contracts (roles to separate accounts), the two stand-in verifiers
 * (approved after the delay, the chain's clock moved), ROUND on FEED, the four setup policies on
 * FEED, and the custodians (custodian at both venues, custodian2..4 at venue A).
 */
export async function deployWorld(): Promise<World> {
  await compileContracts();
  const [
    admin,
    publisher,
    policyAdmin,
    custodianAdmin,
    alice,
    bob,
    custodian,
    custodian2,
    stranger,
    otherPublisher,
    custodian3,
    custodian4,
  ] = await hre.ethers.getSigners();
  const d = await deployZkMargin(admin, {
    verifierApprovalDelay: APPROVAL_DELAY,
    roles: {
      publishers: {
        [FEED]: [await publisher.getAddress()],
        [OTHER_FEED]: [await publisher.getAddress(), await otherPublisher.getAddress()],
      },
      policyAdmins: [await policyAdmin.getAddress()],
      custodianAdmins: [await custodianAdmin.getAddress()],
    },
  });
  const artifact = loadArtifact("ExpectedInputsVerifier");
  const verifier = await deployArtifact(admin, artifact, [4n]);
  const verifier4 = await deployArtifact(admin, artifact, [7n]);
  const vkHash = (await verifier.contract.getFunction("verificationKeyHash")()) as string;
  // Each signal count is its own code: both are proposed, then approved once the delay has
  // passed (the test chain's clock is moved).
  await approveVerifierOnDevChain(d.policyRegistry.contract, verifier.address);
  await approveVerifierOnDevChain(d.policyRegistry.contract, verifier4.address);
  const roundTimestamp = (await now()) - 60n;
  await postRound(d.marketBook.contract.connect(publisher) as Contract, {
    feed: FEED,
    round: ROUND,
    timestamp: roundTimestamp,
    commitment: market(ROUND),
  });
  const asPolicyAdmin = d.policyRegistry.contract.connect(policyAdmin) as Contract;
  for (const [policyId, p] of Object.entries(SETUP_POLICIES)) {
    await registerPolicy(asPolicyAdmin, {
      policyId,
      commitment: p.commitment,
      mode: "maintenance",
      verifier: p.slots === 4 ? verifier4.address : verifier.address,
      verificationKeyHash: vkHash,
      feed: FEED,
      venue: p.venue,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: GRACE,
    });
  }
  const asCustodianAdmin = d.policyRegistry.contract.connect(custodianAdmin) as Contract;
  for (const c of [custodian, custodian2, custodian3, custodian4]) {
    await addCustodian(asCustodianAdmin, VENUE, await c.getAddress());
  }
  await addCustodian(asCustodianAdmin, OTHER_VENUE, await custodian.getAddress());
  const marginRegistry = d.marginRegistry.contract;
  return {
    admin,
    publisher,
    otherPublisher,
    policyAdmin,
    custodianAdmin,
    alice,
    bob,
    custodian,
    custodian2,
    custodian3,
    custodian4,
    stranger,
    marketBook: d.marketBook.contract,
    policyRegistry: d.policyRegistry.contract,
    marginRegistry,
    verifier: verifier.contract,
    verifier4: verifier4.contract,
    vkHash,
    domain: await readMarginRegistryDomain(marginRegistry),
    roundTimestamp,
    errors: [
      d.marginRegistry.contract.interface,
      d.policyRegistry.contract.interface,
      d.marketBook.contract.interface,
    ],
  };
}

/** What {@link pledgeOf} signs; defaults: the custodian, PORTFOLIO, venue A, issued now, a day. */
export interface PledgeOptions {
  signer?: Signer;
  /**
   * The custodian the pledge names, when not the signer's address: an ERC-1271 contract whose
   * owner `signer` is (or an impostor's pledge in another custodian's name).
   */
  custodian?: string;
  portfolio?: bigint;
  venue?: string;
  issuedAt?: bigint;
  validUntil?: bigint;
  /** Default: the custodian's current registration at the venue (read from the chain). */
  registration?: bigint;
  /** Default: the custodian's current epoch for the account and venue (read from the chain). */
  epoch?: bigint;
}

/** A custodian's pledge of a commitment for `account`, under the chain's current terms. */
export async function pledgeOf(
  w: World,
  account: Signer | string,
  options: PledgeOptions = {},
): Promise<SignedPledge> {
  const signer = options.signer ?? w.custodian;
  const custodian = options.custodian ?? (await signer.getAddress());
  const holder = typeof account === "string" ? account : await account.getAddress();
  const venue = options.venue ?? VENUE;
  const terms = await readPledgeTerms(w.marginRegistry, custodian, holder, venue);
  const issuedAt = options.issuedAt ?? (await now());
  const message = {
    custodian,
    registration: options.registration ?? terms.registration,
    account: holder,
    venue,
    portfolioCommitment: options.portfolio ?? PORTFOLIO,
    epoch: options.epoch ?? terms.epoch,
    issuedAt,
    validUntil: options.validUntil ?? issuedAt + DAY,
  };
  if (options.custodian === undefined) return signPledge(signer, w.domain, message);
  return signedPledge(message, await signer.signTypedData(w.domain, PLEDGE_TYPES, message));
}

/** Makes the stand-in verifier of `signals.length` signals accept exactly `(proof, signals)`. */
export async function expectSignals(
  w: World,
  signals: readonly bigint[],
  proof: SolidityProof = PROOF,
): Promise<void> {
  const verifier = signals.length === 7 ? w.verifier4 : w.verifier;
  await (await verifier.getFunction("expect")(proofHash(proof), signals)).wait();
}

/** What {@link proveAs} submits; every field has a default (POLICY, ROUND, nonce 1, ...). */
export interface ProveOptions {
  policyId?: string;
  round?: bigint;
  nonce?: bigint;
  /** The C commitments (default: PORTFOLIO, then zeros). */
  portfolios?: readonly bigint[];
  /** Default: the custodian's pledge of the first commitment (none for a no-pledge policy). */
  pledges?: readonly SignedPledge[];
  /** The block time of the submission (set after the verifier's expectation is mined). */
  at?: bigint;
}

/** The registered policy's commitment, feed and pledge slots. */
async function policyOf(w: World, policyId: string) {
  const p = await w.policyRegistry.getFunction("getPolicy")(policyId);
  return {
    commitment: p.commitment as bigint,
    feed: p.feed as string,
    venue: p.venue as string,
    slots: Number(p.pledgeSlots),
    requiresPledges: p.requiresPledges as boolean,
  };
}

/**
 * `prove` as `account`, with the verifier expecting the signals the chain state gives for the
 * policy's feed and round (so any refusal is the registry's, not the proof's).
 */
export async function proveAs(
  w: World,
  account: Signer,
  options: ProveOptions = {},
): Promise<ContractTransactionReceipt> {
  const policyId = options.policyId ?? POLICY;
  const round = options.round ?? ROUND;
  const nonce = options.nonce ?? 1n;
  const policy = await policyOf(w, policyId);
  const portfolios =
    options.portfolios ??
    Array.from({ length: policy.slots }, (_, i) => (i === 0 ? PORTFOLIO : 0n));
  const pledges =
    options.pledges ??
    (policy.requiresPledges
      ? [await pledgeOf(w, account, { portfolio: portfolios[0], venue: policy.venue })]
      : []);
  const signals = signalsOf(await account.getAddress(), nonce, {
    market: market(round, policy.feed),
    policy: policy.commitment,
    portfolios,
  });
  // A count no stand-in verifier takes (a wrong commitment count) is refused before the proof.
  if (signals.length === 4 || signals.length === 7) await expectSignals(w, signals);
  if (options.at !== undefined) await setNextTimestamp(options.at);
  return submitProof(w.marginRegistry.connect(account) as Contract, {
    policyId,
    round,
    nonce,
    portfolioCommitments: portfolios,
    proof: PROOF,
    pledges,
  });
}

/** Posts the feed's latest round + 1 (at block time `at` when given), with `market(round)`. */
export async function postNext(
  w: World,
  options: { feed?: string; at?: bigint } = {},
): Promise<bigint> {
  const feed = options.feed ?? FEED;
  const round = (await readFeedHead(w.marketBook, feed)).latestRound + 1n;
  const timestamp = options.at ?? (await now());
  if (options.at !== undefined) await setNextTimestamp(options.at);
  await postRound(w.marketBook.connect(w.publisher) as Contract, {
    feed,
    round,
    timestamp,
    commitment: market(round, feed),
  });
  return round;
}

/** `isMarginSufficient(account, policyId, maxAge)` (defaults: POLICY, a day). */
export async function sufficient(
  w: World,
  account: Signer,
  policyId = POLICY,
  maxAge = DAY,
): Promise<boolean> {
  return isMarginSufficient(w.marginRegistry, await account.getAddress(), policyId, maxAge);
}
