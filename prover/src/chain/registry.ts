/**
 * Submitting proofs to MarginRegistry, the custodians' pledge terms and revocations, and reading
 * what the registry records (browser-safe: ethers only).
 */
import { Contract } from "ethers";
import type {
  AccessList,
  BaseContract,
  ContractTransactionReceipt,
  Provider,
  Result,
} from "ethers";
import { traceAccessList, type TraceProvider } from "./access-list";
import { queryEvents, type BlockRange } from "./events";
import type { SolidityProof } from "./calldata";
import {
  pledgeCalldata,
  pledgeMessageOf,
  type PledgeCalldata,
  type ProveRequestMessage,
  type SignedPledge,
} from "./eip712";
import { sendAndWait, type OnSent } from "./send";

/**
 * The statement a proof is submitted for (the rest of the public signals come from chain state):
 * its C portfolio commitments in slot order (0 in unused slots), and one pledge per used slot.
 */
export interface ProofSubmission {
  policyId: string;
  round: bigint;
  nonce: bigint;
  /** The proof's portfolio commitments, one per pledge slot of the policy's circuit. */
  portfolioCommitments: readonly bigint[];
  proof: SolidityProof;
  /** One per used slot, in slot order; omit for policies that require no pledges. */
  pledges?: readonly SignedPledge[];
}

/** A relayed submission: the account's signed ProveRequest and its deadline. */
export interface RelayedSubmission extends ProofSubmission {
  account: string;
  deadline: bigint;
  accountSignature: string;
}

/** How a submission is sent. */
export interface SubmitOptions {
  /**
   * An EIP-2930 access list (addresses and storage keys the call will touch, paid for up front at
   * a discount: 100 gas less per cold address and per cold slot); see {@link proveAccessList}.
   */
  accessList?: AccessList;
  /** Called with the transaction hash as soon as it is sent (a watcher records it). */
  onSent?: OnSent;
}

/** One pledge of a status: its custodian's registration and whether it still counts. */
export interface StatusPledge {
  custodian: string;
  registration: bigint;
  active: boolean;
}

/**
 * `MarginRegistry.statusOf`, decoded: what the registry stores with the round's timestamp, the
 * pledges' custodians and registrations and the revocation resolved. `nonce == 0n` means "no
 * status". The proven portfolio commitments and the proof time are in the matching
 * `MarginProved` event.
 */
export interface MarginStatus {
  round: bigint;
  roundTimestamp: bigint;
  nonce: bigint;
  /** The earliest expiry of its pledges (0n when none; saturated at 2^48 - 1 on-chain). */
  pledgesValidUntil: bigint;
  /** The sum of the pledges' epochs when proven (modulo 2^44). */
  epochSum: bigint;
  /** The sum of the same custodians' epochs now (modulo 2^44). */
  currentEpochSum: bigint;
  /** A custodian revoked since the proof (the sums differ). */
  revoked: boolean;
  /** Its pledges, in slot order (none for a policy that requires none). */
  pledges: StatusPledge[];
}

/** A `MarginProved` event. */
export interface MarginProvedEvent {
  account: string;
  policyId: string;
  round: bigint;
  nonce: bigint;
  /** The proof's portfolio commitments, in slot order (0 in unused slots). */
  portfolioCommitments: bigint[];
  blockNumber: number;
  transactionHash: string;
}

/** A `PledgesRevoked` event. */
export interface PledgesRevokedEvent {
  custodian: string;
  account: string;
  /** The venue, or the zero hash when the revocation covers every venue. */
  venue: string;
  /** The advanced epoch's new value (the venue epoch, or the account-wide one). */
  epoch: bigint;
  blockNumber: number;
  transactionHash: string;
}

/** The `prove` arguments of a submission, in the ABI's order. */
export function proveArgs(s: ProofSubmission): unknown[] {
  return [
    s.policyId,
    s.round,
    s.nonce,
    s.portfolioCommitments,
    s.proof,
    (s.pledges ?? []).map(pledgeCalldata),
  ];
}

/**
 * The `proveFor` arguments of a relayed submission by name, in the ABI's order: also one item of
 * `proveBatch` with its group's policy id, round and deadline (`batchGroupsOf`).
 */
export interface RelayedCalldata {
  account: string;
  policyId: string;
  round: bigint;
  nonce: bigint;
  deadline: bigint;
  portfolioCommitments: readonly bigint[];
  proof: SolidityProof;
  pledges: PledgeCalldata[];
  accountSignature: string;
}

/** A relayed submission as `proveFor` takes it (and `proveBatch`, in groups). */
export function relayedCalldata(s: RelayedSubmission): RelayedCalldata {
  return {
    account: s.account,
    policyId: s.policyId,
    round: s.round,
    nonce: s.nonce,
    deadline: s.deadline,
    portfolioCommitments: s.portfolioCommitments,
    proof: s.proof,
    pledges: (s.pledges ?? []).map(pledgeCalldata),
    accountSignature: s.accountSignature,
  };
}

/** The `proveFor` arguments of a relayed submission, in the ABI's order. */
export function proveForArgs(s: RelayedSubmission): unknown[] {
  // The fields of RelayedCalldata are written in the ABI's order.
  return Object.values(relayedCalldata(s));
}

/**
 * Calls `prove` as the registry's runner (the account). `options.onSent` receives the
 * transaction hash as soon as it is sent (a watcher records it, so a restart can tell what
 * became of it); `options.accessList` is sent with the transaction (EIP-2930).
 */
export async function submitProof(
  registry: BaseContract,
  s: ProofSubmission,
  options: SubmitOptions = {},
): Promise<ContractTransactionReceipt> {
  const overrides = options.accessList ? [{ type: 1, accessList: options.accessList }] : [];
  return sendAndWait(registry, "prove", [...proveArgs(s), ...overrides], options.onSent);
}

/** Calls `proveFor` as the registry's runner (any relayer). */
export function submitProofFor(
  registry: BaseContract,
  s: RelayedSubmission,
  options: SubmitOptions = {},
): Promise<ContractTransactionReceipt> {
  const overrides = options.accessList ? [{ type: 1, accessList: options.accessList }] : [];
  return sendAndWait(registry, "proveFor", [...proveForArgs(s), ...overrides], options.onSent);
}

/**
 * The EIP-2930 access list of `prove(s)` sent by `from`, read from the node's trace of the call
 * (`traceAccessList`: `debug_traceCall`, which Hardhat's network and geth's debug API answer):
 * PolicyRegistry, MarketBook and the verifier, with the slots the proof reads there. Throws when
 * the node has no debug API or the call would revert.
 */
export function proveAccessList(
  registry: BaseContract,
  s: ProofSubmission,
  from: string,
): Promise<AccessList> {
  return registryCallAccessList(registry, "prove", proveArgs(s), from);
}

/**
 * The EIP-2930 access list of the registry call `method(args)` sent by `from`, from the node's
 * trace of it (`traceAccessList`). Throws when the runner has no JSON-RPC provider, the node has
 * no debug API, or the call would revert.
 */
export async function registryCallAccessList(
  registry: BaseContract,
  method: string,
  args: readonly unknown[],
  from: string,
): Promise<AccessList> {
  const provider = registry.runner?.provider as (Provider & TraceProvider) | null | undefined;
  if (typeof provider?.send !== "function") {
    throw new Error("the registry's runner has no JSON-RPC provider");
  }
  return traceAccessList(provider, {
    from,
    to: await registry.getAddress(),
    data: registry.interface.encodeFunctionData(method, args),
  });
}

/**
 * The ProveRequest an account signs for a relayed submission under a policy of `venue` (the
 * policy's `venue`, `readPolicy`): its commitments and each pledge as its custodian signed it.
 */
export function proveRequestOf(
  s: ProofSubmission & { account: string; deadline: bigint },
  venue: string,
): ProveRequestMessage {
  const pledges = s.pledges ?? [];
  return {
    account: s.account,
    policyId: s.policyId,
    round: s.round,
    nonce: s.nonce,
    deadline: s.deadline,
    portfolioCommitments: [...s.portfolioCommitments],
    pledges: pledges.map((p, slot) =>
      pledgeMessageOf(p, s.account, venue, s.portfolioCommitments[slot] ?? 0n),
    ),
  };
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
  )) as Omit<MarginStatus, "pledges"> & { pledges: readonly StatusPledge[] };
  return {
    round: s.round,
    roundTimestamp: s.roundTimestamp,
    nonce: s.nonce,
    pledgesValidUntil: s.pledgesValidUntil,
    epochSum: s.epochSum,
    currentEpochSum: s.currentEpochSum,
    revoked: s.revoked,
    pledges: s.pledges.map((p) => ({
      custodian: p.custodian,
      registration: p.registration,
      active: p.active,
    })),
  };
}

/**
 * What a custodian's pledge of `account` to `venue` must bind now: its current registration at
 * the venue (0n when it is not registered: no pledge of it can count) and its epoch for the
 * account and venue. Sign with exactly these: a pledge under an earlier registration or epoch is
 * refused, and one under a later epoch would come alive once revocations reach it.
 */
export async function readPledgeTerms(
  registry: BaseContract,
  custodian: string,
  account: string,
  venue: string,
): Promise<{ registration: bigint; epoch: bigint }> {
  const policyRegistry = new Contract(
    (await registry.getFunction("policyRegistry")()) as string,
    ["function currentRegistrationAt(bytes32 venue, address custodian) view returns (uint32)"],
    registry.runner,
  );
  const [registration, epoch] = await Promise.all([
    policyRegistry.getFunction("currentRegistrationAt")(venue, custodian) as Promise<bigint>,
    registry.getFunction("epochOf")(custodian, account, venue) as Promise<bigint>,
  ]);
  return { registration, epoch };
}

/**
 * Revokes every pledge of `account` the signer (a custodian) signed, to every venue: the
 * account's statuses resting on them stop counting at once. A custodian calls it before it
 * releases assets behind a pledge that has not expired, then pledges the remaining holdings under
 * the new epoch ({@link readPledgeTerms}).
 */
export function revokePledges(
  registry: BaseContract,
  account: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "revoke(address)", [account]);
}

/** Revokes the signer's pledges of `account` to `venue` only; pledges to other venues count on. */
export function revokePledgesAtVenue(
  registry: BaseContract,
  account: string,
  venue: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "revoke(address,bytes32)", [account, venue]);
}

/** A `PledgesRevoked` event from its decoded arguments and where it was logged. */
function revokedEventOf(
  args: Result,
  blockNumber: number,
  transactionHash: string,
): PledgesRevokedEvent {
  return {
    custodian: args.custodian as string,
    account: args.account as string,
    venue: (args.venue as string).toLowerCase(),
    epoch: args.epoch as bigint,
    blockNumber,
    transactionHash,
  };
}

/** The `PledgesRevoked` events of a revocation's receipt (one per `revoke` call it holds). */
export function revocationsIn(
  registry: BaseContract,
  receipt: ContractTransactionReceipt,
): PledgesRevokedEvent[] {
  return receipt.logs.flatMap((log) => {
    const parsed = registry.interface.parseLog(log);
    return parsed?.name === "PledgesRevoked"
      ? [revokedEventOf(parsed.args, receipt.blockNumber, receipt.hash)]
      : [];
  });
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
    portfolioCommitments: [...(log.args.portfolioCommitments as readonly bigint[])],
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}

/**
 * `PledgesRevoked` events, optionally filtered by custodian, account and venue (the zero hash
 * selects the revocations of every venue), in a block range.
 */
export async function pledgesRevokedEvents(
  registry: BaseContract,
  filter: { custodian?: string; account?: string; venue?: string } & BlockRange = {},
): Promise<PledgesRevokedEvent[]> {
  const logs = await queryEvents(
    registry,
    registry.filters.PledgesRevoked(
      filter.custodian ?? null,
      filter.account ?? null,
      filter.venue ?? null,
    ),
    filter,
  );
  return logs.map((log) => revokedEventOf(log.args, log.blockNumber, log.transactionHash));
}
