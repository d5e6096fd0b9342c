/**
 * The holder's files as the watcher reads them each round: the portfolio (private), the opening
 * that fixes the salt the custodian's attestation was made for, and the attestation itself. The
 * watcher proves with the opening's salt, so the attested commitment keeps counting; when the
 * portfolio no longer matches the opening, a new salt and opening are needed, and a new
 * attestation of their commitment.
 */
import { existsSync } from "node:fs";
import { getAddress } from "ethers";
import { z } from "zod";
import type { SignedAttestation } from "../chain";
import { InputError } from "../errors";
import { formatPath, loadPortfolio, parsePortfolio, type Policy, type Portfolio } from "../inputs";
import { readJsonFile } from "../io/json";
import { parseOpening, portfolioDifferences, type Opening } from "../proving/opening";

/** The holder's files. */
export interface HolderFiles {
  portfolio: string;
  /** opening.json whose salt the watcher proves with (written by the watcher when renewed). */
  opening: string;
  /** attestation.json of the opening's portfolio commitment (`zkmargin attest`). */
  attestation: string;
}

/** The portfolio and, when it still matches, the opening it is proven with. */
export interface HolderPortfolio {
  portfolio: Portfolio;
  /** The opening, when there is one for this portfolio, policy and instance. */
  opening?: Opening;
  /** Why there is no usable opening (none yet, or the portfolio changed). */
  renewal?: string;
}

/** Reads the portfolio and matches it with the opening. */
export function readHolderPortfolio(
  files: HolderFiles,
  policy: Policy,
  instance: string,
): HolderPortfolio {
  const portfolio = loadPortfolio(files.portfolio, policy);
  if (!existsSync(files.opening)) return { portfolio, renewal: "no opening yet" };
  const opening = parseOpening(readJsonFile(files.opening), files.opening);
  if (opening.policyId !== policy.id || opening.instance !== instance) {
    return {
      portfolio,
      renewal: `the opening is for policy ${opening.policyId} on ${opening.instance}`,
    };
  }
  const opened = parsePortfolio(opening.portfolio, files.opening, policy);
  const changed = portfolioDifferences(policy, portfolio, opened);
  if (changed.length > 0) {
    return { portfolio, renewal: `${files.portfolio} changed (${changed.join(", ")})` };
  }
  return { portfolio, opening };
}

const uint = z.string().regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string");
const address = z.string().refine((s) => {
  try {
    getAddress(s);
    return true;
  } catch {
    return false;
  }
}, "must be an address");
const attestationSchema = z
  .object({
    account: address,
    portfolioCommitment: uint,
    issuedAt: uint,
    validUntil: uint,
    signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-hex bytes"),
    custodian: address,
  })
  .strict();

/** An attestation.json, read: for which account and commitment, and the signed attestation. */
export interface HolderAttestation {
  account: string;
  portfolioCommitment: bigint;
  signed: SignedAttestation;
}

/** Reads attestation.json (undefined when the file does not exist). */
export function readAttestationFile(file: string): HolderAttestation | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = attestationSchema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, formatPath(issue.path) || "$", issue.message);
  }
  const a = parsed.data;
  return {
    account: getAddress(a.account),
    portfolioCommitment: BigInt(a.portfolioCommitment),
    signed: {
      custodian: getAddress(a.custodian),
      issuedAt: BigInt(a.issuedAt),
      validUntil: BigInt(a.validUntil),
      signature: a.signature,
    },
  };
}
