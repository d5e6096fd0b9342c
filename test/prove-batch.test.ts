/**
 * MarginRegistry.proveBatch with real Groth16 proofs of the `small` instance (one pledge slot,
 * one custodian's pledge per account, as the demo policy has): valid batches of different
 * accounts accepted and counting, an invalid proof (or one valid for other inputs) reverting the
 * call, items refused for any other reason skipped with their event, a batch of one deciding as
 * `proveFor`, and, for random mixes, the accepted set equal to what single `proveFor` calls
 * accept from the same state.
 *
 * The suite runs the development setup of the instance first (a no-op when its keys and
 * generated verifier are up to date) and makes its proofs once.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import type { Contract, Interface, Signer, TypedDataDomain } from "ethers";
import {
  batchGroupsOf,
  batchOutcomes,
  batchWeights,
  BN254_BASE_FIELD,
  decodeRevert,
  deployVerifier,
  isMarginSufficient,
  policyIdOf,
  proveBatchAccessList,
  PROVE_REQUEST_TYPES,
  postRound,
  proofCoordinates,
  proofFromCoordinates,
  proveRequestOf,
  readMarginRegistryDomain,
  registerPolicy,
  revokePledges,
  signProveRequest,
  submitProofBatch,
  submitProofFor,
  toBatchCalldata,
  toBatchVerifyingKey,
  type BatchItemOutcome,
  type RelayedSubmission,
  type SignedPledge,
  type SolidityProof,
} from "../prover/src/chain";
import { publicCommitments } from "../prover/src/commitments";
import { gasVenue, pledgedProof, pledgeOf, tracedTransaction } from "../prover/src/gas";
import { exampleFor } from "../prover/src/bench/examples";
import { nextRound, type DemoVenue } from "../prover/src/demo/deployment";
import { accountNonceOf } from "../prover/src/encoding";
import { loadInstances } from "../prover/src/encoding/instances";
import type { Market } from "../prover/src/inputs";
import { WarmProver } from "../prover/src/queue/prover";
import { loadArtifacts, readManifest } from "../prover/src/setup/manifest";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import {
  compileContracts,
  expectRevert,
  hre,
  now,
  revertAfterEachTest,
  setNextTimestamp,
  snapshot,
} from "./contracts.fixture";
import { G1, g1Add, g1Neg, withC } from "./helpers/g1";
import { awaitSharedKeys } from "./helpers/shared-keys";

const INSTANCE = "small";
const MAX_ROUND_AGE = 3600n;
const GRACE = 600n;
const DAY = 86_400n;
/** Accounts with a proof of nonce 1 on the first round. */
const ACCOUNTS = 6;
/** Of those, accounts with a proof of nonce 1 on the second round too. */
const SECOND_ROUND_ACCOUNTS = ACCOUNTS;
/** The second round is posted this long after the first: the first is stale then. */
const SECOND_ROUND_AFTER = MAX_ROUND_AGE + 100n;

/** A real proof of one account's margin, with what it was made for. */
interface Proven {
  account: Wallet;
  round: bigint;
  nonce: bigint;
  proof: SolidityProof;
  publicSignals: bigint[];
  portfolioCommitments: bigint[];
  portfolioCommitment: bigint;
}

/** What an item may change from its proof's statement (the attacks and refusals below). */
interface ItemOptions {
  policyId?: string;
  nonce?: bigint;
  proof?: SolidityProof;
  /** Signs the request instead of the account. */
  signer?: Wallet;
  /** The pledge's expiry (default: a day after now). */
  validUntil?: bigint;
  deadline?: bigint;
  /** The round the submission names (default: its proof's). */
  round?: bigint;
}

describe("MarginRegistry.proveBatch (real proofs, small instance)", function () {
  let venue: DemoVenue;
  let registry: Contract;
  let relayer: Signer;
  let custodian: Signer;
  let domain: TypedDataDomain;
  let errors: Interface[];
  /** ACCOUNTS proofs on the first round, then SECOND_ROUND_ACCOUNTS on the second. */
  let first: Proven[];
  let second: Proven[];
  let firstMarket: Market;
  let secondMarket: Market;
  let operator: Signer;
  let example: NonNullable<ReturnType<typeof exampleFor>>;
  let harness: Contract;
  let key: bigint[];
  /** A policy of the same commitment and feed on another verifier (same code, new address). */
  let otherVerifierPolicy: string;
  /** A second policy of the same commitment, feed and verifier: another group of one batch. */
  let samePolicyTwin: string;

  const address = (p: Proven) => p.account.address;

  /** A custodian's pledge of `p`'s commitment under the chain's current terms (a day by default). */
  async function pledgeFor(p: Proven, validUntil?: bigint): Promise<SignedPledge> {
    return pledgeOf(
      venue,
      custodian,
      address(p),
      p.portfolioCommitment,
      firstMarket,
      validUntil ?? (await now()) + DAY,
    );
  }

  /** `p` as a relayed submission, its request signed by the account (or `options.signer`). */
  async function item(p: Proven, options: ItemOptions = {}): Promise<RelayedSubmission> {
    const submission = {
      account: address(p),
      policyId: options.policyId ?? venue.policyId,
      round: options.round ?? p.round,
      nonce: options.nonce ?? p.nonce,
      deadline: options.deadline ?? (await now()) + DAY,
      portfolioCommitments: p.portfolioCommitments,
      proof: options.proof ?? p.proof,
      pledges: [await pledgeFor(p, options.validUntil)],
    };
    const message = proveRequestOf(submission, venue.venue);
    const accountSignature =
      options.signer === undefined
        ? await signProveRequest(p.account, domain, message)
        : await options.signer.signTypedData(domain, PROVE_REQUEST_TYPES, message);
    return { ...submission, accountSignature };
  }

  const sufficient = (p: Proven) =>
    isMarginSufficient(registry, address(p), venue.policyId, MAX_ROUND_AGE);

  const lastNonce = async (p: Proven, policyId = venue.policyId) =>
    (await registry.getFunction("lastNonce")(address(p), policyId)) as bigint;

  const batch = (items: readonly RelayedSubmission[]) => submitProofBatch(registry, items);

  /** The outcomes' refusal names, index by index ("accepted" for an accepted item). */
  const verdicts = (outcomes: readonly BatchItemOutcome[]) =>
    outcomes.map((o) => (o.accepted ? "accepted" : o.refusal.name));

  before(async function () {
    await awaitSharedKeys(this, INSTANCE);
    await compileContracts();
    const signers = await hre.ethers.getSigners();
    const admin = signers[0];
    operator = signers[1];
    [custodian, relayer] = signers.slice(2);
    const dims = loadInstances()[INSTANCE];
    const found = exampleFor(dims);
    if (found === undefined) throw new Error(`no example fits the ${INSTANCE} instance`);
    example = found;
    harness = await (await hre.ethers.getContractFactory("Groth16BatchHarness", admin)).deploy();
    key = toBatchVerifyingKey((await loadArtifacts(INSTANCE)).vkey);
    // The venue of `npm run gas`, with this suite's round rules.
    const rules = { maxRoundAge: MAX_ROUND_AGE, supersededGrace: GRACE };
    const deployed = await gasVenue(
      INSTANCE,
      dims,
      example,
      { admin, operator, custodian },
      undefined,
      rules,
    );
    venue = deployed.venue;
    const market = deployed.market;
    firstMarket = market;
    registry = venue.registryAs(relayer);
    domain = await readMarginRegistryDomain(registry);
    errors = [registry.interface];
    // The same verifier code at a second address (its code hash is approved already), under a
    // second policy of the same commitment and feed: every proof here is valid for it too.
    const otherVerifier = await deployVerifier(admin, INSTANCE);
    const published = await publicCommitments({ policy: example.policy, market, instance: dims });
    /** Registers `policyId`: the same commitment, feed, venue and rules on `verifier`. */
    const registerAlike = (policyId: string, verifier: string) =>
      registerPolicy(venue.policyRegistry.contract.connect(operator) as Contract, {
        policyId,
        commitment: published.policy,
        mode: example.policy.mode,
        verifier,
        verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
        feed: venue.feed,
        venue: venue.venue,
        ...rules,
      });
    otherVerifierPolicy = policyIdOf(`${example.policy.id} on another verifier`);
    await registerAlike(otherVerifierPolicy, otherVerifier.address);
    samePolicyTwin = policyIdOf(`${example.policy.id} again`);
    await registerAlike(samePolicyTwin, venue.verifier);
    // The second round's market is fixed now (its timestamp too), so its proofs can be made
    // before it is posted.
    secondMarket = nextRound(market, -10_000n, market.timestamp + SECOND_ROUND_AFTER);
    const prover = new WarmProver();
    const prove = async (account: Wallet, m: Market): Promise<Proven> => {
      const made = await pledgedProof(INSTANCE, example, m, account.address, 1n, prover);
      return {
        ...made,
        account,
        round: m.round,
        nonce: 1n,
        publicSignals: made.publicSignals.map(BigInt),
      };
    };
    try {
      const accounts = Array.from(
        { length: ACCOUNTS },
        (_, i) => new Wallet(keccak256(toUtf8Bytes(`zkmargin batch account ${i}`))),
      );
      first = [];
      for (const account of accounts) first.push(await prove(account, market));
      second = [];
      for (const account of accounts.slice(0, SECOND_ROUND_ACCOUNTS)) {
        second.push(await prove(account, secondMarket));
      }
    } finally {
      await prover.close();
    }
  });

  after(async function () {
    await releaseCurve();
  });

  revertAfterEachTest();

  it("accepts a batch of valid proofs of different accounts, and every status counts", async function () {
    for (const p of first) expect(await sufficient(p)).to.equal(false);
    const items = await Promise.all(first.map((p) => item(p)));
    // The call returns how many it accepted.
    expect(await registry.getFunction("proveBatch").staticCall(batchGroupsOf(items))).to.equal(
      BigInt(first.length),
    );
    const { receipt, outcomes } = await batch(items);
    expect(verdicts(outcomes)).to.deep.equal(first.map(() => "accepted"));
    expect(outcomes.map((o) => o.account)).to.deep.equal(first.map(address));
    for (const p of first) {
      expect(await sufficient(p), address(p)).to.equal(true);
      expect(await lastNonce(p)).to.equal(1n);
    }
    // The outcomes read back from the receipt; the receipt is not another batch's.
    expect(batchOutcomes(registry, receipt, items)).to.deep.equal(outcomes);
    expect(() => batchOutcomes(registry, receipt, items.slice(1))).to.throw(/not this batch's/);
    expect(() => batchOutcomes(registry, receipt, [...items].reverse())).to.throw(
      /not this batch's/,
    );
    // One MarginProved per item, in order, as proveFor emits it.
    const proved = receipt.logs
      .map((log) => registry.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "MarginProved");
    expect(proved.map((e) => e?.args.account as string)).to.deep.equal(first.map(address));
    expect(proved.map((e) => e?.args.round as bigint)).to.deep.equal(first.map((p) => p.round));
    expect(proved.map((e) => [...(e?.args.portfolioCommitments as bigint[])])).to.deep.equal(
      first.map((p) => p.portfolioCommitments),
    );
  });

  /** Posts the second round (its timestamp fixed in `before`): the first is stale from then on. */
  async function postSecondRound(): Promise<void> {
    const dims = loadInstances()[INSTANCE];
    const published = await publicCommitments({
      policy: example.policy,
      market: secondMarket,
      instance: dims,
    });
    await setNextTimestamp(secondMarket.timestamp);
    await postRound(venue.marketBook.contract.connect(operator) as Contract, {
      feed: venue.feed,
      round: secondMarket.round,
      timestamp: secondMarket.timestamp,
      commitment: published.market,
    });
  }

  /** The decoded error of a failed call, or "accepted". */
  type Verdict = { name: string; args: unknown[] };
  const ACCEPTED: Verdict = { name: "accepted", args: [] };

  /** `proveFor(s)` sent alone: accepted, or the error it reverted with. */
  async function single(s: RelayedSubmission): Promise<Verdict> {
    try {
      await submitProofFor(registry, s);
      return ACCEPTED;
    } catch (error) {
      const decoded = decodeRevert(error, errors);
      if (decoded === undefined) throw error;
      return { name: decoded.name, args: decoded.args };
    }
  }

  /** `proveBatch(items)`: each item's verdict, or the error the whole call reverted with. */
  async function batched(items: readonly RelayedSubmission[]): Promise<Verdict[] | Verdict> {
    try {
      const { outcomes } = await batch(items);
      return outcomes.map((o) =>
        o.accepted ? ACCEPTED : { name: o.refusal.name, args: [...o.refusal.args] },
      );
    } catch (error) {
      const decoded = decodeRevert(error, errors);
      if (decoded === undefined) throw error;
      return { name: decoded.name, args: decoded.args };
    }
  }

  it("reverts the whole call for an invalid proof (a changed coordinate, a proof of other inputs) and records nothing", async function () {
    const [a, b, c] = first;
    const shifted = withC(a.proof, await g1Add(a.proof.c, G1));
    const offCurve = withC(a.proof, [a.proof.c[0], (a.proof.c[1] + 1n) % BN254_BASE_FIELD]);
    const attacks: [string, RelayedSubmission[]][] = [
      ["C + G", [await item(a, { proof: shifted }), await item(b), await item(c)]],
      ["C off the curve", [await item(b), await item(a, { proof: offCurve }), await item(c)]],
      ["a's proof for b", [await item(b, { proof: a.proof }), await item(c)]],
      ["swapped proofs", [await item(a, { proof: b.proof }), await item(b, { proof: a.proof })]],
      ["another nonce", [await item(c), await item(a, { nonce: 2n })]],
      ["one item, another account's proof", [await item(c, { proof: b.proof })]],
      ["one item, another nonce", [await item(c, { nonce: 3n })]],
    ];
    for (const [label, items] of attacks) {
      await expectRevert(batch(items), errors, "InvalidBatchProof", []);
      for (const p of first) expect(await lastNonce(p), `${label}: ${address(p)}`).to.equal(0n);
    }
    // Each alone, by proveFor: the proofs are refused there too.
    expect((await single(await item(a, { proof: shifted }))).name).to.equal("InvalidProof");
    expect((await single(await item(b, { proof: a.proof }))).name).to.equal("InvalidProof");
    expect((await single(await item(a, { nonce: 2n }))).name).to.equal("InvalidProof");
  });

  it("skips the second of two items with the same account and nonce (NonceNotIncreasing)", async function () {
    const [a, b] = first;
    const { outcomes, receipt } = await batch([await item(a), await item(b), await item(a)]);
    expect(verdicts(outcomes)).to.deep.equal(["accepted", "accepted", "NonceNotIncreasing"]);
    const skipped = outcomes[2];
    if (skipped.accepted) throw new Error("unreachable");
    expect(skipped.refusal.args).to.deep.equal([1n, 1n]);
    expect(skipped.reason).to.match(/^NonceNotIncreasing\(1, 1\): nonce 1 is not above/);
    const events = receipt.logs
      .map((log) => registry.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "ProofSkipped");
    expect(events).to.have.length(1);
    expect(events[0]?.args.index).to.equal(2n);
    expect(events[0]?.args.account).to.equal(address(a));
    expect(events[0]?.args.policyId).to.equal(venue.policyId);
    expect(await lastNonce(a)).to.equal(1n);
  });

  it("skips each refused item with its event (stale round, revoked, expired, used nonce, bad request signature) and accepts the rest", async function () {
    const [s0, s1, s2, s3, s4, s5] = second;
    // Round 2 posted, s3 proves alone first; the custodian will revoke s4's pledge after signing it.
    await postSecondRound();
    await submitProofFor(registry, await item(s3));
    const items = [
      await item(s0),
      await item(first[5]), // round 1: superseded within the grace, but over maxRoundAge
      await item(s4),
      await item(s2, { validUntil: (await now()) - 1n }),
      await item(s3),
      await item(s5, { signer: first[0].account }),
      await item(s1),
    ];
    await revokePledges(venue.registryAs(custodian), address(s4));
    const { outcomes, receipt } = await batch(items);
    expect(verdicts(outcomes)).to.deep.equal([
      "accepted",
      "StaleRound",
      "PledgeRevoked",
      "PledgeExpired",
      "NonceNotIncreasing",
      "InvalidAccountSignature",
      "accepted",
    ]);
    const refusal = (i: number) => {
      const o = outcomes[i];
      if (o.accepted) throw new Error(`item ${i} was accepted`);
      return o.refusal.args;
    };
    expect(refusal(1)).to.deep.equal([
      first[5].round,
      secondMarket.timestamp - SECOND_ROUND_AFTER,
      MAX_ROUND_AGE,
    ]);
    expect(refusal(2)).to.deep.equal([0n, 0n, 1n]);
    expect(refusal(3)[0]).to.equal(0n);
    expect(refusal(4)).to.deep.equal([1n, 1n]);
    // Each skip is one event naming the item, its account and policy, and the encoded error.
    const events = receipt.logs
      .map((log) => registry.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "ProofSkipped");
    expect(events.map((e) => Number(e?.args.index as bigint))).to.deep.equal([1, 2, 3, 4, 5]);
    expect(events.map((e) => e?.args.account as string)).to.deep.equal(
      [first[5], s4, s2, s3, s5].map(address),
    );
    expect(registry.interface.parseError(events[4]?.args.reason as string)?.name).to.equal(
      "InvalidAccountSignature",
    );
    for (const p of [s0, s1, s3]) expect(await sufficient(p), address(p)).to.equal(true);
    for (const p of [s2, s4, s5]) expect(await lastNonce(p), address(p)).to.equal(0n);
  });

  it("skips an item whose policy has another verifier than the batch's first admitted item (BatchVerifierMismatch)", async function () {
    const [a, b, c] = first;
    const other = async (policyId: string) =>
      (await venue.policyRegistry.contract.getFunction("getPolicy")(policyId)).verifier as string;
    const [mine, theirs] = [await other(venue.policyId), await other(otherVerifierPolicy)];
    expect(mine).to.not.equal(theirs);
    const { outcomes } = await batch([
      await item(a, { policyId: otherVerifierPolicy }),
      await item(b),
      await item(c, { policyId: otherVerifierPolicy }),
    ]);
    expect(verdicts(outcomes)).to.deep.equal(["accepted", "BatchVerifierMismatch", "accepted"]);
    const skipped = outcomes[1];
    if (skipped.accepted) throw new Error("unreachable");
    expect(skipped.refusal.args).to.deep.equal([theirs, mine]);
    expect(skipped.reason).to.include("a batch is checked by one verifier");
    expect(await lastNonce(a, otherVerifierPolicy)).to.equal(1n);
    expect(await lastNonce(b)).to.equal(0n);
    // The skipped item goes through in a batch of its own.
    expect(verdicts((await batch([await item(b)])).outcomes)).to.deep.equal(["accepted"]);
  });

  it("refuses an empty batch, and verifies nothing when nothing is admitted", async function () {
    await expectRevert(registry.getFunction("proveBatch")([]), errors, "EmptyBatch", []);
    let refused: unknown;
    try {
      await submitProofBatch(registry, []);
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.match(/at least one item/);
    // Every item refused, one of them with an invalid proof that is never checked: no revert.
    const [a] = first;
    const { outcomes } = await batch([
      await item(a, { proof: first[1].proof, deadline: (await now()) - 1n }),
      await item(a, { signer: first[1].account }),
    ]);
    expect(verdicts(outcomes)).to.deep.equal(["RequestExpired", "InvalidAccountSignature"]);
  });

  it("refuses a batch with an empty group (EmptyBatch)", async function () {
    const [a] = first;
    const [group] = batchGroupsOf([await item(a)]);
    const empty = { ...group, items: [] };
    for (const groups of [[empty], [group, empty], [empty, group]]) {
      await expectRevert(registry.getFunction("proveBatch")(groups), errors, "EmptyBatch", []);
    }
    expect(await lastNonce(a)).to.equal(0n);
  });

  it("accepts groups of different policies and deadlines in one batch, its skips indexed over all items in order", async function () {
    const [a, b, c, d, e] = first;
    const later = (await now()) + 2n * DAY;
    const items = [
      await item(a),
      await item(b, { signer: c.account }),
      await item(c, { policyId: samePolicyTwin }),
      await item(d, { policyId: samePolicyTwin, signer: a.account }),
      await item(e, { deadline: later }),
    ];
    // Three groups: the policy, its twin, the policy with a later deadline.
    expect(
      batchGroupsOf(items).map((g) => [g.policyId, g.deadline === later, g.items.length]),
    ).to.deep.equal([
      [venue.policyId, false, 2],
      [samePolicyTwin, false, 2],
      [venue.policyId, true, 1],
    ]);
    const { outcomes, receipt } = await batch(items);
    expect(verdicts(outcomes)).to.deep.equal([
      "accepted",
      "InvalidAccountSignature",
      "accepted",
      "InvalidAccountSignature",
      "accepted",
    ]);
    const events = receipt.logs
      .map((log) => registry.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "ProofSkipped");
    expect(events.map((e) => [Number(e?.args.index as bigint), e?.args.policyId])).to.deep.equal([
      [1, venue.policyId],
      [3, samePolicyTwin],
    ]);
    expect(await lastNonce(a)).to.equal(1n);
    expect(await lastNonce(c, samePolicyTwin)).to.equal(1n);
    expect(await lastNonce(c)).to.equal(0n);
    expect(await lastNonce(e)).to.equal(1n);
    for (const p of [b, d]) expect(await lastNonce(p, samePolicyTwin), address(p)).to.equal(0n);
  });

  it("checks each item against its group's round: a batch of two rounds, the older one stale", async function () {
    // s0 on round 2, first[1] on round 1 (superseded, within the grace, but over its age).
    const [s0] = second;
    const [, b] = first;
    await postSecondRound();
    const items = [await item(s0), await item(b)];
    expect(batchGroupsOf(items).map((g) => g.round)).to.deep.equal([
      secondMarket.round,
      first[0].round,
    ]);
    const { outcomes } = await batch(items);
    // Round 1 was posted SECOND_ROUND_AFTER before round 2: over maxRoundAge, for b alone.
    expect(verdicts(outcomes)).to.deep.equal(["accepted", "StaleRound"]);
    expect(await lastNonce(s0)).to.equal(1n);
  });

  it("refuses an item whose request was signed for another round or deadline than its group's (InvalidAccountSignature)", async function () {
    const [a, b, c] = first;
    const asSent = await item(a);
    const otherDeadline = await item(a, { deadline: asSent.deadline + 1n });
    const otherRound = await item(a, { round: secondMarket.round });
    const fair = await item(b);
    const { outcomes } = await batch([
      fair,
      { ...asSent, accountSignature: otherDeadline.accountSignature },
      { ...asSent, accountSignature: otherRound.accountSignature },
      await item(c),
    ]);
    expect(batchGroupsOf([fair, asSent]).length).to.equal(1);
    expect(verdicts(outcomes)).to.deep.equal([
      "accepted",
      "InvalidAccountSignature",
      "InvalidAccountSignature",
      "accepted",
    ]);
    // Signed for exactly this group, it is accepted.
    expect(verdicts((await batch([asSent])).outcomes)).to.deep.equal(["accepted"]);
  });

  it("a batch of one accepts and refuses exactly what proveFor does", async function () {
    const [a, b] = first;
    const cases: [string, () => Promise<RelayedSubmission>][] = [
      ["valid", () => item(a)],
      [
        "used nonce",
        async () => {
          await submitProofFor(registry, await item(a));
          return item(a);
        },
      ],
      [
        "revoked",
        async () => {
          const s = await item(a);
          await revokePledges(venue.registryAs(custodian), address(a));
          return s;
        },
      ],
      ["expired pledge", async () => item(a, { validUntil: (await now()) - 1n })],
      ["expired request", async () => item(a, { deadline: (await now()) - 1n })],
      ["bad request signature", () => item(a, { signer: b.account })],
      ["another account's proof", () => item(a, { proof: b.proof })],
      ["another nonce", () => item(a, { nonce: 2n })],
      [
        "stale round",
        async () => {
          await postSecondRound();
          return item(a);
        },
      ],
      ["other verifier's policy", () => item(a, { policyId: otherVerifierPolicy })],
    ];
    for (const [label, make] of cases) {
      const restore = await snapshot();
      const s = await make();
      const before = await snapshot();
      const alone = await single(s);
      const stateAlone = [await lastNonce(a), await sufficient(a)];
      await before();
      const inBatch = await batched([s]);
      const stateInBatch = [await lastNonce(a), await sufficient(a)];
      await restore();
      if (alone.name === "InvalidProof") {
        expect(inBatch, label).to.deep.equal({ name: "InvalidBatchProof", args: [] });
      } else {
        expect(inBatch, label).to.deep.equal([alone]);
      }
      expect(stateInBatch, label).to.deep.equal(stateAlone);
    }
  });

  it("accepts, for random mixes, exactly the items single proveFor calls accept from the same state @property", async function () {
    type Kind =
      | "valid"
      | "badSignature"
      | "expiredPledge"
      | "expiredRequest"
      | "otherNonce"
      | "otherProof";
    const kinds: Kind[] = [
      "valid",
      "valid",
      "valid",
      "badSignature",
      "expiredPledge",
      "expiredRequest",
      "otherNonce",
      "otherProof",
    ];
    const mix = fc.record({
      items: fc.array(
        fc.record({ account: fc.nat(ACCOUNTS - 1), kind: fc.constantFrom(...kinds) }),
        { minLength: 1, maxLength: 6 },
      ),
      proven: fc.subarray([...first.keys()]),
      revoked: fc.subarray([...first.keys()]),
    });
    let reverted = 0;
    let mixed = 0;
    await fc.assert(
      fc.asyncProperty(mix, async ({ items, proven, revoked }) => {
        const restore = await snapshot();
        try {
          for (const i of proven) await submitProofFor(registry, await item(first[i]));
          const submissions: RelayedSubmission[] = [];
          for (const { account, kind } of items) {
            const p = first[account];
            const other = first[(account + 1) % ACCOUNTS];
            const t = await now();
            submissions.push(
              await item(p, {
                ...(kind === "badSignature" ? { signer: other.account } : {}),
                ...(kind === "expiredPledge" ? { validUntil: t - 1n } : {}),
                ...(kind === "expiredRequest" ? { deadline: t - 1n } : {}),
                ...(kind === "otherNonce" ? { nonce: 2n } : {}),
                ...(kind === "otherProof" ? { proof: other.proof } : {}),
              }),
            );
          }
          for (const i of revoked)
            await revokePledges(venue.registryAs(custodian), address(first[i]));
          const before = await snapshot();
          const alone: Verdict[] = [];
          for (const s of submissions) alone.push(await single(s));
          await before();
          const inBatch = await batched(submissions);
          if (alone.some((v) => v.name === "InvalidProof")) {
            reverted++;
            expect(inBatch).to.deep.equal({ name: "InvalidBatchProof", args: [] });
          } else {
            if (new Set(alone.map((v) => v.name)).size > 1) mixed++;
            expect(inBatch).to.deep.equal(alone);
          }
        } finally {
          await restore();
        }
      }),
      { numRuns: 16, seed: 20 },
    );
    // The runs covered both outcomes of the property.
    expect(reverted, "runs with an invalid proof").to.be.greaterThan(0);
    expect(mixed, "runs with accepted and skipped items").to.be.greaterThan(0);
  });

  it("checks every item's proof and rebuilt signals under hash-drawn weights: errors that cancel under fixed weights are refused", async function () {
    const [a, b, c] = first;
    // What the registry rebuilds for an item: [account | nonce << 160, market, policy, commitments].
    const signalsOf = (p: Proven, changes: { nonce?: bigint; account?: string } = {}) => [
      accountNonceOf(changes.account ?? address(p), changes.nonce ?? p.nonce),
      ...p.publicSignals.slice(1),
    ];
    for (const p of first) expect(signalsOf(p)).to.deep.equal(p.publicSignals);
    const weightsOf = async (items: { proof: SolidityProof; publicSignals: bigint[] }[]) => {
      const { proofs, pubSignals } = toBatchCalldata(items);
      return [...((await harness.getFunction("weights")(proofs, pubSignals)) as bigint[])];
    };
    const valid = [a, b, c].map((p) => ({ proof: p.proof, publicSignals: signalsOf(p) }));
    const base = await weightsOf(valid);
    expect(base).to.deep.equal(batchWeights(toBatchCalldata(valid)));
    // Any change of any item (its account, nonce, a commitment, a proof word) moves the weights.
    const seen = new Set([base.join()]);
    for (let i = 0; i < valid.length; i++) {
      const p = [a, b, c][i];
      const words = proofCoordinates(p.proof);
      const variants = [
        { ...valid[i], publicSignals: signalsOf(p, { nonce: 2n }) },
        { ...valid[i], publicSignals: signalsOf(p, { account: address(first[3]) }) },
        { ...valid[i], publicSignals: [...valid[i].publicSignals.slice(0, 3), 1n] },
        ...words.map((_, k) => ({
          ...valid[i],
          proof: proofFromCoordinates(words.map((w, j) => (j === k ? w + 1n : w))),
        })),
      ];
      for (const variant of variants) {
        const weights = await weightsOf(valid.map((v, j) => (j === i ? variant : v)));
        expect(weights[0]).to.equal(1n);
        seen.add(weights.join());
      }
    }
    expect(seen.size).to.equal(1 + valid.length * 11);

    // C_0 + G and C_1 - G: each proof invalid, their sum the valid one. And two valid proofs
    // each submitted for the other's account.
    const attacks: [
      string,
      { proof: SolidityProof; publicSignals: bigint[] }[],
      RelayedSubmission[],
    ][] = [];
    const plus = withC(a.proof, await g1Add(a.proof.c, G1));
    const minus = withC(b.proof, await g1Add(b.proof.c, g1Neg(G1)));
    attacks.push([
      "C_0 + G, C_1 - G",
      [
        { proof: plus, publicSignals: signalsOf(a) },
        { proof: minus, publicSignals: signalsOf(b) },
      ],
      [await item(a, { proof: plus }), await item(b, { proof: minus })],
    ]);
    attacks.push([
      "swapped proofs",
      [
        { proof: b.proof, publicSignals: signalsOf(a) },
        { proof: a.proof, publicSignals: signalsOf(b) },
      ],
      [await item(a, { proof: b.proof }), await item(b, { proof: a.proof })],
    ]);
    // Equal fixed weights let both attacks through; the registry's batch draws its weights from
    // its hash (r_0 = 1, r_1 in [1, 2^128 - 1]): C_0 + G and C_1 - G leave an error of (1 - r_1) G.
    const fixed = harness.getFunction("verifyWithWeights");
    for (const [label, calldata, items] of attacks) {
      const { proofs, pubSignals } = toBatchCalldata(calldata);
      expect(
        await fixed(key, proofs, pubSignals, [1n, 1n]),
        `${label}: equal fixed weights`,
      ).to.equal(true);
      await expectRevert(batch(items), errors, "InvalidBatchProof", []);
    }
    expect(await lastNonce(a)).to.equal(0n);
  });

  it("sends a batch with its access list (proveBatchAccessList): the same outcome for less gas", async function () {
    const items = await Promise.all(first.map((p) => item(p)));
    const list = await proveBatchAccessList(registry, items, await relayer.getAddress());
    const listed = new Set(list.map((entry) => entry.address.toLowerCase()));
    // The contracts the batch calls, with their slots; not the registry itself: its
    // 2 * ACCOUNTS slots (statuses, epochs) do not pay for its entry below 25.
    for (const contract of [
      venue.policyRegistry.address,
      venue.marketBook.address,
      venue.verifier,
    ]) {
      expect(listed.has(contract.toLowerCase()), contract).to.equal(true);
    }
    expect(listed.has((await registry.getAddress()).toLowerCase())).to.equal(false);
    const plain = await hre.ethers.provider.send("evm_snapshot", []);
    const without = (await batch(items)).receipt.gasUsed;
    await hre.ethers.provider.send("evm_revert", [plain]);
    const { receipt, outcomes } = await submitProofBatch(registry, items, { accessList: list });
    expect(verdicts(outcomes)).to.deep.equal(first.map(() => "accepted"));
    expect(receipt.gasUsed < without, `${receipt.gasUsed} with, ${without} without`).to.equal(true);
  });

  it("splits a batch's gas from its trace: one pairing of B + 3 pairs, 2 ecrecover per item, the ecMul and ecAdd of the batch check", async function () {
    const items = await Promise.all(first.slice(0, 3).map((p) => item(p)));
    const { gas, returned } = await tracedTransaction(registry, hre.ethers.provider, "proveBatch", [
      batchGroupsOf(items),
    ]);
    expect(returned).to.equal(3n);
    // Weights r_0 = 1, r_1, r_2: the A and C of items 1 and 2, S alpha, S IC_0 and one per signal.
    const signals = BigInt(first[0].publicSignals.length);
    expect(gas.pairs).to.equal(3 + 3);
    expect(gas.ecMuls).to.equal(2 * 2 + 2 + Number(signals));
    expect(gas.ecAdds).to.equal(2 + Number(signals));
    // The account's request and the custodian's pledge, per item.
    expect(gas.ecrecovers).to.equal(2 * 3);
    expect(gas.ecrecover).to.equal(6n * 3_100n);
    // Three fresh status slots at least.
    expect(gas.storage >= 3n * 22_100n).to.equal(true);
    expect(gas.logs > 0n && gas.keccak > 0n && gas.other > 0n).to.equal(true);
    expect(
      gas.intrinsic +
        gas.pairing +
        gas.ecMul +
        gas.ecAdd +
        gas.ecrecover +
        gas.storage +
        gas.logs +
        gas.keccak +
        gas.other,
    ).to.equal(gas.total);
  });
});
