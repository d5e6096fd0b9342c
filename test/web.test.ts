/**
 * The verify page and the visual reports in a real browser (Debian's headless Chromium driven by
 * playwright-core): a real proof of the `small` instance dropped on the built page verifies, a
 * tampered public signal is refused with its reason, the history of a local `hardhat node` is
 * read, the institution's margin report is drawn from local files (standard margin, and the
 * hedged desk of examples/portfolio under portfolio margin), and the HTML reports of
 * `zkmargin margin` and `zkmargin audit` open as they are. A screenshot of each view is written
 * to build/screenshots/ for people to look at.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import type { JsonRpcProvider, Signer } from "ethers";
import type { Page } from "playwright-core";
import {
  marginProvedEvents,
  readMarginRegistryDomain,
  type SignedPledge,
  readPledgeTerms,
  revokePledges,
  signPledge,
  submitProof,
  toSolidityProof,
} from "../prover/src/chain";
import { connectChain, type DemoChain } from "../prover/src/demo/chain";
import {
  assignRoles,
  deployVenue,
  publishRound,
  type DemoVenue,
} from "../prover/src/demo/deployment";
import {
  loadMarket,
  loadPolicy,
  loadPortfolio,
  parseMarket,
  type Market,
} from "../prover/src/inputs";
import { toJson } from "../prover/src/io/json";
import {
  decodePublicSignals,
  encodePublicSignals,
  generateProof,
  type MarginProof,
} from "../prover/src/proving";
import { computeMargin } from "../prover/src/model";
import { isoTime, usdCents } from "../prover/src/report/format";
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
import { sharedKeys, sharedKeysHook } from "./helpers/shared-keys";
import { twoPledgeStory } from "./helpers/two-pledges";

const SCREENSHOTS = path.join(ROOT, "build", "screenshots");
/** The block explorer the test page is built with (linked, never fetched). */
const EXPLORER = "https://explorer.example/chain";
/** The hedged desk under portfolio margin: joint scenarios and concentration groups. */
const PORTFOLIO_EXAMPLES = path.join(ROOT, "examples", "portfolio");

/** The files a holder, a venue and an oracle would hand out, written to a scratch folder. */
interface StoryFiles {
  proof: string;
  public: string;
  policy: string;
  market: string;
  portfolio: string;
  opening: string;
  /** Round 7's market file (the first round). */
  market7: string;
}

/** Proofs that were never submitted, each sharing something with the submitted one. */
interface Lookalikes {
  /** Round 7, nonce 2, the same salt: the submitted proof's nonce and portfolio commitment. */
  otherRound: { proof: string; public: string };
  /** Round 8, nonce 2, the same salt: the submitted proof's public signals, other proof points. */
  sameStatement: { proof: string; public: string };
  /** The opening of a proof of round 8 with nonce 3 and another salt. */
  otherOpening: string;
}

/** What the chain story left behind. */
interface Story {
  files: StoryFiles;
  venue: DemoVenue;
  /** The custodian, who can revoke. */
  custodian: Signer;
  /** The second proof, the one the page is given (submitted after the first, on a newer round). */
  proved: MarginProof;
  /** The pledge's issue time (it is valid a day from then). */
  issuedAt: bigint;
  lookalikes: Lookalikes;
}

/** The latest block's time on the node. */
async function chainTime(chain: DemoChain): Promise<bigint> {
  return BigInt((await chain.provider.getBlock("latest"))!.timestamp);
}

/**
 * The example's market file as the oracle publishes round `round` (stamped with the chain's clock
 * and WETH at `weth`), written to `file` and parsed.
 */
async function marketRound(
  chain: DemoChain,
  file: string,
  round: number,
  weth: string,
): Promise<Market> {
  const json = JSON.parse(fs.readFileSync(path.join(SMALL_EXAMPLES, "market.json"), "utf8"));
  Object.assign(json, { round, timestamp: Number(await chainTime(chain)) });
  json.prices.WETH = weth;
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return parseMarket(json, file);
}

/**
 * The demo's venue on the node (`deployVenue`: separate roles, the small policy on its layout's
 * feed, a custodian), the example round 7 posted, the custodian's pledge to the venue, a proof on
 * round 7 (nonce 1), then round 8 posted and a proof on it (nonce 2, same salt, so the same
 * pledged portfolio commitment): what the page and the audits read.
 */
async function chainStory(chain: DemoChain, dir: string): Promise<Story> {
  const policyFile = path.join(SMALL_EXAMPLES, "policy.json");
  const policy = loadPolicy(policyFile);
  const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
  const files: StoryFiles = {
    proof: path.join(dir, "proof.json"),
    public: path.join(dir, "public.json"),
    policy: policyFile,
    market: path.join(dir, "market.json"),
    portfolio: path.join(SMALL_EXAMPLES, "portfolio.json"),
    opening: path.join(dir, "opening.json"),
    market7: path.join(dir, "market-7.json"),
  };
  const setUp = await sharedKeys("small");
  const dims = setUp.entry.params;
  const roles = await assignRoles(chain.signers, portfolio.account);
  const holder = await chain.signerFor(portfolio.account);
  const first = await marketRound(chain, files.market7, 7, "3012.55");
  const venue = await deployVenue(roles, {
    policy,
    market: first,
    instance: "small",
    dims,
    verificationKeyHash: setUp.entry.vkeyHash,
    maxRoundAge: 3600n,
    supersededGrace: 600n,
  });
  const proofOn = (market: Market, nonce: bigint, salt?: bigint) =>
    generateProof({
      policy,
      market,
      portfolio,
      nonce,
      instance: "small",
      ...(salt === undefined ? {} : { salt }),
    });
  const submit = (proved: MarginProof, round: bigint, pledge: SignedPledge) => {
    const signals = decodePublicSignals(proved.publicSignals);
    return submitProof(venue.registryAs(holder), {
      policyId: venue.policyId,
      round,
      portfolioCommitments: signals.portfolioCommitments,
      nonce: signals.nonce,
      proof: toSolidityProof(proved.proof),
      pledges: [pledge],
    });
  };
  const firstProof = await proofOn(first, 1n);
  const issuedAt = await chainTime(chain);
  const custodianAddress = await roles.custodian.getAddress();
  const registry = venue.marginRegistry.contract;
  const attestation = await signPledge(roles.custodian, await readMarginRegistryDomain(registry), {
    custodian: custodianAddress,
    ...(await readPledgeTerms(registry, custodianAddress, portfolio.account, venue.venue)),
    account: portfolio.account,
    venue: venue.venue,
    portfolioCommitment: decodePublicSignals(firstProof.publicSignals).portfolioCommitments[0],
    issuedAt,
    validUntil: issuedAt + 86_400n,
  });
  await submit(firstProof, first.round, attestation);
  const second = await marketRound(chain, files.market, 8, "2950.10");
  await publishRound(venue, roles.publisher, policy, second, dims);
  const proved = await proofOn(second, 2n, BigInt(firstProof.opening.salt));
  await submit(proved, second.round, attestation);
  fs.writeFileSync(files.proof, toJson(proved.proof));
  fs.writeFileSync(files.public, toJson(proved.publicSignals));
  fs.writeFileSync(files.opening, toJson(proved.opening), { mode: 0o600 });
  const salt = BigInt(firstProof.opening.salt);
  const write = (name: string, made: MarginProof) => {
    const written = {
      proof: path.join(dir, `${name}-proof.json`),
      public: path.join(dir, `${name}-public.json`),
    };
    fs.writeFileSync(written.proof, toJson(made.proof));
    fs.writeFileSync(written.public, toJson(made.publicSignals));
    return written;
  };
  const otherOpening = path.join(dir, "other-opening.json");
  fs.writeFileSync(otherOpening, toJson((await proofOn(second, 3n)).opening), { mode: 0o600 });
  const lookalikes: Lookalikes = {
    otherRound: write("other-round", await proofOn(first, 2n, salt)),
    sameStatement: write("same-statement", await proofOn(second, 2n, salt)),
    otherOpening,
  };
  return { files, venue, custodian: roles.custodian, proved, issuedAt, lookalikes };
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

/** Submits the chain form with `rpc` and `registry`; resolves with the final state. */
async function readChain(page: Page, rpc: string, registry: string): Promise<string> {
  await page.fill("#rpc-url", rpc);
  await page.fill("#registry-address", registry);
  await page.click("#chain-read");
  const status = page.locator(
    '#chain-status[data-state="done"], #chain-status[data-state="error"]',
  );
  await status.waitFor({ timeout: 60_000 });
  return (await status.getAttribute("data-state")) ?? "";
}

/**
 * The most lines any hash (a 0x hex string of 16+ digits, 40+ hex digits, or a decimal of 30+
 * digits) of the page's text is wrapped over, measured from the laid-out text.
 */
function mostLinesOfAHash(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const pattern = /0x[0-9a-fA-F]{16,}|\\b[0-9a-f]{40,}\\b|\\b[0-9]{30,}\\b/g;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let most = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(pattern)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        most = Math.max(most, tops.size);
      }
    }
    return most;
  })()`);
}

describe("verify page and visual reports in headless Chromium", function () {
  let scratch: string;
  let node: ChildProcess | undefined;
  let chain: DemoChain | undefined;
  let rpc: string;
  let story: Story;
  let site: BuiltSite;
  let chainId: bigint;
  let server: SiteServer | undefined;
  let browser: TestBrowser | undefined;
  const pages: Watched[] = [];

  before(sharedKeysHook("small"));
  before(sharedKeysHook("demo"));
  before(async function () {
    scratch = buildScratchDir("web-");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const port = await freePort();
    node = await startHardhatNode(port);
    rpc = `http://127.0.0.1:${port}`;
    chain = await connectChain(rpc);
    story = await chainStory(chain, scratch);
    chainId = (await chain.provider.getNetwork()).chainId;
    site = await buildSite({
      out: path.join(scratch, "site"),
      force: true,
      explorers: { [chainId.toString()]: EXPLORER },
    });
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

  /** Drops the submitted proof with its public, policy and market files; waits for "valid". */
  async function dropProof(page: Page): Promise<void> {
    const { files } = story;
    await dropFiles(
      page,
      "#drop-zone",
      [files.proof, files.public, files.policy, files.market].map((f) => fileOf(f)),
    );
    expect(await verdict(page)).to.equal("valid");
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
    await dropProof(page);
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
      .and.to.include(decoded.portfolioCommitments[0].toString());
    expect(details).to.include("small-initial-v1").and.to.include(small.vkeyHash.slice(0, 14));
    // The four public signals as public.json has them, the first decoded into account and nonce.
    const signals = page.locator("#proof-details table.data tbody tr");
    expect(await signals.count()).to.equal(4);
    expect(await signals.nth(0).innerText())
      .to.include(story.proved.publicSignals[0])
      .and.to.include(`account ${decoded.account}, nonce 2`);
    expect(await signals.nth(3).innerText()).to.include(story.proved.publicSignals[3]);
    // The layout the files are laid out on names the feed the venue registered the policy on.
    expect(details).to.include(story.venue.feed).and.to.include("on instance small");
    const checks = await page.locator("#files-check").innerText();
    expect(checks).to.include("policy.json matches").and.to.include("market.json matches");
    expect(checks).not.to.include("DOES NOT MATCH");
    // The key the page used is the manifest's: its sha256 was checked on load.
    const keys = await page.locator('section[aria-labelledby="key-small"]').innerText();
    expect(keys).to.include("intact").and.to.include(small.sha256);
    const p = small.params;
    expect(keys).to.include(
      `${p.assets} assets, ${p.perps} perps, ${p.options} options, ${p.scenarios} scenarios, ` +
        `${p.tiers} tiers, ${p.groups} group${p.groups === 1 ? "" : "s"}; standard and portfolio margin`,
    );
    expect(requests.some((u) => u.endsWith("/keys/small/verification_key.json"))).to.equal(true);
    // Development keys: the verdict says "development setup" and is amber, never green.
    expect(await page.locator("#verdict").getAttribute("data-setup")).to.equal("development");
    expect(text)
      .to.include("Proof valid, on a development setup")
      .and.to.include("DEVELOPMENT SETUP");
    const colour = await page.evaluate(
      `getComputedStyle(document.getElementById("verdict")).backgroundColor`,
    );
    expect(colour).to.equal("rgb(255, 244, 224)");
    expect(keys).to.include("DEVELOPMENT SETUP");
    // The verdict in one sentence at the top: who proved what, under which policy, at which round.
    const market = parseMarket(JSON.parse(fs.readFileSync(story.files.market, "utf8")), "market");
    const summary = page.locator("#summary");
    expect(await summary.getAttribute("data-state")).to.equal("warn");
    const sentence = await summary.innerText();
    expect(sentence)
      .to.include(
        `Account ${decoded.account} proved margin ≥ requirement under policy small-initial-v1 ` +
          `(initial margin, standard) at round 8 (${isoTime(market.timestamp)}).`,
      )
      .and.to.include("Not yet checked on-chain")
      .and.to.include("DEVELOPMENT SETUP");
    expect(await page.evaluate(`document.querySelector("main").firstElementChild.id`)).to.equal(
      "summary",
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-valid.png"), fullPage: true });
    expectLocalOnly(pages[pages.length - 1]);
  });

  it("says invalid, with the reason, for a tampered public signal and for a market file of another round", async () => {
    const { page } = await open();
    const decoded = decodePublicSignals(story.proved.publicSignals);
    const signals = encodePublicSignals({ ...decoded, nonce: decoded.nonce + 1n });
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
    // policy.json still matches: its layout, and so the feed the proof must use, is named.
    expect(await page.locator("#proof-details").innerText()).to.include(story.venue.feed);
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-invalid.png"), fullPage: true });

    // A signal outside the field is refused before any pairing, naming the file, index and rule.
    signals[3] = (2n ** 254n).toString();
    await page.setInputFiles("#file-public", {
      name: "tampered-public.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(signals)),
    });
    await page.locator("#verdict", { hasText: "tampered-public.json" }).waitFor();
    expect(await page.locator("#verdict").innerText()).to.include(
      "tampered-public.json: [3]: portfolioCommitment: must be below the field modulus",
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
    await page.keyboard.type(story.venue.marginRegistry.address);
    await page.keyboard.press("Enter");
    await page
      .locator('#chain-status[data-state="done"], #chain-status[data-state="error"]')
      .waitFor({ timeout: 60_000 });
    expect(await page.locator("#chain-status").getAttribute("data-state")).to.equal("done");
    const checks = await page.locator("#chain-checks").innerText();
    expect(checks).to.include("This proof was accepted on-chain");
    expect(checks).to.include("Registered policy commitment equals the proof's");
    expect(checks).to.include(`Feed ${story.venue.feed}`);
    expect(checks).to.include("the layout of the given policy.json");
    expect(checks).to.include("latest round 8");
    expect(checks).to.include("has code");
    expect(checks).to.include("its verificationKeyHash() equals the registered hash");
    expect(checks).to.include("equals the key this proof verified with (small)");
    expect(checks).to.match(/Round 8 of the policy's feed, .*the feed's latest round/);
    expect(checks).to.include("its market commitment equals the proof's");
    expect(checks).not.to.include("✘");
    // The transaction is linked on the explorer the page was built with, here and at the top.
    const tx = (await marginProvedEvents(story.venue.marginRegistry.contract)).at(
      -1,
    )!.transactionHash;
    const href = `${EXPLORER}/tx/${tx}`;
    expect(await page.locator(`#chain-checks a[href="${href}"]`).count()).to.equal(1);
    expect(await page.locator(`#summary a[href="${href}"]`).getAttribute("rel")).to.equal(
      "noopener noreferrer",
    );
    expect(await page.locator("#summary").innerText())
      .to.include(`Accepted on-chain (chain ${chainId}) in block`)
      .and.to.include(tx);
    const details = await page.locator("#chain-details").innerText();
    expect(details).to.match(/isMarginSufficient now\s*✔ true/);
    expect(details).to.match(/Pledges valid until\s*(\S+)/);
    expect(details).to.include(isoTime(story.issuedAt + 86_400n));
    expect(details).to.match(/Revoked\s*✔ no/);
    // The timeline: round 7's time read from the policy's feed, round 8 is this proof's.
    const items = page.locator("ol.timeline > li");
    expect(await items.count()).to.equal(2);
    expect(await items.nth(0).innerText())
      .to.include("nonce 1")
      .and.to.match(/round 7 \(\d{4}-\d\d-\d\dT/);
    expect(await items.nth(1).innerText())
      .to.include("nonce 2")
      .and.to.include("round 8 (")
      .and.to.include("this proof")
      .and.to.include("current status");
    await page.screenshot({ path: path.join(SCREENSHOTS, "chain-history.png"), fullPage: true });
    expectLocalOnly(pages[pages.length - 1], rpc);

    // The custodian revokes (a withdrawal): the status says so and no longer counts. The node's
    // state is restored afterwards for the other tests.
    const node = chain!.provider as JsonRpcProvider;
    const snapshot = (await node.send("evm_snapshot", [])) as string;
    try {
      await revokePledges(
        story.venue.registryAs(story.custodian),
        decodePublicSignals(story.proved.publicSignals).account,
      );
      await page.click("#chain-read");
      await page.locator('#chain-status[data-state="done"]').waitFor();
      const revoked = await page.locator("#chain-details").innerText();
      expect(revoked).to.match(/isMarginSufficient now\s*✘ false/);
      expect(revoked).to.match(/Revoked\s*✘ yes/);
      await page.screenshot({ path: path.join(SCREENSHOTS, "chain-revoked.png"), fullPage: true });
    } finally {
      expect(await node.send("evm_revert", [snapshot])).to.equal(true);
    }

    // A registry address with no contract is refused in words.
    await page.fill("#registry-address", "0x000000000000000000000000000000000000dEaD");
    await page.click("#chain-read");
    await page.locator('#chain-status[data-state="error"]').waitFor();
    expect(await page.locator("#chain-status").innerText()).to.include("holds no contract");
  });

  it("shows as accepted on-chain only the proof submitted, not one that shares its nonce and commitment", async () => {
    const registry = story.venue.marginRegistry.address;
    const submitted = decodePublicSignals(story.proved.publicSignals);
    /** Gives the page a proof, reads the chain, and returns what it says of this proof. */
    const check = async (proof: string, publicFile: string, market: string) => {
      const { page } = await open();
      await page.setInputFiles("#file-any", [proof, publicFile, story.files.policy, market]);
      expect(await verdict(page)).to.equal("valid");
      expect(await readChain(page, rpc, registry)).to.equal("done");
      return {
        page,
        checks: await page.locator("#chain-checks").innerText(),
        summary: await page.locator("#summary").innerText(),
        timeline: await page.locator("ol.timeline").innerText(),
      };
    };

    // The proof of round 7 with nonce 2 and the same salt: the submitted round-8 proof's nonce and
    // portfolio commitment, never submitted. Its MarginProved lookalike is named and refused.
    const { otherRound, sameStatement } = story.lookalikes;
    const lookalike = decodePublicSignals(JSON.parse(fs.readFileSync(otherRound.public, "utf8")));
    expect(lookalike.nonce).to.equal(submitted.nonce);
    expect(lookalike.portfolioCommitments).to.deep.equal(submitted.portfolioCommitments);
    expect(lookalike.marketCommitment).not.to.equal(submitted.marketCommitment);
    const round7 = await check(otherRound.proof, otherRound.public, story.files.market7);
    expect(round7.checks)
      .to.include("Not found on-chain")
      .and.to.include("One event has its account and nonce, and it is not this proof:")
      .and.to.match(/MarginProved of round 8, nonce 2, .*not this proof: .*marketCommitment/)
      .and.to.include("round 8's market commitment, which is not the proof's");
    expect(round7.checks).not.to.include("This proof was accepted on-chain");
    expect(round7.summary).to.include("Not found on-chain").and.not.to.include("Accepted on-chain");
    expect(await round7.page.locator("#summary").getAttribute("data-state")).to.equal("warn");
    expect(round7.timeline).not.to.include("this proof");
    await round7.page.screenshot({
      path: path.join(SCREENSHOTS, "chain-not-found.png"),
      fullPage: true,
    });

    // The same statement proved again: every public signal is the submission's, the proof points
    // are not, so this proof was not accepted either (the statement was, by another proof).
    expect(fs.readFileSync(sameStatement.public, "utf8")).to.equal(
      fs.readFileSync(story.files.public, "utf8"),
    );
    const again = await check(sameStatement.proof, sameStatement.public, story.files.market);
    expect(again.checks)
      .to.include("Not found on-chain")
      .and.to.include("same public signals, but the transaction carries other proof points");
    expect(again.summary).to.include("Not found on-chain");

    // The submitted proof itself is found.
    const real = await check(story.files.proof, story.files.public, story.files.market);
    expect(real.checks)
      .to.include("This proof was accepted on-chain")
      .and.to.include(
        "the same 4 public signals (accountNonce, marketCommitment, policyCommitment, portfolioCommitment)",
      )
      .and.not.to.include("Not found on-chain");
    expect(real.summary).to.include("Accepted on-chain");
    expect(real.timeline).to.include("this proof");
    expectLocalOnly(pages[pages.length - 1], rpc);
  });

  it("shows each pledge's custodian and venue of a two-pledge proof accepted within a batch (demo instance)", async () => {
    // test/helpers/two-pledges.ts on this node: a prove of nonce 1, then a batch whose item 0
    // (the nonce-2 proof with an expired pledge) is skipped and item 1 (the same proof with both
    // pledges valid) accepted. The node's state is restored afterwards.
    const node = chain!.provider as JsonRpcProvider;
    const snapshot = (await node.send("evm_snapshot", [])) as string;
    try {
      const two = await twoPledgeStory(chain!.signers, chain!.provider);
      const files = {
        proof: path.join(scratch, "two-proof.json"),
        public: path.join(scratch, "two-public.json"),
      };
      fs.writeFileSync(files.proof, toJson(two.second.proved.proof));
      fs.writeFileSync(files.public, toJson(two.second.proved.publicSignals));
      const { page } = await open();
      await page.setInputFiles("#file-any", [files.proof, files.public]);
      expect(await verdict(page)).to.equal("valid");
      expect(await page.locator("#verdict").innerText()).to.include("instance demo");
      const registry = await two.venue.marginRegistry.contract.getAddress();
      expect(await readChain(page, rpc, registry)).to.equal("done");
      const checks = await page.locator("#chain-checks").innerText();
      expect(checks)
        .to.include("This proof was accepted on-chain")
        .and.to.include("item 1 of a batch of 3")
        .and.not.to.include("Not found on-chain");
      expect(await page.locator("#summary").innerText())
        .to.include("(item 1 of a batch of 3)")
        .and.to.include(two.batchTx);
      const custodians = await Promise.all(two.custodians.map((c) => c.getAddress()));
      expect(await page.locator("#proof-pledges-title").innerText()).to.equal(
        "Pledges of this proof (2 of 2 slots)",
      );
      for (const [k, commitment] of two.second.commitments.entries()) {
        const card = await page
          .locator(`#proof-pledges section[aria-labelledby="pledge-slot-${k + 1}"]`)
          .innerText();
        expect(card, `slot ${k + 1}`)
          .to.include(commitment.toString())
          .and.to.include(custodians[k])
          .and.to.include(two.venue.venue)
          .and.to.include("the policy's venue: the pledge counts only there")
          .and.to.match(/On-chain now\s*✔ holds: registration \d+ and epoch 0 are current/);
      }
      await page.screenshot({
        path: path.join(SCREENSHOTS, "chain-two-pledges.png"),
        fullPage: true,
      });

      // Custodian B revokes: its slot says so, custodian A's still holds.
      await revokePledges(two.venue.registryAs(two.custodians[1]), two.first.files[0].account);
      await page.click("#chain-read");
      await page.locator('#chain-status[data-state="done"]').waitFor({ timeout: 60_000 });
      expect(
        await page.locator('#proof-pledges section[aria-labelledby="pledge-slot-1"]').innerText(),
      ).to.match(/✔ holds/);
      expect(
        await page.locator('#proof-pledges section[aria-labelledby="pledge-slot-2"]').innerText(),
      ).to.match(/✘ REVOKED \(epoch 0, now [1-9]\d*\)/);
      expectLocalOnly(pages[pages.length - 1], rpc);
    } finally {
      expect(await node.send("evm_revert", [snapshot])).to.equal(true);
    }
  });

  it("shows the margin report under a proof only for its opening, and refuses or flags any other portfolio", async () => {
    const { page } = await open();
    const status = page.locator("#margin-status");
    /** The margin section's tie once it has one, and whether a report is drawn. */
    const tie = async (expected: string) => {
      await page.locator(`#margin-status[data-tie="${expected}"]`).waitFor({ timeout: 60_000 });
      return {
        note: await status.innerText(),
        drawn: (await page.locator("#margin-report h1").count()) > 0,
      };
    };
    await dropProof(page);

    // The proof's own opening: every public signal recomputes, the report is drawn.
    await page.setInputFiles("#file-opening", story.files.opening);
    const own = await tie("tied");
    expect(own.note).to.include("The proof's portfolio").and.to.include("every public signal");
    expect(own.drawn).to.equal(true);
    expect(await page.locator("#margin-report").innerText()).to.include("SUFFICIENT");
    await page.screenshot({ path: path.join(SCREENSHOTS, "margin-tied.png"), fullPage: true });

    // Another proof's opening (nonce 3, another salt): refused, no report.
    await page.setInputFiles("#file-opening", {
      name: "opening.json",
      mimeType: "application/json",
      buffer: fs.readFileSync(story.lookalikes.otherOpening),
    });
    const other = await tie("refused");
    expect(other.note)
      .to.include("Not the proof's portfolio")
      .and.to.include("accountNonce, portfolioCommitment");
    expect(other.drawn).to.equal(false);

    // Without an opening, a portfolio.json cannot be tied: flagged as not checked, report drawn.
    await page.locator('button[aria-label^="Remove opening.json"]').click();
    await page.setInputFiles("#file-portfolio", story.files.portfolio);
    const unchecked = await tie("unchecked");
    expect(unchecked.note)
      .to.include("Not checked against the proof")
      .and.to.include("opening.json");
    expect(unchecked.drawn).to.equal(true);

    // A short portfolio cannot be a valid proof's: refused, even though the proof is valid.
    const short = JSON.parse(fs.readFileSync(story.files.portfolio, "utf8"));
    for (const symbol of Object.keys(short.collateral)) short.collateral[symbol] = "0";
    await page.setInputFiles("#file-portfolio", {
      name: "portfolio.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(short)),
    });
    const refused = await tie("refused");
    expect(refused.note).to.include("falls short of the policy");
    expect(refused.drawn).to.equal(false);
    expect(await page.locator("#verdict").innerText()).to.include("Proof valid");
    await page.screenshot({ path: path.join(SCREENSHOTS, "margin-refused.png"), fullPage: true });
    expectLocalOnly(pages[pages.length - 1]);
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
    // No proof yet: the report stands alone, and says so.
    expect(await page.locator("#margin-status").getAttribute("data-tie")).to.equal("untied");
    await dropFiles(page, "#drop-zone", [fileOf(story.files.proof), fileOf(story.files.public)]);
    expect(await verdict(page)).to.equal("valid");
    // Under a valid proof, a portfolio.json (no salt) is flagged as not checked against it.
    await page.locator('#margin-status[data-tie="unchecked"]').waitFor();
    expect(await horizontalOverflow(page)).to.be.at.most(0);
    expect(await mostLinesOfAHash(page)).to.be.at.most(8);
    await page.locator("#result-title").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "verify-phone.png") });
    // Every control has a label a screen reader announces.
    const unlabelled = await unlabelledControls(page);
    expect(unlabelled).to.deep.equal([]);
    expect(await page.locator("[aria-live]").count()).to.be.at.least(3);
    expectLocalOnly(pages[pages.length - 1]);
  });

  it("draws a portfolio-margin report (examples/portfolio): joint scenarios, binding one, concentration", async () => {
    const files = {
      policy: path.join(PORTFOLIO_EXAMPLES, "policy.json"),
      market: path.join(PORTFOLIO_EXAMPLES, "market.json"),
      portfolio: path.join(PORTFOLIO_EXAMPLES, "portfolio.json"),
    };
    const policy = loadPolicy(files.policy);
    const expected = computeMargin(
      policy,
      loadMarket(files.market),
      loadPortfolio(files.portfolio, policy),
    );
    const binding = expected.scenarios[expected.bindingScenario!];
    const [group] = expected.concentration;
    for (const width of [1100, 390]) {
      const { page } = await open(server!.url, width);
      await dropFiles(page, "#drop-zone", [
        fileOf(files.policy),
        fileOf(files.market),
        fileOf(files.portfolio),
      ]);
      await page.locator("#margin-report h1").waitFor();
      const report = await page.locator("#margin-report").innerText();
      expect(report)
        .to.include("portfolio margin")
        .and.to.include("SUFFICIENT")
        .and.to.include(`excess ${usdCents(expected.excessMicroUsd)} USD`);
      expect(report).to.include("Joint scenarios").and.to.include("Concentration limits");
      expect(report).to.include(
        `Scenario "${binding.label}" binds: its loss ${usdCents(binding.lossMicroUsd)} USD is the portfolio scan risk R.`,
      );
      const bindingRow = page.locator("#margin-report tr.highlight", { hasText: "(binds)" });
      expect(await bindingRow.innerText()).to.include(binding.label);
      expect(report).to.include(`over its cap by ${usdCents(group.excessMicroUsd)} USD`);
      // Every scenario is a row of the chart, with its loss.
      const chart = page.locator("#margin-report figure", { hasText: "Loss per scenario" });
      expect(await chart.locator("tbody tr").count()).to.equal(expected.scenarios.length);
      expect(await horizontalOverflow(page)).to.be.at.most(0);
      await page.screenshot({
        path: path.join(SCREENSHOTS, `margin-page-portfolio-${width}.png`),
        fullPage: true,
      });
      expectLocalOnly(pages[pages.length - 1]);
    }
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
    const portfolioMargin = runCli([
      "margin",
      ...["policy", "market", "portfolio"].flatMap((name) => [
        `--${name}`,
        path.join(PORTFOLIO_EXAMPLES, `${name}.json`),
      ]),
      "--html",
      out("margin-portfolio.html"),
    ]);
    expect(portfolioMargin.status, portfolioMargin.stderr).to.equal(0);
    /** Runs `zkmargin audit <verb>`, writing <name>.html and <name>.md; it must pass. */
    const audit = (verb: string, name: string, ...args: string[]) => {
      const run = runCli([
        "audit",
        verb,
        ...args,
        "--html",
        out(`${name}.html`),
        "--md",
        out(`${name}.md`),
      ]);
      expect(run.status, run.stdout + run.stderr).to.equal(0);
    };
    const registry = story.venue.marginRegistry.address;
    const files = story.files;
    audit(
      "opening",
      "audit-opening",
      "--opening",
      files.opening,
      "--public",
      files.public,
      ...inputs,
      "--proof",
      files.proof,
    );
    audit("chain", "audit-chain", "--rpc", rpc, "--registry", registry);
    audit(
      "policy",
      "audit-policy",
      "--policy",
      files.policy,
      "--instance",
      "small",
      "--rpc",
      rpc,
      "--registry",
      registry,
    );

    const account = decodePublicSignals(story.proved.publicSignals).account;
    const md = fs.readFileSync(out("audit-chain.md"), "utf8");
    // The venue's policy runs on development keys: never a plain pass, and dated, with the tool.
    expect(md)
      .to.include("**AUDIT PASSED ON A DEVELOPMENT SETUP**")
      .and.to.include(
        "> **DEVELOPMENT SETUP**, not for production: development keys of instance small",
      )
      .and.to.match(/^_checked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by zkmargin \d+\.\d+\.\d+_$/m)
      .and.to.include(`### Account ${account}`);
    // One row per accepted proof: round 7 with nonce 1, round 8 with nonce 2.
    expect(md)
      .to.match(/^\| \d+ \| [^|]* \| 7 \| 1 \|/m)
      .and.to.match(/^\| \d+ \| [^|]* \| 8 \| 2 \|/m);
    expect(md).to.include(`| \`${story.venue.feed}\` |`);
    expect(fs.readFileSync(out("audit-opening.md"), "utf8")).to.include("Verdict: SUFFICIENT");
    const policyMd = fs.readFileSync(out("audit-policy.md"), "utf8");
    expect(policyMd)
      .to.include("**AUDIT PASSED ON A DEVELOPMENT SETUP**")
      .and.to.include(`- MarketBook feed: \`${story.venue.feed}\``)
      .and.to.include("| PASS | the registered feed is the policy's layout |");

    for (const [file, shot, expected, charts] of [
      ["margin.html", "margin-report.png", ["Margin report", "SUFFICIENT", "Option scenarios"], 1],
      [
        "margin-portfolio.html",
        "margin-report-portfolio.png",
        ["(maintenance, portfolio margin)", "Joint scenarios", "(binds)", "Concentration limits"],
        4,
      ],
      [
        "audit-opening.html",
        "audit-opening.png",
        ["AUDIT PASSED ON A DEVELOPMENT SETUP", "Margin report", "PASS"],
        1,
      ],
      [
        "audit-chain.html",
        "audit-chain.png",
        ["AUDIT PASSED ON A DEVELOPMENT SETUP", account, "nonce 2", "Registered policies", "600 s"],
        1,
      ],
      [
        "audit-policy.html",
        "audit-policy.png",
        [
          "AUDIT PASSED ON A DEVELOPMENT SETUP",
          "The policy",
          story.venue.feed,
          "No well-formedness problem.",
        ],
        0,
      ],
    ] as const) {
      const watched = await open(pathToFileURL(out(file)).href);
      const text = await watched.page.locator("main").innerText();
      for (const fragment of expected) expect(text, file).to.include(fragment);
      expect(await watched.page.locator("svg").count(), file).to.be.at.least(charts);
      if (file.startsWith("audit-")) {
        // Never a green pass on development keys; a date and the tool's version at the top.
        expect(await watched.page.locator("main > header .badge-good").count(), file).to.equal(0);
        expect(text, file)
          .to.include("DEVELOPMENT SETUP")
          .and.to.match(/checked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by zkmargin \d+\.\d+\.\d+/);
        // No hash is wrapped over more than eight lines, on a desktop or a phone.
        for (const width of [1100, 390]) {
          await watched.page.setViewportSize({ width, height: 900 });
          expect(await mostLinesOfAHash(watched.page), `${file} at ${width} px`).to.be.at.most(8);
        }
        await watched.page.setViewportSize({ width: 1100, height: 900 });
      }
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
      [
        path.join(ROOT, "bin", "zkmargin.js"),
        ...["web", "--port", String(port), "--out", site.dir],
        // The explorer the page was built with: the same page, so it is not rebuilt.
        ...["--explorer", `${chainId}=${EXPLORER}`],
      ],
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
