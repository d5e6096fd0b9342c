/**
 * The custodian's side: check a holder's opening against the custodian's own records and sign the
 * EIP-712 pledge that MarginRegistry requires: `Pledge(address custodian, uint32 registration,
 * address account, bytes32 venue, uint256 portfolioCommitment, uint64 epoch, uint64 issuedAt,
 * uint64 validUntil)` ("the holdings behind this commitment are this account's and are held for
 * this venue until validUntil or until we revoke").
 */
import { getAddress, type Signer, type TypedDataDomain } from "ethers";
import { z } from "zod";
import { signPledge, type SignedPledge } from "../chain/eip712";
import { SNARK_SCALAR_FIELD } from "../encoding/widths";
import { InputError } from "../errors";
import type { Market, Policy, Portfolio } from "../inputs";
import { toInputError } from "../inputs/issues";
import { pledgeShortfalls, type PledgedHoldings } from "../pledges/ledger";
import type { PledgeFile } from "../pledges/pledge-file";
import { checkOpening, type Opening, type OpeningFiles } from "./opening";
import { uintString } from "./proof-files";

/** pledge.json (its type lives in pledges/pledge-file.ts; named from here by its users). */
export type { PledgeFile };

const checksummed = z.string().refine(
  (s) => {
    try {
      return getAddress(s) === s;
    } catch {
      return false;
    }
  },
  { message: "must be an address with a valid EIP-55 checksum" },
);
const below = (bits: number, what: string) =>
  uintString.refine((s) => BigInt(s) < 1n << BigInt(bits), {
    message: `must be below 2^${bits} (${what})`,
  });

/**
 * pledge.json as {@link pledgeOpening} writes it (public: it goes into the submission). Typed
 * against {@link PledgeFile}, so a field added there fails to compile here.
 */
export const pledgeFileSchema: z.ZodType<PledgeFile, z.ZodTypeDef, unknown> = z
  .object({
    account: checksummed,
    venue: z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x and 64 lower-case hex digits"),
    portfolioCommitment: uintString.refine((s) => BigInt(s) < SNARK_SCALAR_FIELD, {
      message: "must be below the BN254 field modulus",
    }),
    custodian: checksummed,
    registration: below(32, "a registration id"),
    epoch: below(64, "an epoch"),
    issuedAt: below(64, "Unix seconds"),
    validUntil: below(64, "Unix seconds"),
    signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-hex bytes"),
  })
  .strict();

/** Validates a pledge.json; a malformed one is an {@link InputError} naming `file` and the field. */
export function parsePledgeFile(json: unknown, file: string): PledgeFile {
  const parsed = pledgeFileSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file);
  return parsed.data;
}

/** Arguments of {@link pledgeOpening}. */
export interface PledgeArgs {
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
  /** The venue (bytes32) of the policies the pledge is for. */
  venue: string;
  /**
   * The custodian's current registration at the venue and epoch for the account and venue, read
   * from the chain (`readPledgeTerms`).
   */
  terms: { registration: bigint; epoch: bigint };
  /** When the custodian checked the records (Unix seconds; the chain's clock when it has one). */
  issuedAt: bigint;
  validUntil: bigint;
  /** File names for error messages. */
  files: OpeningFiles & { records: string };
  /**
   * What the account's live pledges to other venues already hold (the custodian's pledge
   * ledger, `pledgedElsewhere`); default nothing.
   */
  pledgedElsewhere?: PledgedHoldings;
}

/** A pledge file's signed pledge, as `MarginRegistry.prove` takes it. */
export function signedPledgeOf(file: PledgeFile): SignedPledge {
  return {
    custodian: file.custodian,
    registration: BigInt(file.registration),
    epoch: BigInt(file.epoch),
    issuedAt: BigInt(file.issuedAt),
    validUntil: BigInt(file.validUntil),
    signature: file.signature,
  };
}

/** No live pledge elsewhere. */
const NOTHING_ELSEWHERE: PledgedHoldings = {
  count: 0,
  collateral: new Map(),
  perps: new Map(),
  options: new Map(),
};

/**
 * Checks the opening (its commitments recomputed from portfolio, salt and instance) and compares
 * its portfolio with `records` slot by slot: the positions must be the records' (and pledged to
 * no other venue), each asset at most what the records hold less what the account's live pledges
 * to other venues hold (`pledgedElsewhere`, from the custodian's ledger). Refuses with an
 * {@link InputError} about the records file listing every failing field (never the values), and
 * a custodian not registered at the venue (registration 0). Otherwise signs and returns the pledge.
 */
export async function pledgeOpening(args: PledgeArgs): Promise<PledgeFile> {
  return (await pledgeOpeningHoldings(args)).pledge;
}

/** {@link pledgeOpening}, returning also what it pledged (the opening's portfolio). */
export async function pledgeOpeningHoldings(
  args: PledgeArgs,
): Promise<{ pledge: PledgeFile; pledged: Portfolio }> {
  const { opening, records, policy, market, files } = args;
  const holder = await checkOpening(opening, policy, market, files);
  const elsewhere = args.pledgedElsewhere ?? NOTHING_ELSEWHERE;
  const shortfalls = pledgeShortfalls(policy, holder, records, elsewhere);
  if (shortfalls.length > 0) {
    throw new InputError(
      files.records,
      shortfalls.join(", "),
      `differ${shortfalls.length === 1 ? "s" : ""} from the holder's opening, or exceed${shortfalls.length === 1 ? "s" : ""} ` +
        `what the records hold less the account's ${elsewhere.count} live pledge(s) to other venues; not pledged`,
    );
  }
  const custodian = await args.signer.getAddress();
  if (args.terms.registration === 0n) {
    throw new InputError(
      "pledge",
      "registration",
      `custodian ${custodian} is not registered at venue ${args.venue}: no pledge of it can count`,
    );
  }
  const message = {
    custodian,
    registration: args.terms.registration,
    account: holder.account,
    venue: args.venue,
    portfolioCommitment: BigInt(opening.commitments.portfolio),
    epoch: args.terms.epoch,
    issuedAt: args.issuedAt,
    validUntil: args.validUntil,
  };
  const signed = await signPledge(args.signer, args.domain, message);
  const pledge: PledgeFile = {
    account: message.account,
    venue: message.venue.toLowerCase(),
    portfolioCommitment: message.portfolioCommitment.toString(),
    custodian: signed.custodian,
    registration: signed.registration.toString(),
    epoch: signed.epoch.toString(),
    issuedAt: signed.issuedAt.toString(),
    validUntil: signed.validUntil.toString(),
    signature: signed.signature,
  };
  return { pledge, pledged: holder };
}
