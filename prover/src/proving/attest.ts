/**
 * The custodian's side: check a holder's opening against the custodian's own records and sign the
 * EIP-712 attestation `Attestation(address account, uint256 portfolioCommitment, uint64 issuedAt,
 * uint64 validUntil)` that MarginRegistry requires.
 */
import type { Signer, TypedDataDomain } from "ethers";
import { signAttestation } from "../chain/eip712";
import { MAX_REVOCATION_LEAD } from "../chain/registry";
import { InputError } from "../errors";
import type { Market, Policy, Portfolio } from "../inputs";
import { checkOpening, portfolioDifferences, type Opening, type OpeningFiles } from "./opening";

/** attestation.json: what the holder passes to `MarginRegistry.prove`. */
export interface AttestationFile {
  account: string;
  /** Decimal string. */
  portfolioCommitment: string;
  /** Unix seconds, decimal string: when the custodian checked the holdings. */
  issuedAt: string;
  /** Unix seconds, decimal string: the last second at which the attestation counts. */
  validUntil: string;
  /** 65-byte ECDSA signature, 0x-hex. */
  signature: string;
  /** Address of the signing custodian. */
  custodian: string;
}

/** Arguments of {@link attestOpening}. */
export interface AttestArgs {
  opening: Opening;
  /** The custodian's own view of the account: holdings and positions (portfolio.json format, parsed). */
  records: Portfolio;
  /** The public policy and market round the opening claims. */
  policy: Policy;
  market: Market;
  /** The custodian's key. */
  signer: Signer;
  /** The MarginRegistry's EIP-712 domain (`marginRegistryDomain(chainId, registry)`). */
  domain: TypedDataDomain;
  /**
   * The chain's clock (the latest block's timestamp) when the custodian has a node: the default
   * `issuedAt`, and `issuedAt` may not be more than `MAX_REVOCATION_LEAD` ahead of it (a
   * revocation could not reach it).
   */
  chainTime?: bigint;
  /** When the custodian checked the records (Unix seconds; default: `chainTime`, else now). */
  issuedAt?: bigint;
  validUntil: bigint;
  /** File names for error messages. */
  files: OpeningFiles & { records: string };
}

/**
 * Checks the opening (its commitments recomputed from portfolio, salt and instance) and compares
 * its portfolio with `records` slot by slot; refuses with an {@link InputError} about the records
 * file listing every differing field (never the values), and, given the chain's time, an
 * `issuedAt` more than `MAX_REVOCATION_LEAD` ahead of it. Otherwise signs and returns the
 * attestation.
 */
export async function attestOpening(args: AttestArgs): Promise<AttestationFile> {
  const { opening, records, policy, market, files } = args;
  const holder = await checkOpening(opening, policy, market, files);
  const differences = portfolioDifferences(policy, holder, records);
  if (differences.length > 0) {
    throw new InputError(
      files.records,
      differences.join(", "),
      `differ${differences.length === 1 ? "s" : ""} from the holder's opening; not attested`,
    );
  }
  const issuedAt = args.issuedAt ?? args.chainTime ?? BigInt(Math.floor(Date.now() / 1000));
  if (args.chainTime !== undefined && issuedAt > args.chainTime + MAX_REVOCATION_LEAD) {
    throw new InputError(
      "attestation",
      "issuedAt",
      `${issuedAt} is ${issuedAt - args.chainTime} s ahead of the chain's clock (${args.chainTime}); ` +
        `a revocation reaches at most ${MAX_REVOCATION_LEAD} s ahead, so it could not revoke this attestation`,
    );
  }
  const message = {
    account: holder.account,
    portfolioCommitment: BigInt(opening.commitments.portfolio),
    issuedAt,
    validUntil: args.validUntil,
  };
  const signed = await signAttestation(args.signer, args.domain, message);
  return {
    account: message.account,
    portfolioCommitment: message.portfolioCommitment.toString(),
    issuedAt: signed.issuedAt.toString(),
    validUntil: signed.validUntil.toString(),
    signature: signed.signature,
    custodian: signed.custodian,
  };
}
