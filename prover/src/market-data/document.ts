/**
 * A parsed {@link Market} written back as a market.json document (decimal strings in the file's
 * units), for a publisher that builds rounds in code rather than from files. `parseMarket` of the
 * result gives the same Market (tested), so a round published this way commits to what was built.
 */
import { formatUnits } from "../decimal";
import type { Market } from "../inputs";

/** The market.json document of `market`. */
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
    prices: Object.fromEntries(
      [...market.prices].map(([symbol, price]) => [symbol, formatUnits(price, 8)]),
    ),
    options: Object.fromEntries(
      [...market.options].map(([name, quote]) => [
        name,
        {
          mark: formatUnits(quote.markMicroUsd, 6),
          riskArray: quote.riskArrayMicroUsd.map((entry) => formatUnits(entry, 6)),
        },
      ]),
    ),
  };
}
