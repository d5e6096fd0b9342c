/**
 * The reference margin model (docs/model.md, both margin models, normative) in exact bigint
 * arithmetic: one reference for the CLI report, the prover's pre-check and the circuit tests.
 * Everything that counts for the holder rounds down, everything that counts against rounds up.
 * Prices are integers of 1e-12 USD (PRICE_DECIMALS). Callers pass a triple that `checkConsistency`
 * accepted; a missing price or quote is a programming error. A portfolio policy on a round whose
 * joint scenario set does not cover every asset and perp is refused (an InputError naming the
 * market file), never scanned with missing losses as zeros.
 */
import { assertJointSetFor } from "../inputs/joint-set";
import type { Market, Policy, Portfolio } from "../inputs/types";
import { abs, ceilDiv, floorDiv, pow10 } from "./arith";
import { bracketSum } from "./brackets";
import type {
  AssetLine,
  ConcentrationLine,
  MarginReport,
  OptionsLine,
  PerpLine,
  ScenarioLine,
} from "./report";
import { MICRO_USD_DECIMALS as MICRO, PPM, PRICE_DECIMALS } from "./units";
/**
 * Joint losses put every position in 1e-18 units of its token (the largest decimals), so all
 * scenario terms share the one denominator 10^(18 + 12 - 6) = 10^24 (1e-18 token x 1e-12 USD
 * per token = 1e-30 USD = 1e-24 µUSD) and the sum is exact before its single rounding up.
 */
export const JOINT_POSITION_DECIMALS = 18;
/** Denominator of the exact joint sum S_k: L_k = ceil(S_k / JOINT_DENOMINATOR) µUSD. */
export const JOINT_DENOMINATOR = pow10(JOINT_POSITION_DECIMALS + PRICE_DECIMALS - MICRO);

/** 10^(decimals + 6): from (base units x 1e-12 USD) to µUSD. */
function toMicroUsd(decimals: number): bigint {
  return pow10(decimals + PRICE_DECIMALS - MICRO);
}

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
    const valueMicroUsd = (amount * price) / toMicroUsd(asset.decimals); // both >= 0: floor
    const brackets = asset.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.weightPpm }));
    const haircutValueMicroUsd = bracketSum(valueMicroUsd, brackets) / PPM; // >= 0: floor
    return { symbol: asset.symbol, amount, price, valueMicroUsd, haircutValueMicroUsd };
  });
}

function perpLines(policy: Policy, market: Market, portfolio: Portfolio): PerpLine[] {
  return policy.perps.map((perp) => {
    const position = portfolio.perps.get(perp.instrument) ?? { size: 0n, entryPrice: 0n };
    const mark = priceOf(market, perp.underlying);
    const scale = toMicroUsd(perp.sizeDecimals);
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
 * K, the number of scenarios of this round: the scenario set's label count when the round has a
 * set, otherwise the length of the policy's option risk arrays (equal, by the market rules);
 * 0 for a round without a set and a policy without options.
 */
export function scenarioCount(policy: Policy, market: Market): number {
  if (market.scenarios !== null) return market.scenarios.labels.length;
  const first = policy.options[0];
  return first === undefined
    ? 0
    : (market.options.get(first.instrument)?.riskArrayMicroUsd.length ?? 0);
}

/** The K scenario labels: the set's, or "1".."K" for option risk arrays without a set. */
export function scenarioLabels(policy: Policy, market: Market): string[] {
  return (
    market.scenarios?.labels ??
    Array.from({ length: scenarioCount(policy, market) }, (_, k) => `${k + 1}`)
  );
}

/** The option book: V, SOM and sum_o q_o * RA_o[k] per scenario (R is set by the scan). */
function optionBook(
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  scenarios: number,
): Omit<OptionsLine, "requirementMicroUsd"> {
  const scenarioLossMicroUsd: bigint[] = new Array<bigint>(scenarios).fill(0n);
  let valueMicroUsd = 0n;
  let shortContracts = 0n;
  for (const option of policy.options) {
    const quote = market.options.get(option.instrument);
    if (quote === undefined) {
      throw new Error(`market round ${market.round} has no quote for ${option.instrument}`);
    }
    if (quote.riskArrayMicroUsd.length !== scenarios) {
      throw new Error(
        `risk array of ${option.instrument} has ${quote.riskArrayMicroUsd.length} entries, not ${scenarios}`,
      );
    }
    const quantity = portfolio.options.get(option.instrument) ?? 0n;
    valueMicroUsd += quantity * quote.markMicroUsd;
    if (quantity < 0n) shortContracts += -quantity;
    quote.riskArrayMicroUsd.forEach((loss, k) => (scenarioLossMicroUsd[k] += quantity * loss));
  }
  return {
    valueMicroUsd,
    scenarioLossMicroUsd,
    scanRiskMicroUsd: maxAtLeastZero(scenarioLossMicroUsd),
    shortOptionMinimumMicroUsd: policy.shortOptionMinimumMicroUsd * shortContracts,
  };
}

/** max(0, max_k x_k). */
function maxAtLeastZero(xs: readonly bigint[]): bigint {
  return xs.reduce((m, x) => (x > m ? x : m), 0n);
}

/**
 * Joint losses of a `portfolio` policy on a round whose joint scenario set covers every asset and
 * perp with K arrays (`assertJointSetFor`): with a_i = amount_i * 10^(18 - dec_i) and
 * b_j = s_j * 10^(18 - sd_j) (positions in 1e-18 units), the exact sum
 * S_k = sum_i a_i * A_i[k] + sum_j b_j * P_j[k] + 10^24 * sum_o q_o * RA_o[k] (in 1e-24 µUSD) and
 * L_k = ceil(S_k / 10^24) µUSD, the one rounding up.
 */
function jointLosses(
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  optionLosses: readonly bigint[],
): bigint[] {
  const set = market.scenarios!;
  const sums = optionLosses.map((loss) => loss * JOINT_DENOMINATOR);
  for (const asset of policy.assets) {
    const a =
      (portfolio.collateral.get(asset.symbol) ?? 0n) *
      pow10(JOINT_POSITION_DECIMALS - asset.decimals);
    set.assets.get(asset.symbol)!.forEach((x, k) => (sums[k] += a * x));
  }
  for (const perp of policy.perps) {
    const b =
      (portfolio.perps.get(perp.instrument)?.size ?? 0n) *
      pow10(JOINT_POSITION_DECIMALS - perp.sizeDecimals);
    set.perps.get(perp.instrument)!.forEach((x, k) => (sums[k] += b * x));
  }
  return sums.map((s) => ceilDiv(s, JOINT_DENOMINATOR));
}

/**
 * Concentration limits: with T = sum_i H_i over all assets and S_g = sum_{i in g} H_i, a group
 * is credited min(S_g, floor(maxShare_g * T / 1e6)) and its excess S_g - credited is taken off
 * the equity.
 */
function concentrationLines(policy: Policy, assets: readonly AssetLine[]): ConcentrationLine[] {
  const haircut = new Map(assets.map((a) => [a.symbol, a.haircutValueMicroUsd]));
  const total = assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n);
  return policy.concentration.map((group) => {
    const haircutMicroUsd = group.assets.reduce((s, symbol) => s + (haircut.get(symbol) ?? 0n), 0n);
    const capMicroUsd = (group.maxSharePpm * total) / PPM; // both >= 0: floor
    const creditedMicroUsd = haircutMicroUsd < capMicroUsd ? haircutMicroUsd : capMicroUsd;
    return {
      assets: [...group.assets],
      maxSharePpm: group.maxSharePpm,
      haircutMicroUsd,
      capMicroUsd,
      creditedMicroUsd,
      excessMicroUsd: haircutMicroUsd - creditedMicroUsd,
    };
  });
}

/**
 * The scenario scan: the losses L_k (joint under `portfolio`, the option book's under
 * `standard`), R = max(max(0, max_k L_k), SOM), and the first scenario whose loss is R.
 */
function scan(
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  book: Omit<OptionsLine, "requirementMicroUsd">,
): { losses: bigint[]; requirement: bigint; binding: number | null } {
  const losses =
    policy.margin === "portfolio"
      ? jointLosses(policy, market, portfolio, book.scenarioLossMicroUsd)
      : [...book.scenarioLossMicroUsd];
  const scanRisk = maxAtLeastZero(losses);
  const som = book.shortOptionMinimumMicroUsd;
  const binds = scanRisk > 0n && scanRisk >= som;
  return {
    losses,
    requirement: scanRisk > som ? scanRisk : som,
    binding: binds ? losses.indexOf(scanRisk) : null,
  };
}

/**
 * Computes the margin model (v1 `standard` or v2 `portfolio`) for a consistent triple. A
 * portfolio policy needs the round's complete joint scenario set: without it this throws an
 * InputError about `marketFile` (the market file's name in the message) naming the missing
 * field.
 */
export function computeMargin(
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  marketFile = "market.json",
): MarginReport {
  assertJointSetFor(policy, market, marketFile);
  const assets = assetLines(policy, market, portfolio);
  const perps = perpLines(policy, market, portfolio);
  const book = optionBook(policy, market, portfolio, scenarioCount(policy, market));
  const { losses, requirement, binding } = scan(policy, market, portfolio, book);
  const options: OptionsLine = { ...book, requirementMicroUsd: requirement };
  const scenarios: ScenarioLine[] = scenarioLabels(policy, market).map((label, k) => ({
    label,
    lossMicroUsd: losses[k],
  }));
  const concentration = concentrationLines(policy, assets);
  const equityMicroUsd =
    assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n) +
    perps.reduce((s, p) => s + p.pnlMicroUsd, 0n) +
    options.valueMicroUsd -
    concentration.reduce((s, g) => s + g.excessMicroUsd, 0n);
  const requirementMicroUsd =
    perps.reduce((s, p) => s + p.requirementMicroUsd, 0n) +
    options.requirementMicroUsd +
    policy.bufferMicroUsd;
  const minRatioPpm = policy.minRatioPpm;
  return {
    policyId: policy.id,
    round: market.round,
    margin: policy.margin,
    assets,
    perps,
    options,
    scenarios,
    bindingScenario: binding,
    concentration,
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
