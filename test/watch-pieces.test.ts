/**
 * `zkmargin watch` for a holder whose collateral sits with two custodians (issue 19), against a
 * real `hardhat node`, with real proofs on the `demo` instance (two pledge slots): the desk
 * policy requires a pledge per used slot, and the two sub-portfolios (examples/pledges) are each
 * short alone. The watcher asks each custodian for a pledge of its own opening, then proves the
 * sum each round and submits it with both pledges; its events show each sub-portfolio's share as
 * `zkmargin margin` does. A changed sub-portfolio renews its own opening only.
 *
 * Waits are on the watcher's own event lines, never on time.
 */
import path from "node:path";
import { expect } from "chai";
import type { Contract, JsonRpcProvider, Signer } from "ethers";
import {
  isMarginSufficient,
  marginProvedEvents,
  marginRegistryDomain,
  readPledgeTerms,
  venueIdOf,
} from "../prover/src/chain";
import {
  deployContracts,
  deployPolicy,
  deployedContracts,
  deploymentProvider,
  feedLayoutOf,
  type Deployment,
} from "../prover/src/deployment";
import { loadMarket, loadPolicy, parsePortfolio, type Market } from "../prover/src/inputs";
import { readJsonFile, writeJsonFile } from "../prover/src/io";
import {
  fetchRound,
  marketDocumentOf,
  publishMarket,
  type FeedLayout,
} from "../prover/src/market-data";
import { computeMargin } from "../prover/src/model";
import { parseOpening, pledgeOpening } from "../prover/src/proving";
import { pieceShareDetails, Watcher, type HolderFiles, type WatchEvent } from "../prover/src/watch";
import { runCli } from "./helpers/cli";
import { compileContracts } from "./contracts.fixture";
import { nodeWallet, startRpcNode, type RpcNode } from "./helpers/hardhat-node";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const DESK = path.join(ROOT, "examples", "desk");
const PIECES = ["qualified-custodian.json", "crypto-custodian.json"];
const VENUE = venueIdOf("watch pieces venue");

describe("zkmargin watch with two custodians (hardhat node, demo instance)", function () {
  let node: RpcNode;
  let dir: string;
  let deployment: Deployment;
  let layout: FeedLayout;
  let provider: JsonRpcProvider;
  let base: Market;
  let book: Contract;
  let registry: Contract;
  let policyId = "";
  const events: WatchEvent[] = [];
  let stop: (() => Promise<void>) | undefined;
  const [deployer, , publisher, policyAdmin, custodianAdmin, custodianA, custodianB, holder] = [
    0, 1, 2, 3, 4, 5, 6, 7,
  ].map(nodeWallet);
  const custodians = [custodianA, custodianB];
  /** Sub-portfolio k's files (k from 1). */
  const pieceFiles = (k: number): HolderFiles => ({
    portfolio: path.join(dir, `portfolio-${k}.json`),
    opening: path.join(dir, `opening-${k}.json`),
    pledge: path.join(dir, `pledge-${k}.json`),
  });
  const pieces = () => [pieceFiles(1), pieceFiles(2)];

  const latestTimestamp = async () => BigInt((await provider.getBlock("latest"))!.timestamp);

  /** The publisher posts the next round: the desk's market, stamped now. */
  async function publish(): Promise<bigint> {
    const head = (await book.getFunction("feedHead")(layout.feed)) as { latestRound: bigint };
    const document = marketDocumentOf({
      ...base,
      round: head.latestRound + 1n,
      timestamp: await latestTimestamp(),
    });
    const posted = await publishMarket(
      book.connect(publisher.connect(provider)) as Contract,
      layout,
      document,
      "market.json",
    );
    return posted.round;
  }

  /** Resolves with the first event (from `from` on) matching `match`; fails after 3 minutes. */
  async function waitForEvent(
    match: (e: WatchEvent) => boolean,
    from: number,
    what: string,
  ): Promise<WatchEvent> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const found = events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no ${what}; events:\n${events.map((e) => JSON.stringify(e)).join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The watcher's completed passes and the block the last one read. */
  let passes = { count: 0, head: 0 };

  /** Resolves once the watcher completed a pass that read block `head` or later. */
  async function waitForPass(head: number): Promise<void> {
    const start = passes.count;
    const deadline = Date.now() + 180_000;
    while (!(passes.count > start && passes.head >= head)) {
      if (Date.now() > deadline) throw new Error(`the watcher did not pass block ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Custodian `k` (from 1) checks sub-portfolio k's opening against its records and pledges it. */
  async function pledgePiece(k: number, custodian: Signer): Promise<void> {
    const files = pieceFiles(k);
    const opening = parseOpening(readJsonFile(files.opening), files.opening);
    const fetched = await fetchRound(book, layout, BigInt(opening.round), {
      fromBlock: deployment.startBlock,
    });
    const now = await latestTimestamp();
    const pledge = await pledgeOpening({
      opening,
      records: parsePortfolio(readJsonFile(files.portfolio), "records.json", layout.policy),
      policy: layout.policy,
      market: fetched.market,
      signer: custodian,
      domain: marginRegistryDomain(31337n, deployment.contracts.marginRegistry),
      venue: VENUE,
      terms: await readPledgeTerms(registry, await custodian.getAddress(), holder.address, VENUE),
      issuedAt: now,
      validUntil: now + 7n * 86_400n,
      files: { opening: files.opening, records: "records.json" },
    });
    writeJsonFile(files.pledge, pledge);
  }

  before(sharedKeysHook("demo"));
  before(async function () {
    await compileContracts();
    node = await startRpcNode();
    dir = buildScratchDir("watch-pieces-");
    deployment = await deployContracts({
      rpc: node.url,
      deployer,
      instances: ["demo"],
      verifierApprovalDelay: 60n,
      policyAdmins: [policyAdmin.address],
      custodianAdmins: [custodianAdmin.address],
      journalDir: path.join(dir, "journal"),
    });
    await node.send("evm_increaseTime", [60]);
    await node.send("evm_mine");
    const policyFile = path.join(DESK, "policy.json");
    deployment = await deployPolicy({
      rpc: node.url,
      deployment,
      file: path.join(dir, "deployment.json"),
      policy: loadPolicy(policyFile),
      document: readJsonFile(policyFile),
      instance: "demo",
      maxRoundAge: 86_400n,
      supersededGrace: 300n,
      cureWindow: 600n,
      venue: VENUE,
      requiresPledges: true,
      custodians: custodians.map((c) => c.address),
      venues: [],
      publishers: [publisher.address],
      signers: { policyAdmin, custodianAdmin, admin: deployer },
      journalDir: path.join(dir, "journal"),
    });
    writeJsonFile(path.join(dir, "deployment.json"), deployment);
    const id = loadPolicy(policyFile).id;
    layout = feedLayoutOf(deployment, id, "deployment.json");
    policyId = deployment.policies[id].policyId;
    provider = deploymentProvider(node.url, deployment, 1_500);
    ({ marketBook: book, marginRegistry: registry } = deployedContracts(deployment, provider));
    base = loadMarket(path.join(DESK, "market.json"));
    PIECES.forEach((name, k) => {
      const piece = readJsonFile(path.join(ROOT, "examples", "pledges", name)) as object;
      writeJsonFile(pieceFiles(k + 1).portfolio, { ...piece, account: holder.address });
    });
  });

  after(async function () {
    await stop?.();
    provider?.destroy();
    await node?.stop();
  });

  it("refuses --opening or --pledge given another number of times than --portfolio", function () {
    const run = runCli([
      "watch",
      "--deployment",
      "deployment.json",
      "--rpc",
      "http://127.0.0.1:1",
      "--policy-id",
      "desk-maintenance-v1",
      "--portfolio",
      "a.json",
      "--portfolio",
      "b.json",
      "--opening",
      "a-opening.json",
      "--opening",
      "b-opening.json",
      "--pledge",
      "a-pledge.json",
      "--state",
      "state.json",
    ]);
    expect([run.status, run.stderr]).to.deep.equal([
      1,
      "zkmargin: command line: --pledge: given 1 time(s) for 2 --portfolio: give one per sub-portfolio, in the same order\n",
    ]);
  });

  it("asks each custodian for its pledge, then proves the sum each round with both pledges", async function () {
    const policy = layout.policy;
    const portfolios = pieces().map((f) =>
      parsePortfolio(readJsonFile(f.portfolio), f.portfolio, policy),
    );
    expect(portfolios.map((p) => computeMargin(policy, base, p).sufficient)).to.deep.equal([
      false,
      false,
    ]);
    const watcher = new Watcher({
      provider,
      signer: holder.connect(provider),
      deployment,
      deploymentFile: path.join(dir, "deployment.json"),
      policy: policy.id,
      files: { pieces: pieces(), state: path.join(dir, "watch-state.json") },
      confirmations: 1,
      pollMs: 100,
      maxBackoffMs: 1_000,
      write: (line) => events.push(JSON.parse(line) as WatchEvent),
      hooks: { afterTick: (head) => void (passes = { count: passes.count + 1, head }) },
    });
    const controller = new AbortController();
    const done = watcher.run(controller.signal);
    stop = async () => {
      controller.abort();
      await done.catch(() => undefined);
      await watcher.close();
    };

    const first = await publish();
    const asked = [1, 2].map((k) =>
      waitForEvent(
        (e) => e.type === "pledge-needed" && e.opening === pieceFiles(k).opening,
        0,
        `pledge request ${k}`,
      ),
    );
    for (const [k, request] of (await Promise.all(asked)).entries()) {
      expect(request.round).to.equal(first.toString());
      expect(request.message).to.match(
        new RegExp(`^sub-portfolio ${k + 1}: no opening yet: wrote `),
      );
      const opening = parseOpening(readJsonFile(pieceFiles(k + 1).opening), "opening");
      expect(opening.slot).to.equal(k + 1);
      expect(request.portfolioCommitment).to.equal(opening.commitments.portfolio);
    }
    const openings = [1, 2].map((k) => parseOpening(readJsonFile(pieceFiles(k).opening), "o"));

    // Only custodian A pledges: the next round waits for B's pledge (asked for once already).
    await pledgePiece(1, custodianA);
    const second = await publish();
    await waitForPass(await provider.getBlockNumber());
    expect(await marginProvedEvents(registry, { account: holder.address, policyId })).to.deep.equal(
      [],
    );

    // Once B has pledged too, the waiting round is proven, and the next one with the same salts.
    await pledgePiece(2, custodianB);
    const from = events.length;
    await waitForEvent(
      (e) => e.type === "proved" && e.round === second.toString(),
      from,
      "proof of the waiting round",
    );
    const third = await publish();
    const proved = await waitForEvent(
      (e) => e.type === "proved" && e.round === third.toString(),
      from,
      "proof of the sum",
    );
    const onChain = await marginProvedEvents(registry, { account: holder.address, policyId });
    expect(onChain.map((e) => e.round)).to.deep.equal([second, third]);
    for (const e of onChain) {
      expect(e.portfolioCommitments.map(String)).to.deep.equal(
        openings.map((o) => o.commitments.portfolio),
      );
    }
    expect(await isMarginSufficient(registry, holder.address, policyId, 3600n)).to.equal(true);

    // The event shows each sub-portfolio's share, as `zkmargin margin` computes it.
    const report = computeMargin(policy, base, portfolios);
    expect(report.sufficient).to.equal(true);
    const expected = pieceShareDetails(
      report,
      pieces().map((f) => f.portfolio),
    );
    expect(expected.pieces).to.have.length(2);
    expect(proved.pieces).to.deep.equal(expected.pieces);
    const text = events.map((e) => JSON.stringify(e)).join("\n");
    for (const o of openings) expect(text).to.not.include(o.salt);
  });

  it("renews only the opening of a sub-portfolio that changed, and asks only its custodian", async function () {
    const before = parseOpening(readJsonFile(pieceFiles(1).opening), "o");
    const changed = readJsonFile(pieceFiles(2).portfolio) as { collateral: Record<string, string> };
    changed.collateral.WETH = "61";
    writeJsonFile(pieceFiles(2).portfolio, changed);
    const from = events.length;
    const round = await publish();
    const asked = await waitForEvent(
      (e) => e.type === "pledge-needed" && e.round === round.toString(),
      from,
      "the renewed sub-portfolio's pledge request",
    );
    expect(asked.opening).to.equal(pieceFiles(2).opening);
    expect(asked.message).to.match(/^sub-portfolio 2: .*portfolio-2\.json changed \(/);
    expect(parseOpening(readJsonFile(pieceFiles(1).opening), "o")).to.deep.equal(before);

    await pledgePiece(2, custodianB);
    const next = await publish();
    await waitForEvent(
      (e) => e.type === "proved" && e.round === next.toString(),
      from,
      "proof after the renewal",
    );
    const onChain = await marginProvedEvents(registry, { account: holder.address, policyId });
    const last = onChain[onChain.length - 1];
    const renewed = parseOpening(readJsonFile(pieceFiles(2).opening), "o");
    expect(last.portfolioCommitments.map(String)).to.deep.equal([
      before.commitments.portfolio,
      renewed.commitments.portfolio,
    ]);
    expect(events.slice(from).filter((e) => e.type === "pledge-needed")).to.have.length(1);
  });
});
