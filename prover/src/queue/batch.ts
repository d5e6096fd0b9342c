/**
 * `runBatch`: a round's batch from a folder of portfolios, run in this process (the embedded
 * default) or enqueued on Redis for `zkmargin worker`s and followed to its end.
 */
import { performance } from "node:perf_hooks";
import { planBatch, type BatchPlanOptions, type RefusedFile } from "./plan";
import { DEFAULT_QUEUE, enqueueJobs, proofQueue, waitForJobs, type EnqueueResult } from "./bullmq";
import { runInProcess } from "./in-process";
import type { ProverName } from "../proving";
import { WarmProver } from "./prover";
import { RedisOutages, redisConnection } from "./redis";
import type { JobOutcome } from "./results";
import type { RetryPolicy } from "./retry";
import { Submitter } from "./submit";
import { tallyOutcomes, type BatchTally } from "./summary";

/** Options of {@link runBatch}. */
export interface BatchOptions extends Omit<BatchPlanOptions, "submit"> {
  /** Enqueue on this Redis for workers; default: run in this process. */
  redis?: string;
  queue?: string;
  /** With `redis`: put failed jobs of this batch back to wait. */
  retryFailed?: boolean;
  /** Submit to this MarginRegistry on `rpc` (its chain id is read from the node). */
  registry?: string;
  rpc?: string;
  /** In-process submissions: keys of accounts the node does not hold unlocked. */
  accountKeys?: string;
  retry?: RetryPolicy;
  /** Called once the jobs are planned (and enqueued), with their number. */
  onStart?: (jobs: number, enqueued?: EnqueueResult) => void;
  onOutcome?: (outcome: JobOutcome) => void;
  /** In-process job log lines (public facts only). */
  log?: (line: string) => void;
  /** In-process: the Groth16 prover (default: native when built, else snarkjs). */
  prover?: ProverName;
}

/** What a batch ended with. */
export interface BatchResult {
  outcomes: JobOutcome[];
  refused: RefusedFile[];
  tally: BatchTally;
  elapsedMs: number;
  enqueued?: EnqueueResult;
}

/** Plans the batch and runs it to the end; resolves with every outcome. */
export async function runBatch(options: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  if (options.registry !== undefined && options.rpc === undefined) {
    throw new Error("submitting (--registry) needs --rpc, the node the registry lives on");
  }
  // The node gives the jobs' chain id; in-process, it is also where they are submitted.
  const submitter =
    options.registry !== undefined && options.rpc !== undefined
      ? await Submitter.connect({ rpc: options.rpc, accountKeys: options.accountKeys })
      : undefined;
  const submit =
    submitter && options.registry !== undefined
      ? { registry: options.registry, chainId: submitter.chainId }
      : undefined;
  let plan;
  try {
    plan = planBatch({ ...options, ...(submit ? { submit } : {}) });
  } catch (error) {
    submitter?.close();
    throw error;
  }
  const { jobs, refused } = plan;
  const onOutcome = options.onOutcome ?? (() => undefined);
  let outcomes: JobOutcome[];
  let enqueued: EnqueueResult | undefined;

  if (options.redis === undefined) {
    options.onStart?.(jobs.length);
    const prover = new WarmProver(undefined, options.prover);
    try {
      outcomes = await runInProcess(
        jobs,
        { prover, submitter, worker: "in-process", log: options.log },
        { retry: options.retry, onOutcome },
      );
    } finally {
      submitter?.close();
      await prover.close();
    }
  } else {
    submitter?.close(); // the workers submit
    const log = options.log ?? (() => undefined);
    const connection = redisConnection(options.redis, new RedisOutages(options.redis, log));
    const queue = proofQueue(connection, options.queue ?? DEFAULT_QUEUE);
    try {
      enqueued = await enqueueJobs(queue, jobs, options);
      options.onStart?.(enqueued.ids.length, enqueued);
      outcomes = await waitForJobs(queue, jobs, onOutcome);
    } finally {
      await queue.close();
      await connection.quit();
    }
  }
  return {
    outcomes,
    refused,
    tally: tallyOutcomes(outcomes),
    elapsedMs: performance.now() - started,
    ...(enqueued ? { enqueued } : {}),
  };
}
