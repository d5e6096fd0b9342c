/**
 * `runWorker`: a long-lived proving worker on a Redis queue. It checks its instances' keys and
 * builds the curve before taking a job, proves one job at a time, and on `close()` (SIGTERM)
 * finishes the job in hand before letting go of Redis, the node and the curve.
 */
import type { Worker } from "bullmq";
import { DEFAULT_QUEUE, startWorker, workerName } from "./bullmq";
import { WarmProver } from "./prover";
import { redactRedisUrl, redisConnection } from "./redis";
import { Submitter } from "./submit";

/** Options of {@link runWorker}. */
export interface ServiceOptions {
  redis: string;
  queue?: string;
  /** JSON-RPC node for jobs that submit. */
  rpc?: string;
  accountKeys?: string;
  /** Instances whose keys are checked and loaded before the first job. */
  preload?: readonly string[];
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Receives the worker's log lines (public facts only). */
  log?: (line: string) => void;
}

/** A running worker. */
export interface RunningWorker {
  worker: Worker;
  name: string;
  /** Finishes the job in hand, then disconnects. Safe to call more than once. */
  close(): Promise<void>;
}

/** Starts a worker; resolves once it is ready to take jobs. */
export async function runWorker(options: ServiceOptions): Promise<RunningWorker> {
  const log = options.log ?? (() => undefined);
  const name = workerName();
  const prover = new WarmProver();
  const submitter = options.rpc
    ? await Submitter.connect({ rpc: options.rpc, accountKeys: options.accountKeys })
    : undefined;
  const connection = redisConnection(options.redis);
  try {
    await prover.preload(options.preload ?? []);
    const worker = startWorker({
      connection,
      queue: options.queue ?? DEFAULT_QUEUE,
      context: { prover, submitter, worker: name, log },
      concurrency: options.concurrency,
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs,
    });
    worker.on("error", (error) => log(`queue error: ${error.message}`));
    await worker.waitUntilReady();
    log(
      `worker ${name} ready on ${redactRedisUrl(options.redis)} queue ${options.queue ?? DEFAULT_QUEUE}` +
        (submitter ? `, submitting on chain ${submitter.chainId}` : ""),
    );
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        log(`worker ${name}: finishing the job in hand, then stopping`);
        await worker.close();
        submitter?.close();
        await prover.close();
        await connection.quit();
        log(`worker ${name}: stopped`);
      })();
      return closing;
    };
    return { worker, name, close };
  } catch (error) {
    submitter?.close();
    await prover.close();
    connection.disconnect();
    throw error;
  }
}
