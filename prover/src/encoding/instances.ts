/**
 * Circuit instances (circuits/instances.json): how many slots of each kind a compiled circuit has,
 * and which instance a policy + market round fits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { Market, Policy } from "../inputs/types";
import { MAX_PLEDGES } from "./widths";

/**
 * Slot counts of a circuit instance (`MarginProof(assets, perps, options, scenarios, tiers,
 * groups, joint, pledges)`): scenarios count both the option risk arrays and the joint scenario
 * arrays, groups the concentration limits; `joint` is 1 when the instance carries the joint
 * scenario arrays (it then proves portfolio-margin policies too), 0 when it proves standard ones
 * only; `pledges` is the number of sub-portfolios a proof sums.
 */
export interface InstanceDims {
  assets: number;
  perps: number;
  options: number;
  scenarios: number;
  tiers: number;
  groups: number;
  joint: 0 | 1;
  /**
   * Pledge slots C: how many sub-portfolios (one per custodian) a proof sums, each with its own
   * public commitment (DESIGN.md "Several custodians in one proof").
   */
  pledges: number;
}

/** The eight dimensions, in the circuit's template-parameter order. */
export const DIMENSIONS = [
  "assets",
  "perps",
  "options",
  "scenarios",
  "tiers",
  "groups",
  "joint",
  "pledges",
] as const;

/** Default location of the instance table. */
export const INSTANCES_FILE = path.resolve(__dirname, "../../../circuits/instances.json");

const positive = z.number().int().min(1).max(1024);
const instanceSchema = z
  .object({
    assets: positive,
    perps: positive,
    options: positive,
    scenarios: positive,
    tiers: z.number().int().min(2).max(16),
    groups: positive,
    joint: z.union([z.literal(0), z.literal(1)]),
    pledges: z.number().int().min(1).max(MAX_PLEDGES),
  })
  .strict();
const instancesSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), instanceSchema);

/** The instance does not fit; the message names the missing slots and an instance that would fit. */
export class InstanceFitError extends Error {
  constructor(
    message: string,
    /** The smallest available instance that fits, when there is one. */
    readonly suggestion: string | null,
  ) {
    super(message);
    this.name = "InstanceFitError";
  }
}

/** Reads and validates circuits/instances.json (or `file`). */
export function loadInstances(file: string = INSTANCES_FILE): Record<string, InstanceDims> {
  const parsed = instancesSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: invalid instance table: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The slots a policy needs with this market round and `pieces` sub-portfolios: the smallest
 * instance dimensions that fit. Scenarios: the longest option risk array of the policy's series,
 * or the round's joint scenario set when it has one (its arrays are committed whatever the
 * policy's margin kind).
 */
export function requiredDims(policy: Policy, market: Market, pieces = 1): InstanceDims {
  const scenarios = policy.options.reduce((max, option) => {
    const length = market.options.get(option.instrument)?.riskArrayMicroUsd.length ?? 0;
    return Math.max(max, length);
  }, market.scenarios?.labels.length ?? 0);
  const tiers = [...policy.assets, ...policy.perps].reduce(
    (m, s) => Math.max(m, s.tiers.length),
    1,
  );
  return {
    assets: policy.assets.length,
    perps: policy.perps.length,
    options: policy.options.length,
    scenarios,
    tiers,
    groups: policy.concentration.length,
    joint: policy.margin === "portfolio" ? 1 : 0,
    pledges: pieces,
  };
}

/** The dimensions in which `instance` is too small for `needed` (empty when it fits). */
export function misfits(needed: InstanceDims, instance: InstanceDims): string[] {
  return DIMENSIONS.filter((d) => needed[d] > instance[d]).map((d) =>
    d === "joint"
      ? "needs joint scenario arrays (a portfolio-margin policy) but has none"
      : d === "pledges"
        ? `needs ${needed[d]} pledge slots (one per sub-portfolio) but has ${instance[d]}`
        : `needs ${needed[d]} ${d} but has ${instance[d]}`,
  );
}

/**
 * True when `instance` has at least as many slots of each kind as the policy and round need, and
 * at least `pieces` pledge slots.
 */
export function fits(policy: Policy, market: Market, instance: InstanceDims, pieces = 1): boolean {
  return misfits(requiredDims(policy, market, pieces), instance).length === 0;
}

/**
 * A rough circuit-size measure used to order instances from small to large: each pledge slot
 * repeats the holdings' range checks (about a quarter of a slot's cost each).
 */
function sizeOf(d: InstanceDims): number {
  const slots = d.assets + d.perps + d.options;
  const scenarioEntries = (d.options + d.joint * (d.assets + d.perps)) * d.scenarios;
  const pieces = (d.pledges - 1) * slots;
  return (d.assets + d.perps) * d.tiers + scenarioEntries + slots + d.assets * d.groups + pieces;
}

/**
 * Name of the smallest instance (among `available`, default all of `instances`) that fits the
 * policy, the round and `pieces` sub-portfolios; throws an {@link InstanceFitError} when none
 * does.
 */
export function smallestFittingInstance(
  policy: Policy,
  market: Market,
  available?: readonly string[],
  instances: Record<string, InstanceDims> = loadInstances(),
  pieces = 1,
): string {
  const needed = requiredDims(policy, market, pieces);
  const names = available ?? Object.keys(instances);
  const fitting = names
    .filter((n) => instances[n] !== undefined && misfits(needed, instances[n]).length === 0)
    .sort((a, b) => sizeOf(instances[a]) - sizeOf(instances[b]));
  if (fitting.length === 0) {
    const wanted = DIMENSIONS.filter((d) => d !== "joint")
      .map((d) => (d === "pledges" ? `${needed[d]} pledge slots` : `${needed[d]} ${d}`))
      .concat(needed.joint === 1 ? ["joint scenario arrays"] : [])
      .join(", ");
    throw new InstanceFitError(
      `no circuit instance among [${names.join(", ")}] fits policy ${policy.id} (${wanted})`,
      null,
    );
  }
  return fitting[0];
}

/**
 * Throws an {@link InstanceFitError} unless instance `name` fits (with `pieces` sub-portfolios);
 * the message names what is missing and which instance would fit instead.
 */
export function assertFits(
  policy: Policy,
  market: Market,
  name: string,
  instances: Record<string, InstanceDims> = loadInstances(),
  pieces = 1,
): InstanceDims {
  const instance = instances[name];
  if (instance === undefined) {
    throw new InstanceFitError(`unknown circuit instance "${name}"`, null);
  }
  const problems = misfits(requiredDims(policy, market, pieces), instance);
  if (problems.length === 0) return instance;
  let suggestion: string | null = null;
  try {
    suggestion = smallestFittingInstance(policy, market, undefined, instances, pieces);
  } catch {
    suggestion = null;
  }
  const hint = suggestion === null ? "no instance fits" : `instance "${suggestion}" would fit`;
  throw new InstanceFitError(
    `policy ${policy.id} does not fit instance "${name}": ${problems.join(", ")}; ${hint}`,
    suggestion,
  );
}
