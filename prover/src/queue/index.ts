/**
 * The proving service: proof jobs (one per account, policy and round), run in this process or
 * on BullMQ over Redis by warm workers, with results on shared storage. See README "Proving
 * service".
 */
export { runBatch, type BatchedSubmission, type BatchOptions, type BatchResult } from "./batch";
export {
  DEFAULT_LOCK_MS,
  DEFAULT_QUEUE,
  enqueueJobs,
  jobOptions,
  proofQueue,
  startWorker,
  waitForJobs,
  workerName,
  type EnqueueResult,
  type WorkerOptions,
} from "./bullmq";
export { PermanentJobError, permanentReason } from "./failures";
export { checkJobPledges, loadHoldings, saltsOf, type Holding, type Holdings } from "./holdings";
export { runInProcess, type InProcessOptions } from "./in-process";
export { jobId, JOB_VERSION, parseProofJob, type JobHolding, type ProofJob } from "./job";
export { planBatch, type BatchPlan, type BatchPlanOptions, type RefusedFile } from "./plan";
export { WarmProver } from "./prover";
export {
  checkRedisUrl,
  isRedisUnreachable,
  redactRedisUrl,
  RedisOutages,
  redisConnection,
} from "./redis";
export {
  failedOutcome,
  JobResults,
  PRIVATE_MODE,
  type JobOutcome,
  type OutcomeStatus,
  type StoredProof,
  type SubmissionRecord,
} from "./results";
export { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from "./retry";
export {
  deliver,
  runDelivery,
  runProofJob,
  type DeliveryContext,
  type JobContext,
} from "./run-job";
export { runWorker, type RelayRole, type RunningWorker, type ServiceOptions } from "./service";
export {
  connectNode,
  readAccountKeys,
  Submitter,
  type ProofSubmitter,
  type SubmitterOptions,
} from "./submit";
export { BatchProgress, summaryLines, tallyOutcomes, type BatchTally } from "./summary";
export { WitnessCalculators } from "./witness";
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_BATCH_WAIT_MS,
  MAX_BATCH_SIZE,
  submissionQueue,
  submissionQueueName,
  type RelayStats,
} from "../relay";
