/**
 * A round's batch: one job per account of a folder. An account's holdings are `NAME.json`, and,
 * when they sit with several custodians, `NAME.2.json`, `NAME.3.json` .. for pledge slots 2, 3 ..
 * (no gap); the proof is of their sum. Each is a portfolio.json or an earlier opening.json (its
 * salt is reused, so a custodian's pledge of its commitment still holds). `NAME.pledge.json`,
 * `NAME.2.pledge.json` .. beside them are the pledges, one per sub-portfolio or none.
 * Jobs reference the files by absolute path (storage the workers share), unless `inline` puts
 * the portfolios and salts into the job itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { loadMarket, loadPolicy } from "../inputs";
import { readJsonFile } from "../io/json";
import { parsePledgeFile } from "../proving/attest";
import { jobId, JOB_VERSION, type JobHolding, type ProofJob } from "./job";

/** Suffix of a pledge file beside a portfolio. */
const PLEDGE_SUFFIX = ".pledge.json";

/** `NAME.K.json`: sub-portfolio K (K >= 2, no leading zero) of account file NAME. */
const PIECE_NAME = /^(.+)\.([1-9][0-9]*)\.json$/;

/** The files of one account (`name`.json ..): its sub-portfolio files in slot order. */
interface AccountFiles {
  name: string;
  pieces: string[];
}

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

/** A portfolio or opening JSON object as inline holdings, and an opening's instance. */
function inlineHolding(json: Record<string, unknown>): { holding: JobHolding; instance?: string } {
  if ("salt" in json && "portfolio" in json) {
    return {
      holding: { portfolio: json.portfolio as Record<string, unknown>, salt: String(json.salt) },
      ...(typeof json.instance === "string" ? { instance: json.instance } : {}),
    };
  }
  return { holding: { portfolio: json } };
}

/**
 * Groups a folder's file names by account: `NAME.json` opens a group and `NAME.K.json` is its
 * sub-portfolio K. A sub-portfolio without its `NAME.json`, a `NAME.1.json`, or a gap in the
 * slots is refused (the whole account: a proof of part of its holdings would mislead).
 */
function groupFiles(folder: string, names: readonly string[], refused: RefusedFile[]) {
  const groups = new Map<string, Map<number, string>>();
  for (const name of names) {
    const piece = PIECE_NAME.exec(name);
    const [base, slot] =
      piece === null ? [name.slice(0, -".json".length), 1] : [piece[1], Number(piece[2])];
    if (piece !== null && slot === 1) {
      refused.push({
        file: path.join(folder, name),
        reason: `${path.join(folder, name)}: $: sub-portfolio 1 is ${base}.json (no number)`,
      });
      continue;
    }
    const group = groups.get(base) ?? new Map<number, string>();
    group.set(slot, path.join(folder, name));
    groups.set(base, group);
  }
  const accounts: AccountFiles[] = [];
  for (const [name, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const slots = [...group.keys()].sort((a, b) => a - b);
    const gap = slots.findIndex((slot, k) => slot !== k + 1);
    if (gap !== -1) {
      const file = group.get(slots[gap]) as string;
      const missing = gap === 0 ? `${name}.json` : `${name}.${gap + 1}.json`;
      refused.push({
        file,
        reason: `${file}: $: sub-portfolio ${slots[gap]} of account file ${name}.json needs ${missing} (slots 1, 2 .. without a gap)`,
      });
      continue;
    }
    accounts.push({ name, pieces: slots.map((slot) => group.get(slot) as string) });
  }
  return accounts;
}

/** The pledge file beside a sub-portfolio file. */
function pledgeFileOf(file: string): string {
  return file.replace(/\.json$/, PLEDGE_SUFFIX);
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
  const names = fs
    .readdirSync(folder)
    .filter((name) => name.endsWith(".json") && !name.endsWith(PLEDGE_SUFFIX))
    .sort();
  const jobs: ProofJob[] = [];
  const refused: RefusedFile[] = [];
  const byId = new Map<string, string>();
  for (const { pieces } of groupFiles(folder, names, refused)) {
    try {
      const jsons = pieces.map((file) => readJsonFile(file) as Record<string, unknown>);
      const account = accountOf(jsons[0], pieces[0]);
      jsons.forEach((json, k) => {
        if (accountOf(json, pieces[k]) !== account) {
          throw new InputError(
            pieces[k],
            "account",
            `is not the account of ${pieces[0]} (${account})`,
          );
        }
      });
      const inline = jsons.map(inlineHolding);
      // Inline holdings lose their file, so an opening's instance moves into the job.
      const instance =
        options.inline === true
          ? (options.instance ?? inline.find((h) => h.instance !== undefined)?.instance)
          : options.instance;
      const job: ProofJob = {
        version: JOB_VERSION,
        account,
        policyId: policy.id,
        round: market.round.toString(),
        nonce: (options.nonce ?? market.timestamp).toString(),
        policy: policyFile,
        market: marketFile,
        holdings:
          options.inline === true ? inline.map((h) => h.holding) : pieces.map((file) => ({ file })),
        ...(instance === undefined ? {} : { instance }),
        ...pledgesOf(pieces),
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
        throw new InputError(pieces[0], "account", `is also the account of ${twin}`);
      byId.set(id, pieces[0]);
      jobs.push(job);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      refused.push({ file: pieces[0], reason: error.message });
    }
  }
  return { jobs, refused };
}

/**
 * The pledges beside an account's sub-portfolio files: one per sub-portfolio, or none; some but
 * not all is refused, naming the first missing pledge file.
 */
function pledgesOf(pieces: readonly string[]): Pick<ProofJob, "pledges"> {
  const files = pieces.map(pledgeFileOf);
  const present = files.map((file) => fs.existsSync(file));
  if (!present.some(Boolean)) return {};
  const missing = present.indexOf(false);
  if (missing !== -1) {
    throw new InputError(
      files[missing],
      "$",
      `file not found: the account's other sub-portfolios are pledged, so each needs its pledge (or none has one)`,
    );
  }
  return { pledges: files.map((file) => parsePledgeFile(readJsonFile(file), file)) };
}
