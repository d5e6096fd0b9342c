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
  for (let attempt = 1; ; attempt += 1) {
    if (attempt > 1) await sleep(backoffDelay(retry, attempt));
    const last = attempt >= retry.attempts;
    try {
      return await runDelivery(job, id, ctx, last);
    } catch (error) {
      if (error instanceof PermanentJobError || last) {
        return failedOutcome(job, id, failureReason(error), ctx.worker);
      }
    }
  }
}
