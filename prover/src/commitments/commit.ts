/**
 * The commitments of circuits/README.md (one per used pledge slot's sub-portfolio, the round's and
 * the policy's), computed from an encoded {@link CircuitInput} so that they hash exactly the
 * values the circuit receives.
 */
import { randomBytes } from "node:crypto";
import type { InstanceDims } from "../encoding/instances";
import {
  encodeCircuitInput,
  encodeLayoutId,
  encodeMarketSignals,
  encodePolicySignals,
  marketElements,
  pieceOf,
  policyItems,
  portfolioItems,
  type CircuitInput,
  type CircuitSignals,
  type MarketSignals,
  type PiecesSignals,
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
  return {
    ...policyDims(input),
    scenarios: market.scenarios,
    joint: market.joint,
    pledges: input.salt.length,
  };
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
    pledges: 0,
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
    pledges: 0,
  };
}

/** The dimensions an encoded sub-portfolio shows (pledges: 1, it is one). */
function portfolioDims(input: PortfolioSignals): InstanceDims {
  return {
    assets: input.amount.length,
    perps: input.perpSizeAbs.length,
    options: input.optionQtyAbs.length,
    scenarios: 0,
    tiers: 0,
    groups: 0,
    joint: 0,
    pledges: 1,
  };
}

/**
 * VectorHash("zkmargin/portfolio/v2", [layoutId] ++ pack(portfolio items) ++ [salt]): the
 * commitment of one (sub-)portfolio, whatever pledge slot it fills.
 */
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

/** The three commitments of one (sub-)portfolio, the round and the policy. */
export interface Commitments {
  portfolio: bigint;
  market: bigint;
  policy: bigint;
}

/** True when every holding of pledge slot `k`'s sub-portfolio is 0 (its salt aside). */
function emptyPiece(input: PiecesSignals, k: number): boolean {
  const p = pieceOf(input, k);
  const holdings = [
    p.amount,
    p.perpSizeNeg,
    p.perpSizeAbs,
    p.perpEntryPrice,
    p.optionQtyNeg,
    p.optionQtyAbs,
  ];
  return holdings.every((values) => values.every((v) => v === 0n));
}

/**
 * The pledge slots in use when nobody says: slot 1 and every slot up to the last sub-portfolio
 * that holds something (used slots form a prefix). An all-zero sub-portfolio before it is used
 * (it has a commitment); after it, unused (commitment 0). The SDK always says: `generateProof`
 * uses exactly the sub-portfolios it was given.
 */
export function usedSlots(input: PiecesSignals): number {
  let used = 1;
  for (let k = 1; k < input.salt.length; k++) if (!emptyPiece(input, k)) used = k + 1;
  return used;
}

/**
 * The public portfolio commitments, one per pledge slot: the first `used` slots' sub-portfolio
 * commitments, then 0 for each unused slot (whose sub-portfolio must be all zero: the circuit
 * has no witness otherwise).
 */
export async function commitPortfolios(
  input: PiecesSignals & { layoutId: bigint },
  used: number = usedSlots(input),
): Promise<bigint[]> {
  const slots = input.salt.length;
  if (!Number.isInteger(used) || used < 1 || used > slots) {
    throw new RangeError(`used pledge slots must be 1..${slots}, not ${used}`);
  }
  const commitments: bigint[] = [];
  for (let k = 0; k < slots; k++) {
    commitments.push(
      k < used ? await commitPortfolio({ ...pieceOf(input, k), layoutId: input.layoutId }) : 0n,
    );
  }
  return commitments;
}

/**
 * `input` plus its public commitments: the complete witness input of `MarginProof`. `used` is
 * how many pledge slots hold a sub-portfolio (default {@link usedSlots}).
 */
export async function withCommitments(input: CircuitInput, used?: number): Promise<CircuitSignals> {
  return {
    ...input,
    marketCommitment: await commitMarket(input),
    policyCommitment: await commitPolicy(input),
    portfolioCommitment: await commitPortfolios(input, used),
  };
}

/**
 * Encodes one (sub-)portfolio with the policy and round for `instance` and returns the three
 * commitments. The nonce does not enter any commitment, so none is asked for; nor does the
 * pledge slot (a sub-portfolio's commitment is the same in every slot).
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
    portfolio: await commitPortfolio({ ...pieceOf(input, 0), layoutId: input.layoutId }),
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
