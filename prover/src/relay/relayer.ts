/**
 * The relayer: submits finished proofs to MarginRegistry in `proveBatch` calls, exactly once.
 * {@link Relayer.submit} takes a job's stored proof and resolves with the transaction that
 * records it (or rejects, with a {@link PermanentJobError} when retrying cannot help). Proofs wait
 * in a {@link Batcher} per registry and instance (one verifier per batch) until the batch is full
 * or its oldest proof has waited `maxWaitMs`. Then, for each proof of the batch:
 *
 * 1. it is checked locally for the statement the registry rebuilds (./local-check): a proof that
 *    fails is never sent, and its job fails for good with the reason;
 * 2. the account's `lastNonce` says whether its nonce is still usable; when it is not, the
 *    `MarginProved` event of this round and nonce, if any, is adopted (an earlier attempt, killed
 *    after sending, recorded it) and nothing is sent;
 * 3. the account's ProveRequest is signed (its key, or the node's unlocked account).
 *
 * The rest go in one `proveBatch` from the relayer account, and each item's outcome goes back to
 * its job: accepted, the submission record; skipped, the reason (./outcomes). A transaction that
 * fails to send or to confirm fails its items for a retry, and the retry adopts what landed.
 */
import type { RelayedSubmission } from "../chain";
import { proveRequestOf, policyIdOf, toSolidityProof } from "../chain";
import { InputError } from "../errors";
import { decodePublicSignals, signedPledgeOf } from "../proving";
import type { DecodedPublicSignals } from "../proving/public-signals";
import { PermanentJobError } from "../queue/failures";
import type { ProofJob } from "../queue/job";
import type { StoredProof, SubmissionRecord } from "../queue/results";
import { pledgeMismatch } from "../submit";
import { Batcher, type Settled } from "./batcher";
import type { PolicyOnChain, RelayChain, SentItemOutcome } from "./chain";
import type { Clock } from "./clock";
import { localRefusal, manifestKeys, type InstanceKeys } from "./local-check";
import { overtakenError, skipError } from "./outcomes";

/** Default and largest batch size, and the default wait of a batch. */
export const DEFAULT_BATCH_SIZE = 32;
export const MAX_BATCH_SIZE = 64;
export const DEFAULT_BATCH_WAIT_MS = 3_000;
/** How long an account's ProveRequest stays valid by default: one hour of chain time. */
export const DEFAULT_REQUEST_TTL_S = 3600n;

/** Options of {@link Relayer}. */
export interface RelayerOptions {
  /** Most proofs per `proveBatch` (default 32, at most 64). */
  batchSize?: number;
  /** Longest wait of a proof before its batch is sent, ms (default 3000). */
  maxWaitMs?: number;
  /** Validity of the signed ProveRequests, seconds of chain time (default 3600). */
  requestTtlSeconds?: bigint;
  /** Verification keys by instance (default: this checkout's manifest-checked build). */
  keys?: InstanceKeys;
  clock?: Clock;
  /** Receives one line per batch (sizes, outcomes, transaction; never a private value). */
  log?: (line: string) => void;
}

/** Counts of what the relayer did. */
export interface RelayStats {
  /** `proveBatch` transactions sent, and the number of items in each. */
  batches: number[];
  accepted: number;
  skipped: number;
  adopted: number;
  /** Proofs refused by the local check (never sent). */
  refused: number;
}

/** A proof handed to the relayer. */
interface Request {
  job: ProofJob;
  stored: StoredProof;
}

/** A request ready to send, or already settled (refused, adopted, failed). */
type Prepared = { send: RelayedSubmission } | { settled: Settled<SubmissionRecord> };

const failed = (error: unknown): { settled: Settled<SubmissionRecord> } => ({
  settled: { ok: false, error },
});

/** Submits stored proofs in batches; see the module comment. */
export class Relayer {
  readonly stats: RelayStats = { batches: [], accepted: 0, skipped: 0, adopted: 0, refused: 0 };
  private readonly batchers = new Map<string, Batcher<Request, SubmissionRecord>>();
  private readonly keys: InstanceKeys;
  /** Most proofs per `proveBatch`. */
  readonly batchSize: number;
  /** Longest wait of a proof for its batch, ms. */
  readonly maxWaitMs: number;

  constructor(
    private readonly chain: RelayChain,
    private readonly options: RelayerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (
      !Number.isInteger(this.batchSize) ||
      this.batchSize < 1 ||
      this.batchSize > MAX_BATCH_SIZE
    ) {
      throw new RangeError(`batch size must be 1 to ${MAX_BATCH_SIZE}, got ${this.batchSize}`);
    }
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_BATCH_WAIT_MS;
    if (!(this.maxWaitMs >= 0)) throw new RangeError(`batch wait must be at least 0 ms`);
    this.keys = options.keys ?? manifestKeys();
  }

  /** Submits the job's stored proof in a batch; resolves with the transaction that records it. */
  submit(job: ProofJob, stored: StoredProof): Promise<SubmissionRecord> {
    const target = job.submit;
    if (target === undefined) return Promise.reject(new Error("the job asks for no submission"));
    const key = `${target.registry}|${stored.instance}`;
    let batcher = this.batchers.get(key);
    if (batcher === undefined) {
      batcher = new Batcher((requests) => this.process(target.registry, requests), {
        maxSize: this.batchSize,
        maxWaitMs: this.maxWaitMs,
        clock: this.options.clock,
      });
      this.batchers.set(key, batcher);
    }
    return batcher.add({ job, stored });
  }

  /** Sends every waiting proof now (the last proofs of a run, or a worker that stops). */
  flush(): void {
    for (const batcher of this.batchers.values()) batcher.flush();
  }

  /** Flushes and resolves once nothing waits and no batch is in flight. */
  async drain(): Promise<void> {
    await Promise.all([...this.batchers.values()].map((b) => b.drain()));
  }

  /** One batch of one registry and instance: check, adopt, sign, send, map the outcomes. */
  private async process(
    registry: string,
    requests: Request[],
  ): Promise<Settled<SubmissionRecord>[]> {
    const reads = new ChainReads(this.chain, registry);
    const prepared = await Promise.all(requests.map((r) => this.prepare(registry, r, reads)));
    const ready = prepared.flatMap((p, i) => ("send" in p ? [{ index: i, item: p.send }] : []));
    const results = prepared.map((p) => ("settled" in p ? p.settled : undefined));
    const log = this.options.log ?? (() => undefined);
    if (ready.length > 0) {
      let sent;
      try {
        sent = await this.chain.sendBatch(
          registry,
          ready.map((r) => r.item),
        );
      } catch (error) {
        // Not known to be recorded: each job is retried, and its retry adopts what landed.
        log(`proveBatch of ${ready.length} on ${registry} failed: ${errorText(error)}`);
        for (const r of ready) results[r.index] = { ok: false, error };
        return results as Settled<SubmissionRecord>[];
      }
      this.stats.batches.push(ready.length);
      const record = {
        registry,
        chainId: this.chain.chainId.toString(),
        transactionHash: sent.transactionHash,
        blockNumber: sent.blockNumber,
        found: false,
      };
      const settled = await Promise.all(
        ready.map((r, k) => this.settle(registry, requests[r.index], sent.outcomes[k], record)),
      );
      settled.forEach((result, k) => (results[ready[k].index] = result));
      const accepted = settled.filter((result) => result.ok && !result.value.found).length;
      this.stats.accepted += accepted;
      this.stats.skipped += ready.length - accepted;
      log(
        `proveBatch ${sent.transactionHash}: ${ready.length} sent, ${accepted} accepted, ` +
          `${ready.length - accepted} skipped` +
          (sent.gasUsed === undefined ? "" : `, ${sent.gasUsed} gas`),
      );
    }
    return results as Settled<SubmissionRecord>[];
  }

  /**
   * What one sent item's outcome means for its job: the batch's record when accepted; when
   * skipped for a used nonce, the item's own earlier record if there is one; else the skip's
   * error (./outcomes). Never rejects: a failed read is the item's (retried) error.
   */
  private async settle(
    registry: string,
    request: Request,
    outcome: SentItemOutcome | undefined,
    record: SubmissionRecord,
  ): Promise<Settled<SubmissionRecord>> {
    try {
      if (outcome === undefined)
        throw new Error(`no outcome for the item in ${record.transactionHash}`);
      if (outcome.accepted) return { ok: true, value: record };
      const adopted =
        outcome.refusal.name === "NonceNotIncreasing"
          ? await this.adopt(registry, request)
          : undefined;
      return adopted ?? { ok: false, error: skipError(outcome.refusal, outcome.reason) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Checks, adopts or signs one request. */
  private async prepare(registry: string, request: Request, reads: ChainReads): Promise<Prepared> {
    const { job, stored } = request;
    const target = job.submit as NonNullable<ProofJob["submit"]>;
    try {
      if (BigInt(target.chainId) !== this.chain.chainId) {
        throw new PermanentJobError(
          `the job submits on chain ${target.chainId} but the RPC node is on chain ${this.chain.chainId}`,
        );
      }
      const signals = decodePublicSignals(stored.publicSignals, "public.json");
      const pledges = job.pledges ?? [];
      const mismatch = pledgeMismatch(pledges, job.account, signals.portfolioCommitments);
      if (mismatch !== undefined) {
        throw new PermanentJobError(
          `the job's pledge ${mismatch.slot}: ${mismatch.field} ${mismatch.rule}`,
        );
      }
      const policyId = policyIdOf(job.policyId);
      const round = BigInt(job.round);
      const policy = await reads.policy(policyId);
      if (policy === undefined) {
        throw new PermanentJobError(
          `policy ${job.policyId} is not registered in the PolicyRegistry`,
        );
      }
      const marketCommitment = await reads.marketCommitment(policyId, round);
      if (marketCommitment === 0n) {
        throw new Error(`round ${job.round} is not posted on the policy's feed yet; retried`);
      }
      const refusal = await localRefusal(
        stored,
        signals,
        { account: job.account, nonce: BigInt(job.nonce), marketCommitment, policy },
        this.keys,
      );
      if (refusal !== undefined) {
        this.stats.refused += 1;
        throw new PermanentJobError(`not submitted: ${refusal}`);
      }
      const last = await this.chain.lastNonce(registry, job.account, policyId);
      if (last >= signals.nonce) {
        const adopted = await this.adopt(registry, request);
        if (adopted !== undefined) return { settled: adopted };
        throw overtakenError(signals.nonce, last, job.policyId);
      }
      const deadline = await reads.deadline(
        this.options.requestTtlSeconds ?? DEFAULT_REQUEST_TTL_S,
      );
      return {
        send: await this.signed(registry, request, signals, policy, policyId, round, deadline),
      };
    } catch (error) {
      return failed(error instanceof InputError ? new PermanentJobError(error.message) : error);
    }
  }

  /** The item of a checked proof, with the account's ProveRequest signed until `deadline`. */
  private async signed(
    registry: string,
    { job, stored }: Request,
    signals: DecodedPublicSignals,
    policy: PolicyOnChain,
    policyId: string,
    round: bigint,
    deadline: bigint,
  ): Promise<RelayedSubmission> {
    const submission = {
      account: job.account,
      policyId,
      round,
      nonce: signals.nonce,
      portfolioCommitments: signals.portfolioCommitments,
      proof: toSolidityProof(stored.proof),
      pledges: (job.pledges ?? []).map(signedPledgeOf),
      deadline,
    };
    const accountSignature = await this.chain.signRequest(
      registry,
      proveRequestOf(submission, policy.venue),
    );
    return { ...submission, accountSignature };
  }

  /** The settled record of a proof already recorded on-chain, or undefined when it is not. */
  private async adopt(
    registry: string,
    { job }: Request,
  ): Promise<Settled<SubmissionRecord> | undefined> {
    const found = await this.chain.recorded(
      registry,
      job.account,
      policyIdOf(job.policyId),
      BigInt(job.round),
      BigInt(job.nonce),
    );
    if (found === undefined) return undefined;
    this.stats.adopted += 1;
    return {
      ok: true,
      value: {
        registry,
        chainId: this.chain.chainId.toString(),
        transactionHash: found.transactionHash,
        blockNumber: found.blockNumber,
        found: true,
      },
    };
  }
}

/**
 * Chain reads shared by the items of one batch (one policy read per policy, one round read, and
 * one request deadline: the items of one policy and round then form one `proveBatch` group).
 */
class ChainReads {
  private readonly policies = new Map<string, Promise<PolicyOnChain | undefined>>();
  private readonly rounds = new Map<string, Promise<bigint>>();
  private requestDeadline: Promise<bigint> | undefined;

  constructor(
    private readonly chain: RelayChain,
    private readonly registry: string,
  ) {}

  policy(policyId: string): Promise<PolicyOnChain | undefined> {
    let read = this.policies.get(policyId);
    if (read === undefined) {
      read = this.chain.policy(this.registry, policyId);
      this.policies.set(policyId, read);
    }
    return read;
  }

  /** The deadline of the batch's requests (the chain's clock plus `ttlSeconds`), read once. */
  deadline(ttlSeconds: bigint): Promise<bigint> {
    this.requestDeadline ??= this.chain.deadline(ttlSeconds);
    return this.requestDeadline;
  }

  marketCommitment(policyId: string, round: bigint): Promise<bigint> {
    const key = `${policyId}|${round}`;
    let read = this.rounds.get(key);
    if (read === undefined) {
      read = this.chain.marketCommitment(this.registry, policyId, round);
      this.rounds.set(key, read);
    }
    return read;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
