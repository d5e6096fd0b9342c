/** policy.json: schema and parsing into a {@link Policy} (docs/formats.md "policy.json"). */
import { z } from "zod";
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
import { addressSchema, decimal, decimalValue, smallInteger, symbolSchema } from "./fields";
import { toInputError } from "./issues";
import { assertWellFormedPolicy } from "./well-formed";
import type { HaircutTier, Policy, RateTier } from "./types";

const ppm = decimal(6, { max: MAX_PPM, rangeRule: "must be between 0 and 1" });

/**
 * `upTo`: a whole number of USD from 1 to 2^32 - 2, or null for the last tier (2^32 - 1,
 * UPTO_OPEN, is the open tier's code in the circuit).
 */
const upTo = z.unknown().transform((raw, ctx): bigint | null => {
  if (raw === null) return null;
  const result = decimalValue(raw, 0, {
    min: 1n,
    max: UPTO_OPEN - 1n,
    rangeRule: `must be a whole number of USD from 1 to 2^${UPTO_BITS} - 2`,
  });
  if (result.ok) return result.value;
  const rule =
    result.rule === "at most 0 decimal places" ? "must be a whole number of USD" : result.rule;
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: rule });
  return z.NEVER;
});

const atLeastOneTier = { message: "must list at least one tier" };
const haircutTiers = z.array(z.object({ upTo, weight: ppm }).strict()).min(1, atLeastOneTier);
const rateTiers = z.array(z.object({ upTo, rate: ppm }).strict()).min(1, atLeastOneTier);

/** A concentration group; its cross-field rules (known assets, one group each) are well-formedness. */
const concentrationGroup = z
  .object({
    assets: z.array(symbolSchema).min(1, { message: "must list at least one asset" }),
    maxShare: ppm,
  })
  .strict();

const policySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: "must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit",
    }),
    mode: z.enum(["initial", "maintenance"]),
    margin: z.enum(["standard", "portfolio"]).optional(),
    minRatio: decimal(6, {
      min: 1n,
      max: bound(RATIO_BITS) - 1n,
      rangeRule: `must be greater than 0 and below 2^${RATIO_BITS} ppm`,
    }),
    buffer: decimal(6, {
      max: bound(VALUE_BITS) - 1n,
      rangeRule: `must be below 2^${VALUE_BITS} µUSD`,
    }),
    shortOptionMinimum: decimal(6, {
      max: bound(SOM_BITS) - 1n,
      rangeRule: `must be below 2^${SOM_BITS} µUSD`,
    }),
    assets: z
      .record(
        symbolSchema,
        z
          .object({
            token: addressSchema.optional(),
            decimals: smallInteger(MAX_DECIMALS),
            tiers: haircutTiers,
          })
          .strict(),
      )
      .refine((r) => Object.keys(r).length > 0, { message: "must list at least one asset" }),
    perps: z.record(
      symbolSchema,
      z
        .object({
          underlying: symbolSchema,
          sizeDecimals: smallInteger(MAX_SIZE_DECIMALS, SIZE_DECIMALS_REASON),
          tiers: rateTiers,
        })
        .strict(),
    ),
    options: z.record(symbolSchema, z.object({ underlying: symbolSchema }).strict()),
    concentration: z.array(concentrationGroup).optional(),
  })
  .strict();

/**
 * Validates an in-memory policy.json object: its schema, then the well-formedness rules
 * (`well-formed.ts`: tier order, bounds, concentration groups); errors name `file`, the path and the offending value.
 */
export function parsePolicy(json: unknown, file: string): Policy {
  const policy = parsePolicySchema(json, file);
  assertWellFormedPolicy(policy, file);
  return policy;
}

/**
 * The schema alone (types, formats, ranges of each field), without the well-formedness rules
 * that relate fields: for `zkmargin audit policy`, which lists every broken rule.
 */
export function parsePolicySchema(json: unknown, file: string): Policy {
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file, json);
  const p = parsed.data;
  return {
    id: p.id,
    mode: p.mode,
    margin: p.margin ?? "standard",
    concentration: (p.concentration ?? []).map((g) => ({
      assets: g.assets,
      maxSharePpm: g.maxShare,
    })),
    minRatioPpm: p.minRatio,
    bufferMicroUsd: p.buffer,
    shortOptionMinimumMicroUsd: p.shortOptionMinimum,
    assets: Object.entries(p.assets).map(([symbol, a]) => ({
      symbol,
      ...(a.token !== undefined ? { token: a.token } : {}),
      decimals: a.decimals,
      tiers: a.tiers.map((t): HaircutTier => ({ upToUsd: t.upTo, weightPpm: t.weight })),
    })),
    perps: Object.entries(p.perps).map(([instrument, q]) => ({
      instrument,
      underlying: q.underlying,
      sizeDecimals: q.sizeDecimals,
      tiers: q.tiers.map((t): RateTier => ({ upToUsd: t.upTo, ratePpm: t.rate })),
    })),
    options: Object.entries(p.options).map(([instrument, o]) => ({
      instrument,
      underlying: o.underlying,
    })),
  };
}
