/**
 * What the relayer needs from the chain, as an interface: the real one is
 * {@link ./registry-chain}'s (ethers, one node), the unit tests give a fake. Addresses are EIP-55;
 * policy ids are the on-chain bytes32.
 */
import type { ProveRequestMessage, RelayedSubmission } from "../chain";

/** A policy as the relayer checks a proof against it. */
export interface PolicyOnChain {
  policyCommitment: bigint;
  /** The key hash of the policy's verifier, lower-case 0x hex. */
  verificationKeyHash: string;
  /** The policy's venue (bytes32), which the pledges of a ProveRequest name. */
  venue: string;
}

/** A MarginProved event that recorded an item (found when adopting). */
export interface RecordedProof {
  transactionHash: string;
  blockNumber: number;
}

/** What `proveBatch` did with one item. */
export type SentItemOutcome =
  | { accepted: true }
  | { accepted: false; refusal: { name: string }; reason: string };

/** A `proveBatch` transaction and its items' outcomes, in the order the items were given. */
export interface SentBatch {
  transactionHash: string;
  blockNumber: number;
  gasUsed?: bigint;
  outcomes: SentItemOutcome[];
}

/** The chain as the relayer reads and writes it. */
export interface RelayChain {
  readonly chainId: bigint;
  /** The policy registered under `policyId`, or undefined when none is. */
  policy(registry: string, policyId: string): Promise<PolicyOnChain | undefined>;
  /** The market commitment of the policy's feed at `round`; 0n when the round is not posted. */
  marketCommitment(registry: string, policyId: string, round: bigint): Promise<bigint>;
  /** `lastNonce(account, policyId)`. */
  lastNonce(registry: string, account: string, policyId: string): Promise<bigint>;
  /** The MarginProved event of this account, policy, round and nonce, if any. */
  recorded(
    registry: string,
    account: string,
    policyId: string,
    round: bigint,
    nonce: bigint,
  ): Promise<RecordedProof | undefined>;
  /** The deadline of a request signed now: the chain's clock plus `ttlSeconds`. */
  deadline(ttlSeconds: bigint): Promise<bigint>;
  /** The account's EIP-712 signature of `message`; throws when no key of the account is held. */
  signRequest(registry: string, message: ProveRequestMessage): Promise<string>;
  /** Sends `proveBatch(items)` from the relayer account and waits for its receipt. */
  sendBatch(registry: string, items: RelayedSubmission[]): Promise<SentBatch>;
}
