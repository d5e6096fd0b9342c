/**
 * Policy well-formedness: the rules the circuit's line form of the tiers relies on, checked on a
 * parsed {@link Policy} (also one built in memory). The file parser runs them after its schema;
 * the encoder runs them before any commitment is computed, so governance tooling can never
 * compute or register a commitment for a malformed policy; `zkmargin audit policy` lists them.
 * Rules name the offending values (a policy is public).
 */
import { formatUnits } from "../decimal";
import {
  MAX_DECIMALS,
  MAX_SIZE_DECIMALS,
  SIZE_DECIMALS_REASON,
  MAX_PPM,
  RATIO_BITS,
  SOM_BITS,
  UPTO_BITS,
  UPTO_OPEN,
  VALUE_BITS,
  bound,
} from "../encoding/widths";
import { InputError } from "../errors";
import { integerRangeRule } from "./fields";
import { formatPath } from "./issues";
import type { MarginKind, Policy } from "./types";

const MARGIN_KINDS: readonly MarginKind[] = ["standard", "portfolio"];

/** One broken rule: a JSON path into policy.json and what was expected, with the value. */
export interface PolicyProblem {
  path: string;
  rule: string;
}

/** A ppm value as the file writes it ("0.9"). */
function ppm(value: bigint): string {
  return formatUnits(value, 6);
}

/** Tier rules of one slot: see {@link policyProblems}. */
function tierProblems(
  tiers: readonly { upToUsd: bigint | null; ppm: bigint }[],
  base: (string | number)[],
  key: "weight" | "rate",
  direction: "non-increasing" | "non-decreasing",
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const at = (k: number, field: string, rule: string): void => {
    problems.push({ path: formatPath([...base, "tiers", k, field]), rule });
  };
  if (tiers.length === 0) {
    problems.push({ path: formatPath([...base, "tiers"]), rule: "must list at least one tier" });
  }
  tiers.forEach((tier, k) => {
    const last = k === tiers.length - 1;
    if (tier.ppm < 0n || tier.ppm > MAX_PPM) {
      at(k, key, `must be between 0 and 1 (got ${ppm(tier.ppm)})`);
    }
    if (last && tier.upToUsd !== null) at(k, "upTo", "the last tier must have upTo null");
    if (!last && tier.upToUsd === null) at(k, "upTo", "only the last tier may have upTo null");
    if (tier.upToUsd !== null && (tier.upToUsd < 1n || tier.upToUsd >= UPTO_OPEN)) {
      at(
        k,
        "upTo",
        `must be a whole number of USD from 1 to 2^${UPTO_BITS} - 2 (got ${tier.upToUsd})`,
      );
    }
    if (k === 0) return;
    const previous = tiers[k - 1];
    if (tier.upToUsd !== null && previous.upToUsd !== null && tier.upToUsd <= previous.upToUsd) {
      at(
        k,
        "upTo",
        `upTo must be strictly increasing (got ${tier.upToUsd} after ${previous.upToUsd})`,
      );
    }
    if (direction === "non-increasing" ? tier.ppm > previous.ppm : tier.ppm < previous.ppm) {
      at(k, key, `${key}s must be ${direction} (got ${ppm(tier.ppm)} after ${ppm(previous.ppm)})`);
    }
  });
  return problems;
}

/** A decimals value must be an integer in 0..max (18 for assets, 12 for perp sizes). */
function decimalsProblem(
  value: number,
  path: (string | number)[],
  max: number,
  why?: string,
): PolicyProblem[] {
  return Number.isInteger(value) && value >= 0 && value <= max
    ? []
    : [
        {
          path: formatPath(path),
          rule: `${integerRangeRule(max, why)} (got ${value})`,
        },
      ];
}

/** Names listed twice in one section (the slot order would be ambiguous). */
function duplicates(names: readonly string[], section: string): PolicyProblem[] {
  const seen = new Set<string>();
  const problems: PolicyProblem[] = [];
  for (const name of names) {
    if (seen.has(name)) {
      problems.push({
        path: formatPath([section, name]),
        rule: `${JSON.stringify(name)} is listed twice`,
      });
    }
    seen.add(name);
  }
  return problems;
}

/**
 * Concentration groups: each lists at least one asset, every listed asset is a policy asset and
 * sits in one group only (once), and maxShare is in [0, 1].
 */
function concentrationProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const assets = new Set(policy.assets.map((a) => a.symbol));
  const groupOf = new Map<string, number>();
  policy.concentration.forEach((group, g) => {
    if (group.assets.length === 0) {
      problems.push({
        path: formatPath(["concentration", g, "assets"]),
        rule: "must list at least one asset",
      });
    }
    group.assets.forEach((symbol, k) => {
      const path = formatPath(["concentration", g, "assets", k]);
      const earlier = groupOf.get(symbol);
      if (!assets.has(symbol)) {
        problems.push({
          path,
          rule: `unknown asset ${JSON.stringify(symbol)} (not in the policy)`,
        });
      } else if (earlier === g) {
        problems.push({ path, rule: `${JSON.stringify(symbol)} is listed twice in this group` });
      } else if (earlier !== undefined) {
        problems.push({
          path,
          rule: `${JSON.stringify(symbol)} is already in concentration[${earlier}] (an asset may be in one group only)`,
        });
      } else {
        groupOf.set(symbol, g);
      }
    });
    if (group.maxSharePpm < 0n || group.maxSharePpm > MAX_PPM) {
      problems.push({
        path: formatPath(["concentration", g, "maxShare"]),
        rule: `must be between 0 and 1 (got ${ppm(group.maxSharePpm)})`,
      });
    }
  });
  return problems;
}

/**
 * Every broken rule of `policy`: minRatio above 0 and within its width, buffer and short-option
 * minimum within theirs, at least one asset, unique slot names, decimals 0..18 (a perp's
 * sizeDecimals 0..12), and per slot tiers with weights/rates in [0, 1], weights non-increasing
 * (rates non-decreasing), `upTo` strictly increasing whole USD below 2^32 - 1, null exactly on
 * the last tier; a known margin kind; concentration groups of known assets, each asset in one
 * group at most, maxShare in [0, 1]. Empty when well formed.
 */
export function policyProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!MARGIN_KINDS.includes(policy.margin)) {
    problems.push({
      path: "margin",
      rule: `must be one of "standard", "portfolio" (got ${JSON.stringify(policy.margin)})`,
    });
  }
  if (policy.minRatioPpm <= 0n || policy.minRatioPpm >= bound(RATIO_BITS)) {
    problems.push({
      path: "minRatio",
      rule: `must be greater than 0 and below 2^${RATIO_BITS} ppm (got ${ppm(policy.minRatioPpm)})`,
    });
  }
  if (policy.bufferMicroUsd < 0n || policy.bufferMicroUsd >= bound(VALUE_BITS)) {
    problems.push({ path: "buffer", rule: `must be in [0, 2^${VALUE_BITS}) µUSD` });
  }
  if (
    policy.shortOptionMinimumMicroUsd < 0n ||
    policy.shortOptionMinimumMicroUsd >= bound(SOM_BITS)
  ) {
    problems.push({ path: "shortOptionMinimum", rule: `must be in [0, 2^${SOM_BITS}) µUSD` });
  }
  if (policy.assets.length === 0)
    problems.push({ path: "assets", rule: "must list at least one asset" });
  problems.push(
    ...duplicates(
      policy.assets.map((a) => a.symbol),
      "assets",
    ),
  );
  problems.push(
    ...duplicates(
      policy.perps.map((p) => p.instrument),
      "perps",
    ),
  );
  problems.push(
    ...duplicates(
      policy.options.map((o) => o.instrument),
      "options",
    ),
  );
  for (const asset of policy.assets) {
    const base = ["assets", asset.symbol];
    problems.push(...decimalsProblem(asset.decimals, [...base, "decimals"], MAX_DECIMALS));
    problems.push(
      ...tierProblems(
        asset.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.weightPpm })),
        base,
        "weight",
        "non-increasing",
      ),
    );
  }
  for (const perp of policy.perps) {
    const base = ["perps", perp.instrument];
    problems.push(
      ...decimalsProblem(
        perp.sizeDecimals,
        [...base, "sizeDecimals"],
        MAX_SIZE_DECIMALS,
        SIZE_DECIMALS_REASON,
      ),
    );
    problems.push(
      ...tierProblems(
        perp.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.ratePpm })),
        base,
        "rate",
        "non-decreasing",
      ),
    );
  }
  problems.push(...concentrationProblems(policy));
  return problems;
}

/** Throws an {@link InputError} about `file` naming the first broken rule of `policy`, if any. */
export function assertWellFormedPolicy(policy: Policy, file: string): void {
  const [first] = policyProblems(policy);
  if (first !== undefined) throw new InputError(file, first.path, first.rule);
}
