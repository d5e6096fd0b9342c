/**
 * The proving service on a real Redis (redis-server) with `zkmargin worker` processes submitting
 * to a real chain (`hardhat node`), small instance: a batch of 10 across two workers, duplicate
 * enqueues, a graceful SIGTERM, a worker killed mid-proof, Redis restarted mid-batch, a short
 * portfolio, malformed jobs, and the contract's refusals (one that clears is retried, one that
 * cannot is dead-lettered). Every submission is checked on-chain: one per account and round.
 *
 * The holders' portfolios are openings of an earlier in-process run, pledged by the custodian to
 * the venue (the salt is reused, so one pledge serves every round), as a prime broker would run it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Job, type Queue } from "bullmq";
import type { Contract } from "ethers";
import type { Redis } from "ioredis";
import { revokePledges } from "../prover/src/chain";
import type { DemoRoles, DemoVenue } from "../prover/src/demo/deployment";
import { loadPolicy } from "../prover/src/inputs";
import { readJsonFile } from "../prover/src/io/json";
import {
  JobResults,
  enqueueJobs,
  jobId,
  jobOptions,
  planBatch,
  proofQueue,
  redisConnection,
  waitForJobs,
  type JobOutcome,
  type ProofJob,
} from "../prover/src/queue";
import { SMALL_EXAMPLES, removeTempDirs, tempDir } from "./helpers/cli";
import { runCliAsync, WorkerProcess, writePortfolios } from "./helpers/queue";
import { startRedisServer, type RedisServer } from "./helpers/redis-server";
import {
  pledgeEarlierOpenings,
  startRedisVenue,
  type PledgedOpenings,
  type RedisVenue,
} from "./helpers/redis-venue";
import { sharedKeysHook } from "./helpers/shared-keys";

const POLICY = path.join(SMALL_EXAMPLES, "policy.json");
const policy = loadPolicy(POLICY);
/** Job locks in the tests: short, so a dead worker's job is handed on within seconds. */
const LOCK_MS = "8000";
/** The venue's policy: rounds up to a week old (a superseded round counts for an hour). */
const MAX_ROUND_AGE = 7n * 24n * 3600n;

describe("proving service on Redis (redis-server, hardhat node, worker processes)", function () {
  let world: RedisVenue;
  let redis: RedisServer;
  let rpcUrl: string;
  let roles: DemoRoles;
  let venue: DemoVenue;
  let registry: Contract;
  let connection: Redis;
  let queue: Queue;
  let accounts: string[];
  let shortAccount: string;
  /** The pledged openings, one per account (NAME.json + NAME.pledge.json). */
  let pledged: PledgedOpenings;
  const workers: WorkerProcess[] = [];

  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = await WorkerProcess.start([
      "--redis",
      redis.url,
      "--rpc",
      rpcUrl,
      "--preload",
      "small",
      "--lock-duration",
      LOCK_MS,
    ]);
    workers.push(worker);
    return worker;
  };

  /** The timestamp of the chain's latest block. */
  const chainTime = () => world.chainTime();

  /** Posts round `round` to the venue's feed as the publisher; returns its market file. */
  const postMarket = (round: number) => world.publish(round);

  /** The custodian's pledge of an account's opening, issued at `issuedAt` (valid 30 days). */
  const attest = (account: string, issuedAt: bigint) => pledged.attest(account, issuedAt);

  /** The account of a portfolio or opening file. */
  const accountIn = (file: string): string => (readJsonFile(file) as { account: string }).account;

  /** A batch folder with the pledged openings of `who`. */
  const batchFolder = (who: readonly string[]): string => pledged.folderOf(who);

  /** `zkmargin batch` arguments for a round submitted through Redis, with a JSON summary. */
  const batchArgs = (market: string, portfolios: string, results: string): string[] => [
    ...["batch", "--policy", POLICY, "--market", market, "--portfolios", portfolios],
    ...["--results", results, "--redis", redis.url, "--rpc", rpcUrl],
    ...["--registry", String(registry.target), "--json"],
  ];

  /** The batch's jobs, as `zkmargin batch` would make them. */
  const jobsOf = (market: string, portfolios: string, results: string): ProofJob[] =>
    planBatch({
      policy: POLICY,
      market,
      portfolios,
      results,
      submit: { registry: String(registry.target), chainId: 31337n },
    }).jobs;

  /** MarginProved events of `round`, by account. */
  const proofsOnChain = (round: number) => world.proofsOnChain(round);

  before(sharedKeysHook("small"));
  before(async function () {
    world = await startRedisVenue(MAX_ROUND_AGE);
    ({ redis, rpcUrl, roles, venue, registry } = world);
    // Holders are accounts 1 to 11; every role has an account of its own.
    const signers = world.chain.signers;
    accounts = await Promise.all(signers.slice(1, 11).map((s) => s.getAddress()));
    shortAccount = await signers[11].getAddress();
    // Last round's openings, made in-process, each pledged by the custodian.
    pledged = await pledgeEarlierOpenings(world, accounts);
    expect(pledged.proved).to.equal(10);
    connection = redisConnection(redis.url);
    queue = proofQueue(connection);
  });

  after(async function () {
    await Promise.all(workers.map((w) => w.stop("SIGKILL")));
    await queue?.close();
    await connection?.quit().catch(() => undefined);
    await world?.stop();
    removeTempDirs();
  });

  let round2: { market: string; portfolios: string; results: string; outcomes: JobOutcome[] };

  it("proves and submits a batch of 10 across two worker processes, one submission per account", async function () {
    const [w1, w2] = await Promise.all([startWorker(), startWorker()]);
    const market = await postMarket(2);
    const portfolios = batchFolder(accounts);
    const results = tempDir();
    const run = await runCliAsync(batchArgs(market, portfolios, results));
    expect(run.status, run.stderr).to.equal(0);
    const { tally, outcomes } = JSON.parse(run.stdout) as {
      tally: Record<string, number>;
      outcomes: JobOutcome[];
    };
    expect(tally).to.include({ jobs: 10, proved: 10, submitted: 10, short: 0, failed: 0 });
    expect(new Set(outcomes.map((o) => o.worker))).to.deep.equal(new Set([w1.name, w2.name]));
    const onChain = await proofsOnChain(2);
    expect([...onChain.keys()].sort()).to.deep.equal([...accounts].sort());
    expect([...onChain.values()].every((n) => n === 1)).to.equal(true);
    for (const outcome of outcomes) {
      const submission = new JobResults({
        results,
        policyId: policy.id,
        round: "2",
        account: outcome.account,
      }).submission();
      expect(submission?.transactionHash).to.equal(outcome.transactionHash);
    }
    expect(run.stdout).to.not.include(redis.password);
    for (const w of workers) expect(w.output).to.not.include(redis.password);
    round2 = { market, portfolios, results, outcomes };
  });

  it("treats a duplicate enqueue as a no-op: same jobs, nothing proved or submitted again", async function () {
    const jobs = jobsOf(round2.market, round2.portfolios, round2.results);
    const again = await enqueueJobs(queue, [...jobs, ...jobs]);
    expect(again).to.include({ added: 0, existing: 10 });
    const first = jobs[0];
    // Below the pre-check, Redis itself keeps one job per id.
    await queue.add("prove", first, jobOptions(jobId(first)));
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
    expect(counts).to.include({ waiting: 0, active: 0, delayed: 0, completed: 10, failed: 0 });
    const outcomes = await waitForJobs(queue, jobs, () => undefined);
    expect(outcomes.map((o) => o.transactionHash).sort()).to.deep.equal(
      round2.outcomes.map((o) => o.transactionHash).sort(),
    );
    expect([...(await proofsOnChain(2)).values()].every((n) => n === 1)).to.equal(true);
    const proving = workers.map(
      (w) => w.output.match(/~2~0x[0-9a-fA-F]{40}: proving/g)?.length ?? 0,
    );
    expect(proving.reduce((a, b) => a + b, 0)).to.equal(10); // one proof per job, none for the duplicates
  });

  it("on SIGTERM, a worker finishes the job in hand, then exits", async function () {
    const market = await postMarket(3);
    const jobs = jobsOf(market, batchFolder([accounts[0]]), tempDir());
    await enqueueJobs(queue, jobs);
    const id = jobId(jobs[0]);
    const proving = workers.filter((w) => w.child.exitCode === null);
    const holder = await Promise.race(
      proving.map((w) => w.waitFor(new RegExp(`${literal(id)}: proving`)).then(() => w)),
    );
    holder.child.kill("SIGTERM");
    const exit = await holder.exited;
    expect(exit.code).to.equal(0);
    expect(holder.output).to.match(new RegExp(`${literal(id)}: submitted[\\s\\S]*stopped`));
    const [outcome] = await waitForJobs(queue, jobs, () => undefined);
    expect([outcome.status, outcome.worker]).to.deep.equal(["submitted", holder.name]);
    expect((await proofsOnChain(3)).get(accounts[0])).to.equal(1);
  });

  it("hands the job of a worker killed mid-proof to another: one proof, one submission", async function () {
    for (const w of workers) if (w.child.exitCode === null) await w.stop("SIGTERM");
    const victim = await startWorker();
    const market = await postMarket(4);
    const results = tempDir();
    const jobs = jobsOf(market, batchFolder([accounts[1]]), results);
    await enqueueJobs(queue, jobs);
    const id = jobId(jobs[0]);
    await victim.waitFor(new RegExp(`${literal(id)}: proving`));
    victim.child.kill("SIGSTOP"); // freeze it at once, then check it had not committed a proof
    const store = new JobResults(jobs[0]);
    expect(fs.existsSync(store.proofDir), "killed after the proof was committed").to.equal(false);
    await victim.stop("SIGKILL");
    const rescuer = await startWorker();
    const [outcome] = await waitForJobs(queue, jobs, () => undefined);
    expect([outcome.status, outcome.worker, outcome.reused]).to.deep.equal([
      "submitted",
      rescuer.name,
      false,
    ]);
    expect((await proofsOnChain(4)).get(accounts[1])).to.equal(1);
    expect(fs.readdirSync(store.dir).sort()).to.deep.equal([
      "outcome.json",
      "proof",
      "submission.json",
    ]);
    const job = await Job.fromId(queue, id);
    // Started twice (the second time after the stall), finished once, never failed.
    expect([job?.attemptsStarted, job?.attemptsMade, job?.stalledCounter]).to.deep.equal([2, 1, 1]);
  });

  it("survives a Redis restart mid-batch: every job ends, each submitted once", async function () {
    const [w1] = workers.filter((w) => w.child.exitCode === null);
    const w2 = await startWorker();
    const market = await postMarket(5);
    const who = accounts.slice(2, 8);
    const portfolios = batchFolder(who);
    const batch = runCliAsync(batchArgs(market, portfolios, tempDir()));
    await Promise.race([w1, w2].map((w) => w.waitFor(/~5~0x[0-9a-fA-F]{40}: submitted/)));
    await redis.restart();
    const run = await batch;
    expect(run.status, run.stderr).to.equal(0);
    const { tally } = JSON.parse(run.stdout) as { tally: Record<string, number> };
    expect(tally).to.include({ jobs: 6, submitted: 6, failed: 0 });
    const onChain = await proofsOnChain(5);
    expect([...onChain.keys()].sort()).to.deep.equal([...who].sort());
    expect([...onChain.values()].every((n) => n === 1)).to.equal(true);
  });

  it("reports a short portfolio once, without retrying it or submitting anything", async function () {
    const market = await postMarket(6);
    const portfolios = tempDir();
    writePortfolios(portfolios, "small", [shortAccount], [shortAccount]);
    const jobs = jobsOf(market, portfolios, tempDir());
    await enqueueJobs(queue, jobs);
    const [outcome] = await waitForJobs(queue, jobs, () => undefined);
    expect(outcome.status).to.equal("short");
    const job = await Job.fromId(queue, jobId(jobs[0]));
    // One attempt, finished: no retry of a shortfall.
    expect([await job?.getState(), job?.attemptsStarted, job?.attemptsMade]).to.deep.equal([
      "completed",
      1,
      1,
    ]);
    expect(fs.statSync(path.join(outcome.resultDir, "report.json")).mode & 0o777).to.equal(0o600);
    expect((await proofsOnChain(6)).size).to.equal(0);
  });

  it("dead-letters a malformed job at once, with its reason, and a job whose file is missing", async function () {
    const [good] = jobsOf(await postMarket(7), batchFolder([accounts[9]]), tempDir());
    const malformed = { ...good, account: good.account.toLowerCase() };
    const badId = `malformed~7~${good.account}`;
    await queue.add("prove", malformed, jobOptions(badId));
    const gone = path.join(tempDir(), "gone.json");
    const missing: ProofJob = { ...good, holdings: [{ file: gone }] };
    await enqueueJobs(queue, [missing]);
    const [lost] = await waitForJobs(queue, [missing], () => undefined);
    expect(lost.status).to.equal("failed");
    expect(lost.reason).to.equal(`${gone}: $: file not found`);
    expect(new JobResults(missing).outcome()?.reason).to.equal(lost.reason);
    while ((await queue.getJobState(badId)) !== "failed") {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const dead = await Job.fromId(queue, badId);
    expect(dead?.failedReason).to.equal(
      `job ${badId}: account: must be an address with a valid EIP-55 checksum`,
    );
    expect(dead?.attemptsMade).to.equal(1); // 5 attempts allowed, 1 made
    const lostJob = await Job.fromId(queue, jobId(missing));
    expect(lostJob?.attemptsMade).to.equal(1);
    expect(await queue.getJobCounts("failed")).to.deep.equal({ failed: 2 });

    // Once the file is there, --retry-failed puts the dead job back, and it is proved and submitted.
    fs.copyFileSync((good.holdings[0] as { file: string }).file, gone);
    expect(await enqueueJobs(queue, [missing], { retryFailed: true })).to.include({
      added: 0,
      retried: 1,
    });
    const [retried] = await waitForJobs(queue, [missing], () => undefined);
    expect(retried.status).to.equal("submitted");
    expect((await proofsOnChain(7)).get(good.account)).to.equal(1);
  });

  it("dead-letters a refusal that cannot clear (a revoked pledge), and submits a pledge dated ahead of the chain's clock", async function () {
    const market = await postMarket(8);
    const [early, revoked] = [accounts[2], accounts[3]];
    const now = await chainTime();
    const portfolios = batchFolder([early, revoked]);
    // early's pledge is replaced by one issued an hour from the chain's now: issuedAt is the
    // custodian's word, so it counts at once.
    const [earlyName] = fs
      .readdirSync(portfolios)
      .filter((n) => !n.includes(".pledge") && accountIn(path.join(portfolios, n)) === early);
    fs.writeFileSync(
      path.join(portfolios, earlyName.replace(/\.json$/, ".pledge.json")),
      JSON.stringify(await attest(early, now + 3600n)),
    );
    // The custodian revokes what it pledged for `revoked` so far.
    await revokePledges(venue.registryAs(roles.custodian), revoked);
    const jobs = jobsOf(market, portfolios, tempDir());
    const [earlyJob, revokedJob] = [early, revoked].map((a) => jobs.find((j) => j.account === a)!);
    await enqueueJobs(queue, jobs);
    const outcomes = await waitForJobs(queue, [earlyJob, revokedJob], () => undefined);
    const [submitted, failed] = [early, revoked].map((a) => outcomes.find((o) => o.account === a));
    expect([submitted?.status, failed?.status]).to.deep.equal(["submitted", "failed"]);
    expect(failed?.reason).to.match(
      /^MarginRegistry refused the proof: PledgeRevoked\(0, 0, 1\): the custodian revoked /,
    );
    const dead = await Job.fromId(queue, jobId(revokedJob));
    expect([dead?.attemptsMade, dead?.failedReason]).to.deep.equal([1, failed?.reason]);
    expect([...(await proofsOnChain(8)).entries()]).to.deep.equal([[early, 1]]);
  });

  describe("a worker whose Redis goes away (a Redis of its own)", function () {
    let lone: RedisServer;

    beforeEach(async function () {
      lone = await startRedisServer();
    });

    afterEach(async function () {
      await lone.stop();
    });

    it("says so in one line, without a stack trace, and a SIGTERM stops it within seconds", async function () {
      const worker = await WorkerProcess.start(["--redis", lone.url, "--stop-timeout", "8000"]);
      workers.push(worker);
      await lone.down();
      await within(worker.waitFor(/is unreachable \(/), 30_000, "the outage line", worker);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // reconnections keep failing
      const signalled = Date.now();
      worker.child.kill("SIGTERM");
      const exit = await within(worker.exited, 20_000, "the exit after SIGTERM", worker);
      expect(Date.now() - signalled, worker.output).to.be.below(10_000);
      expect(exit.code, worker.output).to.equal(0);
      expect(worker.output).to.match(
        /received SIGTERM[\s\S]*Redis is unreachable; stopping without it \(no job in hand\)[\s\S]*stopped/,
      );
      expect(worker.output.match(/is unreachable \(/g), worker.output).to.have.length(1);
      expect(worker.output).to.not.match(/\[ioredis\]|\n\s+at /);
      expect(worker.output).to.not.include(lone.password);
    });

    it("with a job in hand, finishes it, says it could not record it, exits 1; the job is not lost", async function () {
      const worker = await WorkerProcess.start([
        ...["--redis", lone.url, "--preload", "small"],
        ...["--stop-timeout", "15000", "--lock-duration", LOCK_MS],
      ]);
      workers.push(worker);
      const connection = redisConnection(lone.url);
      const queue = proofQueue(connection);
      try {
        const { jobs } = planBatch({
          policy: POLICY,
          market: path.join(SMALL_EXAMPLES, "market.json"),
          portfolios: batchFolder([accounts[4]]),
          results: tempDir(),
        });
        await enqueueJobs(queue, jobs);
        const id = jobId(jobs[0]);
        await within(
          worker.waitFor(new RegExp(`${literal(id)}: proving`)),
          120_000,
          "the proof",
          worker,
        );
        // Frozen mid-proof: Redis goes, then the SIGTERM comes while the job is in hand.
        worker.child.kill("SIGSTOP");
        await lone.down();
        worker.child.kill("SIGTERM");
        worker.child.kill("SIGCONT");
        const exit = await within(worker.exited, 45_000, "the exit after SIGTERM", worker);
        expect(exit.code, worker.output).to.equal(1);
        // The proof ends within the stop timeout (its outcome cannot reach Redis), or, on a busy
        // machine, does not: either way the worker says what it gave up, and stops.
        const said = new RegExp(
          `finishing the job in hand \\(${literal(id)}\\), then stopping \\(at most 15 s\\)[\\s\\S]*` +
            `(finished ${literal(id)} but could not record it \\(Redis is unreachable\\)|` +
            `gave up ${literal(id)}: still running after 15 s)[\\s\\S]*stopped\\n$`,
        );
        expect(worker.output, worker.output).to.match(said);
        const finished = worker.output.includes(`finished ${id} but could not record it`);
        expect(worker.output).to.not.match(/\[ioredis\]|\n\s+at /);
        // Redis back, another worker takes the job up once its lock expires and adopts the outcome.
        await lone.up();
        const rescuer = await WorkerProcess.start([
          "--redis",
          lone.url,
          "--lock-duration",
          LOCK_MS,
        ]);
        workers.push(rescuer);
        const [outcome] = await within(
          waitForJobs(queue, jobs, () => undefined),
          120_000,
          "the job's outcome",
          rescuer,
        );
        // A proof that was finished is adopted from its stored outcome, not made again.
        expect([outcome.status, outcome.reused]).to.deep.equal(["proved", finished]);
        await rescuer.stop("SIGTERM");
      } finally {
        await queue.close();
        connection.disconnect();
      }
    });
  });
});

/** `promise`, or a clear failure after `ms` naming `what` (with the worker's log). */
async function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  worker: WorkerProcess,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms; worker log:\n${worker.output}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `text` as a literal inside a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
