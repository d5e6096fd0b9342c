/**
 * Where the joint scenario scan's constraints go: `MarginProof` measured with the instance's
 * dimensions built twice, with the joint scenario arrays (J = 1) and without them (J = 0, the
 * standard machinery alone, what a `classic` instance compiles), each with its marginal costs;
 * the scan template `ScanRisk` alone at J = 1 and J = 0, which isolates the scan's own
 * arithmetic from the market commitment's hashing of the joint arrays; and the same dimensions
 * with one pledge slot (C = 1, v2's circuit), on which the per-slot and v1 targets, set for one
 * portfolio, are checked. (`npm run constraints`.)
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

/**
 * The instance's dimensions with one pledge slot (C = 1): one portfolio, as v1 and v2 proved.
 * With C = 1 the circuit is v2's constraint for constraint; with C pledge slots every asset, perp
 * and option slot also carries the range checks and hash share of C - 1 more sub-portfolios.
 */
export interface OnePortfolioCosts {
  /** Totals with joint arrays (J = 1) and without (J = 0). */
  total: { joint: number; standard: number };
  /** Per asset and per perp, averaged over AVERAGE_OVER more, with and without joint arrays. */
  averaged: { joint: AveragedSlotCosts; standard: AveragedSlotCosts };
}

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
  /** The same dimensions with one pledge slot (the declared figures when C is 1). */
  onePortfolio: OnePortfolioCosts;
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
  const averagedAt = async (total: number, at: InstanceDims): Promise<AveragedSlotCosts> => {
    const average = async (kind: "assets" | "perps"): Promise<number> => {
      tagged(
        `compiling MarginProof with ${AVERAGE_OVER} more ${kind} (joint ${at.joint}, pledges ${at.pledges}) ...`,
      );
      const more = await compileDims({ ...at, [kind]: at[kind] + AVERAGE_OVER });
      return (more.constraints - total) / AVERAGE_OVER;
    };
    return { assets: await average("assets"), perps: await average("perps") };
  };
  const averaged = {
    joint: await averagedAt(joint.total, { ...dims, joint: 1 }),
    standard: await averagedAt(standard.total, { ...dims, joint: 0 }),
  };
  tagged(`compiling ScanRisk alone for ${dimsLabel(dims)} with joint 1 and 0 ...`);
  const scanArithmetic =
    (await scanRiskConstraints({ ...dims, joint: 1 })) -
    (await scanRiskConstraints({ ...dims, joint: 0 }));
  const onePortfolio = async (): Promise<OnePortfolioCosts> => {
    if (dims.pledges === 1) {
      return { total: { joint: joint.total, standard: standard.total }, averaged };
    }
    const at = (j: 0 | 1): InstanceDims => ({ ...dims, joint: j, pledges: 1 });
    tagged(
      `compiling MarginProof(${dimsLabel(at(1))}) and (${dimsLabel(at(0))}): one portfolio ...`,
    );
    const total = {
      joint: (await compileDims(at(1))).constraints,
      standard: (await compileDims(at(0))).constraints,
    };
    return {
      total,
      averaged: {
        joint: await averagedAt(total.joint, at(1)),
        standard: await averagedAt(total.standard, at(0)),
      },
    };
  };
  return {
    instance,
    dims,
    joint,
    standard,
    averaged,
    scanArithmetic,
    onePortfolio: await onePortfolio(),
  };
}

/** The costs of the instance as declared: the joint build when it has joint arrays, else the standard one. */
export function declaredCosts(split: CostSplit): SlotCosts {
  return split.dims.joint === 1 ? split.joint : split.standard;
}

/** The instance as declared (its joint flag) with one pledge slot: total and averaged slots. */
export function declaredOnePortfolio(split: CostSplit): {
  total: number;
  averaged: AveragedSlotCosts;
} {
  const { total, averaged } = split.onePortfolio;
  return split.dims.joint === 1
    ? { total: total.joint, averaged: averaged.joint }
    : { total: total.standard, averaged: averaged.standard };
}
