/**
 * Pledges (issue 19, DESIGN v3 "Pledges" and "Several custodians in one proof") against the
 * stand-in verifiers of contracts.test.ts: a custodian's EIP-712 pledge of a commitment to a venue,
 * bound to its registration at the venue and to its epoch for the account and venue; revocation
 * of one venue or of all; removal and re-add; up to C pledges in one proof (C = 4 here). Each
 * attack of the issue is performed and must be refused with its custom error, next to the honest
 * path; `isMarginSufficient` and `statusOf` must see every pledge's revocation, expiry and
 * registration. Real proofs: contracts.e2e.test.ts.
 */
import { expect } from "chai";
import { Contract, ZeroHash } from "ethers";
import type { Signer } from "ethers";
import {
  addCustodian,
  deployArtifact,
  loadArtifact,
  marginProvedEvents,
  pledgeCalldata,
  pledgesRevokedEvents,
  policyIdOf,
  proveRequestOf,
  readPledgeTerms,
  readStatus,
  registerPolicy,
  removeCustodian,
  revokePledges,
  revokePledgesAtVenue,
  signPledge,
  signProveRequest,
  submitProof,
  submitProofFor,
  type SignedPledge,
} from "../prover/src/chain";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import {
  eventArgs,
  expectRevert,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
  snapshot,
} from "./contracts.fixture";
import {
  DAY,
  FEED,
  GRACE,
  HOUR,
  MAX_ROUND_AGE,
  OTHER_POLICY,
  OTHER_VENUE,
  POLICY,
  POLICY4,
  POLICY4_COMMITMENT,
  POLICY_B,
  PORTFOLIO,
  PROOF,
  ROUND,
  VENUE,
  deployWorld,
  expectSignals,
  market,
  pledgeOf,
  postNext,
  proofHash,
  proveAs,
  signalsOf,
  sufficient,
  type PledgeOptions,
  type World,
} from "./helpers/registry-world";

const UINT64_MAX = 2n ** 64n - 1n;
/** Four sub-portfolios' commitments. */
const PIECES = [0xa1n, 0xa2n, 0xa3n, 0xa4n];

/** A 65-byte signature `(r, s, v)` with the other v (27 and 28 swapped). */
function otherV(signature: string): string {
  const v = parseInt(signature.slice(130), 16);
  return `${signature.slice(0, 130)}${(55 - v).toString(16)}`;
}

describe("pledges (test verifier)", function () {
  let w: World;

  const address = (s: Signer): Promise<string> => s.getAddress();
  const policies = (as: Signer): Contract => w.policyRegistry.connect(as) as Contract;
  const registry = (as: Signer): Contract => w.marginRegistry.connect(as) as Contract;
  const pledge = (account: Signer | string, options: PledgeOptions = {}) =>
    pledgeOf(w, account, options);
  const custodians = () => [w.custodian, w.custodian2, w.custodian3, w.custodian4];

  /** One pledge per piece, custodian i pledging piece i, all to venue A. */
  async function piecesPledged(
    account: Signer,
    count = 4,
    options: PledgeOptions = {},
  ): Promise<SignedPledge[]> {
    return Promise.all(
      custodians()
        .slice(0, count)
        .map((signer, i) => pledge(account, { ...options, signer, portfolio: PIECES[i] })),
    );
  }

  /** A proof under POLICY4 (four slots) of `portfolios` with `pledges`. */
  const prove4 = (
    account: Signer,
    portfolios: readonly bigint[],
    pledges: readonly SignedPledge[],
    nonce = 1n,
  ) => proveAs(w, account, { policyId: POLICY4, portfolios, pledges, nonce });

  before(async function () {
    w = await deployWorld();
  });

  revertAfterEachTest();

  describe("one pledge", function () {
    it("accepts a pledge under the custodian's current registration and epoch, and records them", async function () {
      const alice = await address(w.alice);
      const custodian = await address(w.custodian);
      const terms = await readPledgeTerms(w.marginRegistry, custodian, alice, VENUE);
      expect(terms).to.deep.equal({
        registration: await w.policyRegistry.getFunction("currentRegistrationAt")(VENUE, custodian),
        epoch: 0n,
      });
      const signed = await pledge(w.alice);
      expect([signed.registration, signed.epoch]).to.deep.equal([terms.registration, 0n]);
      await proveAs(w, w.alice, { pledges: [signed] });
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.include({
        pledgesValidUntil: signed.validUntil,
        epochSum: 0n,
        currentEpochSum: 0n,
        revoked: false,
        pledges: [{ custodian, registration: terms.registration, active: true }],
      });
      expect(await sufficient(w, w.alice)).to.equal(true);
    });

    it("refuses a proof without a pledge, and more pledges than the policy's slots", async function () {
      await expectRevert(proveAs(w, w.alice, { pledges: [] }), w.errors, "PledgeMissing");
      const two = [await pledge(w.alice), await pledge(w.alice, { signer: w.custodian2 })];
      await expectRevert(proveAs(w, w.alice, { pledges: two }), w.errors, "TooManyPledges", [
        2n,
        1n,
      ]);
    });

    it("accepts a pledge until validUntil inclusive, then refuses it as expired", async function () {
      const t = (await now()) + 100n;
      const signed = await pledge(w.alice, { validUntil: t });
      const restore = await snapshot();
      await expectRevert(
        proveAs(w, w.alice, { pledges: [signed], at: t + 1n }),
        w.errors,
        "PledgeExpired",
        [0n, t],
      );
      await restore();
      await proveAs(w, w.alice, { pledges: [signed], at: t });
      expect(await sufficient(w, w.alice)).to.equal(true);
      await mineAt(t + 1n);
      expect(await sufficient(w, w.alice)).to.equal(false);
    });

    it("takes issuedAt as the custodian's word: epochs and registrations, not times, decide", async function () {
      // A custodian whose clock runs ahead signs a pledge dated an hour in the future: it counts
      // now, since only a revocation (an epoch) or a removal (a registration) ends it.
      const ahead = await pledge(w.alice, { issuedAt: (await now()) + HOUR });
      await proveAs(w, w.alice, { pledges: [ahead] });
      expect(await sufficient(w, w.alice)).to.equal(true);
    });

    it("refuses a pledge for another commitment or account, with a field changed, or signed for another domain", async function () {
      const signed = await pledge(w.alice);
      const otherDomain = async (domain: object) =>
        signPledge(
          w.custodian,
          { ...w.domain, ...domain },
          {
            custodian: signed.custodian,
            registration: signed.registration,
            account: await address(w.alice),
            venue: VENUE,
            portfolioCommitment: PORTFOLIO,
            epoch: signed.epoch,
            issuedAt: signed.issuedAt,
            validUntil: signed.validUntil,
          },
        );
      for (const forged of [
        await pledge(w.alice, { portfolio: PORTFOLIO + 1n }),
        await pledge(w.bob),
        { ...signed, issuedAt: signed.issuedAt - 1n },
        { ...signed, validUntil: signed.validUntil + 1n },
        // The other v (the top bit of the compact `vs`): recovers to another address, and an
        // EOA has no ERC-1271 to fall back on.
        { ...signed, signature: otherV(signed.signature) },
        // Another r.
        { ...signed, signature: `0x${"11".repeat(32)}${signed.signature.slice(66)}` },
        await otherDomain({ verifyingContract: await w.marketBook.getAddress() }),
        await otherDomain({ chainId: 1n }),
        await otherDomain({ version: "2" }),
      ]) {
        await expectRevert(
          proveAs(w, w.alice, { pledges: [forged] }),
          w.errors,
          "InvalidPledgeSignature",
          [0n],
        );
      }
      await proveAs(w, w.alice, { pledges: [signed] });
    });

    it("refuses a pledge from an unregistered custodian, and a registered custodian's name on someone else's signature", async function () {
      const stranger = await address(w.stranger);
      await expectRevert(
        proveAs(w, w.alice, { pledges: [await pledge(w.alice, { signer: w.stranger })] }),
        w.errors,
        "CustodianNotRegistered",
        [VENUE, stranger],
      );
      const impostor = await pledge(w.alice, {
        signer: w.stranger,
        custodian: await address(w.custodian),
      });
      await expectRevert(
        proveAs(w, w.alice, { pledges: [impostor] }),
        w.errors,
        "InvalidPledgeSignature",
        [0n],
      );
    });

    it("accepts an ERC-1271 contract custodian, which also revokes as itself; refuses one whose contract refuses the signature", async function () {
      const wallet = await deployArtifact(w.admin, loadArtifact("ERC1271Wallet"), [
        await address(w.stranger),
      ]);
      await addCustodian(policies(w.custodianAdmin), VENUE, wallet.address);
      const alice = await address(w.alice);
      // Signed by someone the wallet does not accept.
      await expectRevert(
        proveAs(w, w.alice, {
          pledges: [await pledge(w.alice, { signer: w.bob, custodian: wallet.address })],
        }),
        w.errors,
        "InvalidPledgeSignature",
        [0n],
      );
      await proveAs(w, w.alice, {
        pledges: [await pledge(w.alice, { signer: w.stranger, custodian: wallet.address })],
      });
      expect((await readStatus(w.marginRegistry, alice, POLICY)).pledges[0].custodian).to.equal(
        wallet.address,
      );
      // The owner's own revocation is not the wallet's; the wallet's is.
      await revokePledges(registry(w.stranger), alice);
      expect(await sufficient(w, w.alice)).to.equal(true);
      const data = w.marginRegistry.interface.encodeFunctionData("revoke(address)", [alice]);
      const asOwner = wallet.contract.connect(w.stranger) as Contract;
      await (await asOwner.getFunction("execute")(w.marginRegistry.target, data)).wait();
      expect(await sufficient(w, w.alice)).to.equal(false);
    });

    it("needs no pledge where the policy requires none, and refuses pledges given", async function () {
      const OPEN = policyIdOf("open-policy");
      await registerPolicy(policies(w.policyAdmin), {
        policyId: OPEN,
        commitment: 0x0909n,
        mode: "initial",
        verifier: await w.verifier.getAddress(),
        verificationKeyHash: w.vkHash,
        feed: FEED,
        venue: VENUE,
        maxRoundAge: MAX_ROUND_AGE,
        supersededGrace: GRACE,
        requiresPledges: false,
      });
      await expectRevert(
        proveAs(w, w.alice, { policyId: OPEN, pledges: [await pledge(w.alice)] }),
        w.errors,
        "UnexpectedPledges",
        [1n],
      );
      await proveAs(w, w.alice, { policyId: OPEN, pledges: [] });
      const status = await readStatus(w.marginRegistry, await address(w.alice), OPEN);
      expect([status.pledges, status.pledgesValidUntil, status.epochSum]).to.deep.equal([
        [],
        0n,
        0n,
      ]);
      expect(await sufficient(w, w.alice, OPEN)).to.equal(true);
    });
  });

  describe("venues", function () {
    it("refuses a pledge to venue A used at venue B's policy, even from a custodian registered at both", async function () {
      const toA = await pledge(w.alice);
      await expectRevert(
        proveAs(w, w.alice, { policyId: POLICY_B, pledges: [toA] }),
        w.errors,
        "PledgeForOtherVenue",
        [0n, VENUE, OTHER_VENUE],
      );
      // Nor with its registration swapped for the custodian's at B: the signature names A's.
      const atB = await w.policyRegistry.getFunction("currentRegistrationAt")(
        OTHER_VENUE,
        await address(w.custodian),
      );
      await expectRevert(
        proveAs(w, w.alice, { policyId: POLICY_B, pledges: [{ ...toA, registration: atB }] }),
        w.errors,
        "InvalidPledgeSignature",
        [0n],
      );
      // A custodian of venue A alone: its pledge is for another venue too.
      await expectRevert(
        proveAs(w, w.alice, {
          policyId: POLICY_B,
          pledges: [await pledge(w.alice, { signer: w.custodian2 })],
        }),
        w.errors,
        "PledgeForOtherVenue",
        [0n, VENUE, OTHER_VENUE],
      );
      // The honest path: a pledge to venue B, of what is held for B.
      await proveAs(w, w.alice, {
        policyId: POLICY_B,
        pledges: [await pledge(w.alice, { venue: OTHER_VENUE })],
      });
      expect(await sufficient(w, w.alice, POLICY_B)).to.equal(true);
    });

    it("counts one pledge for all of a venue's policies (initial and maintenance)", async function () {
      const signed = await pledge(w.alice);
      await proveAs(w, w.alice, { pledges: [signed] });
      await proveAs(w, w.alice, { policyId: OTHER_POLICY, pledges: [signed] });
      expect(await sufficient(w, w.alice, POLICY)).to.equal(true);
      expect(await sufficient(w, w.alice, OTHER_POLICY)).to.equal(true);
    });
  });

  describe("revocation (epochs)", function () {
    it("kills every pledge signed before revoke(account), whatever its issuedAt (before, at, after the revocation, in the future), and ends the statuses on them", async function () {
      const [alice, custodian] = [await address(w.alice), await address(w.custodian)];
      const t = (await now()) + 100n;
      // All signed before the revocation, under epoch 0, with issuedAt around its time.
      const signed = await Promise.all(
        [t - 50n, t, t + 50n, t + 10n * DAY].map((issuedAt) =>
          pledge(w.alice, { issuedAt, validUntil: t + 20n * DAY }),
        ),
      );
      await proveAs(w, w.alice, { pledges: [signed[0]] });
      await proveAs(w, w.alice, { policyId: OTHER_POLICY, pledges: [signed[0]] });
      await setNextTimestamp(t);
      const receipt = await revokePledges(registry(w.custodian), alice);
      expect(eventArgs(w.marginRegistry, receipt, "PledgesRevoked")).to.deep.equal([
        custodian,
        alice,
        ZeroHash,
        1n,
      ]);
      expect([
        ...(await w.marginRegistry.getFunction("epochs")(custodian, alice, VENUE)),
      ]).to.deep.equal([1n, 0n]);
      expect(await readPledgeTerms(w.marginRegistry, custodian, alice, VENUE)).to.deep.include({
        epoch: 1n,
      });
      // Every status resting on them stops counting at once, under both policies.
      expect(await sufficient(w, w.alice, POLICY)).to.equal(false);
      expect(await sufficient(w, w.alice, OTHER_POLICY)).to.equal(false);
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.include({
        epochSum: 0n,
        currentEpochSum: 1n,
        revoked: true,
      });
      // The attack: prove again on any of them, at any time after the revocation.
      await mineAt(t + 10n * DAY + 1n);
      for (const old of signed) {
        await expectRevert(
          proveAs(w, w.alice, { nonce: 2n, pledges: [old], round: await postNext(w) }),
          w.errors,
          "PledgeRevoked",
          [0n, 0n, 1n],
        );
      }
      // The honest path: the custodian pledges the remaining holdings under the new epoch.
      await proveAs(w, w.alice, {
        nonce: 2n,
        pledges: [await pledge(w.alice)],
        round: await postNext(w),
      });
      expect(await sufficient(w, w.alice)).to.equal(true);
      expect((await readStatus(w.marginRegistry, alice, POLICY)).epochSum).to.equal(1n);
      expect(
        (await pledgesRevokedEvents(w.marginRegistry, { custodian })).map((e) => [
          e.account,
          e.venue,
          e.epoch,
        ]),
      ).to.deep.equal([[alice, ZeroHash, 1n]]);
    });

    it("refuses a pledge for another epoch than the current one, ahead as well as behind", async function () {
      await revokePledges(registry(w.custodian), await address(w.alice));
      for (const epoch of [0n, 2n, UINT64_MAX]) {
        await expectRevert(
          proveAs(w, w.alice, { pledges: [await pledge(w.alice, { epoch })] }),
          w.errors,
          "PledgeRevoked",
          [0n, epoch, 1n],
        );
      }
    });

    it("revokes one venue with revoke(account, venue): the pledges to the other venue count on", async function () {
      const [alice, custodian] = [await address(w.alice), await address(w.custodian)];
      const toA = await pledge(w.alice);
      const toB = await pledge(w.alice, { venue: OTHER_VENUE });
      await proveAs(w, w.alice, { pledges: [toA] });
      await proveAs(w, w.alice, { policyId: POLICY_B, pledges: [toB] });
      const receipt = await revokePledgesAtVenue(registry(w.custodian), alice, VENUE);
      expect(eventArgs(w.marginRegistry, receipt, "PledgesRevoked")).to.deep.equal([
        custodian,
        alice,
        VENUE,
        1n,
      ]);
      expect(await sufficient(w, w.alice, POLICY)).to.equal(false);
      expect(await sufficient(w, w.alice, POLICY_B)).to.equal(true);
      const epochOf = (venue: string) =>
        w.marginRegistry.getFunction("epochOf")(custodian, alice, venue);
      expect([await epochOf(VENUE), await epochOf(OTHER_VENUE)]).to.deep.equal([1n, 0n]);
      await expectRevert(
        proveAs(w, w.alice, { nonce: 2n, pledges: [toA] }),
        w.errors,
        "PledgeRevoked",
        [0n, 0n, 1n],
      );
      await proveAs(w, w.alice, { policyId: POLICY_B, nonce: 2n, pledges: [toB] });
      // Then every venue: both epochs move, the sum (account-wide + venue) is what is signed.
      await revokePledges(registry(w.custodian), alice);
      expect([await epochOf(VENUE), await epochOf(OTHER_VENUE)]).to.deep.equal([2n, 1n]);
      expect(await sufficient(w, w.alice, POLICY_B)).to.equal(false);
      await expectRevert(
        proveAs(w, w.alice, { policyId: POLICY_B, nonce: 3n, pledges: [toB] }),
        w.errors,
        "PledgeRevoked",
        [0n, 0n, 1n],
      );
      const fresh = await pledge(w.alice);
      expect(fresh.epoch).to.equal(2n);
      await proveAs(w, w.alice, { nonce: 2n, pledges: [fresh] });
      expect(await sufficient(w, w.alice, POLICY)).to.equal(true);
      await expectRevert(
        revokePledgesAtVenue(registry(w.custodian), alice, ZeroHash),
        w.errors,
        "ZeroVenue",
      );
    });

    it("is per custodian and per account", async function () {
      const [alice, bob] = [await address(w.alice), await address(w.bob)];
      await proveAs(w, w.alice);
      await proveAs(w, w.bob);
      await revokePledges(registry(w.custodian2), alice);
      await revokePledges(registry(w.custodian), bob);
      expect(await sufficient(w, w.alice)).to.equal(true);
      expect(await sufficient(w, w.bob)).to.equal(false);
      expect(
        await w.marginRegistry.getFunction("epochOf")(await address(w.custodian), alice, VENUE),
      ).to.equal(0n);
      expect(
        await w.marginRegistry.getFunction("epochOf")(await address(w.custodian2), bob, VENUE),
      ).to.equal(0n);
    });
  });

  describe("registrations (removed and re-added custodians)", function () {
    it("refuses what a removed and re-added custodian pledged before, whatever its issuedAt, and accepts what it pledges under the new registration", async function () {
      const [alice, custodian] = [await address(w.alice), await address(w.custodian)];
      const first = await w.policyRegistry.getFunction("currentRegistrationAt")(VENUE, custodian);
      const old = await pledge(w.alice);
      const future = await pledge(w.alice, { issuedAt: (await now()) + 2n * HOUR });
      await proveAs(w, w.alice, { pledges: [old] });
      await removeCustodian(policies(w.custodianAdmin), VENUE, custodian);
      expect(await sufficient(w, w.alice)).to.equal(false);
      await expectRevert(
        proveAs(w, w.alice, { nonce: 2n, pledges: [old] }),
        w.errors,
        "CustodianNotRegistered",
        [VENUE, custodian],
      );
      await addCustodian(policies(w.custodianAdmin), VENUE, custodian);
      const second = await w.policyRegistry.getFunction("currentRegistrationAt")(VENUE, custodian);
      expect(second).to.not.equal(first);
      // The attack: what it signed before, even dated after the re-add.
      for (const signed of [old, future]) {
        await expectRevert(
          proveAs(w, w.alice, { nonce: 2n, pledges: [signed] }),
          w.errors,
          "PledgeRegistrationEnded",
          [0n, first, second],
        );
      }
      // The status proven before the removal stays dead after the re-add.
      expect(await sufficient(w, w.alice)).to.equal(false);
      expect((await readStatus(w.marginRegistry, alice, POLICY)).pledges).to.deep.equal([
        { custodian, registration: first, active: false },
      ]);
      // Honest: a pledge under the new registration counts.
      const fresh = await pledge(w.alice);
      expect(fresh.registration).to.equal(second);
      await proveAs(w, w.alice, { nonce: 2n, pledges: [fresh] });
      expect(await sufficient(w, w.alice)).to.equal(true);
    });

    it("ends only the removed venue's registration: the custodian's statuses at the other venue count on", async function () {
      const custodian = await address(w.custodian);
      await proveAs(w, w.alice);
      await proveAs(w, w.alice, {
        policyId: POLICY_B,
        pledges: [await pledge(w.alice, { venue: OTHER_VENUE })],
      });
      await removeCustodian(policies(w.custodianAdmin), VENUE, custodian);
      expect(await sufficient(w, w.alice, POLICY)).to.equal(false);
      expect(await sufficient(w, w.alice, POLICY_B)).to.equal(true);
    });
  });

  describe("several custodians in one proof (C = 4)", function () {
    it("accepts four custodians' pledges of four sub-portfolios, and records each", async function () {
      const alice = await address(w.alice);
      const pledges = await piecesPledged(w.alice);
      const earliest = (await now()) + 500n;
      pledges[2] = await pledge(w.alice, {
        signer: w.custodian3,
        portfolio: PIECES[2],
        validUntil: earliest,
      });
      const receipt = await prove4(w.alice, PIECES, pledges);
      expect(eventArgs(w.marginRegistry, receipt, "MarginProved")).to.deep.equal([
        alice,
        POLICY4,
        ROUND,
        1n,
        PIECES,
      ]);
      const [event] = await marginProvedEvents(w.marginRegistry, { policyId: POLICY4 });
      expect(event.portfolioCommitments).to.deep.equal(PIECES);
      const status = await readStatus(w.marginRegistry, alice, POLICY4);
      expect(status.pledges).to.deep.equal(
        await Promise.all(
          custodians().map(async (c, i) => ({
            custodian: await address(c),
            registration: pledges[i].registration,
            active: true,
          })),
        ),
      );
      expect([status.pledgesValidUntil, status.epochSum, status.revoked]).to.deep.equal([
        earliest,
        0n,
        false,
      ]);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
      // The earliest expiry ends the status.
      await mineAt(earliest + 1n);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(false);
    });

    it("accepts fewer pledges than slots: the used slots a prefix, the unused ones zero", async function () {
      const pledges = await piecesPledged(w.alice, 2);
      await prove4(w.alice, [PIECES[0], PIECES[1], 0n, 0n], pledges);
      expect(
        (await readStatus(w.marginRegistry, await address(w.alice), POLICY4)).pledges,
      ).to.have.length(2);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
    });

    it("refuses the same pledge (commitment) in two slots", async function () {
      const first = await pledge(w.alice, { portfolio: PIECES[0] });
      const twice = [first, first, ...(await piecesPledged(w.alice)).slice(2)];
      await expectRevert(
        prove4(w.alice, [PIECES[0], PIECES[0], PIECES[2], PIECES[3]], twice),
        w.errors,
        "DuplicateCommitment",
        [1n, PIECES[0]],
      );
      // The same commitment pledged by two custodians is the same holdings counted twice too.
      const second = await pledge(w.alice, { signer: w.custodian2, portfolio: PIECES[0] });
      await expectRevert(
        prove4(w.alice, [PIECES[0], PIECES[0], 0n, 0n], [first, second]),
        w.errors,
        "DuplicateCommitment",
        [1n, PIECES[0]],
      );
    });

    it("refuses one custodian in two slots", async function () {
      const pledges = await piecesPledged(w.alice);
      pledges[3] = await pledge(w.alice, { portfolio: PIECES[3] });
      await expectRevert(prove4(w.alice, PIECES, pledges), w.errors, "DuplicateCustodian", [
        3n,
        await address(w.custodian),
      ]);
    });

    it("refuses a pledge whose terms or custodian word has bits set above its type (MalformedPledge)", async function () {
      const pledges = (await piecesPledged(w.alice)).map(pledgeCalldata);
      const registry = await w.marginRegistry.getAddress();
      const data = (words: typeof pledges) =>
        w.marginRegistry.interface.encodeFunctionData("prove", [
          POLICY4,
          ROUND,
          1n,
          PIECES,
          PROOF,
          words,
        ]);
      const dirtyTerms = pledges.map((p, i) =>
        i === 1 ? { ...p, terms: p.terms | (1n << 255n) } : p,
      );
      await expectRevert(
        w.alice.sendTransaction({ to: registry, data: data(dirtyTerms) }),
        w.errors,
        "MalformedPledge",
        [1n],
      );
      // Slot 2's custodian word with a bit above its 160: the ABI encoder cannot write it.
      const clean = data(pledges).slice(2);
      const word = pledges[2].custodian.slice(2).toLowerCase().padStart(64, "0");
      expect(clean.split(word).length).to.equal(2);
      const dirty = `0x${clean.replace(word, `01${word.slice(2)}`)}`;
      await expectRevert(
        w.alice.sendTransaction({ to: registry, data: dirty }),
        w.errors,
        "MalformedPledge",
        [2n],
      );
    });

    it("refuses a non-zero commitment in an unused slot (a sub-portfolio no custodian pledged)", async function () {
      const pledges = await piecesPledged(w.alice, 2);
      await expectRevert(
        prove4(w.alice, [PIECES[0], PIECES[1], PIECES[2], 0n], pledges),
        w.errors,
        "UnpledgedCommitment",
        [2n, PIECES[2]],
      );
      await expectRevert(
        prove4(w.alice, [PIECES[0], PIECES[1], 0n, PIECES[3]], pledges),
        w.errors,
        "UnpledgedCommitment",
        [3n, PIECES[3]],
      );
      await expectRevert(
        prove4(w.alice, PIECES, [...(await piecesPledged(w.alice)), pledges[0]]),
        w.errors,
        "TooManyPledges",
        [5n, 4n],
      );
    });

    it("refuses a pledge in the wrong slot, and checks every slot's expiry, registration and epoch", async function () {
      const alice = await address(w.alice);
      const pledges = await piecesPledged(w.alice);
      const swapped = [pledges[1], pledges[0], pledges[2], pledges[3]];
      await expectRevert(prove4(w.alice, PIECES, swapped), w.errors, "InvalidPledgeSignature", [
        0n,
      ]);
      const restore = await snapshot();
      await revokePledges(registry(w.custodian3), alice);
      await expectRevert(prove4(w.alice, PIECES, pledges), w.errors, "PledgeRevoked", [2n, 0n, 1n]);
      await restore();
      const custodian4 = await address(w.custodian4);
      await removeCustodian(policies(w.custodianAdmin), VENUE, custodian4);
      await expectRevert(prove4(w.alice, PIECES, pledges), w.errors, "CustodianNotRegistered", [
        VENUE,
        custodian4,
      ]);
    });

    it("sees every pledge's revocation, registration and expiry in isMarginSufficient, and in a cure's predicate", async function () {
      const alice = await address(w.alice);
      await prove4(w.alice, PIECES, await piecesPledged(w.alice));
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
      // The third custodian revokes at another venue: nothing changes here.
      await revokePledgesAtVenue(registry(w.custodian3), alice, OTHER_VENUE);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
      let restore = await snapshot();
      // ...then at this venue: the status ends.
      await revokePledgesAtVenue(registry(w.custodian3), alice, VENUE);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(false);
      expect(await readStatus(w.marginRegistry, alice, POLICY4)).to.deep.include({
        epochSum: 0n,
        currentEpochSum: 1n,
        revoked: true,
      });
      await restore();
      restore = await snapshot();
      // The last custodian's removal ends it too, and a re-add revives nothing.
      const custodian4 = await address(w.custodian4);
      await removeCustodian(policies(w.custodianAdmin), VENUE, custodian4);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(false);
      await addCustodian(policies(w.custodianAdmin), VENUE, custodian4);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(false);
      expect((await readStatus(w.marginRegistry, alice, POLICY4)).pledges[3].active).to.equal(
        false,
      );
      await restore();
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
    });

    it("keeps a status of fewer pledges exact after one of more (the second slot's stale ids are not read)", async function () {
      const alice = await address(w.alice);
      await prove4(w.alice, PIECES, await piecesPledged(w.alice));
      await prove4(w.alice, [PIECES[0], 0n, 0n, 0n], await piecesPledged(w.alice, 1), 2n);
      const status = await readStatus(w.marginRegistry, alice, POLICY4);
      expect(status.pledges).to.have.length(1);
      // A custodian of the earlier proof, no longer pledged, revokes: the status stands.
      await revokePledges(registry(w.custodian4), alice);
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
    });

    it("adds the epochs of all the pledges: a revocation by any custodian changes the sum", async function () {
      const alice = await address(w.alice);
      for (const [signer, times] of [
        [w.custodian, 1],
        [w.custodian2, 3],
      ] as const) {
        for (let i = 0; i < times; i++) await revokePledges(registry(signer), alice);
      }
      await revokePledgesAtVenue(registry(w.custodian4), alice, VENUE);
      const pledges = await piecesPledged(w.alice);
      expect(pledges.map((p) => p.epoch)).to.deep.equal([1n, 3n, 0n, 1n]);
      await prove4(w.alice, PIECES, pledges);
      expect((await readStatus(w.marginRegistry, alice, POLICY4)).epochSum).to.equal(5n);
      await revokePledges(registry(w.custodian3), alice);
      expect(await readStatus(w.marginRegistry, alice, POLICY4)).to.deep.include({
        currentEpochSum: 6n,
        revoked: true,
      });
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(false);
    });

    it("relays several pledges: the ProveRequest signs each of them", async function () {
      const alice = await address(w.alice);
      const pledges = await piecesPledged(w.alice, 3);
      const submission = {
        account: alice,
        policyId: POLICY4,
        round: ROUND,
        nonce: 1n,
        deadline: (await now()) + HOUR,
        portfolioCommitments: [PIECES[0], PIECES[1], PIECES[2], 0n],
        proof: PROOF,
        pledges,
      };
      const accountSignature = await signProveRequest(
        w.alice,
        w.domain,
        proveRequestOf(submission, VENUE),
      );
      await expectSignals(
        w,
        signalsOf(alice, 1n, {
          market: market(ROUND),
          policy: POLICY4_COMMITMENT,
          portfolios: submission.portfolioCommitments,
        }),
      );
      // A relayer that drops a pledge (and its commitment), or swaps one for a weaker one.
      const weaker = await pledge(w.alice, {
        signer: w.custodian2,
        portfolio: PIECES[1],
        validUntil: pledges[1].validUntil - 1n,
      });
      for (const changed of [
        { pledges: pledges.slice(0, 2), portfolioCommitments: [PIECES[0], PIECES[1], 0n, 0n] },
        { pledges: [pledges[0], weaker, pledges[2]] },
      ]) {
        await expectRevert(
          submitProofFor(registry(w.stranger), { ...submission, ...changed, accountSignature }),
          w.errors,
          "InvalidAccountSignature",
        );
      }
      await submitProofFor(registry(w.stranger), { ...submission, accountSignature });
      expect(await sufficient(w, w.alice, POLICY4)).to.equal(true);
    });
  });

  describe("verifier calls for every C", function () {
    it("calls snarkjs's verifyProof by the selector of 3 + C signals, for C = 1 to 8", async function () {
      const artifact = loadArtifact("ExpectedInputsVerifier");
      const alice = await address(w.alice);
      for (let c = 1; c <= 8; c++) {
        const verifier =
          c === 1
            ? w.verifier
            : c === 4
              ? w.verifier4
              : (await deployArtifact(w.admin, artifact, [BigInt(3 + c)])).contract;
        const verifierAddress = await verifier.getAddress();
        if (c !== 1 && c !== 4) await approveVerifierOnDevChain(w.policyRegistry, verifierAddress);
        const id = policyIdOf(`open-${c}`);
        await registerPolicy(policies(w.policyAdmin), {
          policyId: id,
          commitment: 0x50n + BigInt(c),
          mode: "initial",
          verifier: verifierAddress,
          verificationKeyHash: w.vkHash,
          feed: FEED,
          venue: VENUE,
          maxRoundAge: DAY,
          requiresPledges: false,
        });
        // Every slot used and distinct: the holder supplies them for a no-pledge policy. A fresh
        // round: each approval above moved the clock a day.
        const round = await postNext(w);
        const portfolios = Array.from({ length: c }, (_, i) => 0x100n + BigInt(i));
        const signals = signalsOf(alice, 1n, {
          market: market(round),
          policy: 0x50n + BigInt(c),
          portfolios,
        });
        await (await verifier.getFunction("expect")(proofHash(PROOF), signals)).wait();
        await submitProof(registry(w.alice), {
          policyId: id,
          round,
          nonce: 1n,
          portfolioCommitments: portfolios,
          proof: PROOF,
        });
        // One signal changed: refused.
        await expectRevert(
          submitProof(registry(w.alice), {
            policyId: id,
            round,
            nonce: 2n,
            portfolioCommitments: portfolios,
            proof: PROOF,
          }),
          w.errors,
          "InvalidProof",
        );
      }
    });
  });
});
