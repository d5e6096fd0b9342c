/**
 * Several custodians in one real proof (issue 19), end to end on the `demo` instance (two pledge
 * slots): the SDK proves the sum of two sub-portfolios with one opening each, each custodian
 * checks only its own opening against its records and pledges it to the venue, and
 * MarginRegistry takes the proof's two commitments with the two pledges. The refusals are
 * performed with the real proof: a sub-portfolio nobody pledged, pledges in each other's slots,
 * one custodian in both slots, and a revocation by the second custodian alone. The attacks
 * against stand-in verifiers of any slot count are in test/pledges.test.ts.
 */
import { expect } from "chai";
import type { Contract, Signer } from "ethers";
import {
  isMarginSufficient,
  readStatus,
  revokePledges,
  submitProof,
  toSolidityProof,
  type ProofSubmission,
  type SignedPledge,
} from "../prover/src/chain";
import type { DemoVenue } from "../prover/src/demo/deployment";
import type { Market, Policy, Portfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import {
  decodePublicSignals,
  generateProof,
  signedPledgeOf,
  type MarginProof,
} from "../prover/src/proving";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import { compileContracts, expectRevert, hre, revertAfterEachTest } from "./contracts.fixture";
import { sharedKeysHook } from "./helpers/shared-keys";
import { deployTwoCustodianVenue, pledgeSlot, type TwoCustodianVenue } from "./helpers/two-pledges";

const INSTANCE = "demo";
const DAY = 86_400n;

describe("several custodians in one real proof (demo instance, two pledge slots)", function () {
  let policy: Policy, market: Market, whole: Portfolio;
  /** The example's collateral, held by the first custodian, and its positions, by the second. */
  let pieces: Portfolio[];
  let holder: Signer, custodianA: Signer, custodianB: Signer;
  let world: TwoCustodianVenue;
  let venue: DemoVenue;
  let proved: MarginProof;
  let commitments: bigint[];
  let pledges: SignedPledge[];
  let errors: import("ethers").Interface[];

  /** Custodian `signer`'s pledge of sub-portfolio `slot`, checked against `records`. */
  async function pledgeOf(signer: Signer, slot: number, records: Portfolio = pieces[slot]) {
    return signedPledgeOf(await pledgeSlot(world, proved, slot, signer, records));
  }

  const submission = (overrides: Partial<ProofSubmission> = {}): ProofSubmission => ({
    policyId: venue.policyId,
    round: market.round,
    nonce: 1n,
    portfolioCommitments: commitments,
    proof: toSolidityProof(proved.proof),
    pledges,
    ...overrides,
  });
  const registry = () => venue.registryAs(holder);
  const sufficient = () =>
    isMarginSufficient(venue.marginRegistry.contract, whole.account, venue.policyId, DAY);

  before(sharedKeysHook(INSTANCE));
  before(async function () {
    await compileContracts();
    world = await deployTwoCustodianVenue(await hre.ethers.getSigners(), hre.ethers.provider);
    ({ policy, market, whole, pieces, holder, venue } = world);
    [custodianA, custodianB] = world.custodians;
    errors = [venue.marginRegistry.contract.interface, venue.policyRegistry.contract.interface];
    proved = await generateProof({ policy, market, portfolio: pieces, nonce: 1n });
    expect(proved.instance).to.equal(INSTANCE);
    commitments = decodePublicSignals(proved.publicSignals).portfolioCommitments;
    pledges = [await pledgeOf(custodianA, 0), await pledgeOf(custodianB, 1)];
  });

  after(async () => {
    await releaseCurve();
  });

  revertAfterEachTest();

  it("accepts the proof of the sum with each custodian's pledge of its own sub-portfolio", async function () {
    // The positions alone fall short; the collateral alone carries no requirement.
    expect(computeMargin(policy, market, pieces[1]).sufficient).to.equal(false);
    expect(computeMargin(policy, market, whole).sufficient).to.equal(true);
    expect(commitments).to.have.length(2);
    expect(proved.openings.map((o) => BigInt(o.commitments.portfolio))).to.deep.equal(commitments);
    expect(await sufficient()).to.equal(false);
    await submitProof(registry(), submission());
    expect(await sufficient()).to.equal(true);
    const status = await readStatus(venue.marginRegistry.contract, whole.account, venue.policyId);
    expect(status.pledges.map((p) => p.custodian)).to.deep.equal([
      await custodianA.getAddress(),
      await custodianB.getAddress(),
    ]);
    expect(status.revoked).to.equal(false);
  });

  it("refuses a custodian's pledge of records other than its own sub-portfolio, before signing", async function () {
    let error: unknown;
    try {
      await pledgeOf(custodianA, 0, whole);
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(
      /records-1\.json: .*differ.* from the holder's opening, or exceed what the records hold/,
    );
  });

  it("refuses a sub-portfolio nobody pledged, pledges in each other's slots, and one custodian in both slots", async function () {
    await expectRevert(
      submitProof(registry(), submission({ pledges: [pledges[0]] })),
      errors,
      "UnpledgedCommitment",
      [1n, commitments[1]],
    );
    await expectRevert(
      submitProof(registry(), submission({ pledges: [pledges[1], pledges[0]] })),
      errors,
      "InvalidPledgeSignature",
      [0n],
    );
    const twice = await pledgeOf(custodianA, 1);
    await expectRevert(
      submitProof(registry(), submission({ pledges: [pledges[0], twice] })),
      errors,
      "DuplicateCustodian",
      [1n, await custodianA.getAddress()],
    );
    expect(await sufficient()).to.equal(false);
  });

  it("stops counting when the second custodian alone revokes", async function () {
    await submitProof(registry(), submission());
    expect(await sufficient()).to.equal(true);
    await revokePledges(venue.registryAs(custodianB) as Contract, whole.account);
    expect(await sufficient()).to.equal(false);
    const status = await readStatus(venue.marginRegistry.contract, whole.account, venue.policyId);
    expect(status.revoked).to.equal(true);
    await expectRevert(
      submitProof(registry(), submission({ nonce: 2n })),
      errors,
      "PledgeRevoked",
      [1n, 0n, 1n],
    );
  });
});
