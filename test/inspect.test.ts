/**
 * What the verify page and `audit chain` use to tell whether a proof is on-chain, without a chain:
 * the one layout of a statement as public signals (also with several portfolio commitments), the
 * submissions read back from `prove`/`proveFor` calldata (with the registry's real ABI), and the
 * matching of a proof against lookalike `MarginProved` events (another round with the same nonce
 * and commitment, the same statement with other proof points, a call through a wallet contract).
 */
import { expect } from "chai";
import { Interface } from "ethers";
import { loadArtifact } from "../prover/src/chain/artifacts";
import { proofFromCoordinates, type SolidityProof } from "../prover/src/chain/calldata";
import type { MarginProvedEvent } from "../prover/src/chain/registry";
import { findProofOnChain, type SubmissionReader } from "../prover/src/inspect/on-chain";
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
    /** The transactions by hash (built once the ABI is loaded). */
    const transactions = (): Record<string, SubmittedTransaction> => ({
      "0x07": proveTx(7n, 1n, proofPoints(7n)),
      "0x08": proveTx(8n, 2n, submitted),
      "0x09": { ...proveTx(8n, 3n, proofPoints(9n)), to: WALLET },
    });
    const events = [event(7n, 1n, "0x07"), event(8n, 2n, "0x08"), event(8n, 3n, "0x09")];
    const reader = (): SubmissionReader => ({
      registry: { address: REGISTRY, abi },
      transaction: async (hash) => transactions()[hash] ?? null,
      logs: async () => [],
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
      expect(found.candidates[0].mismatch).to.match(/not a direct prove, proveFor or proveBatch call/);
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
});
