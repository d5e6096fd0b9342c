/**
 * A submission job: the second half of a proof job whose proof is submitted in batches. It reads
 * the proof the proving job stored, has the relayer submit it (or finds the submission already
 * recorded in the results folder), and records the job's `submitted` outcome. The same code runs
 * on a BullMQ relayer and in the in-process runner.
 */
import { PermanentJobError } from "../queue/failures";
import type { ProofJob } from "../queue/job";
import { JobResults, jobOutcome, type JobOutcome } from "../queue/results";
import type { DeliveryContext } from "../queue/run-job";
import type { Relayer } from "./relayer";

/** What a submission job runs with. */
export interface SubmissionContext extends DeliveryContext {
  relayer: Relayer;
}

/** Submits the job's stored proof through the relayer, once; returns the `submitted` outcome. */
export async function runSubmissionJob(
  job: ProofJob,
  id: string,
  ctx: SubmissionContext,
): Promise<JobOutcome> {
  const results = new JobResults(job);
  const previous = results.outcome();
  if (previous?.status === "submitted") {
    ctx.log?.(`${id}: already submitted`);
    return { ...previous, reused: true };
  }
  const stored = results.storedProof();
  if (stored === undefined) {
    throw new PermanentJobError(
      `no stored proof in ${results.proofDir}: the job's proving half has not run (enqueue its proof job)`,
    );
  }
  let submission = results.submission();
  if (submission === undefined) {
    ctx.log?.(`${id}: waiting for a batch`);
    submission = results.saveSubmission(await ctx.relayer.submit(job, stored));
  }
  const outcome = jobOutcome(job, id, "submitted", ctx.worker, {
    reused: submission.found,
    instance: stored.instance,
    transactionHash: submission.transactionHash,
  });
  results.writeOutcome(outcome);
  ctx.log?.(
    `${id}: submitted (${submission.transactionHash}${submission.found ? ", adopted" : ""})`,
  );
  return outcome;
}
