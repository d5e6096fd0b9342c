/**
 * What the chain records about an account, read over JSON-RPC with the SDK's read functions
 * (`readPolicy`, `readVerifierKeyHash`, `readRound`, `readFeedHead`, `readStatus`,
 * `isMarginSufficient`, `marginProvedEvents`) and the ABIs the page carries: the registry's
 * MarketBook and PolicyRegistry, the policy's registration (commitment, layout feed, verifier, its
 * code and the key hash it answers with), the proof's round in the policy's feed, the account's
 * status (its pledges' custodians, expiry and revocation) and its `MarginProved` history; and whether the proof
 * being checked is among them, matched on every public signal and its proof points
 * (`findProofOnChain`), never on its nonce and commitment alone.
 */
import { Contract, JsonRpcProvider, getAddress, isAddress, type Provider } from "ethers";
import {
  readFeedHead,
  readRound,
  type FeedHead,
  type RoundRecord,
} from "../../prover/src/chain/market-book";
import {
  parsePolicyId,
  readPolicy,
  readVerifierKeyHash,
  type RegisteredPolicy,
} from "../../prover/src/chain/policy";
import {
  isMarginSufficient,
  marginProvedEvents,
  readStatus,
  type MarginStatus,
} from "../../prover/src/chain/registry";
import type { SolidityProof } from "../../prover/src/chain/calldata";
import {
  findProofOnChain,
  type ProofOnChain,
  type SubmissionReader,
} from "../../prover/src/inspect/on-chain";
import {
  pledgeTermsOf,
  pledgeTermsReader,
  slotPledges,
  withPledgesOnChain,
  type SlotPledge,
} from "../../prover/src/inspect/pledges";
import type { SiteContracts } from "../../prover/src/web/site";
import type { TimelineEvent } from "../../prover/src/report/timeline";
import { message } from "./message";

/** What to look up. */
export interface ChainQuery {
  rpcUrl: string;
  registry: string;
  account: string;
  /** The policy: a policy.json id or a 0x bytes32 (default: the proof's submission, else none). */
  policy?: string;
  /** The proof being checked (its public signals and points), to find its very submission. */
  proof?: { signals: readonly bigint[]; proof: SolidityProof };
  /** A round to read when the proof's submission is not found (e.g. market.json's). */
  round?: bigint;
}

/** A registered policy, its verifier's code and the key hash the verifier answers with. */
export interface ChainPolicy extends RegisteredPolicy {
  /** Whether the verifier address holds contract code. */
  verifierHasCode: boolean;
  /** The verifier's `verificationKeyHash()`, lower-cased; absent when the call failed. */
  verifierKeyHash?: string;
  /** Why the verifier could not be asked for its key hash. */
  verifierKeyHashError?: string;
}

/** A round of the policy's feed, as MarketBook records it. */
export interface ChainRound {
  feed: string;
  round: bigint;
  record: RoundRecord;
}

/** What the page shows of the chain. */
export interface ChainView {
  chainId: bigint;
  registry: string;
  marketBook: string;
  policyRegistry: string;
  account: string;
  /** Every `MarginProved` event of the account, all policies, oldest first. */
  events: TimelineEvent[];
  /**
   * The proof's events (its account and nonce), each checked against every public signal and the
   * proof points of its transaction; absent when no proof was given.
   */
  onChain?: ProofOnChain<TimelineEvent>;
  /** The event of this very proof: `onChain.accepted`'s. */
  proofEvent?: TimelineEvent;
  /**
   * The pledges this very proof was accepted with, slot by slot (from its transaction's calldata):
   * commitment, custodian, the policy's venue, and whether each still holds on-chain now.
   */
  proofPledges?: SlotPledge[];
  policyId?: string;
  /** null when the policy id is not registered. */
  policy?: ChainPolicy | null;
  /** The feed's first and latest rounds. */
  feedHead?: FeedHead;
  /** The proof's round (or the one asked for) in the policy's feed. */
  round?: ChainRound;
  status?: MarginStatus;
  /** The status's round in the policy's feed (when it is not {@link round}'s). */
  statusRound?: ChainRound;
  /** `isMarginSufficient(account, policy, maxRoundAge)` now. */
  sufficient?: boolean;
}

/** The registration of `policyId` with its verifier's code and answered key hash; null if none. */
async function readChainPolicy(
  policies: Contract,
  policyId: string,
  provider: Provider,
): Promise<ChainPolicy | null> {
  const registered = await readPolicy(policies, policyId);
  if (registered === null) return null;
  const verifierHasCode = (await provider.getCode(registered.verifier)) !== "0x";
  try {
    const verifierKeyHash = await readVerifierKeyHash(provider, registered.verifier);
    return { ...registered, verifierHasCode, verifierKeyHash };
  } catch (error) {
    return { ...registered, verifierHasCode, verifierKeyHashError: message(error) };
  }
}

/**
 * Adds block times and round timestamps (from each event's policy's feed) to the events: one read
 * per distinct block, policy and round.
 */
async function withTimes(
  events: TimelineEvent[],
  provider: Provider,
  marketBook: Contract,
  policyOf: (policyId: string) => Promise<ChainPolicy | null>,
): Promise<TimelineEvent[]> {
  const blocks = new Map<number, bigint>();
  const rounds = new Map<string, RoundRecord>();
  const timed: TimelineEvent[] = [];
  for (const e of events) {
    if (!blocks.has(e.blockNumber)) {
      const block = await provider.getBlock(e.blockNumber);
      if (block) blocks.set(e.blockNumber, BigInt(block.timestamp));
    }
    const feed = (await policyOf(e.policyId))?.feed;
    const key = `${feed} ${e.round}`;
    if (feed !== undefined && !rounds.has(key)) {
      rounds.set(key, await readRound(marketBook, feed, e.round));
    }
    const record = rounds.get(key);
    timed.push({
      ...e,
      ...(blocks.has(e.blockNumber) ? { blockTime: blocks.get(e.blockNumber)! } : {}),
      ...(record && record.commitment !== 0n
        ? { roundTimestamp: record.timestamp, roundInvalid: record.invalid }
        : {}),
    });
  }
  return timed;
}

/** Checks the form's fields; an error names the field and the rule. */
function checkQuery(query: ChainQuery): URL {
  let url: URL;
  try {
    url = new URL(query.rpcUrl);
  } catch {
    throw new Error(`JSON-RPC URL: "${query.rpcUrl}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("JSON-RPC URL: must start with http:// or https://");
  }
  if (!isAddress(query.registry))
    throw new Error("MarginRegistry address: not a 0x address of 20 bytes");
  if (!isAddress(query.account)) throw new Error("account: not a 0x address of 20 bytes");
  return url;
}

/** Reads everything {@link ChainView} holds; bad input is an error saying which field. */
export async function readChainView(query: ChainQuery, abis: SiteContracts): Promise<ChainView> {
  const url = checkQuery(query);
  const provider = new JsonRpcProvider(url.toString(), undefined, {
    staticNetwork: true,
    batchMaxCount: 1,
  });
  try {
    const network = await provider.getNetwork().catch((error: unknown) => {
      throw new Error(`${url.toString()}: no JSON-RPC answer (${message(error)})`);
    });
    const registryAddress = getAddress(query.registry);
    if ((await provider.getCode(registryAddress)) === "0x") {
      throw new Error(
        `MarginRegistry address: ${registryAddress} holds no contract on chain ${network.chainId}`,
      );
    }
    const registry = new Contract(registryAddress, abis.MarginRegistry, provider);
    const marketBookAddress = (await registry.getFunction("marketBook")()) as string;
    const policyRegistryAddress = (await registry.getFunction("policyRegistry")()) as string;
    const marketBook = new Contract(marketBookAddress, abis.MarketBook, provider);
    const policies = new Contract(policyRegistryAddress, abis.PolicyRegistry, provider);
    const account = getAddress(query.account);
    const registrations = new Map<string, Promise<ChainPolicy | null>>();
    const policyOf = (policyId: string): Promise<ChainPolicy | null> => {
      const id = policyId.toLowerCase();
      if (!registrations.has(id)) registrations.set(id, readChainPolicy(policies, id, provider));
      return registrations.get(id)!;
    };

    const events = await withTimes(
      await marginProvedEvents(registry, { account }),
      provider,
      marketBook,
      policyOf,
    );
    const reader: SubmissionReader = {
      registry: { address: registryAddress, abi: registry.interface },
      transaction: (hash) => provider.getTransaction(hash),
      receipt: (hash) => provider.getTransactionReceipt(hash),
      policy: async (policyId) => {
        const p = await policyOf(policyId);
        return p && { commitment: p.commitment, feed: p.feed };
      },
      marketCommitment: async (feed, round) =>
        (await readRound(marketBook, feed, round)).commitment,
    };
    const onChain = query.proof ? await findProofOnChain(query.proof, events, reader) : undefined;
    const proofEvent = onChain?.accepted?.event;
    const submitted = onChain?.accepted?.submission;
    const venue = submitted ? (await policyOf(submitted.policyId))?.venue : undefined;
    const proofPledges = submitted
      ? await withPledgesOnChain(
          slotPledges(
            submitted.portfolioCommitments,
            submitted.pledges.map(pledgeTermsOf),
            venue === undefined ? undefined : { id: venue },
          ),
          submitted.account,
          pledgeTermsReader(registry, provider),
        )
      : undefined;
    const view: ChainView = {
      chainId: network.chainId,
      registry: registryAddress,
      marketBook: marketBookAddress,
      policyRegistry: policyRegistryAddress,
      account,
      events,
      ...(onChain ? { onChain } : {}),
      ...(proofEvent ? { proofEvent } : {}),
      ...(proofPledges ? { proofPledges } : {}),
    };
    const policyId = query.policy
      ? parsePolicyId(query.policy)
      : proofEvent?.policyId.toLowerCase();
    if (policyId === undefined) return view;
    view.policyId = policyId;
    const policy = await policyOf(policyId);
    view.policy = policy;
    if (policy === null) return view;
    const roundIn = async (round: bigint): Promise<ChainRound> => ({
      feed: policy.feed,
      round,
      record: await readRound(marketBook, policy.feed, round),
    });
    view.feedHead = await readFeedHead(marketBook, policy.feed);
    const round = proofEvent?.round ?? query.round;
    if (round !== undefined) view.round = await roundIn(round);
    view.status = await readStatus(registry, account, policyId);
    if (view.status.nonce !== 0n && view.status.round !== round) {
      view.statusRound = await roundIn(view.status.round);
    }
    view.sufficient = await isMarginSufficient(registry, account, policyId, policy.maxRoundAge);
    return view;
  } finally {
    provider.destroy();
  }
}
