/**
 * Reading the round's market.json for the scenario generator. The generator reads a round's time,
 * prices and option marks ({@link RoundQuotes}); the round's risk arrays and `scenarios` are what
 * it writes. So the input's own `scenarios` and every option's `riskArray` are ignored, whatever
 * they hold (missing, from an earlier run, stale for the new prices): everything else is checked
 * by the project's market parser, with its rules and file-named errors, and each option quote's
 * keys and mark by the same field rules.
 */
import { z } from "zod";
import { MARK_BITS, bound } from "../encoding/widths";
import { InputError } from "../errors";
import { parseMarket } from "../inputs";
import { decimal, symbolSchema } from "../inputs/fields";
import { toInputError } from "../inputs/issues";
import { MARK_RULE } from "../inputs/market-rules";
import { WHOLE_FILE, readJsonFile } from "../io/json";
import type { RoundQuotes } from "./types";

/** The file's JSON as read, and the round's time, prices and option marks. */
export interface MarketInput {
  json: Record<string, unknown>;
  round: RoundQuotes;
}

/** Option quotes as the generator reads them: the mark (market.json's rule); `riskArray` ignored. */
const quotesSchema = z
  .object({
    options: z.record(
      symbolSchema,
      z
        .object({
          mark: decimal(6, { max: bound(MARK_BITS) - 1n, rangeRule: MARK_RULE }),
          riskArray: z.unknown().optional(),
        })
        .strict(),
    ),
  })
  .strict();

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a market JSON value whose risk arrays and scenarios are to be generated: `round`,
 * `timestamp`, `prices` and the top-level keys by {@link parseMarket} (the round without its
 * options and scenarios), the option quotes by their keys and marks. Throws an
 * {@link InputError} naming `file`, the path and the rule.
 */
export function parseMarketInput(json: unknown, file: string): MarketInput {
  if (!isObject(json)) throw new InputError(file, WHOLE_FILE, "must be a JSON object");
  const { options } = json;
  const rest: Record<string, unknown> = { ...json, options: {} };
  delete rest.scenarios;
  const base = parseMarket(rest, file);
  const quotes = quotesSchema.safeParse({ options });
  if (!quotes.success) throw toInputError(quotes.error, file, { options });
  return {
    json,
    round: {
      round: base.round,
      timestamp: base.timestamp,
      prices: base.prices,
      options: new Map(
        Object.entries(quotes.data.options).map(([name, q]) => [name, { markMicroUsd: q.mark }]),
      ),
    },
  };
}

/** Reads and validates a market.json for {@link parseMarketInput}. */
export function loadMarketInput(file: string): MarketInput {
  return parseMarketInput(readJsonFile(file), file);
}
