/**
 * Batched submissions on BullMQ: a proving worker hands each proved job whose submission is
 * batched to the submissions queue (`<queue>-submissions`, same job id), and a relayer
 * (`zkmargin worker --relay`) takes up to two batches' worth of them at once (BullMQ
 * concurrency), each awaiting its batch's outcome from the {@link Relayer}. A relayer that dies
 * mid-batch stops renewing its jobs' locks: another relayer (or the restarted one) takes them up
 * once they stall, and the relayer's nonce check adopts every item the dead one's transaction
 * recorded, so nothing is lost and nothing is sent twice.
 */
import { Queue, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { DEFAULT_LOCK_MS, DEFAULT_QUEUE, jobOptions } from "../queue/bullmq";
import { PermanentJobError } from "../queue/failures";
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
  return new Worker(
    submissionQueueName(options.queue),
    async (job: Job) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const id = job.id ?? "(no id)";
      options.inHand?.add(id);
      try {
        return await deliver(job.data, id, context, lastAttempt, (proofJob) =>
          runSubmissionJob(proofJob, id, context),
        );
      } catch (error) {
        if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        options.inHand?.delete(id);
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_MS,
      stalledInterval: options.stalledIntervalMs ?? options.lockDurationMs ?? DEFAULT_LOCK_MS,
      maxStalledCount: 2,
    },
  );
}
