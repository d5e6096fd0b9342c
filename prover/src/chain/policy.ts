/**
 * Policy ids, venue ids, registration and custodians (per venue) in PolicyRegistry.
 */
import { Contract, keccak256, toUtf8Bytes } from "ethers";
import type { BaseContract, ContractRunner, ContractTransactionReceipt, Provider } from "ethers";
import { decodeRevert } from "./revert";
import { grantRoleId, roleId, scopedRole } from "./roles";
import { sendAndWait } from "./send";

/** On-chain encoding of a policy's mode (`PolicyRegistry.Mode`, same as the circuit's `mode`). */
export const POLICY_MODE = { initial: 0, maintenance: 1 } as const;
export type PolicyModeName = keyof typeof POLICY_MODE;

/** The on-chain policy id of a `policy.json` id: keccak256 of its UTF-8 bytes. */
export function policyIdOf(name: string): string {
  if (name.length === 0) throw new RangeError("policy id must not be empty");
  return keccak256(toUtf8Bytes(name));
}

/**
 * A policy id given as text (a `--policy-id` option, a form field): a 0x-prefixed bytes32 is
 * taken as is (lower-cased), anything else is a policy.json id, hashed with {@link policyIdOf}.
 */
export function parsePolicyId(text: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : policyIdOf(text);
}

/**
 * The on-chain venue id of a venue's name: keccak256 of its UTF-8 bytes (a venue's initial and
 * maintenance policies share it; custodians are registered and pledge per venue).
 */
export function venueIdOf(name: string): string {
  if (name.length === 0) throw new RangeError("venue name must not be empty");
  return keccak256(toUtf8Bytes(name));
}

/**
 * A venue id given as text (a `--venue-id` option): a 0x-prefixed bytes32 is taken as is
 * (lower-cased), anything else is a venue name, hashed with {@link venueIdOf}.
 */
export function parseVenueId(text: string): string {
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? text.toLowerCase() : venueIdOf(text);
}

/**
 * A policy as PolicyRegistry records it (`getPolicy`): its registration, every default applied
 * (the key hash, the feed and the venue lower-cased), its circuit's pledge slots, and whether it
 * was retired.
 */
export interface RegisteredPolicy extends Required<PolicyRegistration> {
  /** The circuit's pledge slots C (its verifier's public signal count minus 3). */
  pledgeSlots: number;
  retired: boolean;
}

const MODE_NAMES = Object.fromEntries(
  Object.entries(POLICY_MODE).map(([name, value]) => [value, name]),
) as Record<number, PolicyModeName>;

/** Reads a policy's registration; null when the id is not registered (`UnknownPolicy`). */
export async function readPolicy(
  policyRegistry: BaseContract,
  policyId: string,
): Promise<RegisteredPolicy | null> {
  let p: Omit<RegisteredPolicy, "policyId" | "mode" | "pledgeSlots"> & {
    mode: bigint;
    pledgeSlots: bigint;
  };
  try {
    p = (await policyRegistry.getFunction("getPolicy")(policyId)) as typeof p;
  } catch (error) {
    if (decodeRevert(error, [policyRegistry.interface])?.name === "UnknownPolicy") return null;
    throw error;
  }
  return {
    policyId: policyId.toLowerCase(),
    commitment: p.commitment,
    mode: MODE_NAMES[Number(p.mode)],
    verifier: p.verifier,
    verificationKeyHash: p.verificationKeyHash.toLowerCase(),
    feed: p.feed.toLowerCase(),
    venue: p.venue.toLowerCase(),
    maxRoundAge: p.maxRoundAge,
    supersededGrace: p.supersededGrace,
    requiresPledges: p.requiresPledges,
    cureWindow: p.cureWindow,
    pledgeSlots: Number(p.pledgeSlots),
    retired: p.retired,
  };
}

/** The key hash a deployed verifier answers with (`verificationKeyHash()`), lower-cased. */
export async function readVerifierKeyHash(
  runner: ContractRunner,
  verifier: string,
): Promise<string> {
  const contract = new Contract(
    verifier,
    ["function verificationKeyHash() view returns (bytes32)"],
    runner,
  );
  return ((await contract.getFunction("verificationKeyHash")()) as string).toLowerCase();
}

/** What {@link registerPolicy} registers. */
export interface PolicyRegistration {
  policyId: string;
  commitment: bigint;
  mode: PolicyModeName;
  verifier: string;
  /** sha256 of the instance's verification_key.json, as 0x-prefixed 32 bytes. */
  verificationKeyHash: string;
  /** The MarketBook feed of the policy's layout (`feedIdOf(layoutId)`). */
  feed: string;
  /** The venue the policy belongs to (bytes32, e.g. {@link venueIdOf}): pledges to it count. */
  venue: string;
  /** Maximum age in seconds of a round a proof may use. */
  maxRoundAge: bigint;
  /** Seconds after its successor was posted during which a round still counts (default 0). */
  supersededGrace?: bigint;
  /** Whether proofs need custodian pledges; defaults to true (the normal case). */
  requiresPledges?: boolean;
  /** Seconds an account has to answer a margin call (default 0: the policy takes no calls). */
  cureWindow?: bigint;
}

/** Registers a policy; the signer needs POLICY_ADMIN_ROLE. */
export function registerPolicy(
  policyRegistry: BaseContract,
  registration: PolicyRegistration,
): Promise<ContractTransactionReceipt> {
  const params = {
    commitment: registration.commitment,
    mode: POLICY_MODE[registration.mode],
    verifier: registration.verifier,
    verificationKeyHash: registration.verificationKeyHash,
    feed: registration.feed,
    venue: registration.venue,
    maxRoundAge: registration.maxRoundAge,
    supersededGrace: registration.supersededGrace ?? 0n,
    requiresPledges: registration.requiresPledges ?? true,
    cureWindow: registration.cureWindow ?? 0n,
  };
  return sendAndWait(policyRegistry, "registerPolicy", [registration.policyId, params]);
}

/**
 * Proposes a deployed verifier's code (by its code hash, with the key hash it answers) for policy
 * registrations; the signer needs the default admin role. It can be approved
 * ({@link approveVerifier}) `verifierApprovalDelay` seconds later ({@link readVerifierApproval}).
 */
export function proposeVerifier(
  policyRegistry: BaseContract,
  verifier: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(policyRegistry, "proposeVerifier", [verifier]);
}

/**
 * Approves a proposed verifier code once its delay has passed; the signer needs the default admin
 * role. `codeHash` is the verifier's runtime code hash ({@link verifierCodeHash}).
 */
export function approveVerifier(
  policyRegistry: BaseContract,
  codeHash: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(policyRegistry, "approveVerifier", [codeHash]);
}

/** A verifier code's proposal and approval (`PolicyRegistry.verifierApproval`). */
export interface VerifierApproval {
  /** The key hash proposed with the code, lower-cased (zero hash: never proposed, or withdrawn). */
  keyHash: string;
  /** The first block time at which the proposal can be approved (0n when none). */
  effectiveAt: bigint;
  approved: boolean;
}

/** Reads a verifier code's proposal and approval. */
export async function readVerifierApproval(
  policyRegistry: BaseContract,
  codeHash: string,
): Promise<VerifierApproval> {
  const a = (await policyRegistry.getFunction("verifierApproval")(codeHash)) as VerifierApproval;
  return { keyHash: a.keyHash.toLowerCase(), effectiveAt: a.effectiveAt, approved: a.approved };
}

/** The runtime code hash (EXTCODEHASH) of a deployed verifier, lower-cased. */
export async function verifierCodeHash(provider: Provider, verifier: string): Promise<string> {
  const code = await provider.getCode(verifier);
  if (code === "0x") throw new Error(`${verifier} holds no code`);
  return keccak256(code);
}

/**
 * Registers `custodian` at `venue` under a fresh registration id (its pledges to the venue must
 * bind it); the signer needs CUSTODIAN_ADMIN_ROLE.
 */
export function addCustodian(
  policyRegistry: BaseContract,
  venue: string,
  custodian: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(policyRegistry, "addCustodian", [venue, custodian]);
}

/**
 * Removes `custodian` from `venue`: every pledge signed under its registration stops counting, for
 * good; the signer needs CUSTODIAN_ADMIN_ROLE.
 */
export function removeCustodian(
  policyRegistry: BaseContract,
  venue: string,
  custodian: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(policyRegistry, "removeCustodian", [venue, custodian]);
}

/** The custodians currently registered at `venue` (PolicyRegistry.custodians, unordered). */
export async function readCustodians(
  policyRegistry: BaseContract,
  venue: string,
): Promise<string[]> {
  return [...((await policyRegistry.getFunction("custodians")(venue)) as readonly string[])];
}

/** A custodian registration (`PolicyRegistry.registrationRecord`); all zero when unknown. */
export interface CustodianRegistration {
  custodian: string;
  active: boolean;
  registeredAt: bigint;
  /** The venue, lower-cased. */
  venue: string;
}

/** Reads a custodian registration by id. */
export async function readRegistration(
  policyRegistry: BaseContract,
  registration: bigint,
): Promise<CustodianRegistration> {
  const r = (await policyRegistry.getFunction("registrationRecord")(
    registration,
  )) as CustodianRegistration;
  return {
    custodian: r.custodian,
    active: r.active,
    registeredAt: r.registeredAt,
    venue: r.venue.toLowerCase(),
  };
}

/** `PolicyRegistry.VENUE_ROLE`: the tag of the per-policy venue roles. */
export const VENUE_ROLE = roleId("VENUE_ROLE");

/** `PolicyRegistry.venueRole(policyId)`: the role that may call margin under the policy. */
export function venueRoleOf(policyId: string): string {
  return scopedRole(VENUE_ROLE, policyId);
}

/** Grants the policy's venue role to `venue`; the signer needs the default admin role. */
export function grantVenue(
  policyRegistry: BaseContract,
  policyId: string,
  venue: string,
): Promise<ContractTransactionReceipt> {
  return grantRoleId(policyRegistry, venueRoleOf(policyId), venue);
}
