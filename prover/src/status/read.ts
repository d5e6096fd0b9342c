/**
 * What the chain says about an account's margin under a policy, read in one go: the registry's
 * own answer (`isMarginSufficient`), the status it rests on (`statusOf`), the margin call
 * (`marginCallOf`), the policy's registration, the status round's record and the feed's head,
 * at the newest block.
 */
import type { Contract, Provider } from "ethers";
import {
  attach,
  isMarginSufficient,
  readFeedHead,
  readMarginCall,
  readPolicy,
  readRound,
  readStatus,
  type FeedHead,
  type MarginCall,
  type MarginStatus,
  type RegisteredPolicy,
  type RoundRecord,
} from "../chain";

/** Everything {@link judgeStatus} needs. */
export interface StatusFacts {
  account: string;
  /** The policy's bytes32 id. */
  policyId: string;
  /** The `maxAge` asked of `isMarginSufficient`, seconds. */
  maxAge: bigint;
  /** The newest block when the facts were read. */
  block: { number: number; timestamp: bigint };
  /** `isMarginSufficient(account, policyId, maxAge)`: the registry's own answer. */
  sufficient: boolean;
  status: MarginStatus;
  call: MarginCall;
  /** The registration; null when the policy id is not registered. */
  policy: RegisteredPolicy | null;
  /** The record of the status's round in the policy's feed (when there is a status). */
  round?: RoundRecord;
  /** The policy's feed head. */
  feedHead?: FeedHead;
}

/** The three contracts, from a MarginRegistry alone (it names the other two). */
export async function contractsOfRegistry(
  registry: string,
  provider: Provider,
): Promise<{ marginRegistry: Contract; marketBook: Contract; policyRegistry: Contract }> {
  const marginRegistry = attach("MarginRegistry", registry, provider);
  const [marketBook, policyRegistry] = await Promise.all([
    marginRegistry.getFunction("marketBook")() as Promise<string>,
    marginRegistry.getFunction("policyRegistry")() as Promise<string>,
  ]);
  return {
    marginRegistry,
    marketBook: attach("MarketBook", marketBook, provider),
    policyRegistry: attach("PolicyRegistry", policyRegistry, provider),
  };
}

/**
 * Reads the facts of `account` under `policyId` (bytes32). `maxAge` defaults to the policy's
 * maxRoundAge (what `prove` itself allows).
 */
export async function readStatusFacts(
  contracts: { marginRegistry: Contract; marketBook: Contract; policyRegistry: Contract },
  provider: Provider,
  account: string,
  policyId: string,
  maxAge?: bigint,
): Promise<StatusFacts> {
  const { marginRegistry, marketBook, policyRegistry } = contracts;
  const latest = await provider.getBlock("latest");
  if (latest === null) throw new Error("the node returned no latest block");
  const [policy, status, call] = await Promise.all([
    readPolicy(policyRegistry, policyId),
    readStatus(marginRegistry, account, policyId),
    readMarginCall(marginRegistry, account, policyId),
  ]);
  const age = maxAge ?? policy?.maxRoundAge ?? 0n;
  const sufficient = await isMarginSufficient(marginRegistry, account, policyId, age);
  const facts: StatusFacts = {
    account,
    policyId: policyId.toLowerCase(),
    maxAge: age,
    block: { number: latest.number, timestamp: BigInt(latest.timestamp) },
    sufficient,
    status,
    call,
    policy,
  };
  if (policy !== null) {
    facts.feedHead = await readFeedHead(marketBook, policy.feed);
    if (status.nonce !== 0n) facts.round = await readRound(marketBook, policy.feed, status.round);
  }
  return facts;
}
