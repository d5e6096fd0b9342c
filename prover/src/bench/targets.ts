/**
 * The constraint targets of issues 14 and 10, checked against measured figures
 * ({@link CostSplit}s from `npm run constraints`): each check states what was measured, the limit
 * and whether it holds, so the report makes every target checkable from its output. The targets
 * were set for one portfolio per proof, so they are checked on the instance's dimensions with one
 * pledge slot (C = 1, v2's circuit); what more pledge slots cost is reported beside them.
 */
import type { InstanceDims } from "../encoding/instances";
import { AVERAGE_OVER, type CostSplit } from "./cost-split";

/**
 * Constraints of model v1's circuit per instance (circuits/constraints.snapshot.json at commit
 * 954a5a2, before the layout binding and model v2), keyed by its shape: v1's template parameters
 * `assets/perps/options/scenarios/tiers`. A v2 instance of the same shape is "the same instance".
 */
export const V1_CONSTRAINTS: readonly { instance: string; shape: string; constraints: number }[] = [
  { instance: "small", shape: "3/2/2/4/2", constraints: 7_590 },
  { instance: "demo", shape: "6/3/2/8/3", constraints: 12_868 },
  { instance: "standard", shape: "32/16/8/16/4", constraints: 68_871 },
  { instance: "large", shape: "128/64/32/27/4", constraints: 293_515 },
];

/** The v1 shape of v2 dimensions (groups and the joint flag did not exist in v1). */
export function v1Shape(dims: InstanceDims): string {
  return [dims.assets, dims.perps, dims.options, dims.scenarios, dims.tiers].join("/");
}

/** The limits. */
export const TARGETS = {
  /** Issue 14: the instance the per-slot targets are stated on, and its tier count. */
  slotInstance: "standard",
  slotTiers: 4,
  /** Issue 14: a 4-tier asset slot and a perp slot, every commitment share included. */
  assetSlot: 700,
  perpSlot: 900,
  /** Issue 10: the joint scan adds at most this many constraints per position per scenario ... */
  perPositionPerScenario: 2,
  /**
   * ... plus one comparison per scenario: the scan's comparison `R * 10^24 - S_k` is a range
   * check of JOINT_SLACK_BITS = 200 bits (circuits/lib/widths.circom), 200 constraints.
   */
  comparison: 200,
  /** Issue 10: a standard policy on v2 costs at most this factor of v1's figure. */
  v1Factor: 1.1,
} as const;

/** One target compared with a measured figure; `met` is null when it was not measured. */
export interface TargetCheck {
  issue: number;
  what: string;
  measured: number | null;
  limit: number;
  met: boolean | null;
  /** How the limit is made up, or why nothing was measured. */
  note: string;
}

function check(
  issue: number,
  what: string,
  measured: number | null,
  limit: number,
  note: string,
): TargetCheck {
  return { issue, what, measured, limit, met: measured === null ? null : measured <= limit, note };
}

/**
 * Issue 14's per-slot targets on the standard instance's dimensions with one pledge slot (one
 * portfolio, as the targets were set): every share in, then without joint arrays.
 */
function slotChecks(splits: readonly CostSplit[]): TargetCheck[] {
  const split = splits.find((s) => s.instance === TARGETS.slotInstance);
  const on = `${TARGETS.slotInstance} (${TARGETS.slotTiers} tiers)`;
  const slots = [
    { name: "asset", kind: "assets", limit: TARGETS.assetSlot },
    { name: "perp", kind: "perps", limit: TARGETS.perpSlot },
  ] as const;
  if (split === undefined || split.dims.tiers !== TARGETS.slotTiers) {
    const why = `${TARGETS.slotInstance} with ${TARGETS.slotTiers} tiers not measured in this run`;
    return slots.map((slot) =>
      check(14, `${slot.name} slot on ${on}, every commitment share`, null, slot.limit, why),
    );
  }
  const one = split.onePortfolio.averaged;
  const declared = split.dims.joint === 1 ? "joint arrays included" : "no joint arrays";
  const withoutJoint = "the same dimensions built without joint arrays (as classic)";
  const average = `averaged over ${AVERAGE_OVER} more, one pledge slot`;
  return slots.flatMap((slot) => [
    check(
      14,
      `${slot.name} slot on ${on}, ${average}, every commitment share`,
      (split.dims.joint === 1 ? one.joint : one.standard)[slot.kind],
      slot.limit,
      declared,
    ),
    check(
      14,
      `${slot.name} slot on ${on}, ${average}, standard machinery (joint 0)`,
      one.standard[slot.kind],
      slot.limit,
      withoutJoint,
    ),
  ]);
}

/** Issue 10's joint-scan target for an instance: in all, and the scan's arithmetic alone. */
function jointChecks(split: CostSplit): TargetCheck[] {
  const { assets, perps, scenarios } = split.dims;
  const positions = assets + perps;
  const limit =
    TARGETS.perPositionPerScenario * positions * scenarios + TARGETS.comparison * scenarios;
  const note = `${TARGETS.perPositionPerScenario} x ${positions} positions x ${scenarios} scenarios + ${TARGETS.comparison} x ${scenarios} scenarios`;
  const share = split.joint.total - split.standard.total;
  return [
    check(
      10,
      `joint scan on ${split.instance}, every share (joint 1 - joint 0)`,
      share,
      limit,
      note,
    ),
    check(
      10,
      `joint scan on ${split.instance}, ScanRisk's arithmetic alone`,
      split.scanArithmetic,
      limit,
      note,
    ),
  ];
}

/**
 * Issue 10's v1 comparison for an instance with a v1 figure of the same dimensions, with one
 * pledge slot (v1 proved one portfolio).
 */
function v1Checks(split: CostSplit): TargetCheck[] {
  const v1 = V1_CONSTRAINTS.find((entry) => entry.shape === v1Shape(split.dims));
  if (v1 === undefined) return [];
  const limit = Math.floor(v1.constraints * TARGETS.v1Factor);
  const note = `${TARGETS.v1Factor} x v1's ${v1.constraints} (${v1.instance})`;
  const { total } = split.onePortfolio;
  const checks: TargetCheck[] = [];
  if (split.dims.joint === 1) {
    checks.push(
      check(
        10,
        `standard policy on ${split.instance} (joint 1 as declared, one pledge slot)`,
        total.joint,
        limit,
        note,
      ),
    );
  }
  checks.push(
    check(
      10,
      `standard policy on ${split.instance} dimensions without joint arrays (joint 0, one pledge slot)`,
      total.standard,
      limit,
      note,
    ),
  );
  return checks;
}

/** Every target check the measured instances allow, issue 14's first. */
export function targetChecks(splits: readonly CostSplit[]): TargetCheck[] {
  return [
    ...slotChecks(splits),
    ...splits.filter((s) => s.dims.joint === 1).flatMap(jointChecks),
    ...splits.flatMap(v1Checks),
  ];
}
