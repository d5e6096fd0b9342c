/**
 * Batched submissions end to end, on a real Redis (redis-server) and chain (`hardhat node`), small
 * instance: 50 accounts proved by two `zkmargin worker` processes and submitted in `proveBatch`
 * calls by a `zkmargin worker --relay`, every status counting; then a relayer killed (SIGKILL)
 * after it sent its batch, before the receipt: another relayer takes the stalled jobs up and
 * adopts their MarginProved events, so each account is recorded exactly once; and `batch --submit`
 * in one process, batched by --batch-size.
 *
 * Heavy (about 120 proofs): run it alone with `npx mocha test/relay-redis.test.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Wallet, keccak256, toUtf8Bytes, type Contract, type JsonRpcProvider } from "ethers";
import { isMarginSufficient } from "../prover/src/chain";
import type { DemoChain } from "../prover/src/demo/chain";
import type { DemoVenue } from "../prover/src/demo/deployment";
import { runBatch, summaryLines, type JobOutcome } from "../prover/src/queue";
import { SMALL_EXAMPLES, removeTempDirs, tempDir } from "./helpers/cli";
import { runCliAsync, WorkerProcess } from "./helpers/queue";
import type { RedisServer } from "./helpers/redis-server";
import {
  pledgeEarlierOpenings,
  startRedisVenue,
  type PledgedOpenings,
  type RedisVenue,
} from "./helpers/redis-venue";
import { sharedKeysHook } from "./helpers/shared-keys";

const POLICY = path.join(SMALL_EXAMPLES, "policy.json");
const ACCOUNTS = 50;
/** Job locks: short, so a dead relayer's jobs are taken up within seconds. */
const LOCK_MS = "8000";
const MAX_ROUND_AGE = 7n * 24n * 3600n;

describe("batched submissions on Redis (redis-server, hardhat node, prover and relayer processes)", function () {
  this.timeout(20 * 60_000);
  let world: RedisVenue;
  let redis: RedisServer;
  let rpcUrl: string;
  let chain: DemoChain;
  let venue: DemoVenue;
  let registry: Contract;
  let relayerAddress: string;
  /** Pledged openings, one per account (NAME.json + NAME.pledge.json). */
  let pledged: PledgedOpenings;
  let accountKeys: string;
  let accounts: string[];
  const workers: WorkerProcess[] = [];

  const startProver = async () => {
    const worker = await WorkerProcess.start([
      ...["--redis", redis.url, "--preload", "small", "--lock-duration", LOCK_MS],
    ]);
    workers.push(worker);
    return worker;
  };

  const startRelayer = async (batchSize = 32) => {
    const worker = await WorkerProcess.start([
      ...["--redis", redis.url, "--relay", "--rpc", rpcUrl, "--relayer", relayerAddress],
      ...["--account-keys", accountKeys, "--batch-size", String(batchSize)],
      ...["--lock-duration", LOCK_MS],
    ]);
    workers.push(worker);
    return worker;
  };

  /** Posts round `round` to the venue's feed as the publisher; returns its market file. */
  const publish = (round: number) => world.publish(round);

  /** A batch folder with the pledged openings of `who`. */
  const folderOf = (who: readonly string[]) => pledged.folderOf(who);

  /** `zkmargin batch --submit` of `who` on Redis, with a JSON summary (runs in the background). */
  const batchRun = (market: string, who: readonly string[]) => {
    const portfolios = folderOf(who);
    return runCliAsync([
      ...["batch", "--policy", POLICY, "--market", market, "--portfolios", portfolios],
      ...["--results", tempDir(), "--redis", redis.url, "--rpc", rpcUrl],
      ...["--registry", String(registry.target), "--submit", "--json"],
    ]);
  };

  /** MarginProved events of `round`, by account. */
  const proofsOnChain = (round: number) => world.proofsOnChain(round);

  /** The proveBatch transactions among `hashes`, each with its sender, groups and items. */
  const transactions = async (hashes: Iterable<string>) =>
    Promise.all(
      [...new Set(hashes)].map(async (hash) => {
        const tx = await chain.provider.getTransaction(hash);
        const method = registry.interface.parseTransaction({ data: tx?.data ?? "0x" });
        const groups = (method?.args[0] ?? []) as readonly { items: readonly unknown[] }[];
        return {
          hash,
          from: tx?.from,
          method: method?.name,
          groups: groups.length,
          items: groups.reduce((n, g) => n + g.items.length, 0),
        };
      }),
    );

  before(sharedKeysHook("small"));
  before(async function () {
    world = await startRedisVenue(MAX_ROUND_AGE);
    ({ redis, rpcUrl, chain, venue, registry } = world);
    // The relayer: account 16, one of the tests' own (none of the venue's roles).
    relayerAddress = await chain.signers[16].getAddress();

    // 50 accounts the node does not hold: their keys sign their ProveRequests (--account-keys).
    const wallets = Array.from(
      { length: ACCOUNTS },
      (_, i) => new Wallet(keccak256(toUtf8Bytes(`relay-redis account ${i}`))),
    );
    accounts = wallets.map((w) => w.address);
    accountKeys = path.join(tempDir(), "account-keys.json");
    fs.writeFileSync(
      accountKeys,
      JSON.stringify(Object.fromEntries(wallets.map((w) => [w.address, w.privateKey]))),
      { mode: 0o600 },
    );

    // Last round's openings (in-process), each pledged by the custodian to the venue.
    pledged = await pledgeEarlierOpenings(world, accounts);
    expect(pledged.proved).to.equal(ACCOUNTS);
  });

  after(async function () {
    await Promise.all(workers.map((w) => w.stop("SIGKILL")));
    await world?.stop();
    removeTempDirs();
  });

  it("proves 50 accounts on two provers and submits them in proveBatch calls from one relayer: every status counts", async function () {
    const [p1, p2] = await Promise.all([startProver(), startProver()]);
    const relayer = await startRelayer();
    const market = await publish(2);
    const run = await batchRun(market, accounts);
    expect(run.status, run.stderr + relayer.output).to.equal(0);
    const { tally, outcomes } = JSON.parse(run.stdout) as {
      tally: Record<string, number>;
      outcomes: JobOutcome[];
    };
    expect(tally).to.include({ jobs: ACCOUNTS, submitted: ACCOUNTS, failed: 0, short: 0 });
    expect(new Set(outcomes.map((o) => o.worker))).to.deep.equal(new Set([relayer.name]));
    for (const w of [p1, p2]) expect(w.output).to.match(/: proved\b/);

    // Each account recorded once, and its status counts.
    const onChain = await proofsOnChain(2);
    expect([...onChain.keys()].sort()).to.deep.equal([...accounts].sort());
    expect([...onChain.values()].every((n) => n === 1)).to.equal(true);
    for (const account of accounts) {
      expect(await isMarginSufficient(registry, account, venue.policyId, MAX_ROUND_AGE)).to.equal(
        true,
      );
    }
    // In batches: proveBatch calls from the relayer, fewer than the accounts, at most 32 each.
    const txs = await transactions(outcomes.map((o) => o.transactionHash as string));
    expect(txs.every((t) => t.method === "proveBatch" && t.from === relayerAddress)).to.equal(true);
    expect(txs.length).to.be.below(ACCOUNTS);
    expect(txs.reduce((sum, t) => sum + Number(t.items), 0)).to.equal(ACCOUNTS);
    expect(Math.max(...txs.map((t) => Number(t.items)))).to.be.at.most(32);
    // One policy and round, one deadline per batch: each batch is one group.
    expect(txs.every((t) => t.groups === 1)).to.equal(true);
    expect(relayer.output).to.match(/proveBatch 0x[0-9a-f]{64}: \d+ sent, \d+ accepted/);
    await relayer.stop("SIGTERM");
  });

  it("in one process (batch --submit without Redis): proves the round, then submits it in batches of --batch-size", async function () {
    const who = accounts.slice(12, 17);
    const market = await publish(3);
    const result = await runBatch({
      policy: POLICY,
      market,
      portfolios: folderOf(who),
      results: tempDir(),
      rpc: rpcUrl,
      registry: String(registry.target),
      accountKeys,
      batched: { relayer: relayerAddress, batchSize: 2, maxWaitMs: 200 },
    });
    expect(result.tally).to.include({ jobs: who.length, submitted: who.length, failed: 0 });
    const relay = result.relay!;
    expect(relay).to.deep.include({ accepted: 5, skipped: 0, adopted: 0, refused: 0 });
    expect(relay.batches.reduce((a, b) => a + b, 0)).to.equal(who.length);
    expect(Math.max(...relay.batches)).to.equal(2);
    expect(summaryLines(result.outcomes, result.refused, result.elapsedMs, relay)).to.include(
      `relayer: ${relay.batches.length} proveBatch transactions (sizes ${relay.batches.join(", ")}): ` +
        "5 accepted, 0 skipped, 0 adopted (already recorded), 0 refused by the local check",
    );
    const txs = await transactions(result.outcomes.map((o) => o.transactionHash as string));
    expect(txs.map((t) => t.items).sort()).to.deep.equal([...relay.batches].sort());
    const onChain = await proofsOnChain(3);
    expect([...onChain.keys()].sort()).to.deep.equal([...who].sort());
    expect([...onChain.values()].every((n) => n === 1)).to.equal(true);
  });

  it("loses nothing and submits nothing twice when the relayer is killed after sending its batch", async function () {
    const who = accounts.slice(0, 12);
    const market = await publish(4);
    const run = batchRun(market, who);
    // Every proof is made and handed over before a relayer runs, so one batch holds them all.
    const provers = workers.filter((w) => w.child.exitCode === null);
    const handed = (w: WorkerProcess) =>
      w.output.match(/~4~0x[0-9a-fA-F]{40}: proved/g)?.length ?? 0;
    const deadline = Date.now() + 300_000;
    while (provers.reduce((n, w) => n + handed(w), 0) < who.length) {
      if (Date.now() > deadline) throw new Error("the 12 proofs were not made within 5 minutes");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The node stops mining: the relayer's batch is sent, and its receipt never comes.
    const send = (method: string, params: unknown[] = []) =>
      (chain.provider as JsonRpcProvider).send(method, params);
    await send("evm_setAutomine", [false]);
    let victim: WorkerProcess | undefined;
    try {
      victim = await startRelayer();
      const pendingDeadline = Date.now() + 60_000;
      let pending: string[] = [];
      while (pending.length === 0) {
        if (Date.now() > pendingDeadline) {
          throw new Error(`no batch was sent within 60 s; relayer log:\n${victim.output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        pending = (
          (await send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }
        ).transactions;
      }
      await victim.stop("SIGKILL"); // after sending, before the receipt
      expect(pending).to.have.length(1);
      await send("evm_mine");
      const [sent] = await transactions(pending);
      expect([sent.method, sent.items]).to.deep.equal(["proveBatch", who.length]);
    } finally {
      await send("evm_setAutomine", [true]);
    }

    // Another relayer takes the stalled jobs up once their locks expire and adopts the batch.
    const rescuer = await startRelayer();
    const result = await run;
    expect(result.status, result.stderr + rescuer.output).to.equal(0);
    const { tally, outcomes } = JSON.parse(result.stdout) as {
      tally: Record<string, number>;
      outcomes: JobOutcome[];
    };
    expect(tally).to.include({ jobs: who.length, submitted: who.length, failed: 0 });
    expect(outcomes.every((o) => o.worker === rescuer.name && o.reused)).to.equal(true);
    expect(new Set(outcomes.map((o) => o.transactionHash)).size).to.equal(1);
    expect(rescuer.output).to.not.match(/proveBatch 0x/); // nothing sent again
    const onChain = await proofsOnChain(4);
    expect([...onChain.keys()].sort()).to.deep.equal([...who].sort());
    expect([...onChain.values()].every((n) => n === 1)).to.equal(true);
    await rescuer.stop("SIGTERM");
  });
});
