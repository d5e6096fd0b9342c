/**
 * The proving service on BullMQ: a queue of proof jobs with deterministic ids (a duplicate enqueue
 * is a no-op), workers that keep their prover warm, and a wait that follows a batch to its end.
 *
 * Job states: `wait`/`delayed` (queued or backing off), `active` (a worker holds its lock),
 * `completed` (the outcome is the return value: proved, submitted or short) and `failed`, the
 * dead-letter state, with the reason in `failedReason`. A worker that dies holding a job stops
 * renewing its lock; another worker's stalled-job check puts the job back within a few lock
 * periods, and the stored-result and on-chain checks of the job make the rerun safe.
 */
import * as os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Job, Queue, UnrecoverableError, Worker, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { PermanentJobError } from "./failures";
import { jobId, type ProofJob } from "./job";
import { failedOutcome, type JobOutcome } from "./results";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry";
import { runDelivery, type JobContext } from "./run-job";

/** The default queue name. */
export const DEFAULT_QUEUE = "zkmargin-proofs";

/** How long finished jobs are kept (so re-enqueueing them is a no-op): 7 and 30 days. */
const KEEP_COMPLETED_S = 7 * 24 * 3600;
const KEEP_FAILED_S = 30 * 24 * 3600;

/** This process, as recorded in outcomes. */
export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** BullMQ options of a proof job. */
export function jobOptions(id: string, retry: RetryPolicy = DEFAULT_RETRY): JobsOptions {
  return {
    jobId: id,
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.backoffMs },
    removeOnComplete: { age: KEEP_COMPLETED_S },
    removeOnFail: { age: KEEP_FAILED_S },
  };
}

/** A queue of proof jobs on `connection`; call `close()` when done. */
export function proofQueue(connection: Redis, name = DEFAULT_QUEUE): Queue {
  return new Queue(name, { connection });
}

/** What {@link enqueueJobs} did. */
export interface EnqueueResult {
  ids: string[];
  /** Jobs new to the queue. */
  added: number;
  /** Jobs that were already queued, running or finished (left as they are). */
  existing: number;
  /** Failed jobs put back to wait (with `retryFailed`). */
  retried: number;
}

/**
 * Adds one job per (account, policy, round). A job whose id is already in the queue is left
 * alone (BullMQ ignores an add with an existing id); with `retryFailed`, a failed one is retried.
 */
export async function enqueueJobs(
  queue: Queue,
  jobs: readonly ProofJob[],
  options: { retry?: RetryPolicy; retryFailed?: boolean; submissions?: Queue } = {},
): Promise<EnqueueResult> {
  const unique = new Map<string, ProofJob>();
  for (const job of jobs) if (!unique.has(jobId(job))) unique.set(jobId(job), job);
  const ids = [...unique.keys()];
  const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
  const fresh = ids.filter((_, i) => states[i] === "unknown");
  await queue.addBulk(
    fresh.map((id) => ({
      name: "prove",
      data: unique.get(id),
      opts: jobOptions(id, options.retry),
    })),
  );
  let retried = 0;
  if (options.retryFailed) {
    for (const [i, id] of ids.entries()) {
      if (states[i] !== "failed") continue;
      await (await Job.fromId(queue, id))?.retry("failed");
      retried += 1;
    }
    // A batched submission that failed: its proof job is done, the submission job goes again.
    const submissions = options.submissions;
    for (const id of submissions ? ids : []) {
      const job = await Job.fromId(submissions as Queue, id);
      if (job === undefined || (await job.getState()) !== "failed") continue;
      await job.retry("failed");
      retried += 1;
    }
  }
  return { ids, added: fresh.length, existing: ids.length - fresh.length, retried };
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  connection: Redis;
  queue?: string;
  /** What proof jobs run with (ignored when `deliver` is given). */
  context: JobContext | { worker: string };
  /**
   * Runs one delivery of a job (default: a proof job's, {@link runDelivery}); the relayer's
   * submission jobs give their own.
   */
  deliver?: (data: unknown, id: string, lastAttempt: boolean) => Promise<JobOutcome>;
  /** Jobs proved at once by this process (default 1: a proof already uses every core). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is handed on after it. */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers. */
  stalledIntervalMs?: number;
  /** Holds the ids of the jobs this worker is running (proving, submitting) at any moment. */
  inHand?: Set<string>;
}

/** Default lock duration (renewed every half of it while a job runs). */
export const DEFAULT_LOCK_MS = 30_000;

/** Starts a worker that runs proof jobs with `context`; close it with `worker.close()`. */
export function startWorker(options: WorkerOptions): Worker {
  const { context } = options;
  const deliver =
    options.deliver ??
    ((data: unknown, id: string, lastAttempt: boolean) => {
      if (!("prover" in context)) throw new Error("a proving worker needs a prover");
      return runDelivery(data, id, context, lastAttempt);
    });
  return new Worker(
    options.queue ?? DEFAULT_QUEUE,
    async (job: Job) => {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const id = job.id ?? "(no id)";
      options.inHand?.add(id);
      try {
        return await deliver(job.data, id, lastAttempt);
      } catch (error) {
        if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
        throw error;
      } finally {
        options.inHand?.delete(id);
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? DEFAULT_LOCK_MS,
      stalledInterval: options.stalledIntervalMs ?? options.lockDurationMs ?? DEFAULT_LOCK_MS,
      maxStalledCount: 2,
    },
  );
}

/**
 * Waits until every job of `jobs` is completed or failed, polling their states (polling, unlike
 * an event stream, also survives a Redis restart). A job whose proof was handed to the relayer
 * (`relayed`) is followed on into `submissions`, where its final outcome is. `onOutcome` sees
 * each final outcome once.
 */
export async function waitForJobs(
  queue: Queue,
  jobs: readonly ProofJob[],
  onOutcome: (outcome: JobOutcome) => void,
  pollMs = 500,
  submissions?: Queue,
): Promise<JobOutcome[]> {
  const pending = new Map(jobs.map((job) => [jobId(job), job]));
  /** Jobs followed into the submissions queue. */
  const relayed = new Set<string>();
  const outcomes: JobOutcome[] = [];
  while (pending.size > 0) {
    const ids = [...pending.keys()];
    const queueOf = (id: string) => (relayed.has(id) && submissions ? submissions : queue);
    const states = await Promise.all(ids.map((id) => queueOf(id).getJobState(id)));
    for (const [i, id] of ids.entries()) {
      if (states[i] !== "completed" && states[i] !== "failed" && states[i] !== "unknown") continue;
      const job = await Job.fromId(queueOf(id), id);
      const outcome =
        states[i] === "completed" && job
          ? (job.returnvalue as JobOutcome)
          : failedOutcome(
              pending.get(id) as ProofJob,
              id,
              job?.failedReason ?? "the job is no longer in the queue (removed before it finished)",
              "queue",
            );
      if (outcome.relayed === true && submissions !== undefined && !relayed.has(id)) {
        relayed.add(id); // proved and handed over: its submission job ends it
        continue;
      }
      pending.delete(id);
      outcomes.push(outcome);
      onOutcome(outcome);
    }
    if (pending.size > 0) await sleep(pollMs);
  }
  return outcomes;
}
