/**
 * Margin calls (MarginRegistry.callMargin / settleMarginCall / marginCallOf) with the stand-in
 * verifier of contracts.test.ts: who may call, what a call records, the cure (a status on a round
 * posted after the call), the expiry (isMarginSufficient false from the deadline on, inclusive),
 * the events, and that `prove` itself is untouched. Real proofs: contracts.e2e.test.ts.
 */
import { expect } from "chai";
import { AbiCoder, Contract, ZeroAddress, keccak256 } from "ethers";
import type { Interface, Signer } from "ethers";
import {
  NO_ATTESTATION,
  VENUE_ROLE,
  approveVerifier,
  callMargin,
  deployArtifact,
  deployZkMargin,
  grantVenue,
  isMarginSufficient,
  loadArtifact,
  marginCalledEvents,
  policyIdOf,
  postRound,
  proofFromCoordinates,
  readFeedHead,
  readMarginCall,
  registerPolicy,
  settleMarginCall,
  submitProof,
  venueRoleOf,
} from "../prover/src/chain";
import { feedIdOf } from "../prover/src/layout";
import { encodePublicSignals } from "../prover/src/proving/public-signals";
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

const CURE_WINDOW = 3600n;
const GRACE = 600n;
const MAX_AGE = 24n * 3600n;
const FEED = feedIdOf(0xca11n);
const POLICY = policyIdOf("venue-maintenance");
const NO_CALLS = policyIdOf("venue-no-calls");
const OTHER = policyIdOf("venue-initial");
const COMMITMENT = 0x4242n;
const PORTFOLIO = 0x7777n;
const PROOF = proofFromCoordinates([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);

/** The market commitment posted for `round` (distinct per round). */
function market(round: bigint): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64"], [round]))) >> 8n;
}

describe("margin calls (test verifier)", function () {
  let admin: Signer, publisher: Signer, venue: Signer, alice: Signer, stranger: Signer;
  let registry: Contract, book: Contract, policies: Contract, verifier: Contract;
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

  /** Alice proves on `round` (the feed's latest by default) with the next nonce. */
  async function prove(round?: bigint, policyId = POLICY) {
    const r = round ?? (await readFeedHead(book, FEED)).latestRound;
    nonce += 1n;
    const signals = encodePublicSignals({
      account,
      nonce,
      marketCommitment: market(r),
      policyCommitment: COMMITMENT,
      portfolioCommitment: PORTFOLIO,
    }).map(BigInt);
    const proofHash = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["uint256[2]", "uint256[2][2]", "uint256[2]"],
        [PROOF.a, PROOF.b, PROOF.c],
      ),
    );
    await (await verifier.getFunction("expect")(proofHash, signals)).wait();
    return submitProof(as(registry, alice), {
      policyId,
      round: r,
      portfolioCommitment: PORTFOLIO,
      nonce,
      proof: PROOF,
      attestation: NO_ATTESTATION,
    });
  }

  const sufficient = (policyId = POLICY) =>
    isMarginSufficient(registry, account, policyId, MAX_AGE);
  const state = async (policyId = POLICY) =>
    (await readMarginCall(registry, account, policyId)).state;

  before(async function () {
    await compileContracts();
    const signers = await hre.ethers.getSigners();
    [admin, publisher, venue, alice, stranger] = signers;
    const policyAdmin = signers[5];
    const d = await deployZkMargin(admin, {
      roles: {
        publishers: [await publisher.getAddress()],
        policyAdmins: [await policyAdmin.getAddress()],
      },
    });
    registry = d.marginRegistry.contract;
    book = d.marketBook.contract;
    policies = d.policyRegistry.contract;
    verifier = (await deployArtifact(admin, loadArtifact("ExpectedInputsVerifier"))).contract;
    const vkHash = (await verifier.getFunction("verificationKeyHash")()) as string;
    await approveVerifier(policies, await verifier.getAddress());
    for (const [policyId, cureWindow] of [
      [POLICY, CURE_WINDOW],
      [NO_CALLS, 0n],
      [OTHER, CURE_WINDOW],
    ] as const) {
      await registerPolicy(as(policies, policyAdmin), {
        policyId,
        commitment: COMMITMENT,
        mode: "maintenance",
        verifier: await verifier.getAddress(),
        verificationKeyHash: vkHash,
        feed: FEED,
        maxRoundAge: MAX_AGE,
        supersededGrace: GRACE,
        requiresAttestation: false,
        cureWindow,
      });
    }
    for (const policyId of [POLICY, NO_CALLS]) {
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

  it("records a call with the feed's latest round and a deadline cureWindow later, and emits MarginCalled", async function () {
    const latest = await postNext();
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const at = await blockTimestamp(receipt);
    expect(eventArgs(registry, receipt, "MarginCalled")).to.deep.equal([
      account,
      POLICY,
      await venue.getAddress(),
      latest,
      at + CURE_WINDOW,
    ]);
    expect(await readMarginCall(registry, account, POLICY)).to.deep.equal({
      state: "pending",
      round: latest,
      calledAt: at,
      deadline: at + CURE_WINDOW,
    });
    const [event] = await marginCalledEvents(registry, { account, policyId: POLICY });
    expect([event.venue, event.round, event.deadline]).to.deep.equal([
      await venue.getAddress(),
      latest,
      at + CURE_WINDOW,
    ]);
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
    const policyAdmin = (await hre.ethers.getSigners())[5];
    await (await as(policies, policyAdmin).getFunction("retirePolicy")(POLICY)).wait();
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "PolicyRetired", [
      POLICY,
    ]);
  });

  it("keeps the status counting until the deadline, and not from the deadline on (inclusive) without a cure", async function () {
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const deadline = (await blockTimestamp(receipt)) + CURE_WINDOW;
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

  it("is not cured by a proof on the call's round: only a round posted after the call cures", async function () {
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const deadline = (await blockTimestamp(receipt)) + CURE_WINDOW;
    // The latest round at the call, proven again after the call: not a cure.
    await prove();
    expect(await state()).to.equal("pending");
    const next = await postNext();
    await prove(next);
    expect(await state()).to.equal("cured");
    await mineAt(deadline + 10n);
    expect(await sufficient()).to.equal(true);
  });

  it("settles: refuses without a call and while pending, emits the cure once and clears the call", async function () {
    await expectRevert(settleMarginCall(registry, account, POLICY), errors, "NoMarginCall", [
      account,
      POLICY,
    ]);
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const deadline = (await blockTimestamp(receipt)) + CURE_WINDOW;
    await expectRevert(
      settleMarginCall(as(registry, stranger), account, POLICY),
      errors,
      "MarginCallPending",
      [account, POLICY, deadline],
    );
    const cured = await prove(await postNext());
    expect((await readMarginCall(registry, account, POLICY)).state).to.equal("cured");
    // Anyone settles; the cure names the status's round.
    const settled = await settleMarginCall(as(registry, stranger), account, POLICY);
    const round = (await readFeedHead(book, FEED)).latestRound;
    expect(eventArgs(registry, settled, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
    expect(cured.status).to.equal(1);
    expect(await readMarginCall(registry, account, POLICY)).to.deep.equal({
      state: "none",
      round: 0n,
      calledAt: 0n,
      deadline: 0n,
    });
    await expectRevert(settleMarginCall(registry, account, POLICY), errors, "NoMarginCall");
  });

  it("emits the expiry once; a later proof on a newer round cures the call and is settled as a cure", async function () {
    const receipt = await callMargin(as(registry, venue), account, POLICY);
    const deadline = (await blockTimestamp(receipt)) + CURE_WINDOW;
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
      deadline,
    ]);
    const round = await postNext();
    await prove(round);
    expect(await sufficient()).to.equal(true);
    const cured = await settleMarginCall(registry, account, POLICY);
    expect(eventArgs(registry, cured, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
  });

  it("refuses a second call while one is pending; a cured, unsettled call is settled by the next call", async function () {
    const first = await callMargin(as(registry, venue), account, POLICY);
    const deadline = (await blockTimestamp(first)) + CURE_WINDOW;
    await expectRevert(callMargin(as(registry, venue), account, POLICY), errors, "MarginCallOpen", [
      account,
      POLICY,
      deadline,
    ]);
    const round = await postNext();
    await prove(round);
    const second = await callMargin(as(registry, venue), account, POLICY);
    expect(eventArgs(registry, second, "MarginCallCured")).to.deep.equal([account, POLICY, round]);
    const [, , , calledRound] = eventArgs(registry, second, "MarginCalled");
    expect(calledRound).to.equal(round);
    expect(await state()).to.equal("pending");
  });

  it("lets a call on an account without any status expire", async function () {
    const bob = await stranger.getAddress();
    const receipt = await callMargin(as(registry, venue), bob, POLICY);
    const deadline = (await blockTimestamp(receipt)) + CURE_WINDOW;
    await mineAt(deadline);
    expect((await readMarginCall(registry, bob, POLICY)).state).to.equal("expired");
    expect(await isMarginSufficient(registry, bob, POLICY, MAX_AGE)).to.equal(false);
  });
});
