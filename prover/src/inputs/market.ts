/** market.json: schema and parsing into a {@link Market} (one oracle round). */
import { z } from "zod";
import { PRICE_BITS, RISK_OFFSET_BITS, bound } from "../encoding/widths";
import { decimal, nonNegativeInteger, symbolSchema } from "./fields";
import { toInputError } from "./issues";
import type { Market } from "./types";

const price = decimal(8, {
  max: bound(PRICE_BITS) - 1n,
  rangeRule: `must be below 2^${PRICE_BITS} x 1e-8 USD`,
});
const mark = decimal(6, {
  max: bound(PRICE_BITS) - 1n,
  rangeRule: `must be below 2^${PRICE_BITS} µUSD`,
});
const riskEntry = decimal(6, {
  signed: true,
  min: -bound(RISK_OFFSET_BITS),
  max: bound(RISK_OFFSET_BITS) - 1n,
  rangeRule: `must be at least -2^${RISK_OFFSET_BITS} and below 2^${RISK_OFFSET_BITS} µUSD`,
});

const marketSchema = z
  .object({
    round: nonNegativeInteger("must be a non-negative integer"),
    timestamp: nonNegativeInteger("must be a non-negative integer (Unix seconds)"),
    prices: z.record(symbolSchema, price),
    options: z
      .record(
        symbolSchema,
        z
          .object({
            mark,
            riskArray: z.array(riskEntry).min(1, { message: "must list at least one scenario" }),
          })
          .strict(),
      )
      .superRefine((options, ctx) => {
        const entries = Object.entries(options);
        if (entries.length === 0) return;
        const [firstName, first] = entries[0];
        for (const [name, quote] of entries) {
          if (quote.riskArray.length !== first.riskArray.length) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              path: [name, "riskArray"],
              message: `must have ${first.riskArray.length} scenarios like ${firstName}`,
            });
          }
        }
      }),
  })
  .strict();

/** Validates an in-memory market.json object; errors name `file`. */
export function parseMarket(json: unknown, file: string): Market {
  const parsed = marketSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file, json);
  const m = parsed.data;
  return {
    round: m.round,
    timestamp: m.timestamp,
    prices: new Map(Object.entries(m.prices)),
    options: new Map(
      Object.entries(m.options).map(([name, q]) => [
        name,
        { markMicroUsd: q.mark, riskArrayMicroUsd: q.riskArray },
      ]),
    ),
  };
}
