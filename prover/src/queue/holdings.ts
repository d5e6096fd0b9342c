/**
 * The private side of a job: its sub-portfolios, one per pledge slot, and the salt of each that
 * reuses one. Each is read from a file on shared storage (portfolio.json, or an earlier
 * opening.json) or from the job itself (inline). Before anything is proven, the job's pledges
 * are checked against the commitments these holdings will have. Errors name the file (or the
 * job's field) and the rule, never a value.
 */
import { commitments, randomSalt } from "../commitments";
import type { InstanceDims } from "../encoding/instances";
import { InputError } from "../errors";
import { parsePortfolio, type Market, type Policy, type Portfolio } from "../inputs";
import { readJsonFile } from "../io/json";
import {
  checkOpeningPolicy,
  openingAccount,
  openingPortfolio,
  parseOpening,
} from "../proving/opening";
import { pledgeMismatch } from "../submit";
import type { JobHolding, ProofJob } from "./job";

/** One sub-portfolio of a job, parsed against its policy. */
export interface Holding {
  portfolio: Portfolio;
  /** The salt to reuse (from an opening or the job); a fresh random one when absent. */
  salt?: bigint;
  /** The circuit instance an opening's commitment was made for. */
  instance?: string;
  /** Where the holding came from, for error messages (a file, or `job X holdings[k]`). */
  source: string;
}

/** A job's sub-portfolios in slot order, and the instance their openings were made for. */
export interface Holdings {
  pieces: Holding[];
  /** The openings' circuit instance (they must agree), when any holding is an opening. */
  instance?: string;
}

/** True for a JSON object that looks like an opening.json (it has a salt and a version). */
function isOpening(json: unknown): boolean {
  return typeof json === "object" && json !== null && "salt" in json && "version" in json;
}

/**
 * Reads and checks the job's sub-portfolios: each names the job's account, and the openings
 * among them were made for one circuit instance.
 */
export function loadHoldings(
  job: ProofJob,
  policy: Policy,
  market: Market,
  jobSource: string,
): Holdings {
  const pieces = job.holdings.map((holding, k) =>
    readHolding(holding, job, policy, market, `${jobSource} holdings[${k}]`),
  );
  let instance: Holding | undefined;
  for (const piece of pieces) {
    if (piece.portfolio.account !== job.account) {
      throw new InputError(piece.source, "account", `is not the job's account (${job.account})`);
    }
    if (piece.instance === undefined) continue;
    if (instance === undefined) instance = piece;
    else if (piece.instance !== instance.instance) {
      throw new InputError(
        piece.source,
        "instance",
        `is "${piece.instance}" and ${instance.source} is for "${instance.instance}": the ` +
          "sub-portfolios of one proof are committed on one circuit instance",
      );
    }
  }
  return { pieces, ...(instance === undefined ? {} : { instance: instance.instance }) };
}

function readHolding(
  holding: JobHolding,
  job: ProofJob,
  policy: Policy,
  market: Market,
  source: string,
): Holding {
  if ("portfolio" in holding) {
    const inline = `${source}.portfolio`;
    return {
      portfolio: parsePortfolio(holding.portfolio, inline, policy),
      ...(holding.salt === undefined ? {} : { salt: BigInt(holding.salt) }),
      source: inline,
    };
  }
  const file = holding.file;
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

/**
 * One salt per sub-portfolio: the reused ones, and a fresh random one where a holding has none
 * (`generateProof` refuses two equal salts).
 */
export function saltsOf(holdings: Holdings): bigint[] {
  return holdings.pieces.map((piece) => piece.salt ?? randomSalt());
}

/**
 * Refuses, before any proving, pledges that will not be of the proof's commitments: pledge k
 * must be of holding k's commitment on `instance` with its salt (so a holding without a salt, a
 * plain portfolio.json, cannot be pledged: its commitment is new). The job's `pledges` field is
 * named, with the holding's source.
 */
export async function checkJobPledges(
  job: ProofJob,
  holdings: Holdings,
  salts: readonly bigint[],
  inputs: { policy: Policy; market: Market; instance: InstanceDims },
  jobSource: string,
): Promise<void> {
  const pledges = job.pledges ?? [];
  if (pledges.length === 0) return;
  const expected: bigint[] = [];
  for (const [k, piece] of holdings.pieces.entries()) {
    if (piece.salt === undefined) {
      throw new InputError(
        piece.source,
        "salt",
        `is absent, so its commitment is new and pledges[${k}] cannot be of it: give the ` +
          "pledged opening.json (its salt is reused) instead of the portfolio",
      );
    }
    const made = await commitments({ ...inputs, portfolio: piece.portfolio, salt: salts[k] });
    expected.push(made.portfolio);
  }
  const mismatch = pledgeMismatch(pledges, job.account, expected);
  if (mismatch !== undefined) {
    throw new InputError(
      jobSource,
      `pledges[${mismatch.slot}].${mismatch.field}`,
      mismatch.field === "portfolioCommitment"
        ? `is not the commitment of holdings[${mismatch.slot}] (${holdings.pieces[mismatch.slot].source}): ` +
          "the pledge is of another opening (give the pledged opening, and the pledges in slot order)"
        : mismatch.rule,
    );
  }
}
