/**
 * The embedded runner: the same job code as a queue worker, in this process, one job after the
 * other, with the same retry policy. For one machine, and wherever no Redis is wanted.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { failedOutcome, type JobOutcome } from "./results";
import { failureReason, PermanentJobError } from "./failures";
import { jobId, type ProofJob } from "./job";
import { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from "./retry";
import { runDelivery, type JobContext } from "./run-job";

/** Options of {@link runInProcess}. */
export interface InProcessOptions {
  retry?: RetryPolicy;
  /** Called with each job's outcome as it ends. */
  onOutcome?: (outcome: JobOutcome) => void;
}

/** Runs `jobs` in order (each validated again, as a worker would); resolves with every outcome. */
export async function runInProcess(
  jobs: readonly ProofJob[],
  ctx: JobContext,
  options: InProcessOptions = {},
): Promise<JobOutcome[]> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const outcomes: JobOutcome[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    const id = jobId(job);
    if (seen.has(id)) continue; // a duplicate in the batch is the same job
    seen.add(id);
    const outcome = await runWithRetries(job, id, ctx, retry);
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  }
  return outcomes;
}

async function runWithRetries(
  job: ProofJob,
  id: string,
  ctx: JobContext,
  retry: RetryPolicy,
): Promise<JobOutcome> {
  return withRetries(job, id, ctx, retry, (last) => runDelivery(job, id, ctx, last));
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's attempts are spent, waiting
 * the policy's backoff between attempts; a failure ends as the job's failed outcome.
 */
export async function withRetries(
  job: ProofJob,
  id: string,
  ctx: { worker: string },
  retry: RetryPolicy,
  attempt: (lastAttempt: boolean) => Promise<JobOutcome>,
): Promise<JobOutcome> {
  for (let n = 1; ; n += 1) {
    if (n > 1) await sleep(backoffDelay(retry, n));
    const last = n >= retry.attempts;
    try {
      return await attempt(last);
    } catch (error) {
      if (error instanceof PermanentJobError || last) {
        return failedOutcome(job, id, failureReason(error), ctx.worker);
      }
    }
  }
}
