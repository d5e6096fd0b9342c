/** How failed jobs are retried, by the queue and by the in-process runner alike. */

/** Attempts and exponential backoff: attempt n waits `backoffMs * 2^(n-2)` after the previous one. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** The default: 5 attempts, waiting 2, 4, 8 and 16 s between them. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 2000 };

/** The wait before attempt `attempt` (2, 3, ...), as BullMQ's exponential backoff computes it. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** (attempt - 2);
}
