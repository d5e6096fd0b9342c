/**
 * End to end with real Groth16 proofs of the `small` instance (one pledge slot): from
 * examples/small/*.json through the SDK's generateProof and the custodian's pledgeOpening to
 * MarginRegistry and isMarginSufficient, then one test per refusal (pledges to another venue,
 * revoked, from a re-added custodian), and the two forgeries across slot layouts that the first
 * audit found, now refused on-chain with real proofs.
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
  grantPublisher,
  isMarginSufficient,
  latestBlockTime,
  marginProvedEvents,
  policyIdOf,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  proveRequestOf,
  readMarginRegistryDomain,
  readPledgeTerms,
  readStatus,
  registerPolicy,
  removeCustodian,
  revokePledges,
  signPledge,
  signProveRequest,
  submitProof,
  submitProofFor,
  toSolidityProof,
  venueIdOf,
} from "../prover/src/chain";
import type { SignedPledge, SolidityProof } from "../prover/src/chain";
import { publicCommitments, withCommitments } from "../prover/src/commitments";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import { encodeCircuitInput, type CircuitInput } from "../prover/src/encoding/circuit-input";
import { loadInstances } from "../prover/src/encoding/instances";
import { feedIdOf } from "../prover/src/layout";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../prover/src/inputs";
import {
  decodePublicSignals,
  generateProof,
  pledgeOpening,
  signedPledgeOf,
} from "../prover/src/proving";
import { snarkjs, usingCurve } from "../prover/src/proving/snarkjs";
import type { Groth16Proof, MarginProof } from "../prover/src/proving";
import { loadArtifacts, readManifest } from "../prover/src/setup/manifest";
import { releaseCurve } from "../prover/src/setup/snarkjs";
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
import { withAssetOrder } from "./helpers/layouts";
import { MARKET_SIGNALS, PORTFOLIO_SIGNALS } from "./helpers/signals";
import { sharedKeysHook } from "./helpers/shared-keys";

const INSTANCE = "small";
const GRACE = 300n;
const EXAMPLES = path.resolve(__dirname, "..", "examples", "small");
const MAX_ROUND_AGE = 3600n;
const DAY = 86_400n;
/** The venue of the policies registered here, and another one. */
const VENUE = venueIdOf("e2e venue");
const OTHER_VENUE = venueIdOf("e2e other venue");

/** The signals `names` of `from`. */
function pick(from: CircuitInput, names: readonly (keyof CircuitInput)[]): Partial<CircuitInput> {
  return Object.fromEntries(names.map((n) => [n, from[n]]));
}

/**
 * A real Groth16 proof of whatever witness `input` makes (no model check, no honesty): what an
 * attacker with the proving key can produce. Throws when no witness exists.
 */
async function proveAnything(
  input: CircuitInput,
): Promise<{ proof: Groth16Proof; signals: string[] }> {
  const artifacts = await loadArtifacts(INSTANCE);
  const signals = await withCommitments(input);
  return usingCurve(async () => {
    const witness: { type: "mem"; data?: Uint8Array } = { type: "mem" };
    await snarkjs.wtns.calculate({ ...signals }, artifacts.wasm, witness);
    const made = await snarkjs.groth16.prove(artifacts.zkey, witness);
    return { proof: made.proof, signals: made.publicSignals };
  });
}

describe("contracts end to end (real proofs, small instance)", function () {
  let admin: Signer,
    alice: Signer,
    bob: Signer,
    custodian: Signer,
    publisher: Signer,
    relayer: Signer,
    policyAdmin: Signer,
    custodianAdmin: Signer;
  let policy: Policy, market: Market, portfolio: Portfolio;
  let marketBook: Contract, policyRegistry: Contract, marginRegistry: Contract;
  let domain: TypedDataDomain;
  let policyId: string;
  let feed: string;
  let verifierAddress: string;
  let first: MarginProof;
  let proof: SolidityProof;
  /** A proof of the same statement with nonce 2 (same salt, so the same commitment). */
  let proofOfNonce2: SolidityProof;
  let portfolioCommitment: bigint;
  let pledge: SignedPledge;
  let errors: import("ethers").Interface[];

  function as(signer: Signer): Contract {
    return marginRegistry.connect(signer) as Contract;
  }

  function submission(overrides: Partial<Parameters<typeof submitProof>[1]> = {}) {
    return {
      policyId,
      round: market.round,
      portfolioCommitments: [portfolioCommitment],
      nonce: 1n,
      proof,
      pledges: [pledge],
      ...overrides,
    };
  }

  /**
   * Registers `p` at `venue` on its own layout's feed (posting `m` there first) as the policy
   * admin; the custodian is registered at the venue (unless it is already).
   */
  async function registerOnOwnFeed(
    p: Policy,
    m: Market,
    venue = VENUE,
  ): Promise<{ id: string; feed: string }> {
    const dims = loadInstances()[INSTANCE];
    const published = await publicCommitments({ policy: p, market: m, instance: dims });
    const ownFeed = feedIdOf(published.layoutId);
    await grantPublisher(marketBook, ownFeed, await publisher.getAddress());
    await postRound(marketBook.connect(publisher) as Contract, {
      feed: ownFeed,
      round: m.round,
      timestamp: m.timestamp,
      commitment: published.market,
    });
    const id = policyIdOf(p.id);
    await registerPolicy(policyRegistry.connect(policyAdmin) as Contract, {
      policyId: id,
      commitment: published.policy,
      mode: p.mode,
      verifier: verifierAddress,
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      feed: ownFeed,
      venue,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: GRACE,
    });
    const address = await custodian.getAddress();
    if (!((await policyRegistry.getFunction("isCustodian")(venue, address)) as boolean)) {
      await addCustodian(policyRegistry.connect(custodianAdmin) as Contract, venue, address);
    }
    return { id, feed: ownFeed };
  }

  /**
   * The custodian's check of the first proof's opening against its records (the same portfolio),
   * pledged to the venue under the custodian's terms read from the chain.
   */
  async function custodianCheck() {
    return {
      opening: first.opening,
      records: portfolio,
      policy,
      market,
      signer: custodian,
      domain,
      venue: VENUE,
      terms: await readPledgeTerms(
        marginRegistry,
        await custodian.getAddress(),
        await alice.getAddress(),
        VENUE,
      ),
      issuedAt: await now(),
      validUntil: market.timestamp + DAY,
      files: { opening: "opening.json", records: "custodian-records.json" },
    };
  }

  // Development keys and the generated verifier of the instance (a no-op when up to date).
  before(sharedKeysHook(INSTANCE));
  before(async function () {
    await compileContracts();
    [admin, alice, bob, custodian, publisher, relayer, policyAdmin, custodianAdmin] =
      await hre.ethers.getSigners();

    policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
    market = loadMarket(path.join(EXAMPLES, "market.json"));
    portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
    expect(portfolio.account).to.equal(await alice.getAddress());

    const deployment = await deployZkMargin(admin, {
      roles: {
        policyAdmins: [await policyAdmin.getAddress()],
        custodianAdmins: [await custodianAdmin.getAddress()],
      },
    });
    marketBook = deployment.marketBook.contract;
    policyRegistry = deployment.policyRegistry.contract;
    marginRegistry = deployment.marginRegistry.contract;
    errors = [marginRegistry.interface, policyRegistry.interface, marketBook.interface];
    domain = await readMarginRegistryDomain(marginRegistry);
    verifierAddress = (await deployVerifier(admin, INSTANCE)).address;
    // Proposed, then approved after the delay (the test chain's clock is moved past it).
    await approveVerifierOnDevChain(policyRegistry, verifierAddress);
    // The venue publishes the example round as the current one: same prices, today's timestamp.
    market = { ...market, timestamp: (await now()) - 60n };

    // The venue's commitments, computed from the public files independently of any proof.
    ({ id: policyId, feed } = await registerOnOwnFeed(policy, market));

    first = await generateProof({ policy, market, portfolio, nonce: 1n, instance: INSTANCE });
    const signals = decodePublicSignals(first.publicSignals);
    const venue = await publicCommitments({ policy, market, instance: loadInstances()[INSTANCE] });
    expect(signals.marketCommitment).to.equal(venue.market);
    expect(signals.policyCommitment).to.equal(venue.policy);
    proof = toSolidityProof(first.proof);
    portfolioCommitment = signals.portfolioCommitments[0];
    const again = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 2n,
      salt: BigInt(first.opening.salt),
      instance: INSTANCE,
    });
    expect(decodePublicSignals(again.publicSignals).portfolioCommitments[0]).to.equal(
      portfolioCommitment,
    );
    proofOfNonce2 = toSolidityProof(again.proof);

    // The custodian checks the opening against its own records (here: the same portfolio).
    const file = await pledgeOpening(await custodianCheck());
    expect(file.venue).to.equal(VENUE);
    pledge = signedPledgeOf(file);
  });

  /**
   * A fresh pledge of `commitment` for `account` by `signer` (default: the custodian) to `venue`,
   * under the signer's current registration and epoch.
   */
  async function attest(
    commitment: bigint,
    account = alice,
    signer = custodian,
    validUntil = market.timestamp + DAY,
    venue = VENUE,
  ): Promise<SignedPledge> {
    const [holder, address] = [await account.getAddress(), await signer.getAddress()];
    return signPledge(signer, domain, {
      custodian: address,
      ...(await readPledgeTerms(marginRegistry, address, holder, venue)),
      account: holder,
      venue,
      portfolioCommitment: commitment,
      issuedAt: await now(),
      validUntil,
    });
  }

  after(async function () {
    await releaseCurve(); // snarkjs keeps worker threads that would hold the process open
  });

  revertAfterEachTest();

  it("happy path: files -> proof -> pledge -> prove -> isMarginSufficient", async function () {
    const account = await alice.getAddress();
    expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
      false,
    );
    const firstReceipt = await submitProof(as(alice), submission());
    const status = await readStatus(marginRegistry, account, policyId);
    expect(status).to.deep.equal({
      round: market.round,
      roundTimestamp: market.timestamp,
      nonce: 1n,
      pledgesValidUntil: pledge.validUntil,
      epochSum: 0n,
      currentEpochSum: 0n,
      revoked: false,
      pledges: [
        {
          custodian: await custodian.getAddress(),
          registration: pledge.registration,
          active: true,
        },
      ],
    });
    // The proven commitment is kept in the event, not in storage.
    const [event] = await marginProvedEvents(marginRegistry, { account, policyId });
    expect([event.nonce, event.portfolioCommitments]).to.deep.equal([1n, [portfolioCommitment]]);
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
    const secondCommitment = decodePublicSignals(second.publicSignals).portfolioCommitments[0];
    expect(secondCommitment).to.not.equal(portfolioCommitment); // a fresh salt
    const secondPledge = await attest(secondCommitment);
    const repeat = await submitProof(
      as(alice),
      submission({
        nonce: 2n,
        portfolioCommitments: [secondCommitment],
        proof: toSolidityProof(second.proof),
        pledges: [secondPledge],
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
    const relayed = { ...submission(), account, deadline: (await now()) + 600n };
    const accountSignature = await signProveRequest(alice, domain, proveRequestOf(relayed, VENUE));
    // A relayer who swaps in a weaker pledge of the same commitment is refused.
    const weaker = await attest(portfolioCommitment, alice, custodian, (await now()) + 60n);
    await expectRevert(
      submitProofFor(as(relayer), { ...relayed, pledges: [weaker], accountSignature }),
      errors,
      "InvalidAccountSignature",
    );
    await submitProofFor(as(relayer), { ...relayed, accountSignature });
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
    const bobPledge = await attest(portfolioCommitment, bob);
    await expectRevert(
      submitProof(as(bob), submission({ pledges: [bobPledge] })),
      errors,
      "InvalidProof",
    );
  });

  it("refuses the proof for another policy on the same layout", async function () {
    const other: Policy = { ...policy, id: "small-maintenance-v1", mode: "maintenance" };
    const next: Market = { ...market, round: market.round + 1n, timestamp: await now() };
    // Same layout, so the same feed: the next round goes there, and the policy is registered on it.
    const registered = await registerOnOwnFeed(other, next);
    expect(registered.feed).to.equal(feed);
    const fresh = await attest(portfolioCommitment);
    await expectRevert(
      submitProof(
        as(alice),
        submission({ policyId: registered.id, round: next.round, pledges: [fresh] }),
      ),
      errors,
      "InvalidProof",
    );
  });

  it("refuses the proof against the next round, and the superseded round after the grace", async function () {
    const dims = loadInstances()[INSTANCE];
    const next: Market = { ...market, round: market.round + 1n, timestamp: await now() };
    const { market: nextCommitment } = await publicCommitments({
      policy,
      market: next,
      instance: dims,
    });
    const posted = await postRound(marketBook.connect(publisher) as Contract, {
      feed,
      round: next.round,
      timestamp: next.timestamp,
      commitment: nextCommitment,
    });
    await expectRevert(
      submitProof(as(alice), submission({ round: next.round })),
      errors,
      "InvalidProof",
    );
    const postedAt = BigInt((await posted.getBlock()).timestamp);
    await setNextTimestamp(postedAt + GRACE);
    await expectRevert(submitProof(as(alice), submission()), errors, "RoundSuperseded", [
      market.round,
    ]);
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
    await (await policyRegistry.connect(policyAdmin).getFunction("retirePolicy")(policyId)).wait();
    await expectRevert(submitProof(as(alice), submission()), errors, "PolicyRetired", [policyId]);
  });

  describe("pledges", function () {
    it("refuses a missing pledge, and pledges to a policy that requires none", async function () {
      await expectRevert(
        submitProof(as(alice), submission({ pledges: [] })),
        errors,
        "PledgeMissing",
      );
    });

    it("refuses an expired pledge", async function () {
      const validUntil = (await now()) + 5n;
      const short = await attest(portfolioCommitment, alice, custodian, validUntil);
      await setNextTimestamp(validUntil + 1n);
      await expectRevert(
        submitProof(as(alice), submission({ pledges: [short] })),
        errors,
        "PledgeExpired",
        [0n, validUntil],
      );
    });

    it("refuses a pledge of another commitment, or for another account", async function () {
      for (const wrong of [
        await attest(portfolioCommitment + 1n),
        await attest(portfolioCommitment, bob),
      ]) {
        await expectRevert(
          submitProof(as(alice), submission({ pledges: [wrong] })),
          errors,
          "InvalidPledgeSignature",
          [0n],
        );
      }
    });

    it("refuses a pledge from an unknown custodian", async function () {
      await expectRevert(
        submitProof(
          as(alice),
          submission({ pledges: [await attest(portfolioCommitment, alice, relayer)] }),
        ),
        errors,
        "CustodianNotRegistered",
        [VENUE, await relayer.getAddress()],
      );
    });

    it("refuses the same proof and pledge at another venue's policy of the same commitment, and accepts a pledge to that venue", async function () {
      // Venue B lists the very same policy.json (same commitment, same feed) under its own id.
      const otherId = policyIdOf(`${policy.id}@other-venue`);
      await registerPolicy(policyRegistry.connect(policyAdmin) as Contract, {
        policyId: otherId,
        commitment: decodePublicSignals(first.publicSignals).policyCommitment,
        mode: policy.mode,
        verifier: verifierAddress,
        verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
        feed,
        venue: OTHER_VENUE,
        maxRoundAge: MAX_ROUND_AGE,
        supersededGrace: GRACE,
      });
      await addCustodian(
        policyRegistry.connect(custodianAdmin) as Contract,
        OTHER_VENUE,
        await custodian.getAddress(),
      );
      const account = await alice.getAddress();
      await submitProof(as(alice), submission());
      // The attack: the holder shows venue B the holdings pledged to venue A.
      await expectRevert(
        submitProof(as(alice), submission({ policyId: otherId })),
        errors,
        "PledgeForOtherVenue",
        [0n, VENUE, OTHER_VENUE],
      );
      expect(await isMarginSufficient(marginRegistry, account, otherId, MAX_ROUND_AGE)).to.equal(
        false,
      );
      // Honest: the custodian pledges (other) holdings to venue B; the real proof verifies there.
      const toB = await attest(
        portfolioCommitment,
        alice,
        custodian,
        market.timestamp + DAY,
        OTHER_VENUE,
      );
      await submitProof(as(alice), submission({ policyId: otherId, pledges: [toB] }));
      expect(await isMarginSufficient(marginRegistry, account, otherId, MAX_ROUND_AGE)).to.equal(
        true,
      );
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        true,
      );
    });

    it("refuses a revoked pledge, whatever its issuedAt, and the status stops counting at once; a pledge under the new epoch counts", async function () {
      const account = await alice.getAddress();
      const ahead = await signPledge(custodian, domain, {
        custodian: await custodian.getAddress(),
        ...(await readPledgeTerms(marginRegistry, await custodian.getAddress(), account, VENUE)),
        account,
        venue: VENUE,
        portfolioCommitment,
        issuedAt: (await latestBlockTime(hre.ethers.provider)) + 3n * 3600n,
        validUntil: market.timestamp + DAY,
      });
      await submitProof(as(alice), submission());
      await revokePledges(as(custodian), account);
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        false,
      );
      for (const old of [pledge, ahead]) {
        await expectRevert(
          submitProof(as(alice), submission({ nonce: 2n, pledges: [old] })),
          errors,
          "PledgeRevoked",
          [0n, 0n, 1n],
        );
      }
      await submitProof(
        as(alice),
        submission({
          nonce: 2n,
          proof: proofOfNonce2,
          pledges: [await attest(portfolioCommitment)],
        }),
      );
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        true,
      );
    });

    it("refuses a removed custodian's pledge and what it pledged before a re-add; the status stops counting", async function () {
      const account = await alice.getAddress();
      const address = await custodian.getAddress();
      await submitProof(as(alice), submission());
      const asAdmin = policyRegistry.connect(custodianAdmin) as Contract;
      await removeCustodian(asAdmin, VENUE, address);
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        false,
      );
      await expectRevert(
        submitProof(as(alice), submission({ nonce: 2n })),
        errors,
        "CustodianNotRegistered",
        [VENUE, address],
      );
      await addCustodian(asAdmin, VENUE, address);
      const current = (await policyRegistry.getFunction("currentRegistrationAt")(
        VENUE,
        address,
      )) as bigint;
      await expectRevert(
        submitProof(as(alice), submission({ nonce: 2n })),
        errors,
        "PledgeRegistrationEnded",
        [0n, pledge.registration, current],
      );
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        false,
      );
      await submitProof(
        as(alice),
        submission({
          nonce: 2n,
          proof: proofOfNonce2,
          pledges: [await attest(portfolioCommitment)],
        }),
      );
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        true,
      );
    });
  });

  describe("forgeries across slot layouts (the first audit), with real proofs", function () {
    // Policy B: the same assets as A, reordered, registered on its own layout's feed.
    const reorder = ["WBTC", "WETH", "USDC"];
    let policyB: Policy;
    let idB: string;

    beforeEach(async function () {
      policyB = withAssetOrder(policy, reorder, "small-reordered-v1");
      ({ id: idB } = await registerOnOwnFeed(policyB, market));
    });

    it("gives layout B its own feed, policy and market commitments", async function () {
      const dims = loadInstances()[INSTANCE];
      const a = await publicCommitments({ policy, market, instance: dims });
      const b = await publicCommitments({ policy: policyB, market, instance: dims });
      expect(b.layoutId).to.not.equal(a.layoutId);
      expect(b.market).to.not.equal(a.market);
      expect(b.policy).to.not.equal(a.policy);
    });

    it("refuses policy B's statement proved against the round posted for layout A", async function () {
      // B's holder is short under B: 100k USDC against a large short ETH perp at the mark.
      const portfolioB: Portfolio = {
        account: await alice.getAddress(),
        collateral: new Map([["USDC", 100_000n * 10n ** 6n]]),
        perps: new Map([["ETH-PERP", { size: -2000n * 10n ** 4n, entryPrice: 301255000000n }]]),
        options: new Map(),
      };
      const dims = loadInstances()[INSTANCE];
      const honestB = encodeCircuitInput({
        policy: policyB,
        market,
        portfolio: portfolioB,
        salt: 5n,
        nonce: 1n,
        instance: dims,
      });
      const roundA = encodeCircuitInput({
        ...{ policy, market, portfolio },
        salt: 5n,
        nonce: 1n,
        instance: dims,
      });
      // The best the attacker can do: B's policy and holdings with A's prices, every commitment
      // recomputed so that a witness exists. The proof is real and verifies locally...
      const forged = await proveAnything({ ...honestB, ...pick(roundA, MARKET_SIGNALS) });
      const signals = decodePublicSignals(forged.signals);
      const pledged = await attest(signals.portfolioCommitments[0]);
      // ...but its market commitment is nobody's round: MarginRegistry rebuilds B's feed's.
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idB,
            portfolioCommitments: signals.portfolioCommitments,
            proof: toSolidityProof(forged.proof),
            pledges: [pledged],
          }),
        ),
        errors,
        "InvalidProof",
      );
      // And A's own proof is refused under B.
      await expectRevert(
        submitProof(
          as(alice),
          submission({ policyId: idB, pledges: [await attest(portfolioCommitment)] }),
        ),
        errors,
        "InvalidProof",
      );
    });

    it("refuses a portfolio commitment attested under layout A, used with policy B", async function () {
      const dims = loadInstances()[INSTANCE];
      const swapped = withAssetOrder(policy, ["USDC", "WBTC", "WETH"], "small-swapped-v1");
      const { id: idC } = await registerOnOwnFeed(swapped, market);
      // 0.001 WETH, attested by the custodian under layout A.
      const small: Portfolio = {
        account: await alice.getAddress(),
        collateral: new Map([["WETH", 10n ** 15n]]),
        perps: new Map(),
        options: new Map(),
      };
      const underA = await withCommitments(
        encodeCircuitInput({
          policy,
          market,
          portfolio: small,
          salt: 9n,
          nonce: 1n,
          instance: dims,
        }),
      );
      const pledgedA = await attest(underA.portfolioCommitment[0]);
      // Under C, slot 1 is WBTC (8 decimals): 10^15 base units read as 10^7 WBTC.
      const honestC = encodeCircuitInput({
        policy: swapped,
        market,
        portfolio: small,
        salt: 9n,
        nonce: 1n,
        instance: dims,
      });
      const forged = await proveAnything({ ...honestC, ...pick(underA, PORTFOLIO_SIGNALS) });
      const signals = decodePublicSignals(forged.signals);
      expect(signals.portfolioCommitments[0]).to.not.equal(underA.portfolioCommitment[0]);
      const solidity = toSolidityProof(forged.proof);
      // With the attested commitment, the proof does not verify...
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idC,
            portfolioCommitments: underA.portfolioCommitment,
            proof: solidity,
            pledges: [pledgedA],
          }),
        ),
        errors,
        "InvalidProof",
      );
      // ...and with the proof's commitment, the pledge does not match it.
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idC,
            portfolioCommitments: signals.portfolioCommitments,
            proof: solidity,
            pledges: [pledgedA],
          }),
        ),
        errors,
        "InvalidPledgeSignature",
        [0n],
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
        submitProof(as(alice), submission({ portfolioCommitments: [value] })),
        errors,
        "PortfolioCommitmentOutOfField",
        [0n, value],
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
