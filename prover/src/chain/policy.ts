/**
 * Policy ids, registration and custodians in PolicyRegistry.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import type { BaseContract, ContractTransactionReceipt } from "ethers";

/** On-chain encoding of a policy's mode (`PolicyRegistry.Mode`, same as the circuit's `mode`). */
export const POLICY_MODE = { initial: 0, maintenance: 1 } as const;
export type PolicyModeName = keyof typeof POLICY_MODE;

/** The on-chain policy id of a `policy.json` id: keccak256 of its UTF-8 bytes. */
export function policyIdOf(name: string): string {
  if (name.length === 0) throw new RangeError("policy id must not be empty");
  return keccak256(toUtf8Bytes(name));
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
  /** Maximum age in seconds of a round a proof may use. */
  maxRoundAge: bigint;
  /** Seconds after its successor was posted during which a round still counts (default 0). */
  supersededGrace?: bigint;
  /** Whether proofs need a custodian attestation; defaults to true (the normal case). */
  requiresAttestation?: boolean;
}

async function send(
  contract: BaseContract,
  method: string,
  args: unknown[],
): Promise<ContractTransactionReceipt> {
  const tx = await contract.getFunction(method)(...args);
  return (await tx.wait()) as ContractTransactionReceipt;
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
    maxRoundAge: registration.maxRoundAge,
    supersededGrace: registration.supersededGrace ?? 0n,
    requiresAttestation: registration.requiresAttestation ?? true,
  };
  return send(policyRegistry, "registerPolicy", [registration.policyId, params]);
}

/**
 * Approves a deployed verifier's code (by its code hash, with the key hash it answers) for policy
 * registrations; the signer needs the default admin role.
 */
export function approveVerifier(
  policyRegistry: BaseContract,
  verifier: string,
): Promise<ContractTransactionReceipt> {
  return send(policyRegistry, "approveVerifier", [verifier]);
}

/** Registers `custodian` as an attester for the policy; the signer needs CUSTODIAN_ADMIN_ROLE. */
export function addCustodian(
  policyRegistry: BaseContract,
  policyId: string,
  custodian: string,
): Promise<ContractTransactionReceipt> {
  return send(policyRegistry, "addCustodian", [policyId, custodian]);
}

/** Removes `custodian` from the policy; the signer needs CUSTODIAN_ADMIN_ROLE. */
export function removeCustodian(
  policyRegistry: BaseContract,
  policyId: string,
  custodian: string,
): Promise<ContractTransactionReceipt> {
  return send(policyRegistry, "removeCustodian", [policyId, custodian]);
}
