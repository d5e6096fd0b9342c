/**
 * End to end with real Groth16 proofs of the `small` instance: from examples/small/*.json through
 * the SDK's generateProof and the custodian's attestOpening to MarginRegistry and
 * isMarginSufficient, then one test per refusal, and the two forgeries across slot layouts that
 * the first audit found, now refused on-chain with real proofs.
 *
 * The suite runs the development setup of the instance first (a no-op when its keys and
 * generated verifier are up to date, several minutes on a fresh checkout).
 */
import { expect } from "chai";
import path from "node:path";
import type { Contract, Signer, TypedDataDomain } from "ethers";
import {
  addCustodian,
  attestationFields,
  BN254_BASE_FIELD,
  deployVerifier,
  deployZkMargin,
  grantPublisher,
  isMarginSufficient,
  latestBlockTime,
  marginProvedEvents,
  MAX_REVOCATION_LEAD,
  NO_ATTESTATION,
  policyIdOf,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  readMarginRegistryDomain,
  readStatus,
  registerPolicy,
  revokeAttestations,
  signAttestation,
  signProveRequest,
  submitProof,
  submitProofFor,
  toSolidityProof,
} from "../prover/src/chain";
import type { SignedAttestation, SolidityProof } from "../prover/src/chain";
import { publicCommitments, withCommitments } from "../prover/src/commitments";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import { InputError } from "../prover/src/errors";
import { encodeCircuitInput, type CircuitInput } from "../prover/src/encoding/circuit-input";
import { loadInstances } from "../prover/src/encoding/instances";
import { feedIdOf } from "../prover/src/layout";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../prover/src/inputs";
import { attestOpening, decodePublicSignals, generateProof } from "../prover/src/proving";
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

  /** Registers `p` on its own layout's feed (posting `m` there first) as the policy admin. */
  async function registerOnOwnFeed(p: Policy, m: Market): Promise<{ id: string; feed: string }> {
    const dims = loadInstances()[INSTANCE];
    const venue = await publicCommitments({ policy: p, market: m, instance: dims });
    const ownFeed = feedIdOf(venue.layoutId);
    await grantPublisher(marketBook, ownFeed, await publisher.getAddress());
    await postRound(marketBook.connect(publisher) as Contract, {
      feed: ownFeed,
      round: m.round,
      timestamp: m.timestamp,
      commitment: venue.market,
    });
    const id = policyIdOf(p.id);
    await registerPolicy(policyRegistry.connect(policyAdmin) as Contract, {
      policyId: id,
      commitment: venue.policy,
      mode: p.mode,
      verifier: verifierAddress,
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      feed: ownFeed,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: GRACE,
    });
    await addCustodian(
      policyRegistry.connect(custodianAdmin) as Contract,
      id,
      await custodian.getAddress(),
    );
    return { id, feed: ownFeed };
  }

  /** The custodian's check of the first proof's opening against its records (the same portfolio). */
  function custodianCheck() {
    return {
      opening: first.opening,
      records: portfolio,
      policy,
      market,
      signer: custodian,
      domain,
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
    portfolioCommitment = signals.portfolioCommitment;

    // The custodian checks the opening against its own records (here: the same portfolio).
    const file = await attestOpening({ ...custodianCheck(), issuedAt: await now() });
    attestation = {
      custodian: file.custodian,
      issuedAt: BigInt(file.issuedAt),
      validUntil: BigInt(file.validUntil),
      signature: file.signature,
    };
  });

  /** A fresh attestation of `commitment` for `account` by `signer` (default: the custodian). */
  async function attest(
    commitment: bigint,
    account = alice,
    signer = custodian,
    validUntil = market.timestamp + DAY,
  ): Promise<SignedAttestation> {
    return signAttestation(signer, domain, {
      account: await account.getAddress(),
      portfolioCommitment: commitment,
      issuedAt: await now(),
      validUntil,
    });
  }

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
      status.attestationIssuedAt,
      status.attestationValidUntil,
      status.revoked,
    ]).to.deep.equal([
      market.round,
      1n,
      market.timestamp,
      await custodian.getAddress(),
      true,
      attestation.issuedAt,
      attestation.validUntil,
      false,
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
    const secondCommitment = decodePublicSignals(second.publicSignals).portfolioCommitment;
    expect(secondCommitment).to.not.equal(portfolioCommitment); // a fresh salt
    const secondAttestation = await attest(secondCommitment);
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
      ...attestationFields(attestation),
    };
    const accountSignature = await signProveRequest(alice, domain, request);
    // A relayer who swaps in a weaker attestation of the same commitment is refused.
    const weaker = await attest(portfolioCommitment, alice, custodian, (await now()) + 60n);
    await expectRevert(
      submitProofFor(as(relayer), {
        ...submission({ attestation: weaker }),
        ...request,
        accountSignature,
      }),
      errors,
      "InvalidAccountSignature",
    );
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
    const bobAttestation = await attest(portfolioCommitment, bob);
    await expectRevert(
      submitProof(as(bob), submission({ attestation: bobAttestation })),
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
        submission({ policyId: registered.id, round: next.round, attestation: fresh }),
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
      const short = await attest(portfolioCommitment, alice, custodian, validUntil);
      await setNextTimestamp(validUntil + 1n);
      await expectRevert(
        submitProof(as(alice), submission({ attestation: short })),
        errors,
        "AttestationExpired",
        [validUntil],
      );
    });

    it("refuses an attestation for another commitment", async function () {
      const wrong = await attest(portfolioCommitment + 1n);
      await expectRevert(
        submitProof(as(alice), submission({ attestation: wrong })),
        errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation for another account", async function () {
      const wrong = await attest(portfolioCommitment, bob);
      await expectRevert(
        submitProof(as(alice), submission({ attestation: wrong })),
        errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation from an unknown custodian", async function () {
      const wrong = await attest(portfolioCommitment, alice, relayer);
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
        await policyRegistry.connect(custodianAdmin).getFunction("removeCustodian")(
          policyId,
          await custodian.getAddress(),
        )
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

    it("takes issuedAt from the chain's clock (attestOpening with chainTime), refusing one more than the revocation lead ahead", async function () {
      const chainTime = await latestBlockTime(hre.ethers.provider);
      const args = custodianCheck();
      const fromChain = await attestOpening({ ...args, chainTime });
      expect(fromChain.issuedAt).to.equal(chainTime.toString());
      // Up to the lead ahead is signed; one second more is refused before signing.
      const edge = await attestOpening({
        ...args,
        chainTime,
        issuedAt: chainTime + MAX_REVOCATION_LEAD,
      });
      expect(edge.issuedAt).to.equal((chainTime + MAX_REVOCATION_LEAD).toString());
      let refused: unknown;
      try {
        await attestOpening({ ...args, chainTime, issuedAt: chainTime + MAX_REVOCATION_LEAD + 1n });
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(InputError);
      expect((refused as Error).message).to.equal(
        `attestation: issuedAt: ${chainTime + MAX_REVOCATION_LEAD + 1n} is ${MAX_REVOCATION_LEAD + 1n} s ahead ` +
          `of the chain's clock (${chainTime}); a revocation reaches at most ${MAX_REVOCATION_LEAD} s ahead, ` +
          "so it could not revoke this attestation",
      );
      // Signed at the chain's clock, it proves at once; a revocation at the chain's time kills it.
      const signed = {
        custodian: fromChain.custodian,
        issuedAt: BigInt(fromChain.issuedAt),
        validUntil: BigInt(fromChain.validUntil),
        signature: fromChain.signature,
      };
      await submitProof(as(alice), submission({ attestation: signed }));
      const account = await alice.getAddress();
      await revokeAttestations(as(custodian), account, await now());
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        false,
      );
    });

    it("refuses an attestation dated ahead of the chain once the custodian revoked up to the lead ahead (real proof)", async function () {
      const account = await alice.getAddress();
      const chainTime = await now();
      // A custodian whose clock runs 20 minutes ahead signs; then revokes for a withdrawal.
      const ahead = await signAttestation(custodian, domain, {
        account,
        portfolioCommitment,
        issuedAt: chainTime + 1200n,
        validUntil: market.timestamp + DAY,
      });
      const revokedAt = chainTime + 5n;
      await setNextTimestamp(revokedAt);
      await revokeAttestations(as(custodian), account, revokedAt + MAX_REVOCATION_LEAD);
      await setNextTimestamp(chainTime + 1200n);
      await expectRevert(
        submitProof(as(alice), submission({ attestation: ahead })),
        errors,
        "AttestationRevoked",
        [chainTime + 1200n, revokedAt + MAX_REVOCATION_LEAD],
      );
    });

    it("refuses a revoked attestation, and the status stops counting at once", async function () {
      await submitProof(as(alice), submission());
      const account = await alice.getAddress();
      await revokeAttestations(as(custodian), account, await now());
      expect(await isMarginSufficient(marginRegistry, account, policyId, MAX_ROUND_AGE)).to.equal(
        false,
      );
      await expectRevert(
        submitProof(as(alice), submission({ nonce: 2n })),
        errors,
        "AttestationRevoked",
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
      const attested = await attest(signals.portfolioCommitment);
      // ...but its market commitment is nobody's round: MarginRegistry rebuilds B's feed's.
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idB,
            portfolioCommitment: signals.portfolioCommitment,
            proof: toSolidityProof(forged.proof),
            attestation: attested,
          }),
        ),
        errors,
        "InvalidProof",
      );
      // And A's own proof is refused under B.
      await expectRevert(
        submitProof(
          as(alice),
          submission({ policyId: idB, attestation: await attest(portfolioCommitment) }),
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
      const attestedA = await attest(underA.portfolioCommitment);
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
      expect(signals.portfolioCommitment).to.not.equal(underA.portfolioCommitment);
      const solidity = toSolidityProof(forged.proof);
      // With the attested commitment, the proof does not verify...
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idC,
            portfolioCommitment: underA.portfolioCommitment,
            proof: solidity,
            attestation: attestedA,
          }),
        ),
        errors,
        "InvalidProof",
      );
      // ...and with the proof's commitment, the attestation does not match it.
      await expectRevert(
        submitProof(
          as(alice),
          submission({
            policyId: idC,
            portfolioCommitment: signals.portfolioCommitment,
            proof: solidity,
            attestation: attestedA,
          }),
        ),
        errors,
        "InvalidAttestationSignature",
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
