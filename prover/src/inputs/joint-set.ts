/**
 * Whether a round's joint scenario set is complete for a policy's layout (docs/signals.md, "The
 * joint-set flag"): the round has a set of K >= 1 scenarios, and every asset and every perp
 * of the policy has a risk array of K entries. One rule for the three places that need it: the
 * encoder's `jointSetPresent` flag (bound by the market commitment, required by the circuit for a
 * portfolio policy), the cross-file check that refuses a portfolio policy on an incomplete round,
 * and the reference model, which refuses to scan one.
 */
import { InputError } from "../errors";
import { formatPath } from "./issues";
import type { Market, Policy } from "./types";

/** The first way in which a round's joint scenario set falls short of a policy's layout. */
export type JointSetGap =
  | { kind: "no-set" }
  | { kind: "no-scenarios" }
  | { kind: "no-array"; section: "assets" | "perps"; name: string }
  | {
      kind: "length";
      section: "assets" | "perps";
      name: string;
      entries: number;
      scenarios: number;
    };

/**
 * The first gap of `market`'s joint scenario set for `policy`'s assets and perps (in slot
 * order), or null when the set is complete. Whatever the policy's margin kind.
 */
export function jointSetGap(policy: Policy, market: Market): JointSetGap | null {
  const set = market.scenarios;
  if (set === null) return { kind: "no-set" };
  const scenarios = set.labels.length;
  if (scenarios === 0) return { kind: "no-scenarios" };
  const slots = [
    ...policy.assets.map((a) => ({ section: "assets" as const, name: a.symbol })),
    ...policy.perps.map((p) => ({ section: "perps" as const, name: p.instrument })),
  ];
  for (const { section, name } of slots) {
    const array = set[section].get(name);
    if (array === undefined) return { kind: "no-array", section, name };
    if (array.length !== scenarios) {
      return { kind: "length", section, name, entries: array.length, scenarios };
    }
  }
  return null;
}

/** True when the round's joint scenario set covers every asset and perp of the policy. */
export function jointSetComplete(policy: Policy, market: Market): boolean {
  return jointSetGap(policy, market) === null;
}

/** The singular of a set section, as the refusals name a slot. */
const SLOT: Record<"assets" | "perps", string> = { assets: "asset", perps: "perp" };

/**
 * Throws an {@link InputError} about `file` (the market file) when `policy` is a portfolio-margin
 * policy and the round's joint scenario set does not cover every one of its assets and perps: the
 * scan would read a missing risk array as zero losses. A standard policy needs no set.
 */
export function assertJointSetFor(policy: Policy, market: Market, file: string): void {
  if (policy.margin !== "portfolio") return;
  const gap = jointSetGap(policy, market);
  if (gap === null) return;
  const who = `the portfolio-margin policy ${JSON.stringify(policy.id)}`;
  switch (gap.kind) {
    case "no-set":
      throw new InputError(
        file,
        "scenarios",
        `missing: ${who} needs the round's joint scenario set`,
      );
    case "no-scenarios":
      throw new InputError(
        file,
        "scenarios.labels",
        `must list at least one scenario: ${who} scans through them`,
      );
    case "no-array":
      throw new InputError(
        file,
        formatPath(["scenarios", gap.section, gap.name]),
        `missing: the portfolio-margin policy's ${SLOT[gap.section]} ${JSON.stringify(gap.name)} needs a risk array`,
      );
    case "length":
      throw new InputError(
        file,
        formatPath(["scenarios", gap.section, gap.name]),
        `must have ${gap.scenarios} entries, one per scenario label (got ${gap.entries})`,
      );
  }
}
