/**
 * The results folder, on storage the workers and the submitter share. One folder per job:
 *
 *     <results>/<policyId>/<round>/<account>/
 *       proof/           proof.json, public.json, calldata.json, meta.json, report.json and
 *                        the openings (private: mode 0600): opening.json for one portfolio,
 *                        opening-1.json .. opening-K.json for K sub-portfolios, one per
 *                        custodian (as `zkmargin prove` names them)
 *       report.json      the margin report of a portfolio that fell short (private: mode 0600)
 *       submission.json  the submission's transaction (first writer wins)
 *       outcome.json     what the last run of the job ended with (status, reason; no private value)
 *
 * `proof/` appears in one step: an attempt writes its files into a private temporary folder and
 * renames it into place. rename(2) refuses a non-empty target, so when two workers race on one job
 * (a stalled job handed to a second worker while the first still runs) exactly one proof is kept
 * and the other attempt adopts it; a reader never sees half a proof or an opening from another
 * attempt than its proof.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../errors";
import { FileExistsError } from "../io/atomic-write";
import { readJsonFile, writeJsonFile } from "../io/json";
import type { MarginReport } from "../model";
import type { MarginProof } from "../proving";
import { openingFileNames } from "../proving/opening";
import { parseProof } from "../proving/proof-files";
import type { Groth16Proof } from "../proving/snarkjs";
import type { ProofJob } from "./job";

/** Owner read/write only: openings and reports hold private values. */
export const PRIVATE_MODE = 0o600;

/** The statuses a job can end with. */
export type OutcomeStatus = "proved" | "submitted" | "short" | "failed";

/** What a job run ended with: written to outcome.json and returned to the queue (no private value). */
export interface JobOutcome {
  jobId: string;
  account: string;
  policyId: string;
  round: string;
  nonce: string;
  status: OutcomeStatus;
  /** True when this run found the work already done and made no proof or submission. */
  reused: boolean;
  instance?: string;
  /** Witness, proof and local verification, for the run that made the proof. */
  provingMs?: number;
  transactionHash?: string;
  /**
   * Set on a `proved` outcome whose proof was handed to the relayer for a batched submission:
   * the job's final outcome is then its submission job's (relay/submissions.ts).
   */
  relayed?: boolean;
  /** Why the job failed (file, field and rule, or the contract's refusal). */
  reason?: string;
  /** The worker that ran it (host:pid, or "in-process"). */
  worker: string;
  resultDir: string;
  finishedAt: string;
}

/** The public part of a stored proof, as read back for a submission. */
export interface StoredProof {
  proof: Groth16Proof;
  publicSignals: string[];
  instance: string;
  provingMs: number;
}

/** The transaction that recorded the job's proof on-chain. */
export interface SubmissionRecord {
  registry: string;
  chainId: string;
  transactionHash: string;
  blockNumber: number;
  /** True when the proof was found already recorded (by an earlier attempt) rather than sent now. */
  found: boolean;
}

/** One job's folder in the results store. */
export class JobResults {
  readonly dir: string;
  readonly proofDir: string;

  constructor(job: Pick<ProofJob, "results" | "policyId" | "round" | "account">) {
    this.dir = path.join(job.results, job.policyId, job.round, job.account);
    this.proofDir = path.join(this.dir, "proof");
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /** The last outcome written, if any. */
  outcome(): JobOutcome | undefined {
    const file = this.file("outcome.json");
    return fs.existsSync(file) ? (readJsonFile(file) as JobOutcome) : undefined;
  }

  writeOutcome(outcome: JobOutcome): void {
    writeJsonFile(this.file("outcome.json"), outcome);
  }

  /** The stored proof, if an attempt committed one. */
  storedProof(): StoredProof | undefined {
    if (!fs.existsSync(path.join(this.proofDir, "meta.json"))) return undefined;
    const read = (name: string) => readJsonFile(path.join(this.proofDir, name));
    const meta = read("meta.json") as { instance: string; provingMs: number };
    const publicSignals = read("public.json");
    if (!Array.isArray(publicSignals)) {
      throw new InputError(path.join(this.proofDir, "public.json"), "$", "must be an array");
    }
    return {
      proof: parseProof(read("proof.json"), path.join(this.proofDir, "proof.json")),
      publicSignals: publicSignals as string[],
      instance: meta.instance,
      provingMs: meta.provingMs,
    };
  }

  /**
   * Commits a proof with its opening and report; returns the proof now stored, which is another
   * attempt's when that one committed first (this attempt's files are then discarded).
   */
  saveProof(made: MarginProof, provingMs: number): StoredProof {
    fs.mkdirSync(this.dir, { recursive: true });
    const temp = path.join(this.dir, `.attempt-${randomBytes(6).toString("hex")}`);
    fs.mkdirSync(temp, { mode: 0o700 });
    try {
      const put = (name: string, value: unknown, mode?: number) =>
        writeJsonFile(path.join(temp, name), value, mode === undefined ? {} : { mode });
      const names = openingFileNames(made.openings.length);
      made.openings.forEach((opening, k) => put(names[k], opening, PRIVATE_MODE));
      put("report.json", made.report, PRIVATE_MODE);
      put("proof.json", made.proof);
      put("public.json", made.publicSignals);
      put("calldata.json", made.calldata);
      put("meta.json", { instance: made.instance, provingMs }); // last: marks a complete proof
      fs.chmodSync(temp, 0o755);
      fs.renameSync(temp, this.proofDir);
    } catch (error) {
      fs.rmSync(temp, { recursive: true, force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    }
    const stored = this.storedProof();
    if (!stored) throw new Error(`${this.proofDir}: proof folder without meta.json`);
    return stored;
  }

  /** Writes the private report of a portfolio that fell short. */
  saveShortReport(report: MarginReport): void {
    writeJsonFile(this.file("report.json"), report, { mode: PRIVATE_MODE });
  }

  /** The recorded submission, if any. */
  submission(): SubmissionRecord | undefined {
    const file = this.file("submission.json");
    return fs.existsSync(file) ? (readJsonFile(file) as SubmissionRecord) : undefined;
  }

  /** Records the submission; when one is recorded already, keeps it and returns it. */
  saveSubmission(record: SubmissionRecord): SubmissionRecord {
    try {
      writeJsonFile(this.file("submission.json"), record, { overwrite: false });
      return record;
    } catch (error) {
      if (!(error instanceof FileExistsError)) throw error;
      return this.submission() ?? record;
    }
  }

  /** Removes the temporary folders of attempts that died before committing. */
  removeAbandonedAttempts(): void {
    if (!fs.existsSync(this.dir)) return;
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith(".attempt-")) {
        fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
      }
    }
  }
}

/** An outcome of `job` with `status`, finished now by `worker`, with `extra` fields. */
export function jobOutcome(
  job: ProofJob,
  id: string,
  status: OutcomeStatus,
  worker: string,
  extra: Partial<JobOutcome> = {},
): JobOutcome {
  return {
    jobId: id,
    account: job.account,
    policyId: job.policyId,
    round: job.round,
    nonce: job.nonce,
    status,
    reused: false,
    worker,
    resultDir: new JobResults(job).dir,
    finishedAt: new Date().toISOString(),
    ...extra,
  };
}

/** The outcome of a job that failed for `reason`. */
export function failedOutcome(
  job: ProofJob,
  id: string,
  reason: string,
  worker: string,
): JobOutcome {
  return jobOutcome(job, id, "failed", worker, { reason });
}
