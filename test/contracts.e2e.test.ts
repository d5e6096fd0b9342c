/**
 * End to end with real Groth16 proofs of the `small` instance: from examples/small/*.json through
 * the SDK's generateProof and the custodian's attestOpening to MarginRegistry and
 * isMarginSufficient, then one test per refusal.
 *
 * The suite runs the development setup of the instance first (a no-op when its keys and
 * generated verifier are up to date, several minutes on a fresh checkout).
 */
import { expect } from "chai";
import path from "node:path";
import type { Contract, Signer, TypedDataDomain } from "ethers";
import {
  addCustodian,
  BN254_BASE_FIELD,
  deployVerifier,
  deployZkMargin,
  isMarginSufficient,
  marginProvedEvents,
  NO_ATTESTATION,
  policyIdOf,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  readMarginRegistryDomain,
  readStatus,
  registerPolicy,
  signAttestation,
  signProveRequest,
  submitProof,
  submitProofFor,
  toSolidityProof,
} from "../prover/src/chain";
import type { SignedAttestation, SolidityProof } from "../prover/src/chain";
import { commitments } from "../prover/src/commitments";
import { loadInstances } from "../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../prover/src/inputs";
import { attestOpening, generateProof } from "../prover/src/proving";
import type { MarginProof } from "../prover/src/proving";
import { readManifest } from "../prover/src/setup/manifest";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import { setupInstance } from "../prover/src/setup/dev-setup";
import {
  SCALAR_FIELD,
  compileContracts,
  expectRevert,
  hre,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
} from "./contracts.fixture";

const INSTANCE = "small";
const EXAMPLES = path.resolve(__dirname, "..", "examples", "small");
const MAX_ROUND_AGE = 3600n;
const DAY = 86_400n;

describe("contracts end to end (real proofs, small instance)", function () {
  let admin: Signer,
    alice: Signer,
    bob: Signer,
    custodian: Signer,
    publisher: Signer,
    relayer: Signer;
  let policy: Policy, market: Market, portfolio: Portfolio;
  let marketBook: Contract, policyRegistry: Contract, marginRegistry: Contract;
  let domain: TypedDataDomain;
  let policyId: string;
  let first: MarginProof;
  let proof: SolidityProof;
  let portfolioCommitment: bigint;
  let attestation: SignedAttestation;
  let errors: import("ethers").Interface[];

  function as(signer: Signer): Contract {
    return marginRegistry.connect(signer) as Contract;
  }

  function submission(overrides: Partial<Parameters<typeof submitProof>[1]> = {}) {
    return {
      policyId,
      round: market.round,
      portfolioCommitment,
      nonce: 1n,
      proof,
      attestation,
      ...overrides,
    };
  }

  before(async function () {
    // Development keys and the generated verifier of the instance (a no-op when up to date).
    await setupInstance(INSTANCE, { log: () => undefined, onProgress: () => undefined });
    await compileContracts();
    [admin, alice, bob, custodian, publisher, relayer] = await hre.ethers.getSigners();

    policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
    market = loadMarket(path.join(EXAMPLES, "market.json"));
    portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
    expect(portfolio.account).to.equal(await alice.getAddress());
    // The venue publishes the example round as the current one: same prices, today's timestamp.
    market = { ...market, timestamp: (await now()) - 60n };

    const deployment = await deployZkMargin(admin, { publishers: [await publisher.getAddress()] });
    marketBook = deployment.marketBook.contract;
    policyRegistry = deployment.policyRegistry.contract;
    marginRegistry = deployment.marginRegistry.contract;
    errors = [marginRegistry.interface, policyRegistry.interface, marketBook.interface];
    domain = await readMarginRegistryDomain(marginRegistry);
    const verifier = await deployVerifier(admin, INSTANCE);

    // The venue's commitments, computed from the public files independently of any proof.
    const dims = loadInstances()[INSTANCE];
    const venue = await commitments({ policy, market, portfolio, salt: 0n, instance: dims });
    await postRound(marketBook.connect(publisher), {
      round: market.round,
      timestamp: market.timestamp,
      commitment: venue.market,
    });
    policyId = policyIdOf(policy.id);
    await registerPolicy(policyRegistry, {
      policyId,
      commitment: venue.policy,
      mode: policy.mode,
      verifier: verifier.address,
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      maxRoundAge: MAX_ROUND_AGE,
    });
    await addCustodian(policyRegistry, policyId, await custodian.getAddress());

    first = await generateProof({ policy, market, portfolio, nonce: 1n, instance: INSTANCE });
    expect(first.publicSignals[2]).to.equal(venue.market.toString());
    expect(first.publicSignals[3]).to.equal(venue.policy.toString());
    proof = toSolidityProof(first.proof);
    portfolioCommitment = BigInt(first.publicSignals[4]);

    // The custodian checks the opening against its own records (here: the same portfolio).
    const file = await attestOpening({
      opening: first.opening,
      records: portfolio,
      policy,
      market,
      signer: custodian,
      domain,
      validUntil: market.timestamp + DAY,
      files: { opening: "opening.json", records: "custodian-records.json" },
    });
    attestation = {
      custodian: file.custodian,
      validUntil: BigInt(file.validUntil),
      signature: file.signature,
    };
  });

  after(async function () {
    await releaseCurve(); // snarkjs keeps worker threads that would hold the process open
  });

  revertAfterEachTest();

  it("happy path: files -> proof -> attestation -> prove -> isMarginSufficient", async function () {
    const account = await alice.getAddress();
    expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
      false,
    );
    const firstReceipt = await submitProof(as(alice), submission());
    const status = await readStatus(marginRegistry, account, policyId);
    expect([
      status.round,
      status.nonce,
      status.roundTimestamp,
      status.custodian,
      status.custodianActive,
      status.attestationValidUntil,
    ]).to.deep.equal([
      market.round,
      1n,
      market.timestamp,
      await custodian.getAddress(),
      true,
      attestation.validUntil,
    ]);
    // The proven commitment is kept in the event, not in storage.
    const [event] = await marginProvedEvents(marginRegistry, { account, policyId });
    expect([event.nonce, event.portfolioCommitment]).to.deep.equal([1n, portfolioCommitment]);
    expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
      true,
    );

    // A second, fresh proof with the next nonce updates the status.
    const second = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 2n,
      instance: INSTANCE,
    });
    const secondCommitment = BigInt(second.publicSignals[4]);
    expect(secondCommitment).to.not.equal(portfolioCommitment); // a fresh salt
    const secondAttestation = await signAttestation(custodian, domain, {
      account,
      portfolioCommitment: secondCommitment,
      validUntil: market.timestamp + DAY,
    });
    const repeat = await submitProof(
      as(alice),
      submission({
        nonce: 2n,
        portfolioCommitment: secondCommitment,
        proof: toSolidityProof(second.proof),
        attestation: secondAttestation,
      }),
    );
    expect((await readStatus(marginRegistry, account, policyId)).nonce).to.equal(2n);
    // The issue's target for a proof submission, for a fresh account (one new storage slot) and
    // for a repeat (npm run gas prints the full breakdown).
    expect(
      firstReceipt.gasUsed < 300_000n,
      `first prove used ${firstReceipt.gasUsed} gas`,
    ).to.equal(true);
    expect(repeat.gasUsed < 300_000n, `repeat prove used ${repeat.gasUsed} gas`).to.equal(true);
  });

  it("relayed: anyone submits the account's signed request", async function () {
    const account = await alice.getAddress();
    const request = {
      account,
      policyId,
      round: market.round,
      portfolioCommitment,
      nonce: 1n,
      deadline: (await now()) + 600n,
    };
    const accountSignature = await signProveRequest(alice, domain, request);
    await submitProofFor(as(relayer), { ...submission(), ...request, accountSignature });
    expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
      true,
    );
  });

  it("refuses a replay by the same account", async function () {
    await submitProof(as(alice), submission());
    await expectRevert(submitProof(as(alice), submission()), errors, "NonceNotIncreasing", [
      1n,
      1n,
    ]);
  });

  it("refuses the same proof submitted from another account", async function () {
    const bobAttestation = await signAttestation(custodian, domain, {
      account: await bob.getAddress(),
      portfolioCommitment,
      validUntil: market.timestamp + DAY,
    });
    await expectRevert(
      submitProof(as(bob), submission({ attestation: bobAttestation })),
      errors,
      "InvalidProof",
    );
  });

  it("refuses the proof for another policy", async function () {
    const dims = loadInstances()[INSTANCE];
    const other: Policy = { ...policy, id: "small-maintenance-v1", mode: "maintenance" };
    const otherId = policyIdOf(other.id);
    const { policy: otherCommitment } = await commitments({
      policy: other,
      market,
      portfolio,
      salt: 0n,
      instance: dims,
    });
    await registerPolicy(policyRegistry, {
      policyId: otherId,
      commitment: otherCommitment,
      mode: "maintenance",
      verifier: (await policyRegistry.getFunction("getPolicy")(policyId)).verifier as string,
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      maxRoundAge: MAX_ROUND_AGE,
    });
    await addCustodian(policyRegistry, otherId, await custodian.getAddress());
    await expectRevert(
      submitProof(as(alice), submission({ policyId: otherId })),
      errors,
      "InvalidProof",
    );
  });

  it("refuses the proof for another round", async function () {
    const dims = loadInstances()[INSTANCE];
    const next: Market = { ...market, round: market.round + 1n, timestamp: market.timestamp + 1n };
    const { market: nextCommitment } = await commitments({
      policy,
      market: next,
      portfolio,
      salt: 0n,
      instance: dims,
    });
    await postRound(marketBook.connect(publisher), {
      round: next.round,
      timestamp: next.timestamp,
      commitment: nextCommitment,
    });
    await expectRevert(
      submitProof(as(alice), submission({ round: next.round })),
      errors,
      "InvalidProof",
    );
  });

  it("refuses a stale round", async function () {
    await setNextTimestamp(market.timestamp + MAX_ROUND_AGE + 1n);
    await expectRevert(submitProof(as(alice), submission()), errors, "StaleRound", [
      market.round,
      market.timestamp,
      MAX_ROUND_AGE,
    ]);
  });

  it("refuses a retired policy", async function () {
    await (await policyRegistry.getFunction("retirePolicy")(policyId)).wait();
    await expectRevert(submitProof(as(alice), submission()), errors, "PolicyRetired", [policyId]);
  });

  describe("attestations", function () {
    it("refuses a missing attestation", async function () {
      await expectRevert(
        submitProof(as(alice), submission({ attestation: NO_ATTESTATION })),
        errors,
        "AttestationMissing",
      );
    });

    it("refuses an expired attestation", async function () {
      const validUntil = (await now()) + 5n;
      const short = await signAttestation(custodian, domain, {
        account: await alice.getAddress(),
        portfolioCommitment,
        validUntil,
      });
      await setNextTimestamp(validUntil + 1n);
      await expectRevert(
        submitProof(as(alice), submission({ attestation: short })),
        errors,
        "AttestationExpired",
        [validUntil],
      );
    });

    it("refuses an attestation for another commitment", async function () {
      const wrong = await signAttestation(custodian, domain, {
        account: await alice.getAddress(),
        portfolioCommitment: portfolioCommitment + 1n,
        validUntil: attestation.validUntil,
      });
      await expectRevert(
        submitProof(as(alice), submission({ attestation: wrong })),
        errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation for another account", async function () {
      const wrong = await signAttestation(custodian, domain, {
        account: await bob.getAddress(),
        portfolioCommitment,
        validUntil: attestation.validUntil,
      });
      await expectRevert(
        submitProof(as(alice), submission({ attestation: wrong })),
        errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation from an unknown custodian", async function () {
      const wrong = await signAttestation(relayer, domain, {
        account: await alice.getAddress(),
        portfolioCommitment,
        validUntil: attestation.validUntil,
      });
      await expectRevert(
        submitProof(as(alice), submission({ attestation: wrong })),
        errors,
        "CustodianNotRegistered",
        [policyId, await relayer.getAddress()],
      );
    });

    it("refuses an attestation from a removed custodian, and the status stops counting", async function () {
      await submitProof(as(alice), submission());
      await (
        await policyRegistry.getFunction("removeCustodian")(policyId, await custodian.getAddress())
      ).wait();
      expect(
        await isMarginSufficient(marginRegistry, await alice.getAddress(), policyId, MAX_ROUND_AGE),
      ).to.equal(false);
      await expectRevert(
        submitProof(as(alice), submission({ nonce: 2n })),
        errors,
        "CustodianNotRegistered",
      );
    });
  });

  it("refuses a flipped bit in each proof element", async function () {
    for (let i = 0; i < 8; i++) {
      const coords = proofCoordinates(proof);
      coords[i] ^= 1n;
      await expectRevert(
        submitProof(as(alice), submission({ proof: proofFromCoordinates(coords) })),
        errors,
        "InvalidProof",
      );
    }
  });

  it("refuses public values and proof coordinates at or beyond the field moduli", async function () {
    for (const value of [SCALAR_FIELD, portfolioCommitment + SCALAR_FIELD]) {
      await expectRevert(
        submitProof(as(alice), submission({ portfolioCommitment: value })),
        errors,
        "PortfolioCommitmentOutOfField",
        [value],
      );
    }
    for (let i = 0; i < 8; i++) {
      const coords = proofCoordinates(proof);
      coords[i] += BN254_BASE_FIELD; // the same point modulo q
      await expectRevert(
        submitProof(as(alice), submission({ proof: proofFromCoordinates(coords) })),
        errors,
        "ProofCoordinateOutOfField",
        [BigInt(i)],
      );
    }
  });

  it("status expires with maxAge", async function () {
    await submitProof(as(alice), submission());
    const account = await alice.getAddress();
    const maxAge = 1800n;
    await mineAt(market.timestamp + maxAge);
    expect(await isMarginSufficient(marginRegistry, account, policyId, maxAge)).to.equal(true);
    await mineAt(market.timestamp + maxAge + 1n);
    expect(await isMarginSufficient(marginRegistry, account, policyId, maxAge)).to.equal(false);
    expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
      true,
    );
  });
});
