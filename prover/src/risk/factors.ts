/**
 * Risk factors: the history columns that scenarios move. Every policy asset, perp underlying and
 * option underlying is moved by one factor: its own column, or the column a proxy names (WETH
 * moved with ETH). The factors are the columns so used, in the history's column order.
 */
import { InputError } from "../errors";
import type { Policy } from "../inputs";
import { formatPath } from "../inputs/issues";
import type { PriceHistory } from "./history";
import type { OptionSeries } from "./option-series";
import type { RoundQuotes } from "./types";

/** Which files errors name. */
export interface FactorFiles {
  market: string;
  /** Where the proxies came from. */
  options: string;
}

/** The factor layout of a round. */
export interface FactorLayout {
  /** History columns moved, in file order. */
  symbols: string[];
  /** Factor index of every priced symbol the round uses (assets and underlyings). */
  factorOf: Map<string, number>;
  /** Policy assets, perps and option series each factor moves, by factor index. */
  moves: string[][];
}

/** Symbols the round needs priced and moved, each with what it is for (for messages). */
function neededSymbols(policy: Policy, series: readonly OptionSeries[]): Map<string, string[]> {
  const needs = new Map<string, string[]>();
  const add = (symbol: string, what: string): void => {
    needs.set(symbol, [...(needs.get(symbol) ?? []), what]);
  };
  for (const asset of policy.assets) add(asset.symbol, asset.symbol);
  for (const perp of policy.perps) add(perp.underlying, perp.instrument);
  for (const option of series) add(option.underlying, option.instrument);
  return needs;
}

/** Resolves every needed symbol to a history column; checks prices and proxies. */
export function resolveFactors(
  policy: Policy,
  market: RoundQuotes,
  series: readonly OptionSeries[],
  history: PriceHistory,
  proxies: ReadonlyMap<string, string>,
  files: FactorFiles,
): FactorLayout {
  const needs = neededSymbols(policy, series);
  for (const [symbol, column] of proxies) {
    const path = formatPath(["proxies", symbol]);
    if (!needs.has(symbol)) {
      throw new InputError(
        files.options,
        path,
        `${symbol} is not an asset or an underlying of the policy or round`,
      );
    }
    if (!history.prices.has(column)) {
      throw new InputError(files.options, path, `${history.file} has no column ${column}`);
    }
  }
  const columnOf = new Map<string, string>();
  for (const [symbol, uses] of needs) {
    if (!market.prices.has(symbol)) {
      throw new InputError(
        files.market,
        formatPath(["prices", symbol]),
        `missing: ${uses.join(", ")} needs a price`,
      );
    }
    const column = proxies.get(symbol) ?? symbol;
    if (!history.prices.has(column)) {
      throw new InputError(
        history.file,
        "header",
        `has no column ${symbol} (for ${uses.join(", ")}): add its history or give it a proxy column`,
      );
    }
    columnOf.set(symbol, column);
  }
  const used = new Set(columnOf.values());
  const symbols = history.symbols.filter((column) => used.has(column));
  const index = new Map(symbols.map((column, i) => [column, i]));
  const factorOf = new Map([...columnOf].map(([symbol, column]) => [symbol, index.get(column)!]));
  const moves = symbols.map((): string[] => []);
  for (const [symbol, uses] of needs) moves[factorOf.get(symbol)!].push(...uses);
  return { symbols, factorOf, moves };
}
