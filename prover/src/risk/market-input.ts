/**
 * Reading the round's market.json for the scenario generator. The file is the round as it will be
 * published, before its scenarios exist: option risk arrays may be missing (or left from an earlier
 * run) and a `scenarios` object may be present; both are replaced. Everything else is validated by
 * the project's market parser, with its file-named errors.
 */
import { InputError } from "../errors";
import { parseMarket, type Market } from "../inputs";
import { WHOLE_FILE, readJsonFile } from "../io/json";

/** The file's JSON as read, and the round it describes. */
export interface MarketInput {
  json: Record<string, unknown>;
  market: Market;
}

/** A placeholder risk array, so the parser checks the rest of a quote. */
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
