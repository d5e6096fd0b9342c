/**
 * What the verify page and `audit chain` use to tell whether a proof is on-chain, without a chain:
 * the one layout of a statement as public signals (also with several portfolio commitments), the
 * submissions read back from `prove`/`proveFor` calldata (with the registry's real ABI), and the
 * matching of a proof against lookalike `MarginProved` events (another round with the same nonce
 * and commitment, the same statement with other proof points, a call through a wallet contract,
 * a batch item skipped with the same statement as the accepted one), the pledges a submission
 * carries, every item of a `proveBatch` call, and each pledge slot's state in words.
 */
import { expect } from "chai";
import { Interface, Wallet, type TransactionReceipt } from "ethers";
import { loadArtifact } from "../prover/src/chain/artifacts";
import { proofFromCoordinates, type SolidityProof } from "../prover/src/chain/calldata";
import { pledgeCalldata, signedPledge, type SignedPledge } from "../prover/src/chain/eip712";
import { batchGroupsOf } from "../prover/src/chain/prove-batch";
import type { MarginProvedEvent } from "../prover/src/chain/registry";
import {
  pledgeStateWords,
  slotPledges,
  withPledgesOnChain,
  type PledgeTermsReader,
} from "../prover/src/inspect/pledges";
import { findProofOnChain, type SubmissionReader } from "../prover/src/inspect/on-chain";
import { deploymentNames } from "../prover/src/inspect/transaction";
import {
  compareSignals,
  differingSignals,
  signalName,
  statementSignals,
} from "../prover/src/inspect/signals";
import {
  decodeSubmissions,
  snarkjsProof,
  type SubmittedTransaction,
} from "../prover/src/inspect/submission";
import { PUBLIC_SIGNAL_NAMES, encodePublicSignals } from "../prover/src/proving/public-signals";
import { toSolidityProof } from "../prover/src/chain/calldata";
import { compileContracts } from "./contracts.fixture";

const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const RELAYER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const REGISTRY = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const WALLET = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const POLICY_ID = `0x${"ab".repeat(32)}`;
const FEED = `0x00${"ef".repeat(31)}`;
const POLICY_COMMITMENT = 99n;
/** Market commitments of rounds 7 and 8 of the feed. */
const MARKET: Record<string, bigint> = { "7": 7007n, "8": 8008n };
const PORTFOLIO = 123456789n;

const CUSTODIAN_A = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const CUSTODIAN_B = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const VENUE = `0x${"5e".repeat(32)}`;

/** A pledge by `custodian` with a well-formed signature (never checked here). */
const pledgeBy = (custodian: string, registration: bigint, epoch = 0n): SignedPledge =>
  signedPledge(
    {
      custodian,
      registration,
      account: ACCOUNT,
      venue: VENUE,
      portfolioCommitment: PORTFOLIO,
      epoch,
      issuedAt: 1_000n,
      validUntil: 2_000n,
    },
    new Wallet(`0x${"42".repeat(32)}`).signingKey.sign(`0x${"11".repeat(32)}`).serialized,
  );

/** A proof with distinct coordinates (their values do not matter here: nothing is verified). */
const proofPoints = (seed: bigint): SolidityProof =>
  proofFromCoordinates(Array.from({ length: 8 }, (_, i) => seed * 100n + BigInt(i + 1)));

describe("inspect: a proof's signals and its submission on-chain", function () {
  let abi: Interface;

  before(async function () {
    await compileContracts();
    abi = new Interface(loadArtifact("MarginRegistry").abi);
  });

  /** A direct `prove` call by the account (`from`) to the registry. */
  const proveTx = (round: bigint, nonce: bigint, proof: SolidityProof): SubmittedTransaction => ({
    from: ACCOUNT,
    to: REGISTRY,
    value: 0n,
    data: abi.encodeFunctionData("prove", [POLICY_ID, round, nonce, [PORTFOLIO], proof, []]),
  });

  describe("signals", () => {
    it("lays a statement out in the circuit's order, as public.json has it", () => {
      const statement = {
        account: ACCOUNT,
        nonce: 2n,
        marketCommitment: 8008n,
        policyCommitment: POLICY_COMMITMENT,
        portfolioCommitments: [PORTFOLIO],
      };
      expect(statementSignals(statement).map(String)).to.deep.equal(
        encodePublicSignals({ ...statement, portfolioCommitments: [PORTFOLIO] }),
      );
      const names = [0, 1, 2, 3].map((i) => signalName(i, 4));
      expect(names).to.deep.equal([...PUBLIC_SIGNAL_NAMES]);
    });

    it("names several portfolio commitments and never matches lists of other lengths", () => {
      const two = statementSignals({
        account: ACCOUNT,
        nonce: 1n,
        marketCommitment: 1n,
        policyCommitment: 2n,
        portfolioCommitments: [3n, 4n],
      });
      expect(two.slice(1)).to.deep.equal([1n, 2n, 3n, 4n]);
      expect([3, 4].map((i) => signalName(i, 5))).to.deep.equal([
        "portfolioCommitment_1",
        "portfolioCommitment_2",
      ]);
      const comparison = compareSignals(two.slice(0, 4), two);
      expect(differingSignals(comparison)).to.deep.equal(["portfolioCommitment_2"]);
      expect(comparison[4]).to.deep.include({ other: 4n, equal: false });
      expect(comparison[4].proof).to.equal(undefined);
      expect(differingSignals(compareSignals(two, [...two]))).to.deep.equal([]);
    });
  });

  describe("submissions from calldata", () => {
    it("reads prove (the sender's) and proveFor (the signed account's) calls to the registry", () => {
      const proof = proofPoints(1n);
      const [direct] = decodeSubmissions(proveTx(8n, 2n, proof), REGISTRY, abi);
      expect(direct).to.deep.equal({
        method: "prove",
        account: ACCOUNT,
        policyId: POLICY_ID,
        round: 8n,
        nonce: 2n,
        portfolioCommitments: [PORTFOLIO],
        proof,
        pledges: [],
      });
      const relayed: SubmittedTransaction = {
        from: RELAYER,
        to: REGISTRY.toLowerCase(),
        value: 0n,
        data: abi.encodeFunctionData("proveFor", [
          ACCOUNT,
          POLICY_ID.toUpperCase().replace("0X", "0x"),
          8n,
          3n,
          1n << 40n,
          [PORTFOLIO, 0n],
          proof,
          [],
          "0x",
        ]),
      };
      const [byRelayer] = decodeSubmissions(relayed, REGISTRY, abi);
      expect(byRelayer).to.deep.include({ method: "proveFor", account: ACCOUNT, nonce: 3n });
      expect(byRelayer.portfolioCommitments).to.deep.equal([PORTFOLIO, 0n]);
      expect(byRelayer.policyId).to.equal(POLICY_ID);
      // The snarkjs layout round-trips: G2 coordinates swapped back to [real, imaginary].
      expect(toSolidityProof(snarkjsProof(proof))).to.deep.equal(proof);
    });

    it("reads each pledge of a prove call, in slot order, as its custodian signed it", () => {
      const pledges = [pledgeBy(CUSTODIAN_A, 3n, 1n), pledgeBy(CUSTODIAN_B, 4n)];
      const data = abi.encodeFunctionData("prove", [
        POLICY_ID,
        8n,
        2n,
        [PORTFOLIO, PORTFOLIO + 1n],
        proofPoints(1n),
        pledges.map(pledgeCalldata),
      ]);
      const [decoded] = decodeSubmissions(
        { from: ACCOUNT, to: REGISTRY, value: 0n, data },
        REGISTRY,
        abi,
      );
      expect(decoded.pledges).to.deep.equal(pledges);
      expect(decoded.batch).to.equal(undefined);
    });

    it("reads every item of every group of a proveBatch call, with its index, account, round and pledges", () => {
      const item = (account: string, nonce: bigint, pledges: SignedPledge[], round = 8n) => ({
        account,
        policyId: POLICY_ID,
        round,
        nonce,
        deadline: 1n << 40n,
        portfolioCommitments: [PORTFOLIO, 0n],
        proof: proofPoints(nonce),
        pledges,
        accountSignature: "0x1234",
      });
      // Two groups (rounds 8 and 9): the items listed in the flat order, indices over both.
      const groups = batchGroupsOf([
        item(ACCOUNT, 2n, [pledgeBy(CUSTODIAN_A, 3n)]),
        item(RELAYER, 5n, [pledgeBy(CUSTODIAN_B, 4n, 2n)]),
        item(WALLET, 6n, [pledgeBy(CUSTODIAN_A, 3n)], 9n),
      ]);
      expect(groups.map((g) => [g.round, g.items.length])).to.deep.equal([
        [8n, 2],
        [9n, 1],
      ]);
      const data = abi.encodeFunctionData("proveBatch", [groups]);
      const items = decodeSubmissions(
        { from: WALLET, to: REGISTRY, value: 0n, data },
        REGISTRY,
        abi,
      );
      expect(items.map((s) => [s.method, s.batch, s.account, s.nonce, s.round])).to.deep.equal([
        ["proveBatch", { index: 0, size: 3 }, ACCOUNT, 2n, 8n],
        ["proveBatch", { index: 1, size: 3 }, RELAYER, 5n, 8n],
        ["proveBatch", { index: 2, size: 3 }, WALLET, 6n, 9n],
      ]);
      expect(items.every((s) => s.policyId === POLICY_ID.toLowerCase())).to.equal(true);
      expect(items[1].proof).to.deep.equal(proofPoints(5n));
      expect(items[1].pledges).to.deep.equal([pledgeBy(CUSTODIAN_B, 4n, 2n)]);
      expect(items[0].portfolioCommitments).to.deep.equal([PORTFOLIO, 0n]);
    });

    it("reads nothing from a call through a wallet, to another address or of another function", () => {
      const tx = proveTx(8n, 2n, proofPoints(1n));
      expect(decodeSubmissions({ ...tx, to: WALLET }, REGISTRY, abi)).to.deep.equal([]);
      expect(decodeSubmissions({ ...tx, to: null }, REGISTRY, abi)).to.deep.equal([]);
      const revoke = abi.encodeFunctionData("revoke(address)", [ACCOUNT]);
      expect(decodeSubmissions({ ...tx, data: revoke }, REGISTRY, abi)).to.deep.equal([]);
      expect(decodeSubmissions({ ...tx, data: "0xdeadbeef" }, REGISTRY, abi)).to.deep.equal([]);
    });
  });

  describe("finding a proof on-chain", () => {
    /** Round 8, nonce 2: what was submitted, by the transaction "0x08". */
    const submitted = proofPoints(8n);
    const event = (round: bigint, nonce: bigint, hash: string): MarginProvedEvent => ({
      account: ACCOUNT,
      policyId: POLICY_ID,
      round,
      nonce,
      portfolioCommitments: [PORTFOLIO],
      blockNumber: Number(round),
      transactionHash: hash,
    });
    /**
     * Round 8, nonce 4, in a batch (transaction "0x0b"): item 0 (other proof points) skipped for an
     * expired pledge, item 1 (`batched`) with the very same statement accepted.
     */
    const batched = proofPoints(41n);
    const batchItem = (proof: SolidityProof) => ({
      account: ACCOUNT,
      policyId: POLICY_ID,
      round: 8n,
      nonce: 4n,
      deadline: 1n << 40n,
      portfolioCommitments: [PORTFOLIO],
      proof,
      pledges: [pledgeBy(CUSTODIAN_A, 3n)],
      accountSignature: "0x1234",
    });
    /** The transactions by hash (built once the ABI is loaded). */
    const transactions = (): Record<string, SubmittedTransaction> => ({
      "0x07": proveTx(7n, 1n, proofPoints(7n)),
      "0x08": proveTx(8n, 2n, submitted),
      "0x09": { ...proveTx(8n, 3n, proofPoints(9n)), to: WALLET },
      "0x0b": {
        from: RELAYER,
        to: REGISTRY,
        value: 0n,
        data: abi.encodeFunctionData("proveBatch", [
          batchGroupsOf([batchItem(proofPoints(40n)), batchItem(batched)]),
        ]),
      },
    });
    /** The batch's receipt: item 0 skipped (PledgeExpired), item 1 proved. */
    const batchReceipt = (): TransactionReceipt => {
      const log = (name: string, values: unknown[]) => ({
        address: REGISTRY,
        ...abi.encodeEventLog(name, values),
      });
      return {
        status: 1,
        hash: "0x0b",
        logs: [
          log("ProofSkipped", [
            0n,
            ACCOUNT,
            POLICY_ID,
            abi.encodeErrorResult("PledgeExpired", [0n, 2_000n]),
          ]),
          log("MarginProved", [ACCOUNT, POLICY_ID, 8n, 4n, [PORTFOLIO]]),
        ],
      } as unknown as TransactionReceipt;
    };
    const events = [
      event(7n, 1n, "0x07"),
      event(8n, 2n, "0x08"),
      event(8n, 3n, "0x09"),
      event(8n, 4n, "0x0b"),
    ];
    const reader = (): SubmissionReader => ({
      registry: { address: REGISTRY, abi },
      transaction: async (hash) => transactions()[hash] ?? null,
      receipt: async (hash) => (hash === "0x0b" ? batchReceipt() : null),
      policy: async (id) =>
        id === POLICY_ID ? { commitment: POLICY_COMMITMENT, feed: FEED } : null,
      marketCommitment: async (feed, round) => (feed === FEED ? (MARKET[`${round}`] ?? 0n) : 0n),
    });
    /** A proof's public signals on `round` with `nonce`. */
    const signalsOf = (round: bigint, nonce: bigint) =>
      statementSignals({
        account: ACCOUNT,
        nonce,
        marketCommitment: MARKET[`${round}`],
        policyCommitment: POLICY_COMMITMENT,
        portfolioCommitments: [PORTFOLIO],
      });

    it("accepts the submitted proof: every public signal and every proof point", async () => {
      const found = await findProofOnChain(
        { signals: signalsOf(8n, 2n), proof: submitted },
        events,
        reader(),
      );
      expect(found.accepted?.event.transactionHash).to.equal("0x08");
      expect(found.candidates).to.have.length(1);
      expect(found.accepted?.signals.every((s) => s.equal)).to.equal(true);
    });

    it("refuses a proof of another round that shares the nonce and portfolio commitment", async () => {
      // Round 7 with nonce 2: the event of nonce 2 (round 8) has the same nonce and commitment.
      const found = await findProofOnChain(
        { signals: signalsOf(7n, 2n), proof: proofPoints(70n) },
        events,
        reader(),
      );
      expect(found.accepted).to.equal(undefined);
      expect(found.candidates.map((c) => c.event.transactionHash)).to.deep.equal(["0x08"]);
      expect(differingSignals(found.candidates[0].signals)).to.deep.equal(["marketCommitment"]);
      expect(found.candidates[0].mismatch).to.match(/differ from the proof's in marketCommitment/);
    });

    it("refuses another proof of the very statement that was submitted", async () => {
      const found = await findProofOnChain(
        { signals: signalsOf(8n, 2n), proof: proofPoints(80n) },
        events,
        reader(),
      );
      expect(found.accepted).to.equal(undefined);
      expect(found.candidates[0].signals.every((s) => s.equal)).to.equal(true);
      expect(found.candidates[0].sameProof).to.equal(false);
      expect(found.candidates[0].mismatch).to.match(/other proof points/);
    });

    it("does not count a submission through a wallet contract, whose proof it cannot read", async () => {
      const found = await findProofOnChain(
        { signals: signalsOf(8n, 3n), proof: proofPoints(9n) },
        events,
        reader(),
      );
      expect(found.accepted).to.equal(undefined);
      expect(found.candidates[0].mismatch).to.match(
        /not a direct prove, proveFor or proveBatch call/,
      );
    });

    it("finds a proof accepted within a batch, never the skipped item of the same statement", async () => {
      const found = await findProofOnChain(
        { signals: signalsOf(8n, 4n), proof: batched },
        events,
        reader(),
      );
      expect(found.accepted?.event.transactionHash).to.equal("0x0b");
      expect(found.accepted?.submission?.batch).to.deep.equal({ index: 1, size: 2 });
      // The skipped item's proof points were never verified: that proof is not accepted.
      const skipped = await findProofOnChain(
        { signals: signalsOf(8n, 4n), proof: proofPoints(40n) },
        events,
        reader(),
      );
      expect(skipped.accepted).to.equal(undefined);
      expect(skipped.candidates[0].submission?.batch?.index).to.equal(1);
      expect(skipped.candidates[0].mismatch).to.match(/other proof points/);
    });

    it("looks at no event of another account or nonce", async () => {
      const found = await findProofOnChain(
        { signals: signalsOf(8n, 5n), proof: submitted },
        events,
        reader(),
      );
      expect(found).to.deep.equal({ candidates: [] });
    });
  });

  describe("pledge slots", () => {
    const reader = (
      terms: Record<string, { registration: bigint; epoch: bigint }>,
      now = 1_500n,
    ): PledgeTermsReader => ({
      terms: async (custodian) => terms[custodian] ?? { registration: 0n, epoch: 0n },
      now: async () => now,
    });

    it("lays pledges over the used slots, naming custodian and venue, and leaves an unused slot alone", () => {
      const slots = slotPledges([PORTFOLIO, 0n], [pledgeBy(CUSTODIAN_A, 3n)], {
        id: VENUE,
        name: "the venue of policy desk",
      });
      expect(slots[0]).to.deep.include({
        slot: 1,
        commitment: PORTFOLIO,
        venue: VENUE,
        venueName: "the venue of policy desk",
      });
      expect(slots[0].pledge?.custodian).to.equal(CUSTODIAN_A);
      expect(slots[1]).to.deep.equal({ slot: 2, commitment: 0n });
      expect(pledgeStateWords(slots[0])).to.equal("not checked on-chain");
      expect(pledgeStateWords(slots[1])).to.equal("unused slot");
    });

    it("names venues by the deployment's policies (a venue has no name on-chain)", () => {
      const other = `0x${"0b".repeat(32)}`;
      const names = deploymentNames({
        "desk-initial-v1": { policyId: POLICY_ID, venue: VENUE },
        "desk-maintenance-v1": { policyId: `0x${"cd".repeat(32)}`, venue: VENUE },
        "venue-b": { policyId: `0x${"ef".repeat(32)}`, venue: other },
      });
      expect(names.policies.get(POLICY_ID)).to.equal("desk-initial-v1");
      expect(names.venues.get(VENUE)).to.equal(
        "the venue of policies desk-initial-v1, desk-maintenance-v1",
      );
      expect(names.venues.get(other)).to.equal("the venue of policy venue-b");
    });

    it("says whether each pledge still holds: current, revoked, removed and re-added, unregistered, expired", async () => {
      const slots = slotPledges([1n, 2n], [pledgeBy(CUSTODIAN_A, 3n), pledgeBy(CUSTODIAN_B, 4n)], {
        id: VENUE,
      });
      const read = (terms: Record<string, { registration: bigint; epoch: bigint }>, now?: bigint) =>
        withPledgesOnChain(slots, ACCOUNT, reader(terms, now));
      const current = await read({
        [CUSTODIAN_A]: { registration: 3n, epoch: 0n },
        [CUSTODIAN_B]: { registration: 4n, epoch: 0n },
      });
      expect(current.map((s) => s.onChain?.holds)).to.deep.equal([true, true]);
      expect(pledgeStateWords(current[0])).to.equal(
        "holds: registration 3 and epoch 0 are current, not expired",
      );
      const changed = await read({ [CUSTODIAN_A]: { registration: 7n, epoch: 2n } });
      expect(changed.map((s) => s.onChain?.holds)).to.deep.equal([false, false]);
      expect(pledgeStateWords(changed[0])).to.equal(
        "registration 3 ENDED (now 7: removed and re-added); REVOKED (epoch 0, now 2)",
      );
      expect(pledgeStateWords(changed[1])).to.equal("the custodian is NOT REGISTERED at the venue");
      const late = await read(
        {
          [CUSTODIAN_A]: { registration: 3n, epoch: 0n },
          [CUSTODIAN_B]: { registration: 4n, epoch: 0n },
        },
        2_001n,
      );
      expect(late.map((s) => [s.onChain?.expired, s.onChain?.holds])).to.deep.equal([
        [true, false],
        [true, false],
      ]);
      expect(pledgeStateWords(late[1])).to.equal("EXPIRED");
      // The last second of validUntil still counts, as the registry's `block.timestamp > validUntil`.
      const edge = await read({ [CUSTODIAN_A]: { registration: 3n, epoch: 0n } }, 2_000n);
      expect(edge[0].onChain?.expired).to.equal(false);
    });
  });
});
