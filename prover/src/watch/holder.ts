/**
 * The holder's files as the watcher reads them each round, per sub-portfolio (one per custodian,
 * in pledge-slot order; one for a single portfolio): the portfolio (private), the opening that
 * fixes the salt the custodian's pledge was made for, and the pledge itself. The watcher proves
 * with each opening's salt, so each pledged commitment keeps counting; when a sub-portfolio no
 * longer matches its opening, a new salt and opening are needed for it, and a new pledge of its
 * commitment (the other sub-portfolios keep theirs).
 */
import { existsSync } from "node:fs";
import { InputError } from "../errors";
import { loadPortfolio, parsePortfolio, type Policy, type Portfolio } from "../inputs";
import { readJsonFile } from "../io/json";
import { parsePledgeFile, type PledgeFile } from "../proving/attest";
import { parseOpening, portfolioDifferences, type Opening } from "../proving/opening";

/** One sub-portfolio's files. */
export interface HolderFiles {
  portfolio: string;
  /** opening.json whose salt the watcher proves with (written by the watcher when renewed). */
  opening: string;
  /** pledge.json of the opening's portfolio commitment (`zkmargin attest`). */
  pledge: string;
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

/** The watcher's files: one sub-portfolio's, or `pieces`, one per sub-portfolio in slot order. */
export type WatchedFiles = (HolderFiles | { pieces: readonly HolderFiles[] }) & { state: string };

/** The sub-portfolios' files of {@link WatchedFiles}, in slot order. */
export function holderPieces(files: WatchedFiles): readonly HolderFiles[] {
  return "pieces" in files ? files.pieces : [files];
}

/**
 * Reads every sub-portfolio and matches each with its opening; refuses sub-portfolios of
 * different accounts (a proof binds one account), naming the file.
 */
export function readHolderPieces(
  pieces: readonly HolderFiles[],
  policy: Policy,
  instance: string,
): HolderPortfolio[] {
  const read = pieces.map((files) => readHolderPortfolio(files, policy, instance));
  const account = read[0].portfolio.account;
  read.forEach((piece, k) => {
    if (piece.portfolio.account !== account) {
      throw new InputError(
        pieces[k].portfolio,
        "account",
        `is not the account of ${pieces[0].portfolio} (${account}): the sub-portfolios of one proof are one account's`,
      );
    }
  });
  return read;
}

/** Reads pledge.json (undefined when the file does not exist); a malformed one is refused. */
export function readPledgeFile(file: string): PledgeFile | undefined {
  if (!existsSync(file)) return undefined;
  return parsePledgeFile(readJsonFile(file), file);
}
