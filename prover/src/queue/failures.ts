/**
 * Which failures of a job are final. A malformed job, a bad input file, a proof that does not
 * verify or a refusal by the contract cannot succeed by retrying: the job fails at once (BullMQ's
 * dead-letter state, `failed`) with its reason. Anything else (Redis, the RPC node, a missing key
 * file on one worker) is retried with exponential backoff.
 */
import { InputError } from "../errors";
import { ProofVerificationError } from "../proving";

/** A failure that retrying cannot fix; its message is the reason recorded for the job. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

/** The reason to fail a job at once, or undefined when a retry may succeed. */
export function permanentReason(error: unknown): string | undefined {
  if (
    error instanceof PermanentJobError ||
    error instanceof InputError ||
    error instanceof ProofVerificationError
  ) {
    return error.message;
  }
  return undefined;
}

/** A one-line description of any failure, for the job's recorded reason. */
export function failureReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
