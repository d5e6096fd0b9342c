/**
 * Where the joint scenario scan's constraints go: `MarginProof` measured with the instance's
 * dimensions built twice, with the joint scenario arrays (J = 1) and without them (J = 0, the
 * standard machinery alone, what a `classic` instance compiles), each with its marginal costs;
 * and the scan template `ScanRisk` alone at J = 1 and J = 0, which isolates the scan's own
 * arithmetic from the market commitment's hashing of the joint arrays. (`npm run constraints`.)
 */
import { compileMain } from "../build/compile";
import type { InstanceDims } from "../encoding/instances";
import { compileDims, dimsLabel, measureSlotCosts, type SlotCosts } from "./slot-costs";

/**
 * Slots added at once for an averaged per-slot cost. One more slot shows the commitments'
 * Poseidon chunks (one per 15 elements, about 610 constraints) in steps: it opens a new chunk or
 * not. Fifteen more assets or perps add whole chunks to the market and policy commitments (each
 * such slot adds the same number of elements to them), so the average carries each slot's true
 * share of the hashing (the portfolio commitment's, two assets per element, within half a chunk
 * over the fifteen).
 */
export const AVERAGE_OVER = 15;

/** Per-slot costs averaged over {@link AVERAGE_OVER} more slots. */
export type AveragedSlotCosts = Record<"assets" | "perps", number>;

/** The joint/standard split of one instance. */
export interface CostSplit {
  instance: string;
  dims: InstanceDims;
  /** The instance's dimensions with joint scenario arrays (J = 1). */
  joint: SlotCosts;
  /** The same dimensions without them (J = 0): the standard machinery. */
  standard: SlotCosts;
  /** Per asset and per perp, averaged over AVERAGE_OVER more, with and without joint arrays. */
  averaged: { joint: AveragedSlotCosts; standard: AveragedSlotCosts };
  /**
   * `ScanRisk(A, P, O, S, 1)` minus `ScanRisk(A, P, O, S, 0)`: the joint scan's own products
   * (no commitment share).
   */
  scanArithmetic: number;
}

type Log = (message: string) => void;

/** Constraints of the scan template alone for `dims`, compiled under build/circuits/scan-.../. */
async function scanRiskConstraints(dims: InstanceDims): Promise<number> {
  const args = [dims.assets, dims.perps, dims.options, dims.scenarios, dims.joint].join(", ");
  const source = [
    "pragma circom 2.1.9;",
    'include "../../../circuits/options.circom";',
    `component main = ScanRisk(${args});`,
    "",
  ].join("\n");
  return (await compileMain(`scan-${args.replaceAll(", ", "-")}`, source)).constraints;
}

/**
 * Measures instance `instance` (dimensions `dims`, either joint value) with and without joint
 * scenario arrays, and the scan template alone. Builds are shared by dimensions, so measuring
 * `standard` and `classic` (the same dimensions, joint 1 and 0) compiles each variant once.
 */
export async function measureCostSplit(
  instance: string,
  dims: InstanceDims,
  log: Log = () => undefined,
): Promise<CostSplit> {
  const tagged: Log = (message) => log(`${instance}: ${message}`);
  const joint = await measureSlotCosts({ ...dims, joint: 1 }, tagged);
  const standard = await measureSlotCosts({ ...dims, joint: 0 }, tagged);
  const averagedAt = async (costs: SlotCosts, at: InstanceDims): Promise<AveragedSlotCosts> => {
    const average = async (kind: "assets" | "perps"): Promise<number> => {
      tagged(`compiling MarginProof with ${AVERAGE_OVER} more ${kind} (joint ${at.joint}) ...`);
      const more = await compileDims({ ...at, [kind]: at[kind] + AVERAGE_OVER });
      return (more.constraints - costs.total) / AVERAGE_OVER;
    };
    return { assets: await average("assets"), perps: await average("perps") };
  };
  const averaged = {
    joint: await averagedAt(joint, { ...dims, joint: 1 }),
    standard: await averagedAt(standard, { ...dims, joint: 0 }),
  };
  tagged(`compiling ScanRisk alone for ${dimsLabel(dims)} with joint 1 and 0 ...`);
  const scanArithmetic =
    (await scanRiskConstraints({ ...dims, joint: 1 })) -
    (await scanRiskConstraints({ ...dims, joint: 0 }));
  return { instance, dims, joint, standard, averaged, scanArithmetic };
}

/** The costs of the instance as declared: the joint build when it has joint arrays, else the standard one. */
export function declaredCosts(split: CostSplit): SlotCosts {
  return split.dims.joint === 1 ? split.joint : split.standard;
}

/** The averaged per-slot costs of the instance as declared. */
export function declaredAveraged(split: CostSplit): AveragedSlotCosts {
  return split.dims.joint === 1 ? split.averaged.joint : split.averaged.standard;
}
