/**
 * Constraints of a circuit instance in total and per slot kind: the marginal cost of one more
 * collateral asset, perp and option slot, measured by compiling the instance with one more slot
 * of that kind and differencing, so each figure includes the slot's share of the commitments.
 * (What `npm run constraints` prints and circuits/constraints.snapshot.json pins.)
 */
import { compileCustom, compileInstance } from "../build/compile";
import type { InstanceDims } from "../encoding/instances";

/** The slot kinds whose marginal cost is measured. */
export const SLOT_KINDS = ["assets", "perps", "options"] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

/** Constraints of one instance. */
export interface SlotCosts {
  total: number;
  /** Constraints added by one more slot of each kind. */
  perSlot: Record<SlotKind, number>;
}

/**
 * Compiles instance `name` (dimensions `dims`) and, for each slot kind, the same instance with one
 * more slot of that kind (under build/circuits/<name>-plus-<kind>/, reused while up to date).
 */
export async function measureSlotCosts(
  name: string,
  dims: InstanceDims,
  log: (message: string) => void = () => undefined,
): Promise<SlotCosts> {
  log(`compiling ${name} ...`);
  const total = (await compileInstance(name)).constraints;
  const perSlot = {} as Record<SlotKind, number>;
  for (const kind of SLOT_KINDS) {
    log(`compiling ${name} with one more ${kind} slot ...`);
    const bigger: InstanceDims = { ...dims, [kind]: dims[kind] + 1 };
    perSlot[kind] = (await compileCustom(`${name}-plus-${kind}`, bigger)).constraints - total;
  }
  return { total, perSlot };
}
