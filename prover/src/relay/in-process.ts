/**
 * Batched submissions in this process (`zkmargin batch --submit` without Redis): once the round's
 * proofs are made, every proved job's submission goes to the relayer at once, so the batches
 * fill by size; each job is retried as the in-process runner retries.
 */
import type { ProofJob } from "../queue/job";
import { withRetries } from "../queue/in-process";
import type { JobOutcome } from "../queue/results";
import { DEFAULT_RETRY, type RetryPolicy } from "../queue/retry";
import { deliver } from "../queue/run-job";
import type { Relayer } from "./relayer";
import { runSubmissionJob } from "./submission-job";

/** Options of {@link relayInProcess}. */
export interface RelayInProcessOptions {
  retry?: RetryPolicy;
  log?: (line: string) => void;
  onOutcome?: (outcome: JobOutcome) => void;
}

/** Submits the jobs' stored proofs through `relayer`; resolves with each job's final outcome. */
export async function relayInProcess(
  jobs: readonly { job: ProofJob; id: string }[],
  relayer: Relayer,
  options: RelayInProcessOptions = {},
): Promise<JobOutcome[]> {
  const ctx = { relayer, worker: "in-process", log: options.log };
  const outcomes = await Promise.all(
    jobs.map(async ({ job, id }) => {
      const outcome = await withRetries(job, id, ctx, options.retry ?? DEFAULT_RETRY, (last) =>
        deliver(job, id, ctx, last, (checked) => runSubmissionJob(checked, id, ctx)),
      );
      options.onOutcome?.(outcome);
      return outcome;
    }),
  );
  await relayer.drain();
  return outcomes;
}
