/**
 * The watcher's "would the next move put it short?" (`stressNextMove`) judges the margin model's
 * own per-scenario losses: the joint scenario set under portfolio margin (model v2), the option
 * book's risk arrays under a standard policy. The hedged desk of examples/portfolio is the case
 * that tells them apart: its options alone would lose more than its excess in the crash, while
 * the joint scan (the short perp offsets the puts and the WETH) keeps every scenario covered.
 */
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { loadInstances } from "../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio, type Policy } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { stressNextMove } from "../prover/src/watch";
import { tripleArb } from "./helpers/arbitraries";

const EXAMPLES = path.resolve(__dirname, "../examples");
const USD = 1_000_000n; // µUSD

function example(policyFolder: string, folder: string) {
  const policy = loadPolicy(path.join(EXAMPLES, policyFolder, "policy.json"));
  return {
    policy,
    market: loadMarket(path.join(EXAMPLES, folder, "market.json")),
    portfolio: loadPortfolio(path.join(EXAMPLES, folder, "portfolio.json"), policy),
  };
}

describe("watch: next-move stress from the margin report", function () {
  const hedged = example("portfolio", "portfolio");

  it("judges the joint losses under portfolio margin: the hedged desk survives every scenario", function () {
    const report = computeMargin(hedged.policy, hedged.market, hedged.portfolio);
    expect(report.margin).to.equal("portfolio");
    expect(report.sufficient).to.equal(true);
    // The options alone would lose more than the excess in the crash (a v1 stress would alarm).
    const crash = hedged.market.scenarios!.labels.findIndex((l) => l.startsWith("crash"));
    expect(report.options.scenarioLossMicroUsd[crash] > report.excessMicroUsd).to.equal(true);

    const stress = stressNextMove(report);
    expect(stress.margin).to.equal("portfolio");
    expect(stress.short).to.deep.equal([]);
    // The worst move is the joint scan's binding scenario, the rally (the short perp loses).
    expect(stress.worst?.label).to.equal("rally: ETH +25% BTC +20%");
    expect(stress.worst?.index).to.equal(report.bindingScenario);
    expect(stress.binding).to.deep.equal(stress.worst);
    expect(stress.worst?.lossMicroUsd).to.equal(report.scenarios[7].lossMicroUsd);
    expect(stress.worst?.excessAfterMicroUsd).to.equal(
      report.excessMicroUsd - report.scenarios[7].lossMicroUsd,
    );
  });

  it("under portfolio margin, names the joint scenarios that would put it short, worst first", function () {
    // 750,000 USD more buffer leaves less excess (about 1,005,000 USD) than the two largest joint
    // losses (rally, then crash).
    const strained: Policy = {
      ...hedged.policy,
      bufferMicroUsd: hedged.policy.bufferMicroUsd + 750_000n * USD,
    };
    const report = computeMargin(strained, hedged.market, hedged.portfolio);
    expect(report.sufficient).to.equal(true);
    const stress = stressNextMove(report);
    expect(stress.short.map((s) => s.label)).to.deep.equal([
      "rally: ETH +25% BTC +20%",
      "crash: ETH -25% BTC -20%",
    ]);
    for (const s of stress.short) {
      expect(s.lossMicroUsd).to.equal(report.scenarios[s.index].lossMicroUsd);
      expect(s.excessAfterMicroUsd).to.equal(report.excessMicroUsd - s.lossMicroUsd);
      expect(s.excessAfterMicroUsd < 0n).to.equal(true);
    }
  });

  it("judges the option book's risk arrays under a standard policy (model v1)", function () {
    const desk = example("desk", "desk");
    // 5,590,000 USD more buffer leaves about 20,780 USD of excess: two option scenarios lose more.
    const strained: Policy = {
      ...desk.policy,
      bufferMicroUsd: desk.policy.bufferMicroUsd + 5_590_000n * USD,
    };
    const report = computeMargin(strained, desk.market, desk.portfolio);
    expect(report.margin).to.equal("standard");
    expect(report.sufficient).to.equal(true);
    const stress = stressNextMove(report);
    expect(stress.margin).to.equal("standard");
    const losses = report.options.scenarioLossMicroUsd;
    const expected = losses
      .map((loss, index) => ({ index, loss }))
      .filter(({ loss }) => loss > report.excessMicroUsd)
      .sort((a, b) => (a.loss > b.loss ? -1 : a.loss < b.loss ? 1 : a.index - b.index));
    expect(expected.map((e) => e.index)).to.deep.equal([7, 5]);
    expect(stress.short.map((s) => s.index)).to.deep.equal(expected.map((e) => e.index));
    expect(stress.short.map((s) => s.label)).to.deep.equal(expected.map((e) => `${e.index + 1}`));
  });

  it("has nothing to judge without scenarios", function () {
    const small = example("small", "small");
    const policy: Policy = { ...small.policy, options: [] };
    const portfolio = { ...small.portfolio, options: new Map<string, bigint>() };
    const stress = stressNextMove(computeMargin(policy, small.market, portfolio));
    expect(stress).to.deep.equal({ margin: "standard", short: [] });
  });

  it("agrees with the report on random triples (both models): losses, binding scenario, verdict", function () {
    const dims = loadInstances().small;
    fc.assert(
      fc.property(tripleArb(dims), ({ policy, market, portfolio }) => {
        const report = computeMargin(policy, market, portfolio);
        const stress = stressNextMove(report);
        expect(stress.margin).to.equal(policy.margin);
        const short = report.scenarios
          .map((s, index) => ({ index, after: report.excessMicroUsd - s.lossMicroUsd }))
          .filter((s) => s.after < 0n);
        expect(stress.short.map((s) => s.index).sort((a, b) => a - b)).to.deep.equal(
          short.map((s) => s.index),
        );
        for (let k = 1; k < stress.short.length; k++) {
          expect(
            stress.short[k - 1].excessAfterMicroUsd <= stress.short[k].excessAfterMicroUsd,
          ).to.equal(true);
        }
        expect(stress.binding?.index ?? null).to.equal(report.bindingScenario);
        if (report.scenarios.length > 0) {
          const worstLoss = report.scenarios.reduce(
            (m, s) => (s.lossMicroUsd > m ? s.lossMicroUsd : m),
            report.scenarios[0].lossMicroUsd,
          );
          expect(stress.worst?.lossMicroUsd).to.equal(worstLoss);
        } else {
          expect(stress.worst).to.equal(undefined);
        }
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});
