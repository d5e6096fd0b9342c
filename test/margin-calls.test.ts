/**
 * Margin calls (MarginRegistry.callMargin / withdrawMarginCall / settleMarginCall / marginCallOf)
 * with the stand-in verifier of contracts.test.ts: who may call, what a call records, the deadline
 * (the cure window from the first round posted after the call), the cure (a status that counts, on
 * a round posted after the call), the expiry (isMarginSufficient false from the deadline on,
 * inclusive), withdrawal, the events, and that `prove` itself is untouched. Each edge of issue 18
 * is performed as an attack or a stuck call next to its honest path. Real proofs:
 * contracts.e2e.test.ts.
 */
import { expect } from "chai";
import { AbiCoder, Contract, ZeroAddress, keccak256 } from "ethers";
import type { Interface, Signer, TypedDataDomain } from "ethers";
import {
  VENUE_ROLE,
  addCustodian,
  callMargin,
  deadlineText,
  deployArtifact,
  deployZkMargin,
  grantVenue,
  invalidateRound,
  isMarginSufficient,
  loadArtifact,
  marginCalledEvents,
  policyIdOf,
  postRound,
  proofFromCoordinates,
  readFeedHead,
  readMarginCall,
  readMarginRegistryDomain,
  registerPolicy,
  readPledgeTerms,
  removeCustodian,
  revokePledges,
  settleMarginCall,
  signPledge,
  submitProof,
  venueRoleOf,
  withdrawMarginCall,
  type SignedPledge,
  venueIdOf,
} from "../prover/src/chain";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import { standInProofHash } from "../prover/src/gas/stand-in";
import { feedIdOf } from "../prover/src/layout";
import { accountNonceOf } from "../prover/src/encoding";
import { seconds, unixTime } from "../prover/src/time";
import {
  blockTimestamp,
  compileContracts,
  eventArgs,
  expectRevert,
  hre,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
} from "./contracts.fixture";

/** Shorter than the grace, so that a status on the call's round still counts at the deadline. */
const CURE_WINDOW = 900n;
const GRACE = 3600n;
const MAX_AGE = 24n * 3600n;
const FEED = feedIdOf(0xca11n);
const POLICY = policyIdOf("venue-maintenance");
const NO_CALLS = policyIdOf("venue-no-calls");
const OTHER = policyIdOf("venue-initial");
/** POLICY's twin that requires a custodian pledge. */
const ATTESTED = policyIdOf("venue-attested");
/** The venue of every policy here. */
const VENUE = venueIdOf("margin-call venue");
const COMMITMENT = 0x4242n;
const PORTFOLIO = 0x7777n;
const PROOF = proofFromCoordinates([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);

/** The market commitment posted for `round` (distinct per round). */
function market(round: bigint): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64"], [round]))) >> 8n;
}

describe("margin calls (test verifier)", function () {
  let admin: Signer, publisher: Signer, venue: Signer, alice: Signer, stranger: Signer;
  let policyAdmin: Signer, custodianAdmin: Signer, custodian: Signer;
  let registry: Contract, book: Contract, policies: Contract, verifier: Contract;
  let domain: TypedDataDomain;
  let errors: Interface[];
  let nonce = 0n;
  let account: string;

  const as = (contract: Contract, signer: Signer) => contract.connect(signer) as Contract;

  /** Posts the feed's next round, at block time `at` when given. */
  async function postNext(at?: bigint): Promise<bigint> {
    const round = (await readFeedHead(book, FEED)).latestRound + 1n;
    if (at !== undefined) await setNextTimestamp(at);
    await postRound(as(book, publisher), {
      feed: FEED,
      round,
      timestamp: at ?? (await now()),
      commitment: market(round),
    });
    return round;
  }

  /** The custodian's pledge of PORTFOLIO for alice, issued now, valid until `validUntil`. */
  async function attest(validUntil?: bigint): Promise<SignedPledge> {
    const issuedAt = await now();
    const address = await custodian.getAddress();
    return signPledge(custodian, domain, {
      custodian: address,
      ...(await readPledgeTerms(registry, address, account, VENUE)),
      account,
      venue: VENUE,
      portfolioCommitment: PORTFOLIO,
      issuedAt,
      validUntil: validUntil ?? issuedAt + MAX_AGE,
    });
  }

  /** Alice proves on `round` (the feed's latest by default) with the next nonce. */
  async function prove(round?: bigint, policyId = POLICY, pledge?: SignedPledge) {
    const r = round ?? (await readFeedHead(book, FEED)).latestRound;
    nonce += 1n;
    const signals = [accountNonceOf(account, nonce), market(r), COMMITMENT, PORTFOLIO];
    await (await verifier.getFunction("expect")(standInProofHash(PROOF), signals)).wait();
    return submitProof(as(registry, alice), {
      policyId,
      round: r,
      portfolioCommitments: [PORTFOLIO],
      nonce,
      proof: PROOF,
      pledges: pledge === undefined ? [] : [pledge],
    });
  }

  const sufficient = (policyId = POLICY) =>
    isMarginSufficient(registry, account, policyId, MAX_AGE);
  const state = async (policyId = POLICY) =>
    (await readMarginCall(registry, account, policyId)).state;

  /** Calls margin on alice under `policyId` as the venue; returns the call's time. */
  async function call(policyId = POLICY): Promise<bigint> {
    return blockTimestamp(await callMargin(as(registry, venue), account, policyId));
  }

  before(async function () {
    await compileContracts();
    const signers = await hre.ethers.getSigners();
    [admin, publisher, venue, alice, stranger, policyAdmin, custodianAdmin, custodian] = signers;
    const d = await deployZkMargin(admin, {
      roles: {
        publishers: { [FEED]: [await publisher.getAddress()] },
        policyAdmins: [await policyAdmin.getAddress()],
        custodianAdmins: [await custodianAdmin.getAddress()],
      },
    });
    registry = d.marginRegistry.contract;
    book = d.marketBook.contract;
    policies = d.policyRegistry.contract;
    domain = await readMarginRegistryDomain(registry);
    verifier = (await deployArtifact(admin, loadArtifact("ExpectedInputsVerifier"), [4n])).contract;
    const vkHash = (await verifier.getFunction("verificationKeyHash")()) as string;
    await approveVerifierOnDevChain(policies, await verifier.getAddress());
    for (const [policyId, cureWindow, requiresPledges] of [
      [POLICY, CURE_WINDOW, false],
      [NO_CALLS, 0n, false],
      [OTHER, CURE_WINDOW, false],
      [ATTESTED, CURE_WINDOW, true],
    ] as const) {
      await registerPolicy(as(policies, policyAdmin), {
        policyId,
        commitment: COMMITMENT,
        mode: "maintenance",
        verifier: await verifier.getAddress(),
        verificationKeyHash: vkHash,
        feed: FEED,
        venue: VENUE,
        maxRoundAge: MAX_AGE,
        supersededGrace: GRACE,
        requiresPledges,
        cureWindow,
      });
    }
    await addCustodian(as(policies, custodianAdmin), VENUE, await custodian.getAddress());
    for (const policyId of [POLICY, NO_CALLS, ATTESTED]) {
      await grantVenue(policies, policyId, await venue.getAddress());
    }
    errors = [registry.interface, policies.interface, book.interface];
    account = await alice.getAddress();
    await postNext();
    await prove();
  });

  revertAfterEachTest();
  let savedNonce = 0n;
  beforeEach(() => {
    savedNonce = nonce;
  });
  afterEach(() => {
    nonce = savedNonce;
  });

  it("names the venue role per policy as the SDK computes it, granted by the default admin only", async function () {
    expect(await policies.getFunction("VENUE_ROLE")()).to.equal(VENUE_ROLE);
    expect(await policies.getFunction("venueRole")(POLICY)).to.equal(venueRoleOf(POLICY));
    expect(venueRoleOf(POLICY)).to.not.equal(venueRoleOf(OTHER));
    await expectRevert(
      grantVenue(as(policies, venue), OTHER, await venue.getAddress()),
      errors,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("records a call with the feed's latest round and the cure window, and emits MarginCalled; the deadline runs from the next round's posting", async function () {
    const latest = await postNext();
    await prove(latest);
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const at = await blockTimestamp(receipt);
    expect(eventArgs(registry, receipt, "MarginCalled")).to.deep.equal([
      account,
      POLICY,
      await venue.getAddress(),
      latest,
      CURE_WINDOW,
    ]);
    // No round after the call yet: the deadline is not running.
    const pending = await readMarginCall(registry, account, POLICY);
    expect(pending).to.deep.equal({
      state: "pending",
      round: latest,
      calledAt: at,
      cureWindow: CURE_WINDOW,
      deadline: 0n,
    });
    expect(deadlineText(pending)).to.equal(
      `within ${seconds(CURE_WINDOW)} of the next round's posting`,
    );
    const [event] = await marginCalledEvents(registry, { account, policyId: POLICY });
    expect([event.venue, event.round, event.cureWindow]).to.deep.equal([
      await venue.getAddress(),
      latest,
      CURE_WINDOW,
    ]);
    const next = at + 100n;
    await postNext(next);
    const running = await readMarginCall(registry, account, POLICY);
    expect(running.deadline).to.equal(next + CURE_WINDOW);
    expect(deadlineText(running)).to.equal(`before ${unixTime(next + CURE_WINDOW)}`);
    // Calls are per policy.
    expect(await state(OTHER)).to.equal("none");
  });

  it("refuses a caller without the policy's venue role (also once revoked), a policy without calls, the zero account", async function () {
    const stranger_ = await stranger.getAddress();
    await expectRevert(callMargin(as(registry, stranger), account, POLICY), errors, "NotVenue", [
      POLICY,
      stranger_,
    ]);
    // The venue of POLICY is not OTHER's.
    await expectRevert(callMargin(as(registry, venue), account, OTHER), errors, "NotVenue");
    await expectRevert(
      callMargin(as(registry, venue), account, NO_CALLS),
      errors,
      "MarginCallsDisabled",
      [NO_CALLS],
    );
    await expectRevert(callMargin(as(registry, venue), ZeroAddress, POLICY), errors, "ZeroAccount");
    await (
      await policies.getFunction("revokeRole")(venueRoleOf(POLICY), await venue.getAddress())
    ).wait();
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "NotVenue");
  });

  it("refuses a call on a retired policy", async function () {
    await (await as(policies, policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "PolicyRetired", [
      POLICY,
    ]);
  });

  it("refuses a call on an account without a status under the policy (its first proof would stop counting at the deadline), and accepts one after its first proof", async function () {
    const bob = await stranger.getAddress();
    await expectRevert(callMargin(as(registry, venue), bob, POLICY), errors, "NoStatus", [
      bob,
      POLICY,
    ]);
    // A status under another policy is not one under this policy.
    await expectRevert(callMargin(as(registry, venue), account, ATTESTED), errors, "NoStatus", [
      account,
      ATTESTED,
    ]);
    expect((await readMarginCall(registry, bob, POLICY)).state).to.equal("none");
    await prove(undefined, ATTESTED, await attest());
    await call(ATTESTED);
    expect(await state(ATTESTED)).to.equal("pending");
  });

  it("keeps the status counting until the deadline, and not from the deadline on (inclusive) without a cure", async function () {
    const calledAt = await call();
    const posted = calledAt + 10n;
    await postNext(posted);
    const deadline = posted + CURE_WINDOW;
    expect(await sufficient()).to.equal(true);
    await mineAt(deadline - 1n);
    expect(await sufficient()).to.equal(true);
    expect(await state()).to.equal("pending");
    await mineAt(deadline);
    expect(await sufficient()).to.equal(false);
    expect(await state()).to.equal("expired");
    // Another policy of the same account is not affected.
    nonce = 0n;
    await prove(undefined, OTHER);
    expect(await sufficient(OTHER)).to.equal(true);
  });

  it("lets a call made when no round follows inside the cure window still be cured: the deadline runs from the first round posted after the call", async function () {
    const calledAt = await call();
    // No round for twice the cure window: the account cannot cure, so the call does not expire.
    await mineAt(calledAt + 2n * CURE_WINDOW);
    expect(await state()).to.equal("pending");
    expect((await readMarginCall(registry, account, POLICY)).deadline).to.equal(0n);
    expect(await sufficient()).to.equal(true);
    await expectRevert(settleMarginCall(registry, account, POLICY), errors, "MarginCallPending", [
      account,
      POLICY,
      0n,
    ]);
    // The next round is posted late; the account has the whole cure window from then, and cures.
    const posted = calledAt + 2n * CURE_WINDOW + 5n;
    const round = await postNext(posted);
    expect((await readMarginCall(registry, account, POLICY)).deadline).to.equal(
      posted + CURE_WINDOW,
    );
    await prove(round);
    expect(await state()).to.equal("cured");
    await mineAt(posted + CURE_WINDOW + 10n);
    expect(await sufficient()).to.equal(true);
    const settled = await settleMarginCall(registry, account, POLICY);
    expect(eventArgs(registry, settled, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
  });

  it("is not cured by a proof on the call's round: only a round posted after the call cures", async function () {
    const calledAt = await call();
    // The latest round at the call, proven again after the call: not a cure.
    await prove();
    expect(await state()).to.equal("pending");
    const next = await postNext(calledAt + 5n);
    await prove(next);
    expect(await state()).to.equal("cured");
    await mineAt(calledAt + 5n + CURE_WINDOW + 10n);
    expect(await sufficient()).to.equal(true);
  });

  describe("a cure needs a status that counts", function () {
    /** A call, then the next round posted 5 s later; returns that round and the deadline. */
    async function callThenNextRound(policyId = POLICY) {
      const calledAt = await call(policyId);
      const round = await postNext(calledAt + 5n);
      return { round, deadline: calledAt + 5n + CURE_WINDOW };
    }

    /** The call is not cured: pending before the deadline, no cure to settle, expired from it. */
    async function expectUncured(deadline: bigint, policyId = POLICY): Promise<void> {
      expect(await state(policyId)).to.equal("pending");
      await expectRevert(
        settleMarginCall(registry, account, policyId),
        errors,
        "MarginCallPending",
        [account, policyId, deadline],
      );
      await mineAt(deadline);
      expect(await state(policyId)).to.equal("expired");
      expect(await sufficient(policyId)).to.equal(false);
      const expired = await settleMarginCall(registry, account, policyId);
      expect(eventArgs(registry, expired, "MarginCallExpired")).to.deep.equal([
        account,
        policyId,
        deadline,
      ]);
    }

    it("not on a round invalidated after the proof; a later valid round cures", async function () {
      const { round, deadline } = await callThenNextRound();
      await prove(round);
      expect(await state()).to.equal("cured");
      // The attack: the curing round is withdrawn by the publisher; the cure goes with it.
      await invalidateRound(as(book, publisher), FEED, round);
      expect(await sufficient()).to.equal(false);
      await expectUncured(deadline);
      // Honest path: the account proves on the corrected round.
      const corrected = await postNext();
      await prove(corrected);
      expect(await state()).to.equal("cured");
      expect(await sufficient()).to.equal(true);
      const cured = await settleMarginCall(registry, account, POLICY);
      expect(eventArgs(registry, cured, "MarginCallCured")).to.deep.equal([
        account,
        POLICY,
        corrected,
      ]);
    });

    it("not on a pledge that has expired; a fresh one cures", async function () {
      await prove(undefined, ATTESTED, await attest());
      const { round, deadline } = await callThenNextRound(ATTESTED);
      // The curing proof rests on a pledge that expires a second later.
      const validUntil = (await now()) + 3n;
      await prove(round, ATTESTED, await attest(validUntil));
      expect(await state(ATTESTED)).to.equal("cured");
      await mineAt(validUntil + 1n);
      await expectUncured(deadline, ATTESTED);
      const next = await postNext();
      await prove(next, ATTESTED, await attest());
      expect(await state(ATTESTED)).to.equal("cured");
      const cured = await settleMarginCall(registry, account, ATTESTED);
      expect(eventArgs(registry, cured, "MarginCallCured")).to.deep.equal([
        account,
        ATTESTED,
        next,
      ]);
    });

    it("not on a pledge the custodian revoked, nor one whose custodian was removed", async function () {
      await prove(undefined, ATTESTED, await attest());
      const { round, deadline } = await callThenNextRound(ATTESTED);
      await prove(round, ATTESTED, await attest());
      expect(await state(ATTESTED)).to.equal("cured");
      await revokePledges(as(registry, custodian), account);
      expect(await state(ATTESTED)).to.equal("pending");
      // A settlement now would have emitted a cure that does not count.
      await expectRevert(
        settleMarginCall(registry, account, ATTESTED),
        errors,
        "MarginCallPending",
        [account, ATTESTED, deadline],
      );
      // Pledged again under the new epoch: cured again; then the custodian is removed.
      await prove(round, ATTESTED, await attest());
      expect(await state(ATTESTED)).to.equal("cured");
      await removeCustodian(as(policies, custodianAdmin), VENUE, await custodian.getAddress());
      await expectUncured(deadline, ATTESTED);
    });

    it("not once the policy is retired", async function () {
      const { round, deadline } = await callThenNextRound();
      await prove(round);
      expect(await state()).to.equal("cured");
      await (await as(policies, policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
      expect(await sufficient()).to.equal(false);
      await expectUncured(deadline);
    });
  });

  it("settles: refuses without a call and while pending, emits the cure once and clears the call", async function () {
    await expectRevert(settleMarginCall(registry, account, POLICY), errors, "NoMarginCall", [
      account,
      POLICY,
    ]);
    const calledAt = await call();
    const posted = calledAt + 5n;
    const round = await postNext(posted);
    await expectRevert(
      settleMarginCall(as(registry, stranger), account, POLICY),
      errors,
      "MarginCallPending",
      [account, POLICY, posted + CURE_WINDOW],
    );
    const cured = await prove(round);
    expect((await readMarginCall(registry, account, POLICY)).state).to.equal("cured");
    // Anyone settles; the cure names the status's round.
    const settled = await settleMarginCall(as(registry, stranger), account, POLICY);
    expect(eventArgs(registry, settled, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
    expect(cured.status).to.equal(1);
    expect(await readMarginCall(registry, account, POLICY)).to.deep.equal({
      state: "none",
      round: 0n,
      calledAt: 0n,
      cureWindow: 0n,
      deadline: 0n,
    });
    await expectRevert(settleMarginCall(registry, account, POLICY), errors, "NoMarginCall");
  });

  it("emits the expiry once; a later proof on a newer round cures the call and is settled as a cure", async function () {
    const calledAt = await call();
    const deadline = calledAt + 5n + CURE_WINDOW;
    await postNext(calledAt + 5n);
    await mineAt(deadline);
    const expired = await settleMarginCall(as(registry, stranger), account, POLICY);
    expect(eventArgs(registry, expired, "MarginCallExpired")).to.deep.equal([
      account,
      POLICY,
      deadline,
    ]);
    await expectRevert(
      settleMarginCall(registry, account, POLICY),
      errors,
      "MarginCallAlreadyExpired",
      [account, POLICY, deadline],
    );
    expect(await sufficient()).to.equal(false);
    // A new call is refused while the old one is uncured.
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "MarginCallOpen", [
      account,
      POLICY,
      calledAt,
    ]);
    const round = await postNext();
    await prove(round);
    expect(await sufficient()).to.equal(true);
    const cured = await settleMarginCall(registry, account, POLICY);
    expect(eventArgs(registry, cured, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
  });

  it("refuses a second call while one is pending; a cured, unsettled call is settled by the next call", async function () {
    const calledAt = await call();
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "MarginCallOpen", [
      account,
      POLICY,
      calledAt,
    ]);
    const round = await postNext();
    await prove(round);
    const second = await callMargin(as(registry, venue), account, POLICY);
    expect(eventArgs(registry, second, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
    const [, , , calledRound] = eventArgs(registry, second, "MarginCalled");
    expect(calledRound).to.equal(round);
    expect(await state()).to.equal("pending");
  });

  it("lets the venue withdraw a call, whatever it stands at, and no one else", async function () {
    const venue_ = await venue.getAddress();
    await expectRevert(
      withdrawMarginCall(as(registry, venue), account, POLICY),
      errors,
      "NoMarginCall",
      [account, POLICY],
    );
    await call();
    await expectRevert(
      withdrawMarginCall(as(registry, stranger), account, POLICY),
      errors,
      "NotVenue",
      [POLICY, await stranger.getAddress()],
    );
    // A pending call, withdrawn.
    const withdrawn = await withdrawMarginCall(as(registry, venue), account, POLICY);
    expect(eventArgs(registry, withdrawn, "MarginCallWithdrawn")).to.deep.equal([
      account,
      POLICY,
      venue_,
    ]);
    expect(await state()).to.equal("none");
    // An expired call, withdrawn: the account's margin counts again.
    const again = await call();
    await postNext(again + 5n);
    await mineAt(again + 5n + CURE_WINDOW);
    expect(await sufficient()).to.equal(false);
    await withdrawMarginCall(as(registry, venue), account, POLICY);
    expect(await sufficient()).to.equal(true);
    // A new call after a withdrawal is a fresh call.
    await call();
    expect(await state()).to.equal("pending");
    // Once its role is revoked, the venue can no longer withdraw.
    await (await policies.getFunction("revokeRole")(venueRoleOf(POLICY), venue_)).wait();
    await expectRevert(
      withdrawMarginCall(as(registry, venue), account, POLICY),
      errors,
      "NotVenue",
      [POLICY, venue_],
    );
  });
});
