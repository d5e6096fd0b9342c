/**
 * Submitting proofs to MarginRegistry and reading what it records.
 */
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { queryEvents, type BlockRange } from "./events";
import type { SolidityProof } from "./calldata";
import { NO_ATTESTATION } from "./eip712";
import type { SignedAttestation } from "./eip712";
import { sendAndWait, type OnSent } from "./send";

/** The statement a proof is submitted for (the rest of the public signals come from chain state). */
export interface ProofSubmission {
  policyId: string;
  round: bigint;
  portfolioCommitment: bigint;
  nonce: bigint;
  proof: SolidityProof;
  /** Omit for policies that require no attestation. */
  attestation?: SignedAttestation;
}

/** A relayed submission: the account's signed ProveRequest and its deadline. */
export interface RelayedSubmission extends ProofSubmission {
  account: string;
  deadline: bigint;
  accountSignature: string;
}

/**
 * `MarginRegistry.statusOf`, decoded: what the registry stores (one slot) with the round's
 * timestamp, the custodian and its revocation resolved. `nonce == 0n` means "no status". The
 * proven portfolio commitment and the proof time are in the matching `MarginProved` event.
 */
export interface MarginStatus {
  round: bigint;
  roundTimestamp: bigint;
  nonce: bigint;
  /** The attesting custodian (the zero address when the policy requires no attestation). */
  custodian: string;
  /** Its PolicyRegistry registration id (0n when none). */
  custodianId: bigint;
  /** Whether that registration still counts (false once the custodian is removed, or none). */
  custodianActive: boolean;
  /** The attestation's issue time (0n when none). */
  attestationIssuedAt: bigint;
  /** The attestation's expiry (0n when none; saturated at 2^48 - 1 on-chain). */
  attestationValidUntil: bigint;
  /** The custodian revoked the account's attestations issued before a later time. */
  revoked: boolean;
}

/** A `MarginProved` event. */
export interface MarginProvedEvent {
  account: string;
  policyId: string;
  round: bigint;
  nonce: bigint;
  portfolioCommitment: bigint;
  blockNumber: number;
  transactionHash: string;
}

/**
 * Calls `prove` as the registry's runner (the account). `onSent` receives the transaction hash as
 * soon as it is sent (a watcher records it, so a restart can tell what became of it).
 */
export function submitProof(
  registry: BaseContract,
  s: ProofSubmission,
  onSent?: OnSent,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(
    registry,
    "prove",
    [s.policyId, s.round, s.portfolioCommitment, s.nonce, s.proof, s.attestation ?? NO_ATTESTATION],
    onSent,
  );
}

/** Calls `proveFor` as the registry's runner (any relayer). */
export function submitProofFor(
  registry: BaseContract,
  s: RelayedSubmission,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "proveFor", [
    s.account,
    s.policyId,
    s.round,
    s.portfolioCommitment,
    s.nonce,
    s.deadline,
    s.proof,
    s.attestation ?? NO_ATTESTATION,
    s.accountSignature,
  ]);
}

/** Reads the latest status of `account` under `policyId`. */
export async function readStatus(
  registry: BaseContract,
  account: string,
  policyId: string,
  blockTag?: number,
): Promise<MarginStatus> {
  const s = (await registry.getFunction("statusOf")(
    account,
    policyId,
    ...(blockTag === undefined ? [] : [{ blockTag }]),
  )) as MarginStatus;
  return {
    round: s.round,
    roundTimestamp: s.roundTimestamp,
    nonce: s.nonce,
    custodian: s.custodian,
    custodianId: s.custodianId,
    custodianActive: s.custodianActive,
    attestationIssuedAt: s.attestationIssuedAt,
    attestationValidUntil: s.attestationValidUntil,
    revoked: s.revoked,
  };
}

/**
 * `MarginRegistry.MAX_REVOCATION_LEAD`: how far past the block time a revocation may reach (one
 * hour), so it also covers attestations dated ahead of the chain's clock; `attestOpening` never
 * signs an `issuedAt` further ahead of the chain's time than this.
 */
export const MAX_REVOCATION_LEAD = 3600n;

/**
 * Revokes the signer's (a custodian's) attestations of `account` issued before `before` (Unix
 * seconds, at most {@link MAX_REVOCATION_LEAD} past the block time): the account's statuses
 * resting on them stop counting. A custodian that signed only with `issuedAt` from the chain's
 * clock (`zkmargin attest --rpc`) covers them all with the chain's time; one that signed with its
 * own clock reaches ahead by as much as that clock may run ahead, up to the lead: its next
 * attestation counts only once the chain's time reaches `before`.
 */
export async function revokeAttestations(
  registry: BaseContract,
  account: string,
  before: bigint,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "revoke", [account, before]);
}

/** `isMarginSufficient(account, policyId, maxAge)`. */
export async function isMarginSufficient(
  registry: BaseContract,
  account: string,
  policyId: string,
  maxAge: bigint,
  blockTag?: number,
): Promise<boolean> {
  return (await registry.getFunction("isMarginSufficient")(
    account,
    policyId,
    maxAge,
    ...(blockTag === undefined ? [] : [{ blockTag }]),
  )) as boolean;
}

/** The next nonce to use for `account` under `policyId`. */
export async function nextNonce(
  registry: BaseContract,
  account: string,
  policyId: string,
): Promise<bigint> {
  return ((await registry.getFunction("lastNonce")(account, policyId)) as bigint) + 1n;
}

/** `MarginProved` events, optionally filtered by account and policy, in a block range. */
export async function marginProvedEvents(
  registry: BaseContract,
  filter: { account?: string; policyId?: string } & BlockRange = {},
): Promise<MarginProvedEvent[]> {
  const logs = await queryEvents(
    registry,
    registry.filters.MarginProved(filter.account ?? null, filter.policyId ?? null),
    filter,
  );
  return logs.map((log) => ({
    account: log.args.account as string,
    policyId: log.args.policyId as string,
    round: log.args.round as bigint,
    nonce: log.args.nonce as bigint,
    portfolioCommitment: log.args.portfolioCommitment as bigint,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}
