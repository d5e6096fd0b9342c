/**
 * `npm run constraints`'s deterministic parts: the target checks of issues 14 and 10 computed
 * from fixed figures (limits, verdicts, v1 matched by dimensions, what was not measured), the
 * report that prints them, and the build sharing that lets `standard` and `classic` compile each
 * variant once.
 */
import { expect } from "chai";
import * as path from "node:path";
import { compileInstance } from "../prover/src/build/compile";
import type { CostSplit } from "../prover/src/bench/cost-split";
import { renderConstraintsReport } from "../prover/src/bench/report/constraints";
import { compileDims, dimsLabel, type SlotCosts } from "../prover/src/bench/slot-costs";
import { targetChecks, TARGETS, V1_CONSTRAINTS } from "../prover/src/bench/targets";
import { loadInstances, type InstanceDims } from "../prover/src/encoding/instances";

const instances = loadInstances();

function costs(total: number, assets: number, perps: number, perScenario: number): SlotCosts {
  return { total, perSlot: { assets, perps, options: 300 }, perScenario, perPledge: 8_000 };
}

/** A split with the standard instance's dimensions (joint per `joint`). */
function standardSplit(instance: string, joint: 0 | 1): CostSplit {
  return {
    instance,
    dims: { ...instances.standard, joint },
    joint: costs(100_000, 1_300, 1_500, 3_000),
    standard: costs(70_000, 640, 800, 900),
    averaged: { joint: { assets: 1_250, perps: 1_450 }, standard: { assets: 690, perps: 905 } },
    scanArithmetic: 16 * 49,
    // The same dimensions with one pledge slot (C = 1), where the targets are checked.
    onePortfolio: {
      total: { joint: 76_000, standard: 46_000 },
      averaged: { joint: { assets: 1_000, perps: 1_200 }, standard: { assets: 600, perps: 850 } },
    },
  };
}

describe("bench: constraint targets (npm run constraints)", function () {
  it("checks issue 14's slot targets on the standard instance with one pledge slot: averaged, standard machinery", function () {
    const checks = targetChecks([standardSplit("standard", 1)]).filter((c) => c.issue === 14);
    expect(checks.map((c) => [c.measured, c.limit, c.met])).to.deep.equal([
      [1_000, TARGETS.assetSlot, false],
      [600, TARGETS.assetSlot, true],
      [1_200, TARGETS.perpSlot, false],
      [850, TARGETS.perpSlot, true],
    ]);
    expect(checks[0].what).to.include("standard (4 tiers)").and.to.include("one pledge slot");
  });

  it("says so when the standard instance was not measured", function () {
    const small: CostSplit = { ...standardSplit("small", 1), dims: instances.small };
    const checks = targetChecks([small]).filter((c) => c.issue === 14);
    expect(checks).to.have.length(2);
    expect(checks.every((c) => c.met === null && c.measured === null)).to.equal(true);
    expect(checks[0].note).to.include("not measured");
  });

  it("checks issue 10's joint scan per instance: 2 per position per scenario plus one comparison", function () {
    const [all, scan] = targetChecks([standardSplit("standard", 1)]).filter((c) =>
      c.what.startsWith("joint scan"),
    );
    // 48 positions x 16 scenarios x 2 + 16 comparisons of 200 constraints.
    expect(all.limit).to.equal(2 * 48 * 16 + 200 * 16);
    expect([all.measured, all.met]).to.deep.equal([30_000, false]);
    expect([scan.measured, scan.met]).to.deep.equal([784, true]);
    // An instance without joint arrays has no joint-scan check.
    const classic = targetChecks([standardSplit("classic", 0)]);
    expect(classic.some((c) => c.what.startsWith("joint scan"))).to.equal(false);
  });

  it("compares a standard policy with v1's figure of the same dimensions, within 10 %", function () {
    const v1 = V1_CONSTRAINTS.find((e) => e.instance === "standard");
    if (!v1) throw new Error("no v1 figure for standard");
    const limit = Math.floor(v1.constraints * 1.1);
    const onStandard = targetChecks([standardSplit("standard", 1)]).filter((c) =>
      c.what.startsWith("standard policy"),
    );
    // v1 proved one portfolio: compared with one pledge slot.
    expect(onStandard.map((c) => [c.measured, c.limit, c.met])).to.deep.equal([
      [76_000, limit, false],
      [46_000, limit, true],
    ]);
    // classic has standard's dimensions without joint arrays: v1's standard figure, one check.
    const onClassic = targetChecks([standardSplit("classic", 0)]).filter((c) =>
      c.what.startsWith("standard policy"),
    );
    expect(onClassic.map((c) => [c.measured, c.note])).to.deep.equal([
      [46_000, `1.1 x v1's ${v1.constraints} (standard)`],
    ]);
    // Dimensions v1 never had: nothing to compare with.
    const odd: CostSplit = {
      ...standardSplit("odd", 1),
      dims: { ...instances.standard, assets: 33 },
    };
    expect(targetChecks([odd]).some((c) => c.what.startsWith("standard policy"))).to.equal(false);
  });

  it("prints every figure and every verdict", function () {
    const report = renderConstraintsReport(
      [standardSplit("standard", 1), standardSplit("classic", 0)],
      targetChecks([standardSplit("standard", 1), standardSplit("classic", 0)]),
    );
    expect(report).to.match(
      /\| standard \| 32\/16\/8\/16\/4\/4\/1\/4 \| 100,000 \| 1,300 \| 1,500 \| 300 \| 3,000 \| 8,000 \|/,
    );
    expect(report).to.match(
      /\| classic \| 32\/16\/8\/16\/4\/4\/0\/4 \| 70,000 \| 640 \| 800 \| 300 \| 900 \| 8,000 \|/,
    );
    expect(report).to.include("70,000 + 30,000 = 100,000");
    // standard and classic share their two builds: one split row names both, none repeats.
    expect(report).to.include("| standard = classic (32/16/8/16/4/4/1/4 vs J 0) |");
    expect(report).to.include("| standard = classic (T 4) |");
    expect(report).to.not.match(/\| classic \(/);
    expect(report).to.include("640 + 660 = 1,300");
    expect(report).to.include("690.0 + 560.0 = 1,250.0");
    // Joint share per position per scenario: 30,000 / (48 x 16), and the scan's 784 / 768.
    expect(report).to.include("39.06 (scan alone 1.02)");
    expect(report).to.include(
      "- [MISSED] issue 14: asset slot on standard (4 tiers), averaged over 15 more, one pledge slot, every commitment share: 1,000 <= 700?",
    );
    // the pledge table: as declared, with one slot, one more slot, averaged slots with one
    expect(report).to.include("| standard | 4 | 100,000 | 76,000 | 8,000 | 1,000.0 | 1,200.0 |");
    expect(report).to.include("| classic | 4 | 70,000 | 46,000 | 8,000 | 600.0 | 850.0 |");
    expect(report).to.include(
      "- [MET] issue 10: joint scan on standard, ScanRisk's arithmetic alone: 784 <= 4,736?",
    );
  });
});

describe("bench: builds shared by dimensions", function () {
  it("compiles declared dimensions as their instance's build", async function () {
    const small: InstanceDims = instances.small;
    const own = await compileInstance("small");
    const shared = await compileDims(small);
    expect(shared.dir).to.equal(own.dir);
    expect(shared.constraints).to.equal(own.constraints);
    expect(dimsLabel(small)).to.equal("3/2/2/4/2/1/1/1");
    expect(path.basename(own.dir)).to.equal("small");
  });
});
