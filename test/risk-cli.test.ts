/**
 * `zkmargin scenarios`, spawned as a publisher runs it, on the desk round and its synthetic
 * history: the market file it writes (atomically, never over an existing file without --force),
 * the summary on stderr, and one-line refusals naming the file, the place and the rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { loadMarket, loadPolicy } from "../prover/src/inputs";
import { ROOT, removeTempDirs, runCli, tempDir, type CliResult } from "./helpers/cli";

const DESK = path.join(ROOT, "examples", "desk");
const HISTORY = path.join(DESK, "history.csv");
const MARKET = path.join(DESK, "market.json");
const POLICY = path.join(DESK, "policy.json");
const PROXIES = ["--proxy", "WETH=ETH", "--proxy", "WBTC=BTC", "--proxy", "wstETH=ETH"];

/** `zkmargin scenarios` on the desk files (overridable), writing to `out`. */
function scenarios(
  out: string,
  extra: string[] = [],
  files: { history?: string; market?: string } = {},
): CliResult {
  return runCli([
    "scenarios",
    "--history",
    files.history ?? HISTORY,
    "--market",
    files.market ?? MARKET,
    "--policy",
    POLICY,
    ...PROXIES,
    "--out",
    out,
    ...extra,
  ]);
}

/** A refusal: exit 1 and one line `zkmargin: <file>: <where>: <rule>`. */
function expectRefusal(result: CliResult, file: string, where: string, rule: RegExp): void {
  expect(result.status, result.stderr).to.equal(1);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines, result.stderr).to.have.length(1);
  const prefix = `zkmargin: ${file}: ${where}: `;
  expect(lines[0].startsWith(prefix), `${lines[0]} should start with ${prefix}`).to.equal(true);
  expect(lines[0].slice(prefix.length)).to.match(rule);
}

describe("zkmargin scenarios (CLI)", function () {
  after(removeTempDirs);

  it("writes the desk round with 16 joint scenarios and prints the summary to stderr", () => {
    const out = path.join(tempDir(), "round", "market.json");
    const result = scenarios(out);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.equal("");
    for (const part of [
      "EWMA lambda 0.94; scan 3 sigma over 2 days; 3 components",
      "WETH->ETH, WBTC->BTC, wstETH->ETH",
      "ETH moves WETH, wstETH, ETH-PERP, ETH-26JUN26-3000-C, ETH-26JUN26-2600-P",
      "Principal components",
      "Scenarios (K = 16)",
      "ETH-26JUN26-3000-C",
      `wrote ${out}: 16 scenarios for 6 assets, 2 perps and 2 option series`,
    ]) {
      expect(result.stderr).to.include(part);
    }
    const written = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, unknown> & {
      scenarios: {
        labels: string[];
        assets: Record<string, string[]>;
        perps: Record<string, string[]>;
      };
    };
    expect(written.scenarios.labels).to.have.length(16);
    const policy = loadPolicy(POLICY);
    expect(Object.keys(written.scenarios.assets)).to.deep.equal(policy.assets.map((a) => a.symbol));
    expect(Object.keys(written.scenarios.perps)).to.deep.equal(
      policy.perps.map((p) => p.instrument),
    );
    // The written file is a round the project reads whole.
    const market = loadMarket(out);
    expect(market.scenarios!.labels).to.deep.equal(written.scenarios.labels);
    for (const quote of market.options.values()) expect(quote.riskArrayMicroUsd).to.have.length(16);
    // The options change K: one component, ETH and BTC alone.
    const small = path.join(tempDir(), "small.json");
    const run = scenarios(small, [
      "--components",
      "1",
      "--singles",
      "ETH,BTC",
      "--z",
      "2.33",
      "--horizon-days",
      "1",
    ]);
    expect(run.status, run.stderr).to.equal(0);
    const smallJson = JSON.parse(fs.readFileSync(small, "utf8")) as {
      scenarios: { labels: string[] };
    };
    expect(smallJson.scenarios.labels).to.deep.equal([
      "PC1-up",
      "PC1-down",
      "ETH-up",
      "ETH-down",
      "BTC-up",
      "BTC-down",
    ]);
  });

  it("makes the README's 8-scenario round, which `zkmargin margin` uses under the portfolio policy", () => {
    const dir = tempDir();
    const out = path.join(dir, "market.json");
    const portfolioPolicy = path.join(ROOT, "examples", "portfolio", "policy.json");
    const made = runCli([
      "scenarios",
      "--history",
      HISTORY,
      "--market",
      MARKET,
      "--policy",
      portfolioPolicy,
      ...PROXIES,
      "--components",
      "2",
      "--singles",
      "ETH,BTC",
      "--out",
      out,
    ]);
    expect(made.status, made.stderr).to.equal(0);
    expect(made.stderr).to.include(`wrote ${out}: 8 scenarios`);
    const margin = runCli([
      "margin",
      "--policy",
      portfolioPolicy,
      "--market",
      out,
      "--portfolio",
      path.join(ROOT, "examples", "portfolio", "portfolio.json"),
      "--json",
    ]);
    expect(margin.status, margin.stderr).to.equal(0);
    const report = JSON.parse(margin.stdout) as {
      margin: string;
      scenarios: { label: string; lossMicroUsd: string }[];
      bindingScenario: number | null;
      concentration: unknown[];
      sufficient: boolean;
    };
    expect(report.margin).to.equal("portfolio");
    // The generated round's labels (checked one by one in risk.test.ts), the demo instance's 8.
    const labels = loadMarket(out).scenarios!.labels;
    expect(labels).to.have.length(8);
    expect(report.scenarios.map((s) => s.label)).to.deep.equal(labels);
    const losses = report.scenarios.map((s) => BigInt(s.lossMicroUsd));
    const worst = losses.indexOf(losses.reduce((m, x) => (x > m ? x : m)));
    expect(report.bindingScenario).to.equal(worst);
    expect(report.concentration).to.have.length(2);
    expect(report.sufficient).to.equal(true);
  });

  it("is deterministic, and regenerates from its own output (risk arrays and scenarios replaced)", () => {
    const dir = tempDir();
    const first = path.join(dir, "first.json");
    const second = path.join(dir, "second.json");
    expect(scenarios(first).status).to.equal(0);
    const again = scenarios(second, [], { market: first });
    expect(again.status, again.stderr).to.equal(0);
    expect(fs.readFileSync(second, "utf8")).to.equal(fs.readFileSync(first, "utf8"));
  });

  it("never overwrites without --force, and overwrites with it", () => {
    const out = path.join(tempDir(), "market.json");
    fs.writeFileSync(out, "keep me");
    expectRefusal(scenarios(out), out, "$", /already exists; pass --force/);
    expect(fs.readFileSync(out, "utf8")).to.equal("keep me");
    const forced = scenarios(out, ["--force"]);
    expect(forced.status, forced.stderr).to.equal(0);
    expect(fs.readFileSync(out, "utf8")).to.include('"scenarios"');
  });

  it("refuses a bad history row with file, line, column and rule, and writes nothing", () => {
    const dir = tempDir();
    const bad = path.join(dir, "history.csv");
    const lines = fs.readFileSync(HISTORY, "utf8").split("\n");
    const cells = lines[100].split(","); // line 101: date,ETH,BTC,...
    cells[2] = `-${cells[2]}`;
    lines[100] = cells.join(",");
    fs.writeFileSync(bad, lines.join("\n"));
    const out = path.join(dir, "out.json");
    expectRefusal(
      scenarios(out, [], { history: bad }),
      bad,
      "line 101, column BTC",
      /must not be negative/,
    );
    expect(fs.existsSync(out)).to.equal(false);
  });

  it("refuses a bad market (unparsable option name, mark outside the bounds) naming the field", () => {
    const dir = tempDir();
    const market = JSON.parse(fs.readFileSync(MARKET, "utf8")) as {
      options: Record<string, { mark: string }>;
    };
    market.options["ETH-26JUN26-2600-P"].mark = "2600";
    const file = path.join(dir, "market.json");
    fs.writeFileSync(file, JSON.stringify(market));
    expectRefusal(
      scenarios(path.join(dir, "out.json"), [], { market: file }),
      file,
      "options.ETH-26JUN26-2600-P.mark",
      /below 2600 USD, the discounted strike/,
    );
    const named = JSON.parse(fs.readFileSync(MARKET, "utf8")) as {
      prices: Record<string, string>;
      options: Record<string, unknown>;
    };
    named.options["ETH-JUNE-3000-CALL"] = { mark: "1" };
    fs.writeFileSync(file, JSON.stringify(named));
    expectRefusal(
      scenarios(path.join(dir, "out.json"), [], { market: file }),
      file,
      "options.ETH-JUNE-3000-CALL",
      /Deribit/,
    );
    fs.writeFileSync(file, JSON.stringify({ ...named, prices: { ...named.prices, ETH: "3e3" } }));
    expectRefusal(
      scenarios(path.join(dir, "out.json"), [], { market: file }),
      file,
      "prices.ETH",
      /exponent/,
    );
  });

  it("refuses bad options naming the flag", () => {
    const out = path.join(tempDir(), "out.json");
    expectRefusal(
      scenarios(out, ["--lambda", "1.5"]),
      "command line",
      "--lambda",
      /between 0 and 1/,
    );
    expectRefusal(
      scenarios(out, ["--components", "9"]),
      "command line",
      "--components",
      /from 0 to 5/,
    );
    expectRefusal(
      scenarios(out, ["--singles", "ETH,SOL"]),
      "command line",
      "--singles",
      /SOL is not a factor/,
    );
    expectRefusal(scenarios(out, ["--proxy", "WETH"]), "command line", "--proxy", /SYMBOL=COLUMN/);
    expectRefusal(
      scenarios(out, ["--proxy", "DOGE=ETH"]),
      "command line",
      "--proxy",
      /DOGE is not an asset/,
    );
    expect(fs.existsSync(out)).to.equal(false);
  });
});
