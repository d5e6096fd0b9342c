/**
 * The reference margin model v1 (DESIGN.md, normative) in exact bigint arithmetic. Everything
 * that counts for the holder rounds down, everything that counts against rounds up. Callers pass
 * a triple that `checkConsistency` accepted; a missing price or quote is a programming error.
 */
import type { Market, Policy, Portfolio } from "../inputs/types";
import { abs, ceilDiv, floorDiv, pow10 } from "./arith";
import { bracketSum } from "./brackets";
import type { AssetLine, MarginReport, OptionsLine, PerpLine } from "./report";

/** 1e6: ppm per unit, and µUSD per USD. */
const PPM = 1_000_000n;

function priceOf(market: Market, symbol: string): bigint {
  const price = market.prices.get(symbol);
  if (price === undefined)
    throw new Error(`market round ${market.round} has no price for ${symbol}`);
  return price;
}

function assetLines(policy: Policy, market: Market, portfolio: Portfolio): AssetLine[] {
  return policy.assets.map((asset) => {
    const amount = portfolio.collateral.get(asset.symbol) ?? 0n;
    const price = priceOf(market, asset.symbol);
    const valueMicroUsd = (amount * price) / pow10(asset.decimals + 2); // both >= 0: floor
    const brackets = asset.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.weightPpm }));
    const haircutValueMicroUsd = bracketSum(valueMicroUsd, brackets) / PPM; // >= 0: floor
    return { symbol: asset.symbol, amount, price, valueMicroUsd, haircutValueMicroUsd };
  });
}

function perpLines(policy: Policy, market: Market, portfolio: Portfolio): PerpLine[] {
  return policy.perps.map((perp) => {
    const position = portfolio.perps.get(perp.instrument) ?? { size: 0n, entryPrice: 0n };
    const mark = priceOf(market, perp.underlying);
    const scale = pow10(perp.sizeDecimals + 2);
    const notionalMicroUsd = ceilDiv(abs(position.size) * mark, scale);
    const pnlMicroUsd = floorDiv(position.size * (mark - position.entryPrice), scale);
    const brackets = perp.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.ratePpm }));
    const requirementMicroUsd = ceilDiv(bracketSum(notionalMicroUsd, brackets), PPM);
    return {
      instrument: perp.instrument,
      size: position.size,
      entryPrice: position.entryPrice,
      mark,
      notionalMicroUsd,
      pnlMicroUsd,
      requirementMicroUsd,
    };
  });
}

/**
 * Number of scenarios of the policy's option series in this round: the length of their risk
 * arrays (equal, by `checkConsistency`); 0 for a policy without options.
 */
export function scenarioCount(policy: Policy, market: Market): number {
  const first = policy.options[0];
  return first === undefined
    ? 0
    : (market.options.get(first.instrument)?.riskArrayMicroUsd.length ?? 0);
}

function optionsLine(policy: Policy, market: Market, portfolio: Portfolio): OptionsLine {
  const scenarios = scenarioCount(policy, market);
  const scenarioLossMicroUsd: bigint[] = new Array<bigint>(scenarios).fill(0n);
  let valueMicroUsd = 0n;
  let shortContracts = 0n;
  for (const option of policy.options) {
    const quote = market.options.get(option.instrument);
    if (quote === undefined) {
      throw new Error(`market round ${market.round} has no quote for ${option.instrument}`);
    }
    const quantity = portfolio.options.get(option.instrument) ?? 0n;
    valueMicroUsd += quantity * quote.markMicroUsd;
    if (quantity < 0n) shortContracts += -quantity;
    if (quote.riskArrayMicroUsd.length !== scenarios) {
      throw new Error(
        `risk arrays of ${option.instrument} and ${policy.options[0].instrument} differ in length`,
      );
    }
    quote.riskArrayMicroUsd.forEach((loss, k) => (scenarioLossMicroUsd[k] += quantity * loss));
  }
  const scanRiskMicroUsd = scenarioLossMicroUsd.reduce((m, x) => (x > m ? x : m), 0n);
  const shortOptionMinimumMicroUsd = policy.shortOptionMinimumMicroUsd * shortContracts;
  const requirementMicroUsd =
    scanRiskMicroUsd > shortOptionMinimumMicroUsd ? scanRiskMicroUsd : shortOptionMinimumMicroUsd;
  return {
    valueMicroUsd,
    scenarioLossMicroUsd,
    scanRiskMicroUsd,
    shortOptionMinimumMicroUsd,
    requirementMicroUsd,
  };
}

/** Computes margin model v1 for a consistent policy/market/portfolio triple. */
export function computeMargin(policy: Policy, market: Market, portfolio: Portfolio): MarginReport {
  const assets = assetLines(policy, market, portfolio);
  const perps = perpLines(policy, market, portfolio);
  const options = optionsLine(policy, market, portfolio);
  const equityMicroUsd =
    assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n) +
    perps.reduce((s, p) => s + p.pnlMicroUsd, 0n) +
    options.valueMicroUsd;
  const requirementMicroUsd =
    perps.reduce((s, p) => s + p.requirementMicroUsd, 0n) +
    options.requirementMicroUsd +
    policy.bufferMicroUsd;
  const minRatioPpm = policy.minRatioPpm;
  return {
    policyId: policy.id,
    round: market.round,
    assets,
    perps,
    options,
    equityMicroUsd,
    bufferMicroUsd: policy.bufferMicroUsd,
    requirementMicroUsd,
    excessMicroUsd: equityMicroUsd - ceilDiv(requirementMicroUsd * minRatioPpm, PPM),
    ratioPpm:
      requirementMicroUsd === 0n ? null : floorDiv(equityMicroUsd * PPM, requirementMicroUsd),
    minRatioPpm,
    sufficient: equityMicroUsd * PPM >= requirementMicroUsd * minRatioPpm,
  };
}
