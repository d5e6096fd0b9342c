/**
 * The three commitments of circuits/README.md, computed from an encoded {@link CircuitInput} so
 * that they hash exactly the values the circuit receives.
 */
import { randomBytes } from "node:crypto";
import type { InstanceDims } from "../encoding/instances";
import {
  encodeCircuitInput,
  encodeLayoutId,
  encodeMarketSignals,
  encodePolicySignals,
  marketElements,
  policyItems,
  portfolioItems,
  type CircuitInput,
  type CircuitSignals,
  type MarketSignals,
  type PolicySignals,
  type PortfolioSignals,
} from "../encoding/circuit-input";
import { misfits, requiredDims } from "../encoding/instances";
import { packItems } from "../encoding/pack";
import { SNARK_SCALAR_FIELD } from "../encoding/widths";
import type { Market, Policy, Portfolio } from "../inputs/types";
import { vectorHash } from "./vector-hash";

/** Domain tags of the three commitments. */
export const PORTFOLIO_TAG = "zkmargin/portfolio/v2";
export const MARKET_TAG = "zkmargin/market/v3";
export const POLICY_TAG = "zkmargin/policy/v3";

/** The instance dimensions an encoded input was built for. */
export function dimsOf(input: CircuitInput): InstanceDims {
  const market = marketDims(input);
  return { ...policyDims(input), scenarios: market.scenarios, joint: market.joint };
}

/** The dimensions an encoded policy group shows (scenarios: 0, it has none). */
function policyDims(input: PolicySignals): InstanceDims {
  return {
    assets: input.assetActive.length,
    perps: input.perpActive.length,
    options: input.optionActive.length,
    scenarios: 0,
    tiers: input.assetWeight[0]?.length ?? input.perpRate[0]?.length ?? 0,
    groups: input.groupShare.length,
    joint: 0,
  };
}

/** The dimensions an encoded market group shows (tiers and groups: 0, it has none). */
function marketDims(input: MarketSignals): InstanceDims {
  return {
    assets: input.price.length,
    perps: input.perpMark.length,
    options: input.optionMark.length,
    scenarios: input.riskArray[0]?.length ?? 0,
    tiers: 0,
    groups: 0,
    joint: (input.assetRisk[0]?.length ?? 0) > 0 ? 1 : 0,
  };
}

/** The dimensions an encoded portfolio group shows. */
function portfolioDims(input: PortfolioSignals): InstanceDims {
  return {
    assets: input.amount.length,
    perps: input.perpSizeAbs.length,
    options: input.optionQtyAbs.length,
    scenarios: 0,
    tiers: 0,
    groups: 0,
    joint: 0,
  };
}

/** VectorHash("zkmargin/portfolio/v2", [layoutId] ++ pack(portfolio items) ++ [salt]). */
export async function commitPortfolio(
  input: PortfolioSignals & { layoutId: bigint },
  dims: InstanceDims = portfolioDims(input),
): Promise<bigint> {
  const packed = packItems(portfolioItems(input, dims));
  return vectorHash(PORTFOLIO_TAG, [input.layoutId, ...packed, input.salt]);
}

/**
 * VectorHash("zkmargin/market/v3", [layoutId] ++ market elements, each value whole: the round and
 * timestamp, the joint-set flag, then the prices, marks and risk arrays).
 */
export async function commitMarket(
  input: MarketSignals & { layoutId: bigint },
  dims: InstanceDims = marketDims(input),
): Promise<bigint> {
  return vectorHash(MARKET_TAG, [input.layoutId, ...marketElements(input, dims)]);
}

/** VectorHash("zkmargin/policy/v3", [layoutId] ++ pack(policy items, tier bounds as rises)). */
export async function commitPolicy(
  input: PolicySignals & { layoutId: bigint },
  dims: InstanceDims = policyDims(input),
): Promise<bigint> {
  return vectorHash(POLICY_TAG, [input.layoutId, ...packItems(policyItems(input, dims))]);
}

/** The three commitments of one encoded input. */
export interface Commitments {
  portfolio: bigint;
  market: bigint;
  policy: bigint;
}

/** `input` plus its three public commitments: the complete witness input of `MarginProof`. */
export async function withCommitments(input: CircuitInput): Promise<CircuitSignals> {
  return {
    ...input,
    marketCommitment: await commitMarket(input),
    policyCommitment: await commitPolicy(input),
    portfolioCommitment: await commitPortfolio(input),
  };
}

/**
 * Encodes the triple for `instance` and returns its commitments. The nonce does not enter any
 * commitment, so none is asked for.
 */
export async function commitments(args: {
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
  salt: bigint;
  instance: InstanceDims;
}): Promise<Commitments> {
  const input = encodeCircuitInput({ ...args, nonce: 0n });
  return {
    portfolio: await commitPortfolio(input),
    market: await commitMarket(input),
    policy: await commitPolicy(input),
  };
}

/** The public commitments of a policy and a round on one layout, and that layout's id. */
export interface PublicCommitments {
  /** The slot layout's id: names the MarketBook feed the round is posted to (`feedIdOf`). */
  layoutId: bigint;
  market: bigint;
  policy: bigint;
}

/**
 * The two public commitments, without a portfolio: what a `MarketBook` publisher posts for a
 * round (to the feed of `layoutId`) and what governance registers for a policy, laid out for
 * `instance` (the policy's slots, padded to the instance; see circuits/README.md). Refuses a
 * malformed policy (InputError naming the rule), so no commitment is ever computed for one.
 */
export async function publicCommitments(args: {
  policy: Policy;
  market: Market;
  instance: InstanceDims;
}): Promise<PublicCommitments> {
  const { policy, market, instance } = args;
  const problems = misfits(requiredDims(policy, market), instance);
  if (problems.length > 0) throw new RangeError(`instance too small: ${problems.join(", ")}`);
  const { layoutId, policy: policyCommitment } = await policyCommitmentOf(policy, instance);
  const marketSignals = encodeMarketSignals(policy, market, instance);
  return {
    layoutId,
    market: await commitMarket({ ...marketSignals, layoutId }, instance),
    policy: policyCommitment,
  };
}

/**
 * A policy's layout id and commitment on `instance`, from the policy alone (what governance
 * registers). Refuses a malformed policy (InputError naming the rule and the value).
 */
export async function policyCommitmentOf(
  policy: Policy,
  instance: InstanceDims,
): Promise<{ layoutId: bigint; policy: bigint }> {
  const layoutId = encodeLayoutId(policy, instance);
  const signals = encodePolicySignals(policy, instance);
  return { layoutId, policy: await commitPolicy({ ...signals, layoutId }, instance) };
}

/**
 * A uniformly random field element from the OS CSPRNG, by rejection sampling 254-bit draws
 * (acceptance about 76 %), so the salt carries no modulo bias.
 */
export function randomSalt(): bigint {
  for (;;) {
    const bytes = randomBytes(32);
    bytes[0] &= 0x3f; // keep 254 bits
    const candidate = BigInt("0x" + bytes.toString("hex"));
    if (candidate < SNARK_SCALAR_FIELD) return candidate;
  }
}
