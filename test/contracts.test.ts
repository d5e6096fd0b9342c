/**
 * MarketBook, PolicyRegistry and MarginRegistry against a test verifier that accepts exactly one
 * (proof, public signals) pair, so the registry's rebuilding of the public signals from chain
 * state is checked signal by signal. Real Groth16 proofs: contracts.e2e.test.ts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, Interface, ZeroAddress, ZeroHash, getAddress, hexlify, keccak256 } from "ethers";
import type { Contract, Signer } from "ethers";
import {
  addCustodian,
  attestationDigest,
  BN254_BASE_FIELD,
  decodeRevert,
  deployArtifact,
  deployZkMargin,
  isMarginSufficient,
  loadArtifact,
  marginProvedEvents,
  nextNonce,
  NO_ATTESTATION,
  policyIdOf,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  proveRequestDigest,
  readMarginRegistryDomain,
  readStatus,
  registerPolicy,
  signAttestation,
  signProveRequest,
  submitProof,
  submitProofFor,
  toSolidityProof,
} from "../prover/src/chain";
import type { ProofSubmission, SignedAttestation, SolidityProof } from "../prover/src/chain";
import type { TypedDataDomain } from "ethers";
import {
  SCALAR_FIELD,
  compileContracts,
  expectRevert,
  hre,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
  snapshot,
} from "./contracts.fixture";

const HOUR = 3600n;
const MAX_ROUND_AGE = HOUR;
const POLICY = policyIdOf("desk-maintenance-v1");
const OTHER_POLICY = policyIdOf("desk-initial-v1");
const POLICY_COMMITMENT = 0x1234n;
const OTHER_POLICY_COMMITMENT = 0x5678n;
const MARKET_COMMITMENT = 0xabcdefn;
const PORTFOLIO = 0x7777n;
const VK_HASH = keccak256("0x01");
const ROUND = 1042n;

/** An arbitrary proof with every coordinate below q; only the stub verifier gives it meaning. */
const PROOF: SolidityProof = proofFromCoordinates([11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n]);

function proofHash(p: SolidityProof): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint256[2]", "uint256[2][2]", "uint256[2]"],
      [p.a, p.b, p.c],
    ),
  );
}

interface World {
  admin: Signer;
  publisher: Signer;
  alice: Signer;
  bob: Signer;
  custodian: Signer;
  stranger: Signer;
  marketBook: Contract;
  policyRegistry: Contract;
  marginRegistry: Contract;
  verifier: Contract;
  domain: TypedDataDomain;
  roundTimestamp: bigint;
  errors: Interface[];
}

/**
 * ProveRequest's EIP-712 types written out from the contract's typehash, independently of the
 * SDK's `PROVE_REQUEST_TYPES` (the relayed-request tests compare the two signatures).
 */
const PROVE_REQUEST_TYPES_BY_HAND = {
  ProveRequest: [
    { name: "account", type: "address" },
    { name: "policyId", type: "bytes32" },
    { name: "round", type: "uint64" },
    { name: "portfolioCommitment", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
  ],
};

/** A submission for POLICY/ROUND/PORTFOLIO with nonce 1 and PROOF, changed by `overrides`. */
function submission(
  attestation: SignedAttestation,
  overrides: Partial<ProofSubmission> = {},
): ProofSubmission {
  return {
    policyId: POLICY,
    round: ROUND,
    portfolioCommitment: PORTFOLIO,
    nonce: 1n,
    proof: PROOF,
    attestation,
    ...overrides,
  };
}

describe("contracts (test verifier)", function () {
  let w: World;

  async function expectSignals(signals: bigint[], proof: SolidityProof = PROOF): Promise<void> {
    await (await w.verifier.getFunction("expect")(proofHash(proof), signals)).wait();
  }

  async function signalsFor(
    account: Signer,
    nonce: bigint,
    overrides: Partial<{ market: bigint; policy: bigint; portfolio: bigint }> = {},
  ): Promise<bigint[]> {
    return [
      BigInt(await account.getAddress()),
      nonce,
      overrides.market ?? MARKET_COMMITMENT,
      overrides.policy ?? POLICY_COMMITMENT,
      overrides.portfolio ?? PORTFOLIO,
    ];
  }

  async function attest(
    account: Signer,
    options: { portfolio?: bigint; validUntil?: bigint; signer?: Signer } = {},
  ): Promise<SignedAttestation> {
    return signAttestation(options.signer ?? w.custodian, w.domain, {
      account: await account.getAddress(),
      portfolioCommitment: options.portfolio ?? PORTFOLIO,
      validUntil: options.validUntil ?? (await now()) + 24n * HOUR,
    });
  }

  /** `prove` as `account` for POLICY/ROUND/PORTFOLIO, expecting the matching signals. */
  async function proveAs(account: Signer, nonce = 1n, attestation?: SignedAttestation) {
    await expectSignals(await signalsFor(account, nonce));
    return submitProof(
      w.marginRegistry.connect(account) as Contract,
      submission(attestation ?? (await attest(account)), { nonce }),
    );
  }

  function registry(as: Signer): Contract {
    return w.marginRegistry.connect(as) as Contract;
  }

  before(async function () {
    await compileContracts();
    const [admin, publisher, alice, bob, custodian, stranger] = await hre.ethers.getSigners();
    const d = await deployZkMargin(admin, { publishers: [await publisher.getAddress()] });
    const verifier = await deployArtifact(admin, loadArtifact("ExpectedInputsVerifier"));
    const marginRegistry = d.marginRegistry.contract;
    const roundTimestamp = (await now()) - 60n;
    await postRound(d.marketBook.contract.connect(publisher), {
      round: ROUND,
      timestamp: roundTimestamp,
      commitment: MARKET_COMMITMENT,
    });
    for (const [id, commitment] of [
      [POLICY, POLICY_COMMITMENT],
      [OTHER_POLICY, OTHER_POLICY_COMMITMENT],
    ] as const) {
      await registerPolicy(d.policyRegistry.contract, {
        policyId: id,
        commitment,
        mode: "maintenance",
        verifier: verifier.address,
        verificationKeyHash: VK_HASH,
        maxRoundAge: MAX_ROUND_AGE,
      });
      await addCustodian(d.policyRegistry.contract, id, await custodian.getAddress());
    }
    w = {
      admin,
      publisher,
      alice,
      bob,
      custodian,
      stranger,
      marketBook: d.marketBook.contract,
      policyRegistry: d.policyRegistry.contract,
      marginRegistry,
      verifier: verifier.contract,
      domain: await readMarginRegistryDomain(marginRegistry),
      roundTimestamp,
      errors: [
        d.marginRegistry.contract.interface,
        d.policyRegistry.contract.interface,
        d.marketBook.contract.interface,
      ],
    };
  });

  revertAfterEachTest();

  describe("MarketBook", function () {
    function book(as: Signer): Contract {
      return w.marketBook.connect(as) as Contract;
    }

    it("posts a round, emits RoundPosted and serves it", async function () {
      const ts = await now();
      const receipt = await (
        await book(w.publisher).getFunction("postRound")(ROUND + 1n, ts, 99n)
      ).wait();
      const log = w.marketBook.interface.parseLog(receipt.logs[0]);
      expect(log?.name).to.equal("RoundPosted");
      expect(log?.args.round).to.equal(ROUND + 1n);
      expect(await w.marketBook.getFunction("getRound")(ROUND + 1n)).to.deep.equal([ts, 99n]);
      expect(await w.marketBook.getFunction("latestRound")()).to.deep.equal([ROUND + 1n, ts, 99n]);
      expect(await w.marketBook.getFunction("hasRound")(ROUND + 1n)).to.equal(true);
      expect(await w.marketBook.getFunction("hasRound")(ROUND + 2n)).to.equal(false);
    });

    it("refuses a caller without PUBLISHER_ROLE", async function () {
      await expectRevert(
        book(w.stranger).getFunction("postRound")(ROUND + 1n, await now(), 1n),
        w.errors,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("refuses a round number that does not increase, including the same round again", async function () {
      const ts = await now();
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND, ts, 2n),
        w.errors,
        "RoundNotIncreasing",
        [ROUND, ROUND],
      );
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND - 1n, ts, 2n),
        w.errors,
        "RoundNotIncreasing",
      );
      expect(await w.marketBook.getFunction("getRound")(ROUND)).to.deep.equal([
        w.roundTimestamp,
        MARKET_COMMITMENT,
      ]);
    });

    it("refuses a timestamp before the latest, in the future, or zero", async function () {
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND + 1n, w.roundTimestamp - 1n, 2n),
        w.errors,
        "TimestampBackwards",
      );
      const t = (await now()) + 100n;
      await setNextTimestamp(t);
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND + 1n, t + 1n, 2n),
        w.errors,
        "TimestampInFuture",
        [t + 1n, t],
      );
      // The same timestamp as the previous round and as the block are both allowed.
      await setNextTimestamp(t + 1n);
      await (await book(w.publisher).getFunction("postRound")(ROUND + 1n, t + 1n, 2n)).wait();
      await (await book(w.publisher).getFunction("postRound")(ROUND + 2n, t + 1n, 3n)).wait();
    });

    it("refuses a zero timestamp on the first round", async function () {
      const fresh = await deployZkMargin(w.admin, { publishers: [await w.publisher.getAddress()] });
      await expectRevert(
        (fresh.marketBook.contract.connect(w.publisher) as Contract).getFunction("postRound")(
          1n,
          0n,
          1n,
        ),
        w.errors,
        "ZeroTimestamp",
      );
      await expectRevert(
        fresh.marketBook.contract.getFunction("latestRound")(),
        w.errors,
        "UnknownRound",
        [0n],
      );
    });

    it("refuses a zero commitment and one at the field modulus", async function () {
      const ts = await now();
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND + 1n, ts, 0n),
        w.errors,
        "InvalidMarketCommitment",
      );
      await expectRevert(
        book(w.publisher).getFunction("postRound")(ROUND + 1n, ts, SCALAR_FIELD),
        w.errors,
        "InvalidMarketCommitment",
        [SCALAR_FIELD],
      );
      await (
        await book(w.publisher).getFunction("postRound")(ROUND + 1n, ts, SCALAR_FIELD - 1n)
      ).wait();
    });

    it("reverts on an unknown round and reads it as zero through roundData", async function () {
      await expectRevert(w.marketBook.getFunction("getRound")(7n), w.errors, "UnknownRound", [7n]);
      expect(await w.marketBook.getFunction("roundData")(7n)).to.deep.equal([0n, 0n]);
    });
  });

  describe("PolicyRegistry", function () {
    const NEW = policyIdOf("new-policy");
    function params(overrides: Record<string, unknown> = {}) {
      return {
        commitment: 42n,
        mode: 0,
        verifier: w.verifier.target,
        verificationKeyHash: VK_HASH,
        maxRoundAge: 60n,
        requiresAttestation: true,
        ...overrides,
      };
    }

    it("registers a policy, emits PolicyRegistered and serves it", async function () {
      const receipt = await (
        await w.policyRegistry.getFunction("registerPolicy")(NEW, params())
      ).wait();
      expect(w.policyRegistry.interface.parseLog(receipt.logs[0])?.name).to.equal(
        "PolicyRegistered",
      );
      const p = await w.policyRegistry.getFunction("getPolicy")(NEW);
      expect([
        p.commitment,
        p.mode,
        p.verifier,
        p.verificationKeyHash,
        p.maxRoundAge,
        p.requiresAttestation,
        p.retired,
      ]).to.deep.equal([42n, 0n, w.verifier.target, VK_HASH, 60n, true, false]);
      expect(await w.policyRegistry.getFunction("isActive")(NEW)).to.equal(true);
    });

    it("never re-registers an id, active or retired", async function () {
      await expectRevert(
        w.policyRegistry.getFunction("registerPolicy")(POLICY, params()),
        w.errors,
        "PolicyAlreadyRegistered",
        [POLICY],
      );
      await (await w.policyRegistry.getFunction("retirePolicy")(POLICY)).wait();
      await expectRevert(
        w.policyRegistry.getFunction("registerPolicy")(POLICY, params()),
        w.errors,
        "PolicyAlreadyRegistered",
        [POLICY],
      );
      expect((await w.policyRegistry.getFunction("getPolicy")(POLICY)).commitment).to.equal(
        POLICY_COMMITMENT,
      );
    });

    it("refuses malformed parameters", async function () {
      const reg = w.policyRegistry.getFunction("registerPolicy");
      await expectRevert(reg(ZeroHash, params()), w.errors, "ZeroPolicyId");
      await expectRevert(reg(NEW, params({ commitment: 0n })), w.errors, "InvalidPolicyCommitment");
      await expectRevert(
        reg(NEW, params({ commitment: SCALAR_FIELD })),
        w.errors,
        "InvalidPolicyCommitment",
        [SCALAR_FIELD],
      );
      await expectRevert(
        reg(NEW, params({ verifier: await w.alice.getAddress() })),
        w.errors,
        "VerifierNotAContract",
      );
      await expectRevert(
        reg(NEW, params({ verificationKeyHash: ZeroHash })),
        w.errors,
        "ZeroVerificationKeyHash",
      );
      await expectRevert(reg(NEW, params({ maxRoundAge: 0n })), w.errors, "ZeroMaxRoundAge");
    });

    it("refuses callers without POLICY_ADMIN_ROLE", async function () {
      const asStranger = w.policyRegistry.connect(w.stranger) as Contract;
      await expectRevert(
        asStranger.getFunction("registerPolicy")(NEW, params()),
        w.errors,
        "AccessControlUnauthorizedAccount",
      );
      await expectRevert(
        asStranger.getFunction("retirePolicy")(POLICY),
        w.errors,
        "AccessControlUnauthorizedAccount",
      );
      await expectRevert(
        asStranger.getFunction("addCustodian")(POLICY, await w.stranger.getAddress()),
        w.errors,
        "AccessControlUnauthorizedAccount",
      );
      await expectRevert(
        asStranger.getFunction("removeCustodian")(POLICY, await w.custodian.getAddress()),
        w.errors,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("retires once, for good", async function () {
      const receipt = await (await w.policyRegistry.getFunction("retirePolicy")(POLICY)).wait();
      expect(w.policyRegistry.interface.parseLog(receipt.logs[0])?.name).to.equal("PolicyRetired");
      expect(await w.policyRegistry.getFunction("isActive")(POLICY)).to.equal(false);
      await expectRevert(
        w.policyRegistry.getFunction("retirePolicy")(POLICY),
        w.errors,
        "PolicyIsRetired",
        [POLICY],
      );
      await expectRevert(
        w.policyRegistry.getFunction("retirePolicy")(NEW),
        w.errors,
        "UnknownPolicy",
        [NEW],
      );
      await expectRevert(
        w.policyRegistry.getFunction("addCustodian")(POLICY, await w.bob.getAddress()),
        w.errors,
        "PolicyIsRetired",
      );
    });

    it("adds and removes custodians per policy", async function () {
      const c = await w.custodian.getAddress();
      const b = await w.bob.getAddress();
      expect(await w.policyRegistry.getFunction("custodians")(POLICY)).to.deep.equal([c]);
      await expectRevert(
        w.policyRegistry.getFunction("addCustodian")(POLICY, c),
        w.errors,
        "CustodianAlreadyRegistered",
        [POLICY, c],
      );
      await expectRevert(
        w.policyRegistry.getFunction("addCustodian")(POLICY, ZeroAddress),
        w.errors,
        "ZeroCustodian",
      );
      await expectRevert(
        w.policyRegistry.getFunction("addCustodian")(NEW, b),
        w.errors,
        "UnknownPolicy",
      );
      await expectRevert(
        w.policyRegistry.getFunction("removeCustodian")(POLICY, b),
        w.errors,
        "CustodianNotRegistered",
        [POLICY, b],
      );
      const cId = (await w.policyRegistry.getFunction("custodianIdOf")(POLICY, c)) as bigint;
      const added = await (await w.policyRegistry.getFunction("addCustodian")(POLICY, b)).wait();
      const addedLog = w.policyRegistry.interface.parseLog(added.logs[0]);
      const bId = (await w.policyRegistry.getFunction("custodianIdOf")(POLICY, b)) as bigint;
      expect([addedLog?.name, ...(addedLog?.args ?? [])]).to.deep.equal([
        "CustodianAdded",
        POLICY,
        b,
        bId,
      ]);
      // Ids are fresh per registration, across policies too.
      const otherId = (await w.policyRegistry.getFunction("custodianIdOf")(
        OTHER_POLICY,
        c,
      )) as bigint;
      expect(new Set([cId, otherId, bId]).size).to.equal(3);
      const receipt = await (
        await w.policyRegistry.getFunction("removeCustodian")(POLICY, c)
      ).wait();
      const removedLog = w.policyRegistry.interface.parseLog(receipt.logs[0]);
      expect([removedLog?.name, ...(removedLog?.args ?? [])]).to.deep.equal([
        "CustodianRemoved",
        POLICY,
        c,
        cId,
      ]);
      expect(await w.policyRegistry.getFunction("custodianIdOf")(POLICY, c)).to.equal(0n);
      expect([...(await w.policyRegistry.getFunction("custodianById")(POLICY, cId))]).to.deep.equal(
        [c, false],
      );
      expect([...(await w.policyRegistry.getFunction("custodianById")(POLICY, bId))]).to.deep.equal(
        [b, true],
      );
      // An id is scoped to its policy.
      expect([
        ...(await w.policyRegistry.getFunction("custodianById")(POLICY, otherId)),
      ]).to.deep.equal([ZeroAddress, false]);
      expect(await w.policyRegistry.getFunction("isCustodian")(POLICY, c)).to.equal(false);
      expect(await w.policyRegistry.getFunction("isCustodian")(OTHER_POLICY, c)).to.equal(true);
      expect(await w.policyRegistry.getFunction("custodians")(POLICY)).to.deep.equal([b]);
    });
  });

  describe("MarginRegistry.prove", function () {
    it("accepts a proof whose public signals are rebuilt from chain state, and records the status", async function () {
      const alice = await w.alice.getAddress();
      const attestation = await attest(w.alice);
      const receipt = await proveAs(w.alice, 1n, attestation);
      const log = w.marginRegistry.interface.parseLog(receipt.logs[0]);
      expect(log?.name).to.equal("MarginProved");
      expect([...(log?.args ?? [])]).to.deep.equal([alice, POLICY, ROUND, 1n, PORTFOLIO]);
      const custodianId = (await w.policyRegistry.getFunction("custodianIdOf")(
        POLICY,
        await w.custodian.getAddress(),
      )) as bigint;
      expect(custodianId).to.not.equal(0n);
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.equal({
        round: ROUND,
        roundTimestamp: w.roundTimestamp,
        nonce: 1n,
        custodian: await w.custodian.getAddress(),
        custodianId,
        custodianActive: true,
        attestationValidUntil: attestation.validUntil,
      });
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, HOUR)).to.equal(true);
      expect(await nextNonce(w.marginRegistry, alice, POLICY)).to.equal(2n);
      const events = await marginProvedEvents(w.marginRegistry, { account: alice });
      expect(
        events.map((e) => [e.account, e.policyId, e.round, e.nonce, e.portfolioCommitment]),
      ).to.deep.equal([[alice, POLICY, ROUND, 1n, PORTFOLIO]]);
    });

    it("refuses the same proof from another account (account is msg.sender)", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      await expectRevert(
        submitProof(registry(w.bob), submission(await attest(w.bob))),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a proof for another policy (policy commitment from the registry)", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: OTHER_POLICY,
          round: ROUND,
          portfolioCommitment: PORTFOLIO,
          nonce: 1n,
          proof: PROOF,
          attestation: await attest(w.alice),
        }),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a proof for another round (market commitment from the MarketBook)", async function () {
      await postRound(w.marketBook.connect(w.publisher), {
        round: ROUND + 1n,
        timestamp: await now(),
        commitment: MARKET_COMMITMENT + 1n,
      });
      await expectSignals(await signalsFor(w.alice, 1n));
      await expectRevert(
        submitProof(registry(w.alice), submission(await attest(w.alice), { round: ROUND + 1n })),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a proof for another nonce or portfolio commitment", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      const base = { policyId: POLICY, round: ROUND, proof: PROOF };
      await expectRevert(
        submitProof(registry(w.alice), {
          ...base,
          portfolioCommitment: PORTFOLIO,
          nonce: 2n,
          attestation: await attest(w.alice),
        }),
        w.errors,
        "InvalidProof",
      );
      await expectRevert(
        submitProof(registry(w.alice), {
          ...base,
          portfolioCommitment: PORTFOLIO + 1n,
          nonce: 1n,
          attestation: await attest(w.alice, { portfolio: PORTFOLIO + 1n }),
        }),
        w.errors,
        "InvalidProof",
      );
    });

    it("refuses a replay and any nonce not above the last", async function () {
      await proveAs(w.alice, 5n);
      await expectRevert(proveAs(w.alice, 5n), w.errors, "NonceNotIncreasing", [5n, 5n]);
      await expectRevert(proveAs(w.alice, 4n), w.errors, "NonceNotIncreasing", [4n, 5n]);
      await proveAs(w.alice, 6n);
      // Nonces are per (account, policy): bob starts from zero, and zero itself is refused.
      await expectRevert(proveAs(w.bob, 0n), w.errors, "NonceNotIncreasing", [0n, 0n]);
      await proveAs(w.bob, 1n);
    });

    it("refuses an unknown policy and a retired one", async function () {
      const unknown = policyIdOf("unknown");
      await expectRevert(
        submitProof(registry(w.alice), {
          policyId: unknown,
          round: ROUND,
          portfolioCommitment: PORTFOLIO,
          nonce: 1n,
          proof: PROOF,
        }),
        w.errors,
        "UnknownPolicy",
        [unknown],
      );
      await (await w.policyRegistry.getFunction("retirePolicy")(POLICY)).wait();
      await expectRevert(proveAs(w.alice), w.errors, "PolicyRetired", [POLICY]);
    });

    it("refuses an unknown round", async function () {
      await expectRevert(
        submitProof(registry(w.alice), submission(await attest(w.alice), { round: ROUND + 9n })),
        w.errors,
        "UnknownRound",
        [ROUND + 9n],
      );
    });

    it("accepts a round exactly maxRoundAge old and refuses one a second older", async function () {
      const attestation = await signAttestation(w.custodian, w.domain, {
        account: await w.alice.getAddress(),
        portfolioCommitment: PORTFOLIO,
        validUntil: w.roundTimestamp + 10n * HOUR,
      });
      const restoreInner = await snapshot();
      await setNextTimestamp(w.roundTimestamp + MAX_ROUND_AGE);
      // expectSignals mines a block, so set the proof's block time after it.
      await expectSignals(await signalsFor(w.alice, 1n));
      await setNextTimestamp(w.roundTimestamp + MAX_ROUND_AGE + 0n + 1n);
      await expectRevert(
        submitProof(registry(w.alice), submission(attestation)),
        w.errors,
        "StaleRound",
        [ROUND, w.roundTimestamp, MAX_ROUND_AGE],
      );
      await restoreInner();
      await expectSignals(await signalsFor(w.alice, 1n));
      await setNextTimestamp(w.roundTimestamp + MAX_ROUND_AGE);
      await submitProof(registry(w.alice), submission(attestation));
    });

    it("refuses a portfolio commitment at the field modulus", async function () {
      await expectRevert(
        submitProof(
          registry(w.alice),
          submission(await attest(w.alice, { portfolio: SCALAR_FIELD }), {
            portfolioCommitment: SCALAR_FIELD,
          }),
        ),
        w.errors,
        "PortfolioCommitmentOutOfField",
        [SCALAR_FIELD],
      );
    });

    it("refuses each proof coordinate at the base field modulus, naming it", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      const attestation = await attest(w.alice);
      for (let i = 0; i < 8; i++) {
        const coords = proofCoordinates(PROOF);
        coords[i] = BN254_BASE_FIELD;
        await expectRevert(
          submitProof(
            registry(w.alice),
            submission(attestation, { proof: proofFromCoordinates(coords) }),
          ),
          w.errors,
          "ProofCoordinateOutOfField",
          [BigInt(i)],
        );
      }
    });

    it("refuses a flipped bit in each proof element", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      const attestation = await attest(w.alice);
      for (let i = 0; i < 8; i++) {
        const coords = proofCoordinates(PROOF);
        coords[i] ^= 1n;
        await expectRevert(
          submitProof(
            registry(w.alice),
            submission(attestation, { proof: proofFromCoordinates(coords) }),
          ),
          w.errors,
          "InvalidProof",
        );
      }
    });
  });

  describe("custodian attestations", function () {
    async function submitWith(attestation: SignedAttestation, account: Signer = w.alice) {
      await expectSignals(await signalsFor(account, 1n));
      return submitProof(registry(account), submission(attestation));
    }

    it("refuses a missing attestation", async function () {
      await expectRevert(submitWith(NO_ATTESTATION), w.errors, "AttestationMissing");
    });

    it("accepts an attestation until validUntil inclusive, then refuses it as expired", async function () {
      const start = await snapshot();
      const t = (await now()) + 100n;
      const attestation = await attest(w.alice, { validUntil: t });
      await expectSignals(await signalsFor(w.alice, 1n));
      await setNextTimestamp(t + 1n);
      await expectRevert(
        submitProof(registry(w.alice), submission(attestation)),
        w.errors,
        "AttestationExpired",
        [t],
      );
      await start();
      await expectSignals(await signalsFor(w.alice, 1n));
      await setNextTimestamp(t);
      await submitProof(registry(w.alice), submission(attestation));
    });

    it("refuses an attestation for another commitment", async function () {
      await expectRevert(
        submitWith(await attest(w.alice, { portfolio: PORTFOLIO + 1n })),
        w.errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation for another account", async function () {
      await expectRevert(submitWith(await attest(w.bob)), w.errors, "InvalidAttestationSignature");
    });

    it("refuses an attestation from an unknown custodian", async function () {
      const stranger = await w.stranger.getAddress();
      await expectRevert(
        submitWith(await attest(w.alice, { signer: w.stranger })),
        w.errors,
        "CustodianNotRegistered",
        [POLICY, stranger],
      );
    });

    it("refuses a registered custodian's name on someone else's signature", async function () {
      const forged = await attest(w.alice, { signer: w.stranger });
      await expectRevert(
        submitWith({ ...forged, custodian: await w.custodian.getAddress() }),
        w.errors,
        "InvalidAttestationSignature",
      );
    });

    it("refuses an attestation from a removed custodian", async function () {
      const attestation = await attest(w.alice);
      await (
        await w.policyRegistry.getFunction("removeCustodian")(
          POLICY,
          await w.custodian.getAddress(),
        )
      ).wait();
      await expectRevert(submitWith(attestation), w.errors, "CustodianNotRegistered");
    });

    it("refuses an attestation signed for another MarginRegistry (EIP-712 domain)", async function () {
      const otherDomain = { ...w.domain, verifyingContract: await w.marketBook.getAddress() };
      const attestation = await signAttestation(w.custodian, otherDomain, {
        account: await w.alice.getAddress(),
        portfolioCommitment: PORTFOLIO,
        validUntil: (await now()) + HOUR,
      });
      await expectRevert(submitWith(attestation), w.errors, "InvalidAttestationSignature");
    });

    it("stores an expiry beyond 48 bits saturated, which changes no outcome", async function () {
      const forever = 2n ** 64n - 1n;
      await proveAs(w.alice, 1n, await attest(w.alice, { validUntil: forever }));
      const alice = await w.alice.getAddress();
      expect((await readStatus(w.marginRegistry, alice, POLICY)).attestationValidUntil).to.equal(
        2n ** 48n - 1n,
      );
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, HOUR)).to.equal(true);
    });

    it("refuses an EOA custodian's signature in the wrong format, and a contract that refuses it", async function () {
      const signed = await attest(w.alice);
      // 64 bytes: no ECDSA recovery, and an EOA has no ERC-1271 to fall back on.
      await expectRevert(
        submitWith({ ...signed, signature: signed.signature.slice(0, 130) }),
        w.errors,
        "InvalidAttestationSignature",
      );
      // A contract custodian whose owner is not the signer refuses through ERC-1271.
      const wallet = await deployArtifact(w.admin, loadArtifact("ERC1271Wallet"), [
        await w.bob.getAddress(),
      ]);
      await (await w.policyRegistry.getFunction("addCustodian")(POLICY, wallet.address)).wait();
      await expectRevert(
        submitWith({ ...signed, custodian: wallet.address }),
        w.errors,
        "InvalidAttestationSignature",
      );
    });

    it("accepts an ERC-1271 contract custodian", async function () {
      const wallet = await deployArtifact(w.admin, loadArtifact("ERC1271Wallet"), [
        await w.stranger.getAddress(),
      ]);
      await (await w.policyRegistry.getFunction("addCustodian")(POLICY, wallet.address)).wait();
      const signed = await attest(w.alice, { signer: w.stranger });
      await submitWith({ ...signed, custodian: wallet.address });
      expect(
        (await readStatus(w.marginRegistry, await w.alice.getAddress(), POLICY)).custodian,
      ).to.equal(wallet.address);
    });

    it("needs no attestation where the policy requires none", async function () {
      const OPEN = policyIdOf("open-policy");
      await registerPolicy(w.policyRegistry, {
        policyId: OPEN,
        commitment: POLICY_COMMITMENT,
        mode: "initial",
        verifier: await w.verifier.getAddress(),
        verificationKeyHash: VK_HASH,
        maxRoundAge: MAX_ROUND_AGE,
        requiresAttestation: false,
      });
      await expectSignals(await signalsFor(w.alice, 1n));
      await submitProof(registry(w.alice), {
        policyId: OPEN,
        round: ROUND,
        portfolioCommitment: PORTFOLIO,
        nonce: 1n,
        proof: PROOF,
      });
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), OPEN, HOUR),
      ).to.equal(true);
    });
  });

  describe("MarginRegistry.proveFor (relayed)", function () {
    async function request(
      account: Signer,
      overrides: Partial<{ nonce: bigint; deadline: bigint; signer: Signer }> = {},
    ) {
      const message = {
        account: await account.getAddress(),
        policyId: POLICY,
        round: ROUND,
        portfolioCommitment: PORTFOLIO,
        nonce: overrides.nonce ?? 1n,
        deadline: overrides.deadline ?? (await now()) + HOUR,
      };
      const signer = overrides.signer ?? account;
      const accountSignature = await signer.signTypedData(
        w.domain,
        PROVE_REQUEST_TYPES_BY_HAND,
        message,
      );
      return { ...message, accountSignature, proof: PROOF, attestation: await attest(account) };
    }

    it("lets anyone submit an account's signed request, once", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      const req = await request(w.alice);
      expect(req.accountSignature).to.equal(await signProveRequest(w.alice, w.domain, req));
      const receipt = await submitProofFor(registry(w.stranger), req);
      expect(w.marginRegistry.interface.parseLog(receipt.logs[0])?.args.account).to.equal(
        await w.alice.getAddress(),
      );
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), POLICY, HOUR),
      ).to.equal(true);
      await expectRevert(
        submitProofFor(registry(w.stranger), req),
        w.errors,
        "NonceNotIncreasing",
        [1n, 1n],
      );
    });

    it("refuses a request not signed by the account", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      await expectRevert(
        submitProofFor(registry(w.stranger), await request(w.alice, { signer: w.bob })),
        w.errors,
        "InvalidAccountSignature",
      );
    });

    it("refuses a request whose fields were changed after signing", async function () {
      await expectSignals(await signalsFor(w.alice, 2n));
      const req = await request(w.alice);
      await expectRevert(
        submitProofFor(registry(w.stranger), { ...req, nonce: 2n }),
        w.errors,
        "InvalidAccountSignature",
      );
    });

    it("refuses a request past its deadline", async function () {
      await expectSignals(await signalsFor(w.alice, 1n));
      const deadline = (await now()) + 10n;
      const req = await request(w.alice, { deadline });
      await setNextTimestamp(deadline + 1n);
      await expectRevert(submitProofFor(registry(w.stranger), req), w.errors, "RequestExpired", [
        deadline,
      ]);
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
        await w.bob.getAddress(),
      ]);
      const signed = await request(w.bob);
      const attestation = await signAttestation(w.custodian, w.domain, {
        account: wallet.address,
        portfolioCommitment: PORTFOLIO,
        validUntil: (await now()) + HOUR,
      });
      const message = { ...signed, account: wallet.address, attestation };
      message.accountSignature = await w.bob.signTypedData(w.domain, PROVE_REQUEST_TYPES_BY_HAND, {
        account: wallet.address,
        policyId: POLICY,
        round: ROUND,
        portfolioCommitment: PORTFOLIO,
        nonce: 1n,
        deadline: signed.deadline,
      });
      await expectSignals([
        BigInt(wallet.address),
        1n,
        MARKET_COMMITMENT,
        POLICY_COMMITMENT,
        PORTFOLIO,
      ]);
      await submitProofFor(registry(w.stranger), message);
      expect(await isMarginSufficient(w.marginRegistry, wallet.address, POLICY, HOUR)).to.equal(
        true,
      );
    });
  });

  describe("isMarginSufficient", function () {
    const maxAge = 2n * HOUR;

    it("is false without a status", async function () {
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), POLICY, maxAge),
      ).to.equal(false);
    });

    it("expires when the proven round is older than maxAge (round timestamp, inclusive bound)", async function () {
      await proveAs(
        w.alice,
        1n,
        await attest(w.alice, { validUntil: w.roundTimestamp + 100n * HOUR }),
      );
      const alice = await w.alice.getAddress();
      await mineAt(w.roundTimestamp + maxAge);
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge)).to.equal(true);
      await mineAt(w.roundTimestamp + maxAge + 1n);
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge)).to.equal(false);
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge + 1n)).to.equal(true);
    });

    it("is false once the policy is retired", async function () {
      await proveAs(w.alice);
      await (await w.policyRegistry.getFunction("retirePolicy")(POLICY)).wait();
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), POLICY, maxAge),
      ).to.equal(false);
    });

    it("is false once the attesting custodian is removed, also after it is added again", async function () {
      await proveAs(w.alice);
      const alice = await w.alice.getAddress();
      const custodian = await w.custodian.getAddress();
      const before = await readStatus(w.marginRegistry, alice, POLICY);
      await (await w.policyRegistry.getFunction("removeCustodian")(POLICY, custodian)).wait();
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge)).to.equal(false);
      expect(await readStatus(w.marginRegistry, alice, POLICY)).to.deep.equal({
        ...before,
        custodianActive: false,
      });
      // A new registration gets a new id: what the old one attested stays ended.
      await (await w.policyRegistry.getFunction("addCustodian")(POLICY, custodian)).wait();
      const newId = (await w.policyRegistry.getFunction("custodianIdOf")(
        POLICY,
        custodian,
      )) as bigint;
      expect(newId).to.not.equal(before.custodianId);
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge)).to.equal(false);
      // A fresh proof attested under the new registration counts again.
      await proveAs(w.alice, 2n);
      expect(await isMarginSufficient(w.marginRegistry, alice, POLICY, maxAge)).to.equal(true);
      expect((await readStatus(w.marginRegistry, alice, POLICY)).custodianId).to.equal(newId);
    });

    it("is false for a policy that never existed", async function () {
      expect(
        await w.policyRegistry.getFunction("acceptsStatus")(policyIdOf("never-registered"), 0n),
      ).to.equal(false);
    });

    it("is false once the attestation expires", async function () {
      const validUntil = (await now()) + 600n;
      await proveAs(w.alice, 1n, await attest(w.alice, { validUntil }));
      await mineAt(validUntil);
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), POLICY, maxAge),
      ).to.equal(true);
      await mineAt(validUntil + 1n);
      expect(
        await isMarginSufficient(w.marginRegistry, await w.alice.getAddress(), POLICY, maxAge),
      ).to.equal(false);
    });

    it("is per policy", async function () {
      await proveAs(w.alice);
      expect(
        await isMarginSufficient(
          w.marginRegistry,
          await w.alice.getAddress(),
          OTHER_POLICY,
          maxAge,
        ),
      ).to.equal(false);
    });
  });

  describe("SDK helpers", function () {
    it("computes the same EIP-712 digests as the contract", async function () {
      const message = {
        account: await w.alice.getAddress(),
        portfolioCommitment: PORTFOLIO,
        validUntil: 123n,
      };
      expect(attestationDigest(w.domain, message)).to.equal(
        await w.marginRegistry.getFunction("attestationDigest")(
          message.account,
          message.portfolioCommitment,
          message.validUntil,
        ),
      );
      const req = {
        account: message.account,
        policyId: POLICY,
        round: ROUND,
        portfolioCommitment: PORTFOLIO,
        nonce: 3n,
        deadline: 456n,
      };
      expect(proveRequestDigest(w.domain, req)).to.equal(
        await w.marginRegistry.getFunction("proveRequestDigest")(
          req.account,
          req.policyId,
          req.round,
          req.portfolioCommitment,
          req.nonce,
          req.deadline,
        ),
      );
    });

    it("@property EIP-712 digests match the contract for random messages", async function () {
      const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
      const address = fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((b) => getAddress(hexlify(b)));
      const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
      await fc.assert(
        fc.asyncProperty(
          address,
          bytes32,
          uint(64),
          uint(256),
          uint(64),
          uint(64),
          async (account, policyId, round, portfolioCommitment, nonce, deadline) => {
            const validUntil = deadline;
            expect(
              attestationDigest(w.domain, { account, portfolioCommitment, validUntil }),
            ).to.equal(
              await w.marginRegistry.getFunction("attestationDigest")(
                account,
                portfolioCommitment,
                validUntil,
              ),
            );
            const req = { account, policyId, round, portfolioCommitment, nonce, deadline };
            expect(proveRequestDigest(w.domain, req)).to.equal(
              await w.marginRegistry.getFunction("proveRequestDigest")(
                account,
                policyId,
                round,
                portfolioCommitment,
                nonce,
                deadline,
              ),
            );
          },
        ),
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

    it("refuses to read a domain from a contract that is not a MarginRegistry", async function () {
      const fake = new (await import("ethers")).Contract(
        await w.marketBook.getAddress(),
        [
          "function eip712Domain() view returns (bytes1,string,string,uint256,address,bytes32,uint256[])",
        ],
        w.admin,
      );
      let error: unknown;
      try {
        await readMarginRegistryDomain(fake);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
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
