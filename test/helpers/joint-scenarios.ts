/**
 * A joint scenario set (model v2) for the slots of examples/small (USDC, WETH, WBTC; ETH-PERP,
 * BTC-PERP), in the order of the example's four option scenarios: ETH and BTC down, up, a crash
 * with a USDC depeg, a rally. Losses per whole token or unit of the underlying come from the
 * scenario generator's own revaluation (`linearLosses`: log moves, rounded up), at `market`'s
 * prices.
 */
import type { Market } from "../../prover/src/inputs";
import { linearLosses } from "../../prover/src/risk/revalue";

/** The scenario that combines the crash and the USDC depeg. */
export const SMALL_CRASH_LABEL = "crash: ETH -12% BTC -10% USDC -30%";

const moves = (percents: number[]) => percents.map((x) => Math.log1p(x / 100));

/** `market` (examples/small's round) with the joint scenario set. */
export function withSmallJointSet(market: Market): Market {
  const eth = moves([-5, 5, -12, 15]);
  const btc = moves([-4, 4, -10, 12]);
  const price = (symbol: string) => {
    const p = market.prices.get(symbol);
    if (p === undefined) throw new Error(`the round has no price for ${symbol}`);
    return p;
  };
  return {
    ...market,
    scenarios: {
      labels: ["ETH -5% BTC -4%", "ETH +5% BTC +4%", SMALL_CRASH_LABEL, "ETH +15% BTC +12%"],
      assets: new Map([
        ["USDC", linearLosses(price("USDC"), moves([0, 0, -30, 0]))],
        ["WETH", linearLosses(price("WETH"), eth)],
        ["WBTC", linearLosses(price("WBTC"), btc)],
      ]),
      perps: new Map([
        ["ETH-PERP", linearLosses(price("ETH"), eth)],
        ["BTC-PERP", linearLosses(price("BTC"), btc)],
      ]),
    },
  };
}
