/**
 * EIP-712 messages of MarginRegistry: the custodian's pledge and the relayed proof request. The
 * type strings match `PLEDGE_TYPEHASH` and `PROVE_REQUEST_TYPEHASH` in
 * verifier-contracts/contracts/MarginRegistry.sol exactly.
 */
import {
  Signature,
  TypedDataEncoder,
  concat,
  dataSlice,
  getAddress,
  getBytes,
  isHexString,
  toBeHex,
  verifyTypedData,
} from "ethers";
import type { BaseContract, Signer, TypedDataDomain, TypedDataField } from "ethers";

/** The EIP-712 domain name and version MarginRegistry uses. */
export const MARGIN_REGISTRY_DOMAIN_NAME = "zkmargin MarginRegistry";
export const MARGIN_REGISTRY_DOMAIN_VERSION = "3";

/** The fields of the EIP-712 `Pledge` type, in the type's order. */
const PLEDGE_FIELDS: TypedDataField[] = [
  { name: "custodian", type: "address" },
  { name: "registration", type: "uint32" },
  { name: "account", type: "address" },
  { name: "venue", type: "bytes32" },
  { name: "portfolioCommitment", type: "uint256" },
  { name: "epoch", type: "uint64" },
  { name: "issuedAt", type: "uint64" },
  { name: "validUntil", type: "uint64" },
];

/** EIP-712 types of a custodian's pledge. */
export const PLEDGE_TYPES: Record<string, TypedDataField[]> = { Pledge: PLEDGE_FIELDS };

/** EIP-712 types of a relayed proof request (it names its pledges in full). */
export const PROVE_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  ProveRequest: [
    { name: "account", type: "address" },
    { name: "policyId", type: "bytes32" },
    { name: "round", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "deadline", type: "uint64" },
    { name: "portfolioCommitments", type: "uint256[]" },
    { name: "pledges", type: "Pledge[]" },
  ],
  Pledge: PLEDGE_FIELDS,
};

/**
 * What a custodian pledges: the holdings behind `portfolioCommitment` are `account`'s and are held
 * for `venue` until `validUntil` or until the custodian revokes. `registration` and `epoch` are
 * the custodian's current registration at the venue and epoch for the account and venue
 * ({@link readPledgeTerms}): a removal or a revocation ends the pledge.
 */
export interface PledgeMessage {
  custodian: string;
  /** The custodian's registration id at the venue (PolicyRegistry.currentRegistrationAt). */
  registration: bigint;
  account: string;
  /** The venue id (bytes32) of the policies the pledge serves. */
  venue: string;
  portfolioCommitment: bigint;
  /** The custodian's epoch for the account and venue (MarginRegistry.epochOf). */
  epoch: bigint;
  /** Unix seconds; when the custodian checked the holdings (informative). */
  issuedAt: bigint;
  /** Unix seconds; the last second at which the pledge counts. */
  validUntil: bigint;
}

/**
 * A pledge as a proof carries it (`MarginRegistry.SignedPledge`): the account is the proof's, the
 * venue the policy's and the commitment its slot's.
 */
export interface SignedPledge {
  custodian: string;
  registration: bigint;
  epoch: bigint;
  issuedAt: bigint;
  validUntil: bigint;
  signature: string;
}

/**
 * What an account signs to let anyone submit its proof: the statement, the C portfolio
 * commitments and the pledges (in full) the relayer must submit it with.
 */
export interface ProveRequestMessage {
  account: string;
  policyId: string;
  round: bigint;
  nonce: bigint;
  /** Unix seconds; the last second at which the request may be submitted. */
  deadline: bigint;
  portfolioCommitments: bigint[];
  pledges: PledgeMessage[];
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
 * what the contract checks, and refuses a contract that is not a MarginRegistry of this version.
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

/** The digest a custodian signs (equals `MarginRegistry.pledgeDigest`). */
export function pledgeDigest(domain: TypedDataDomain, message: PledgeMessage): string {
  return TypedDataEncoder.hash(domain, PLEDGE_TYPES, message);
}

/** The digest an account signs (equals `MarginRegistry.proveRequestDigest`). */
export function proveRequestDigest(domain: TypedDataDomain, message: ProveRequestMessage): string {
  return TypedDataEncoder.hash(domain, PROVE_REQUEST_TYPES, message);
}

/**
 * Signs a pledge as `custodian` (an EOA whose address must be `message.custodian`; for an
 * ERC-1271 custodian build the struct with the contract's address and a signature it accepts).
 */
export async function signPledge(
  custodian: Signer,
  domain: TypedDataDomain,
  message: PledgeMessage,
): Promise<SignedPledge> {
  const signer = await custodian.getAddress();
  if (getAddress(message.custodian) !== signer) {
    throw new Error(`pledge names custodian ${message.custodian} but the signer is ${signer}`);
  }
  const signature = await custodian.signTypedData(domain, PLEDGE_TYPES, message);
  return signedPledge(message, signature);
}

/** The `SignedPledge` a proof carries for `message` signed with `signature`. */
export function signedPledge(message: PledgeMessage, signature: string): SignedPledge {
  return {
    custodian: getAddress(message.custodian),
    registration: message.registration,
    epoch: message.epoch,
    issuedAt: message.issuedAt,
    validUntil: message.validUntil,
    signature,
  };
}

/**
 * The `Pledge` a signed pledge stands for in a proof by `account` under a policy of `venue`, with
 * its slot's commitment: what its custodian signed, and what a ProveRequest names.
 */
export function pledgeMessageOf(
  pledge: SignedPledge,
  account: string,
  venue: string,
  portfolioCommitment: bigint,
): PledgeMessage {
  return {
    custodian: pledge.custodian,
    registration: pledge.registration,
    account,
    venue,
    portfolioCommitment,
    epoch: pledge.epoch,
    issuedAt: pledge.issuedAt,
    validUntil: pledge.validUntil,
  };
}

/** The ABI of a pledge in `prove`'s calldata (`MarginRegistry.SignedPledge`). */
export interface PledgeCalldata {
  custodian: string;
  /** `registration | epoch << 32 | issuedAt << 96 | validUntil << 160`. */
  terms: bigint;
  /** The signature's `r`. */
  r: string;
  /** Its `s | (v - 27) << 255` (EIP-2098). */
  vs: string;
}

const U32 = (1n << 32n) - 1n;
const U64 = (1n << 64n) - 1n;

/**
 * A pledge as `prove` takes it: its four numbers packed in one word (`terms`), since calldata is
 * paid per byte. Refuses a number out of its type's range.
 */
export function pledgeCalldata(p: SignedPledge): PledgeCalldata {
  const fits = (value: bigint, max: bigint, name: string) => {
    if (value < 0n || value > max) throw new RangeError(`pledge ${name} ${value} is out of range`);
    return value;
  };
  const terms =
    fits(p.registration, U32, "registration") |
    (fits(p.epoch, U64, "epoch") << 32n) |
    (fits(p.issuedAt, U64, "issuedAt") << 96n) |
    (fits(p.validUntil, U64, "validUntil") << 160n);
  return { custodian: p.custodian, terms, ...compactSignature(p.signature) };
}

/**
 * A 65-byte signature `(r, s, v)` as the two words a pledge carries (EIP-2098). Refuses any other
 * signature: a v other than 27 or 28, or an s of 256 bits, has no compact form, and the registry
 * hands an ERC-1271 custodian the 65 bytes rebuilt from the two words.
 */
export function compactSignature(signature: string): { r: string; vs: string } {
  if (!isHexString(signature, 65)) {
    throw new RangeError(`pledge signature must be 65 bytes (r, s, v), got ${signature}`);
  }
  const s = BigInt(dataSlice(signature, 32, 64));
  const v = getBytes(signature)[64];
  if ((v !== 27 && v !== 28) || s >> 255n !== 0n) {
    throw new RangeError(`pledge signature has no compact form (v ${v}, s ${s})`);
  }
  return {
    r: dataSlice(signature, 0, 32),
    vs: toBeHex(s | (BigInt(v - 27) << 255n), 32),
  };
}

/** The 65-byte signature `(r, s, v)` of a pledge's compact `(r, vs)`. */
export function expandedSignature(r: string, vs: string): string {
  const word = BigInt(vs);
  const v = 27 + Number(word >> 255n);
  return concat([r, toBeHex(word & ((1n << 255n) - 1n), 32), toBeHex(v, 1)]);
}

/** The inverse of {@link pledgeCalldata}: a pledge read back from `prove`'s calldata. */
export function signedPledgeFromCalldata(p: PledgeCalldata): SignedPledge {
  return {
    custodian: getAddress(p.custodian),
    registration: p.terms & U32,
    epoch: (p.terms >> 32n) & U64,
    issuedAt: (p.terms >> 96n) & U64,
    validUntil: (p.terms >> 160n) & U64,
    signature: expandedSignature(p.r, p.vs),
  };
}

/**
 * Signs a relayed proof request as the account. An ECDSA signature by the account itself (an
 * EOA's) comes back in EIP-2098's 64 bytes `(r, vs)`, which MarginRegistry takes as it takes the
 * 65 bytes `(r, s, v)`, for one calldata word less (about 140 gas per relayed proof); any other
 * signature (an ERC-1271 account's, whatever its wallet returns) comes back as the signer gave it.
 */
export async function signProveRequest(
  account: Signer,
  domain: TypedDataDomain,
  message: ProveRequestMessage,
): Promise<string> {
  const signer = await account.getAddress();
  if (getAddress(message.account) !== signer) {
    throw new Error(`request is for ${message.account} but the signer is ${signer}`);
  }
  const signature = await account.signTypedData(domain, PROVE_REQUEST_TYPES, message);
  return compactAccountSignature(signature, signer, domain, message);
}

/**
 * `signature` of the request `message` in EIP-2098's compact 64 bytes when it is a 65-byte ECDSA
 * signature that recovers to `account`; unchanged otherwise (an ERC-1271 account is asked about
 * exactly the bytes it signed).
 */
export function compactAccountSignature(
  signature: string,
  account: string,
  domain: TypedDataDomain,
  message: ProveRequestMessage,
): string {
  if (!isHexString(signature, 65)) return signature;
  let recovered: string;
  try {
    recovered = verifyTypedData(domain, PROVE_REQUEST_TYPES, message, signature);
  } catch {
    return signature;
  }
  if (recovered !== getAddress(account)) return signature;
  return Signature.from(signature).compactSerialized;
}
