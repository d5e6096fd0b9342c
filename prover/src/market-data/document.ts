/**
 * A parsed {@link Market} written back as a market.json document (decimal strings in the file's
 * units: prices and joint scenario entries in USD to 12 decimals, option marks and risk arrays in
 * USD to 6), for a publisher that builds rounds in code rather than from files. `parseMarket` of
 * the result gives the same Market (tested), so a round published this way commits to what was
 * built.
 */
import { formatUnits } from "../decimal";
import { PRICE_DECIMALS } from "../encoding/widths";
import type { Market } from "../inputs";

/** Option marks and risk arrays are µUSD. */
const MICRO_USD_DECIMALS = 6;

const price = (value: bigint): string => formatUnits(value, PRICE_DECIMALS);
const microUsd = (value: bigint): string => formatUnits(value, MICRO_USD_DECIMALS);
const riskArrays = (byName: ReadonlyMap<string, bigint[]>): Record<string, string[]> =>
  Object.fromEntries([...byName].map(([name, losses]) => [name, losses.map(price)]));

/** The market.json document of `market` (with its joint scenario set when it has one). */
export function marketDocumentOf(market: Market): Record<string, unknown> {
  if (
    market.round > BigInt(Number.MAX_SAFE_INTEGER) ||
    market.timestamp > BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    throw new RangeError("market round and timestamp must be safe integers to be written as JSON");
  }
  return {
    round: Number(market.round),
    timestamp: Number(market.timestamp),
    prices: Object.fromEntries([...market.prices].map(([symbol, p]) => [symbol, price(p)])),
    options: Object.fromEntries(
      [...market.options].map(([name, quote]) => [
        name,
        {
          mark: microUsd(quote.markMicroUsd),
          riskArray: quote.riskArrayMicroUsd.map(microUsd),
        },
      ]),
    ),
    ...(market.scenarios === null
      ? {}
      : {
          scenarios: {
            labels: [...market.scenarios.labels],
            assets: riskArrays(market.scenarios.assets),
            perps: riskArrays(market.scenarios.perps),
          },
        }),
  };
}
