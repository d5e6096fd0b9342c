/**
 * A round's batch: one job per portfolio file in a folder. Each `NAME.json` is a portfolio.json
 * or an earlier opening.json (its salt is reused, so a custodian's pledge of its commitment
 * still holds); `NAME.pledge.json` beside it, when present, is submitted with the proof.
 * Jobs reference the files by absolute path (storage the workers share), unless `inline` puts
 * the portfolio and salt into the job itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { loadMarket, loadPolicy } from "../inputs";
import { readJsonFile } from "../io/json";
import { parsePledgeFile } from "../proving/attest";
import { jobId, JOB_VERSION, type ProofJob } from "./job";

/** Suffix of a pledge file beside a portfolio. */
const PLEDGE_SUFFIX = ".pledge.json";

/** Options of {@link planBatch}. */
export interface BatchPlanOptions {
  policy: string;
  market: string;
  /** The folder of portfolio (or opening) files. */
  portfolios: string;
  /** The results folder (shared storage). */
  results: string;
  /** Submission nonce of every job; default the round's timestamp (rises from round to round). */
  nonce?: bigint;
  instance?: string;
  /** Put portfolios and salts into the jobs (they then transit Redis) instead of file paths. */
  inline?: boolean;
  /** Submit each proof to this registry. */
  submit?: { registry: string; chainId: bigint };
}

/** A file of the folder that could not become a job. */
export interface RefusedFile {
  file: string;
  reason: string;
}

/** The jobs of a batch and the files refused. */
export interface BatchPlan {
  jobs: ProofJob[];
  refused: RefusedFile[];
}

/** The account a portfolio or opening file is for (its `account` field). */
function accountOf(json: unknown, file: string): string {
  const account = (json as { account?: unknown } | null)?.account;
  if (typeof account !== "string") throw new InputError(file, "account", "is required");
  try {
    if (getAddress(account) === account) return account;
  } catch {
    // refused below
  }
  throw new InputError(file, "account", "must be an address with a valid EIP-55 checksum");
}

/** The inline holdings of a portfolio or opening JSON object, and an opening's instance. */
function inlineHoldings(json: Record<string, unknown>): Pick<ProofJob, "holdings" | "instance"> {
  if ("salt" in json && "portfolio" in json) {
    return {
      holdings: { portfolio: json.portfolio as Record<string, unknown>, salt: String(json.salt) },
      ...(typeof json.instance === "string" ? { instance: json.instance } : {}),
    };
  }
  return { holdings: { portfolio: json } };
}

/** Builds the batch's jobs; the policy and market are validated first (a bad one refuses the batch). */
export function planBatch(options: BatchPlanOptions): BatchPlan {
  const policyFile = path.resolve(options.policy);
  const marketFile = path.resolve(options.market);
  const policy = loadPolicy(policyFile);
  const market = loadMarket(marketFile);
  const folder = path.resolve(options.portfolios);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new InputError(folder, "$", "must be a folder of portfolio files");
  }
  const files = fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".json") && !name.endsWith(PLEDGE_SUFFIX))
    .sort();
  const jobs: ProofJob[] = [];
  const refused: RefusedFile[] = [];
  const byId = new Map<string, string>();
  for (const name of files) {
    const file = path.join(folder, name);
    try {
      const json = readJsonFile(file) as Record<string, unknown>;
      const account = accountOf(json, file);
      const pledgeFile = path.join(folder, name.replace(/\.json$/, PLEDGE_SUFFIX));
      const job: ProofJob = {
        version: JOB_VERSION,
        account,
        policyId: policy.id,
        round: market.round.toString(),
        nonce: (options.nonce ?? market.timestamp).toString(),
        policy: policyFile,
        market: marketFile,
        ...(options.inline === true ? inlineHoldings(json) : { holdings: { file } }),
        ...(options.instance === undefined ? {} : { instance: options.instance }),
        ...(fs.existsSync(pledgeFile)
          ? { pledges: [parsePledgeFile(readJsonFile(pledgeFile), pledgeFile)] }
          : {}),
        ...(options.submit === undefined
          ? {}
          : {
              submit: {
                registry: options.submit.registry,
                chainId: options.submit.chainId.toString(),
              },
            }),
        results: path.resolve(options.results),
      };
      const id = jobId(job);
      const twin = byId.get(id);
      if (twin !== undefined)
        throw new InputError(file, "account", `is also the account of ${twin}`);
      byId.set(id, file);
      jobs.push(job);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      refused.push({ file, reason: error.message });
    }
  }
  return { jobs, refused };
}
