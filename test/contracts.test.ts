/**
 * MarketBook, PolicyRegistry and MarginRegistry against stand-in verifiers that accept exactly the
 * (proof, public signals) pairs a test sets, so the registry's rebuilding of the public signals
 * from chain state is checked signal by signal. Each hardening is performed as an attack that must
 * be refused with its custom error, next to the honest path that must still work. Pledges (issue
 * 19: venues, epochs, registrations, several custodians): pledges.test.ts. Real Groth16 proofs:
 * contracts.e2e.test.ts.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  AbiCoder,
  Contract,
  Signature,
  TypedDataEncoder,
  ZeroAddress,
  ZeroHash,
  concat,
  dataSlice,
  getAddress,
  hexlify,
  keccak256,
  toBeHex,
  toUtf8Bytes,
} from "ethers";
import type { BaseContract, Signer } from "ethers";
import {
  DEFAULT_ADMIN_DELAY,
  PLEDGE_TYPES,
  PROVE_REQUEST_TYPES,
  addCustodian,
  approveVerifier,
  BN254_BASE_FIELD,
  decodeRevert,
  deployArtifact,
  grantPublisher,
  grantRole,
  invalidateRound,
  loadArtifact,
  marginProvedEvents,
  marginRegistryDomain,
  nextNonce,
  compactSignature,
  expandedSignature,
  pledgeCalldata,
  pledgeDigest,
  pledgeMessageOf,
  policyIdOf,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  proposeVerifier,
  proveRequestDigest,
  proveRequestOf,
  publisherRoleOf,
  readFeedHead,
  readMarginRegistryDomain,
  readPolicy,
  readRegistration,
  readRound,
  signedPledge,
  signedPledgeFromCalldata,
  readStatus,
  readVerifierApproval,
  registerPolicy,
  removeCustodian,
  signProveRequest,
  submitProof,
  submitProofFor,
  toSolidityProof,
  verifierCodeHash,
} from "../prover/src/chain";
import type {
  PledgeMessage,
  ProveRequestMessage,
  RelayedSubmission,
  RoundRecord,
  SignedPledge,
  SolidityProof,
} from "../prover/src/chain";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import { accountNonceOf } from "../prover/src/encoding";
import { feedIdOf } from "../prover/src/layout";
import { decodePublicSignals } from "../prover/src/proving/public-signals";
import {
  SCALAR_FIELD,
  blockTimestamp,
  deployRuntime,
  eventArgs,
  expectRevert,
  hre,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
  snapshot,
} from "./contracts.fixture";
import {
  APPROVAL_DELAY,
  DAY,
  FEED,
  GRACE,
  HOUR,
  MAX_ROUND_AGE,
  OTHER_FEED,
  OTHER_POLICY,
  OTHER_VENUE,
  POLICY,
  POLICY4,
  POLICY_B,
  POLICY_COMMITMENT,
  PORTFOLIO,
  PROOF,
  ROUND,
  VENUE,
  deployWorld,
  expectSignals as expectIn,
  market,
  pledgeOf,
  postNext as postNextIn,
  proveAs as proveIn,
  signalsOf as signalsFor,
  sufficient as sufficientIn,
  type PledgeOptions,
  type World,
} from "./helpers/registry-world";

const UINT64_MAX = 2n ** 64n - 1n;
const DEFAULT_ADMIN_ROLE = ZeroHash;
/** The tag of MarketBook's per-feed publisher roles (`publisherRole(feed)`). */
const PUBLISHER_ROLE = keccak256(toUtf8Bytes("zkmargin.PUBLISHER_ROLE"));
const POLICY_ADMIN_ROLE = keccak256(toUtf8Bytes("zkmargin.POLICY_ADMIN_ROLE"));
const CUSTODIAN_ADMIN_ROLE = keccak256(toUtf8Bytes("zkmargin.CUSTODIAN_ADMIN_ROLE"));
/**
 * The audit's always-true verifier, for circuits of one pledge slot: 36 bytes that answer
 * `publicSignalCount()` (selector 0x7ac6f461) with the word 4 and every other call (verifyProof
 * and verificationKeyHash included) with the word 1.
 */
const ALWAYS_TRUE_RUNTIME =
  "0x60003560e01c637ac6f46114601957600160005260206000f35b600460005260206000f3";

/** A round record that was never written. */
const NO_ROUND: RoundRecord = {
  commitment: 0n,
  timestamp: 0n,
  postedAt: 0n,
  supersededAt: 0n,
  outdated: false,
  invalid: false,
};

/**
 * The EIP-712 types written out from the contract's type hashes, independently of the SDK's
 * `PLEDGE_TYPES` and `PROVE_REQUEST_TYPES` (the tests compare the two signatures).
 */
const PLEDGE_FIELDS_BY_HAND = [
  { name: "custodian", type: "address" },
  { name: "registration", type: "uint32" },
  { name: "account", type: "address" },
  { name: "venue", type: "bytes32" },
  { name: "portfolioCommitment", type: "uint256" },
  { name: "epoch", type: "uint64" },
  { name: "issuedAt", type: "uint64" },
  { name: "validUntil", type: "uint64" },
];
const PROVE_REQUEST_TYPES_BY_HAND = {
  ProveRequest: [
    { name: "account", type: "address" },
    { name: "policyId", type: "bytes32" },
    { name: "round", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
    { name: "portfolioCommitments", type: "uint256[]" },
    { name: "pledges", type: "Pledge[]" },
  ],
  Pledge: PLEDGE_FIELDS_BY_HAND,
};

/** What {@link proveAs} submits for a one-slot policy; every field has a default. */
interface ProveOptions {
  policyId?: string;
  round?: bigint;
  nonce?: bigint;
  portfolio?: bigint;
  /** Default: the custodian's pledge of the portfolio (none for a policy that requires none). */
  pledge?: SignedPledge;
  /** The block time of the submission (set after the verifier's expectation is mined). */
  at?: bigint;
}

describe("contracts (test verifier)", function () {
  let w: World;

  const address = (s: Signer): Promise<string> => s.getAddress();
  const book = (as: Signer): Contract => w.marketBook.connect(as) as Contract;
  const policies = (as: Signer): Contract => w.policyRegistry.connect(as) as Contract;
  const registry = (as: Signer): Contract => w.marginRegistry.connect(as) as Contract;

  async function expectSignals(signals: bigint[], proof: SolidityProof = PROOF): Promise<void> {
    await expectIn(w, signals, proof);
  }

  /** The signals of a proof by `account` under a one-slot policy (default: POLICY on ROUND). */
  function signalsOf(
    account: string,
    nonce: bigint,
    commitments: { market?: bigint; policy?: bigint; portfolio?: bigint } = {},
  ): bigint[] {
    return signalsFor(account, nonce, {
      market: commitments.market ?? market(ROUND),
      policy: commitments.policy ?? POLICY_COMMITMENT,
      portfolios: [commitments.portfolio ?? PORTFOLIO],
    });
  }

  /** The custodian's pledge (defaults: see PledgeOptions). */
  const pledge = (account: Signer | string, options: PledgeOptions = {}) =>
    pledgeOf(w, account, options);

  /** `prove` as `account` under a one-slot policy, the verifier expecting the chain's signals. */
  async function proveAs(account: Signer, options: ProveOptions = {}) {
    const portfolio = options.portfolio ?? PORTFOLIO;
    return proveIn(w, account, {
      ...(options.policyId !== undefined ? { policyId: options.policyId } : {}),
      ...(options.round !== undefined ? { round: options.round } : {}),
      ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
      ...(options.at !== undefined ? { at: options.at } : {}),
      portfolios: [portfolio],
      ...(options.pledge !== undefined ? { pledges: [options.pledge] } : {}),
    });
  }

  const postNext = (options: { feed?: string; at?: bigint } = {}) => postNextIn(w, options);
  const sufficient = (account: Signer, policyId = POLICY, maxAge = DAY) =>
    sufficientIn(w, account, policyId, maxAge);

  /** Registers a policy at venue A as the policy admin, with POLICY's parameters unless overridden. */
  async function registerTestPolicy(
    policyId: string,
    overrides: Partial<{
      commitment: bigint;
      feed: string;
      venue: string;
      supersededGrace: bigint;
      requiresPledges: boolean;
    }> = {},
  ): Promise<void> {
    await registerPolicy(policies(w.policyAdmin), {
      policyId,
      commitment: overrides.commitment ?? POLICY_COMMITMENT,
      mode: "maintenance",
      verifier: await w.verifier.getAddress(),
      verificationKeyHash: w.vkHash,
      feed: overrides.feed ?? FEED,
      venue: overrides.venue ?? VENUE,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: overrides.supersededGrace ?? GRACE,
      requiresPledges: overrides.requiresPledges ?? true,
    });
  }

  before(async function () {
    w = await deployWorld();
  });

  revertAfterEachTest();

  describe("MarketBook", function () {
    it("posts a round to a feed, emits RoundPosted with the market data, and serves it", async function () {
      const ts = await now();
      const data = toUtf8Bytes('{"round":"1043","prices":{"ETH":"3000"}}');
      await setNextTimestamp(ts + 5n);
      const receipt = await postRound(book(w.publisher), {
        feed: FEED,
        round: ROUND + 1n,
        timestamp: ts,
        commitment: 99n,
        marketData: data,
      });
      expect(eventArgs(w.marketBook, receipt, "RoundPosted")).to.deep.equal([
        FEED,
        ROUND + 1n,
        ts,
        99n,
        await address(w.publisher),
        hexlify(data),
      ]);
      const get = (name: string, ...args: unknown[]) => w.marketBook.getFunction(name)(...args);
      expect(await get("getRound", FEED, ROUND + 1n)).to.deep.equal([ts, 99n]);
      expect(await get("latestRound", FEED)).to.deep.equal([ROUND + 1n, ts, 99n]);
      expect(await get("hasRound", FEED, ROUND + 1n)).to.equal(true);
      expect(await get("hasRound", FEED, ROUND + 2n)).to.equal(false);
      expect(await get("hasRound", OTHER_FEED, ROUND + 1n)).to.equal(false);
      expect(await readRound(w.marketBook, FEED, ROUND + 1n)).to.deep.equal({
        commitment: 99n,
        timestamp: ts,
        postedAt: ts + 5n,
        supersededAt: 0n,
        outdated: false,
        invalid: false,
      });
      expect(await readFeedHead(w.marketBook, FEED)).to.deep.equal({
        firstRound: ROUND,
        latestRound: ROUND + 1n,
        latestTimestamp: ts,
      });
      // Without market data, the event carries empty bytes.
      const next = await postRound(book(w.publisher), {
        feed: FEED,
        round: ROUND + 2n,
        timestamp: ts,
        commitment: 100n,
      });
      expect(eventArgs(w.marketBook, next, "RoundPosted")[5]).to.equal("0x");
    });

    it("keeps a feed's rounds contiguous: only the latest round + 1 is accepted", async function () {
      const ts = await now();
      for (const round of [ROUND, ROUND - 1n, ROUND + 2n, UINT64_MAX]) {
        await expectRevert(
          postRound(book(w.publisher), { feed: FEED, round, timestamp: ts, commitment: 2n }),
          w.errors,
          "RoundNotContiguous",
          [round, ROUND + 1n],
        );
      }
      expect(await postNext()).to.equal(ROUND + 1n);
      await expectRevert(
        postRound(book(w.publisher), {
          feed: FEED,
          round: ROUND + 1n,
          timestamp: ts,
          commitment: 3n,
        }),
        w.errors,
        "RoundNotContiguous",
        [ROUND + 1n, ROUND + 2n],
      );
      expect(await w.marketBook.getFunction("getRound")(FEED, ROUND)).to.deep.equal([
        w.roundTimestamp,
        market(ROUND),
      ]);
    });

    it("opens a feed at a round from 1 to MAX_FIRST_ROUND, so round 2^64 - 1 cannot block it", async function () {
      const maxFirst = (await w.marketBook.getFunction("MAX_FIRST_ROUND")()) as bigint;
      expect(maxFirst).to.equal(2n ** 63n - 1n);
      const fresh = feedIdOf(0xf1e5n);
      const lowest = feedIdOf(0xf1e6n);
      for (const feed of [fresh, lowest]) {
        await grantPublisher(book(w.admin), feed, await address(w.publisher));
      }
      const ts = await now();
      const post = (feed: string, round: bigint) =>
        postRound(book(w.publisher), { feed, round, timestamp: ts, commitment: 5n });
      for (const round of [0n, maxFirst + 1n, UINT64_MAX]) {
        await expectRevert(post(fresh, round), w.errors, "InvalidFirstRound", [round]);
      }
      expect(await readFeedHead(w.marketBook, fresh)).to.deep.equal({
        firstRound: 0n,
        latestRound: 0n,
        latestTimestamp: 0n,
      });
      await post(fresh, maxFirst);
      // 2^63 rounds remain after the highest opening: the feed goes on.
      await post(fresh, maxFirst + 1n);
      expect(await readFeedHead(w.marketBook, fresh)).to.deep.equal({
        firstRound: maxFirst,
        latestRound: maxFirst + 1n,
        latestTimestamp: ts,
      });
      await post(lowest, 1n);
      expect((await readFeedHead(w.marketBook, lowest)).firstRound).to.equal(1n);
    });

    it("refuses the zero feed, also to a holder of its publisher role", async function () {
      await grantPublisher(book(w.admin), ZeroHash, await address(w.publisher));
      await expectRevert(
        postRound(book(w.publisher), { feed: ZeroHash, round: 1n, timestamp: 1n, commitment: 1n }),
        w.errors,
        "ZeroFeed",
      );
    });

    it("scopes publishing to a feed's publishers: another feed's oracle can neither post this feed's next round nor invalidate its rounds", async function () {
      const other = await address(w.otherPublisher);
      const role = publisherRoleOf(FEED);
      expect(await w.marketBook.getFunction("publisherRole")(FEED)).to.equal(role);
      expect(role).to.equal(
        keccak256(
          AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [PUBLISHER_ROLE, FEED]),
        ),
      );
      expect(role).to.not.equal(publisherRoleOf(OTHER_FEED));
      // The attacks: OTHER_FEED's publisher takes FEED's next round number, and invalidates FEED's
      // latest round. Both are refused with FEED's role named.
      const ts = await now();
      await expectRevert(
        postRound(book(w.otherPublisher), {
          feed: FEED,
          round: ROUND + 1n,
          timestamp: ts,
          commitment: 7n,
        }),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [other, role],
      );
      await expectRevert(
        invalidateRound(book(w.otherPublisher), FEED, ROUND),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [other, role],
      );
      // Holding the tag itself grants nothing.
      await (await book(w.admin).getFunction("grantRole")(PUBLISHER_ROLE, other)).wait();
      await expectRevert(
        invalidateRound(book(w.otherPublisher), FEED, ROUND),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [other, role],
      );
      expect(await readFeedHead(w.marketBook, FEED)).to.deep.equal({
        firstRound: ROUND,
        latestRound: ROUND,
        latestTimestamp: w.roundTimestamp,
      });
      expect((await readRound(w.marketBook, FEED, ROUND)).invalid).to.equal(false);
      // Honest paths: each publisher posts and invalidates its own feed.
      const otherRound = await postRound(book(w.otherPublisher), {
        feed: OTHER_FEED,
        round: 1n,
        timestamp: ts,
        commitment: 8n,
      });
      expect(eventArgs(w.marketBook, otherRound, "RoundPosted")[4]).to.equal(other);
      await invalidateRound(book(w.otherPublisher), OTHER_FEED, 1n);
      expect(await postNext()).to.equal(ROUND + 1n);
      await invalidateRound(book(w.publisher), FEED, ROUND + 1n);
      // Revoking a feed's role ends its holder's publishing there.
      await (
        await book(w.admin).getFunction("revokeRole")(publisherRoleOf(OTHER_FEED), other)
      ).wait();
      await expectRevert(
        postRound(book(w.otherPublisher), {
          feed: OTHER_FEED,
          round: 2n,
          timestamp: ts,
          commitment: 9n,
        }),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [other, publisherRoleOf(OTHER_FEED)],
      );
    });

    it("keeps feeds independent: the same round number in two feeds, each with its own commitment, timestamps and head", async function () {
      // OTHER_FEED opens at FEED's round number, with a timestamp before FEED's latest.
      const early = w.roundTimestamp - 100n;
      await postRound(book(w.publisher), {
        feed: OTHER_FEED,
        round: ROUND,
        timestamp: early,
        commitment: market(ROUND, OTHER_FEED),
      });
      const getRound = w.marketBook.getFunction("getRound");
      expect(await getRound(FEED, ROUND)).to.deep.equal([w.roundTimestamp, market(ROUND)]);
      expect(await getRound(OTHER_FEED, ROUND)).to.deep.equal([early, market(ROUND, OTHER_FEED)]);
      // Posting to one feed supersedes nothing in the other.
      expect(await postNext({ feed: OTHER_FEED })).to.equal(ROUND + 1n);
      expect((await readRound(w.marketBook, FEED, ROUND)).supersededAt).to.equal(0n);
      expect((await readFeedHead(w.marketBook, FEED)).latestRound).to.equal(ROUND);
      expect(await postNext()).to.equal(ROUND + 1n);
      expect((await readRound(w.marketBook, OTHER_FEED, ROUND + 1n)).supersededAt).to.equal(0n);
    });

    it("refuses a timestamp before the feed's latest, in the future, or zero", async function () {
      const post = (round: bigint, timestamp: bigint, feed = FEED) =>
        postRound(book(w.publisher), { feed, round, timestamp, commitment: 2n });
      await expectRevert(post(ROUND + 1n, w.roundTimestamp - 1n), w.errors, "TimestampBackwards", [
        w.roundTimestamp - 1n,
        w.roundTimestamp,
      ]);
      await expectRevert(post(ROUND + 1n, 0n), w.errors, "ZeroTimestamp");
      await expectRevert(post(1n, 0n, OTHER_FEED), w.errors, "ZeroTimestamp");
      const t = (await now()) + 100n;
      await setNextTimestamp(t);
      await expectRevert(post(ROUND + 1n, t + 1n), w.errors, "TimestampInFuture", [t + 1n, t]);
      // The block's own time, and the same timestamp as the latest round, are both allowed.
      await setNextTimestamp(t + 1n);
      await post(ROUND + 1n, t + 1n);
      await post(ROUND + 2n, t + 1n);
    });

    it("refuses a zero commitment and one at the field modulus", async function () {
      const ts = await now();
      const post = (commitment: bigint) =>
        postRound(book(w.publisher), { feed: FEED, round: ROUND + 1n, timestamp: ts, commitment });
      await expectRevert(post(0n), w.errors, "InvalidMarketCommitment", [0n]);
      await expectRevert(post(SCALAR_FIELD), w.errors, "InvalidMarketCommitment", [SCALAR_FIELD]);
      await post(SCALAR_FIELD - 1n);
    });

    it("reads an unknown round or feed as zero, and reverts on getRound and latestRound", async function () {
      await expectRevert(w.marketBook.getFunction("getRound")(FEED, 7n), w.errors, "UnknownRound", [
        FEED,
        7n,
      ]);
      expect(await readRound(w.marketBook, FEED, 7n)).to.deep.equal(NO_ROUND);
      await expectRevert(
        w.marketBook.getFunction("latestRound")(OTHER_FEED),
        w.errors,
        "UnknownRound",
        [OTHER_FEED, 0n],
      );
      expect(await readFeedHead(w.marketBook, OTHER_FEED)).to.deep.equal({
        firstRound: 0n,
        latestRound: 0n,
        latestTimestamp: 0n,
      });
    });

    it("records when a round is superseded (round + 1 posted) and outdated (round + 2 posted)", async function () {
      const initial = await readRound(w.marketBook, FEED, ROUND);
      expect(initial.supersededAt).to.equal(0n);
      const t1 = (await now()) + 10n;
      await postNext({ at: t1 });
      expect(await readRound(w.marketBook, FEED, ROUND)).to.deep.equal({
        ...initial,
        supersededAt: t1,
      });
      expect(await readRound(w.marketBook, FEED, ROUND + 1n)).to.deep.equal({
        commitment: market(ROUND + 1n),
        timestamp: t1,
        postedAt: t1,
        supersededAt: 0n,
        outdated: false,
        invalid: false,
      });
      // The feed's first round has no predecessor to mark.
      expect(await readRound(w.marketBook, FEED, ROUND - 1n)).to.deep.equal(NO_ROUND);
      const t2 = t1 + 20n;
      await postNext({ at: t2 });
      expect(await readRound(w.marketBook, FEED, ROUND)).to.deep.equal({
        ...initial,
        supersededAt: t1,
        outdated: true,
      });
      expect((await readRound(w.marketBook, FEED, ROUND + 1n)).supersededAt).to.equal(t2);
      expect((await readRound(w.marketBook, FEED, ROUND + 1n)).outdated).to.equal(false);
      expect(await readFeedHead(w.marketBook, FEED)).to.deep.equal({
        firstRound: ROUND,
        latestRound: ROUND + 2n,
        latestTimestamp: t2,
      });
      await postNext({ at: t2 + 30n });
      expect((await readRound(w.marketBook, FEED, ROUND + 1n)).outdated).to.equal(true);
      // A superseded round's record is not rewritten by later posts.
      expect((await readRound(w.marketBook, FEED, ROUND)).supersededAt).to.equal(t1);
    });

    it("invalidates a posted round once, without moving the feed's head", async function () {
      const publisher = await address(w.publisher);
      const asPublisher = book(w.publisher);
      await expectRevert(invalidateRound(asPublisher, FEED, ROUND + 1n), w.errors, "UnknownRound", [
        FEED,
        ROUND + 1n,
      ]);
      await expectRevert(
        invalidateRound(asPublisher, OTHER_FEED, ROUND),
        w.errors,
        "UnknownRound",
        [OTHER_FEED, ROUND],
      );
      const before = await readRound(w.marketBook, FEED, ROUND);
      const receipt = await invalidateRound(asPublisher, FEED, ROUND);
      expect(eventArgs(w.marketBook, receipt, "RoundInvalidated")).to.deep.equal([
        FEED,
        ROUND,
        publisher,
      ]);
      expect(await readRound(w.marketBook, FEED, ROUND)).to.deep.equal({
        ...before,
        invalid: true,
      });
      await expectRevert(
        invalidateRound(asPublisher, FEED, ROUND),
        w.errors,
        "RoundAlreadyInvalid",
        [FEED, ROUND],
      );
      // The round keeps its number: corrected data is the next round.
      expect((await readFeedHead(w.marketBook, FEED)).latestRound).to.equal(ROUND);
      await expectRevert(
        postRound(asPublisher, {
          feed: FEED,
          round: ROUND,
          timestamp: await now(),
          commitment: 9n,
        }),
        w.errors,
        "RoundNotContiguous",
        [ROUND, ROUND + 1n],
      );
      expect(await postNext()).to.equal(ROUND + 1n);
      // An older round can be invalidated too, and the flag is per feed.
      await postNext();
      await invalidateRound(asPublisher, FEED, ROUND + 1n);
      expect((await readRound(w.marketBook, FEED, ROUND + 1n)).invalid).to.equal(true);
      expect((await readRound(w.marketBook, FEED, ROUND + 2n)).invalid).to.equal(false);
    });
    it("serves a round's two storage words as MarginRegistry reads them (packedRound)", async function () {
      const ts = await now();
      await setNextTimestamp(ts + 7n);
      await postRound(book(w.publisher), {
        feed: FEED,
        round: ROUND + 1n,
        timestamp: ts,
        commitment: 99n,
      });
      await postNext();
      await invalidateRound(book(w.publisher), FEED, ROUND + 1n);
      const pack = (r: RoundRecord) =>
        r.timestamp |
        (r.postedAt << 64n) |
        (r.supersededAt << 128n) |
        ((r.outdated ? 1n : 0n) << 192n) |
        ((r.invalid ? 1n : 0n) << 200n);
      for (const round of [ROUND, ROUND + 1n, ROUND + 2n, ROUND + 3n]) {
        const record = await readRound(w.marketBook, FEED, round);
        expect([...(await w.marketBook.getFunction("packedRound")(FEED, round))]).to.deep.equal([
          record.commitment,
          pack(record),
        ]);
      }
      // ROUND is outdated, ROUND + 1 superseded and invalid: every field is set somewhere.
      expect((await readRound(w.marketBook, FEED, ROUND)).outdated).to.equal(true);
      expect(await readRound(w.marketBook, FEED, ROUND + 3n)).to.deep.equal(NO_ROUND);
    });
  });

  describe("PolicyRegistry", function () {
    const NEW = policyIdOf("new-policy");
    /** Proposes and approves `verifier` as the default admin, moving the clock past the delay. */
    const approveVerifierOnDevChainHere = (verifier: string) =>
      approveVerifierOnDevChain(w.policyRegistry, verifier);
    function params(overrides: Record<string, unknown> = {}) {
      return {
        commitment: 42n,
        mode: 0,
        verifier: w.verifier.target,
        verificationKeyHash: w.vkHash,
        feed: OTHER_FEED,
        venue: OTHER_VENUE,
        maxRoundAge: 60n,
        supersededGrace: 30n,
        requiresPledges: true,
        cureWindow: 900n,
        ...overrides,
      };
    }
    const register = (p: ReturnType<typeof params>, id = NEW) =>
      policies(w.policyAdmin).getFunction("registerPolicy")(id, p);

    it("registers a policy with its feed, venue, key hash, pledge slots and grace, emits PolicyRegistered and serves it", async function () {
      const receipt = await (await register(params())).wait();
      expect(eventArgs(w.policyRegistry, receipt, "PolicyRegistered")).to.deep.equal([
        NEW,
        42n,
        0n,
        w.verifier.target,
        w.vkHash,
        OTHER_FEED,
        OTHER_VENUE,
        1n,
        60n,
        30n,
        true,
        900n,
      ]);
      const p = await w.policyRegistry.getFunction("getPolicy")(NEW);
      expect({
        commitment: p.commitment,
        verifier: p.verifier,
        maxRoundAge: p.maxRoundAge,
        supersededGrace: p.supersededGrace,
        mode: p.mode,
        requiresPledges: p.requiresPledges,
        retired: p.retired,
        pledgeSlots: p.pledgeSlots,
        feed: p.feed,
        venue: p.venue,
        verificationKeyHash: p.verificationKeyHash,
        cureWindow: p.cureWindow,
      }).to.deep.equal({
        commitment: 42n,
        verifier: w.verifier.target,
        maxRoundAge: 60n,
        supersededGrace: 30n,
        mode: 0n,
        requiresPledges: true,
        retired: false,
        pledgeSlots: 1n,
        feed: OTHER_FEED,
        venue: OTHER_VENUE,
        verificationKeyHash: w.vkHash,
        cureWindow: 900n,
      });
      expect(await readPolicy(w.policyRegistry, NEW)).to.deep.include({
        venue: OTHER_VENUE.toLowerCase(),
        pledgeSlots: 1,
        requiresPledges: true,
      });
      // The four-slot verifier gives its policies four pledge slots.
      expect((await readPolicy(w.policyRegistry, POLICY4))?.pledgeSlots).to.equal(4);
      expect(await w.policyRegistry.getFunction("isActive")(NEW)).to.equal(true);
      // The SDK's defaults: no grace, pledges required, no margin calls.
      const DEFAULTS = policyIdOf("sdk-defaults");
      await registerPolicy(policies(w.policyAdmin), {
        policyId: DEFAULTS,
        commitment: 43n,
        mode: "initial",
        verifier: await w.verifier.getAddress(),
        verificationKeyHash: w.vkHash,
        feed: FEED,
        venue: VENUE,
        maxRoundAge: 60n,
      });
      const d = await w.policyRegistry.getFunction("getPolicy")(DEFAULTS);
      expect([d.supersededGrace, d.requiresPledges, d.mode, d.cureWindow]).to.deep.equal([
        0n,
        true,
        0n,
        0n,
      ]);
    });

    it("never re-registers an id, active or retired", async function () {
      await expectRevert(register(params(), POLICY), w.errors, "PolicyAlreadyRegistered", [POLICY]);
      await (await policies(w.policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
      await expectRevert(register(params(), POLICY), w.errors, "PolicyAlreadyRegistered", [POLICY]);
      expect((await w.policyRegistry.getFunction("getPolicy")(POLICY)).commitment).to.equal(
        POLICY_COMMITMENT,
      );
    });

    it("refuses malformed parameters", async function () {
      await expectRevert(register(params(), ZeroHash), w.errors, "ZeroPolicyId");
      await expectRevert(
        register(params({ commitment: 0n })),
        w.errors,
        "InvalidPolicyCommitment",
        [0n],
      );
      await expectRevert(
        register(params({ commitment: SCALAR_FIELD })),
        w.errors,
        "InvalidPolicyCommitment",
        [SCALAR_FIELD],
      );
      await expectRevert(
        register(params({ verificationKeyHash: ZeroHash })),
        w.errors,
        "ZeroVerificationKeyHash",
      );
      await expectRevert(register(params({ feed: ZeroHash })), w.errors, "ZeroFeed");
      await expectRevert(register(params({ venue: ZeroHash })), w.errors, "ZeroVenue");
      await expectRevert(register(params({ maxRoundAge: 0n })), w.errors, "ZeroMaxRoundAge");
      // Zero grace is legal: only the latest round counts.
      await register(params({ supersededGrace: 0n }));
    });

    it("refuses a verifier that is not the registered one: another key hash, none, always-true code, an EOA", async function () {
      const other = keccak256(toUtf8Bytes("another verification key"));
      await expectRevert(
        register(params({ verificationKeyHash: other })),
        w.errors,
        "VerificationKeyHashMismatch",
        [other, w.vkHash],
      );
      // The audit's attack: the policy admin alone points a policy at the 10-byte contract that
      // answers every call with the word 1, declaring 0x..01 as its key hash. Its code was never
      // approved by the default admin, so the registration is refused.
      const alwaysTrue = await deployRuntime(w.admin, ALWAYS_TRUE_RUNTIME);
      expect(await hre.ethers.provider.getCode(alwaysTrue)).to.equal(ALWAYS_TRUE_RUNTIME);
      await expectRevert(
        register(params({ verifier: alwaysTrue, verificationKeyHash: toBeHex(1n, 32) })),
        w.errors,
        "VerifierNotApproved",
        [alwaysTrue, keccak256(ALWAYS_TRUE_RUNTIME)],
      );
      // Proposing and approving are the default admin's alone; the policy admin can do neither.
      await expectRevert(
        proposeVerifier(policies(w.policyAdmin), alwaysTrue),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [await address(w.policyAdmin), DEFAULT_ADMIN_ROLE],
      );
      await expectRevert(
        approveVerifier(policies(w.policyAdmin), keccak256(ALWAYS_TRUE_RUNTIME)),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [await address(w.policyAdmin), DEFAULT_ADMIN_ROLE],
      );
      // Contracts that do not answer verificationKeyHash() with exactly one word are never
      // proposed: STOP (empty answer), 31 or 64 bytes of answer, a contract without the function.
      const marketBook = await w.marketBook.getAddress();
      for (const runtime of ["0x00", "0x601f6000f3", "0x60406000f3", null]) {
        const contract = runtime === null ? marketBook : await deployRuntime(w.admin, runtime);
        await expectRevert(
          proposeVerifier(policies(w.admin), contract),
          w.errors,
          "VerifierWithoutKeyHash",
          [contract],
        );
      }
      // A contract that answers the zero key hash is refused too.
      const zeroKeyHash = await deployRuntime(w.admin, "0x60206000f3");
      await expectRevert(
        proposeVerifier(policies(w.admin), zeroKeyHash),
        w.errors,
        "ZeroVerificationKeyHash",
      );
      for (const eoa of [await address(w.alice), ZeroAddress]) {
        await expectRevert(
          proposeVerifier(policies(w.admin), eoa),
          w.errors,
          "VerifierNotAContract",
          [eoa],
        );
        await expectRevert(register(params({ verifier: eoa })), w.errors, "VerifierNotAContract", [
          eoa,
        ]);
      }
      expect(await w.policyRegistry.getFunction("isActive")(NEW)).to.equal(false);
    });

    it("approves verifier code in two steps: proposed with the key hash it answers, approved after the delay, withdrawable", async function () {
      const verifier = await w.verifier.getAddress();
      const codeHash = await verifierCodeHash(hre.ethers.provider, verifier);
      expect(await w.policyRegistry.getFunction("verifierApprovalDelay")()).to.equal(
        APPROVAL_DELAY,
      );
      expect(await w.policyRegistry.getFunction("approvedKeyHash")(codeHash)).to.equal(w.vkHash);
      expect((await readVerifierApproval(w.policyRegistry, codeHash)).approved).to.equal(true);
      // Another deployment of the same code is approved with it.
      const twin = await deployArtifact(w.admin, loadArtifact("ExpectedInputsVerifier"), [4n]);
      await register(params({ verifier: twin.address }));
      expect(await w.policyRegistry.getFunction("isActive")(NEW)).to.equal(true);
      await expectRevert(
        proposeVerifier(policies(w.admin), verifier),
        w.errors,
        "VerifierAlreadyProposed",
        [codeHash],
      );
      await expectRevert(
        approveVerifier(policies(w.admin), codeHash),
        w.errors,
        "VerifierAlreadyApproved",
        [codeHash],
      );
      // Withdrawn: new registrations with that code are refused, registered policies stay.
      const receipt = await (
        await policies(w.admin).getFunction("revokeVerifierApproval")(codeHash)
      ).wait();
      expect(eventArgs(w.policyRegistry, receipt, "VerifierApprovalRevoked")).to.deep.equal([
        codeHash,
      ]);
      expect(await readVerifierApproval(w.policyRegistry, codeHash)).to.deep.equal({
        keyHash: ZeroHash,
        effectiveAt: 0n,
        approved: false,
      });
      await expectRevert(
        register(params({ verifier }), policyIdOf("after-revocation")),
        w.errors,
        "VerifierNotApproved",
        [verifier, codeHash],
      );
      expect(await w.policyRegistry.getFunction("isActive")(POLICY)).to.equal(true);
      for (const call of [
        () => policies(w.admin).getFunction("revokeVerifierApproval")(codeHash),
        () => approveVerifier(policies(w.admin), codeHash),
      ]) {
        await expectRevert(call(), w.errors, "UnknownVerifierApproval", [codeHash]);
      }
      // Proposing again starts a new delay: the proposal emits the code hash, the key hash, the
      // address it was read from and when it becomes approvable.
      const proposed = await proposeVerifier(policies(w.admin), verifier);
      const effectiveAt = (await blockTimestamp(proposed)) + APPROVAL_DELAY;
      expect(eventArgs(w.policyRegistry, proposed, "VerifierProposed")).to.deep.equal([
        codeHash,
        w.vkHash,
        verifier,
        effectiveAt,
      ]);
      expect(await readVerifierApproval(w.policyRegistry, codeHash)).to.deep.equal({
        keyHash: w.vkHash,
        effectiveAt,
        approved: false,
      });
      expect(await w.policyRegistry.getFunction("approvedKeyHash")(codeHash)).to.equal(ZeroHash);
      // A registration refuses a proposal that is not approved yet.
      await expectRevert(
        register(params({ verifier }), policyIdOf("while-pending")),
        w.errors,
        "VerifierApprovalPending",
        [verifier, codeHash, effectiveAt],
      );
      // Not one second early.
      await setNextTimestamp(effectiveAt - 1n);
      await expectRevert(
        approveVerifier(policies(w.admin), codeHash),
        w.errors,
        "VerifierApprovalNotYetEffective",
        [codeHash, effectiveAt],
      );
      await setNextTimestamp(effectiveAt);
      const approved = await approveVerifier(policies(w.admin), codeHash);
      expect(eventArgs(w.policyRegistry, approved, "VerifierApproved")).to.deep.equal([
        codeHash,
        w.vkHash,
      ]);
      await register(params({ verifier }), policyIdOf("after-approval"));
      expect(await w.policyRegistry.getFunction("isActive")(policyIdOf("after-approval"))).to.equal(
        true,
      );
    });

    it("refuses a zero approval delay at deployment", async function () {
      const admin = await address(w.admin);
      let error: unknown;
      try {
        await deployArtifact(w.admin, loadArtifact("PolicyRegistry"), [
          DEFAULT_ADMIN_DELAY,
          admin,
          0n,
        ]);
      } catch (e) {
        error = e;
      }
      expect(decodeRevert(error, w.errors)?.name).to.equal("ZeroApprovalDelay");
      const one = await deployArtifact(w.admin, loadArtifact("PolicyRegistry"), [
        DEFAULT_ADMIN_DELAY,
        admin,
        1n,
      ]);
      expect(await one.contract.getFunction("verifierApprovalDelay")()).to.equal(1n);
    });

    it("refuses EIP-7702 delegated accounts as verifiers, at the proposal and at registration", async function () {
      const verifier = await w.verifier.getAddress();
      const designator = (target: string) => `0xef0100${target.slice(2).toLowerCase()}`;
      // An EOA delegated to the approved verifier's code answers its key hash through the
      // delegation, but the key's holder can re-point it at accept-all code after registration.
      const delegated = await address(w.bob);
      await hre.network.provider.send("hardhat_setCode", [delegated, designator(verifier)]);
      expect(await hre.ethers.provider.getCode(delegated)).to.equal(designator(verifier));
      await expectRevert(
        proposeVerifier(policies(w.admin), delegated),
        w.errors,
        "VerifierIsDelegatedAccount",
        [delegated],
      );
      await expectRevert(
        register(params({ verifier: delegated })),
        w.errors,
        "VerifierIsDelegatedAccount",
        [delegated],
      );
      // An address that held the approved code when it was checked, and is a delegation now
      // (the registration's own check, whatever the approval says).
      const reused = await address(w.stranger);
      const code = await hre.ethers.provider.getCode(verifier);
      await hre.network.provider.send("hardhat_setCode", [reused, code]);
      await register(params({ verifier: reused }), policyIdOf("real-code"));
      await hre.network.provider.send("hardhat_setCode", [reused, designator(verifier)]);
      await expectRevert(
        register(params({ verifier: reused })),
        w.errors,
        "VerifierIsDelegatedAccount",
        [reused],
      );
      // 23 bytes that are not a designator are code like any other (here: not a verifier).
      const plain = await deployRuntime(w.admin, `0x00ef0100${"00".repeat(19)}`);
      await expectRevert(
        proposeVerifier(policies(w.admin), plain),
        w.errors,
        "VerifierWithoutKeyHash",
        [plain],
      );
    });

    it("retires once, for good", async function () {
      const asAdmin = policies(w.policyAdmin);
      const receipt = await (await asAdmin.getFunction("retirePolicy")(POLICY)).wait();
      expect(eventArgs(w.policyRegistry, receipt, "PolicyRetired")).to.deep.equal([POLICY]);
      expect(await w.policyRegistry.getFunction("isActive")(POLICY)).to.equal(false);
      expect((await w.policyRegistry.getFunction("getPolicy")(POLICY)).retired).to.equal(true);
      await expectRevert(asAdmin.getFunction("retirePolicy")(POLICY), w.errors, "PolicyIsRetired", [
        POLICY,
      ]);
      await expectRevert(asAdmin.getFunction("retirePolicy")(NEW), w.errors, "UnknownPolicy", [
        NEW,
      ]);
      // Custodians are the venue's, not the policy's: the venue's other policies keep them.
      await addCustodian(policies(w.custodianAdmin), VENUE, await address(w.bob));
      await removeCustodian(policies(w.custodianAdmin), VENUE, await address(w.custodian2));
    });

    it("reads the pledge slots C from the verifier at registration: 3 + C signals, C from 1 to MAX_PLEDGE_SLOTS", async function () {
      expect(await w.policyRegistry.getFunction("MAX_PLEDGE_SLOTS")()).to.equal(8n);
      const artifact = loadArtifact("ExpectedInputsVerifier");
      // 4 and 7 signals are the setup's verifiers (POLICY and POLICY4).
      for (const [count, accepted] of [
        [3n, false],
        [5n, true],
        [11n, true],
        [12n, false],
      ] as const) {
        const { address: verifier } = await deployArtifact(w.admin, artifact, [count]);
        await approveVerifierOnDevChainHere(verifier);
        const id = policyIdOf(`signals-${count}`);
        if (accepted) {
          await register(params({ verifier }), id);
          expect((await w.policyRegistry.getFunction("getPolicy")(id)).pledgeSlots).to.equal(
            count - 3n,
          );
        } else {
          await expectRevert(
            register(params({ verifier }), id),
            w.errors,
            "UnsupportedSignalCount",
            [verifier, count],
          );
        }
      }
      // Approved code whose verificationKeyHash() answers but publicSignalCount() reverts.
      const noCount = await deployRuntime(
        w.admin,
        "0x60003560e01c639e8945d2146012575f5ffd5b600560005260206000f3",
      );
      await approveVerifierOnDevChainHere(noCount);
      await expectRevert(
        register(params({ verifier: noCount, verificationKeyHash: toBeHex(5n, 32) })),
        w.errors,
        "VerifierWithoutSignalCount",
        [noCount],
      );
    });

    it("adds and removes custodians per venue, under fresh, global registration ids", async function () {
      const c = await address(w.custodian);
      const c2 = await address(w.custodian2);
      const b = await address(w.bob);
      const pr = w.policyRegistry;
      const asAdmin = policies(w.custodianAdmin);
      const idOf = async (venue: string, custodian: string) =>
        (await pr.getFunction("currentRegistrationAt")(venue, custodian)) as bigint;
      const state = async (id: bigint) => [...(await pr.getFunction("registrationState")(id))];
      expect([...(await pr.getFunction("custodians")(OTHER_VENUE))]).to.deep.equal([c]);
      await expectRevert(addCustodian(asAdmin, VENUE, c), w.errors, "CustodianAlreadyRegistered", [
        VENUE,
        c,
      ]);
      await expectRevert(addCustodian(asAdmin, VENUE, ZeroAddress), w.errors, "ZeroCustodian");
      await expectRevert(addCustodian(asAdmin, ZeroHash, b), w.errors, "ZeroVenue");
      await expectRevert(removeCustodian(asAdmin, VENUE, b), w.errors, "CustodianNotRegistered", [
        VENUE,
        b,
      ]);
      // A custodian at two venues has two registrations.
      const [cAtA, cAtB] = [await idOf(VENUE, c), await idOf(OTHER_VENUE, c)];
      expect(cAtA).to.not.equal(0n);
      expect(cAtB).to.not.equal(cAtA);
      const record = await readRegistration(pr, cAtA);
      expect(record).to.deep.equal({
        custodian: c,
        active: true,
        registeredAt: record.registeredAt,
        venue: VENUE.toLowerCase(),
      });
      expect(record.registeredAt).to.not.equal(0n);

      const added = await addCustodian(asAdmin, OTHER_VENUE, b);
      const bId = await idOf(OTHER_VENUE, b);
      expect(eventArgs(pr, added, "CustodianAdded")).to.deep.equal([OTHER_VENUE, b, bId]);
      expect(await readRegistration(pr, bId)).to.deep.equal({
        custodian: b,
        active: true,
        registeredAt: await blockTimestamp(added),
        venue: OTHER_VENUE.toLowerCase(),
      });
      const c2Id = await idOf(VENUE, c2);
      expect(new Set([cAtA, cAtB, c2Id, bId]).size).to.equal(4);

      const removed = await removeCustodian(asAdmin, VENUE, c);
      expect(eventArgs(pr, removed, "CustodianRemoved")).to.deep.equal([VENUE, c, cAtA]);
      expect(await idOf(VENUE, c)).to.equal(0n);
      // The ended registration stays readable under its id, inactive; the other venue's stays.
      expect(await state(cAtA)).to.deep.equal([c, false]);
      expect(await state(cAtB)).to.deep.equal([c, true]);
      expect(await pr.getFunction("isCustodian")(VENUE, c)).to.equal(false);
      expect(await pr.getFunction("isCustodian")(OTHER_VENUE, c)).to.equal(true);
      // A re-add is a new registration: the old id stays ended.
      await addCustodian(asAdmin, VENUE, c);
      const again = await idOf(VENUE, c);
      expect(again > bId).to.equal(true);
      expect(await state(cAtA)).to.deep.equal([c, false]);
      expect(await state(again)).to.deep.equal([c, true]);
      // An id never handed out reads as zero.
      expect(await state(again + 100n)).to.deep.equal([ZeroAddress, false]);
    });

    it("gives MarginRegistry the proof context (raw words, as getPolicy packs them) and the status context in one call each", async function () {
      const c = await address(w.custodian);
      const pr = w.policyRegistry;
      const cId = (await pr.getFunction("currentRegistrationAt")(VENUE, c)) as bigint;
      const policyState = async (policyId: string, custodian: string) => [
        ...(await pr.getFunction("policyState")(policyId, custodian)),
      ];
      const statusContext = async (policyId: string, id: bigint) => {
        const x = await pr.getFunction("statusContext")(policyId, id);
        return [x.counts, x.feed, x.venue, x.supersededGrace, x.custodian];
      };
      /** The second slot, packed as the contract documents it. */
      const packed = (p: {
        verifier: string;
        maxRoundAge: bigint;
        supersededGrace: bigint;
        mode: bigint;
        requiresPledges: boolean;
        retired: boolean;
        pledgeSlots: bigint;
      }) =>
        BigInt(p.verifier) |
        (p.maxRoundAge << 160n) |
        (p.supersededGrace << 192n) |
        (p.mode << 224n) |
        ((p.requiresPledges ? 1n : 0n) << 232n) |
        ((p.retired ? 1n : 0n) << 240n) |
        (p.pledgeSlots << 248n);
      for (const id of [POLICY, POLICY4, POLICY_B]) {
        const p = await pr.getFunction("getPolicy")(id);
        const [commitment, params, feed, venue, registration] = await policyState(id, c);
        expect([commitment, params, feed, venue]).to.deep.equal([
          p.commitment,
          packed(p),
          p.feed,
          p.venue,
        ]);
        expect(registration).to.equal(await pr.getFunction("currentRegistrationAt")(p.venue, c));
      }
      expect(await policyState(POLICY, c)).to.deep.equal([
        POLICY_COMMITMENT,
        BigInt(await w.verifier.getAddress()) |
          (MAX_ROUND_AGE << 160n) |
          (GRACE << 192n) |
          (1n << 224n) |
          (1n << 232n) |
          (1n << 248n),
        FEED,
        VENUE,
        cId,
      ]);
      // An unregistered custodian, the zero custodian, and an unknown policy, read as zero.
      expect((await policyState(POLICY, await address(w.stranger)))[4]).to.equal(0n);
      expect((await policyState(POLICY, ZeroAddress))[4]).to.equal(0n);
      expect(await policyState(NEW, c)).to.deep.equal([0n, 0n, ZeroHash, ZeroHash, 0n]);
      expect(await statusContext(POLICY, cId)).to.deep.equal([true, FEED, VENUE, GRACE, c]);
      expect(await statusContext(NEW, 0n)).to.deep.equal([
        false,
        ZeroHash,
        ZeroHash,
        0n,
        ZeroAddress,
      ]);
      // A policy without pledges looks up no custodian.
      const OPEN = policyIdOf("open-policy");
      await registerTestPolicy(OPEN, { requiresPledges: false });
      expect((await policyState(OPEN, c))[4]).to.equal(0n);
      expect(await statusContext(OPEN, 0n)).to.deep.equal([true, FEED, VENUE, GRACE, ZeroAddress]);
      // A removed registration no longer counts (its custodian is still named).
      await removeCustodian(policies(w.custodianAdmin), VENUE, c);
      expect(await statusContext(POLICY, cId)).to.deep.equal([false, FEED, VENUE, GRACE, c]);
      // A retired policy counts no status, but still names its feed, venue and grace.
      await (await policies(w.policyAdmin).getFunction("retirePolicy")(OPEN)).wait();
      expect(await statusContext(OPEN, 0n)).to.deep.equal([false, FEED, VENUE, GRACE, ZeroAddress]);
    });

    it("packs the current registrations of up to eight custodians at a venue in one word, and refuses nine", async function () {
      const pr = w.policyRegistry;
      const named = await Promise.all(
        [w.custodian2, w.stranger, w.custodian4, w.custodian].map(address),
      );
      const ids = await Promise.all(
        named.map(async (c) => (await pr.getFunction("currentRegistrationAt")(VENUE, c)) as bigint),
      );
      expect(ids.map((id) => id !== 0n)).to.deep.equal([true, false, true, true]);
      const packedIds = ids.reduce((word, id, i) => word | (id << (32n * BigInt(i))), 0n);
      expect(await pr.getFunction("registrationsAt")(VENUE, named)).to.equal(packedIds);
      expect(await pr.getFunction("registrationsAt")(VENUE, [])).to.equal(0n);
      // Another venue: only the custodian registered there is non-zero.
      const atOther = (await pr.getFunction("registrationsAt")(OTHER_VENUE, named)) as bigint;
      expect(atOther).to.not.equal(0n);
      for (const [i, c] of named.entries()) {
        const id = (await pr.getFunction("currentRegistrationAt")(OTHER_VENUE, c)) as bigint;
        expect((atOther >> (32n * BigInt(i))) & 0xffffffffn).to.equal(id);
      }
      const eight = Array.from({ length: 8 }, () => named[0]);
      const id0 = ids[0];
      expect(await pr.getFunction("registrationsAt")(VENUE, eight)).to.equal(
        eight.reduce((word, _, i) => word | (id0 << (32n * BigInt(i))), 0n),
      );
      await expectRevert(
        pr.getFunction("registrationsAt")(VENUE, [...eight, named[0]]),
        w.errors,
        "TooManyCustodians",
        [9n],
      );
    });
  });

  describe("roles and admin (single keys)", function () {
    it("names the roles as documented", async function () {
      expect(await w.marketBook.getFunction("PUBLISHER_ROLE")()).to.equal(PUBLISHER_ROLE);
      expect(await w.policyRegistry.getFunction("POLICY_ADMIN_ROLE")()).to.equal(POLICY_ADMIN_ROLE);
      expect(await w.policyRegistry.getFunction("CUSTODIAN_ADMIN_ROLE")()).to.equal(
        CUSTODIAN_ADMIN_ROLE,
      );
      const publisher = publisherRoleOf(FEED);
      expect(
        new Set([PUBLISHER_ROLE, publisher, POLICY_ADMIN_ROLE, CUSTODIAN_ADMIN_ROLE]).size,
      ).to.equal(4);
    });

    it("never lets the default admin hold an operational role: granting one to it is refused", async function () {
      const admin = await address(w.admin);
      const roles: [Contract, string][] = [
        [w.marketBook, publisherRoleOf(FEED)],
        [w.marketBook, PUBLISHER_ROLE],
        [w.policyRegistry, POLICY_ADMIN_ROLE],
        [w.policyRegistry, CUSTODIAN_ADMIN_ROLE],
        [w.policyRegistry, await w.policyRegistry.getFunction("venueRole")(POLICY)],
      ];
      for (const [contract, role] of roles) {
        await expectRevert(
          (contract.connect(w.admin) as Contract).getFunction("grantRole")(role, admin),
          w.errors,
          "AdminCannotHoldOperationalRole",
          [role, admin],
        );
        expect(await contract.getFunction("hasRole")(role, admin)).to.equal(false);
      }
      expect(await w.policyRegistry.getFunction("operationalRoleCount")(admin)).to.equal(0n);
      // So the admin alone can neither post, register nor add a custodian.
      await expectRevert(
        postRound(book(w.admin), {
          feed: FEED,
          round: ROUND + 1n,
          timestamp: w.roundTimestamp,
          commitment: 1n,
        }),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [admin, publisherRoleOf(FEED)],
      );
      await expectRevert(
        registerPolicy(policies(w.admin), {
          policyId: policyIdOf("admin-policy"),
          commitment: 1n,
          mode: "initial",
          verifier: String(w.verifier.target),
          verificationKeyHash: w.vkHash,
          feed: FEED,
          maxRoundAge: 60n,
          venue: VENUE,
          requiresPledges: false,
        }),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [admin, POLICY_ADMIN_ROLE],
      );
      await expectRevert(
        addCustodian(policies(w.admin), VENUE, admin),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [admin, CUSTODIAN_ADMIN_ROLE],
      );
      // Granting to another account is the admin's job, and each grant is counted and visible.
      const bob = await address(w.bob);
      await grantRole(w.policyRegistry, "POLICY_ADMIN_ROLE", bob);
      await grantRole(w.policyRegistry, "CUSTODIAN_ADMIN_ROLE", bob);
      expect(await w.policyRegistry.getFunction("operationalRoleCount")(bob)).to.equal(2n);
      // Granting a held role again changes nothing, nor the count.
      await grantRole(w.policyRegistry, "CUSTODIAN_ADMIN_ROLE", bob);
      expect(await w.policyRegistry.getFunction("operationalRoleCount")(bob)).to.equal(2n);
      await (await policies(w.admin).getFunction("revokeRole")(POLICY_ADMIN_ROLE, bob)).wait();
      expect(await w.policyRegistry.getFunction("operationalRoleCount")(bob)).to.equal(1n);
    });

    it("never lets a holder of an operational role become the default admin until it renounced them all", async function () {
      const bob = await address(w.bob);
      for (const [contract, role] of [
        [w.marketBook, publisherRoleOf(OTHER_FEED)],
        [w.policyRegistry, CUSTODIAN_ADMIN_ROLE],
      ] as const) {
        const as = (signer: Signer) => contract.connect(signer) as Contract;
        await (await as(w.admin).getFunction("grantRole")(role, bob)).wait();
        const begun = await (
          await as(w.admin).getFunction("beginDefaultAdminTransfer")(bob)
        ).wait();
        await setNextTimestamp((await blockTimestamp(begun)) + DEFAULT_ADMIN_DELAY + 1n);
        await expectRevert(
          as(w.bob).getFunction("acceptDefaultAdminTransfer")(),
          w.errors,
          "OperatorCannotBecomeAdmin",
          [bob, 1n],
        );
        await (await as(w.bob).getFunction("renounceRole")(role, bob)).wait();
        expect(await contract.getFunction("operationalRoleCount")(bob)).to.equal(0n);
        await (await as(w.bob).getFunction("acceptDefaultAdminTransfer")()).wait();
        expect(await contract.getFunction("defaultAdmin")()).to.equal(bob);
        // And the new admin cannot take the role back for itself.
        await expectRevert(
          as(w.bob).getFunction("grantRole")(role, bob),
          w.errors,
          "AdminCannotHoldOperationalRole",
          [role, bob],
        );
      }
    });

    it("lets one key point a policy at always-true code only with a second key, after the approval delay, in public", async function () {
      // The audit's attack, by the default admin: its 10-byte contract that answers every call
      // with the word 1 also answers verificationKeyHash() with 0x..01.
      const alwaysTrue = await deployRuntime(w.admin, ALWAYS_TRUE_RUNTIME);
      const codeHash = keccak256(ALWAYS_TRUE_RUNTIME);
      const admin = await address(w.admin);
      const ATTACK = policyIdOf("always-true");
      const attack = (as: Signer) =>
        registerPolicy(policies(as), {
          policyId: ATTACK,
          commitment: 1n,
          mode: "maintenance",
          verifier: alwaysTrue,
          verificationKeyHash: toBeHex(1n, 32),
          feed: FEED,
          maxRoundAge: HOUR,
          venue: VENUE,
          requiresPledges: false,
        });
      // 1. It cannot register: it holds no policy admin role and cannot grant itself one.
      await expectRevert(attack(w.admin), w.errors, "AccessControlUnauthorizedAccount", [
        admin,
        POLICY_ADMIN_ROLE,
      ]);
      await expectRevert(
        grantRole(w.policyRegistry, "POLICY_ADMIN_ROLE", admin),
        w.errors,
        "AdminCannotHoldOperationalRole",
        [POLICY_ADMIN_ROLE, admin],
      );
      // 2. It proposes the code: the proposal is public (VerifierProposed) for the whole delay.
      const proposed = await proposeVerifier(policies(w.admin), alwaysTrue);
      const [, , , effectiveAt] = eventArgs(w.policyRegistry, proposed, "VerifierProposed");
      expect(effectiveAt).to.equal((await blockTimestamp(proposed)) + APPROVAL_DELAY);
      // 3. With a second key it controls (bob, granted POLICY_ADMIN_ROLE in public), the
      //    registration is still refused until the code is approved, and the approval until the
      //    delay has passed.
      await grantRole(w.policyRegistry, "POLICY_ADMIN_ROLE", await address(w.bob));
      await expectRevert(attack(w.bob), w.errors, "VerifierApprovalPending", [
        alwaysTrue,
        codeHash,
        effectiveAt,
      ]);
      await expectRevert(
        approveVerifier(policies(w.admin), codeHash),
        w.errors,
        "VerifierApprovalNotYetEffective",
        [codeHash, effectiveAt],
      );
      // 4. Only after the delay: what one key can do, given the time and a second address.
      await mineAt(effectiveAt as bigint);
      await approveVerifier(policies(w.admin), codeHash);
      await attack(w.bob);
      expect(await w.policyRegistry.getFunction("isActive")(ATTACK)).to.equal(true);
    });

    it("lets the default admin, and no one else, withdraw a proposal during the delay", async function () {
      const alwaysTrue = await deployRuntime(w.admin, ALWAYS_TRUE_RUNTIME);
      const codeHash = keccak256(ALWAYS_TRUE_RUNTIME);
      await proposeVerifier(policies(w.admin), alwaysTrue);
      await expectRevert(
        policies(w.stranger).getFunction("revokeVerifierApproval")(codeHash),
        w.errors,
        "AccessControlUnauthorizedAccount",
        [await address(w.stranger), DEFAULT_ADMIN_ROLE],
      );
      await (await policies(w.admin).getFunction("revokeVerifierApproval")(codeHash)).wait();
      await mineAt((await now()) + APPROVAL_DELAY);
      await expectRevert(
        approveVerifier(policies(w.admin), codeHash),
        w.errors,
        "UnknownVerifierApproval",
        [codeHash],
      );
    });

    it("lets each role do only its job, and no role grant roles", async function () {
      const [publisher, policyAdmin, custodianAdmin, stranger] = [
        w.publisher,
        w.policyAdmin,
        w.custodianAdmin,
        w.stranger,
      ];
      const PUBLISHER = publisherRoleOf(FEED);
      const actions: Record<string, (as: Signer) => Promise<unknown>> = {
        [PUBLISHER]: async (as) =>
          postRound(book(as), {
            feed: FEED,
            round: ROUND + 1n,
            timestamp: w.roundTimestamp,
            commitment: 1n,
          }),
        [POLICY_ADMIN_ROLE]: async (as) => policies(as).getFunction("retirePolicy")(OTHER_POLICY),
        [CUSTODIAN_ADMIN_ROLE]: async (as) =>
          addCustodian(policies(as), VENUE, await address(w.bob)),
      };
      const invalidate = (as: Signer) => invalidateRound(book(as), FEED, ROUND);
      const retire = (as: Signer) => policies(as).getFunction("retirePolicy")(POLICY);
      const remove = async (as: Signer) =>
        removeCustodian(policies(as), VENUE, await address(w.custodian));
      const holders: [Signer, string | undefined][] = [
        [publisher, PUBLISHER],
        [policyAdmin, POLICY_ADMIN_ROLE],
        [custodianAdmin, CUSTODIAN_ADMIN_ROLE],
        [stranger, undefined],
      ];
      for (const [signer, own] of holders) {
        const who = await address(signer);
        for (const [role, action] of Object.entries(actions)) {
          if (role === own) continue;
          await expectRevert(action(signer), w.errors, "AccessControlUnauthorizedAccount", [
            who,
            role,
          ]);
        }
        for (const [role, action] of [
          [PUBLISHER, invalidate],
          [POLICY_ADMIN_ROLE, retire],
          [CUSTODIAN_ADMIN_ROLE, remove],
        ] as const) {
          if (role === own) continue;
          await expectRevert(action(signer), w.errors, "AccessControlUnauthorizedAccount", [
            who,
            role,
          ]);
        }
        // No operational role can grant one, its own included.
        for (const contract of [w.marketBook, w.policyRegistry]) {
          await expectRevert(
            (contract.connect(signer) as Contract).getFunction("grantRole")(
              own ?? PUBLISHER_ROLE,
              await address(w.stranger),
            ),
            w.errors,
            "AccessControlUnauthorizedAccount",
            [who, DEFAULT_ADMIN_ROLE],
          );
        }
      }
      // Each holder does its own job.
      for (const [signer, own] of holders.slice(0, 3)) await actions[own as string](signer);
    });

    it("transfers the admin in two steps with a delay, on MarketBook and on PolicyRegistry", async function () {
      const [admin, next, stranger] = await Promise.all(
        [w.admin, w.bob, w.stranger].map((s) => s.getAddress()),
      );
      for (const [contract, role] of [
        [w.marketBook, publisherRoleOf(FEED)],
        [w.policyRegistry, POLICY_ADMIN_ROLE],
      ] as const) {
        const as = (s: Signer) => contract.connect(s) as Contract;
        expect(await contract.getFunction("defaultAdmin")()).to.equal(admin);
        expect(await contract.getFunction("defaultAdminDelay")()).to.equal(DEFAULT_ADMIN_DELAY);
        // No shortcut: DEFAULT_ADMIN_ROLE cannot be granted directly.
        await expectRevert(
          as(w.admin).getFunction("grantRole")(DEFAULT_ADMIN_ROLE, next),
          w.errors,
          "AccessControlEnforcedDefaultAdminRules",
        );
        await expectRevert(
          as(w.stranger).getFunction("beginDefaultAdminTransfer")(stranger),
          w.errors,
          "AccessControlUnauthorizedAccount",
          [stranger, DEFAULT_ADMIN_ROLE],
        );
        const begun = await (
          await as(w.admin).getFunction("beginDefaultAdminTransfer")(next)
        ).wait();
        const schedule = (await blockTimestamp(begun)) + DEFAULT_ADMIN_DELAY;
        expect([...(await contract.getFunction("pendingDefaultAdmin")())]).to.deep.equal([
          next,
          schedule,
        ]);
        await expectRevert(
          as(w.stranger).getFunction("acceptDefaultAdminTransfer")(),
          w.errors,
          "AccessControlInvalidDefaultAdmin",
          [stranger],
        );
        // Not before the delay has passed: at the schedule itself it is still too early.
        await setNextTimestamp(schedule);
        await expectRevert(
          as(w.bob).getFunction("acceptDefaultAdminTransfer")(),
          w.errors,
          "AccessControlEnforcedDefaultAdminDelay",
          [schedule],
        );
        await setNextTimestamp(schedule + 1n);
        await (await as(w.bob).getFunction("acceptDefaultAdminTransfer")()).wait();
        expect(await contract.getFunction("defaultAdmin")()).to.equal(next);
        expect(await contract.getFunction("hasRole")(DEFAULT_ADMIN_ROLE, admin)).to.equal(false);
        // The old admin can no longer grant roles; the new one can.
        const grant = (as_: Signer) => as(as_).getFunction("grantRole")(role, stranger);
        await expectRevert(grant(w.admin), w.errors, "AccessControlUnauthorizedAccount", [
          admin,
          DEFAULT_ADMIN_ROLE,
        ]);
        await (await grant(w.bob)).wait();
      }
    });
  });

  describe("MarginRegistry.prove", function () {
    it("accepts a proof whose public signals are rebuilt from chain state, and records the status", async function () {
      const alice = await address(w.alice);
      const pledged = await pledge(w.alice);
      const receipt = await proveAs(w.alice, { pledge: pledged });
      expect(eventArgs(w.marginRegistry, receipt, "MarginProved")).to.deep.equal([
        alice,
        POLICY,
        ROUND,
        1n,
        [PORTFOLIO],
      ]);
      const registration = (await w.policyRegistry.getFunction("currentRegistrationAt")(
        VENUE,
        await address(w.custodian),
      )) as bigint;
      expect(registration).to.not.equal(0n);
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.equal({
        round: ROUND,
        roundTimestamp: w.roundTimestamp,
        nonce: 1n,
        pledgesValidUntil: pledged.validUntil,
        epochSum: 0n,
        currentEpochSum: 0n,
        revoked: false,
        pledges: [{ custodian: await address(w.custodian), registration, active: true }],
      });
      expect(await sufficient(w.alice, POLICY, HOUR)).to.equal(true);
      expect(await nextNonce(w.marginRegistry, alice, POLICY)).to.equal(2n);
      const events = await marginProvedEvents(w.marginRegistry, { account: alice });
      expect(
        events.map((e) => [e.account, e.policyId, e.round, e.nonce, e.portfolioCommitments]),
      ).to.deep.equal([[alice, POLICY, ROUND, 1n, [PORTFOLIO]]]);
    });

    it("folds account and nonce into the first signal, uint160(account) | nonce << 160, as the SDK does", async function () {
      const alice = await address(w.alice);
      const nonce = 2n ** 32n;
      const folded = BigInt(alice) | (nonce << 160n);
      expect(accountNonceOf(alice, nonce)).to.equal(folded);
      const signals = [folded, market(ROUND), POLICY_COMMITMENT, PORTFOLIO];
      expect(signalsOf(alice, nonce)).to.deep.equal(signals);
      expect(decodePublicSignals(signals.map(String))).to.deep.equal({
        account: alice,
        nonce,
        marketCommitment: market(ROUND),
        policyCommitment: POLICY_COMMITMENT,
        portfolioCommitments: [PORTFOLIO],
      });
      await expectSignals(signals);
      await submitProof(registry(w.alice), {
        policyId: POLICY,
        round: ROUND,
        portfolioCommitments: [PORTFOLIO],
        nonce,
        proof: PROOF,
        pledges: [await pledge(w.alice)],
      });
      expect((await readStatus(w.marginRegistry, alice, POLICY)).nonce).to.equal(nonce);
    });

    it("binds the account: the same proof submitted by another account is refused", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const submission = async (account: Signer): Promise<Parameters<typeof submitProof>[1]> => ({
        policyId: POLICY,
        round: ROUND,
        portfolioCommitments: [PORTFOLIO],
        nonce: 1n,
        proof: PROOF,
        pledges: [await pledge(account)],
      });
      await expectRevert(
        submitProof(registry(w.bob), await submission(w.bob)),
        w.errors,
        "InvalidProof",
      );
      expect(
        await w.marginRegistry.getFunction("lastNonce")(await address(w.bob), POLICY),
      ).to.equal(0n);
      await submitProof(registry(w.alice), await submission(w.alice));
    });

    it("binds the nonce: the same proof with another nonce is refused", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const pledges = [await pledge(w.alice)];
      const base = {
        policyId: POLICY,
        round: ROUND,
        portfolioCommitments: [PORTFOLIO],
        proof: PROOF,
      };
      for (const nonce of [2n, 2n ** 32n]) {
        await expectRevert(
          submitProof(registry(w.alice), { ...base, nonce, pledges }),
          w.errors,
          "InvalidProof",
        );
      }
      await submitProof(registry(w.alice), { ...base, nonce: 1n, pledges });
    });

    it("refuses a proof for another policy (policy commitment from the registry)", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: OTHER_POLICY,
          round: ROUND,
          portfolioCommitments: [PORTFOLIO],
          nonce: 1n,
          proof: PROOF,
          pledges: [await pledge(w.alice)],
        }),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a proof for another round (market commitment from the policy's feed)", async function () {
      await postNext();
      await expectSignals(signalsOf(await address(w.alice), 1n));
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: POLICY,
          round: ROUND + 1n,
          portfolioCommitments: [PORTFOLIO],
          nonce: 1n,
          proof: PROOF,
          pledges: [await pledge(w.alice)],
        }),
        w.errors,
        "InvalidProof",
      );
    });

    it("reads the round from the policy's feed: another layout's round is unknown or its commitment is not this feed's", async function () {
      // OTHER_FEED holds ROUND and ROUND + 1 (another layout's commitments); FEED holds ROUND only.
      await postRound(book(w.publisher), {
        feed: OTHER_FEED,
        round: ROUND,
        timestamp: await now(),
        commitment: market(ROUND, OTHER_FEED),
      });
      await postNext({ feed: OTHER_FEED });
      await expectRevert(proveAs(w.alice, { round: ROUND + 1n }), w.errors, "UnknownRound", [
        ROUND + 1n,
      ]);
      // A proof made against OTHER_FEED's round ROUND does not verify for POLICY (on FEED).
      const alice = await address(w.alice);
      await expectSignals(signalsOf(alice, 1n, { market: market(ROUND, OTHER_FEED) }));
      const submission: Parameters<typeof submitProof>[1] = {
        policyId: POLICY,
        round: ROUND,
        portfolioCommitments: [PORTFOLIO],
        nonce: 1n,
        proof: PROOF,
        pledges: [await pledge(w.alice)],
      };
      await expectRevert(submitProof(registry(w.alice), submission), w.errors, "InvalidProof");
      // It does for a policy of the same venue on OTHER_FEED (round ROUND within its grace).
      const LAYOUT_B = policyIdOf("layout-b");
      await registerTestPolicy(LAYOUT_B, { feed: OTHER_FEED });
      await submitProof(registry(w.alice), { ...submission, policyId: LAYOUT_B });
      expect(await sufficient(w.alice, LAYOUT_B)).to.equal(true);
      expect(await sufficient(w.alice, POLICY)).to.equal(false);
    });

    it("refuses a proof for another portfolio commitment", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: POLICY,
          round: ROUND,
          portfolioCommitments: [PORTFOLIO + 1n],
          nonce: 1n,
          proof: PROOF,
          pledges: [await pledge(w.alice, { portfolio: PORTFOLIO + 1n })],
        }),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a replay and any nonce not above the last, per (account, policy)", async function () {
      await proveAs(w.alice, { nonce: 5n });
      await expectRevert(proveAs(w.alice, { nonce: 5n }), w.errors, "NonceNotIncreasing", [5n, 5n]);
      await expectRevert(proveAs(w.alice, { nonce: 4n }), w.errors, "NonceNotIncreasing", [4n, 5n]);
      await proveAs(w.alice, { nonce: 6n });
      // Bob starts from zero, and zero itself is refused.
      await expectRevert(proveAs(w.bob, { nonce: 0n }), w.errors, "NonceNotIncreasing", [0n, 0n]);
      await proveAs(w.bob, { nonce: 1n });
      // Alice's nonce under another policy starts from zero too.
      await proveAs(w.alice, { policyId: OTHER_POLICY, nonce: 1n });
    });

    it("refuses an unknown policy and a retired one", async function () {
      const unknown = policyIdOf("unknown");
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: unknown,
          round: ROUND,
          portfolioCommitments: [PORTFOLIO],
          nonce: 1n,
          proof: PROOF,
        }),
        w.errors,
        "UnknownPolicy",
        [unknown],
      );
      await (await policies(w.policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
      await expectRevert(proveAs(w.alice), w.errors, "PolicyRetired", [POLICY]);
    });

    it("refuses an unknown round", async function () {
      await expectRevert(proveAs(w.alice, { round: ROUND + 9n }), w.errors, "UnknownRound", [
        ROUND + 9n,
      ]);
    });

    it("accepts a round exactly maxRoundAge old and refuses one a second older", async function () {
      const pledged = await pledge(w.alice, { validUntil: w.roundTimestamp + 10n * HOUR });
      const restore = await snapshot();
      await expectRevert(
        proveAs(w.alice, { pledge: pledged, at: w.roundTimestamp + MAX_ROUND_AGE + 1n }),
        w.errors,
        "StaleRound",
        [ROUND, w.roundTimestamp, MAX_ROUND_AGE],
      );
      await restore();
      await proveAs(w.alice, { pledge: pledged, at: w.roundTimestamp + MAX_ROUND_AGE });
    });

    it("refuses a portfolio commitment at the field modulus", async function () {
      await expectRevert(
        proveAs(w.alice, { portfolio: SCALAR_FIELD }),
        w.errors,
        "PortfolioCommitmentOutOfField",
        [0n, SCALAR_FIELD],
      );
    });

    it("refuses each proof coordinate at the base field modulus, naming it", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const pledges = [await pledge(w.alice)];
      for (let i = 0; i < 8; i++) {
        const coords = proofCoordinates(PROOF);
        coords[i] = BN254_BASE_FIELD;
        await expectRevert(
          submitProof(registry(w.alice), {
            policyId: POLICY,
            round: ROUND,
            portfolioCommitments: [PORTFOLIO],
            nonce: 1n,
            proof: proofFromCoordinates(coords),
            pledges,
          }),
          w.errors,
          "ProofCoordinateOutOfField",
          [BigInt(i)],
        );
      }
    });

    it("refuses a flipped bit in each proof element", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const pledges = [await pledge(w.alice)];
      for (let i = 0; i < 8; i++) {
        const coords = proofCoordinates(PROOF);
        coords[i] ^= 1n;
        await expectRevert(
          submitProof(registry(w.alice), {
            policyId: POLICY,
            round: ROUND,
            portfolioCommitments: [PORTFOLIO],
            nonce: 1n,
            proof: proofFromCoordinates(coords),
            pledges,
          }),
          w.errors,
          "InvalidProof",
        );
      }
    });
    it("refuses a commitment count other than the policy's pledge slots", async function () {
      for (const portfolios of [[], [PORTFOLIO, 0n], [PORTFOLIO, 0n, 0n, 0n]]) {
        await expectRevert(
          submitProof(registry(w.alice), {
            policyId: POLICY,
            round: ROUND,
            nonce: 1n,
            portfolioCommitments: portfolios,
            proof: PROOF,
            pledges: [await pledge(w.alice)],
          }),
          w.errors,
          "CommitmentCount",
          [1n, BigInt(portfolios.length)],
        );
      }
      await expectRevert(
        proveIn(w, w.alice, { policyId: POLICY4, portfolios: [PORTFOLIO] }),
        w.errors,
        "CommitmentCount",
        [4n, 1n],
      );
    });
  });

  describe("nonces", function () {
    it("bounds the step to MAX_NONCE_STEP (2^32): one more is refused, exactly 2^32 is accepted, 2^64 - 1 is out of reach", async function () {
      const step = (await w.marginRegistry.getFunction("MAX_NONCE_STEP")()) as bigint;
      expect(step).to.equal(2n ** 32n);
      // The lock-out attack: jump straight to the last nonce.
      await expectRevert(proveAs(w.alice, { nonce: UINT64_MAX }), w.errors, "NonceStepTooLarge", [
        UINT64_MAX,
        0n,
      ]);
      await expectRevert(proveAs(w.alice, { nonce: step + 1n }), w.errors, "NonceStepTooLarge", [
        step + 1n,
        0n,
      ]);
      await proveAs(w.alice, { nonce: step });
      await expectRevert(proveAs(w.alice, { nonce: UINT64_MAX }), w.errors, "NonceStepTooLarge", [
        UINT64_MAX,
        step,
      ]);
      await expectRevert(
        proveAs(w.alice, { nonce: 2n * step + 1n }),
        w.errors,
        "NonceStepTooLarge",
        [2n * step + 1n, step],
      );
      // The step is measured from the last nonce, and the high nonce is folded into the signal.
      await proveAs(w.alice, { nonce: 2n * step });
      expect((await readStatus(w.marginRegistry, await address(w.alice), POLICY)).nonce).to.equal(
        2n * step,
      );
    });
  });

  describe("latest-round rule (cherry-picked rounds)", function () {
    it("accepts the previous round within supersededGrace after its successor was posted, and refuses it after", async function () {
      const t = (await now()) + 10n;
      await postNext({ at: t });
      const restore = await snapshot();
      await expectRevert(
        proveAs(w.alice, { round: ROUND, at: t + GRACE }),
        w.errors,
        "RoundSuperseded",
        [ROUND],
      );
      // The latest round is what is left.
      await proveAs(w.alice, { round: ROUND + 1n });
      await restore();
      await proveAs(w.alice, { round: ROUND, at: t + GRACE - 1n });
      expect((await readStatus(w.marginRegistry, await address(w.alice), POLICY)).round).to.equal(
        ROUND,
      );
    });

    it("refuses a round once the round after its successor is posted, even within the grace", async function () {
      await postNext();
      await postNext();
      await expectRevert(proveAs(w.alice, { round: ROUND }), w.errors, "RoundSuperseded", [ROUND]);
      await proveAs(w.alice, { round: ROUND + 1n });
      await proveAs(w.alice, { round: ROUND + 2n, nonce: 2n });
    });

    it("counts only the latest round with a grace of zero", async function () {
      const STRICT = policyIdOf("strict");
      await registerTestPolicy(STRICT, { supersededGrace: 0n });
      await addCustodian(policies(w.custodianAdmin), STRICT, await address(w.custodian));
      await proveAs(w.alice, { policyId: STRICT, round: ROUND });
      expect(await sufficient(w.alice, STRICT)).to.equal(true);
      const t = (await now()) + 10n;
      await postNext({ at: t });
      // Stops counting in the very block of the new round.
      expect(await sufficient(w.alice, STRICT)).to.equal(false);
      await expectRevert(
        proveAs(w.alice, { policyId: STRICT, round: ROUND, nonce: 2n }),
        w.errors,
        "RoundSuperseded",
        [ROUND],
      );
      await proveAs(w.alice, { policyId: STRICT, round: ROUND + 1n, nonce: 2n });
      expect(await sufficient(w.alice, STRICT)).to.equal(true);
    });

    it("counts a status in isMarginSufficient under the same rule", async function () {
      await proveAs(w.alice, { round: ROUND });
      const t = (await now()) + 10n;
      await postNext({ at: t });
      const restore = await snapshot();
      await mineAt(t + GRACE - 1n);
      expect(await sufficient(w.alice)).to.equal(true);
      await mineAt(t + GRACE);
      expect(await sufficient(w.alice)).to.equal(false);
      await restore();
      // Within the grace, the round after the successor ends it at once.
      expect(await sufficient(w.alice)).to.equal(true);
      await postNext();
      expect(await sufficient(w.alice)).to.equal(false);
      expect((await readStatus(w.marginRegistry, await address(w.alice), POLICY)).round).to.equal(
        ROUND,
      );
    });

    it("keeps counting a status on the latest round while it is the latest", async function () {
      await postNext();
      await proveAs(w.alice, { round: ROUND + 1n });
      await mineAt((await now()) + 10n * GRACE);
      expect(await sufficient(w.alice)).to.equal(true);
      await postNext();
      expect(await sufficient(w.alice)).to.equal(true);
    });

    it("refuses a new nonce that would move a status back to an older round", async function () {
      await postNext();
      await proveAs(w.alice, { round: ROUND + 1n });
      // ROUND is still within its grace, but older than the status.
      await expectRevert(
        proveAs(w.alice, { round: ROUND, nonce: 2n }),
        w.errors,
        "RoundBeforeStatus",
        [ROUND, ROUND + 1n],
      );
      // The same round again is fine, and so is another account on the older round.
      await proveAs(w.alice, { round: ROUND + 1n, nonce: 2n });
      await proveAs(w.bob, { round: ROUND });
    });

    it("refuses an invalidated round, latest or not, and stops counting a status on it", async function () {
      await proveAs(w.alice, { round: ROUND });
      await proveAs(w.bob, { round: ROUND });
      await invalidateRound(book(w.publisher), FEED, ROUND);
      expect(await sufficient(w.alice)).to.equal(false);
      await expectRevert(
        proveAs(w.alice, { round: ROUND, nonce: 2n }),
        w.errors,
        "RoundInvalidated",
        [ROUND],
      );
      // The corrected data is the next round.
      await postNext();
      await proveAs(w.alice, { round: ROUND + 1n, nonce: 2n });
      expect(await sufficient(w.alice)).to.equal(true);
      expect(await sufficient(w.bob)).to.equal(false);
      // An invalidated round in another feed with the same number changes nothing here.
      await postRound(book(w.publisher), {
        feed: OTHER_FEED,
        round: ROUND + 1n,
        timestamp: await now(),
        commitment: market(ROUND + 1n, OTHER_FEED),
      });
      await invalidateRound(book(w.publisher), OTHER_FEED, ROUND + 1n);
      expect(await sufficient(w.alice)).to.equal(true);
    });
  });

  describe("MarginRegistry.proveFor (relayed)", function () {
    /**
     * A relayed submission of alice's (or `account`'s) one-slot proof under POLICY with the
     * custodian's pledge, and the ProveRequest signed over it (by `signer`, default the account)
     * with the types written by hand.
     */
    async function request(
      account: Signer,
      overrides: Partial<ProveRequestMessage> & { signer?: Signer } = {},
    ): Promise<RelayedSubmission & { message: ProveRequestMessage }> {
      const signed = await pledge(account);
      const { signer, ...fields } = overrides;
      const submission = {
        account: await account.getAddress(),
        policyId: POLICY,
        round: ROUND,
        nonce: 1n,
        deadline: (await now()) + HOUR,
        portfolioCommitments: [PORTFOLIO],
        proof: PROOF,
        pledges: [signed],
      };
      const message = { ...proveRequestOf(submission, VENUE), ...fields };
      const accountSignature = await (signer ?? account).signTypedData(
        w.domain,
        PROVE_REQUEST_TYPES_BY_HAND,
        message,
      );
      return { ...submission, accountSignature, message };
    }

    it("lets anyone submit an account's signed request, once", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const req = await request(w.alice);
      // The SDK sends an EOA's signature as EIP-2098's 64 bytes; the registry takes both forms.
      expect(await signProveRequest(w.alice, w.domain, req.message)).to.equal(
        Signature.from(req.accountSignature).compactSerialized,
      );
      const receipt = await submitProofFor(registry(w.stranger), req);
      expect(eventArgs(w.marginRegistry, receipt, "MarginProved")[0]).to.equal(
        await address(w.alice),
      );
      expect(await sufficient(w.alice, POLICY, HOUR)).to.equal(true);
      await expectRevert(
        submitProofFor(registry(w.stranger), req),
        w.errors,
        "NonceNotIncreasing",
        [1n, 1n],
      );
    });

    it("refuses a relayer's weaker pledge of the same commitment (front-running): earlier validUntil, other issuedAt, another custodian, none", async function () {
      const alice = await address(w.alice);
      await expectSignals(signalsOf(alice, 1n));
      const signed = await request(w.alice);
      const strong = signed.pledges![0];
      const weaker = [
        [await pledge(w.alice, { issuedAt: strong.issuedAt, validUntil: strong.issuedAt + 60n })],
        [await pledge(w.alice, { issuedAt: strong.issuedAt - 1n, validUntil: strong.validUntil })],
        [
          await pledge(w.alice, {
            signer: w.custodian2,
            issuedAt: strong.issuedAt,
            validUntil: strong.validUntil,
          }),
        ],
        [],
      ];
      for (const pledges of weaker) {
        await expectRevert(
          submitProofFor(registry(w.stranger), { ...signed, pledges }),
          w.errors,
          pledges.length === 0 ? "PledgeMissing" : "InvalidAccountSignature",
        );
      }
      // Nothing was burnt: the nonce is unused and the signed pledge goes through.
      expect(await w.marginRegistry.getFunction("lastNonce")(alice, POLICY)).to.equal(0n);
      await submitProofFor(registry(w.stranger), signed);
      const status = await readStatus(w.marginRegistry, alice, POLICY);
      expect(status.pledgesValidUntil).to.equal(strong.validUntil);
    });

    it("refuses a request not signed by the account", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      await expectRevert(
        submitProofFor(registry(w.stranger), await request(w.alice, { signer: w.bob })),
        w.errors,
        "InvalidAccountSignature",
      );
    });

    it("takes the account's ECDSA signature as 65 bytes or EIP-2098's 64, and refuses another's, a high s, a bad v and other lengths", async function () {
      const alice = await address(w.alice);
      await expectSignals(signalsOf(alice, 1n));
      const req = await request(w.alice);
      const signature = Signature.from(req.accountSignature);
      const byBob = Signature.from((await request(w.alice, { signer: w.bob })).accountSignature);
      // The same signature with s replaced by n - s (and the parity flipped): valid for
      // ecrecover, refused as OpenZeppelin's ECDSA refuses a high s.
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const highS = BigInt(signature.s) > n / 2n ? BigInt(signature.s) : n - BigInt(signature.s);
      const flippedV = signature.v === 27 ? 28 : 27;
      for (const bad of [
        byBob.compactSerialized,
        concat([signature.r, toBeHex(highS | (BigInt(flippedV - 27) << 255n), 32)]),
        concat([signature.r, toBeHex(highS, 32), toBeHex(flippedV, 1)]),
        concat([signature.r, signature.s, toBeHex(signature.v + 2, 1)]),
        dataSlice(signature.compactSerialized, 0, 63),
        concat([signature.serialized, "0x00"]),
      ]) {
        await expectRevert(
          submitProofFor(registry(w.stranger), { ...req, accountSignature: bad }),
          w.errors,
          "InvalidAccountSignature",
        );
      }
      const receipt = await submitProofFor(registry(w.stranger), {
        ...req,
        accountSignature: signature.compactSerialized,
      });
      expect(eventArgs(w.marginRegistry, receipt, "MarginProved")[0]).to.equal(alice);
    });

    it("refuses a request whose fields were changed after signing", async function () {
      const req = await request(w.alice);
      await expectSignals(signalsOf(await address(w.alice), 2n));
      for (const changed of [
        { nonce: 2n },
        { round: ROUND + 1n },
        { policyId: OTHER_POLICY },
        { deadline: req.deadline + 1n },
        { account: await address(w.bob) },
      ]) {
        await expectRevert(
          submitProofFor(registry(w.stranger), { ...req, ...changed }),
          w.errors,
          // Another round is not posted; another account's pledge is not this one.
          "round" in changed
            ? "UnknownRound"
            : "account" in changed
              ? "InvalidPledgeSignature"
              : "InvalidAccountSignature",
        );
      }
    });

    it("signs the commitments and the pledges: a request over another commitment or pledge is refused", async function () {
      const alice = await address(w.alice);
      const req = await request(w.alice);
      // Signed over other commitments or another pledge than those submitted.
      for (const message of [
        { ...req.message, portfolioCommitments: [PORTFOLIO + 1n] },
        {
          ...req.message,
          pledges: [
            { ...req.message.pledges[0], validUntil: req.message.pledges[0].validUntil + 1n },
          ],
        },
        { ...req.message, pledges: [] },
      ]) {
        const accountSignature = await w.alice.signTypedData(
          w.domain,
          PROVE_REQUEST_TYPES_BY_HAND,
          message,
        );
        await expectRevert(
          submitProofFor(registry(w.stranger), { ...req, accountSignature }),
          w.errors,
          "InvalidAccountSignature",
        );
      }
      expect(await w.marginRegistry.getFunction("lastNonce")(alice, POLICY)).to.equal(0n);
    });

    it("accepts a request until its deadline inclusive, and refuses it after", async function () {
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const deadline = (await now()) + 10n;
      const req = await request(w.alice, { deadline });
      const submission = { ...req, deadline };
      const restore = await snapshot();
      await setNextTimestamp(deadline + 1n);
      await expectRevert(
        submitProofFor(registry(w.stranger), submission),
        w.errors,
        "RequestExpired",
        [deadline],
      );
      await restore();
      await setNextTimestamp(deadline);
      await submitProofFor(registry(w.stranger), submission);
    });

    it("refuses the zero account", async function () {
      const req = await request(w.alice);
      await expectRevert(
        submitProofFor(registry(w.stranger), { ...req, account: ZeroAddress }),
        w.errors,
        "ZeroAccount",
      );
    });

    it("accepts an ERC-1271 contract account", async function () {
      const wallet = await deployArtifact(w.admin, loadArtifact("ERC1271Wallet"), [
        await address(w.bob),
      ]);
      const submission = {
        account: wallet.address,
        policyId: POLICY,
        round: ROUND,
        nonce: 1n,
        deadline: (await now()) + HOUR,
        portfolioCommitments: [PORTFOLIO],
        proof: PROOF,
        pledges: [await pledge(wallet.address)],
      };
      const accountSignature = await w.bob.signTypedData(
        w.domain,
        PROVE_REQUEST_TYPES_BY_HAND,
        proveRequestOf(submission, VENUE),
      );
      await expectSignals(signalsOf(wallet.address, 1n));
      await submitProofFor(registry(w.stranger), { ...submission, accountSignature });
      expect(await sufficient(w.bob, POLICY, HOUR)).to.equal(false);
      expect(
        await w.marginRegistry.getFunction("isMarginSufficient")(wallet.address, POLICY, HOUR),
      ).to.equal(true);
    });

    it("relays for a policy without pledges, the request naming none", async function () {
      const OPEN = policyIdOf("open-policy");
      await registerTestPolicy(OPEN, { requiresPledges: false });
      await expectSignals(signalsOf(await address(w.alice), 1n));
      const submission = {
        account: await address(w.alice),
        policyId: OPEN,
        round: ROUND,
        nonce: 1n,
        deadline: (await now()) + HOUR,
        portfolioCommitments: [PORTFOLIO],
        proof: PROOF,
      };
      const message = proveRequestOf(submission, VENUE);
      expect(message.pledges).to.deep.equal([]);
      const accountSignature = await signProveRequest(w.alice, w.domain, message);
      await submitProofFor(registry(w.stranger), { ...submission, accountSignature });
      expect(await sufficient(w.alice, OPEN)).to.equal(true);
    });
  });

  describe("isMarginSufficient", function () {
    const maxAge = 2n * HOUR;

    it("is false without a status", async function () {
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(false);
    });

    it("expires when the proven round is older than maxAge (round timestamp, inclusive bound)", async function () {
      await proveAs(w.alice, {
        pledge: await pledge(w.alice, { validUntil: w.roundTimestamp + 100n * HOUR }),
      });
      await mineAt(w.roundTimestamp + maxAge);
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(true);
      await mineAt(w.roundTimestamp + maxAge + 1n);
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(false);
      expect(await sufficient(w.alice, POLICY, maxAge + 1n)).to.equal(true);
    });

    it("is false once the policy is retired, and statusOf still shows the round's timestamp", async function () {
      await proveAs(w.alice);
      const alice = await address(w.alice);
      const before = await readStatus(w.marginRegistry, alice, POLICY);
      await (await policies(w.policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(false);
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.equal(before);
    });

    it("is false for a policy that never existed", async function () {
      const never = policyIdOf("never-registered");
      expect(await sufficient(w.alice, never)).to.equal(false);
      expect((await w.policyRegistry.getFunction("statusContext")(never, 0n)).counts).to.equal(
        false,
      );
    });

    it("is false once the pledge expires (inclusive bound)", async function () {
      const validUntil = (await now()) + 600n;
      await proveAs(w.alice, { pledge: await pledge(w.alice, { validUntil }) });
      await mineAt(validUntil);
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(true);
      await mineAt(validUntil + 1n);
      expect(await sufficient(w.alice, POLICY, maxAge)).to.equal(false);
    });

    it("is per policy and per account", async function () {
      await proveAs(w.alice);
      expect(await sufficient(w.alice, OTHER_POLICY, maxAge)).to.equal(false);
      expect(await sufficient(w.bob, POLICY, maxAge)).to.equal(false);
    });
  });

  describe("SDK helpers", function () {
    /** A pledge by the custodian to alice at VENUE, with fixed terms. */
    const samplePledge = async (): Promise<PledgeMessage> => ({
      custodian: await address(w.custodian),
      registration: 7n,
      account: await address(w.alice),
      venue: VENUE,
      portfolioCommitment: PORTFOLIO,
      epoch: 2n,
      issuedAt: 100n,
      validUntil: 123n,
    });

    it("computes the same EIP-712 type hashes, domain and digests as the contract", async function () {
      const typeHash = (types: typeof PLEDGE_TYPES, name: string) =>
        keccak256(toUtf8Bytes(TypedDataEncoder.from(types).encodeType(name)));
      expect(await w.marginRegistry.getFunction("PLEDGE_TYPEHASH")()).to.equal(
        typeHash(PLEDGE_TYPES, "Pledge"),
      );
      expect(await w.marginRegistry.getFunction("PROVE_REQUEST_TYPEHASH")()).to.equal(
        typeHash(PROVE_REQUEST_TYPES, "ProveRequest"),
      );
      expect(PLEDGE_TYPES).to.deep.equal({ Pledge: PLEDGE_FIELDS_BY_HAND });
      expect(PROVE_REQUEST_TYPES).to.deep.equal(PROVE_REQUEST_TYPES_BY_HAND);
      const { chainId } = await hre.ethers.provider.getNetwork();
      const registryAddress = await w.marginRegistry.getAddress();
      expect(w.domain).to.deep.equal(marginRegistryDomain(chainId, registryAddress));
      expect(w.domain.version).to.equal("3");
      expect(TypedDataEncoder.hashDomain(w.domain)).to.equal(
        await w.marginRegistry.getFunction("domainSeparator")(),
      );
      const message = await samplePledge();
      expect(pledgeDigest(w.domain, message)).to.equal(
        await w.marginRegistry.getFunction("pledgeDigest")(message),
      );
      const signed = { ...message, signature: "0x" };
      const req: ProveRequestMessage = {
        account: message.account,
        policyId: POLICY,
        round: ROUND,
        nonce: 3n,
        deadline: 456n,
        portfolioCommitments: [PORTFOLIO, 0n],
        pledges: [pledgeMessageOf(signed, message.account, VENUE, PORTFOLIO)],
      };
      expect(req.pledges[0]).to.deep.equal(message);
      expect(proveRequestDigest(w.domain, req)).to.equal(
        await w.marginRegistry.getFunction("proveRequestDigest")(req),
      );
    });

    it("carries a pledge's signature as (r, vs) and refuses one with no compact form", async function () {
      const message = await samplePledge();
      const signature = await w.custodian.signTypedData(w.domain, PLEDGE_TYPES, message);
      const signed = signedPledge(message, signature);
      const calldata = pledgeCalldata(signed);
      const { r, vs } = compactSignature(signature);
      expect([calldata.r, calldata.vs]).to.deep.equal([r, vs]);
      expect(r).to.equal(signature.slice(0, 66));
      expect(BigInt(vs) >> 255n).to.equal(BigInt(parseInt(signature.slice(130), 16) - 27));
      expect(expandedSignature(r, vs)).to.equal(signature);
      expect(signedPledgeFromCalldata(calldata)).to.deep.include({
        custodian: message.custodian,
        registration: 7n,
        epoch: 2n,
        issuedAt: 100n,
        validUntil: 123n,
        signature,
      });
      const highS = `${signature.slice(0, 66)}${"f".repeat(64)}${signature.slice(130)}`;
      for (const bad of [
        signature.slice(0, 130),
        `${signature}00`,
        `${signature.slice(0, 130)}01`,
        highS,
      ]) {
        expect(() => pledgeCalldata({ ...signed, signature: bad })).to.throw(
          RangeError,
          /pledge signature/,
        );
      }
    });

    it("@property EIP-712 digests match the contract for random messages", async function () {
      const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
      const addressArb = fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((b) => getAddress(hexlify(b)));
      const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
      const pledgeArb = fc.record({
        custodian: addressArb,
        registration: uint(32),
        account: addressArb,
        venue: bytes32,
        portfolioCommitment: uint(256),
        epoch: uint(64),
        issuedAt: uint(64),
        validUntil: uint(64),
      });
      const requestArb = fc.record({
        account: addressArb,
        policyId: bytes32,
        round: uint(64),
        nonce: uint(64),
        deadline: uint(64),
        portfolioCommitments: fc.array(uint(256), { minLength: 1, maxLength: 8 }),
        pledges: fc.array(pledgeArb, { maxLength: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(requestArb, async (req) => {
          for (const p of req.pledges) {
            expect(pledgeDigest(w.domain, p)).to.equal(
              await w.marginRegistry.getFunction("pledgeDigest")(p),
            );
          }
          expect(proveRequestDigest(w.domain, req)).to.equal(
            await w.marginRegistry.getFunction("proveRequestDigest")(req),
          );
        }),
        { numRuns: 40, seed: 5 },
      );
    });

    it("@property toSolidityProof keeps G1 coordinates and swaps each G2 pair", function () {
      const coordinate = fc.bigInt({ min: 0n, max: BN254_BASE_FIELD - 1n });
      fc.assert(
        fc.property(fc.array(coordinate, { minLength: 8, maxLength: 8 }), (v) => {
          const s = v.map(String);
          const converted = toSolidityProof({
            pi_a: [s[0], s[1], "1"],
            pi_b: [
              [s[2], s[3]],
              [s[4], s[5]],
              ["1", "0"],
            ],
            pi_c: [s[6], s[7], "1"],
            protocol: "groth16",
            curve: "bn128",
          });
          expect(proofCoordinates(converted)).to.deep.equal([
            v[0],
            v[1],
            v[3],
            v[2],
            v[5],
            v[4],
            v[6],
            v[7],
          ]);
          expect(proofFromCoordinates(proofCoordinates(converted))).to.deep.equal(converted);
        }),
        { numRuns: 200, seed: 7 },
      );
    });

    it("decodes a custom error wherever ethers, Hardhat or a JSON-RPC node put its data", async function () {
      const iface = w.marginRegistry.interface;
      const data = iface.encodeErrorResult("NonceNotIncreasing", [1n, 1n]);
      expect(data.slice(0, 10)).to.equal(iface.getError("NonceNotIncreasing")?.selector);
      const expected = { name: "NonceNotIncreasing", args: [1n, 1n] };
      // `npx hardhat node` through ethers: the data is one object-valued `data` further down.
      const fromNode = {
        code: "UNKNOWN_ERROR",
        error: {
          code: -32603,
          data: {
            data,
            message:
              "Error: VM Exception while processing transaction: reverted with custom error 'NonceNotIncreasing(1, 1)'",
          },
          message: "Internal JSON-RPC error.",
        },
        // What ethers also keeps: the request's calldata is not revert data.
        info: { payload: { method: "eth_estimateGas", params: [{ data: "0xdeadbeef" }] } },
      };
      expect(decodeRevert(fromNode, [iface])).to.deep.equal(expected);
      expect(decodeRevert({ code: "CALL_EXCEPTION", data }, [iface])).to.deep.equal(expected);
      expect(decodeRevert({ error: { error: { data } } }, [iface])).to.deep.equal(expected);
      expect(decodeRevert({ info: { error: { data } } }, [iface])).to.deep.equal(expected);
      // Nothing to find, not hex, an unknown selector, or a cycle: undefined, no hang.
      const cyclic: Record<string, unknown> = { code: "UNKNOWN_ERROR" };
      cyclic.error = cyclic;
      for (const error of [
        cyclic,
        new Error("plain"),
        { data: { message: "no data" } },
        { data: "reverted" },
        { data: "0x12345678" },
        "0x928e6f0b",
        null,
      ]) {
        expect(decodeRevert(error, [iface])).to.equal(undefined);
      }
    });

    it("refuses to read a domain from a contract that is not a MarginRegistry v3", async function () {
      async function readError(registry: BaseContract): Promise<unknown> {
        try {
          await readMarginRegistryDomain(registry);
        } catch (e) {
          return e;
        }
        return undefined;
      }
      const domainAbi = [
        "function eip712Domain() view returns (bytes1,string,string,uint256,address,bytes32,uint256[])",
      ];
      // A contract without eip712Domain().
      const fake = new Contract(await w.marketBook.getAddress(), domainAbi, w.admin);
      expect(await readError(fake)).to.be.instanceOf(Error);
      // A v2 registry (attestations, not pledges), and another EIP-712 contract.
      const registryAddress = await w.marginRegistry.getAddress();
      for (const [name, version] of [
        ["zkmargin MarginRegistry", "2"],
        ["Permit2", "3"],
      ]) {
        const answering = {
          getFunction: () => async () => ["0x0f", name, version, 31337n, registryAddress],
        } as unknown as BaseContract;
        expect(String(await readError(answering))).to.match(/is not a MarginRegistry v3/);
      }
      expect(await readMarginRegistryDomain(w.marginRegistry)).to.deep.equal(w.domain);
    });

    it("converts a snarkjs proof: drops z, swaps G2 coordinates, refuses non-affine and out-of-field values", function () {
      const snark = {
        pi_a: ["1", "2", "1"] as [string, string, string],
        pi_b: [
          ["3", "4"],
          ["5", "6"],
          ["1", "0"],
        ] as [[string, string], [string, string], [string, string]],
        pi_c: ["7", "8", "1"] as [string, string, string],
        protocol: "groth16" as const,
        curve: "bn128" as const,
      };
      expect(toSolidityProof(snark)).to.deep.equal({
        a: [1n, 2n],
        b: [
          [4n, 3n],
          [6n, 5n],
        ],
        c: [7n, 8n],
      });
      expect(() => toSolidityProof({ ...snark, pi_a: ["1", "2", "2"] })).to.throw(/affine/);
      expect(() =>
        toSolidityProof({
          ...snark,
          pi_b: [
            ["3", "4"],
            ["5", "6"],
            ["0", "1"],
          ],
        }),
      ).to.throw(/affine/);
      expect(() =>
        toSolidityProof({ ...snark, pi_c: [BN254_BASE_FIELD.toString(), "8", "1"] }),
      ).to.throw(/pi_c\[0\].*base field/);
      expect(() => toSolidityProof({ ...snark, pi_a: ["-1", "2", "1"] })).to.throw(/decimal/);
    });
  });
});
