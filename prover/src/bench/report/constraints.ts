/**
 * The text `npm run constraints` prints: per instance the total and the marginal costs, the split
 * of the asset, perp and scenario costs into the standard machinery and the joint scenario share,
 * and every target of issues 14 and 10 compared with its measured figure. Markdown tables, so
 * circuits/README.md can quote them as they are.
 */
import { AVERAGE_OVER, declaredCosts, declaredOnePortfolio, type CostSplit } from "../cost-split";
import { dimsLabel } from "../slot-costs";
import type { TargetCheck } from "../targets";
import { formatCount, markdownTable as table } from "./format";

/** An average to one decimal, with thousands separators. */
function formatAverage(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** `standard + joint = total`. */
function split(standard: number, joint: number, format = formatCount): string {
  return `${format(standard)} + ${format(joint - standard)} = ${format(joint)}`;
}

/** The per-instance table (the instance as declared in circuits/instances.json). */
export function totalsTable(splits: readonly CostSplit[]): string {
  return table(
    [
      "instance",
      "A/P/O/S/T/G/J/C",
      "constraints",
      "per asset",
      "per perp",
      "per option",
      "per scenario",
      "per pledge slot",
    ],
    splits.map((s) => {
      const c = declaredCosts(s);
      return [
        s.instance,
        dimsLabel(s.dims),
        formatCount(c.total),
        formatCount(c.perSlot.assets),
        formatCount(c.perSlot.perps),
        formatCount(c.perSlot.options),
        formatCount(c.perScenario),
        formatCount(c.perPledge),
      ];
    }),
  );
}

/**
 * One row per distinct dimensions: instances that differ only in their joint flag (standard and
 * classic) are measured on the same two builds, so they share a row named after both.
 */
export function byDimensions(splits: readonly CostSplit[]): { names: string; split: CostSplit }[] {
  const rows = new Map<string, { names: string[]; split: CostSplit }>();
  for (const s of splits) {
    const key = dimsLabel({ ...s.dims, joint: 1 });
    const row = rows.get(key);
    if (row) row.names.push(s.instance);
    else rows.set(key, { names: [s.instance], split: s });
  }
  return [...rows.values()].map((r) => ({ names: r.names.join(" = "), split: r.split }));
}

/** The standard machinery (joint 0) + joint scenario share (joint 1 - joint 0) of each figure. */
export function splitTable(splits: readonly CostSplit[]): string {
  return table(
    [
      "dimensions",
      "total",
      "per asset",
      "per perp",
      "per option",
      "per scenario",
      "per pledge slot",
      "ScanRisk's joint arithmetic",
      "joint share per position per scenario",
    ],
    byDimensions(splits).map(({ names, split: s }) => {
      const positionScenarios = (s.dims.assets + s.dims.perps) * s.dims.scenarios;
      const share = s.joint.total - s.standard.total;
      return [
        `${names} (${dimsLabel({ ...s.dims, joint: 1 })} vs J 0)`,
        split(s.standard.total, s.joint.total),
        split(s.standard.perSlot.assets, s.joint.perSlot.assets),
        split(s.standard.perSlot.perps, s.joint.perSlot.perps),
        split(s.standard.perSlot.options, s.joint.perSlot.options),
        split(s.standard.perScenario, s.joint.perScenario),
        split(s.standard.perPledge, s.joint.perPledge),
        formatCount(s.scanArithmetic),
        `${(share / positionScenarios).toFixed(2)} (scan alone ${(s.scanArithmetic / positionScenarios).toFixed(2)})`,
      ];
    }),
  );
}

/** Asset and perp slots: one more, and averaged over AVERAGE_OVER more, each split. */
export function averagedTable(splits: readonly CostSplit[]): string {
  const average = `average of ${AVERAGE_OVER} more`;
  return table(
    [
      "dimensions",
      "per asset, 1 more",
      `per asset, ${average}`,
      "per perp, 1 more",
      `per perp, ${average}`,
    ],
    byDimensions(splits).map(({ names, split: s }) => [
      `${names} (T ${s.dims.tiers})`,
      split(s.standard.perSlot.assets, s.joint.perSlot.assets),
      split(s.averaged.standard.assets, s.averaged.joint.assets, formatAverage),
      split(s.standard.perSlot.perps, s.joint.perSlot.perps),
      split(s.averaged.standard.perps, s.averaged.joint.perps, formatAverage),
    ]),
  );
}

/**
 * Pledge slots: each instance as declared against its dimensions with one pledge slot (v2's
 * circuit), the cost of one more pledge slot, and the averaged slot costs with one.
 */
export function pledgeTable(splits: readonly CostSplit[]): string {
  const average = `average of ${AVERAGE_OVER} more`;
  return table(
    [
      "instance",
      "C",
      "constraints",
      "with one pledge slot",
      "per pledge slot, 1 more",
      `per asset, ${average}, C 1`,
      `per perp, ${average}, C 1`,
    ],
    splits.map((s) => {
      const one = declaredOnePortfolio(s);
      return [
        s.instance,
        formatCount(s.dims.pledges),
        formatCount(declaredCosts(s).total),
        formatCount(one.total),
        formatCount(declaredCosts(s).perPledge),
        formatAverage(one.averaged.assets),
        formatAverage(one.averaged.perps),
      ];
    }),
  );
}

/** One line per target: verdict, figure against limit, what the limit is made of. */
export function targetLines(checks: readonly TargetCheck[]): string[] {
  return checks.map((c) => {
    const verdict = c.met === null ? "NOT MEASURED" : c.met ? "MET" : "MISSED";
    const figure =
      c.measured === null
        ? `limit ${formatCount(c.limit)}`
        : `${formatCount(c.measured)} <= ${formatCount(c.limit)}?`;
    return `- [${verdict}] issue ${c.issue}: ${c.what}: ${figure} (${c.note})`;
  });
}

/** The whole report. */
export function renderConstraintsReport(
  splits: readonly CostSplit[],
  checks: readonly TargetCheck[],
): string {
  return [
    "Constraints per instance (circom --O2; per slot / scenario: one more compiled and differenced,",
    "so each figure includes its share of the commitments)",
    "",
    totalsTable(splits),
    "",
    "Standard machinery + joint scenario share = with joint arrays: each figure measured on the",
    "instance's dimensions built without joint arrays (J 0, as `classic`) and with them (J 1);",
    "ScanRisk's joint arithmetic is the scan template alone at J 1 minus J 0 (the rest of the joint",
    "share is the market commitment's hashing of the joint arrays)",
    "",
    splitTable(splits),
    "",
    `Asset and perp slots, standard + joint = with joint arrays: one more slot shows the commitments'`,
    `Poseidon chunks (15 elements each) in steps; ${AVERAGE_OVER} more, averaged, spread them evenly`,
    "",
    averagedTable(splits),
    "",
    "Pledge slots: each instance as declared and with one pledge slot (C 1, v2's circuit); one more",
    "pledge slot adds a sub-portfolio's range checks and hash and the slot rules; every asset, perp",
    "and option slot carries one set of holdings per pledge slot",
    "",
    pledgeTable(splits),
    "",
    "Targets (issue 14 on the standard instance; issue 10 per instance; both set for one portfolio,",
    "so checked with one pledge slot)",
    "",
    ...targetLines(checks),
    "",
  ].join("\n");
}
