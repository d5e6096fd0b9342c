/**
 * Policies on one circuit instance whose slot layouts differ from a given one: the universe
 * reordered, or an asset renamed. Used to show that commitments bind the layout (v1 bound values
 * by slot position only, which let two honest layouts be mixed into a forged proof).
 */
import type { Market, Policy, PolicyAsset } from "../../prover/src/inputs";

/** `policy` with its collateral assets in the order of `symbols` (same tiers and decimals). */
export function withAssetOrder(policy: Policy, symbols: readonly string[], id: string): Policy {
  const bySymbol = new Map(policy.assets.map((a) => [a.symbol, a]));
  const assets = symbols.map((symbol): PolicyAsset => {
    const asset = bySymbol.get(symbol);
    if (asset === undefined) throw new Error(`no asset ${symbol} in ${policy.id}`);
    return asset;
  });
  return { ...policy, id, assets };
}

/** `policy` with asset `from` renamed `to` (same slot, decimals and tiers). */
export function withAssetRenamed(policy: Policy, from: string, to: string, id: string): Policy {
  const assets = policy.assets.map((a) => (a.symbol === from ? { ...a, symbol: to } : a));
  return { ...policy, id, assets };
}

/** `market` with the price of `from` also quoted as `to`. */
export function withPriceAlias(market: Market, from: string, to: string): Market {
  const price = market.prices.get(from);
  if (price === undefined) throw new Error(`no price for ${from}`);
  return { ...market, prices: new Map([...market.prices, [to, price]]) };
}
