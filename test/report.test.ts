/**
 * The visual reports and the page's build and server, without a browser: number formatting, what
 * the margin and audit reports contain (and leave out), escaping, file permissions, the static
 * server's path handling and the site build's refusals. The browser suite (web.test.ts) opens them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { auditPolicy, formatAudit, type AuditResult } from "../prover/src/audit";
import type { ChainAuditData } from "../prover/src/audit/chain";
import { policyCommitmentOf } from "../prover/src/commitments";
import { loadInstances } from "../prover/src/encoding/instances";
import { formatUnits } from "../prover/src/decimal";
import {
  checkConsistency,
  loadMarket,
  loadPolicy,
  loadPortfolio,
  parseMarket,
  parsePolicy,
  parsePortfolio,
  type Policy,
} from "../prover/src/inputs";
import { computeMargin, formatReport, type MarginReport } from "../prover/src/model";
import {
  auditReportHtml,
  auditReportMarkdown,
  esc,
  marginReportHtml,
  writeAuditReports,
} from "../prover/src/report";
import { groupThousands, percent, usdCents } from "../prover/src/report/format";
import { feedIdOf, layoutIdOf, layoutOf } from "../prover/src/layout";
import { MANIFEST_VERSION } from "../prover/src/setup/manifest";
import { buildSite, parseExplorers } from "../prover/src/web/build-site";
import { explorerTxUrl } from "../prover/src/web/site";
import { InputError } from "../prover/src/errors";
import { resolveInside, serveSite } from "../prover/src/web/serve";
import { ROOT, SMALL_EXAMPLES, example } from "./helpers/cli";
import { freePort } from "./helpers/ports";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";

const EXAMPLES = path.join(ROOT, "examples");

/** The report of `zkmargin margin` on example files (folder/name), checked as the CLI checks them. */
function exampleReport(
  policyFile: string,
  marketFile: string,
  portfolioFile: string,
  change: { policy?: (json: Json) => void } = {},
): { report: MarginReport; policy: Policy } {
  const json = readJson(path.join(EXAMPLES, policyFile));
  change.policy?.(json);
  const policy = parsePolicy(json, policyFile);
  const market = loadMarket(path.join(EXAMPLES, marketFile));
  const portfolio = loadPortfolio(path.join(EXAMPLES, portfolioFile), policy);
  checkConsistency(policy, market, portfolio, {
    policy: policyFile,
    market: marketFile,
    portfolio: portfolioFile,
  });
  return { report: computeMargin(policy, market, portfolio), policy };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, "utf8")) as Json;

/** examples/desk: a standard policy, a round without a scenario set. */
const desk = exampleReport("desk/policy.json", "desk/market.json", "desk/portfolio.json");
/** examples/portfolio: the hedged desk under portfolio margin, joint scenarios and two groups. */
const hedged = exampleReport(
  "portfolio/policy.json",
  "portfolio/market.json",
  "portfolio/portfolio.json",
);
const policy = loadPolicy(path.join(SMALL_EXAMPLES, "policy.json"));
const report = computeMargin(
  policy,
  loadMarket(path.join(SMALL_EXAMPLES, "market.json")),
  loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy),
);

/** The text of an HTML string's rows of a chart or table whose row header contains `label`. */
function rowOf(html: string, label: string): string {
  const row = html.split("<tr").find((r) => r.includes(label));
  expect(row, `a row for ${label}`).to.not.equal(undefined);
  return row!;
}

describe("visual reports", function () {
  describe("number formatting", () => {
    it("rounds µUSD to the cent half away from zero and groups thousands", () => {
      expect(usdCents(1_234_567_890n)).to.equal("1,234.57");
      expect(usdCents(4_999n)).to.equal("0.00");
      expect(usdCents(5_000n)).to.equal("0.01");
      expect(usdCents(-5_000n)).to.equal("-0.01");
      expect(usdCents(-1_000_000_000_000n)).to.equal("-1,000,000.00");
      expect(groupThousands("-1234567.125")).to.equal("-1,234,567.125");
    });

    it("truncates ppm percentages to the decimals shown", () => {
      expect(percent(1_823_456n)).to.equal("182.34 %");
      expect(percent(1_250_000n)).to.equal("125.00 %");
      expect(percent(15_156_600n, 0)).to.equal("1,515 %");
    });
  });

  describe("margin report", () => {
    it("shows every asset and position, the totals, the ratio against the minimum and the verdict", () => {
      const r = desk.report;
      const html = marginReportHtml(r, { policy: desk.policy });
      expect(html).to.match(/^<!doctype html>/);
      expect(html).to.include("default-src 'none'").and.not.to.include("<script");
      expect(html).to.include("(maintenance, standard margin)");
      for (const a of r.assets) {
        expect(rowOf(html, `${a.symbol} after haircut`)).to.include(
          usdCents(a.haircutValueMicroUsd),
        );
      }
      for (const p of r.perps) {
        expect(rowOf(html, `${p.instrument} margin`)).to.include(usdCents(p.requirementMicroUsd));
        expect(rowOf(html, `${p.instrument} unrealized PnL`)).to.include(usdCents(p.pnlMicroUsd));
      }
      expect(html).to.include(`ratio ${percent(r.ratioPpm!)}`);
      expect(html).to.include(`minimum ${percent(r.minRatioPpm)} (met)`);
      expect(html).to.include("SUFFICIENT").and.to.include(usdCents(r.excessMicroUsd));
      // Prices in USD from their 1e-12 USD unit; amounts in whole tokens with the policy, base
      // units without it.
      const weth = r.assets.find((a) => a.symbol === "WETH")!;
      expect(rowOf(html, ">WETH<"))
        .to.include(">3,012.55<")
        .and.to.include(`>${groupThousands(formatUnits(weth.amount, 18))}<`);
      expect(rowOf(marginReportHtml(r), ">WETH<")).to.include(
        `>${groupThousands(weth.amount.toString())}<`,
      );
      expect(rowOf(html, ">ETH-PERP<")).to.include(">3,012.55<");
      // A standard policy: no joint scenarios, no concentration section.
      expect(html).to.include("Option scenarios").and.not.to.include("Joint scenarios");
      expect(html).not.to.include("Concentration limits");
    });

    it("standard margin: every option scenario's loss, the binding one marked", () => {
      const r = desk.report;
      expect(r.bindingScenario).to.not.equal(null);
      const k = r.bindingScenario!;
      const html = marginReportHtml(r);
      // A round without a scenario set: the model numbers the scenarios 1..K.
      expect(rowOf(html, "(binds)")).to.include(`scenario ${k + 1}`);
      expect(html).to.include(
        `Scenario ${k + 1} binds: its loss ${usdCents(r.scenarios[k].lossMicroUsd)} USD is the option requirement.`,
      );
      r.scenarios.forEach((s, i) =>
        expect(rowOf(html, `>scenario ${i + 1}`)).to.include(usdCents(s.lossMicroUsd)),
      );
      expect(rowOf(html, `Options scan risk (scenario ${k + 1})`)).to.include(
        usdCents(r.options.requirementMicroUsd),
      );
    });

    it("portfolio margin: the joint loss of each labelled scenario, the binding one, R", () => {
      const r = hedged.report;
      const html = marginReportHtml(r, { policy: hedged.policy });
      expect(html).to.include("(maintenance, portfolio margin)").and.to.include("Joint scenarios");
      expect(r.scenarios).to.have.length(8);
      for (const s of r.scenarios)
        expect(rowOf(html, `>${s.label}`)).to.include(usdCents(s.lossMicroUsd));
      const k = r.bindingScenario!;
      const label = r.scenarios[k].label;
      expect(label).to.match(/^rally/);
      expect(rowOf(html, "(binds)")).to.include(label);
      expect(html).to.include(
        `Scenario &quot;${label}&quot; binds: its loss ${usdCents(r.scenarios[k].lossMicroUsd)} USD is the portfolio scan risk R.`,
      );
      expect(rowOf(html, `Portfolio scan risk (${label})`)).to.include(
        usdCents(r.options.requirementMicroUsd),
      );
      expect(r.options.requirementMicroUsd).to.equal(r.scenarios[k].lossMicroUsd);
      expect(html).to.include("add-on (USD)");
      for (const p of r.perps) {
        expect(rowOf(html, `${p.instrument} add-on`)).to.include(usdCents(p.requirementMicroUsd));
      }
    });

    it("portfolio margin: each concentration group's haircut value, cap, credited value and excess", () => {
      const r = hedged.report;
      const html = marginReportHtml(r, { policy: hedged.policy });
      expect(r.concentration).to.have.length(2);
      const table = html.slice(html.indexOf("<caption>Concentration groups"));
      for (const g of r.concentration) {
        const row = rowOf(table, `>${g.assets.join(" + ")}<`);
        for (const cell of [
          percent(g.maxSharePpm),
          usdCents(g.haircutMicroUsd),
          usdCents(g.capMicroUsd),
          usdCents(g.creditedMicroUsd),
          usdCents(g.excessMicroUsd),
        ]) {
          expect(row, g.assets.join("+")).to.include(`>${cell}<`);
        }
      }
      const [eth, usdt] = r.concentration;
      expect(eth.excessMicroUsd > 0n && usdt.excessMicroUsd === 0n).to.equal(true);
      expect(rowOf(html, "WETH + wstETH <span")).to.include(
        `over its cap by ${usdCents(eth.excessMicroUsd)} USD`,
      );
      const chart = html.slice(html.indexOf("<figcaption>Credited value per group"));
      expect(rowOf(chart, ">USDT</th>")).not.to.include("over its cap");
      expect(rowOf(html, ">Concentration excess<")).to.include(`-${usdCents(eth.excessMicroUsd)}`);
      expect(html).to.include(
        `Concentration excess (off equity)</dt><dd>${usdCents(eth.excessMicroUsd)} USD`,
      );
    });

    it("says when the short-option minimum binds instead of the worst scenario, in both models", () => {
      for (const [folder, market] of [
        ["portfolio", "portfolio/market.json"],
        ["desk", "desk/market.json"],
      ]) {
        const { report: r } = exampleReport(
          `${folder}/policy.json`,
          market,
          "portfolio/portfolio.json",
          { policy: (p) => void (p.shortOptionMinimum = "5000") }, // 10 000 short puts: 50 M USD
        );
        expect(r.bindingScenario, folder).to.equal(null);
        const worst = r.scenarios.reduce(
          (m, s, k, all) => (s.lossMicroUsd > all[m].lossMicroUsd ? k : m),
          0,
        );
        const html = marginReportHtml(r);
        expect(html, folder).not.to.include("(binds)");
        expect(rowOf(html, "(worst; the short-option minimum binds)"), folder).to.include(
          esc(r.scenarios[worst].label),
        );
        expect(html, folder).to.include(
          `No scenario binds: the short-option minimum (${usdCents(r.options.shortOptionMinimumMicroUsd)} USD) is larger than the worst loss`,
        );
        expect(rowOf(html, ">Short-option minimum<"), folder).to.include(
          usdCents(r.options.requirementMicroUsd),
        );
      }
    });

    it("says when no scenario loses", () => {
      const flat = computeMargin(
        hedged.policy,
        loadMarket(path.join(EXAMPLES, "portfolio", "market.json")),
        parsePortfolio(
          {
            account: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
            collateral: { BUIDL: "1000" },
            perps: [],
            options: [],
          },
          "flat.json",
          hedged.policy,
        ),
      );
      expect(flat.bindingScenario).to.equal(null);
      const html = marginReportHtml(flat);
      expect(html).to.include("No scenario binds: no scenario loses money.");
      expect(html).not.to.include("(binds)").and.not.to.include("(worst;");
    });

    it("shows a shortfall as such", () => {
      const { report: shortfall } = exampleReport(
        "desk/policy.json",
        "desk/market.json",
        "shortfall/portfolio.json",
      );
      const html = marginReportHtml(shortfall);
      expect(shortfall.sufficient).to.equal(false);
      expect(html)
        .to.include("SHORTFALL")
        .and.to.include(`shortfall ${usdCents(-shortfall.excessMicroUsd)} USD`);
      expect(html).to.include("(not met)");
    });

    it("escapes what the files name", () => {
      const market = readJson(path.join(EXAMPLES, "portfolio", "market.json"));
      market.scenarios.labels[7] = `<img src=x onerror="alert(1)">`;
      const r = computeMargin(
        hedged.policy,
        parseMarket(market, "market.json"),
        loadPortfolio(path.join(EXAMPLES, "portfolio", "portfolio.json"), hedged.policy),
      );
      const html = marginReportHtml({ ...r, policyId: `<b onclick="x()">` });
      expect(html).not.to.include("<img").and.not.to.include("<b ");
      expect(html).to.include("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
      expect(html).to.include("&lt;b onclick=&quot;x()&quot;&gt;");
    });
  });

  describe("audit report", () => {
    const event = (account: string, nonce: bigint, blockNumber: number) => ({
      account,
      policyId: `0x${"ab".repeat(32)}`,
      round: 7n,
      nonce,
      portfolioCommitments: [123456789n + nonce],
      blockNumber,
      transactionHash: `0x${blockNumber.toString(16).padStart(64, "0")}`,
      roundTimestamp: 1764072000n,
      marketCommitment: 42n,
    });
    const alice = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const bob = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    /** When the audits below "ran", and the tool that ran them. */
    const provenance = { checkedAt: "2025-11-25T12:00:00Z", tool: "zkmargin 9.9.9" };
    const chain: AuditResult<ChainAuditData> = {
      audit: "chain",
      subject: "MarginRegistry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
      ok: false,
      development: [],
      ...provenance,
      checks: [
        { status: "pass", title: "events read", detail: "3 event(s)" },
        { status: "fail", title: "a | pipe", detail: "<script>alert(1)</script>" },
        { status: "info", title: "note", detail: "" },
      ],
      data: {
        registry: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
        marketBook: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        pledges: [],
        skipped: [],
        batches: [],
        events: [
          event(alice, 2n, 30),
          { ...event(bob, 1n, 20), roundInvalid: true },
          event(alice, 1n, 10),
        ],
        policies: [
          {
            policyId: `0x${"ab".repeat(32)}`,
            commitment: 99n,
            mode: "maintenance",
            verifier: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
            verificationKeyHash: `0x${"cd".repeat(32)}`,
            feed: `0x00${"ef".repeat(31)}`,
            venue: `0x${"5e".repeat(32)}`,
            pledgeSlots: 1,
            maxRoundAge: 3600n,
            supersededGrace: 600n,
            requiresPledges: true,
            cureWindow: 0n,
            retired: false,
            instance: "small",
          },
        ],
      },
    };

    it("lists every check with its status and each account's timeline, oldest first", () => {
      const html = auditReportHtml(chain);
      expect(html)
        .to.include("AUDIT FAILED")
        .and.to.include("1 passed, 1 failed, 0 skipped, 0 warnings");
      expect(html).to.include("&lt;script&gt;").and.not.to.include("<script>");
      const aliceTimeline = html.slice(
        html.indexOf(`Account ${alice}`),
        html.indexOf(`Account ${bob}`),
      );
      expect(aliceTimeline.indexOf("nonce 1")).to.be.below(aliceTimeline.indexOf("nonce 2"));
      expect(html.match(/<li[ >]/g)).to.have.length(3);
      const md = auditReportMarkdown(chain);
      expect(md).to.include("| FAIL | a \\| pipe | <script>alert(1)</script> |");
      expect(md).to.include(`### Account ${alice}`).and.to.include(`### Account ${bob}`);
      expect(md.match(/^\| (10|20|30) \|/gm)).to.have.length(3);
      // A round the publisher invalidated later is marked on the timeline.
      const bobTimeline = html.slice(html.indexOf(`Account ${bob}`));
      expect(bobTimeline).to.include("round invalidated");
      expect(aliceTimeline).not.to.include("round invalidated");
      expect(md).to.match(/^\| 20 \|.*\| round invalidated \|$/m);
    });

    it("dates each report, names the tool, and never shows a development setup as a green pass", () => {
      const passed: AuditResult<unknown> = {
        ...chain,
        audit: "keys",
        ok: true,
        checks: [{ status: "warn", title: "setup kind: DEVELOPMENT KEYS", detail: "" }],
        data: {},
        development: ["development keys of instance small", "development ptau pot13-dev"],
      };
      const html = auditReportHtml(passed);
      const md = auditReportMarkdown(passed);
      const text = formatAudit(passed);
      for (const report of [html, md, text]) {
        expect(report).to.include("checked 2025-11-25T12:00:00Z by zkmargin 9.9.9");
        expect(report).to.include("AUDIT PASSED ON A DEVELOPMENT SETUP");
        expect(report).to.include("development keys of instance small; development ptau pot13-dev");
      }
      expect(html).not.to.include(`class="badge badge-good"`);
      expect(html).to.include(
        '<span class="badge badge-warn">AUDIT PASSED ON A DEVELOPMENT SETUP</span>',
      );
      expect(md).to.include("> **DEVELOPMENT SETUP**, not for production:");
      expect(text).to.match(/^development setup, not for production: development keys/m);
      // A production setup passes plainly, in green; a failure stays red and still names the setup.
      const production = { ...passed, development: [] };
      expect(auditReportHtml(production)).to.include(
        '<span class="badge badge-good">AUDIT PASSED</span>',
      );
      expect(auditReportMarkdown(production)).not.to.include("DEVELOPMENT SETUP");
      expect(formatAudit(production)).not.to.include("development setup");
      const failed = auditReportHtml({ ...passed, ok: false });
      expect(failed).to.include('<span class="badge badge-bad">AUDIT FAILED</span>');
      expect(failed).to.include("DEVELOPMENT SETUP").and.not.to.include(`class="badge badge-good"`);
    });

    it("lists each registered policy with its mode, layout feed, key hash, round rules, venue and pledges", () => {
      const row = rowOf(auditReportHtml(chain), "0xabababab");
      for (const cell of [
        "maintenance, active",
        "0x00efefef",
        "small",
        "3600 s",
        "600 s",
        "0x5e5e5e5e",
        "required (1 slot)",
      ]) {
        expect(row).to.include(cell);
      }
      const p = chain.data.policies[0];
      expect(auditReportMarkdown(chain)).to.include(
        `| \`${p.policyId}\` | maintenance, active | \`${p.feed}\` | \`${p.verifier}\` | \`${p.verificationKeyHash}\` | small | 3600 s | 600 s | \`${p.venue}\` | required (1 slot) |`,
      );
    });

    it("shows what `audit policy` computed (id, layout, feed, commitment) or each rule broken", async () => {
      const dims = loadInstances().small;
      const passed = await auditPolicy({
        json: example("policy"),
        file: "policy.json",
        instance: "small",
      });
      expect(passed.ok, JSON.stringify(passed.checks)).to.equal(true);
      // Computed here independently of the audit: the layout id and the commitment of the file.
      const layoutId = layoutIdOf(layoutOf(policy, dims));
      const { policy: commitment } = await policyCommitmentOf(policy, dims);
      const html = auditReportHtml(passed);
      for (const value of [feedIdOf(layoutId), layoutId.toString(), commitment.toString()]) {
        expect(html).to.include(value);
      }
      expect(html).to.include("AUDIT PASSED").and.to.include("No well-formedness problem.");
      const md = auditReportMarkdown(passed);
      expect(md).to.include(`- MarketBook feed: \`${feedIdOf(layoutId)}\``);
      expect(md).to.include(`- Policy commitment: \`${commitment}\``);

      const broken = example("policy") as { assets: Record<string, { tiers: unknown[] }> };
      broken.assets.WETH.tiers = [
        { upTo: "5000000", weight: "0.80" },
        { upTo: null, weight: "0.90" },
      ];
      const failed = await auditPolicy({
        json: broken,
        file: "bad|policy.json",
        instance: "small",
      });
      expect(failed.ok).to.equal(false);
      expect(failed.data.problems).to.have.length.greaterThan(0);
      const failedHtml = auditReportHtml(failed);
      const failedMd = auditReportMarkdown(failed);
      expect(failedHtml).to.include("AUDIT FAILED").and.to.include("Well-formedness problems");
      expect(failedMd).to.include("Layout id: `not computed`");
      for (const problem of failed.data.problems) {
        const table = failedHtml.slice(failedHtml.indexOf("<caption>Well-formedness problems"));
        expect(rowOf(table, problem.path)).to.include(esc(problem.rule));
        expect(failedMd).to.include(`| \`${problem.path}\` |`);
      }
    });

    it("writes a disclosed opening's report owner-only, other audits world-readable", () => {
      const dir = buildScratchDir("report-");
      const opening: AuditResult<unknown> = {
        audit: "opening",
        subject: "opening",
        ok: true,
        checks: [],
        data: {},
        development: [],
        ...provenance,
      };
      const files = { html: path.join(dir, "o.html"), md: path.join(dir, "o.md") };
      expect(writeAuditReports(opening, files, { marginReport: report, policy })).to.deep.equal([
        files.html,
        files.md,
      ]);
      for (const f of Object.values(files)) expect(fs.statSync(f).mode & 0o777).to.equal(0o600);
      expect(fs.readFileSync(files.md, "utf8")).to.include(formatReport(report, policy).trimEnd());
      expect(fs.readFileSync(files.html, "utf8"))
        .to.include("Margin report")
        .and.to.include("WETH");
      writeAuditReports(chain, { html: path.join(dir, "c.html") }, { notes: ["vkeyHash 0x12"] });
      expect(fs.statSync(path.join(dir, "c.html")).mode & 0o777).to.equal(0o644);
      expect(fs.readFileSync(path.join(dir, "c.html"), "utf8")).to.include("vkeyHash 0x12");
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("verify page: server and build", () => {
    it("serves only files inside the page's folder", async () => {
      const dir = buildScratchDir("site-");
      fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>t</title>");
      fs.writeFileSync(path.join(dir, "app.js"), "export {};");
      expect(resolveInside(dir, "/")).to.equal(path.join(dir, "index.html"));
      expect(resolveInside(dir, "/app.js")).to.equal(path.join(dir, "app.js"));
      for (const bad of [
        "/../package.json",
        "/..%2f..%2fpackage.json",
        "/%2e%2e/x",
        "/a%00",
        "/%E0%A4%A",
      ]) {
        expect(resolveInside(dir, bad), bad).to.equal(null);
      }
      const server = await serveSite(dir);
      try {
        const js = await fetch(`${server.url}app.js`);
        expect(js.status).to.equal(200);
        expect(js.headers.get("content-type")).to.match(/^text\/javascript/);
        expect(js.headers.get("x-content-type-options")).to.equal("nosniff");
        expect((await fetch(`${server.url}missing.js`)).status).to.equal(404);
        expect((await fetch(server.url, { method: "POST", body: "x" })).status).to.equal(405);
        const busy = await refusal(serveSite(dir, { port: server.port }));
        expect(busy.message).to.include(`port ${server.port}`).and.to.include("--port");
      } finally {
        await server.close();
      }
      expect((await refusal(serveSite(path.join(dir, "nope")))).message).to.include(
        "no index.html",
      );
      const port = await freePort();
      (await serveSite(dir, { port })).close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("takes block explorers as <chainId>=<url> and refuses anything else, naming the value", () => {
      expect(
        parseExplorers(["1=https://etherscan.io/", "011155111=https://sepolia.example/scan"]),
      ).to.deep.equal({
        "1": "https://etherscan.io",
        "11155111": "https://sepolia.example/scan",
      });
      expect(explorerTxUrl("https://etherscan.io/", "0xab")).to.equal(
        "https://etherscan.io/tx/0xab",
      );
      for (const [value, rule] of [
        ["https://etherscan.io", "must be <chainId>=<url>"],
        ["x=https://etherscan.io", "must be <chainId>=<url>"],
        ["1=etherscan.io", "is not a URL"],
        ["1=javascript:alert(1)", "must start with https:// or http://"],
        ["1=https://etherscan.io/?a=1", "no query or fragment"],
      ]) {
        expect(() => parseExplorers([value]), value).to.throw(
          InputError,
          `command line: --explorer ${value}: `,
        );
        expect(() => parseExplorers([value]), value).to.throw(rule);
      }
      expect(() => parseExplorers(["1=https://a.example", "1=https://b.example"])).to.throw(
        "chain 1 is given twice",
      );
    });

    it("refuses to build without keys, or with a key that differs from the manifest", async () => {
      const root = buildScratchDir("site-root-");
      fs.mkdirSync(path.join(root, "build"), { recursive: true });
      const empty = await refusal(buildSite({ root, out: path.join(root, "out") }));
      expect(empty.message)
        .to.include("no set-up circuit instance")
        .and.to.include("zkmargin setup");
      const vkey = path.join(root, "build", "keys", "small", "verification_key.json");
      fs.mkdirSync(path.dirname(vkey), { recursive: true });
      fs.writeFileSync(vkey, '{"protocol":"groth16"}');
      const manifest = {
        version: MANIFEST_VERSION,
        instances: {
          small: {
            params: loadInstances().small,
            constraints: 1,
            nPublic: 4,
            kind: "development",
            sourceFingerprint: "0".repeat(64),
            ptau: {
              path: "p",
              sha256: "0".repeat(64),
              power: 13,
              source: "development",
              name: "p",
            },
            artifacts: Object.fromEntries(
              ["r1cs", "wasm", "zkey", "vkey", "verifier", "generatedVerifier"].map((k) => [
                k,
                {
                  path: k === "vkey" ? "build/keys/small/verification_key.json" : k,
                  sha256: "1".repeat(64),
                },
              ]),
            ),
            vkeyHash: `0x${"1".repeat(64)}`,
            contract: "Groth16Verifier_small",
            createdAt: new Date().toISOString(),
          },
        },
      };
      fs.writeFileSync(path.join(root, "build", "manifest.json"), JSON.stringify(manifest));
      const tampered = await refusal(buildSite({ root, out: path.join(root, "out") }));
      expect(tampered.message).to.include(vkey).and.to.include("does not match the manifest");
      expect(fs.existsSync(path.join(root, "out"))).to.equal(false);
      fs.rmSync(root, { recursive: true, force: true });
    });
  });
});
