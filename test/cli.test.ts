/**
 * The `zkmargin` CLI, spawned as a user runs it (`node bin/zkmargin.js`, CI=true), on the `small`
 * instance: margin, prove, verify, inspect and attest, their refusals and what they never reveal.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Wallet, encryptKeystoreJson, verifyTypedData } from "ethers";
import { PLEDGE_TYPES, marginRegistryDomain } from "../prover/src/chain/eip712";
import { venueIdOf } from "../prover/src/chain/policy";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { toJson } from "../prover/src/io/json";
import { parseBeaconHash } from "../prover/src/cli/commands/ceremony";
import { computeMargin, formatComparison, formatReport } from "../prover/src/model";
import { PUBLIC_SIGNAL_NAMES } from "../prover/src/proving";
import {
  BAD_INPUTS,
  BIN,
  ROOT,
  SMALL_EXAMPLES,
  example,
  inputArgs,
  listFiles,
  removeTempDirs,
  runCli,
  tempDir,
  writeInputs,
  type CliResult,
} from "./helpers/cli";
import { deadPid } from "./helpers/locks";
import { sharedKeysHook } from "./helpers/shared-keys";

const EXAMPLE_FILES = {
  policy: path.join(SMALL_EXAMPLES, "policy.json"),
  market: path.join(SMALL_EXAMPLES, "market.json"),
  portfolio: path.join(SMALL_EXAMPLES, "portfolio.json"),
};
const VERBS = ["margin", "prove", "verify", "inspect", "attest"];
/** Hardhat's well-known test account #1: a custodian key for tests only. */
const CUSTODIAN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9c86dae88c7a8412f4603b6b78690d";
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/**
 * Asserts a refusal: exit status `status` (1: an error; 2: a "no", such as a shortfall), exactly
 * one line `zkmargin: <file>: <path>: <rule>` on stderr.
 */
function expectRefusal(
  result: CliResult,
  file: string,
  where: string,
  rule: RegExp,
  status = 1,
): void {
  expect(result.status, result.stderr).to.equal(status);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).to.have.length(1);
  const prefix = `zkmargin: ${file}: ${where}: `;
  expect(lines[0].startsWith(prefix), `${lines[0]} starts with ${prefix}`).to.equal(true);
  expect(lines[0].slice(prefix.length)).to.match(rule);
  expect(result.stderr).to.not.match(/\n\s+at /); // no stack trace
}

/**
 * Every representation of the example portfolio's private values: amounts (as written and in base
 * units), perp sizes and entry prices (as written and scaled), option quantities.
 */
function privateValues(): string[] {
  const p = example("portfolio") as {
    collateral: Record<string, string>;
    perps: { size: string; entryPrice: string }[];
    options: { quantity: string }[];
  };
  const policy = example("policy") as {
    assets: Record<string, { decimals: number }>;
    perps: Record<string, { sizeDecimals: number }>;
  };
  const scaled = (text: string, decimals: number): string => {
    const [whole, fraction = ""] = text.replace("-", "").split(".");
    return BigInt(whole + fraction.padEnd(decimals, "0")).toString();
  };
  const sizeDecimals = Object.values(policy.perps).map((q) => q.sizeDecimals);
  return [
    ...Object.entries(p.collateral).flatMap(([s, v]) => [v, scaled(v, policy.assets[s].decimals)]),
    ...p.perps.flatMap((q, i) => [
      q.size,
      q.size.replace("-", ""),
      scaled(q.size, sizeDecimals[i]),
      q.entryPrice,
      scaled(q.entryPrice, 8),
    ]),
    ...p.options.flatMap((o) => [o.quantity, o.quantity.replace("-", "")]),
  ];
}

/** The tokens of a text (numbers, words, hex strings), for exact comparison with private values. */
function tokens(text: string): Set<string> {
  return new Set(text.split(/[^0-9A-Za-z.\-x]+/).flatMap((t) => [t, t.replace(/\.$/, "")]));
}

/** Every string and number leaf of a JSON value, as strings (hex leaves also in decimal). */
function leaves(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(leaves);
  const text = String(value);
  return /^0x[0-9a-f]+$/i.test(text) ? [text, BigInt(text).toString()] : [text];
}

describe("zkmargin CLI (small instance)", function () {
  const out = tempDir("zkmargin-cli-out-");
  let proved: CliResult;

  before(sharedKeysHook("small"));
  before(async function () {
    proved = runCli(["prove", ...inputArgs(EXAMPLE_FILES), "--out", out, "--nonce", "7"]);
  });

  after(removeTempDirs);

  it("has --help with an example on every verb", () => {
    for (const verb of VERBS) {
      const help = runCli([verb, "--help"]);
      expect(help.status, verb).to.equal(0);
      // an example that runs this very verb, after the usage text
      expect(help.stdout, verb).to.match(
        new RegExp(`\\nExamples?:\\n {2}\\$ ([A-Z_]+=\\S+ )?zkmargin ${verb} --`),
      );
    }
  });

  it("margin prints the report table, and --json for machines", () => {
    const table = runCli(["margin", ...inputArgs(EXAMPLE_FILES)]);
    expect(table.status).to.equal(0);
    expect(table.stdout).to.match(/Verdict: SUFFICIENT/);
    const json = runCli(["margin", ...inputArgs(EXAMPLE_FILES), "--json"]);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(report.sufficient).to.equal(true);
    expect(report.policyId).to.equal("small-initial-v1");
    expect(report.equityMicroUsd)
      .to.be.a("string")
      .and.match(/^[0-9]+$/);
  });

  it("margin --compare sets one book beside itself under a standard and a portfolio policy", () => {
    const files = {
      policy: path.join(ROOT, "examples", "desk", "policy.json"),
      market: path.join(ROOT, "examples", "portfolio", "market.json"),
      portfolio: path.join(ROOT, "examples", "portfolio", "portfolio.json"),
    };
    const portfolioPolicy = path.join(ROOT, "examples", "portfolio", "policy.json");
    const policies = [files.policy, portfolioPolicy].map((file) => loadPolicy(file));
    const expected = policies.map((policy) =>
      computeMargin(policy, loadMarket(files.market), loadPortfolio(files.portfolio, policy)),
    );
    // The hedged desk: short under model v1, sufficient under model v2.
    expect(expected.map((r) => r.sufficient)).to.deep.equal([false, true]);

    const text = runCli(["margin", ...inputArgs(files), "--compare", portfolioPolicy]);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.equal(
      [formatComparison(expected), ...expected.map((r, i) => formatReport(r, policies[i]))].join(
        "\n",
      ),
    );
    const json = runCli(["margin", ...inputArgs(files), "--compare", portfolioPolicy, "--json"]);
    expect(JSON.parse(json.stdout)).to.deep.equal(JSON.parse(toJson(expected)));

    // The book must fit the second policy too: one without the book's put is refused, named.
    const withoutPut = JSON.parse(fs.readFileSync(portfolioPolicy, "utf8")) as {
      options: Record<string, unknown>;
    };
    delete withoutPut.options["ETH-26JUN26-2600-P"];
    const withoutPutFile = path.join(tempDir(), "policy.json");
    fs.writeFileSync(withoutPutFile, JSON.stringify(withoutPut));
    const misfit = runCli(["margin", ...inputArgs(files), "--compare", withoutPutFile]);
    expectRefusal(misfit, files.portfolio, "options[0].instrument", /ETH-26JUN26-2600-P/);
  });

  it("prove writes proof, public signals, calldata and a 0600 opening, printing no private value", () => {
    expect(proved.status, proved.stderr).to.equal(0);
    expect(listFiles(out).sort()).to.deep.equal([
      "calldata.json",
      "opening.json",
      "proof.json",
      "public.json",
    ]);
    expect(fs.statSync(path.join(out, "opening.json")).mode & 0o777).to.equal(0o600);
    expect(proved.stderr).to.equal(""); // CI: no progress output

    const opening = JSON.parse(fs.readFileSync(path.join(out, "opening.json"), "utf8")) as {
      salt: string;
    };
    const secrets = [...privateValues(), opening.salt, BigInt(opening.salt).toString(16)];
    const printed = tokens(proved.stdout + proved.stderr);
    for (const file of ["proof.json", "public.json", "calldata.json"]) {
      const text = fs.readFileSync(path.join(out, file), "utf8");
      const values = new Set(leaves(JSON.parse(text)));
      for (const secret of secrets) {
        expect(values.has(secret), `${file} contains ${secret}`).to.equal(false);
      }
      expect(text).to.not.contain(opening.salt);
    }
    for (const secret of secrets) {
      expect(printed.has(secret), `printed ${secret}`).to.equal(false);
    }
    expect(proved.stdout).to.not.contain(opening.salt);
  });

  it("prove never overwrites an opening without --force, and does with it", () => {
    const openingFile = path.join(out, "opening.json");
    const before = fs.readFileSync(openingFile, "utf8");
    const refused = runCli(["prove", ...inputArgs(EXAMPLE_FILES), "--out", out, "--nonce", "8"]);
    expectRefusal(refused, openingFile, "$", /already exists; pass --force/);
    expect(fs.readFileSync(openingFile, "utf8")).to.equal(before);

    const forcedOut = tempDir();
    fs.copyFileSync(openingFile, path.join(forcedOut, "opening.json"));
    const forced = runCli([
      "prove",
      ...inputArgs(EXAMPLE_FILES),
      "--out",
      forcedOut,
      "--nonce",
      "8",
      "--force",
    ]);
    expect(forced.status, forced.stderr).to.equal(0);
    const replaced = path.join(forcedOut, "opening.json");
    expect(fs.readFileSync(replaced, "utf8")).to.not.equal(before);
    expect(fs.statSync(replaced).mode & 0o777).to.equal(0o600);
  });

  it("prove refuses a shortfall with the shortfall, exit status 2, and writes nothing", () => {
    const files = writeInputs((d) => void (d.portfolio.collateral = { USDC: "1000" }));
    const target = path.join(tempDir(), "proofs");
    const result = runCli(["prove", ...inputArgs(files), "--out", target]);
    expectRefusal(
      result,
      files.portfolio,
      "$",
      /margin shortfall of [0-9.]+ USD; nothing written/,
      2,
    );
    expect(fs.existsSync(target)).to.equal(false);
  });

  it("margin shows amounts and sizes in the files' units, and --check exits 2 on a shortfall", () => {
    const table = runCli(["margin", ...inputArgs(EXAMPLE_FILES)]);
    expect(table.status, table.stderr).to.equal(0);
    // portfolio.json says USDC "250000", WETH "40.5" and an ETH-PERP size of "-60".
    expect(table.stdout).to.match(/^asset +amount \(tokens\) +price/m);
    expect(table.stdout).to.match(/^USDC +250000 +0\.99995 /m);
    expect(table.stdout).to.match(/^WETH +40\.5 +3012\.55 /m);
    expect(table.stdout).to.match(/^ETH-PERP +-60 +3150 /m);
    expect(table.stdout).to.not.contain("250000000000");
    expect(runCli(["margin", ...inputArgs(EXAMPLE_FILES), "--check"]).status).to.equal(0);
    const short = writeInputs((d) => void (d.portfolio.collateral = { USDC: "1000" }));
    const report = runCli(["margin", ...inputArgs(short)]);
    expect([report.status, report.stdout]).to.satisfy(
      ([status, out]: [number, string]) => status === 0 && out.includes("Verdict: SHORTFALL"),
    );
    const checked = runCli(["margin", ...inputArgs(short), "--check"]);
    expect(checked.status).to.equal(2);
    expect(checked.stdout).to.contain("Verdict: SHORTFALL");
    expect(runCli(["margin", "--help"]).stdout).to.contain(
      "Exit status: 0 the report (with --check: sufficient), 2 with --check, a shortfall, 1 an error",
    );
  });

  it("verify accepts the proof (exit 0) with the instance's key or a key file", () => {
    const args = ["verify", "--proof", path.join(out, "proof.json")];
    const pub = ["--public", path.join(out, "public.json")];
    const byInstance = runCli([...args, ...pub, "--instance", "small"]);
    expect(byInstance.status, byInstance.stderr).to.equal(0);
    expect(byInstance.stdout).to.match(/^valid: /);
    const vkey = path.join("build", "keys", "small", "verification_key.json");
    expect(runCli([...args, ...pub, "--vkey", vkey]).status).to.equal(0);
  });

  it("verify refuses (exit 1) a proof whose public signals were changed", () => {
    const signals = JSON.parse(fs.readFileSync(path.join(out, "public.json"), "utf8")) as string[];
    signals[1] = "8"; // another nonce
    const tampered = path.join(tempDir(), "public.json");
    fs.writeFileSync(tampered, JSON.stringify(signals));
    const proof = path.join(out, "proof.json");
    const result = runCli([
      "verify",
      "--proof",
      proof,
      "--public",
      tampered,
      "--instance",
      "small",
    ]);
    expectRefusal(result, proof, "$", /does not verify/);
  });

  it("commitments prints the proof's market and policy commitments from the public files alone", () => {
    const signals = JSON.parse(fs.readFileSync(path.join(out, "public.json"), "utf8")) as string[];
    const files = ["--policy", EXAMPLE_FILES.policy, "--market", EXAMPLE_FILES.market];
    const run = runCli(["commitments", ...files, "--instance", "small", "--json"]);
    expect(run.status, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout) as {
      marketCommitment: string;
      policyCommitment: string;
    };
    expect([printed.marketCommitment, printed.policyCommitment]).to.deep.equal([
      signals[1],
      signals[2],
    ]);
    const desk = path.join(ROOT, "examples", "desk");
    const misfit = runCli([
      "commitments",
      ...["--policy", path.join(desk, "policy.json"), "--market", path.join(desk, "market.json")],
      ...["--instance", "small"],
    ]);
    expect(misfit.status).to.equal(1);
    expect(misfit.stderr).to.match(
      /policy\.json: \$: .*does not fit instance "small".*"demo" would fit/,
    );
  });

  it("setup finds the keys up to date, then says what the ptau cache holds after removing what interrupted builds left", () => {
    const cache = tempDir("zkmargin-cache-");
    const ptauDir = path.join(cache, "ptau");
    fs.mkdirSync(ptauDir);
    const leftover = path.join(ptauDir, `.dev-pot09.ptau.${deadPid()}-0123456789ab.1.tmp`);
    fs.writeFileSync(leftover, Buffer.alloc(2048));
    const result = runCli(["setup", "--instance", "small"], { env: { ZKMARGIN_CACHE: cache } });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(
      /^small: unchanged \(development keys, vkeyHash 0x[0-9a-f]{64}\)$/m,
    );
    expect(result.stdout).to.contain(
      [
        `ptau cache ${ptauDir} (set ZKMARGIN_CACHE to move it):`,
        "  empty",
        "  removed 1 temporary file(s) of interrupted builds (2.0 kB)",
      ].join("\n"),
    );
    expect(fs.existsSync(leftover)).to.equal(false);
  });

  it("inspect decodes the public signals and tells which policy and round the proof is for", () => {
    const pub = path.join(out, "public.json");
    const plain = runCli(["inspect", "--public", pub]);
    expect(plain.status).to.equal(0);
    expect(plain.stdout).to.match(/account\s+0x70997970C51812dc3A010C7d01b50e0d17dc79C8/);
    expect(plain.stdout).to.match(/nonce\s+7\n/);

    const matched = runCli([
      "inspect",
      "--public",
      pub,
      "--policy",
      EXAMPLE_FILES.policy,
      "--market",
      EXAMPLE_FILES.market,
    ]);
    expect(matched.status, matched.stderr).to.equal(0);
    expect(matched.stdout).to.match(/policy\s+matches .*\(id small-initial-v1\)/);
    expect(matched.stdout).to.match(/market round\s+matches .*\(round 7, /);
    expect(matched.stdout).to.match(/circuit instance\s+small/);

    const otherRound = writeInputs((d) => void (d.market.round = 8));
    const mismatched = runCli([
      "inspect",
      "--public",
      pub,
      "--policy",
      otherRound.policy,
      "--market",
      otherRound.market,
    ]);
    expect(mismatched.status).to.equal(1);
    expect(mismatched.stdout).to.match(/policy\s+matches/);
    expect(mismatched.stdout).to.match(/market round\s+DOES NOT MATCH/);
  });

  describe("several sub-portfolios (--portfolio repeated)", function () {
    /** The example split in two files: its collateral at a custodian, its positions at another. */
    function splitFiles(edit: (pieces: Record<string, unknown>[]) => void = () => undefined) {
      const whole = example("portfolio") as Record<string, unknown>;
      const pieces = [
        { ...whole, perps: [], options: [] },
        { ...whole, collateral: {} },
      ];
      edit(pieces);
      const dir = tempDir();
      return pieces.map((piece, k) => {
        const file = path.join(dir, `custodian-${k + 1}.json`);
        fs.writeFileSync(file, JSON.stringify(piece, null, 2));
        return file;
      });
    }
    const args = (files: string[]) => [
      "--policy",
      EXAMPLE_FILES.policy,
      "--market",
      EXAMPLE_FILES.market,
      ...files.flatMap((f) => ["--portfolio", f]),
    ];

    it("margin reports the sum with each sub-portfolio's share (text, --json, --html)", () => {
      const files = splitFiles();
      const policy = loadPolicy(EXAMPLE_FILES.policy);
      const market = loadMarket(EXAMPLE_FILES.market);
      const pieces = files.map((f) => loadPortfolio(f, policy));
      const expected = computeMargin(policy, market, pieces);
      const whole = computeMargin(policy, market, loadPortfolio(EXAMPLE_FILES.portfolio, policy));
      expect(expected.excessMicroUsd).to.equal(whole.excessMicroUsd);

      const text = runCli(["margin", ...args(files)]);
      expect(text.status, text.stderr).to.equal(0);
      expect(text.stdout).to.equal(formatReport(expected, policy, files));
      expect(text.stdout).to.match(/^Sub-portfolios \(USD\): each one's share/m);
      for (const [k, file] of files.entries()) {
        expect(text.stdout).to.match(new RegExp(`^${k + 1} \\(${file}\\) +[0-9]`, "m"));
      }
      expect(text.stdout).to.match(/^total +[0-9]/m);
      // One portfolio: no such section.
      const single = runCli(["margin", ...inputArgs(EXAMPLE_FILES)]);
      expect(single.stdout).to.not.contain("Sub-portfolios");

      const json = JSON.parse(runCli(["margin", ...args(files), "--json"]).stdout) as {
        pieces: { totals: Record<string, string> }[];
        equityMicroUsd: string;
      };
      expect(json.pieces).to.have.length(2);
      expect(json).to.deep.equal(JSON.parse(toJson(expected)));

      const html = path.join(tempDir(), "report.html");
      const written = runCli(["margin", ...args(files), "--html", html]);
      expect(written.status, written.stderr).to.equal(0);
      const page = fs.readFileSync(html, "utf8");
      expect(page).to.contain("Sub-portfolios");
      expect(page).to.contain(`sub-portfolio 2 (${files[1]})`);
    });

    it("margin refuses sub-portfolios of two accounts, naming the file", () => {
      const files = splitFiles((pieces) => {
        pieces[1].account = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
      });
      expectRefusal(
        runCli(["margin", ...args(files)]),
        files[1],
        "account",
        /every sub-portfolio of a proof must name the same account/,
      );
    });

    describe("prove (demo instance: two pledge slots)", function () {
      before(sharedKeysHook("demo"));

      it("writes one 0600 opening per sub-portfolio, each of its own commitment", () => {
        const files = splitFiles();
        const target = tempDir();
        const made = runCli(["prove", ...args(files), "--out", target, "--nonce", "9"]);
        expect(made.status, made.stderr).to.equal(0);
        expect(listFiles(target).sort()).to.deep.equal([
          "calldata.json",
          "opening-1.json",
          "opening-2.json",
          "proof.json",
          "public.json",
        ]);
        expect(made.stdout).to.contain("instance demo");
        const signals = JSON.parse(
          fs.readFileSync(path.join(target, "public.json"), "utf8"),
        ) as string[];
        expect(signals).to.have.length(5);
        for (const k of [1, 2]) {
          const file = path.join(target, `opening-${k}.json`);
          expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
          const opening = JSON.parse(fs.readFileSync(file, "utf8")) as {
            commitments: { portfolio: string };
          };
          expect(opening.commitments.portfolio).to.equal(signals[2 + k]);
          expect(made.stdout).to.contain(
            `wrote ${file} (private: sub-portfolio ${k}, ${files[k - 1]};`,
          );
        }
        // Again without --force: refused on the first opening, nothing written.
        const again = runCli(["prove", ...args(files), "--out", target, "--nonce", "10"]);
        expectRefusal(again, path.join(target, "opening-1.json"), "$", /already exists/);
      });
    });
  });

  describe("attest", () => {
    const custodian = new Wallet(CUSTODIAN_KEY);
    const attestArgs = (records: string, pledge: string): string[] => [
      "attest",
      "--opening",
      path.join(out, "opening.json"),
      "--records",
      records,
      "--policy",
      EXAMPLE_FILES.policy,
      "--market",
      EXAMPLE_FILES.market,
      "--registry",
      REGISTRY,
      "--chain-id",
      "31337",
      "--venue-id",
      "desk venue",
      "--registration",
      "7",
      "--epoch",
      "2",
      "--valid-for",
      "3600",
      "--out",
      pledge,
      "--ledger",
      path.join(path.dirname(pledge), "ledger.json"),
    ];

    it("signs a pledge to the venue that recovers to the custodian when the records agree", () => {
      const records = writeInputs().portfolio; // the custodian's records agree with the holder
      const file = path.join(tempDir(), "pledge.json");
      const started = Math.floor(Date.now() / 1000);
      const result = runCli(attestArgs(records, file), {
        env: { ZKMARGIN_CUSTODIAN_KEY: CUSTODIAN_KEY },
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout + result.stderr).to.not.contain(CUSTODIAN_KEY.slice(2));
      const pledge = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
      const opening = JSON.parse(fs.readFileSync(path.join(out, "opening.json"), "utf8")) as {
        commitments: { portfolio: string };
      };
      expect(Object.keys(pledge).sort()).to.deep.equal(
        [
          "account",
          "venue",
          "custodian",
          "registration",
          "epoch",
          "issuedAt",
          "portfolioCommitment",
          "signature",
          "validUntil",
        ].sort(),
      );
      expect(pledge.portfolioCommitment).to.equal(opening.commitments.portfolio);
      expect([pledge.custodian, pledge.venue, pledge.registration, pledge.epoch]).to.deep.equal([
        custodian.address,
        venueIdOf("desk venue"),
        "7",
        "2",
      ]);
      const validUntil = BigInt(pledge.validUntil);
      const issuedAt = BigInt(pledge.issuedAt);
      expect(issuedAt >= BigInt(started) && issuedAt <= BigInt(started + 100)).to.equal(true);
      expect(validUntil).to.equal(issuedAt + 3600n);
      const signer = verifyTypedData(
        marginRegistryDomain(31337n, REGISTRY),
        PLEDGE_TYPES,
        {
          custodian: pledge.custodian,
          registration: 7n,
          account: pledge.account,
          venue: pledge.venue,
          portfolioCommitment: BigInt(pledge.portfolioCommitment),
          epoch: 2n,
          issuedAt,
          validUntil,
        },
        pledge.signature,
      );
      expect(signer).to.equal(custodian.address);
      // Without a node, the pledge terms are needed on the command line.
      const withoutTerms = attestArgs(records, path.join(tempDir(), "p.json")).filter(
        (arg, i, all) => arg !== "--epoch" && all[i - 1] !== "--epoch",
      );
      expectRefusal(
        runCli(withoutTerms, { env: { ZKMARGIN_CUSTODIAN_KEY: CUSTODIAN_KEY } }),
        "command line",
        "--epoch",
        /is required without --rpc/,
      );
    });

    it("keeps the pledge ledger (0600) and refuses what the account's live pledges to other venues hold", () => {
      const records = writeInputs().portfolio;
      const dir = tempDir();
      const ledger = path.join(dir, "ledger.json");
      const env = { env: { ZKMARGIN_CUSTODIAN_KEY: CUSTODIAN_KEY } };
      const toVenue = (venue: string, name: string) =>
        attestArgs(records, path.join(dir, name)).map((arg, i, all) =>
          all[i - 1] === "--venue-id" ? venue : arg,
        );
      const first = runCli(toVenue("desk venue", "a.json"), env);
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.contain(
        `added to ${ledger} (the account's live pledges to other venues: 0)`,
      );
      expect(fs.statSync(ledger).mode & 0o777).to.equal(0o600);
      const written = JSON.parse(fs.readFileSync(ledger, "utf8")) as {
        custodian: string;
        pledges: { venue: string; collateral: Record<string, string>; validUntil: string }[];
      };
      expect(written.custodian).to.equal(custodian.address);
      expect(written.pledges.map((p) => p.venue)).to.deep.equal([venueIdOf("desk venue")]);
      expect(written.pledges[0].collateral).to.have.keys("USDC", "WETH", "WBTC");

      // The same holdings to another venue: every unit is already pledged.
      const second = runCli(toVenue("other venue", "b.json"), env);
      expectRefusal(
        second,
        records,
        "collateral.USDC, collateral.WETH, collateral.WBTC, perps.ETH-PERP.size, perps.BTC-PERP.size, " +
          "options.ETH-26JUN26-3000-C.quantity, options.ETH-26JUN26-2600-P.quantity",
        /the account's 1 live pledge\(s\) to other venues; not pledged/,
      );
      expect(fs.existsSync(path.join(dir, "b.json"))).to.equal(false);
      // Again to the first venue: a venue's newer pledge replaces the older one's use.
      const again = runCli(toVenue("desk venue", "c.json"), env);
      expect(again.status, again.stderr).to.equal(0);
      // Once the first pledges have expired, the holdings are free for another venue.
      const expired = JSON.parse(fs.readFileSync(ledger, "utf8")) as typeof written;
      for (const p of expired.pledges) p.validUntil = "1";
      fs.writeFileSync(ledger, JSON.stringify(expired));
      const third = runCli(toVenue("other venue", "d.json"), env);
      expect(third.status, third.stderr).to.equal(0);
      const after = JSON.parse(fs.readFileSync(ledger, "utf8")) as typeof written;
      expect(after.pledges.map((p) => p.venue)).to.deep.equal([
        venueIdOf("desk venue"),
        venueIdOf("desk venue"),
        venueIdOf("other venue"),
      ]);
      // Another custodian's ledger is refused, naming the file.
      const foreign = path.join(tempDir(), "ledger.json");
      fs.writeFileSync(
        foreign,
        JSON.stringify({ ...after, custodian: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" }),
      );
      const args = toVenue("desk venue", "e.json");
      args[args.indexOf("--ledger") + 1] = foreign;
      expectRefusal(runCli(args, env), foreign, "custodian", /not the signing custodian/);
    });

    it("refuses records that differ, naming every differing field and writing nothing", () => {
      const records = writeInputs((d) => {
        d.portfolio.collateral.WETH = "40.4";
        d.portfolio.perps[0].size = "-70";
        d.portfolio.options.pop();
      }).portfolio;
      const file = path.join(tempDir(), "pledge.json");
      const result = runCli(attestArgs(records, file), {
        env: { ZKMARGIN_CUSTODIAN_KEY: CUSTODIAN_KEY },
      });
      expectRefusal(
        result,
        records,
        "collateral.WETH, perps.ETH-PERP.size, options.ETH-26JUN26-2600-P.quantity",
        /differ from the holder's opening, or exceed what the records hold less the account's 0 live pledge\(s\) to other venues; not pledged/,
      );
      expect(result.stderr).to.not.contain("40.4"); // names fields, never values
      expect(fs.existsSync(file)).to.equal(false);
    });

    it("signs with an encrypted keystore and refuses without a key", async () => {
      const dir = tempDir();
      const keystore = path.join(dir, "custodian.json");
      fs.writeFileSync(
        keystore,
        await encryptKeystoreJson(custodian, "correct horse", { scrypt: { N: 1024 } }),
      );
      const records = writeInputs().portfolio;
      const file = path.join(dir, "pledge.json");
      const signed = runCli([...attestArgs(records, file), "--keystore", keystore], {
        env: { ZKMARGIN_KEYSTORE_PASSWORD: "correct horse", ZKMARGIN_CUSTODIAN_KEY: undefined },
      });
      expect(signed.status, signed.stderr).to.equal(0);
      const pledge = JSON.parse(fs.readFileSync(file, "utf8")) as { custodian: string };
      expect(pledge.custodian).to.equal(custodian.address);

      const wrongPassword = runCli([...attestArgs(records, file), "--keystore", keystore], {
        env: { ZKMARGIN_KEYSTORE_PASSWORD: "wrong", ZKMARGIN_CUSTODIAN_KEY: undefined },
      });
      expectRefusal(wrongPassword, keystore, "$", /cannot decrypt/);
      const noKey = runCli(attestArgs(records, file), {
        env: { ZKMARGIN_CUSTODIAN_KEY: undefined },
      });
      expectRefusal(noKey, "environment", "ZKMARGIN_CUSTODIAN_KEY", /must hold/);
    });
  });

  describe("refuses bad input files with one line naming the file, field and rule", () => {
    // A sample of the table (every entry runs in-process in sdk.test.ts); spawning costs ~1 s each.
    const sample = BAD_INPUTS.filter((_, i) => i % 4 === 0);
    for (const bad of sample) {
      it(bad.name, () => {
        const files = writeInputs(bad.mutate);
        const target = path.join(path.dirname(files.policy), "proofs");
        const result = runCli([
          "prove",
          ...inputArgs(files),
          "--out",
          target,
          "--instance",
          "small",
        ]);
        expectRefusal(result, files[bad.file], bad.path, bad.rule);
        expect(fs.existsSync(target)).to.equal(false);
      });
    }

    it("a missing option or an unknown verb, as one line", () => {
      const missing = runCli(["prove", "--policy", EXAMPLE_FILES.policy]);
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.equal(
        "zkmargin: command line: required option '--market <file>' not specified (see --help)\n",
      );
      const unknown = runCli(["frobnicate"]);
      expect(unknown.status).to.equal(1);
      expect(unknown.stderr).to.equal(
        "zkmargin: command line: unknown command 'frobnicate' (see --help)\n",
      );
    });

    it("a bad --nonce", () => {
      const result = runCli(["prove", ...inputArgs(EXAMPLE_FILES), "--nonce", "1e3"]);
      expectRefusal(result, "command line", "--nonce", /decimal integer/);
    });

    it("a beacon that is not hex; a block hash with 0x is accepted", () => {
      const dir = path.join(tempDir(), "no-ceremony");
      const bad = runCli(["ceremony", "beacon", "--dir", dir, "--hash", "0xzz"]);
      expectRefusal(
        bad,
        "command line",
        "--hash",
        /must be 1 to 255 bytes of hex, with or without 0x/,
      );
      const blockHash = `0x${"9c6e0f4b".repeat(8)}`;
      expect(parseBeaconHash(blockHash)).to.equal("9c6e0f4b".repeat(8));
      expect(parseBeaconHash("0X0c1e")).to.equal("0c1e");
      // Past the hash: the folder holds no ceremony, and that is what is refused.
      const noDir = runCli(["ceremony", "beacon", "--dir", dir, "--hash", blockHash]);
      expect(noDir.status).to.equal(1);
      expect(noDir.stderr).to.not.match(/--hash|hex/);
    });
  });

  describe("the command line as a whole", () => {
    it("--version prints the package's version", () => {
      const version = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
      for (const flag of ["--version", "-V"]) {
        const run = runCli([flag]);
        expect([run.status, run.stdout]).to.deep.equal([0, `${version}\n`]);
      }
    });

    it("--help groups the verbs by who runs them, each verb in one group", () => {
      const help = runCli(["--help"]).stdout;
      const headings = [
        "Institutions (provers):",
        "Custodians:",
        "Venues and protocols:",
        "Oracle publishers:",
        "Counterparties and auditors:",
        "Operators and setup:",
      ];
      const at = headings.map((h) => help.indexOf(`\n${h}\n`));
      expect(
        at.every((i) => i > 0),
        help,
      ).to.equal(true);
      expect([...at].sort((a, b) => a - b)).to.deep.equal(at); // in this order
      const section = (h: string) => {
        const start = help.indexOf(`\n${h}\n`);
        const next = at.filter((i) => i > start).sort((a, b) => a - b)[0] ?? help.length;
        return help.slice(start, next);
      };
      expect(section("Institutions (provers):")).to.match(/\n {2}prove \[options\]/);
      expect(section("Custodians:")).to.match(/\n {2}attest \[options\]/);
      expect(section("Venues and protocols:")).to.match(/\n {2}status \[options\]/);
      expect(section("Oracle publishers:")).to.match(/\n {2}publish \[options\]/);
      expect(section("Counterparties and auditors:")).to.match(/\n {2}verify \[options\]/);
      expect(section("Operators and setup:")).to.match(/\n {2}keystore /);
      expect(help).to.not.match(/\nCommands:\n/); // no verb left ungrouped
    });

    it("verify and inspect --help count the public signals from the circuit's list", () => {
      const signals =
        `3 + C public signals, C its instance's pledge slots ` +
        `(${PUBLIC_SIGNAL_NAMES.slice(0, 3).join(", ")}, then one portfolioCommitment per pledge slot)`;
      for (const verb of ["verify", "inspect"]) {
        const help = runCli([verb, "--help"]).stdout.replace(/\s+/g, " ");
        expect(help, verb).to.contain(signals);
        expect(help, verb).to.not.match(/\b(five|four|[45]) public signals/);
      }
    });
  });

  describe("keystore", () => {
    const PASSWORD = { ZKMARGIN_KEYSTORE_PASSWORD: "correct horse battery" };

    it("new writes an encrypted 0600 keystore, prints its address, and never overwrites it", async () => {
      const file = path.join(tempDir(), "keys", "publisher.json");
      const made = runCli(["keystore", "new", "--out", file], { env: PASSWORD });
      expect(made.status, made.stderr).to.equal(0);
      const address = /for (0x[0-9a-fA-F]{40})$/m.exec(made.stdout)?.[1];
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      const wallet = await Wallet.fromEncryptedJson(
        fs.readFileSync(file, "utf8"),
        PASSWORD.ZKMARGIN_KEYSTORE_PASSWORD,
      );
      expect(wallet.address).to.equal(address);
      expect(made.stdout + made.stderr).to.not.contain(wallet.privateKey.slice(2));
      const shown = runCli(["keystore", "address", "--keystore", file]);
      expect([shown.status, shown.stdout]).to.deep.equal([0, `${address}\n`]);
      const before = fs.readFileSync(file, "utf8");
      const again = runCli(["keystore", "new", "--out", file], { env: PASSWORD });
      expectRefusal(again, file, "$", /already exists; a keystore is never overwritten/);
      expect(fs.readFileSync(file, "utf8")).to.equal(before);
    });

    it("import encrypts a key named by --key-env, or piped, and attest signs with it", () => {
      const dir = tempDir();
      const file = path.join(dir, "custodian.json");
      const imported = runCli(
        ["keystore", "import", "--key-env", "MY_CUSTODIAN_KEY", "--out", file],
        { env: { ...PASSWORD, MY_CUSTODIAN_KEY: CUSTODIAN_KEY } },
      );
      expect(imported.status, imported.stderr).to.equal(0);
      const custodian = new Wallet(CUSTODIAN_KEY).address;
      expect(imported.stdout).to.equal(`wrote ${file} (mode 0600) for ${custodian}\n`);
      expect(imported.stdout + imported.stderr).to.not.contain(CUSTODIAN_KEY.slice(2));
      const piped = spawnSync(
        process.execPath,
        [BIN, "keystore", "import", "--out", path.join(dir, "piped.json")],
        {
          input: `${CUSTODIAN_KEY.slice(2)}\n`,
          env: { ...process.env, ...PASSWORD },
          encoding: "utf8",
        },
      );
      expect(piped.status, piped.stderr).to.equal(0);
      expect(piped.stdout).to.contain(custodian);
      const pledge = path.join(dir, "pledge.json");
      const signed = runCli(
        [
          ...["attest", "--opening", path.join(out, "opening.json"), "--records"],
          ...[writeInputs().portfolio, "--policy", EXAMPLE_FILES.policy, "--market"],
          ...[EXAMPLE_FILES.market, "--registry", REGISTRY, "--chain-id", "31337"],
          ...["--venue-id", "desk venue", "--registration", "1", "--epoch", "0"],
          ...["--keystore", file, "--out", pledge, "--ledger", path.join(dir, "ledger.json")],
        ],
        { env: { ...PASSWORD, ZKMARGIN_CUSTODIAN_KEY: undefined } },
      );
      expect(signed.status, signed.stderr).to.equal(0);
      expect(
        (JSON.parse(fs.readFileSync(pledge, "utf8")) as { custodian: string }).custodian,
      ).to.equal(custodian);
    });

    it("refuses a short password, a missing one without a terminal, and a bad key, writing nothing", () => {
      const file = path.join(tempDir(), "k.json");
      const short = runCli(["keystore", "new", "--out", file], {
        env: { ZKMARGIN_KEYSTORE_PASSWORD: "short" },
      });
      expectRefusal(short, "environment", "ZKMARGIN_KEYSTORE_PASSWORD", /at least 8 characters/);
      const none = runCli(["keystore", "new", "--out", file], {
        env: { ZKMARGIN_KEYSTORE_PASSWORD: undefined },
      });
      expectRefusal(none, "environment", "ZKMARGIN_KEYSTORE_PASSWORD", /or run in a terminal/);
      const badKey = runCli(["keystore", "import", "--key-env", "K", "--out", file], {
        env: { ...PASSWORD, K: "0x1234" },
      });
      expectRefusal(badKey, "environment", "K", /must be a 32-byte hex private key/);
      expect(badKey.stderr).to.not.contain("1234");
      expect(fs.existsSync(file)).to.equal(false);
    });
  });
});
