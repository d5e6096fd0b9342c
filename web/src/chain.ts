/**
 * What the chain records about an account, read over JSON-RPC with the SDK's read functions
 * (`readStatus`, `isMarginSufficient`, `marginProvedEvents`) and the ABIs the page carries: the
 * registry's MarketBook and PolicyRegistry, the policy's registration (commitment, verifier and
 * its code, key hash), the proof's round, the account's status and its `MarginProved` history.
 */
import { Contract, JsonRpcProvider, getAddress, isAddress, type Provider } from "ethers";
import { policyIdOf } from "../../prover/src/chain/policy";
import {
  isMarginSufficient,
  marginProvedEvents,
  readStatus,
  type MarginStatus,
} from "../../prover/src/chain/registry";
import { decodeRevert } from "../../prover/src/chain/revert";
import type { AuditedPolicy } from "../../prover/src/audit/chain";
import type { SiteContracts } from "../../prover/src/web/site";
import type { TimelineEvent } from "../../prover/src/report/timeline";

/** What to look up. */
export interface ChainQuery {
  rpcUrl: string;
  registry: string;
  account: string;
  /** The policy: a policy.json id or a 0x bytes32 (default: the proof's submission, else none). */
  policy?: string;
  /** The proof being checked, to find its submission. */
  proof?: { nonce: bigint; portfolioCommitment: bigint };
  /** A round to read when the proof's submission is not found (e.g. market.json's). */
  round?: bigint;
}

/** A policy as PolicyRegistry records it (as the chain audit reads it), and its verifier's code. */
export interface RegisteredPolicy extends Omit<AuditedPolicy, "instance"> {
  /** Whether the verifier address holds contract code. */
  verifierHasCode: boolean;
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
  /** The event of the proof being checked (same account, nonce and portfolio commitment). */
  proofEvent?: TimelineEvent;
  policyId?: string;
  /** null when the policy id is not registered. */
  policy?: RegisteredPolicy | null;
  round?: { round: bigint; timestamp: bigint; marketCommitment: bigint };
  status?: MarginStatus;
  /** `isMarginSufficient(account, policy, maxRoundAge)` now. */
  sufficient?: boolean;
}

/** A bytes32 policy id from a policy.json id or a 0x bytes32. */
export function policyIdFrom(text: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : policyIdOf(text);
}

async function readPolicy(policies: Contract, policyId: string, provider: Provider) {
  let p: Omit<RegisteredPolicy, "policyId" | "verifierHasCode">;
  try {
    p = (await policies.getFunction("getPolicy")(policyId)) as typeof p;
  } catch (error) {
    if (decodeRevert(error, [policies.interface])?.name === "UnknownPolicy") return null;
    throw error;
  }
  return {
    policyId,
    commitment: p.commitment,
    verifier: p.verifier,
    verifierHasCode: (await provider.getCode(p.verifier)) !== "0x",
    verificationKeyHash: p.verificationKeyHash.toLowerCase(),
    maxRoundAge: p.maxRoundAge,
    requiresAttestation: p.requiresAttestation,
    retired: p.retired,
  } satisfies RegisteredPolicy;
}

/** Adds block times and round timestamps to the events (one read per distinct block and round). */
async function withTimes(
  events: TimelineEvent[],
  provider: Provider,
  marketBook: Contract,
): Promise<TimelineEvent[]> {
  const blocks = new Map<number, bigint>();
  const rounds = new Map<bigint, bigint>();
  for (const e of events) {
    if (!blocks.has(e.blockNumber)) {
      const block = await provider.getBlock(e.blockNumber);
      if (block) blocks.set(e.blockNumber, BigInt(block.timestamp));
    }
    if (!rounds.has(e.round)) {
      const [timestamp] = (await marketBook.getFunction("roundData")(e.round)) as [bigint, bigint];
      rounds.set(e.round, timestamp);
    }
  }
  return events.map((e) => ({
    ...e,
    ...(blocks.has(e.blockNumber) ? { blockTime: blocks.get(e.blockNumber)! } : {}),
    ...(rounds.get(e.round) ? { roundTimestamp: rounds.get(e.round)! } : {}),
  }));
}

/** Reads everything {@link ChainView} holds; bad input is an error saying which field. */
export async function readChainView(query: ChainQuery, abis: SiteContracts): Promise<ChainView> {
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
  const provider = new JsonRpcProvider(url.toString(), undefined, {
    staticNetwork: true,
    batchMaxCount: 1,
  });
  try {
    const network = await provider.getNetwork().catch((error: unknown) => {
      throw new Error(`${url.toString()}: no JSON-RPC answer (${(error as Error).message})`);
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

    const events = await withTimes(
      await marginProvedEvents(registry, { account }),
      provider,
      marketBook,
    );
    const proofEvent = query.proof
      ? events.find(
          (e) =>
            e.nonce === query.proof!.nonce &&
            e.portfolioCommitment === query.proof!.portfolioCommitment,
        )
      : undefined;
    const view: ChainView = {
      chainId: network.chainId,
      registry: registryAddress,
      marketBook: marketBookAddress,
      policyRegistry: policyRegistryAddress,
      account,
      events,
      ...(proofEvent ? { proofEvent } : {}),
    };
    const policyId = query.policy ? policyIdFrom(query.policy) : proofEvent?.policyId.toLowerCase();
    const round = proofEvent?.round ?? query.round;
    if (round !== undefined) {
      const [timestamp, marketCommitment] = (await marketBook.getFunction("roundData")(round)) as [
        bigint,
        bigint,
      ];
      view.round = { round, timestamp, marketCommitment };
    }
    if (policyId === undefined) return view;
    view.policyId = policyId;
    view.policy = await readPolicy(policies, policyId, provider);
    if (view.policy) {
      view.status = await readStatus(registry, account, policyId);
      view.sufficient = await isMarginSufficient(
        registry,
        account,
        policyId,
        view.policy.maxRoundAge,
      );
    }
    return view;
  } finally {
    provider.destroy();
  }
}
