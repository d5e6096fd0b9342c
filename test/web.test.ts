/**
 * The verify page and the visual reports in a real browser (Debian's headless Chromium driven by
 * playwright-core): a real proof of the `small` instance dropped on the built page verifies, a
 * tampered public signal is refused with its reason, the history of a local `hardhat node` is
 * read, the institution's margin report is drawn from local files, and the HTML reports of
 * `zkmargin margin` and `zkmargin audit` open as they are. A screenshot of each view is written
 * to build/screenshots/ for people to look at.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import type { Page } from "playwright-core";
import {
  addCustodian,
  deployVerifier,
  deployZkMargin,
  policyIdOf,
  postRound,
  readMarginRegistryDomain,
  registerPolicy,
  signAttestation,
  submitProof,
  toSolidityProof,
} from "../prover/src/chain";
import { publicCommitments } from "../prover/src/commitments";
import { connectChain, type DemoChain } from "../prover/src/demo/chain";
import { loadPolicy, loadPortfolio, parseMarket } from "../prover/src/inputs";
import { toJson } from "../prover/src/io/json";
import { decodePublicSignals, generateProof, type MarginProof } from "../prover/src/proving";
import { setupInstance } from "../prover/src/setup/dev-setup";
import { buildSite, type BuiltSite } from "../prover/src/web/build-site";
import { serveSite, type SiteServer } from "../prover/src/web/serve";
import {
  dropFiles,
  focusedId,
  horizontalOverflow,
  launchBrowser,
  unlabelledControls,
  type TestBrowser,
} from "./helpers/browser";
import { ROOT, SMALL_EXAMPLES, runCli } from "./helpers/cli";
import { startHardhatNode, stopHardhatNode } from "./helpers/hardhat-node";
import { freePort } from "./helpers/ports";
import { buildScratchDir } from "./helpers/scratch";

const SCREENSHOTS = path.join(ROOT, "build", "screenshots");

/** The files a holder, a venue and an oracle would hand out, written to a scratch folder. */
interface StoryFiles {
  proof: string;
  public: string;
  policy: string;
  market: string;
  portfolio: string;
  opening: string;
}

/** What the chain story left behind. */
interface Story {
  files: StoryFiles;
  registry: string;
  /** The second proof, the one the page is given (submitted after the first). */
  proved: MarginProof;
}

/**
 * Deploys the contracts on the node, publishes the example round (stamped with the chain's clock),
 * registers the small policy with a custodian, and submits two attested proofs of the example
 * portfolio (nonces 1 and 2), as the demo does, with the SDK's functions.
 */
async function chainStory(chain: DemoChain, dir: string): Promise<Story> {
  const [admin, , custodian] = chain.signers;
  const policyFile = path.join(SMALL_EXAMPLES, "policy.json");
  const policy = loadPolicy(policyFile);
  const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
  const latest = await chain.provider.getBlock("latest");
  const marketJson = JSON.parse(fs.readFileSync(path.join(SMALL_EXAMPLES, "market.json"), "utf8"));
  marketJson.timestamp = latest!.timestamp + 1;
  const files: StoryFiles = {
    proof: path.join(dir, "proof.json"),
    public: path.join(dir, "public.json"),
    policy: policyFile,
    market: path.join(dir, "market.json"),
    portfolio: path.join(SMALL_EXAMPLES, "portfolio.json"),
    opening: path.join(dir, "opening.json"),
  };
  fs.writeFileSync(files.market, JSON.stringify(marketJson, null, 2));
  const market = parseMarket(marketJson, files.market);

  const verifier = await deployVerifier(admin, "small");
  const { marketBook, policyRegistry, marginRegistry } = await deployZkMargin(admin, {
    publishers: [await admin.getAddress()],
  });
  const setUp = await setupInstance("small", { log: () => undefined, onProgress: () => undefined });
  const published = await publicCommitments({ policy, market, instance: setUp.entry.params });
  await postRound(marketBook.contract, {
    round: market.round,
    timestamp: market.timestamp,
    commitment: published.market,
  });
  const policyId = policyIdOf(policy.id);
  await registerPolicy(policyRegistry.contract, {
    policyId,
    commitment: published.policy,
    mode: policy.mode,
    verifier: verifier.address,
    verificationKeyHash: setUp.entry.vkeyHash,
    maxRoundAge: 3600n,
  });
  await addCustodian(policyRegistry.contract, policyId, await custodian.getAddress());
  const registry = marginRegistry.contract;
  const holder = await chain.signerFor(portfolio.account);
  const domain = await readMarginRegistryDomain(registry);
  let proved: MarginProof | undefined;
  for (const nonce of [1n, 2n]) {
    proved = await generateProof({ policy, market, portfolio, nonce, instance: "small" });
    const signals = decodePublicSignals(proved.publicSignals);
    const attestation = await signAttestation(custodian, domain, {
      account: portfolio.account,
      portfolioCommitment: signals.portfolioCommitment,
      validUntil: market.timestamp + 86_400n,
    });
    await submitProof(registry.connect(holder) as typeof registry, {
      policyId,
      round: market.round,
      portfolioCommitment: signals.portfolioCommitment,
      nonce,
      proof: toSolidityProof(proved.proof),
      attestation,
    });
  }
  fs.writeFileSync(files.proof, toJson(proved!.proof));
  fs.writeFileSync(files.public, toJson(proved!.publicSignals));
  fs.writeFileSync(files.opening, toJson(proved!.opening), { mode: 0o600 });
  return { files, registry: marginRegistry.address, proved: proved! };
}

/** A page of the browser, with every request and every console error it made recorded. */
interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
}

const fileOf = (file: string, name = path.basename(file)) => ({
  name,
  text: fs.readFileSync(file, "utf8"),
});

/** The verdict once the page has one: "valid" or "invalid". */
async function verdict(page: Page): Promise<string> {
  const box = page.locator('#verdict[data-verdict="valid"], #verdict[data-verdict="invalid"]');
  await box.waitFor({ timeout: 120_000 });
  return (await box.getAttribute("data-verdict")) ?? "";
}

describe("verify page and visual reports in headless Chromium", function () {
  let scratch: string;
  let node: ChildProcess | undefined;
  let chain: DemoChain | undefined;
  let rpc: string;
  let story: Story;
  let site: BuiltSite;
  let server: SiteServer | undefined;
  let browser: TestBrowser | undefined;
  const pages: Watched[] = [];

  before(async function () {
    await setupInstance("small", { log: () => undefined, onProgress: () => undefined });
    scratch = buildScratchDir("web-");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await freePort();
    node = await startHardhatNode(port);
    rpc = `http://127.0.0.1:${port}`;
    chain = await connectChain(rpc);
    story = await chainStory(chain, scratch);
    site = await buildSite({ out: path.join(scratch, "site"), force: true });
    server = await serveSite(site.dir);
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
    await chain?.close();
    if (node) stopHardhatNode(node);
    fs.rmSync(scratch, { recursive: true, force: true }); // the screenshots stay in build/screenshots
  });

  /** Opens the page (or `url`) at `width` x 900, recording requests and errors. */
  async function open(url = server!.url, width = 1100): Promise<Watched> {
    const page = await browser!.context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const watched: Watched = { page, requests: [], errors: [] };
    page.on("request", (r) => watched.requests.push(r.url()));
    page.on("pageerror", (e) => watched.errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") watched.errors.push(m.text());
    });
    await page.goto(url);
    pages.push(watched);
    return watched;
  }

  /** The page's requests stay on its own folder (and the named RPC node): no CDN, no upload. */
  function expectLocalOnly(watched: Watched, ...allowed: string[]): void {
    const origins = [server!.url, ...allowed];
    const outside = watched.requests.filter(
      (url) =>
        !url.startsWith("blob:") &&
        !url.startsWith("data:") &&
        !origins.some((o) => url.startsWith(o)),
    );
    expect(outside, "requests outside the page's folder").to.deep.equal([]);
    expect(watched.errors, "console errors").to.deep.equal([]);
  }

  it("verifies a real proof dropped on the page and matches the policy and market files", async () => {
    const { page, requests } = await open();
    await dropFiles(page, "#drop-zone", [
      fileOf(story.files.proof),
      fileOf(story.files.public),
      fileOf(story.files.policy),
      fileOf(story.files.market),
    ]);
    expect(await verdict(page)).to.equal("valid");
    // Whatever other instances are set up, the proof verifies with the small instance's key.
    const small = site.index.keys.find((k) => k.instance === "small")!;
    const text = await page.locator("#verdict").innerText();
    expect(text)
      .to.match(/Proof valid/)
      .and.to.include(`instance small (vkey hash ${small.vkeyHash})`);
    const details = await page.locator("#proof-details").innerText();
    const decoded = decodePublicSignals(story.proved.publicSignals);
    expect(details)
      .to.include(decoded.account)
      .and.to.include(decoded.portfolioCommitment.toString());
    expect(details).to.include("small-initial-v1").and.to.include(small.vkeyHash.slice(0, 14));
    const checks = await page.locator("#files-check").innerText();
    expect(checks).to.include("policy.json matches").and.to.include("market.json matches");
    expect(checks).not.to.include("DOES NOT MATCH");
    // The key the page used is the manifest's: its sha256 was checked on load.
    expect(await page.locator("#keys").innerText())
      .to.include("intact")
      .and.to.include(small.sha256);
    expect(requests.some((u) => u.endsWith("/keys/small/verification_key.json"))).to.equal(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-valid.png"), fullPage: true });
    expectLocalOnly(pages[pages.length - 1]);
  });

  it("says invalid, with the reason, for a tampered public signal and for a market file of another round", async () => {
    const { page } = await open();
    const signals = [...story.proved.publicSignals];
    signals[1] = (BigInt(signals[1]) + 1n).toString(); // the nonce
    const marketJson = JSON.parse(fs.readFileSync(story.files.market, "utf8"));
    marketJson.prices.WETH = "3012.56";
    await page.setInputFiles("#file-proof", story.files.proof);
    await page.setInputFiles("#file-public", {
      name: "public.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(signals)),
    });
    await page.setInputFiles("#file-policy", story.files.policy);
    await page.setInputFiles("#file-market", {
      name: "market.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(marketJson)),
    });
    expect(await verdict(page)).to.equal("invalid");
    const reason = await page.locator("#verdict").innerText();
    expect(reason)
      .to.match(/Proof invalid/)
      .and.to.include("does not verify with the verification key of")
      .and.to.include("instance small (vkey hash");
    await page.locator("#files-check").waitFor();
    expect(await page.locator("#files-check").innerText()).to.include("market.json DOES NOT MATCH");
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-invalid.png"), fullPage: true });

    // A signal outside the field is refused before any pairing, naming the file, index and rule.
    signals[4] = (2n ** 254n).toString();
    await page.setInputFiles("#file-public", {
      name: "tampered-public.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(signals)),
    });
    await page.locator("#verdict", { hasText: "tampered-public.json" }).waitFor();
    expect(await page.locator("#verdict").innerText()).to.include(
      "tampered-public.json: [4]: portfolioCommitment: must be below the field modulus",
    );
    expectLocalOnly(pages[pages.length - 1]);
  });

  it("reads the account's status and MarginProved history from a hardhat node, by keyboard", async () => {
    const { page } = await open();
    // The first Tab stops: the skip link, then the file chooser.
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).to.equal("skip-link");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).to.equal("file-any");
    await page.setInputFiles("#file-any", [
      story.files.proof,
      story.files.public,
      story.files.policy,
      story.files.market,
    ]);
    expect(await verdict(page)).to.equal("valid");
    // Tab to the chain form's fields and type, then submit with Enter.
    await page.focus("#rpc-url");
    await page.keyboard.type(rpc);
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).to.equal("registry-address");
    await page.keyboard.type(story.registry);
    await page.keyboard.press("Enter");
    await page
      .locator('#chain-status[data-state="done"], #chain-status[data-state="error"]')
      .waitFor({ timeout: 60_000 });
    expect(await page.locator("#chain-status").getAttribute("data-state")).to.equal("done");
    const checks = await page.locator("#chain-checks").innerText();
    expect(checks).to.include("This proof was accepted on-chain");
    expect(checks).to.include("Registered policy commitment equals the proof's");
    expect(checks).to.include("equals the key this proof verified with (small)");
    expect(checks).to.include("has code");
    expect(checks).to.include("its market commitment equals the proof's");
    const details = await page.locator("#chain-details").innerText();
    expect(details).to.match(/isMarginSufficient now\s*✔ true/);
    const items = page.locator("ol.timeline > li");
    expect(await items.count()).to.equal(2);
    expect(await items.nth(0).innerText()).to.include("nonce 1");
    expect(await items.nth(1).innerText())
      .to.include("nonce 2")
      .and.to.include("this proof")
      .and.to.include("current status");
    await page.screenshot({ path: path.join(SCREENSHOTS, "chain-history.png"), fullPage: true });
    expectLocalOnly(pages[pages.length - 1], rpc);

    // A registry address with no contract is refused in words.
    await page.fill("#registry-address", "0x000000000000000000000000000000000000dEaD");
    await page.click("#chain-read");
    await page.locator('#chain-status[data-state="error"]').waitFor();
    expect(await page.locator("#chain-status").innerText()).to.include("holds no contract");
  });

  it("draws the institution's margin report from local files, and is usable at phone width", async () => {
    const { page } = await open(server!.url, 390);
    await dropFiles(page, "#drop-zone", [
      fileOf(story.files.policy),
      fileOf(story.files.market),
      fileOf(story.files.portfolio),
    ]);
    await page.locator("#margin-report h1").waitFor();
    const report = await page.locator("#margin-report").innerText();
    expect(report).to.include("SUFFICIENT").and.to.include("WETH").and.to.include("ETH-PERP");
    expect(report).to.include("binds");
    expect(await page.locator("#margin-report svg").count()).to.be.greaterThan(5);
    // Nothing wider than the phone's screen but the tables that scroll on their own.
    expect(await horizontalOverflow(page)).to.be.at.most(0);
    await page.screenshot({
      path: path.join(SCREENSHOTS, "margin-page-phone.png"),
      fullPage: true,
    });
    await dropFiles(page, "#drop-zone", [fileOf(story.files.proof), fileOf(story.files.public)]);
    expect(await verdict(page)).to.equal("valid");
    expect(await horizontalOverflow(page)).to.be.at.most(0);
    await page.locator("#result-title").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-phone.png") });
    // Every control has a label a screen reader announces.
    const unlabelled = await unlabelledControls(page);
    expect(unlabelled).to.deep.equal([]);
    expect(await page.locator("[aria-live]").count()).to.be.at.least(3);
    expectLocalOnly(pages[pages.length - 1]);
  });

  it("opens the margin report and the audit reports (HTML and Markdown) that the CLI writes", async () => {
    const out = (name: string) => path.join(scratch, name);
    const inputs = ["--policy", story.files.policy, "--market", story.files.market];
    const margin = runCli([
      "margin",
      ...inputs,
      "--portfolio",
      story.files.portfolio,
      "--html",
      out("margin.html"),
    ]);
    expect(margin.status, margin.stderr).to.equal(0);
    expect(fs.statSync(out("margin.html")).mode & 0o777).to.equal(0o600);
    const opening = runCli([
      "audit",
      "opening",
      "--opening",
      story.files.opening,
      "--public",
      story.files.public,
      ...inputs,
      "--proof",
      story.files.proof,
      "--html",
      out("audit-opening.html"),
      "--md",
      out("audit-opening.md"),
    ]);
    expect(opening.status, opening.stdout + opening.stderr).to.equal(0);
    const chainAudit = runCli([
      "audit",
      "chain",
      "--rpc",
      rpc,
      "--registry",
      story.registry,
      "--html",
      out("audit-chain.html"),
      "--md",
      out("audit-chain.md"),
    ]);
    expect(chainAudit.status, chainAudit.stdout + chainAudit.stderr).to.equal(0);

    const account = decodePublicSignals(story.proved.publicSignals).account;
    const md = fs.readFileSync(out("audit-chain.md"), "utf8");
    expect(md).to.include("**AUDIT PASSED**").and.to.include(`### Account ${account}`);
    expect(md.match(/^\| \d+ \| .* \| 7 \| [12] \|/gm)).to.have.length(2);
    expect(fs.readFileSync(out("audit-opening.md"), "utf8")).to.include("Verdict: SUFFICIENT");

    for (const [file, shot, expected] of [
      ["margin.html", "margin-report.png", ["Margin report", "SUFFICIENT", "Option scenarios"]],
      ["audit-opening.html", "audit-opening.png", ["AUDIT PASSED", "Margin report", "PASS"]],
      [
        "audit-chain.html",
        "audit-chain.png",
        ["AUDIT PASSED", account, "nonce 2", "Registered policies"],
      ],
    ] as const) {
      const watched = await open(pathToFileURL(out(file)).href);
      const text = await watched.page.locator("main").innerText();
      for (const fragment of expected) expect(text, file).to.include(fragment);
      expect(await watched.page.locator("svg").count(), file).to.be.greaterThan(0);
      await watched.page.screenshot({ path: path.join(SCREENSHOTS, shot), fullPage: true });
      // Self-contained: the file itself is the only request.
      expect(watched.requests, file).to.deep.equal([pathToFileURL(out(file)).href]);
      expect(watched.errors, file).to.deep.equal([]);
    }
  });

  it("`zkmargin web` serves the built page on the port it is given", async () => {
    const port = await freePort();
    const { spawn } = await import("node:child_process");
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "bin", "zkmargin.js"), "web", "--port", String(port), "--out", site.dir],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, CI: "true" },
      },
    );
    try {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 120_000;
      while (
        !output.includes("serving the verify page") &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(output).to.include("up to date:").and.to.include(`http://127.0.0.1:${port}/`);
      const index = await fetch(`http://127.0.0.1:${port}/`);
      expect(index.status).to.equal(200);
      expect(await index.text()).to.include("Verify a zkmargin proof");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
