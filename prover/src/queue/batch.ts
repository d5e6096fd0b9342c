/**
 * `runBatch`: a round's batch from a folder of portfolios, run in this process (the embedded
 * default) or enqueued on Redis for `zkmargin worker`s and followed to its end. Proofs are
 * submitted one `prove` per proof (`registry`), or, with `batched`, in `proveBatch` calls by the
 * relayer: in this process once the proofs are made, or on Redis by `zkmargin worker --relay`.
 */
import { performance } from "node:perf_hooks";
import type { Signer } from "ethers";
import { relayInProcess } from "../relay/in-process";
import { RegistryRelayChain } from "../relay/registry-chain";
import { Relayer, type RelayStats } from "../relay/relayer";
import { submissionQueue } from "../relay/submissions";
import type { ProofJob } from "./job";
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
  /** Submit (to `registry`) through the relayer in `proveBatch` calls (`--submit`). */
  batched?: BatchedSubmission;
}

/** How a batch's proofs are submitted in `proveBatch` calls. */
export interface BatchedSubmission {
  /**
   * In-process: the relayer account that sends the batches (a key, or an account the node holds
   * unlocked). On Redis, the `zkmargin worker --relay` processes send them.
   */
  relayer?: Signer | string;
  /** Proofs per batch (default 32, at most 64). */
  batchSize?: number;
  /** Longest wait of a proof for its batch, ms (default 3000). */
  maxWaitMs?: number;
}

/** What a batch ended with. */
export interface BatchResult {
  outcomes: JobOutcome[];
  refused: RefusedFile[];
  tally: BatchTally;
  elapsedMs: number;
  enqueued?: EnqueueResult;
  /** In-process batched submissions: what the relayer did. */
  relay?: RelayStats;
}

/** Plans the batch and runs it to the end; resolves with every outcome. */
export async function runBatch(options: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  if (options.registry !== undefined && options.rpc === undefined) {
    throw new Error("submitting (--registry) needs --rpc, the node the registry lives on");
  }
  if (options.batched !== undefined && options.registry === undefined) {
    throw new Error("batched submissions (--submit) need --registry and --rpc");
  }
  // The node gives the jobs' chain id; in-process, it is also where they are submitted: by the
  // relayer (batched), or by each account (one `prove` per proof).
  const relayChain =
    options.batched !== undefined && options.redis === undefined
      ? await connectRelayChain(options)
      : undefined;
  const submitter =
    relayChain === undefined && options.registry !== undefined && options.rpc !== undefined
      ? await Submitter.connect({ rpc: options.rpc, accountKeys: options.accountKeys })
      : undefined;
  const chainId = relayChain?.chainId ?? submitter?.chainId;
  const submit =
    chainId !== undefined && options.registry !== undefined
      ? { registry: options.registry, chainId }
      : undefined;
  const batched = submit && options.batched ? { ...submit, batched: true as const } : undefined;
  let plan;
  try {
    plan = planBatch({ ...options, ...(submit ? { submit } : {}) });
  } catch (error) {
    submitter?.close();
    relayChain?.close();
    throw error;
  }
  const { refused } = plan;
  // Batched submissions are marked in each job (the plan knows only where to submit).
  const jobs: ProofJob[] = batched
    ? plan.jobs.map((job) => ({
        ...job,
        submit: { ...batched, chainId: batched.chainId.toString() },
      }))
    : plan.jobs;
  const onOutcome = options.onOutcome ?? (() => undefined);
  let outcomes: JobOutcome[];
  let enqueued: EnqueueResult | undefined;
  let relay: RelayStats | undefined;

  if (options.redis === undefined) {
    options.onStart?.(jobs.length);
    const prover = new WarmProver(undefined, options.prover);
    const handed: { job: ProofJob; id: string }[] = [];
    try {
      outcomes = await runInProcess(
        jobs,
        {
          prover,
          submitter,
          relay: (job, id) => Promise.resolve(void handed.push({ job, id })),
          worker: "in-process",
          log: options.log,
        },
        { retry: options.retry, onOutcome: (o) => (o.relayed === true ? undefined : onOutcome(o)) },
      );
      if (relayChain !== undefined) {
        const relayed = await relayBatched(handed, relayChain, options);
        relay = relayed.stats;
        const byId = new Map(relayed.outcomes.map((o) => [o.jobId, o]));
        outcomes = outcomes.map((o) => byId.get(o.jobId) ?? o);
      }
    } finally {
      submitter?.close();
      relayChain?.close();
      await prover.close();
    }
  } else {
    submitter?.close(); // the workers submit
    const log = options.log ?? (() => undefined);
    const connection = redisConnection(options.redis, new RedisOutages(options.redis, log));
    const queue = proofQueue(connection, options.queue ?? DEFAULT_QUEUE);
    const submissions = submissionQueue(connection, options.queue ?? DEFAULT_QUEUE);
    try {
      enqueued = await enqueueJobs(queue, jobs, { ...options, submissions });
      options.onStart?.(enqueued.ids.length, enqueued);
      outcomes = await waitForJobs(queue, jobs, onOutcome, undefined, submissions);
    } finally {
      await submissions.close();
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
    ...(relay ? { relay } : {}),
  };
}

/** The relayer's chain of an in-process batch: the node, the accounts' keys, the relayer account. */
function connectRelayChain(options: BatchOptions): Promise<RegistryRelayChain> {
  const relayer = options.batched?.relayer;
  if (options.rpc === undefined || relayer === undefined) {
    throw new Error("batched submissions in this process need --rpc and a relayer account");
  }
  return RegistryRelayChain.connect({
    rpc: options.rpc,
    accountKeys: options.accountKeys,
    relayer,
  });
}

/** In-process: the proved jobs' submissions through a relayer of their own, in batches. */
async function relayBatched(
  handed: { job: ProofJob; id: string }[],
  chain: RegistryRelayChain,
  options: BatchOptions,
): Promise<{ outcomes: JobOutcome[]; stats: RelayStats }> {
  const relayer = new Relayer(chain, {
    batchSize: options.batched?.batchSize,
    maxWaitMs: options.batched?.maxWaitMs,
    log: options.log,
  });
  const outcomes = await relayInProcess(handed, relayer, {
    retry: options.retry,
    log: options.log,
    onOutcome: options.onOutcome,
  });
  return { outcomes, stats: relayer.stats };
}
