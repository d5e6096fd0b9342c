/**
 * `runWorker`: a long-lived proving worker on a Redis queue. It checks its instances' keys and
 * builds the curve before taking a job, proves one job at a time, and on `close()` (SIGTERM)
 * stops taking jobs, finishes the job in hand and has its outcome recorded, then lets go of Redis,
 * the node and the curve, all within a bounded time: a job still running at the deadline, or whose
 * outcome cannot be recorded because Redis is unreachable, is given up, and said so. A job given
 * up is not lost: its lock expires, another worker takes it, and the stored proof, the stored
 * outcome and the on-chain nonce check make the rerun adopt what was already done.
 *
 * With `relay`, the same process is a relayer instead (`zkmargin worker --relay`): it takes the
 * batched submissions of proved jobs from the submissions queue and sends them in `proveBatch`
 * calls (relay/); on `close()` it sends what waits at once, then stops as a prover does.
 */
import type { Worker } from "bullmq";
import type { Signer } from "ethers";
import { RegistryRelayChain } from "../relay/registry-chain";
import { Relayer } from "../relay/relayer";
import { handOff, startRelayWorker, submissionQueue } from "../relay/submissions";
import { duration } from "../time";
import { DEFAULT_QUEUE, startWorker, workerName } from "./bullmq";
import { WarmProver } from "./prover";
import { RedisOutages, redactRedisUrl, redisConnection } from "./redis";
import { Submitter } from "./submit";

/** How long `close()` waits by default, ms: below the usual 30 s an orchestrator gives. */
export const DEFAULT_STOP_TIMEOUT_MS = 25_000;

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
  /** Longest wait of `close()` for the job in hand, ms (default {@link DEFAULT_STOP_TIMEOUT_MS}). */
  stopTimeoutMs?: number;
  /** Receives the worker's log lines (public facts only). */
  log?: (line: string) => void;
  /**
   * Run as a relayer (`zkmargin worker --relay`): take the batched submissions of proved jobs and
   * send them in `proveBatch` calls from `relayer` (a key, or an account the node holds
   * unlocked), instead of proving. Needs `rpc`.
   */
  relay?: RelayRole;
}

/** The relayer role's options. */
export interface RelayRole {
  relayer: Signer | string;
  /** Proofs per `proveBatch` (default 32, at most 64). */
  batchSize?: number;
  /** Longest wait of a proof for its batch, ms (default 3000). */
  maxWaitMs?: number;
  requestTtlSeconds?: bigint;
}

/** How a worker stopped. */
export interface WorkerStop {
  /** Whether every job in hand finished and was recorded in Redis. */
  clean: boolean;
  /** The jobs given up (still running at the deadline, or not recorded: Redis unreachable). */
  givenUp: string[];
}

/** A running worker. */
export interface RunningWorker {
  worker: Worker;
  name: string;
  /** Stops within the stop timeout (see the module comment). Safe to call more than once. */
  close(): Promise<WorkerStop>;
}

/** Resolves true when `promise` settles within `ms`, false otherwise (never rejects). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `done()` holds or `deadline` (ms since the epoch) has passed; returns `done()`. */
async function until(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return done();
}

/** A proving worker, or a relayer, started on the connection; what `close()` must let go of. */
interface Role {
  worker: Worker;
  /** Said in the ready line. */
  ready: string;
  /** Called first when stopping (a relayer sends what waits at once). */
  stopping(): void;
  release(): Promise<void>;
}

/** Starts a proving worker (or, with `options.relay`, a relayer); resolves once it is ready. */
export async function runWorker(options: ServiceOptions): Promise<RunningWorker> {
  const log = options.log ?? (() => undefined);
  const name = workerName();
  const outages = new RedisOutages(options.redis, log);
  const connection = redisConnection(options.redis, outages);
  const inHand = new Set<string>();
  let role: Role;
  try {
    role = options.relay
      ? await startRelayer(options, options.relay, name, connection, inHand, log)
      : await startProver(options, name, connection, inHand, log);
  } catch (error) {
    connection.disconnect();
    throw error;
  }
  const { worker } = role;
  try {
    worker.on("error", outages.error);
    await worker.waitUntilReady();
    log(
      `worker ${name} ready on ${redactRedisUrl(options.redis)} queue ${options.queue ?? DEFAULT_QUEUE}` +
        role.ready,
    );
    const timeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    let closing: Promise<WorkerStop> | undefined;
    const close = () => {
      closing ??= (async (): Promise<WorkerStop> => {
        const deadline = Date.now() + timeoutMs;
        role.stopping();
        const held = [...inHand];
        log(
          held.length === 0
            ? `worker ${name}: stopping (no job in hand)`
            : `worker ${name}: finishing the job in hand (${held.join(", ")}), then stopping ` +
                `(at most ${duration(Math.ceil(timeoutMs / 1000))})`,
        );
        let finished: boolean;
        let recorded = false;
        if (outages.unreachable) {
          // Redis is gone, so no new job can come: let the jobs in hand end (bounded), then
          // drop the connections instead of waiting for a Redis that does not answer.
          finished = await until(() => inHand.size === 0, deadline);
          await within(worker.close(true), 2_000);
        } else {
          // Takes no new job; resolves once the jobs in hand are done and recorded in Redis.
          const graceful = worker.close();
          finished = await until(() => inHand.size === 0, deadline);
          recorded = finished && (await within(graceful, deadline - Date.now()));
        }
        const givenUp = !finished ? [...inHand] : recorded ? [] : held;
        const why = outages.unreachable ? "Redis is unreachable" : "Redis did not answer in time";
        if (!finished) {
          log(
            `worker ${name}: gave up ${givenUp.join(", ")}: still running after ` +
              `${duration(Math.ceil(timeoutMs / 1000))}; its lock expires and another worker takes it ` +
              "(a stored proof is reused, a sent submission adopted)",
          );
        } else if (givenUp.length > 0) {
          log(
            `worker ${name}: finished ${givenUp.join(", ")} but could not record it (${why}); ` +
              "another worker takes it up once its lock expires and finds its stored outcome",
          );
        } else if (!recorded) {
          log(`worker ${name}: ${why}; stopping without it (no job in hand)`);
        }
        await within(role.release(), 5_000);
        if (!recorded || !(await within(connection.quit(), 2_000))) connection.disconnect();
        log(`worker ${name}: stopped`);
        return { clean: givenUp.length === 0, givenUp };
      })();
      return closing;
    };
    return { worker, name, close };
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    await role.release();
    connection.disconnect();
    throw error;
  }
}

/** The proving role: a warm prover; batched submissions are handed to the submissions queue. */
async function startProver(
  options: ServiceOptions,
  name: string,
  connection: ReturnType<typeof redisConnection>,
  inHand: Set<string>,
  log: (line: string) => void,
): Promise<Role> {
  const prover = new WarmProver();
  const submitter = options.rpc
    ? await Submitter.connect({ rpc: options.rpc, accountKeys: options.accountKeys })
    : undefined;
  const submissions = submissionQueue(connection, options.queue ?? DEFAULT_QUEUE);
  const release = async () => {
    submitter?.close();
    await submissions.close().catch(() => undefined);
    await prover.close();
  };
  try {
    await prover.preload(options.preload ?? []);
  } catch (error) {
    await release();
    throw error;
  }
  const worker = startWorker({
    connection,
    queue: options.queue ?? DEFAULT_QUEUE,
    context: { prover, submitter, relay: handOff(submissions), worker: name, log },
    concurrency: options.concurrency,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    inHand,
  });
  return {
    worker,
    ready: submitter ? `, submitting on chain ${submitter.chainId}` : "",
    stopping: () => undefined,
    release,
  };
}

/** The relayer role: batched submissions from the submissions queue, sent in `proveBatch` calls. */
async function startRelayer(
  options: ServiceOptions,
  role: RelayRole,
  name: string,
  connection: ReturnType<typeof redisConnection>,
  inHand: Set<string>,
  log: (line: string) => void,
): Promise<Role> {
  if (options.rpc === undefined) throw new Error("a relayer needs --rpc, the registry's node");
  const chain = await RegistryRelayChain.connect({
    rpc: options.rpc,
    accountKeys: options.accountKeys,
    relayer: role.relayer,
  });
  try {
    const relayer = new Relayer(chain, {
      batchSize: role.batchSize,
      maxWaitMs: role.maxWaitMs,
      requestTtlSeconds: role.requestTtlSeconds,
      log,
    });
    const worker = startRelayWorker({
      connection,
      queue: options.queue ?? DEFAULT_QUEUE,
      context: { relayer, worker: name, log },
      concurrency: 2 * relayer.batchSize,
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs,
      inHand,
    });
    return {
      worker,
      ready:
        `, relaying from ${await chain.relayerAddress()} on chain ${chain.chainId} ` +
        `(batches of up to ${relayer.batchSize}, ${relayer.maxWaitMs} ms wait)`,
      stopping: () => relayer.flush(),
      release: () => Promise.resolve(chain.close()),
    };
  } catch (error) {
    chain.close();
    throw error;
  }
}
