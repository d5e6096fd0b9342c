/**
 * The holder's files as the watcher reads them each round: the portfolio (private), the opening
 * that fixes the salt the custodian's pledge was made for, and the pledge itself. The watcher
 * proves with the opening's salt, so the pledged commitment keeps counting; when the portfolio no
 * longer matches the opening, a new salt and opening are needed, and a new pledge of their
 * commitment.
 */
import { existsSync } from "node:fs";
import { loadPortfolio, parsePortfolio, type Policy, type Portfolio } from "../inputs";
import { readJsonFile } from "../io/json";
import { parsePledgeFile, type PledgeFile } from "../proving/attest";
import { parseOpening, portfolioDifferences, type Opening } from "../proving/opening";

/** The holder's files. */
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

/** Reads pledge.json (undefined when the file does not exist); a malformed one is refused. */
export function readPledgeFile(file: string): PledgeFile | undefined {
  if (!existsSync(file)) return undefined;
  return parsePledgeFile(readJsonFile(file), file);
}
