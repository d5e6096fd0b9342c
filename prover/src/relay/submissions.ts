/**
 * Batched submissions on BullMQ: a proving worker hands each proved job whose submission is
 * batched to the submissions queue (`<queue>-submissions`, same job id), and a relayer
 * (`zkmargin worker --relay`) takes up to two batches' worth of them at once (BullMQ
 * concurrency), each awaiting its batch's outcome from the {@link Relayer}. A relayer that dies
 * mid-batch stops renewing its jobs' locks: another relayer (or the restarted one) takes them up
 * once they stall, and the relayer's nonce check adopts every item the dead one's transaction
 * recorded, so nothing is lost and nothing is sent twice.
 */
import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DEFAULT_QUEUE, jobOptions, startWorker } from "../queue/bullmq";
import type { ProofJob } from "../queue/job";
import type { RetryPolicy } from "../queue/retry";
import { deliver } from "../queue/run-job";
import { runSubmissionJob, type SubmissionContext } from "./submission-job";

/** The submissions queue that goes with proof queue `queue`. */
export function submissionQueueName(queue = DEFAULT_QUEUE): string {
  return `${queue}-submissions`;
}

/** A submissions queue on `connection`; call `close()` when done. */
export function submissionQueue(connection: Redis, queue = DEFAULT_QUEUE): Queue {
  return new Queue(submissionQueueName(queue), { connection });
}

/**
 * The hand-over of a proving worker: adds the job to the submissions queue under its own id (a
 * second hand-over of the same job is a no-op).
 */
export function handOff(
  submissions: Queue,
  retry?: RetryPolicy,
): (job: ProofJob, id: string) => Promise<void> {
  return async (job, id) => {
    await submissions.add("submit", job, jobOptions(id, retry));
  };
}

/** Options of {@link startRelayWorker}. */
export interface RelayWorkerOptions {
  connection: Redis;
  /** The proof queue's name (the submissions queue is derived from it). */
  queue?: string;
  context: SubmissionContext;
  /** Submission jobs held at once: two batches, so one fills while the other is sent. */
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Holds the ids of the jobs this relayer is submitting at any moment. */
  inHand?: Set<string>;
}

/** Starts a relayer on the submissions queue; close it with `worker.close()`. */
export function startRelayWorker(options: RelayWorkerOptions): Worker {
  const { context } = options;
  return startWorker({
    ...options,
    queue: submissionQueueName(options.queue),
    deliver: (data, id, lastAttempt) =>
      deliver(data, id, context, lastAttempt, (job) => runSubmissionJob(job, id, context)),
  });
}
