/**
 * Policy ids and registration in PolicyRegistry.
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
  /** Maximum age in seconds of a round a proof may use. */
  maxRoundAge: bigint;
  /** Whether proofs need a custodian attestation; defaults to true (the normal case). */
  requiresAttestation?: boolean;
}

/** Registers a policy; the signer needs POLICY_ADMIN_ROLE. */
export async function registerPolicy(
  policyRegistry: BaseContract,
  registration: PolicyRegistration,
): Promise<ContractTransactionReceipt> {
  const params = {
    commitment: registration.commitment,
    mode: POLICY_MODE[registration.mode],
    verifier: registration.verifier,
    verificationKeyHash: registration.verificationKeyHash,
    maxRoundAge: registration.maxRoundAge,
    requiresAttestation: registration.requiresAttestation ?? true,
  };
  const tx = await policyRegistry.getFunction("registerPolicy")(registration.policyId, params);
  return (await tx.wait()) as ContractTransactionReceipt;
}

/** Registers `custodian` as an attester for the policy; the signer needs POLICY_ADMIN_ROLE. */
export async function addCustodian(
  policyRegistry: BaseContract,
  policyId: string,
  custodian: string,
): Promise<ContractTransactionReceipt> {
  const tx = await policyRegistry.getFunction("addCustodian")(policyId, custodian);
  return (await tx.wait()) as ContractTransactionReceipt;
}
