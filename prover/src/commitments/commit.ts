/**
 * The three commitments of circuits/README.md, computed from an encoded {@link CircuitInput} so
 * that they hash exactly the values the circuit receives.
 */
import { randomBytes } from "node:crypto";
import { ZeroAddress } from "ethers";
import type { InstanceDims } from "../encoding/instances";
import {
  encodeCircuitInput,
  marketItems,
  policyItems,
  portfolioItems,
  type CircuitInput,
  type CircuitSignals,
} from "../encoding/circuit-input";
import { packItems } from "../encoding/pack";
import { SNARK_SCALAR_FIELD } from "../encoding/widths";
import type { Market, Policy, Portfolio } from "../inputs/types";
import { vectorHash } from "./vector-hash";

/** Domain tags of the three commitments. */
export const PORTFOLIO_TAG = "zkmargin/portfolio/v1";
export const MARKET_TAG = "zkmargin/market/v1";
export const POLICY_TAG = "zkmargin/policy/v1";

/** The instance dimensions an encoded input was built for. */
export function dimsOf(input: CircuitInput): InstanceDims {
  return {
    assets: input.amount.length,
    perps: input.perpSizeAbs.length,
    options: input.optionQtyAbs.length,
    scenarios: input.riskArray[0]?.length ?? 0,
    tiers: input.assetWeight[0]?.length ?? input.perpRate[0]?.length ?? 0,
  };
}

/** VectorHash("zkmargin/portfolio/v1", pack(portfolio items) ++ [salt]). */
export async function commitPortfolio(input: CircuitInput): Promise<bigint> {
  const packed = packItems(portfolioItems(input, dimsOf(input)));
  return vectorHash(PORTFOLIO_TAG, [...packed, input.salt]);
}

/** VectorHash("zkmargin/market/v1", pack(market items)). */
export async function commitMarket(input: CircuitInput): Promise<bigint> {
  return vectorHash(MARKET_TAG, packItems(marketItems(input, dimsOf(input))));
}

/** VectorHash("zkmargin/policy/v1", pack(policy items)). */
export async function commitPolicy(input: CircuitInput): Promise<bigint> {
  return vectorHash(POLICY_TAG, packItems(policyItems(input, dimsOf(input))));
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

/** The holdings of nobody: every slot zero (commitments that do not depend on the portfolio). */
function emptyPortfolio(): Portfolio {
  return { account: ZeroAddress, collateral: new Map(), perps: new Map(), options: new Map() };
}

/**
 * The two public commitments, without a portfolio: what a `MarketBook` publisher posts for a
 * round and what governance registers for a policy, laid out for `instance` (the policy's slots,
 * padded to the instance; see circuits/README.md).
 */
export async function publicCommitments(args: {
  policy: Policy;
  market: Market;
  instance: InstanceDims;
}): Promise<Omit<Commitments, "portfolio">> {
  const input = encodeCircuitInput({ ...args, portfolio: emptyPortfolio(), salt: 0n, nonce: 0n });
  return { market: await commitMarket(input), policy: await commitPolicy(input) };
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
