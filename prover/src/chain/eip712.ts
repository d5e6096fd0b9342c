/**
 * EIP-712 messages of MarginRegistry: the custodian attestation and the relayed proof request.
 * The type strings match `ATTESTATION_TYPEHASH` and `PROVE_REQUEST_TYPEHASH` in
 * verifier-contracts/contracts/MarginRegistry.sol exactly.
 */
import { TypedDataEncoder, ZeroAddress, getAddress } from "ethers";
import type { BaseContract, Signer, TypedDataDomain, TypedDataField } from "ethers";

/** The EIP-712 domain name and version MarginRegistry uses. */
export const MARGIN_REGISTRY_DOMAIN_NAME = "zkmargin MarginRegistry";
export const MARGIN_REGISTRY_DOMAIN_VERSION = "2";

/** EIP-712 types of a custodian attestation. */
export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  Attestation: [
    { name: "account", type: "address" },
    { name: "portfolioCommitment", type: "uint256" },
    { name: "issuedAt", type: "uint64" },
    { name: "validUntil", type: "uint64" },
  ],
};

/** EIP-712 types of a relayed proof request. */
export const PROVE_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ProveRequest: [
    { name: "account", type: "address" },
    { name: "policyId", type: "bytes32" },
    { name: "round", type: "uint64" },
    { name: "portfolioCommitment", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
    { name: "custodian", type: "address" },
    { name: "issuedAt", type: "uint64" },
    { name: "validUntil", type: "uint64" },
  ],
};

/**
 * What a custodian attests: these holdings are in its books for `account` as of `issuedAt`, and
 * the statement holds until `validUntil`.
 */
export interface AttestationMessage {
  account: string;
  portfolioCommitment: bigint;
  /** Unix seconds; when the custodian checked the holdings (not after the proof's block). */
  issuedAt: bigint;
  /** Unix seconds; the last second at which the attestation counts. */
  validUntil: bigint;
}

/** The `MarginRegistry.Attestation` struct passed to `prove`. */
export interface SignedAttestation {
  custodian: string;
  issuedAt: bigint;
  validUntil: bigint;
  signature: string;
}

/**
 * What an account signs to let anyone submit its proof: the statement, and the attestation the
 * relayer must submit it with (custodian, issuedAt, validUntil; all zero for none).
 */
export interface ProveRequestMessage {
  account: string;
  policyId: string;
  round: bigint;
  portfolioCommitment: bigint;
  nonce: bigint;
  /** Unix seconds; the last second at which the request may be submitted. */
  deadline: bigint;
  custodian: string;
  issuedAt: bigint;
  validUntil: bigint;
}

/** The empty attestation, for policies that require none. */
export const NO_ATTESTATION: SignedAttestation = Object.freeze({
  custodian: ZeroAddress,
  issuedAt: 0n,
  validUntil: 0n,
  signature: "0x",
});

/** The request fields that name the attestation a relayed proof is submitted with. */
export function attestationFields(
  attestation: SignedAttestation | undefined,
): Pick<ProveRequestMessage, "custodian" | "issuedAt" | "validUntil"> {
  const a = attestation ?? NO_ATTESTATION;
  return { custodian: a.custodian, issuedAt: a.issuedAt, validUntil: a.validUntil };
}

/** The domain of a MarginRegistry deployed at `verifyingContract` on chain `chainId`. */
export function marginRegistryDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return {
    name: MARGIN_REGISTRY_DOMAIN_NAME,
    version: MARGIN_REGISTRY_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(verifyingContract),
  };
}

/**
 * Reads the domain from a deployed registry (EIP-5267 `eip712Domain()`), so what is signed is
 * what the contract checks, and refuses a contract that is not a MarginRegistry.
 */
export async function readMarginRegistryDomain(registry: BaseContract): Promise<TypedDataDomain> {
  const [, name, version, chainId, verifyingContract] = (await registry.getFunction(
    "eip712Domain",
  )()) as [string, string, string, bigint, string];
  if (name !== MARGIN_REGISTRY_DOMAIN_NAME || version !== MARGIN_REGISTRY_DOMAIN_VERSION) {
    throw new Error(
      `contract at ${verifyingContract} is not a MarginRegistry v${MARGIN_REGISTRY_DOMAIN_VERSION} (domain ${name} ${version})`,
    );
  }
  return marginRegistryDomain(chainId, verifyingContract);
}

/** The digest a custodian signs (equals `MarginRegistry.attestationDigest`). */
export function attestationDigest(domain: TypedDataDomain, message: AttestationMessage): string {
  return TypedDataEncoder.hash(domain, ATTESTATION_TYPES, message);
}

/** The digest an account signs (equals `MarginRegistry.proveRequestDigest`). */
export function proveRequestDigest(domain: TypedDataDomain, message: ProveRequestMessage): string {
  return TypedDataEncoder.hash(domain, PROVE_REQUEST_TYPES, message);
}

/**
 * Signs an attestation as `custodian` (an EOA; for an ERC-1271 custodian build the struct with
 * the contract's address and a signature it accepts).
 */
export async function signAttestation(
  custodian: Signer,
  domain: TypedDataDomain,
  message: AttestationMessage,
): Promise<SignedAttestation> {
  const signature = await custodian.signTypedData(domain, ATTESTATION_TYPES, message);
  return {
    custodian: await custodian.getAddress(),
    issuedAt: message.issuedAt,
    validUntil: message.validUntil,
    signature,
  };
}

/** Signs a relayed proof request as the account. */
export async function signProveRequest(
  account: Signer,
  domain: TypedDataDomain,
  message: ProveRequestMessage,
): Promise<string> {
  const signer = await account.getAddress();
  if (getAddress(message.account) !== signer) {
    throw new Error(`request is for ${message.account} but the signer is ${signer}`);
  }
  return account.signTypedData(domain, PROVE_REQUEST_TYPES, message);
}
