/**
 * Reading the round's market.json for the scenario generator. The file is the round as it will be
 * published, before its scenarios exist: option risk arrays may be missing (or left from an earlier
 * run) and a `scenarios` object may be present; both are replaced. Everything else is validated by
 * the project's market parser, with its file-named errors.
 *
 * STOPGAP until model v2's market schema (for the lead): `parseMarket` (prover/src/inputs/market.ts)
 * is strict and knows no `scenarios`, and it requires a non-empty `riskArray` in every option
 * quote. So this module drops `scenarios` and puts a placeholder risk array in each quote before
 * calling it, and nothing here validates a `scenarios` object. When `scenarios` joins the schema:
 * keep ignoring the input's risk arrays and scenarios (they are what the generator replaces, and a
 * stale set may no longer match the round), e.g. with a parser entry point that validates a round
 * without them, then drop the placeholder; and make the tests parse the generated file whole
 * (test/risk.test.ts "STOPGAP" fails on purpose once `parseMarket` accepts `scenarios`).
 */
import { InputError } from "../errors";
import { parseMarket, type Market } from "../inputs";
import { WHOLE_FILE, readJsonFile } from "../io/json";

/** The file's JSON as read, and the round it describes. */
export interface MarketInput {
  json: Record<string, unknown>;
  market: Market;
}

/** STOPGAP (see above): a placeholder risk array, so the parser checks the rest of a quote. */
const PLACEHOLDER_RISK = ["0"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates a market JSON value whose risk arrays and scenarios are to be generated. */
export function parseMarketInput(json: unknown, file: string): MarketInput {
  if (!isObject(json)) throw new InputError(file, WHOLE_FILE, "must be a JSON object");
  const rest: Record<string, unknown> = { ...json };
  delete rest.scenarios;
  const options = isObject(rest.options)
    ? Object.fromEntries(
        Object.entries(rest.options).map(([name, quote]) => [
          name,
          isObject(quote) ? { ...quote, riskArray: PLACEHOLDER_RISK } : quote,
        ]),
      )
    : rest.options;
  return { json, market: parseMarket({ ...rest, options }, file) };
}

/** Reads and validates a market.json for {@link parseMarketInput}. */
export function loadMarketInput(file: string): MarketInput {
  return parseMarketInput(readJsonFile(file), file);
}
