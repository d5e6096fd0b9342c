/**
 * Constraints of `MarginProof` for a set of dimensions in total and at the margin: the cost of one
 * more collateral asset, perp and option slot and of one more scenario, measured by compiling the
 * circuit with one more of that kind and differencing, so each figure includes the slot's (or
 * scenario's) share of the commitments. (What `npm run constraints` and `npm run bench` print;
 * circuits/constraints.snapshot.json pins the totals.)
 */
import { compileCustom, compileInstance, type CompiledArtifacts } from "../build/compile";
import { DIMENSIONS, loadInstances, type InstanceDims } from "../encoding/instances";

/** The slot kinds whose marginal cost is measured. */
export const SLOT_KINDS = ["assets", "perps", "options"] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/** Constraints of one circuit. */
export interface SlotCosts {
  total: number;
  /** Constraints added by one more slot of each kind. */
  perSlot: Record<SlotKind, number>;
  /** Constraints added by one more scenario (option risk arrays and joint arrays alike). */
  perScenario: number;
  /**
   * Constraints added by one more pledge slot (one more sub-portfolio: its range checks, its
   * commitment, its slot rules and its share of the netting).
   */
  perPledge: number;
}

type Log = (message: string) => void;

/** The dimensions as `A/P/O/S/T/G/J/C`, the circuit's template-parameter order. */
export function dimsLabel(dims: InstanceDims): string {
  return DIMENSIONS.map((d) => dims[d]).join("/");
}

/**
 * Compiles `MarginProof` for `dims`: as the declared instance of exactly these dimensions when
 * there is one (so its build is shared with `compileInstance` and the snapshot test), otherwise
 * under build/circuits/dims-A-P-O-S-T-G-J-C/. Either build is reused while up to date, so two
 * measurements of the same dimensions (e.g. `standard` with joint 0, which is `classic`) compile
 * once.
 */
export function compileDims(
  dims: InstanceDims,
  instances: Record<string, InstanceDims> = loadInstances(),
): Promise<CompiledArtifacts> {
  const declared = Object.keys(instances).find((name) =>
    DIMENSIONS.every((d) => instances[name][d] === dims[d]),
  );
  return declared !== undefined
    ? compileInstance(declared)
    : compileCustom(`dims-${dimsLabel(dims).replaceAll("/", "-")}`, dims);
}

/**
 * Compiles `dims` and, for each slot kind, for the scenarios and for the pledge slots, the same
 * dimensions with one more of that kind; returns the total and the differences.
 */
export async function measureSlotCosts(
  dims: InstanceDims,
  log: Log = () => undefined,
): Promise<SlotCosts> {
  const instances = loadInstances();
  const constraintsOf = async (what: string, of: InstanceDims): Promise<number> => {
    log(`compiling MarginProof(${dimsLabel(of)})${what} ...`);
    return (await compileDims(of, instances)).constraints;
  };
  const total = await constraintsOf("", dims);
  const marginal = async (kind: SlotKind | "scenarios" | "pledges"): Promise<number> =>
    (await constraintsOf(`, one more of ${kind}`, { ...dims, [kind]: dims[kind] + 1 })) - total;
  const perSlot = {} as Record<SlotKind, number>;
  for (const kind of SLOT_KINDS) perSlot[kind] = await marginal(kind);
  const perScenario = await marginal("scenarios");
  return { total, perSlot, perScenario, perPledge: await marginal("pledges") };
}
