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
import type { Contract, JsonRpcProvider } from "ethers";
import { isMarginSufficient, marginProvedEvents, venueIdOf } from "../prover/src/chain";
import type { FeedLayout } from "../prover/src/market-data";
import { parsePortfolio, type Market } from "../prover/src/inputs";
import { readJsonFile, writeJsonFile } from "../prover/src/io";
import { computeMargin } from "../prover/src/model";
import { parseOpening } from "../prover/src/proving";
import { pieceShareDetails, type HolderFiles } from "../prover/src/watch";
import { runCli } from "./helpers/cli";
import { nodeWallet } from "./helpers/hardhat-node";
import { sharedKeysHook } from "./helpers/shared-keys";
import {
  WATCH_ROLES,
  WatchLog,
  runWatcher,
  startWatchedChain,
  type WatchedChain,
} from "./helpers/watched-chain";

const ROOT = path.resolve(__dirname, "..");
const DESK = path.join(ROOT, "examples", "desk");
const PIECES = ["qualified-custodian.json", "crypto-custodian.json"];
const VENUE = venueIdOf("watch pieces venue");

describe("zkmargin watch with two custodians (hardhat node, demo instance)", function () {
  let chain: WatchedChain;
  let dir: string;
  let layout: FeedLayout;
  let provider: JsonRpcProvider;
  let base: Market;
  let registry: Contract;
  let policyId = "";
  const log = new WatchLog();
  const events = log.events;
  let stop: (() => Promise<void>) | undefined;
  const { holder } = WATCH_ROLES;
  const [custodianA, custodianB] = [5, 6].map(nodeWallet);
  /** Sub-portfolio k's files (k from 1). */
  const pieceFiles = (k: number): HolderFiles => ({
    portfolio: path.join(dir, `portfolio-${k}.json`),
    opening: path.join(dir, `opening-${k}.json`),
    pledge: path.join(dir, `pledge-${k}.json`),
  });
  const pieces = () => [pieceFiles(1), pieceFiles(2)];
  const publish = () => chain.publish();
  const waitForEvent = log.waitForEvent.bind(log);
  const waitForPass = log.waitForPass.bind(log);

  before(sharedKeysHook("demo"));
  before(async function () {
    chain = await startWatchedChain({
      instance: "demo",
      example: DESK,
      venue: VENUE,
      cureWindow: 600n,
      custodians: [custodianA.address, custodianB.address],
      venues: [],
      scratchPrefix: "watch-pieces-",
    });
    ({ dir, layout, policyId, provider, base, registry } = chain);
    PIECES.forEach((name, k) => {
      const source = path.join(ROOT, "examples", "pledges", name);
      chain.writeHolderPortfolio(source, pieceFiles(k + 1).portfolio);
    });
  });

  after(async function () {
    await stop?.();
    await chain?.stop();
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
    ({ stop } = runWatcher({
      ...chain.watcherOptions(log),
      policy: policy.id,
      files: { pieces: pieces(), state: path.join(dir, "watch-state.json") },
      confirmations: 1,
    }));

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
    await chain.pledge(pieceFiles(1), custodianA);
    const second = await publish();
    await waitForPass(await provider.getBlockNumber());
    expect(await marginProvedEvents(registry, { account: holder.address, policyId })).to.deep.equal(
      [],
    );

    // Once B has pledged too, the waiting round is proven, and the next one with the same salts.
    await chain.pledge(pieceFiles(2), custodianB);
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
    const text = log.text();
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

    await chain.pledge(pieceFiles(2), custodianB);
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
