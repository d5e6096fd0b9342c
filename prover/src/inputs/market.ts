/** market.json: schema and parsing into a {@link Market} (one oracle round). */
import { z } from "zod";
import {
  JOINT_RISK_BITS,
  MARK_BITS,
  PRICE_BITS,
  PRICE_DECIMALS,
  RISK_OFFSET_BITS,
  bound,
} from "../encoding/widths";
import { decimal, nonNegativeInteger, symbolSchema } from "./fields";
import { toInputError } from "./issues";
import {
  JOINT_RISK_RULE,
  MARK_RULE,
  PRICE_RULE,
  RISK_RULE,
  SCENARIO_LABEL,
  SCENARIO_LABEL_RULE,
  assertWellFormedMarket,
} from "./market-rules";
import type { Market } from "./types";

/** USD per whole token, at most 12 decimals (1e-12 USD units). */
const price = decimal(PRICE_DECIMALS, { max: bound(PRICE_BITS) - 1n, rangeRule: PRICE_RULE });
const mark = decimal(6, { max: bound(MARK_BITS) - 1n, rangeRule: MARK_RULE });
const riskEntry = decimal(6, {
  signed: true,
  min: -bound(RISK_OFFSET_BITS),
  max: bound(RISK_OFFSET_BITS) - 1n,
  rangeRule: RISK_RULE,
});
/** A joint scenario entry: signed USD per whole token or per unit, at most 12 decimals. */
const jointEntry = decimal(PRICE_DECIMALS, {
  signed: true,
  min: -bound(JOINT_RISK_BITS),
  max: bound(JOINT_RISK_BITS) - 1n,
  rangeRule: JOINT_RISK_RULE,
});
const jointArrays = z.record(symbolSchema, z.array(jointEntry)).optional();

const scenariosSchema = z
  .object({
    labels: z
      .array(z.string().regex(SCENARIO_LABEL, { message: SCENARIO_LABEL_RULE }))
      .min(1, { message: "must list at least one scenario" }),
    assets: jointArrays,
    perps: jointArrays,
  })
  .strict();

const marketSchema = z
  .object({
    round: nonNegativeInteger("must be a non-negative integer"),
    timestamp: nonNegativeInteger("must be a non-negative integer (Unix seconds)"),
    prices: z.record(symbolSchema, price),
    options: z.record(
      symbolSchema,
      z
        .object({
          mark,
          riskArray: z.array(riskEntry).min(1, { message: "must list at least one scenario" }),
        })
        .strict(),
    ),
    scenarios: scenariosSchema.optional(),
  })
  .strict();

/**
 * Validates an in-memory market.json object: its schema, then the rules that relate its fields
 * (`market-rules.ts`: one scenario count for every risk array, unique labels); errors name
 * `file`, the path and the offending value.
 */
export function parseMarket(json: unknown, file: string): Market {
  const parsed = marketSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file, json);
  const m = parsed.data;
  const market: Market = {
    round: m.round,
    timestamp: m.timestamp,
    prices: new Map(Object.entries(m.prices)),
    options: new Map(
      Object.entries(m.options).map(([name, q]) => [
        name,
        { markMicroUsd: q.mark, riskArrayMicroUsd: q.riskArray },
      ]),
    ),
    scenarios:
      m.scenarios === undefined
        ? null
        : {
            labels: m.scenarios.labels,
            assets: new Map(Object.entries(m.scenarios.assets ?? {})),
            perps: new Map(Object.entries(m.scenarios.perps ?? {})),
          },
  };
  assertWellFormedMarket(market, file);
  return market;
}
