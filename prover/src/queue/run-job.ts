/**
 * The job itself, the same code for the in-process runner and for BullMQ workers: validate the
 * job, skip it when its result is already stored, prove (or adopt a stored proof), submit once
 * when asked, and record the outcome. A portfolio that falls short is an outcome (`short`, with
 * its private report), not a failure, and is never retried.
 */
import { performance } from "node:perf_hooks";
import { ShortfallError } from "../errors";
import { loadMarket, loadPolicy } from "../inputs";
import { generateProof } from "../proving";
import { chooseInstance } from "../proving/instance-choice";
import { failureReason, PermanentJobError, permanentReason } from "./failures";
import { checkJobPledges, loadHoldings, saltsOf } from "./holdings";
import { checkJobMatches, parseProofJob, type ProofJob } from "./job";
import type { WarmProver } from "./prover";
import { failedOutcome, JobResults, type JobOutcome, type OutcomeStatus } from "./results";
import type { ProofSubmitter } from "./submit";

/** What a job runs with: a warm prover, a submitter when jobs submit, and who is running. */
export interface JobContext {
  prover: WarmProver;
  /** Needed by jobs that submit one `prove` per proof (`zkmargin worker --rpc`). */
  submitter?: ProofSubmitter;
  /**
   * Hands a proved job to the relayer (jobs with `submit.batched`): a BullMQ submissions queue,
   * or the in-process runner's list. Resolves once handed over, not once submitted.
   */
  relay?: (job: ProofJob, id: string) => Promise<void>;
  /** Recorded in outcomes: host:pid of the worker, or "in-process". */
  worker: string;
  /** Receives one line per step (job id, account, status; never a private value). */
  log?: (line: string) => void;
}

/** True when an earlier run finished the job for good. */
function isDone(outcome: JobOutcome, job: ProofJob): boolean {
  if (outcome.status === "short" || outcome.status === "submitted") return true;
  return outcome.status === "proved" && job.submit === undefined;
}

/** Runs a validated job; throws on failure (see {@link runDelivery} for how failures end). */
export async function runProofJob(job: ProofJob, id: string, ctx: JobContext): Promise<JobOutcome> {
  const log = ctx.log ?? (() => undefined);
  const results = new JobResults(job);
  const previous = results.outcome();
  if (previous && isDone(previous, job)) {
    log(`${id}: already ${previous.status}`);
    return { ...previous, reused: true };
  }
  const finish = (status: OutcomeStatus, extra: Partial<JobOutcome>): JobOutcome => {
    const outcome: JobOutcome = {
      jobId: id,
      account: job.account,
      policyId: job.policyId,
      round: job.round,
      nonce: job.nonce,
      status,
      reused: false,
      worker: ctx.worker,
      resultDir: results.dir,
      finishedAt: new Date().toISOString(),
      ...extra,
    };
    results.writeOutcome(outcome);
    results.removeAbandonedAttempts();
    log(`${id}: ${status}${outcome.transactionHash ? ` (${outcome.transactionHash})` : ""}`);
    return outcome;
  };

  const policy = loadPolicy(job.policy);
  const market = loadMarket(job.market);
  checkJobMatches(job, { policyId: policy.id, round: market.round }, job);
  const holdings = loadHoldings(job, policy, market, `job ${id}`);

  let stored = results.storedProof();
  const adopted = stored !== undefined;
  if (!stored) {
    const salts = saltsOf(holdings);
    let instance = job.instance ?? holdings.instance;
    if (job.pledges !== undefined) {
      // The pledges must be of the commitments this proof will have: checked before proving.
      const chosen = chooseInstance(policy, market, job.policy, instance, undefined, salts.length);
      instance = chosen.name;
      const inputs = { policy, market, instance: chosen.dims };
      await checkJobPledges(job, holdings, salts, inputs, `job ${id}`);
    }
    log(`${id}: proving`);
    const started = performance.now();
    try {
      const made = await generateProof({
        policy,
        market,
        portfolio: holdings.pieces.map((piece) => piece.portfolio),
        nonce: BigInt(job.nonce),
        salt: salts,
        instance,
        files: {
          policy: job.policy,
          market: job.market,
          portfolios: holdings.pieces.map((piece) => piece.source),
        },
        artifacts: ctx.prover.artifacts,
        witness: ctx.prover.witness,
        prover: ctx.prover.prover,
      });
      stored = results.saveProof(made, performance.now() - started);
    } catch (error) {
      if (!(error instanceof ShortfallError)) throw error;
      results.saveShortReport(error.report);
      return finish("short", {
        reason: `margin shortfall under policy ${job.policyId} (figures in report.json, private)`,
      });
    }
  }
  const proved = { instance: stored.instance, provingMs: stored.provingMs };
  if (job.submit === undefined) return finish("proved", { ...proved, reused: adopted });
  let submission = results.submission();
  if (submission === undefined) {
    if (job.submit.batched === true) {
      if (!ctx.relay)
        throw new Error("the job asks for a batched submission but no relayer is set");
      // Recorded before the hand-over, so the relayer's `submitted` is never overwritten by it.
      const outcome = finish("proved", { ...proved, reused: adopted, relayed: true });
      await ctx.relay(job, id);
      return outcome;
    }
    if (!ctx.submitter) {
      // Not final: another worker of the fleet may have --rpc (the stored proof makes a retry cheap).
      throw new Error("the job asks for a submission but this worker has no --rpc");
    }
    submission = results.saveSubmission(await ctx.submitter.submit(job, stored));
  }
  return finish("submitted", {
    ...proved,
    transactionHash: submission.transactionHash,
    reused: adopted && submission.found,
  });
}

/**
 * Runs one delivery of a raw job payload. A malformed payload or any other permanent failure is
 * thrown as a {@link PermanentJobError} (recorded in outcome.json when the job names its results
 * folder); other errors are rethrown for a retry, and recorded as the outcome when `lastAttempt`.
 */
export function runDelivery(
  data: unknown,
  id: string,
  ctx: JobContext,
  lastAttempt: boolean,
): Promise<JobOutcome> {
  return deliver(data, id, ctx, lastAttempt, (job) => runProofJob(job, id, ctx));
}

/** Who runs a delivery, and where its lines go. */
export interface DeliveryContext {
  worker: string;
  log?: (line: string) => void;
}

/**
 * Validates a raw job payload and runs `run` on it, failures ending as {@link runDelivery}
 * says: the one delivery path of proof jobs and of the relayer's submission jobs.
 */
export async function deliver(
  data: unknown,
  id: string,
  ctx: DeliveryContext,
  lastAttempt: boolean,
  run: (job: ProofJob) => Promise<JobOutcome>,
): Promise<JobOutcome> {
  let job: ProofJob | undefined;
  try {
    job = parseProofJob(data, `job ${id}`);
    return await run(job);
  } catch (error) {
    const permanent = permanentReason(error);
    const reason = permanent ?? failureReason(error);
    if (job && (permanent !== undefined || lastAttempt)) recordFailure(job, id, ctx, reason);
    ctx.log?.(`${id}: ${permanent !== undefined ? "failed" : "attempt failed"}: ${reason}`);
    if (permanent !== undefined && !(error instanceof PermanentJobError)) {
      throw new PermanentJobError(reason);
    }
    throw error;
  }
}

/** Writes a failed outcome (best effort: the results folder may be what is failing). */
function recordFailure(job: ProofJob, id: string, ctx: DeliveryContext, reason: string): void {
  try {
    new JobResults(job).writeOutcome(failedOutcome(job, id, reason, ctx.worker));
  } catch {
    // The reason still reaches the queue (failedReason) or the in-process summary.
  }
}
