/**
 * The relayer: finished proofs gathered into `MarginRegistry.proveBatch` calls by size and age,
 * each proof checked locally first, each account's ProveRequest signed, each item's outcome
 * mapped back to its job, exactly once. See README "Proving service".
 */
export { AccountSigners } from "./accounts";
export { Batcher, type BatcherOptions, type Settled } from "./batcher";
export type { PolicyOnChain, RecordedProof, RelayChain, SentBatch, SentItemOutcome } from "./chain";
export { systemClock, type Clock, type Timer } from "./clock";
export { relayInProcess, type RelayInProcessOptions } from "./in-process";
export { localRefusal, manifestKeys, type InstanceKey, type InstanceKeys } from "./local-check";
export { skipError, TRANSIENT_SKIPS } from "./outcomes";
export { RegistryRelayChain, type RelayChainOptions } from "./registry-chain";
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_BATCH_WAIT_MS,
  DEFAULT_REQUEST_TTL_S,
  MAX_BATCH_SIZE,
  Relayer,
  type RelayerOptions,
  type RelayStats,
} from "./relayer";
export { runSubmissionJob, type SubmissionContext } from "./submission-job";
export {
  handOff,
  startRelayWorker,
  submissionQueue,
  submissionQueueName,
  type RelayWorkerOptions,
} from "./submissions";
