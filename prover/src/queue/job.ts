/**
 * A proof job: one (account, policy, round), with what a worker needs to prove it and, optionally,
 * submit it. Jobs travel through Redis as JSON, so every field is a string, and a job is
 * validated again by the worker that takes it: a malformed one is refused with the field and the
 * rule, never retried.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { MAX_PLEDGES, ROUND_BITS, SNARK_SCALAR_FIELD } from "../encoding/widths";
import { InputError } from "../errors";
import { toInputError } from "../inputs/issues";
import { pledgeFileSchema } from "../proving/attest";
import { uintString } from "../proving/proof-files";

/**
 * Version of the job payload: 3 since `holdings` lists the sub-portfolios, one per pledge slot
 * (2: one holdings object and its pledges; 1: one attestation). Older jobs are refused, not
 * converted: they are made per round, so re-planning the round with this release replaces them.
 */
export const JOB_VERSION = 3;

const address = z.string().refine(
  (s) => {
    try {
      return getAddress(s) === s;
    } catch {
      return false;
    }
  },
  { message: "must be an address with a valid EIP-55 checksum" },
);

/** The policy id rule of policy.json (so an id is also a safe folder name and job-id part). */
const policyId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
  message: "must be a policy id: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit",
});

const nonce = uintString.refine((s) => BigInt(s) < 1n << BigInt(ROUND_BITS), {
  message: `must be below 2^${ROUND_BITS}`,
});

const fieldElement = uintString.refine((s) => BigInt(s) < SNARK_SCALAR_FIELD, {
  message: "must be below the BN254 field modulus",
});

const path = z.string().min(1, "must be a non-empty path");

/**
 * One sub-portfolio's private holdings: a reference to a file on storage every worker shares (a
 * portfolio.json, or an opening.json whose portfolio and salt are reused, so a custodian's pledge
 * of its commitment still applies), or the portfolio itself, inline (it then transits Redis).
 */
const holdingSchema = z.union([
  z.object({ file: path }).strict(),
  z.object({ portfolio: z.record(z.unknown()), salt: fieldElement.optional() }).strict(),
]);

/** One sub-portfolio of a job (see {@link ProofJob} `holdings`). */
export type JobHolding = z.infer<typeof holdingSchema>;

const jobSchema = z
  .object({
    version: z.literal(JOB_VERSION),
    account: address,
    policyId,
    round: uintString,
    /** Single-use submission nonce; fixed when the job is made, so a retry proves the same statement. */
    nonce,
    /** Circuit instance; default: the smallest set-up instance that fits (or the opening's). */
    instance: z.string().min(1).optional(),
    /** policy.json and market.json (public) on shared storage. */
    policy: path,
    market: path,
    /**
     * The sub-portfolios, one per pledge slot in slot order (one for a single portfolio): the
     * proof is of their sum, and each gets its own opening.
     */
    holdings: z
      .array(holdingSchema)
      .min(1, "must list at least one sub-portfolio")
      .max(MAX_PLEDGES, `must list at most ${MAX_PLEDGES} sub-portfolios (pledge slots)`),
    /**
     * The custodians' pledges of the proof's commitments, one per holding (used slot) in slot
     * order, as `zkmargin attest` writes them (public: they go into the submission).
     */
    pledges: z
      .array(pledgeFileSchema)
      .max(MAX_PLEDGES, `must hold at most ${MAX_PLEDGES} pledges`)
      .optional(),
    /** Submit the proof to this MarginRegistry (the worker's --rpc must be on `chainId`). */
    submit: z
      .object({
        registry: address,
        chainId: uintString,
        /** Submit through the relayer in `proveBatch` calls (relay/), not one `prove` per proof. */
        batched: z.literal(true).optional(),
      })
      .strict()
      .optional(),
    /** The results folder on shared storage (see results.ts for its layout). */
    results: path,
  })
  .strict();

/** A validated proof job. */
export type ProofJob = z.infer<typeof jobSchema>;

/**
 * Validates a job payload; a malformed one is an {@link InputError} naming `source` (the job id
 * or file), the field and the rule. Private values are never quoted.
 */
export function parseProofJob(data: unknown, source: string): ProofJob {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version !== JOB_VERSION) {
    throw new InputError(
      source,
      "version",
      `is ${version}, and this worker reads version ${JOB_VERSION} jobs (holdings: a list of ` +
        "sub-portfolios, one per pledge slot): re-plan the round with this release's `zkmargin batch`",
    );
  }
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) throw toInputError(parsed.error, source);
  const job = parsed.data;
  checkPledgeCount(job, source);
  return job;
}

/**
 * Refuses pledges that cannot be the proof's: another count than the holdings (one pledge per
 * used slot, or none), or a pledge for another account. Whether each pledges its slot's
 * commitment is checked once the holdings are read (see `checkJobPledges`).
 */
function checkPledgeCount(job: ProofJob, source: string): void {
  if (job.pledges === undefined) return;
  if (job.pledges.length !== job.holdings.length) {
    throw new InputError(
      source,
      "pledges",
      `has ${job.pledges.length} pledge(s) for ${job.holdings.length} sub-portfolio(s) in ` +
        "holdings: give one pledge per sub-portfolio, in slot order (or none)",
    );
  }
  job.pledges.forEach((pledge, k) => {
    if (pledge.account !== job.account) {
      throw new InputError(
        source,
        `pledges[${k}].account`,
        `is ${pledge.account}, not the job's account (${job.account})`,
      );
    }
  });
}

/**
 * The job's deterministic id, `<policyId>~<round>~<account>`: the same (account, policy, round)
 * always gives the same id, so enqueueing it twice is a no-op. (`~` cannot occur in a policy id;
 * BullMQ forbids `:` in ids.)
 */
export function jobId(job: Pick<ProofJob, "policyId" | "round" | "account">): string {
  return `${job.policyId}~${job.round}~${job.account}`;
}

/** The label used in logs and errors for a job whose payload could not be read. */
export function describeJob(id: string | undefined): string {
  return `job ${id ?? "(no id)"}`;
}

/** Refuses a job whose public files disagree with its own policy id or round. */
export function checkJobMatches(
  job: ProofJob,
  found: { policyId: string; round: bigint },
  files: { policy: string; market: string },
): void {
  if (found.policyId !== job.policyId) {
    throw new InputError(files.policy, "id", `is not the job's policy id (${job.policyId})`);
  }
  if (found.round !== BigInt(job.round)) {
    throw new InputError(files.market, "round", `is not the job's round (${job.round})`);
  }
}
