/**
 * `zkmargin watch` against a real `hardhat node` on a free port, with real proofs (small
 * instance): the deployment made with the Ignition modules, rounds posted by the publisher with
 * their market files in the events, time moved with `evm_increaseTime`. The story, in order: a
 * pledge asked for and then used for every round; market files that do not hash or do not
 * fit refused and never proven; a reorg of unconfirmed blocks (`evm_snapshot`/`evm_revert`); a
 * strained round (low excess, scenario stress) and a shortfall (alert with the amount, no
 * submission, the webhook retried while proving goes on); a margin call cured at once and one that
 * expires; a watcher crashed right after sending and restarted (the submission neither lost nor
 * repeated); the node stopped (SIGSTOP) and continued under the watcher; a changed portfolio
 * (new opening, alerts not repeated while it waits for its pledge); and a portfolio-margin
 * policy on the same feed, whose stress alert comes from the round's joint scenario set.
 *
 * Waits are on the watcher's own event lines or passes (`afterTick`), never on time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { AddressInfo } from "node:net";
import type { Contract, JsonRpcProvider } from "ethers";
import {
  callMargin,
  revokePledges,
  isMarginSufficient,
  marginProvedEvents,
  postRound,
  readMarginCall,
  readStatus,
  venueIdOf,
} from "../prover/src/chain";
import {
  deployPolicy,
  feedLayoutOf,
  feedLayoutsOf,
  type Deployment,
} from "../prover/src/deployment";
import { formatUnits } from "../prover/src/decimal";
import { parsePolicy, parsePortfolio, type Market } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { readJsonFile, writeJsonFile } from "../prover/src/io";
import {
  checkMarketForLayout,
  encodeMarketData,
  publishMarket,
  type FeedLayout,
} from "../prover/src/market-data";
import { parseOpening } from "../prover/src/proving";
import {
  SimulatedCrash,
  stressNextMove,
  Watcher,
  type WatchEvent,
  type WatchOptions,
} from "../prover/src/watch";
import { nodeWallet, type RpcNode } from "./helpers/hardhat-node";
import { SMALL_CRASH_LABEL, withSmallJointSet } from "./helpers/joint-scenarios";
import { sharedKeysHook } from "./helpers/shared-keys";
import {
  WATCH_ROLES,
  WatchLog,
  runWatcher,
  startWatchedChain,
  type RunningWatcher,
  type WatchedChain,
} from "./helpers/watched-chain";

/** The venue of the watched policies. */
const WATCH_VENUE = venueIdOf("watch venue");

const ROOT = path.resolve(__dirname, "..");
const EXAMPLE = path.join(ROOT, "examples", "small");
const CURE_WINDOW = 600n;
/** Equity under 1.5 x the required equity is a warning (the strained round's ratio is 1.51). */
const WARN_RATIO_PPM = 1_500_000n;

/** Price moves (multipliers by symbol) that the tests post. */
const STRAINED = { USDC: 0.3, WETH: 2.4, ETH: 2.4, WBTC: 0.2, BTC: 0.2 };
const CRASH = { USDC: 0.3, WETH: 3, ETH: 3, WBTC: 0.2, BTC: 0.2 };

/** A webhook that fails its first `failures` requests and can hold requests open. */
class Webhook {
  readonly bodies: WatchEvent[] = [];
  /** The requests answered with success. */
  readonly delivered: WatchEvent[] = [];
  private server: Server | undefined;
  private held: [ServerResponse, WatchEvent][] = [];
  hold = false;
  constructor(public failures: number) {}
  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const event = JSON.parse(body) as WatchEvent;
        this.bodies.push(event);
        if (this.failures > 0) {
          this.failures -= 1;
          response.writeHead(500).end();
        } else if (this.hold) {
          this.held.push([response, event]);
        } else {
          this.delivered.push(event);
          response.writeHead(204).end();
        }
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  }
  release(): void {
    this.hold = false;
    for (const [response, event] of this.held.splice(0)) {
      this.delivered.push(event);
      response.writeHead(204).end();
    }
  }
  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    if (server === undefined) return; // never started (a failed before-all hook)
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("zkmargin watch (hardhat node, small instance)", function () {
  let chain: WatchedChain;
  let node: RpcNode;
  let dir: string;
  let deployment: Deployment;
  let layout: FeedLayout;
  let provider: JsonRpcProvider;
  let base: Market;
  let book: Contract;
  let registry: Contract;
  let webhook: Webhook;
  let webhookUrl = "";
  const log = new WatchLog();
  const events = log.events;
  let running: RunningWatcher | undefined;
  const { deployer, publisher, policyAdmin, holder } = WATCH_ROLES;
  const [custodian, venue] = [5, 6].map(nodeWallet);
  const files = () => ({
    portfolio: path.join(dir, "portfolio.json"),
    opening: path.join(dir, "opening.json"),
    pledge: path.join(dir, "pledge.json"),
    state: path.join(dir, "watch-state.json"),
  });
  let policyId = "";

  const nextDocument = (moves?: Record<string, number>, from?: Market) =>
    chain.nextDocument(moves, from);
  const publish = (moves?: Record<string, number>, from?: Market, forLayout?: FeedLayout) =>
    chain.publish(moves, from, forLayout);
  const waitForEvent = log.waitForEvent.bind(log);
  const waitForPass = log.waitForPass.bind(log);

  async function mine(blocks = 1): Promise<void> {
    for (let i = 0; i < blocks; i++) await node.send("evm_mine");
  }

  function watcherOptions(overrides: Partial<WatchOptions> = {}): WatchOptions {
    return {
      ...chain.watcherOptions(log),
      deployment, // the test's: the portfolio-margin test adds its policy
      policy: layout.policy.id,
      files: files(),
      confirmations: 2,
      warnRatioPpm: WARN_RATIO_PPM,
      webhook: { url: "", backoffMs: 50, timeoutMs: 120_000 },
      ...overrides,
    };
  }

  function startWatcher(overrides: Partial<WatchOptions> = {}) {
    running = runWatcher(watcherOptions(overrides));
    return running;
  }

  /** The holder's proofs so far, by round. */
  async function provedRounds(): Promise<bigint[]> {
    const proved = await marginProvedEvents(registry, { account: holder.address, policyId });
    return proved.map((e) => e.round);
  }

  before(sharedKeysHook("small"));
  before(async function () {
    webhook = new Webhook(2);
    chain = await startWatchedChain({
      instance: "small",
      example: EXAMPLE,
      venue: WATCH_VENUE,
      cureWindow: CURE_WINDOW,
      custodians: [custodian.address],
      venues: [venue.address],
      scratchPrefix: "watch-",
    });
    ({ node, dir, deployment, layout, policyId, provider, book, registry, base } = chain);
    chain.writeHolderPortfolio(path.join(EXAMPLE, "portfolio.json"), files().portfolio);
  });

  after(async function () {
    await running?.stop();
    await webhook?.stop();
    await chain?.stop();
  });

  it("asks for a pledge of a new salt, then proves each confirmed round with it", async function () {
    webhookUrl = await webhook.start();
    startWatcher({ webhook: { url: webhookUrl, backoffMs: 50, timeoutMs: 120_000 } });
    const first = await publish();
    await mine(); // two confirmations
    const asked = await waitForEvent((e) => e.type === "pledge-needed", 0, "pledge request");
    expect(asked.round).to.equal(first.toString());

    // The custodian fetches the round from the chain alone and pledges the opening.
    const opening = await chain.pledge(files(), custodian);
    await waitForEvent((e) => e.type === "proved" && e.round === first.toString(), 0, "proof 1");

    const second = await publish();
    await mine();
    await waitForEvent((e) => e.type === "proved" && e.round === second.toString(), 0, "proof 2");
    const proved = await marginProvedEvents(registry, { account: holder.address, policyId });
    expect(proved.map((e) => e.round)).to.deep.equal([first, second]);
    // One pledged commitment for both rounds: the watcher kept the salt.
    expect(proved[0].portfolioCommitments).to.deep.equal(proved[1].portfolioCommitments);
    expect(proved[0].portfolioCommitments.map(String)).to.deep.equal([
      opening.commitments.portfolio,
    ]);
    expect(await isMarginSufficient(registry, holder.address, policyId, 3600n)).to.equal(true);
  });

  it("with a relayer, submits through the relayer's path: proveBatch from the relayer, the account's request signed", async function () {
    await running!.stop();
    const from = events.length;
    const relayer = nodeWallet(8).connect(provider);
    const sentByHolder = await provider.getTransactionCount(holder.address);
    const alerts = { url: webhookUrl, backoffMs: 50, timeoutMs: 120_000 };
    startWatcher({ relayer, webhook: alerts });
    const round = await publish();
    await mine();
    const proved = await waitForEvent(
      (e) => e.type === "proved" && e.round === round.toString(),
      from,
      "the relayed proof",
    );
    expect(proved).to.include({ relayed: true });
    const tx = await provider.getTransaction(proved.transactionHash as string);
    expect(tx?.from).to.equal(relayer.address);
    expect(registry.interface.parseTransaction({ data: tx?.data ?? "0x" })?.name).to.equal(
      "proveBatch",
    );
    expect(await provider.getTransactionCount(holder.address)).to.equal(sentByHolder);
    expect(await provedRounds()).to.include(round);
    expect(await isMarginSufficient(registry, holder.address, policyId, 3600n)).to.equal(true);
    await running!.stop();
    startWatcher({ webhook: alerts }); // the default path for the tests that follow
  });

  it("refuses, alerts and never proves a market file that does not hash to the posted commitment or does not fit", async function () {
    const asPublisher = book.connect(publisher.connect(provider)) as Contract;
    const from = events.length;
    // Round r: the file of a crash, posted with the commitment of a normal round.
    const honest = await nextDocument();
    const { commitment } = await checkMarketForLayout(honest, "honest", layout);
    const forged = { ...(await nextDocument(CRASH)) };
    const r = BigInt(forged.round as number);
    await postRound(asPublisher, {
      feed: layout.feed,
      round: r,
      timestamp: BigInt(forged.timestamp as number),
      commitment,
      marketData: encodeMarketData(forged),
    });
    await mine();
    const refused = await waitForEvent(
      (e) => e.type === "market-refused" && e.round === r.toString(),
      from,
      "refusal of a mismatched file",
    );
    expect(refused.reason).to.equal("commitment");
    // Round r + 1: a file without the WBTC price (it does not fit the layout).
    const missing = await nextDocument();
    const prices = { ...(missing.prices as Record<string, string>) };
    delete prices.WBTC;
    await postRound(asPublisher, {
      feed: layout.feed,
      round: r + 1n,
      timestamp: BigInt(missing.timestamp as number),
      commitment: 12345n,
      marketData: encodeMarketData({ ...missing, prices }),
    });
    await mine();
    const unfit = await waitForEvent(
      (e) => e.type === "market-refused" && e.round === (r + 1n).toString(),
      from,
      "refusal of an unfit file",
    );
    expect(unfit.reason).to.equal("layout");
    expect(unfit.level).to.equal("error");
    // The publisher is refused the same files up front.
    let publishError: unknown;
    try {
      await publishMarket(asPublisher, layout, { ...missing, prices }, "market.json");
    } catch (error) {
      publishError = error;
    }
    expect(String(publishError)).to.match(/market\.json: .*WBTC/);
    expect(await provedRounds()).to.not.include(r);
    expect(await provedRounds()).to.not.include(r + 1n);
  });

  it("acts only on confirmed rounds: a round reorganised away before its confirmations is never proven", async function () {
    const from = events.length;
    const snapshot = (await node.send("evm_snapshot")) as string;
    const orphan = await publish(CRASH); // one confirmation: not yet acted on
    await waitForPass(await provider.getBlockNumber());
    await node.send("evm_revert", [snapshot]);
    const replacement = await publish();
    expect(replacement).to.equal(orphan);
    await mine();
    await waitForEvent(
      (e) => e.type === "proved" && e.round === replacement.toString(),
      from,
      "proof of the replacement round",
    );
    // The orphaned crash round never raised a shortfall: it was never read as confirmed.
    expect(events.slice(from).filter((e) => e.type === "shortfall")).to.deep.equal([]);
    const status = await readStatus(registry, holder.address, policyId);
    expect(status.round).to.equal(replacement);
  });

  it("warns on a strained round (low excess, a scenario that would put it short) and still proves it", async function () {
    const from = events.length;
    const round = await publish(STRAINED);
    await mine();
    const low = await waitForEvent((e) => e.type === "low-excess", from, "low-excess alert");
    expect(low.round).to.equal(round.toString());
    const stress = await waitForEvent((e) => e.type === "stress-shortfall", from, "stress alert");
    expect(stress.round).to.equal(round.toString());
    // The alert is the model's own judgement of the round (standard policy: the option book).
    const portfolio = parsePortfolio(readJsonFile(files().portfolio), "portfolio", layout.policy);
    const judged = stressNextMove(computeMargin(layout.policy, chain.lastPublished!, portfolio));
    expect(judged.margin).to.equal("standard");
    expect(stress).to.include({
      margin: "standard",
      scenario: judged.short[0].index,
      label: judged.short[0].label,
      lossUsd: formatUnits(judged.short[0].lossMicroUsd, 6),
      shortAfterUsd: formatUnits(-judged.short[0].excessAfterMicroUsd, 6),
      scenariosShort: judged.short.length,
    });
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
  });

  it("alerts a shortfall by how much and submits nothing; the webhook is retried while proving goes on", async function () {
    const from = events.length;
    const sent = await provider.getTransactionCount(holder.address);
    // The webhook answers 500 twice, then holds the request open until released.
    webhook.failures = 2;
    webhook.hold = true;
    const round = await publish(CRASH);
    await mine();
    const alert = await waitForEvent((e) => e.type === "shortfall", from, "shortfall alert");
    expect(alert.round).to.equal(round.toString());
    const portfolio = parsePortfolio(readJsonFile(files().portfolio), "portfolio", layout.policy);
    const report = computeMargin(layout.policy, chain.lastPublished!, portfolio);
    expect(report.sufficient).to.equal(false);
    expect(alert.shortfallUsd).to.equal(formatUnits(-report.excessMicroUsd, 6));
    expect(alert.level).to.equal("error");
    expect(await provider.getTransactionCount(holder.address)).to.equal(sent);
    // The webhook answered 500 twice and now holds the third attempt; proving goes on.
    const next = await publish();
    await mine();
    await waitForEvent((e) => e.type === "proved" && e.round === next.toString(), from, "proof");
    webhook.release();
    const deadline = Date.now() + 60_000;
    const delivered = () => webhook.delivered.some((b) => b.type === "shortfall");
    while (!delivered() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const attempts = webhook.bodies.filter(
      (b) => b.type === "shortfall" && b.round === round.toString(),
    );
    // Two failures and the held attempt (delivered once released), each the same alert.
    expect(attempts.length).to.equal(3);
    expect(new Set(attempts.map((b) => JSON.stringify(b))).size).to.equal(1);
  });

  it("answers a margin call with a proof on the first round after it, and settles the cure", async function () {
    const from = events.length;
    const asVenue = registry.connect(venue.connect(provider)) as Contract;
    await callMargin(asVenue, holder.address, policyId);
    const called = await waitForEvent((e) => e.type === "margin-call", from, "margin-call alert");
    const round = await publish();
    await mine();
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
    await waitForEvent((e) => e.type === "margin-call-cured", from, "cure");
    expect(BigInt(String(called.round))).to.equal(round - 1n);
    expect((await readMarginCall(registry, holder.address, policyId)).state).to.equal("none");
    const cured = await registry.queryFilter(
      registry.filters.MarginCallCured(holder.address, policyId),
    );
    expect(cured.length).to.equal(1);
  });

  it("lets a call expire when the portfolio cannot cure it, and alerts the expiry", async function () {
    const from = events.length;
    const shortRound = await publish(CRASH);
    await mine();
    await waitForEvent(
      (e) => e.type === "shortfall" && e.round === shortRound.toString(),
      from,
      "shortfall",
    );
    await callMargin(
      registry.connect(venue.connect(provider)) as Contract,
      holder.address,
      policyId,
    );
    await waitForEvent((e) => e.type === "margin-call", from, "margin-call alert");
    // The deadline runs from the first round after the call: another crash the holder cannot
    // cure on.
    const next = await publish(CRASH);
    await mine();
    await waitForEvent(
      (e) => e.type === "shortfall" && e.round === next.toString(),
      from,
      "shortfall",
    );
    await node.send("evm_increaseTime", [Number(CURE_WINDOW)]);
    await mine();
    const expired = await waitForEvent((e) => e.type === "margin-call-expired", from, "expiry");
    expect(expired.level).to.equal("error");
    expect(await isMarginSufficient(registry, holder.address, policyId, 86_400n)).to.equal(false);
    expect((await readMarginCall(registry, holder.address, policyId)).state).to.equal("expired");
  });

  it("restarted right after sending, neither loses nor repeats the submission", async function () {
    await running!.stop();
    const from = events.length;
    let crashed = false;
    startWatcher({
      hooks: {
        afterSend: () => {
          crashed = true;
          throw new SimulatedCrash();
        },
        afterTick: log.afterTick,
      },
    });
    const round = await publish(); // also cures the expired call late
    await mine();
    let error: unknown;
    try {
      await running!.done;
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(SimulatedCrash);
    expect(crashed).to.equal(true);
    const state = readJsonFile(files().state) as {
      pending?: { round: string; transactionHash?: string };
    };
    expect(state.pending?.round).to.equal(round.toString());
    expect(state.pending?.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    const sent = await provider.getTransactionCount(holder.address);

    startWatcher();
    await waitForEvent((e) => e.type === "submission-recovered", from, "recovery");
    await waitForPass(await provider.getBlockNumber());
    expect((await provedRounds()).filter((r) => r === round)).to.have.length(1);
    // The cure of the expired call is settled after the recovery; no second proof was sent.
    await waitForEvent((e) => e.type === "margin-call-cured", from, "late cure");
    expect(await provider.getTransactionCount(holder.address)).to.equal(sent + 1); // the settle
    const next = await publish();
    await mine();
    await waitForEvent(
      (e) => e.type === "proved" && e.round === next.toString(),
      from,
      "next proof",
    );
  });

  it("survives the node stopping and continuing: alerts, backs off, and proves what was posted meanwhile", async function () {
    const from = events.length;
    node.pause();
    try {
      await waitForEvent((e) => e.type === "rpc-unavailable", from, "rpc-unavailable");
    } finally {
      node.resume();
    }
    await waitForEvent((e) => e.type === "rpc-restored", from, "rpc-restored");
    const round = await publish();
    await mine();
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
    const rounds = await provedRounds();
    expect(new Set(rounds.map(String)).size).to.equal(rounds.length); // never twice
  });

  it("asks for a new pledge when the portfolio file changes, and proves once it is pledged", async function () {
    const from = events.length;
    const before = (await marginProvedEvents(registry, { account: holder.address, policyId })).at(
      -1,
    )!;
    const portfolio = readJsonFile(files().portfolio) as { collateral: Record<string, string> };
    writeJsonFile(files().portfolio, {
      ...portfolio,
      collateral: { ...portfolio.collateral, USDC: "240000" },
    });
    const round = await publish(STRAINED);
    await mine();
    const asked = await waitForEvent(
      (e) => e.type === "pledge-needed" && e.round === round.toString(),
      from,
      "a new pledge request",
    );
    // While the round waits for its pledge, later passes do not repeat its alerts.
    await waitForPass(await provider.getBlockNumber());
    await waitForPass(await provider.getBlockNumber());
    const alerts = events
      .slice(from)
      .filter(
        (e) => e.type !== "webhook-failed" && e.level !== "info" && e.round === round.toString(),
      )
      .map((e) => e.type);
    expect(alerts).to.deep.equal(["low-excess", "stress-shortfall", "pledge-needed"]);
    expect(asked.portfolioCommitment).to.not.equal(before.portfolioCommitments[0].toString());
    // Nothing was submitted with the old pledge for the new holdings.
    expect(await provedRounds()).to.not.include(round);
    const opening = parseOpening(readJsonFile(files().opening), files().opening);
    expect(opening.commitments.portfolio).to.equal(asked.portfolioCommitment);
    await chain.pledge(files(), custodian, 86_400n);
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
    const after = (await marginProvedEvents(registry, { account: holder.address, policyId })).at(
      -1,
    )!;
    expect(after.portfolioCommitments[0].toString()).to.equal(asked.portfolioCommitment);
  });

  it("writes its state file owner-only and never logs a secret", async function () {
    const { statSync } = await import("node:fs");
    expect(statSync(files().state).mode & 0o777).to.equal(0o600);
    expect(statSync(files().opening).mode & 0o777).to.equal(0o600);
    const opening = parseOpening(readJsonFile(files().opening), files().opening);
    const log = events.map((e) => JSON.stringify(e)).join("\n");
    expect(log).to.not.include(opening.salt);
    writeFileSync(path.join(dir, "events.jsonl"), log);
  });
  it("under a portfolio-margin policy, judges the next move by the round's joint scenario set", async function () {
    // The standard watcher's story is over; a second account watches a portfolio-margin policy
    // of the same slots (same layout and feed), without pledges.
    await running!.stop();
    const from = events.length;
    const document = {
      ...(readJsonFile(path.join(EXAMPLE, "policy.json")) as object),
      id: "small-portfolio-v1",
      margin: "portfolio",
    };
    const pmPolicy = parsePolicy(document, "small-portfolio-v1");
    deployment = await deployPolicy({
      rpc: node.url,
      deployment,
      file: path.join(dir, "deployment.json"),
      policy: pmPolicy,
      document,
      instance: "small",
      maxRoundAge: 86_400n,
      supersededGrace: 300n,
      cureWindow: CURE_WINDOW,
      venue: WATCH_VENUE,
      requiresPledges: false,
      custodians: [],
      venues: [],
      signers: { policyAdmin, admin: deployer },
      journalDir: path.join(dir, "journal"),
    });
    const pmLayout = feedLayoutOf(deployment, pmPolicy.id, "deployment.json");
    expect(pmLayout.feed).to.equal(layout.feed);
    const pmId = deployment.policies[pmPolicy.id].policyId;

    // The publisher serves both policies of the feed: a round without the joint set is refused.
    const withoutSet = await nextDocument();
    let refusal: unknown;
    try {
      await publishMarket(
        book.connect(publisher.connect(provider)) as Contract,
        layout,
        withoutSet,
        "market.json",
        feedLayoutsOf(deployment, layout.feed, "deployment.json"),
      );
    } catch (error) {
      refusal = error;
    }
    expect(String(refusal)).to.include(
      `market.json: scenarios: missing: the portfolio-margin policy "${pmPolicy.id}" needs the round's joint scenario set`,
    );

    const withSet = withSmallJointSet(base);
    const second = nodeWallet(8);
    const pmDir = path.join(dir, "portfolio-margin");
    const pmFiles = {
      portfolio: path.join(pmDir, "portfolio.json"),
      opening: path.join(pmDir, "opening.json"),
      pledge: path.join(pmDir, "pledge.json"),
      state: path.join(pmDir, "watch-state.json"),
    };
    const portfolioDocument = {
      ...(readJsonFile(path.join(EXAMPLE, "portfolio.json")) as object),
      account: second.address,
    };
    writeJsonFile(pmFiles.portfolio, portfolioDocument);
    const portfolio = parsePortfolio(portfolioDocument, "portfolio.json", pmPolicy);
    const judge = (market: Market) => ({
      joint: stressNextMove(computeMargin(pmPolicy, market, portfolio)),
      standard: stressNextMove(computeMargin(layout.policy, market, portfolio)),
    });

    // A calm round first, then the watcher: proven at once (no pledge needed), no alert.
    const calm = await publish({}, withSet, pmLayout);
    await mine();
    startWatcher({
      signer: second.connect(provider),
      deployment,
      policy: pmPolicy.id,
      files: pmFiles,
    });
    await waitForEvent((e) => e.type === "proved" && e.round === calm.toString(), from, "proof");
    expect(judge(chain.lastPublished!).joint.short).to.deep.equal([]);

    // USDC and BTC fall: still sufficient, but the joint crash (USDC depeg) would put it short.
    // The option book alone (model v1) sees no such scenario in the same round.
    const round = await publish({ USDC: 0.3, WBTC: 0.2, BTC: 0.2 }, withSet, pmLayout);
    await mine();
    const alert = await waitForEvent(
      (e) => e.type === "stress-shortfall" && e.round === round.toString(),
      from,
      "joint stress alert",
    );
    const { joint, standard } = judge(chain.lastPublished!);
    expect(computeMargin(pmPolicy, chain.lastPublished!, portfolio).sufficient).to.equal(true);
    expect(standard.short).to.deep.equal([]);
    expect(joint.short.map((s) => s.label)).to.deep.equal([SMALL_CRASH_LABEL]);
    expect(alert).to.include({
      margin: "portfolio",
      label: SMALL_CRASH_LABEL,
      scenario: 2,
      lossUsd: formatUnits(joint.short[0].lossMicroUsd, 6),
      shortAfterUsd: formatUnits(-joint.short[0].excessAfterMicroUsd, 6),
      bindingScenario: SMALL_CRASH_LABEL,
    });
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
    const proved = await marginProvedEvents(registry, { account: second.address, policyId: pmId });
    expect(proved.map((e) => e.round)).to.deep.equal([calm, round]);
    expect(events.slice(from).filter((e) => e.type === "pledge-needed")).to.deep.equal([]);
    const opening = parseOpening(readJsonFile(pmFiles.opening), pmFiles.opening);
    expect(opening.policyId).to.equal(pmPolicy.id);
    expect(events.map((e) => JSON.stringify(e)).join("\n")).to.not.include(opening.salt);
  });

  it("says when a round waits for its confirmations, and warns once when no block comes", async function () {
    // The standard holder's watcher again, warning after a second without a block.
    await running!.stop();
    const from = events.length;
    startWatcher({ stallWarnMs: 1_000 });
    // First it catches up on the rounds the portfolio-margin story posted (its own transactions
    // mine blocks); then nothing moves the chain but the publisher.
    const { latestRound } = (await book.getFunction("feedHead")(layout.feed)) as {
      latestRound: bigint;
    };
    await waitForEvent(
      (e) => e.type === "proved" && e.round === latestRound.toString(),
      from,
      "the watcher catching up",
    );
    await waitForPass(await provider.getBlockNumber());
    const round = await publish(); // one block: one confirmation of the two it needs
    const waiting = await waitForEvent(
      (e) => e.type === "waiting-confirmations" && e.round === round.toString(),
      from,
      "the waiting line",
    );
    expect(waiting.level).to.equal("info");
    expect(waiting.message).to.match(/^round \d+ is posted; waiting for 2 confirmations/);
    const stalled = await waitForEvent(
      (e) => e.type === "no-new-blocks" && e.round === round.toString(),
      from,
      "the stall warning",
    );
    expect(stalled.level).to.equal("warn");
    expect(stalled.message).to.match(
      /^no new block for \d+ s while round \d+ waits for 2 confirmations: the node mines no block without a transaction .*--confirmations 1/,
    );
    const head = await provider.getBlockNumber();
    await waitForPass(head);
    await waitForPass(head);
    expect(events.slice(from).filter((e) => e.type === "no-new-blocks")).to.have.length(1);
    await mine();
    await waitForEvent((e) => e.type === "proved" && e.round === round.toString(), from, "proof");
  });

  it("refuses a second watcher on the same state file, naming the one that holds it", async function () {
    const second = new Watcher(watcherOptions());
    let refusal: unknown;
    try {
      await second.start();
    } catch (error) {
      refusal = error;
    }
    expect(String(refusal)).to.match(
      new RegExp(
        `${literal(files().state)}: \\$: is in use by another watcher of this process \\(pid ${process.pid}\\): ` +
          "two watchers must not share a state file",
      ),
    );
    await second.close();
    // The running watcher still holds it; once stopped, the next one takes it.
    await running!.stop();
    const third = new Watcher(watcherOptions());
    await third.start();
    await third.close();
    startWatcher();
  });

  it("alerts a refusal of the registry in words (a revoked pledge), and records it", async function () {
    const from = events.length;
    const asCustodian = registry.connect(custodian.connect(provider)) as Contract;
    await revokePledges(asCustodian, holder.address);
    const round = await publish();
    await mine();
    const refused = await waitForEvent(
      (e) => e.type === "submission-refused" && e.round === round.toString(),
      from,
      "the refusal",
    );
    expect(refused).to.include({ error: "PledgeRevoked" });
    expect(refused.message).to.match(
      /^round \d+: the registry refused the proof: PledgeRevoked\(0, \d+, \d+\): the custodian revoked pledge 0: it was signed under epoch \d+, and the custodian's epoch for the account and venue is now \d+/,
    );
    expect(await provedRounds()).to.not.include(round);
  });

  it("never proves a round already older than the policy's maxRoundAge, and says why", async function () {
    const from = events.length;
    const round = await publish();
    await node.send("evm_increaseTime", [86_401]); // the policy's maxRoundAge is a day
    await mine();
    const stale = await waitForEvent(
      (e) => e.type === "round-stale" && e.round === round.toString(),
      from,
      "the stale-round alert",
    );
    expect(stale.level).to.equal("error");
    expect(stale.message).to.match(
      /^round \d+ is not proven: its timestamp \d+ \(.*Z\) is 864\d\d s \(1 d\) before the chain's clock, more than the policy's maxRoundAge of 86400 s \(1 d\), so the registry would refuse the proof \(StaleRound\)/,
    );
    await waitForPass(await provider.getBlockNumber());
    expect(await provedRounds()).to.not.include(round);
    const state = readJsonFile(files().state) as { rounds: Record<string, { outcome: string }> };
    expect(state.rounds[round.toString()]).to.deep.equal({ outcome: "stale" });
  });
});

/** `text` as a literal inside a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
