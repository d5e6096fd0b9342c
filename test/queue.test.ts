/**
 * The proving service without Redis: job payloads and their refusals, batch planning, the result
 * store's atomic commit, the in-process runner (idempotent, short portfolios reported, permanent
 * failures not retried, transient ones retried), Redis URLs and account-key files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Wallet } from "ethers";
import { withCommitments } from "../prover/src/commitments";
import { encodeCircuitInput } from "../prover/src/encoding";
import { loadInstances } from "../prover/src/encoding/instances";
import { InputError } from "../prover/src/errors";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { toJson } from "../prover/src/io/json";
import { computeMargin } from "../prover/src/model";
import { parseOpening, parsePledgeFile, verifyProof, type PledgeFile } from "../prover/src/proving";
import { snarkjs } from "../prover/src/proving/snarkjs";
import {
  JobResults,
  WarmProver,
  checkRedisUrl,
  isRedisUnreachable,
  jobId,
  parseProofJob,
  planBatch,
  readAccountKeys,
  redactRedisUrl,
  RedisOutages,
  redisConnection,
  runInProcess,
  type JobOutcome,
  type ProofJob,
  WitnessCalculators,
} from "../prover/src/queue";
import {
  ArtifactIntegrityError,
  loadArtifacts,
  type LoadedArtifacts,
} from "../prover/src/setup/manifest";
import { ROOT, SMALL_EXAMPLES, removeTempDirs, runCli, tempDir } from "./helpers/cli";
import { syntheticAccounts, writePortfolios } from "./helpers/queue";
import { refusal } from "./helpers/refusal";
import { sharedKeysHook } from "./helpers/shared-keys";

const POLICY = path.join(SMALL_EXAMPLES, "policy.json");
const MARKET = path.join(SMALL_EXAMPLES, "market.json");

/** `zkmargin batch` over `folder` into `results`, on the small example's policy and market. */
function batchArgs(folder: string, results: string): string[] {
  return [
    "batch",
    "--policy",
    POLICY,
    "--market",
    MARKET,
    "--portfolios",
    folder,
    "--results",
    results,
  ];
}

/** A well-formed job for `account` whose holdings are `file`. */
function jobFor(account: string, file: string, results: string): ProofJob {
  return {
    version: 3,
    account,
    policyId: "small-initial-v1",
    round: "7",
    nonce: "5",
    policy: POLICY,
    market: MARKET,
    holdings: [{ file }],
    results,
  };
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Every file under `dir` with its bytes, to show that a rerun changed nothing. */
function snapshotFiles(dir: string): Map<string, string> {
  const files = fs.readdirSync(dir, { recursive: true }) as string[];
  return new Map(
    files
      .map((f) => path.join(dir, f))
      .filter((f) => fs.statSync(f).isFile())
      .map((f) => [f, fs.readFileSync(f, "utf8")]),
  );
}

/** A well-formed pledge.json of `account` (the signature is not checked off-chain). */
function pledgeOf(account: string, custodian: string): Record<string, string> {
  return {
    account,
    venue: `0x${"5e".repeat(32)}`,
    portfolioCommitment: "12345",
    custodian,
    registration: "3",
    epoch: "0",
    issuedAt: "1764072000",
    validUntil: "2000000000",
    signature: `0x${"ab".repeat(65)}`,
  };
}

describe("proving service: jobs and the in-process runner", function () {
  before(sharedKeysHook("small"));
  after(() => removeTempDirs());

  describe("job payloads", function () {
    const [account, custodian] = syntheticAccounts(2);
    const good = jobFor(account, "/shared/a.json", "/shared/results");
    /** `mutate` applied to a copy of the job's pledge. */
    const withPledge =
      (mutate: (a: Record<string, string>) => void) => (j: Record<string, unknown>) => {
        const pledge = pledgeOf(account, custodian);
        mutate(pledge);
        j.pledges = [pledge];
      };

    it("has one id per (account, policy, round), whatever the nonce or files", function () {
      expect(jobId(good)).to.equal(`small-initial-v1~7~${account}`);
      expect(jobId({ ...good, nonce: "9", holdings: [{ file: "/b.json" }] } as ProofJob)).to.equal(
        jobId(good),
      );
      expect(jobId({ ...good, round: "8" })).to.not.equal(jobId(good));
      expect(parseProofJob(JSON.parse(JSON.stringify(good)), "job x")).to.deep.equal(good);
    });

    const malformed: [string, (j: Record<string, unknown>) => void, string, RegExp][] = [
      ["a missing nonce", (j) => delete j.nonce, "nonce", /required/],
      ["a nonce past 64 bits", (j) => (j.nonce = (1n << 64n).toString()), "nonce", /2\^64/],
      ["a lower-case account", (j) => (j.account = account.toLowerCase()), "account", /EIP-55/],
      ["a numeric round", (j) => (j.round = 7), "round", /string/],
      ["an unknown field", (j) => (j.extra = 1), "extra", /unknown key/],
      ["a policy id with a colon", (j) => (j.policyId = "a:b"), "policyId", /policy id/],
      ["no results folder", (j) => (j.results = ""), "results", /non-empty/],
      [
        "a salt past the field",
        (j) => (j.holdings = [{ portfolio: {}, salt: "1" + "0".repeat(80) }]),
        "holdings[0]",
        /./,
      ],
      [
        "version 2's one holdings object",
        (j) => (j.version = 2),
        "version",
        /^is 2, and this worker reads version 3 jobs \(holdings: a list of sub-portfolios, one per pledge slot\): re-plan the round with this release's `zkmargin batch`$/,
      ],
      [
        "one holdings object (not a list)",
        (j) => (j.holdings = { file: "/shared/a.json" }),
        "holdings",
        /must be an array/,
      ],
      ["no holdings", (j) => (j.holdings = []), "holdings", /at least one sub-portfolio/],
      [
        "two holdings and one pledge",
        (j) => {
          j.holdings = [{ file: "/shared/a.json" }, { file: "/shared/a.2.json" }];
          j.pledges = [pledgeOf(account, custodian)];
        },
        "pledges",
        /^has 1 pledge\(s\) for 2 sub-portfolio\(s\) in holdings: give one pledge per sub-portfolio, in slot order \(or none\)$/,
      ],
      [
        "a pledge for another account",
        withPledge((a) => (a.account = custodian)),
        "pledges[0].account",
        new RegExp(`^is ${custodian}, not the job's account \\(${account}\\)$`),
      ],
      [
        "a pledge without its epoch",
        withPledge((a) => delete a.epoch),
        "pledges[0].epoch",
        /required/,
      ],
      [
        "a pledge issued past 64 bits",
        withPledge((a) => (a.issuedAt = (1n << 64n).toString())),
        "pledges[0].issuedAt",
        /2\^64/,
      ],
      [
        "a pledge under a registration past 32 bits",
        withPledge((a) => (a.registration = (1n << 32n).toString())),
        "pledges[0].registration",
        /2\^32/,
      ],
    ];
    for (const [name, mutate, field, rule] of malformed) {
      it(`refuses a job with ${name}, naming the job, the field and the rule`, function () {
        const data = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
        mutate(data);
        let error: unknown;
        try {
          parseProofJob(data, "job 42");
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(InputError);
        const e = error as InputError;
        expect(e.file).to.equal("job 42");
        expect(e.path.startsWith(field), e.message).to.equal(true);
        expect(e.rule).to.match(rule);
      });
    }
  });

  describe("planning a batch from a folder", function () {
    it("makes one job per portfolio file, refuses files without a usable account, and picks up pledges", function () {
      const dir = tempDir();
      const accounts = syntheticAccounts(3);
      const [a, b] = writePortfolios(dir, "small", accounts.slice(0, 2));
      fs.writeFileSync(path.join(dir, "zz-no-account.json"), JSON.stringify({ collateral: {} }));
      fs.copyFileSync(a, path.join(dir, "zz-twin.json"));
      const pledge = pledgeOf(accounts[1], accounts[2]);
      fs.writeFileSync(b.replace(/\.json$/, ".pledge.json"), JSON.stringify(pledge));

      const plan = planBatch({ policy: POLICY, market: MARKET, portfolios: dir, results: "out" });
      expect(plan.jobs.map((j) => j.account)).to.deep.equal(accounts.slice(0, 2));
      expect(plan.jobs.map((j) => j.holdings)).to.deep.equal([[{ file: a }], [{ file: b }]]);
      expect(plan.jobs[0].nonce).to.equal("1764072000"); // the round's timestamp
      expect(plan.jobs[0].pledges).to.equal(undefined);
      expect(plan.jobs[1].pledges).to.deep.equal([pledge]);
      expect(plan.jobs[0].results).to.equal(path.resolve("out"));
      expect(plan.refused.map((r) => r.reason)).to.deep.equal([
        `${path.join(dir, "zz-no-account.json")}: account: is required`,
        `${path.join(dir, "zz-twin.json")}: account: is also the account of ${a}`,
      ]);

      const inline = planBatch({
        policy: POLICY,
        market: MARKET,
        portfolios: dir,
        results: "out",
        inline: true,
        nonce: 9n,
      });
      expect(inline.jobs[0].holdings).to.deep.equal([
        { portfolio: JSON.parse(fs.readFileSync(a, "utf8")) },
      ]);
      expect(inline.jobs[0].nonce).to.equal("9");
    });

    it("gathers an account's sub-portfolios NAME.json, NAME.2.json .. with their pledges, and refuses gaps and partial pledges", function () {
      const dir = tempDir();
      const accounts = syntheticAccounts(6);
      const [a, a2, a3] = writePortfolios(dir, "small", [accounts[0], accounts[0], accounts[0]]);
      const put = (name: string, from: string) => {
        const file = path.join(dir, name);
        fs.renameSync(from, file);
        return file;
      };
      const pieces = [put("fund.json", a), put("fund.2.json", a2), put("fund.3.json", a3)];
      pieces.forEach((file, k) =>
        fs.writeFileSync(
          file.replace(/\.json$/, ".pledge.json"),
          JSON.stringify(pledgeOf(accounts[0], accounts[5 - k])),
        ),
      );
      // gap.json and gap.3.json (no gap.2.json); lone.2.json alone; odd.1.json; half pledged.
      const [g, g3, l2, o1, h, h2, w, w2] = writePortfolios(dir, "small", [
        accounts[1],
        accounts[1],
        accounts[2],
        accounts[3],
        accounts[4],
        accounts[4],
        accounts[2],
        accounts[3],
      ]);
      put("gap.json", g);
      const gap3 = put("gap.3.json", g3);
      const lone2 = put("lone.2.json", l2);
      const odd1 = put("odd.1.json", o1);
      put("half.json", h);
      const half2 = put("half.2.json", h2);
      fs.writeFileSync(
        path.join(dir, "half.pledge.json"),
        JSON.stringify(pledgeOf(accounts[4], accounts[5])),
      );
      put("wrong.json", w);
      const wrong2 = put("wrong.2.json", w2);

      const plan = planBatch({ policy: POLICY, market: MARKET, portfolios: dir, results: "out" });
      expect(plan.jobs.map((j) => [j.account, j.holdings])).to.deep.equal([
        [accounts[0], pieces.map((file) => ({ file }))],
      ]);
      expect(plan.jobs[0].pledges?.map((p) => p.custodian)).to.deep.equal([
        accounts[5],
        accounts[4],
        accounts[3],
      ]);
      expect(plan.refused.map((r) => r.reason).sort()).to.deep.equal(
        [
          `${odd1}: $: sub-portfolio 1 is odd.json (no number)`,
          `${gap3}: $: sub-portfolio 3 of account file gap.json needs gap.2.json (slots 1, 2 .. without a gap)`,
          `${lone2}: $: sub-portfolio 2 of account file lone.json needs lone.json (slots 1, 2 .. without a gap)`,
          `${half2.replace(/\.json$/, ".pledge.json")}: $: file not found: the account's other sub-portfolios are pledged, so each needs its pledge (or none has one)`,
          `${wrong2}: account: is not the account of ${path.join(dir, "wrong.json")} (${accounts[2]})`,
        ].sort(),
      );
      const inline = planBatch({
        policy: POLICY,
        market: MARKET,
        portfolios: dir,
        results: "out",
        inline: true,
      });
      expect(inline.jobs[0].holdings).to.deep.equal(
        pieces.map((file) => ({ portfolio: JSON.parse(fs.readFileSync(file, "utf8")) })),
      );
      // Each job parses back as a version-3 job.
      expect(parseProofJob(JSON.parse(JSON.stringify(plan.jobs[0])), "job x")).to.deep.equal(
        plan.jobs[0],
      );
    });

    it("refuses a bad policy file before making any job", async function () {
      const dir = tempDir();
      const error = await refusal(
        Promise.resolve().then(() =>
          planBatch({
            policy: path.join(dir, "none.json"),
            market: MARKET,
            portfolios: dir,
            results: dir,
          }),
        ),
      );
      expect(error.message).to.equal(`${path.join(dir, "none.json")}: $: file not found`);
    });
  });

  describe("the in-process runner", function () {
    const accounts = syntheticAccounts(4);
    let folder: string;
    let results: string;
    let jobs: ProofJob[];
    let outcomes: JobOutcome[];
    const logs: string[] = [];
    let prover: WarmProver;

    before(async function () {
      folder = tempDir();
      results = tempDir();
      writePortfolios(folder, "small", accounts.slice(0, 3), [accounts[2]]);
      jobs = planBatch({ policy: POLICY, market: MARKET, portfolios: folder, results }).jobs;
      prover = new WarmProver();
      outcomes = await runInProcess(jobs, {
        prover,
        worker: "in-process",
        log: (l) => logs.push(l),
      });
    });
    after(() => prover.close());

    it("proves each sufficient account once and reports the short one, with owner-only openings and reports", function () {
      expect(outcomes.map((o) => [o.account, o.status, o.reused])).to.deep.equal([
        [accounts[0], "proved", false],
        [accounts[1], "proved", false],
        [accounts[2], "short", false],
      ]);
      for (const o of outcomes.slice(0, 2)) {
        const stored = new JobResults(jobs[0]).dir.replace(accounts[0], o.account);
        expect(o.resultDir).to.equal(stored);
        expect(mode(path.join(stored, "proof", "opening.json"))).to.equal(0o600);
        expect(mode(path.join(stored, "proof", "report.json"))).to.equal(0o600);
        expect(mode(path.join(stored, "proof", "proof.json"))).to.equal(0o644);
        const opening = JSON.parse(
          fs.readFileSync(path.join(stored, "proof", "opening.json"), "utf8"),
        ) as { nonce: string; account: string };
        expect(opening.account).to.equal(o.account);
        expect(opening.nonce).to.equal("1764072000");
        expect(o.instance).to.equal("small");
      }
      const short = outcomes[2].resultDir;
      expect(fs.existsSync(path.join(short, "proof"))).to.equal(false);
      expect(mode(path.join(short, "report.json"))).to.equal(0o600);
      expect(outcomes[2].reason).to.match(/margin shortfall under policy small-initial-v1/);
      expect(outcomes[2].reason).to.not.match(/[0-9]{4}/); // no figure of the portfolio
      expect(logs.filter((l) => l.endsWith(": proving"))).to.have.length(3);
    });

    it("never writes a salt or a holding outside the owner-only files, nor logs one", function () {
      const opening = JSON.parse(
        fs.readFileSync(path.join(outcomes[0].resultDir, "proof", "opening.json"), "utf8"),
      ) as { salt: string };
      const secrets = [opening.salt, "250000", "40.5"];
      const shared = [...snapshotFiles(results)]
        .filter(([file]) => !file.endsWith("opening.json") && !file.endsWith("report.json"))
        .map(([, text]) => text);
      for (const text of [...shared, logs.join("\n"), JSON.stringify(outcomes)]) {
        for (const secret of secrets) expect(text).to.not.include(secret);
      }
    });

    it("stores each account's margin report as the model computes it, short or sufficient", function () {
      const policy = loadPolicy(POLICY);
      const market = loadMarket(MARKET);
      const files = fs.readdirSync(folder).sort();
      expect(files).to.have.length(outcomes.length);
      for (const [i, o] of outcomes.entries()) {
        const file = path.join(o.resultDir, o.status === "short" ? "" : "proof", "report.json");
        const expected = computeMargin(
          policy,
          market,
          loadPortfolio(path.join(folder, files[i]), policy),
        );
        expect(expected.sufficient).to.equal(o.status === "proved");
        expect(JSON.parse(fs.readFileSync(file, "utf8"))).to.deep.equal(
          JSON.parse(toJson(expected)),
        );
      }
    });

    it("does nothing on a rerun: no proof, no file changed", async function () {
      const before = snapshotFiles(results);
      const rerun = await runInProcess(jobs, { prover, worker: "in-process" });
      expect(rerun.map((o) => [o.status, o.reused])).to.deep.equal([
        ["proved", true],
        ["proved", true],
        ["short", true],
      ]);
      expect(snapshotFiles(results)).to.deep.equal(before);
    });

    it("adopts a proof an earlier attempt stored before dying, instead of proving again", async function () {
      const job = jobs[0];
      const stored = new JobResults(job);
      const proofBefore = fs.readFileSync(path.join(stored.proofDir, "proof.json"), "utf8");
      fs.rmSync(path.join(stored.dir, "outcome.json")); // died after committing the proof
      fs.mkdirSync(path.join(stored.dir, ".attempt-dead01")); // and a dead attempt's leftovers
      const lines: string[] = [];
      const [outcome] = await runInProcess([job], {
        prover,
        worker: "in-process",
        log: (l) => lines.push(l),
      });
      expect([outcome.status, outcome.reused]).to.deep.equal(["proved", true]);
      expect(lines.some((l) => l.endsWith(": proving"))).to.equal(false);
      expect(fs.readFileSync(path.join(stored.proofDir, "proof.json"), "utf8")).to.equal(
        proofBefore,
      );
      expect(fs.existsSync(path.join(stored.dir, ".attempt-dead01"))).to.equal(false);
    });

    it("keeps the first proof when two attempts commit one job", function () {
      const job = { ...jobs[0], results: tempDir() };
      const store = new JobResults(job);
      const first = new JobResults(jobs[0]).storedProof();
      if (!first) throw new Error("no stored proof");
      const opening = JSON.parse(
        fs.readFileSync(path.join(new JobResults(jobs[0]).proofDir, "opening.json"), "utf8"),
      ) as Record<string, unknown>;
      const made = (salt: string, pi: string) => ({
        proof: { ...first.proof, pi_a: [pi, first.proof.pi_a[1], "1"] as [string, string, string] },
        publicSignals: first.publicSignals,
        calldata: {} as never,
        opening: { ...opening, salt } as never,
        openings: [{ ...opening, salt }] as never,
        instance: "small",
        prover: "snarkjs" as const,
        report: {} as never,
      });
      const kept = store.saveProof(made("111", "1"), 10);
      const raced = store.saveProof(made("222", "2"), 20);
      expect(kept.proof.pi_a[0]).to.equal("1");
      expect(raced).to.deep.equal(kept);
      const onDisk = JSON.parse(
        fs.readFileSync(path.join(store.proofDir, "opening.json"), "utf8"),
      ) as { salt: string };
      expect(onDisk.salt).to.equal("111"); // the opening belongs to the proof that was kept
      expect(fs.readdirSync(store.dir)).to.deep.equal(["proof"]);
    });

    it("fails a job with a bad portfolio file at once, with the file, the field and the rule", async function () {
      const bad = path.join(tempDir(), "bad.json");
      fs.writeFileSync(
        bad,
        JSON.stringify({ account: accounts[3], collateral: { DOGE: "1" }, perps: [], options: [] }),
      );
      const lines: string[] = [];
      const [outcome] = await runInProcess(
        [jobFor(accounts[3], bad, results)],
        { prover, worker: "in-process", log: (l) => lines.push(l) },
        { retry: { attempts: 5, backoffMs: 1 } },
      );
      expect(outcome.status).to.equal("failed");
      expect(outcome.reason).to.equal(
        `${bad}: collateral.DOGE: unknown asset "DOGE" (not in the policy)`,
      );
      expect(lines.filter((l) => /failed/.test(l))).to.have.length(1);
      const recorded = new JobResults(jobFor(accounts[3], bad, results)).outcome();
      expect(recorded?.status).to.equal("failed");
      expect(recorded?.reason).to.equal(outcome.reason);
    });

    it("retries a failure that may clear, with backoff, and records the reason after the last attempt", async function () {
      const keyless = new WarmProver(tempDir()); // a machine without the keys
      const lines: string[] = [];
      const job = { ...jobs[1], results: tempDir() };
      try {
        const [outcome] = await runInProcess(
          [job],
          { prover: keyless, worker: "in-process", log: (l) => lines.push(l) },
          { retry: { attempts: 3, backoffMs: 1 } },
        );
        expect(outcome.status).to.equal("failed");
        expect(outcome.reason).to.match(/no entry for instance "small"/);
        expect(lines.filter((l) => l.includes("attempt failed"))).to.have.length(3);
        expect(new JobResults(job).outcome()?.status).to.equal("failed");
      } finally {
        await keyless.close();
      }
    });
  });

  describe("an account at two custodians (demo instance, C = 2)", function () {
    const DESK = path.join(ROOT, "examples", "desk");
    const PLEDGED = path.join(ROOT, "examples", "pledges");
    const deskPolicy = path.join(DESK, "policy.json");
    const deskMarket = path.join(DESK, "market.json");
    const PIECES = ["qualified-custodian.json", "crypto-custodian.json"];
    const [custodianA, custodianB] = syntheticAccounts(2);
    let prover: WarmProver;
    let first: JobOutcome;
    let job: ProofJob;
    const logs: string[] = [];

    /** A pledge.json of `opening`'s commitment (the signature is not checked off-chain). */
    const pledgeOfOpening = (
      opening: { account: string; commitments: { portfolio: string } },
      custodian: string,
    ): PledgeFile =>
      parsePledgeFile(
        {
          ...pledgeOf(opening.account, custodian),
          portfolioCommitment: opening.commitments.portfolio,
        },
        "pledge.json",
      );
    /** A batch folder: `holder.json`, `holder.2.json` copied from `files`. */
    const holderFolder = (files: readonly string[]) => {
      const dir = tempDir();
      files.forEach((file, k) =>
        fs.copyFileSync(file, path.join(dir, k === 0 ? "holder.json" : `holder.${k + 1}.json`)),
      );
      return dir;
    };
    const planOf = (folder: string, results: string) =>
      planBatch({ policy: deskPolicy, market: deskMarket, portfolios: folder, results }).jobs;

    before(sharedKeysHook("demo"));
    before(async function () {
      prover = new WarmProver();
      [job] = planOf(holderFolder(PIECES.map((name) => path.join(PLEDGED, name))), tempDir());
      [first] = await runInProcess([job], {
        prover,
        worker: "in-process",
        log: (l) => logs.push(l),
      });
    });
    after(() => prover.close());

    it("proves the sum of the two sub-portfolios, each short alone, with a proof that verifies", async function () {
      const policy = loadPolicy(deskPolicy);
      const market = loadMarket(deskMarket);
      const pieces = PIECES.map((name) => loadPortfolio(path.join(PLEDGED, name), policy));
      expect(pieces.map((piece) => computeMargin(policy, market, piece).sufficient)).to.deep.equal([
        false,
        false,
      ]);
      expect(job.holdings).to.have.length(2);
      expect([first.status, first.instance]).to.deep.equal(["proved", "demo"]);
      const stored = new JobResults(job).storedProof()!;
      const { vkey } = await loadArtifacts("demo");
      expect(await verifyProof(stored.proof, stored.publicSignals, vkey)).to.equal(true);
      const commitments = stored.publicSignals.slice(3);
      expect(commitments).to.have.length(2);
      expect(commitments.every((c) => c !== "0")).to.equal(true);
      const report = JSON.parse(
        fs.readFileSync(path.join(first.resultDir, "proof", "report.json"), "utf8"),
      ) as unknown;
      expect(report).to.deep.equal(JSON.parse(toJson(computeMargin(policy, market, pieces))));
    });

    it("stores one owner-only opening per sub-portfolio, each opening only its own piece", function () {
      const proofDir = path.join(first.resultDir, "proof");
      expect(fs.existsSync(path.join(proofDir, "opening.json"))).to.equal(false);
      const stored = new JobResults(job).storedProof()!;
      for (const [k, name] of PIECES.entries()) {
        const file = path.join(proofDir, `opening-${k + 1}.json`);
        expect(mode(file)).to.equal(0o600);
        const opening = parseOpening(JSON.parse(fs.readFileSync(file, "utf8")), file);
        expect(opening.slot).to.equal(k + 1);
        expect(opening.commitments.portfolio).to.equal(stored.publicSignals[3 + k]);
        expect(opening.portfolio.collateral).to.deep.equal(
          (JSON.parse(fs.readFileSync(path.join(PLEDGED, name), "utf8")) as { collateral: unknown })
            .collateral,
        );
        // No salt in the logs, the outcome or a shared file.
        const shared = [...snapshotFiles(first.resultDir)]
          .filter(([f]) => !/opening-\d\.json$|report\.json$/.test(f))
          .map(([, text]) => text);
        for (const text of [...shared, logs.join("\n"), JSON.stringify(first)]) {
          expect(text).to.not.include(opening.salt);
        }
      }
    });

    it("proves again from the pledged openings with their salts, so each pledge is of its slot's commitment", async function () {
      const proofDir = path.join(first.resultDir, "proof");
      const openings = [1, 2].map((k) => path.join(proofDir, `opening-${k}.json`));
      const folder = holderFolder(openings);
      const opened = openings.map(
        (file) =>
          JSON.parse(fs.readFileSync(file, "utf8")) as Parameters<typeof pledgeOfOpening>[0],
      );
      fs.writeFileSync(
        path.join(folder, "holder.pledge.json"),
        JSON.stringify(pledgeOfOpening(opened[0], custodianA)),
      );
      fs.writeFileSync(
        path.join(folder, "holder.2.pledge.json"),
        JSON.stringify(pledgeOfOpening(opened[1], custodianB)),
      );
      const [pledged] = planOf(folder, tempDir());
      expect(pledged.pledges?.map((p) => p.custodian)).to.deep.equal([custodianA, custodianB]);
      const [outcome] = await runInProcess([pledged], { prover, worker: "in-process" });
      expect(outcome.status, outcome.reason).to.equal("proved");
      const stored = new JobResults(pledged).storedProof()!;
      expect(stored.publicSignals.slice(3)).to.deep.equal(
        opened.map((o) => o.commitments.portfolio),
      );
    });

    it("refuses, before proving, pledges in the wrong order and a pledge of a portfolio without its salt", async function () {
      const proofDir = path.join(first.resultDir, "proof");
      const openings = [1, 2].map((k) => path.join(proofDir, `opening-${k}.json`));
      const opened = openings.map(
        (file) =>
          JSON.parse(fs.readFileSync(file, "utf8")) as Parameters<typeof pledgeOfOpening>[0],
      );
      const swapped: ProofJob = {
        ...job,
        results: tempDir(),
        holdings: openings.map((file) => ({ file })),
        pledges: [pledgeOfOpening(opened[1], custodianB), pledgeOfOpening(opened[0], custodianA)],
      };
      const unsalted: ProofJob = {
        ...swapped,
        results: tempDir(),
        holdings: [{ file: openings[0] }, { file: path.join(PLEDGED, PIECES[1]) }],
        pledges: [pledgeOfOpening(opened[0], custodianA), pledgeOfOpening(opened[1], custodianB)],
      };
      const lines: string[] = [];
      const outcomes: JobOutcome[] = [];
      for (const refused of [swapped, unsalted]) {
        // One at a time: the runner runs one job per id.
        const log = (l: string) => lines.push(l);
        outcomes.push(...(await runInProcess([refused], { prover, worker: "in-process", log })));
      }
      const id = jobId(job);
      expect(outcomes.map((o) => [o.status, o.reason])).to.deep.equal([
        [
          "failed",
          `job ${id}: pledges[0].portfolioCommitment: is not the commitment of holdings[0] (${openings[0]}): ` +
            "the pledge is of another opening (give the pledged opening, and the pledges in slot order)",
        ],
        [
          "failed",
          `${path.join(PLEDGED, PIECES[1])}: salt: is absent, so its commitment is new and pledges[1] cannot be ` +
            "of it: give the pledged opening.json (its salt is reused) instead of the portfolio",
        ],
      ]);
      expect(lines.some((l) => l.endsWith(": proving"))).to.equal(false);
    });
  });

  describe("warm witness calculators", function () {
    let artifacts: LoadedArtifacts;
    /** The small example's circuit input with `salt` (so every witness differs). */
    let inputOf: (salt: bigint) => Promise<Record<string, unknown>>;

    /** The witness snarkjs's own `wtns.calculate` gives (it compiles the wasm afresh). */
    const reference = async (input: Record<string, unknown>): Promise<Buffer> => {
      const out: { type: "mem"; data?: Uint8Array } = { type: "mem" };
      await snarkjs.wtns.calculate(input, artifacts.wasm, out);
      return Buffer.from(out.data!);
    };

    before(async function () {
      artifacts = await loadArtifacts("small");
      const policy = loadPolicy(POLICY);
      const market = loadMarket(MARKET);
      const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
      inputOf = async (salt) => ({
        ...(await withCommitments(
          encodeCircuitInput({
            policy,
            market,
            portfolio,
            salt,
            nonce: 1n,
            instance: loadInstances().small,
          }),
        )),
      });
    });

    it("give snarkjs's witness, input after input, from one compiled calculator", async function () {
      const calculators = new WitnessCalculators();
      for (const salt of [1n, 2n, 1n]) {
        const input = await inputOf(salt);
        const warm = Buffer.from(await calculators.witness(artifacts, input));
        expect(warm.equals(await reference(input)), `salt ${salt}`).to.equal(true);
      }
    });

    it("run concurrent calculations one after another, each on its own input", async function () {
      const calculators = new WitnessCalculators();
      const inputs = await Promise.all([3n, 4n, 5n].map(inputOf));
      const warm = await Promise.all(inputs.map((input) => calculators.witness(artifacts, input)));
      for (const [i, input] of inputs.entries()) {
        expect(Buffer.from(warm[i]).equals(await reference(input)), `input ${i}`).to.equal(true);
      }
    });

    it("refuse a wasm whose bytes are not the manifest's, naming the file, and build once it is restored", async function () {
      const calculators = new WitnessCalculators();
      const copy = path.join(tempDir(), "circuit.wasm");
      const bytes = fs.readFileSync(artifacts.wasm);
      fs.writeFileSync(copy, Buffer.concat([bytes, Buffer.from([0])]));
      const tampered = { ...artifacts, wasm: copy };
      const input = await inputOf(6n);
      const error = await refusal(calculators.witness(tampered, input));
      expect(error).to.be.instanceOf(ArtifactIntegrityError);
      expect(error.message.startsWith(`${copy}: sha256 `), error.message).to.equal(true);
      expect(error.message).to.include("does not match the manifest");
      fs.writeFileSync(copy, bytes); // a refused build is not kept
      const warm = Buffer.from(await calculators.witness(tampered, input));
      expect(warm.equals(await reference(input))).to.equal(true);
    });
  });

  describe("the batch and worker verbs", function () {
    it("show an example in --help", function () {
      for (const verb of ["batch", "worker"]) {
        const help = runCli([verb, "--help"]);
        expect(help.status, verb).to.equal(0);
        expect(help.stdout, verb).to.match(
          new RegExp(`\\nExamples:\\n {2}\\$ zkmargin ${verb} --`),
        );
      }
      // Which submission is which: one prove per proof, or proveBatch through a relayer.
      expect(runCli(["batch", "--help"]).stdout).to.match(
        /--registry alone sends one MarginRegistry\.prove per proof[\s\S]*--submit sends proveBatch/,
      );
      expect(runCli(["worker", "--help"]).stdout).to.match(
        /--relay +be a relayer instead of a prover/,
      );
    });

    it("refuse bad options with one line naming the option", function () {
      const folder = tempDir();
      const base = batchArgs(folder, folder);
      const submitting = [
        ...["--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3"],
        ...["--rpc", "http://127.0.0.1:1", "--submit"],
      ];
      const cases: [string[], string][] = [
        [
          [...base, "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3"],
          "zkmargin: command line: --rpc: is required with --registry\n",
        ],
        [
          [...base, "--redis", "http://127.0.0.1:6379"],
          "zkmargin: command line: --redis: must be a redis:// or rediss:// URL\n",
        ],
        [
          ["worker", "--redis", "127.0.0.1:6379"],
          "zkmargin: command line: --redis: must be a redis:// or rediss:// URL\n",
        ],
        [
          [...base, "--nonce", "-1"],
          "zkmargin: command line: --nonce: must be a non-negative decimal integer\n",
        ],
        [[...base, "--submit"], "zkmargin: command line: --registry: is required with --submit\n"],
        [
          [...base, ...submitting, "--batch-size", "65"],
          "zkmargin: command line: --batch-size: must be 1 to 64\n",
        ],
        [
          [...base, ...submitting],
          "zkmargin: environment: ZKMARGIN_RELAYER_KEY: must hold the relayer's private key (or use --keystore)\n",
        ],
        [
          ["worker", "--redis", "redis://127.0.0.1:6379", "--relay"],
          "zkmargin: command line: --rpc: is required with --relay\n",
        ],
      ];
      for (const [args, stderr] of cases) {
        const run = runCli(args);
        expect([run.status, run.stderr], args.join(" ")).to.deep.equal([1, stderr]);
      }
    });

    it("batch runs in-process by default and ends with a summary; a refused file makes the exit status 1", function () {
      const folder = tempDir();
      const results = tempDir();
      const accounts = syntheticAccounts(2);
      writePortfolios(folder, "small", accounts, [accounts[1]]);
      const ok = runCli([...batchArgs(folder, results)]);
      expect(ok.status, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(
        /^batch: 2 jobs in [0-9.]+ s: 1 proved \(0 submitted\), 1 short, 0 failed\n/,
      );
      expect(ok.stdout).to.include(`short: ${accounts[1]} (report: `);
      fs.writeFileSync(path.join(folder, "stray.json"), "{}");
      const again = runCli([...batchArgs(folder, results), "--json"]);
      expect(again.status).to.equal(1);
      const summary = JSON.parse(again.stdout) as {
        tally: { jobs: number; reused: number };
        refused: { reason: string }[];
      };
      expect(summary.tally).to.include({ jobs: 2, reused: 2 });
      expect(summary.refused.map((r) => r.reason)).to.deep.equal([
        `${path.join(folder, "stray.json")}: account: is required`,
      ]);
    });
  });

  describe("Redis URLs and account keys", function () {
    it("accepts redis:// and rediss:// (TLS) URLs, refuses others, and hides passwords in logs", async function () {
      expect(() => checkRedisUrl("http://127.0.0.1:6379")).to.throw(
        "command line: --redis: must be a redis:// or rediss:// URL",
      );
      expect(() => checkRedisUrl("not a url")).to.throw(/must be a redis:\/\//);
      expect(redactRedisUrl("redis://:s3cret@host:6379/2")).to.equal("redis://:***@host:6379/2");
      expect(redactRedisUrl("rediss://user:s3cret@host:6380")).to.equal(
        "rediss://***:***@host:6380",
      );
      const tls = redisConnection("rediss://:s3cret@127.0.0.1:1");
      tls.on("error", () => undefined);
      try {
        expect(tls.options.tls).to.not.equal(undefined);
        expect(tls.options.password).to.equal("s3cret");
      } finally {
        tls.disconnect();
      }
    });

    it("tells a Redis outage in one line each way, and any other error once", function () {
      const lines: string[] = [];
      const outages = new RedisOutages("redis://:s3cret@127.0.0.1:6379", (l) => lines.push(l));
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), {
        code: "ECONNREFUSED",
      });
      for (let i = 0; i < 5; i++) outages.error(refused);
      outages.error(new Error("Connection is closed."));
      expect(outages.unreachable).to.equal(true);
      outages.ready();
      outages.ready();
      for (let i = 0; i < 3; i++) outages.error(new Error("NOAUTH Authentication required."));
      expect(lines).to.deep.equal([
        "Redis at redis://:***@127.0.0.1:6379 is unreachable (ECONNREFUSED); retrying until it is back",
        "Redis at redis://:***@127.0.0.1:6379 is back",
        "Redis error: NOAUTH Authentication required.",
      ]);
      expect(outages.unreachable).to.equal(false);
      expect(isRedisUnreachable(new Error("NOAUTH Authentication required."))).to.equal(false);
      expect(isRedisUnreachable(Object.assign(new Error("x"), { code: "ETIMEDOUT" }))).to.equal(
        true,
      );
    });

    it("reads an owner-only account-keys file and refuses one others can read or with a wrong address", function () {
      const dir = tempDir();
      const wallet = Wallet.createRandom();
      const file = path.join(dir, "keys.json");
      fs.writeFileSync(file, JSON.stringify({ [wallet.address]: wallet.privateKey }), {
        mode: 0o600,
      });
      expect(readAccountKeys(file).get(wallet.address)).to.equal(wallet.privateKey);
      fs.chmodSync(file, 0o644);
      expect(() => readAccountKeys(file)).to.throw(/must be owner-only \(chmod 600\), not 644/);
      const [other] = syntheticAccounts(1);
      fs.writeFileSync(file, JSON.stringify({ [other]: wallet.privateKey }), { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      expect(() => readAccountKeys(file)).to.throw(
        `${file}: ${other}: is not the address of its private key`,
      );
    });
  });
});
