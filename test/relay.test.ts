/**
 * The relayer without a chain: the batcher's size and age triggers on a fake clock, and the
 * relayer's pipeline on a fake chain with real proofs of the small instance (local verification
 * refuses a tampered proof or one for another account, skipped items map to permanent or retried
 * failures, a used nonce whose MarginProved event is found is adopted, never sent again).
 */
import * as path from "node:path";
import { expect } from "chai";
import { getAddress, keccak256, toUtf8Bytes } from "ethers";
import {
  batchGroupsOf,
  type ProveRequestMessage,
  type RelayedSubmission,
} from "../prover/src/chain";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { decodePublicSignals, generateProof } from "../prover/src/proving";
import { PermanentJobError, type ProofJob, type StoredProof } from "../prover/src/queue";
import { Batcher, type Settled } from "../prover/src/relay/batcher";
import type {
  PolicyOnChain,
  RecordedProof,
  RelayChain,
  SentBatch,
  SentItemOutcome,
} from "../prover/src/relay/chain";
import type { Clock, Timer } from "../prover/src/relay/clock";
import { manifestKeys } from "../prover/src/relay/local-check";
import { Relayer } from "../prover/src/relay/relayer";
import { SMALL_EXAMPLES } from "./helpers/cli";
import { sharedKeysHook } from "./helpers/shared-keys";

const REGISTRY = getAddress("0x" + "42".repeat(20));

/** A clock that moves only when told to, firing its timers in order. */
class FakeClock implements Clock {
  private time = 0;
  private next = 0;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): Timer {
    this.next += 1;
    this.timers.set(this.next, { at: this.time + ms, callback });
    return this.next;
  }

  clearTimer(timer: Timer): void {
    this.timers.delete(timer as number);
  }

  /** Moves the clock on by `ms`, firing each timer that falls due. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** Lets promise callbacks run (the batcher's and relayer's steps are asynchronous). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Whether `promise` has settled yet (without waiting for it). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  return done;
}

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("relayer: batches by size and age (fake clock)", function () {
  const echo = (calls: number[][]) => async (items: number[]) => {
    calls.push(items);
    return items.map((n): Settled<number> => ({ ok: true, value: n * 10 }));
  };

  it("sends a batch as soon as it is full, without waiting", async function () {
    const clock = new FakeClock();
    const calls: number[][] = [];
    const batcher = new Batcher(echo(calls), { maxSize: 3, maxWaitMs: 3000, clock });
    const results = Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    const fourth = batcher.add(4);
    expect(await results).to.deep.equal([10, 20, 30]);
    expect(calls).to.deep.equal([[1, 2, 3]]);
    expect(await isSettled(fourth)).to.equal(false); // waits for its own batch
    clock.advance(3000);
    expect(await fourth).to.equal(40);
    expect(calls).to.deep.equal([[1, 2, 3], [4]]);
  });

  it("sends a partial batch once its oldest item has waited the maximum, not before", async function () {
    const clock = new FakeClock();
    const calls: number[][] = [];
    const batcher = new Batcher(echo(calls), { maxSize: 32, maxWaitMs: 3000, clock });
    const first = batcher.add(1);
    clock.advance(2000);
    const second = batcher.add(2);
    clock.advance(999);
    expect(await isSettled(first)).to.equal(false);
    expect(calls).to.deep.equal([]);
    clock.advance(1);
    expect(await Promise.all([first, second])).to.deep.equal([10, 20]);
    expect(calls).to.deep.equal([[1, 2]]);
    expect(clock.pending).to.equal(0);
  });

  it("keeps one batch in flight: items that come meanwhile go in the next, each settles with its own result", async function () {
    const clock = new FakeClock();
    const calls: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher(
      async (items: number[]) => {
        calls.push(items);
        if (calls.length === 1) await gate;
        return items.map(
          (n): Settled<number> =>
            n % 2 === 0 ? { ok: false, error: new Error(`even ${n}`) } : { ok: true, value: n },
        );
      },
      { maxSize: 2, maxWaitMs: 3000, clock },
    );
    const a = [batcher.add(1), batcher.add(2)];
    const b = [batcher.add(3), batcher.add(4)];
    await settle();
    expect(calls).to.deep.equal([[1, 2]]);
    release();
    expect(await a[0]).to.equal(1);
    expect((await rejection(a[1])).message).to.equal("even 2");
    expect(await b[0]).to.equal(3);
    expect((await rejection(b[1])).message).to.equal("even 4");
    expect(calls).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
  });

  it("fails every item of a batch whose processing throws; flush sends what waits at once", async function () {
    const clock = new FakeClock();
    const batcher = new Batcher<number, number>(() => Promise.reject(new Error("node down")), {
      maxSize: 10,
      maxWaitMs: 3000,
      clock,
    });
    const items = [batcher.add(1), batcher.add(2)];
    batcher.flush();
    for (const item of items) expect((await rejection(item)).message).to.equal("node down");
    expect(() => new Batcher(echo([]), { maxSize: 0, maxWaitMs: 1 })).to.throw(RangeError);
  });
});

/** A chain in memory: one policy and round; records what is sent, skips what it is told to. */
class FakeChain implements RelayChain {
  readonly chainId = 31337n;
  readonly sent: RelayedSubmission[][] = [];
  readonly signed: ProveRequestMessage[] = [];
  /** How many times a request deadline was read. */
  deadlineReads = 0;
  readonly lastNonces = new Map<string, bigint>();
  readonly events = new Map<string, RecordedProof>();
  /** Accounts the next batch skips, with the registry's refusal. */
  readonly skips = new Map<string, { name: string; reason: string }>();
  /** Accounts whose keys are not held. */
  readonly keyless = new Set<string>();
  /** Record the batch, then fail as a node that dies before the receipt would. */
  failAfterSending = false;

  constructor(
    private readonly onChainPolicy: PolicyOnChain,
    private readonly market: bigint,
  ) {}

  policy(): Promise<PolicyOnChain | undefined> {
    return Promise.resolve(this.onChainPolicy);
  }

  marketCommitment(): Promise<bigint> {
    return Promise.resolve(this.market);
  }

  lastNonce(_registry: string, account: string): Promise<bigint> {
    return Promise.resolve(this.lastNonces.get(account) ?? 0n);
  }

  recorded(
    _registry: string,
    account: string,
    _policyId: string,
    round: bigint,
    nonce: bigint,
  ): Promise<RecordedProof | undefined> {
    return Promise.resolve(this.events.get(`${account}|${round}|${nonce}`));
  }

  deadline(ttl: bigint): Promise<bigint> {
    this.deadlineReads += 1;
    return Promise.resolve(1_000_000n + ttl);
  }

  signRequest(_registry: string, message: ProveRequestMessage): Promise<string> {
    if (this.keyless.has(message.account)) {
      return Promise.reject(new Error(`account ${message.account}: no key to sign with`));
    }
    this.signed.push(message);
    return Promise.resolve(`0x${"11".repeat(65)}`);
  }

  sendBatch(_registry: string, items: RelayedSubmission[]): Promise<SentBatch> {
    this.sent.push(items);
    const transactionHash = keccak256(toUtf8Bytes(`batch ${this.sent.length}`));
    const outcomes = items.map((item): SentItemOutcome => {
      const skip = this.skips.get(item.account);
      if (skip !== undefined)
        return { accepted: false, refusal: { name: skip.name }, reason: skip.reason };
      this.lastNonces.set(item.account, item.nonce);
      this.events.set(`${item.account}|${item.round}|${item.nonce}`, {
        transactionHash,
        blockNumber: this.sent.length,
      });
      return { accepted: true };
    });
    if (this.failAfterSending) return Promise.reject(new Error("socket hang up"));
    return Promise.resolve({ transactionHash, blockNumber: this.sent.length, outcomes });
  }
}

describe("relayer: checks, adopts, signs and maps outcomes (fake chain, real proofs)", function () {
  this.timeout(300_000);
  const policyFile = path.join(SMALL_EXAMPLES, "policy.json");
  const policy = loadPolicy(policyFile);
  const market = loadMarket(path.join(SMALL_EXAMPLES, "market.json"));
  const accounts = Array.from({ length: 4 }, (_, i) =>
    getAddress(keccak256(toUtf8Bytes(`relay account ${i}`)).slice(0, 42)),
  );
  const NONCE = 9n;
  let proofs: StoredProof[];
  let onChainPolicy: PolicyOnChain;
  let marketCommitment: bigint;

  const jobOf = (account: string): ProofJob => ({
    version: 3,
    account,
    policyId: policy.id,
    round: market.round.toString(),
    nonce: NONCE.toString(),
    policy: policyFile,
    market: path.join(SMALL_EXAMPLES, "market.json"),
    holdings: [{ file: "unused.json" }],
    submit: { registry: REGISTRY, chainId: "31337" },
    results: "unused",
  });

  before(sharedKeysHook("small"));
  before(async function () {
    const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
    proofs = [];
    for (const account of accounts) {
      const made = await generateProof({
        policy,
        market,
        portfolio: { ...portfolio, account },
        nonce: NONCE,
        instance: "small",
      });
      proofs.push({
        proof: made.proof,
        publicSignals: made.publicSignals,
        instance: made.instance,
        provingMs: 0,
      });
    }
    const signals = decodePublicSignals(proofs[0].publicSignals);
    marketCommitment = signals.marketCommitment;
    onChainPolicy = {
      policyCommitment: signals.policyCommitment,
      verificationKeyHash: (await manifestKeys()("small")).vkeyHash,
      venue: keccak256(toUtf8Bytes("venue")),
    };
  });

  const setUp = (batchSize = 32) => {
    const clock = new FakeClock();
    const chain = new FakeChain(onChainPolicy, marketCommitment);
    const relayer = new Relayer(chain, { batchSize, maxWaitMs: 3000, clock });
    return { clock, chain, relayer };
  };

  it("sends one proveBatch once the batch is full, each account's request signed, each job given the transaction", async function () {
    const { chain, relayer } = setUp(3);
    const records = await Promise.all(
      accounts.slice(0, 3).map((a, i) => relayer.submit(jobOf(a), proofs[i])),
    );
    expect(chain.sent.map((b) => b.map((item) => item.account))).to.deep.equal([
      accounts.slice(0, 3),
    ]);
    expect(chain.signed.map((m) => [m.account, m.nonce, m.round, m.deadline])).to.deep.equal(
      accounts.slice(0, 3).map((a) => [a, NONCE, market.round, 1_000_000n + 3600n]),
    );
    // One deadline read for the batch: its items of one policy and round are one group.
    expect(chain.deadlineReads).to.equal(1);
    expect(batchGroupsOf(chain.sent[0]).map((g) => g.items.length)).to.deep.equal([3]);
    expect(new Set(records.map((r) => r.transactionHash)).size).to.equal(1);
    expect(records.every((r) => r.found === false && r.registry === REGISTRY)).to.equal(true);
    expect(relayer.stats).to.deep.include({ batches: [3], accepted: 3, skipped: 0, adopted: 0 });
  });

  it("sends a partial batch after the wait, not before", async function () {
    const { clock, chain, relayer } = setUp();
    const pending = accounts.slice(0, 2).map((a, i) => relayer.submit(jobOf(a), proofs[i]));
    clock.advance(2999);
    await settle();
    expect(chain.sent).to.have.length(0);
    clock.advance(1);
    const records = await Promise.all(pending);
    expect(chain.sent.map((b) => b.length)).to.deep.equal([2]);
    expect(records[0].transactionHash).to.equal(records[1].transactionHash);
  });

  it("never sends a proof that fails the local check: its job fails for good with the reason", async function () {
    const { chain, relayer } = setUp();
    const tampered: StoredProof = {
      ...proofs[1],
      proof: { ...proofs[1].proof, pi_a: [proofs[2].proof.pi_a[0], proofs[2].proof.pi_a[1], "1"] },
    };
    const wrongAccount = jobOf(accounts[3]); // proofs[0] is accounts[0]'s
    const results = [
      relayer.submit(jobOf(accounts[0]), proofs[0]),
      relayer.submit(jobOf(accounts[1]), tampered),
      relayer.submit(wrongAccount, proofs[0]),
    ];
    relayer.flush();
    expect((await results[0]).found).to.equal(false);
    const bad = await rejection(results[1]);
    expect(bad).to.be.instanceOf(PermanentJobError);
    expect(bad.message).to.equal(
      `not submitted: the stored proof does not verify with instance "small"'s verification key`,
    );
    const other = await rejection(results[2]);
    expect(other).to.be.instanceOf(PermanentJobError);
    expect(other.message).to.match(/^not submitted: the stored proof is for account 0x/);
    expect(chain.sent.map((b) => b.map((i) => i.account))).to.deep.equal([[accounts[0]]]);
    expect(relayer.stats.refused).to.equal(2);
  });

  it("refuses a proof for another market or a verifier of another key, without sending it", async function () {
    const otherMarket = new FakeChain(onChainPolicy, marketCommitment + 1n);
    const otherKey = new FakeChain(
      { ...onChainPolicy, verificationKeyHash: `0x${"00".repeat(32)}` },
      marketCommitment,
    );
    for (const [chain, reason] of [
      [otherMarket, /market commitment is not the posted round's/],
      [
        otherKey,
        /instance "small" has key hash 0x[0-9a-f]{64} but the policy's verifier has 0x0+$/,
      ],
    ] as const) {
      const relayer = new Relayer(chain, { clock: new FakeClock() });
      const result = relayer.submit(jobOf(accounts[0]), proofs[0]);
      relayer.flush();
      expect((await rejection(result)).message).to.match(reason);
      expect(chain.sent).to.have.length(0);
    }
  });

  it("maps skipped items back to their jobs: a permanent refusal fails, one that may clear is retried", async function () {
    const { chain, relayer } = setUp();
    chain.skips.set(accounts[1], {
      name: "PledgeRevoked",
      reason: "PledgeRevoked(0, 0, 1): the custodian revoked its pledge",
    });
    chain.skips.set(accounts[2], { name: "UnknownRound", reason: "UnknownRound(7): not posted" });
    const results = accounts.slice(0, 3).map((a, i) => relayer.submit(jobOf(a), proofs[i]));
    relayer.flush();
    expect((await results[0]).found).to.equal(false);
    const revoked = await rejection(results[1]);
    expect(revoked).to.be.instanceOf(PermanentJobError);
    expect(revoked.message).to.equal(
      "MarginRegistry skipped the proof: PledgeRevoked(0, 0, 1): the custodian revoked its pledge",
    );
    const early = await rejection(results[2]);
    expect(early).to.not.be.instanceOf(PermanentJobError);
    expect(early.message).to.equal(
      "MarginRegistry skipped the proof: UnknownRound(7): not posted; retried",
    );
    expect(relayer.stats).to.deep.include({ accepted: 1, skipped: 2 });
    // An account whose key is not held here: retried (another worker may hold it), not sent.
    chain.keyless.add(accounts[3]);
    const keyless = relayer.submit(jobOf(accounts[3]), proofs[3]);
    relayer.flush();
    const noKey = await rejection(keyless);
    expect(noKey).to.not.be.instanceOf(PermanentJobError);
    expect(noKey.message).to.match(/no key to sign with/);
    expect(chain.sent).to.have.length(1);
  });

  it("adopts a proof already recorded (a relayer killed after sending), never sending it again", async function () {
    const { chain, relayer } = setUp();
    chain.failAfterSending = true; // the batch lands, but its sender dies before the receipt
    const first = accounts.slice(0, 2).map((a, i) => relayer.submit(jobOf(a), proofs[i]));
    relayer.flush();
    for (const r of first) expect((await rejection(r)).message).to.equal("socket hang up");
    chain.failAfterSending = false;
    const landed = chain.events.get(`${accounts[0]}|${market.round}|${NONCE}`);

    // The retry: both adopted from their MarginProved events; a third account is sent alone.
    const retry = accounts.slice(0, 3).map((a, i) => relayer.submit(jobOf(a), proofs[i]));
    relayer.flush();
    const [a, b, c] = await Promise.all(retry);
    expect([a.found, a.transactionHash, a.blockNumber]).to.deep.equal([
      true,
      landed?.transactionHash,
      landed?.blockNumber,
    ]);
    expect(b.found).to.equal(true);
    expect(c.found).to.equal(false);
    expect(chain.sent.map((batch) => batch.map((i) => i.account))).to.deep.equal([
      accounts.slice(0, 2),
      [accounts[2]],
    ]);
    // The batch whose receipt never came is not counted as sent: its items were adopted instead.
    expect(relayer.stats).to.deep.include({ adopted: 2, batches: [1] });
  });

  it("adopts an item skipped for its used nonce when its own proof used it; fails it when a later one did", async function () {
    const { chain, relayer } = setUp();
    // accounts[0]: recorded by an earlier transaction the chain reports only once the batch ran.
    chain.skips.set(accounts[0], {
      name: "NonceNotIncreasing",
      reason: "NonceNotIncreasing(9, 9)",
    });
    const earlier = { transactionHash: keccak256(toUtf8Bytes("earlier")), blockNumber: 1 };
    const sendBatch = chain.sendBatch.bind(chain);
    chain.sendBatch = (registry, items) => {
      chain.events.set(`${accounts[0]}|${market.round}|${NONCE}`, earlier);
      return sendBatch(registry, items);
    };
    // accounts[1]: a later nonce is on-chain already, not its proof's.
    chain.lastNonces.set(accounts[1], NONCE + 5n);
    const results = [
      relayer.submit(jobOf(accounts[0]), proofs[0]),
      relayer.submit(jobOf(accounts[1]), proofs[1]),
    ];
    relayer.flush();
    const adopted = await results[0];
    expect([adopted.found, adopted.transactionHash]).to.deep.equal([true, earlier.transactionHash]);
    const overtaken = await rejection(results[1]);
    expect(overtaken).to.be.instanceOf(PermanentJobError);
    expect(overtaken.message).to.equal(
      `nonce 9 is not above the account's last nonce on-chain (14) for policy ${policy.id}: ` +
        "a later proof was recorded first",
    );
    expect(chain.sent.map((b) => b.map((i) => i.account))).to.deep.equal([[accounts[0]]]);
  });

  it("refuses a batch size above 64", function () {
    const chain = new FakeChain(onChainPolicy, marketCommitment);
    expect(() => new Relayer(chain, { batchSize: 65 })).to.throw(RangeError, /1 to 64/);
  });
});
