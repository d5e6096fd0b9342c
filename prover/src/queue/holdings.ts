/**
 * The private side of a job: the portfolio, and the salt when the job reuses one. Read from a file
 * on shared storage (portfolio.json, or an earlier opening.json) or from the job itself (inline).
 * Errors name the file (or the job) and the field, never a value.
 */
import { InputError } from "../errors";
import { parsePortfolio, type Market, type Policy, type Portfolio } from "../inputs";
import { readJsonFile } from "../io/json";
import {
  checkOpeningPolicy,
  openingAccount,
  openingPortfolio,
  parseOpening,
} from "../proving/opening";
import type { ProofJob } from "./job";

/** A job's holdings, parsed against its policy. */
export interface Holdings {
  portfolio: Portfolio;
  /** The salt to reuse (from an opening or the job); a fresh random one when absent. */
  salt?: bigint;
  /** The circuit instance an opening's commitment was made for. */
  instance?: string;
  /** Where the holdings came from, for error messages. */
  source: string;
}

/** True for a JSON object that looks like an opening.json (it has a salt and a version). */
function isOpening(json: unknown): boolean {
  return typeof json === "object" && json !== null && "salt" in json && "version" in json;
}

/** Reads and checks the job's holdings; the portfolio's account must be the job's. */
export function loadHoldings(
  job: ProofJob,
  policy: Policy,
  market: Market,
  jobSource: string,
): Holdings {
  const holdings = readHoldings(job, policy, market, jobSource);
  if (holdings.portfolio.account !== job.account) {
    throw new InputError(holdings.source, "account", `is not the job's account (${job.account})`);
  }
  return holdings;
}

function readHoldings(job: ProofJob, policy: Policy, market: Market, jobSource: string): Holdings {
  if ("portfolio" in job.holdings) {
    const source = `${jobSource} holdings.portfolio`;
    return {
      portfolio: parsePortfolio(job.holdings.portfolio, source, policy),
      ...(job.holdings.salt === undefined ? {} : { salt: BigInt(job.holdings.salt) }),
      source,
    };
  }
  const file = job.holdings.file;
  const json = readJsonFile(file);
  if (!isOpening(json)) return { portfolio: parsePortfolio(json, file, policy), source: file };
  const opening = parseOpening(json, file);
  checkOpeningPolicy(opening, policy, file);
  const portfolio = openingPortfolio(opening, policy, market, {
    opening: file,
    policy: job.policy,
    market: job.market,
  });
  openingAccount(opening, portfolio, file);
  return { portfolio, salt: BigInt(opening.salt), instance: opening.instance, source: file };
}
