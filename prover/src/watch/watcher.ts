/**
 * `zkmargin watch`: follows a policy's feed over JSON-RPC and, on each new round once it has the
 * configured confirmations, fetches and checks the round's market file (it must fit the layout and
 * hash to the posted commitment, or it is refused and alerted), recomputes the margin from the
 * holder's files, and proves and submits while sufficient, with the salt the custodian's
 * pledge was made for. It raises alerts (JSON lines, optional webhook) on a low excess, on a
 * scenario of the round that would put the portfolio short (the model's per-scenario losses: joint
 * under portfolio margin, see `stress.ts`), on a shortfall (no submission; the alert says by how
 * much), on a margin call (answered with a proof on the first round after it, then settled), and
 * when a new pledge is needed (policies that require one). Every step is recorded in an
 * atomically written state file.
 *
 * Chain state, not the state file, decides whether a round still needs a proof (the account's
 * status round), so a proof dropped by a reorg is made again; the state file says what is in
 * flight, so a restart never sends a submission twice. One watcher holds a state file at a time
 * (`<state>.lock`). While a posted round waits for its confirmations the watcher says so, and
 * warns when no block comes (an auto-mining node mines none without a transaction). Every refusal
 * of the registry is alerted in words (prover/src/chain/refusals.ts); a round already older than
 * the policy's maxRoundAge is alerted and never proven.
 */
import { isError, type Contract, type Provider, type Signer } from "ethers";
import {
  deadlineText,
  decodeRevert,
  explainRevert,
  nextNonce,
  readMarginCall,
  readStatus,
  refusalText,
  settleMarginCall,
  submitProof,
  toSolidityProof,
  type MarginCall,
  type Refusal,
  type SignedPledge,
  type MarginStatus,
} from "../chain";
import { formatUnits } from "../decimal";
import {
  deployedContracts,
  deployedPolicy,
  feedLayoutOf,
  checkDeploymentChain,
  type DeployedPolicy,
  type Deployment,
} from "../deployment";
import { InputError } from "../errors";
import { writeJsonFile } from "../io/json";
import { checkPosting, findRoundPosting, MarketDataError, type FeedLayout } from "../market-data";
import { computeMargin, type MarginReport } from "../model";
import { randomSalt } from "../commitments";
import { decodePublicSignals, generateProof, signedPledgeOf, type MarginProof } from "../proving";
import { submitRelayedOne } from "../relay/relayed-one";
import { AlertSink, type WatchEvent, type WatchEventType, type WebhookOptions } from "./alerts";
import {
  holderPieces,
  readHolderPieces,
  readPledgeFile,
  type HolderFiles,
  type HolderPortfolio,
  type WatchedFiles,
} from "./holder";
import { pieceShareDetails } from "./shares";
import { loadWatchState, saveWatchState, type RoundOutcome, type WatchState } from "./state";
import { sleep } from "./sleep";
import { StateLock } from "./state-lock";
import { stressNextMove } from "./stress";
import { duration, seconds, unixTime } from "../time";

/** Test hooks (a simulated crash at a chosen point). */
export interface WatchHooks {
  /** After a submission was sent and its hash recorded, before its receipt is awaited. */
  afterSend?(round: bigint, transactionHash: string): void | Promise<void>;
  /** After each completed pass, with the block number it read. */
  afterTick?(head: number): void;
}

/** Options of {@link Watcher}. */
export interface WatchOptions {
  provider: Provider;
  /** The account: proves and submits (and settles its cured margin calls). */
  signer: Signer;
  /**
   * Submit through the relayer's path instead of `prove`: the account signs a ProveRequest and
   * this relayer account sends it in `proveBatch` (a batch of one) and pays for it.
   */
  relayer?: Signer;
  deployment: Deployment;
  /** The deployment file's name, for errors. */
  deploymentFile: string;
  /** The policy to keep proven: its policy.json id or on-chain id. */
  policy: string;
  /**
   * The state file and the holder's files: one sub-portfolio's, or `pieces`, one per
   * sub-portfolio (custodian) in pledge-slot order, at most the instance's pledge slots.
   */
  files: WatchedFiles;
  /** Confirmations a round's posting needs before the watcher acts on it (default 2). */
  confirmations?: number;
  /** Alert when equity falls under this multiple of the required equity, ppm (default 1.2). */
  warnRatioPpm?: bigint;
  /** A pledge within this many seconds of its expiry is renewed (default 300). */
  pledgeMarginSeconds?: bigint;
  /** Polling interval, ms (default 2000). */
  pollMs?: number;
  /** Longest backoff while the node is unreachable, ms (default 30000). */
  maxBackoffMs?: number;
  /**
   * Warn when a round waits for confirmations and no new block came for this long, ms (default
   * ten polls, at least 20 s).
   */
  stallWarnMs?: number;
  webhook?: WebhookOptions;
  /** Where event lines go (default stdout). */
  write?: (line: string) => void;
  hooks?: WatchHooks;
}

/** A failure the tests inject to stop the watcher as a crash would. */
export class SimulatedCrash extends Error {
  constructor() {
    super("simulated crash");
    this.name = "SimulatedCrash";
  }
}

/** Errors that mean "the node is not answering": retried with backoff. */
export function isUnreachable(error: unknown): boolean {
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT")) return true;
  if (isError(error, "SERVER_ERROR")) return true;
  const text = `${String(error)} ${String((error as { cause?: unknown })?.cause ?? "")}`;
  return /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|EPIPE|request timeout/i.test(text);
}

const USD = (microUsd: bigint) => formatUnits(microUsd, 6);

/** A watch of one account under one policy. */
export class Watcher {
  readonly alerts: AlertSink;
  private readonly confirmations: number;
  private readonly layout: FeedLayout;
  private readonly entry: DeployedPolicy;
  private readonly marketBook: Contract;
  private readonly registry: Contract;
  private state!: WatchState;
  private account = "";
  private started = false;
  private unreachable = false;
  private lock: StateLock | undefined;
  /** The newest block seen, and since when (ms) it is the newest. */
  private head = { number: -1, since: 0 };

  constructor(private readonly options: WatchOptions) {
    const { deployment, deploymentFile } = options;
    this.layout = feedLayoutOf(deployment, options.policy, deploymentFile);
    this.entry = deployedPolicy(deployment, options.policy, deploymentFile).entry;
    const contracts = deployedContracts(deployment, options.provider);
    this.marketBook = contracts.marketBook;
    this.registry = contracts.marginRegistry.connect(options.signer) as Contract;
    const pieces = holderPieces(options.files).length;
    if (pieces < 1 || pieces > this.layout.dims.pledges) {
      throw new InputError(
        "arguments",
        "files.pieces",
        `${pieces} sub-portfolios: the policy's instance "${this.layout.instance}" sums 1 to ` +
          `${this.layout.dims.pledges} (its pledge slots)`,
      );
    }
    this.confirmations = options.confirmations ?? 2;
    if (!Number.isInteger(this.confirmations) || this.confirmations < 1) {
      throw new InputError("arguments", "confirmations", "must be an integer of at least 1");
    }
    this.alerts = new AlertSink(
      options.write ?? ((line) => void process.stdout.write(`${line}\n`)),
      options.webhook,
    );
  }

  private get deployment(): Deployment {
    return this.options.deployment;
  }

  private emit(
    level: WatchEvent["level"],
    type: WatchEventType,
    message: string,
    details: Record<string, unknown> = {},
  ): void {
    this.alerts.emit(level, type, message, { policy: this.layout.policy.id, ...details });
  }

  /** Emits an alert once per `key` (remembered in the state file). */
  private emitOnce(
    key: string,
    level: WatchEvent["level"],
    type: WatchEventType,
    message: string,
    details: Record<string, unknown> = {},
  ): void {
    if (this.state.alerted.includes(key)) return;
    this.state.alerted = [...this.state.alerted.slice(-255), key];
    this.save();
    this.emit(level, type, message, details);
  }

  private save(): void {
    saveWatchState(this.options.files.state, this.state);
  }

  /**
   * Checks the chain, takes the state file's lock (refused while another watcher holds it) and
   * loads the state; resolves what a previous run left in flight.
   */
  async start(): Promise<void> {
    if (this.started) return;
    await checkDeploymentChain(this.deployment, this.options.provider, this.options.deploymentFile);
    this.account = await this.options.signer.getAddress();
    const lock = StateLock.acquire(this.options.files.state);
    try {
      this.state = loadWatchState(this.options.files.state, {
        chainId: this.deployment.chainId,
        marginRegistry: this.deployment.contracts.marginRegistry,
        account: this.account,
        policyId: this.entry.policyId,
      });
    } catch (error) {
      lock.release();
      throw error;
    }
    this.lock = lock;
    this.started = true;
    this.emit("info", "started", `watching ${this.account} under ${this.layout.policy.id}`, {
      account: this.account,
      feed: this.layout.feed,
      confirmations: this.confirmations,
      lastRound: this.state.lastRound,
    });
  }

  /** One pass: resolve what is in flight, answer margin calls, handle the newest confirmed round. */
  async tick(): Promise<void> {
    await this.start();
    await this.recoverPending();
    const head = await this.options.provider.getBlockNumber();
    await this.pass(head);
    this.options.hooks?.afterTick?.(head);
  }

  /** The feed's latest round as of `block`. */
  private async latestRoundAt(block: number): Promise<bigint> {
    const feedHead = (await this.marketBook.getFunction("feedHead")(this.layout.feed, {
      blockTag: block,
    })) as { latestRound: bigint };
    return feedHead.latestRound;
  }

  private async pass(head: number): Promise<void> {
    if (head !== this.head.number) this.head = { number: head, since: Date.now() };
    const confirmedBlock = head - (this.confirmations - 1);
    const round =
      confirmedBlock < this.deployment.startBlock ? 0n : await this.latestRoundAt(confirmedBlock);
    if (this.confirmations > 1) await this.noteUnconfirmed(round, head);
    if (confirmedBlock < this.deployment.startBlock) return;
    const status = await readStatus(this.registry, this.account, this.entry.policyId);
    const call = await readMarginCall(this.registry, this.account, this.entry.policyId);
    await this.followCall(call, status, round);
    if (round === 0n || status.round >= round) return;
    const outcome = this.state.rounds[round.toString()];
    if (outcome !== undefined && outcome.outcome !== "proved") return;
    this.noteSkipped(round, status);
    await this.handleRound(round, confirmedBlock);
  }

  /**
   * Says that a round newer than the confirmed one is posted and waits for its confirmations, and
   * warns once per block when no new block has come for `stallWarnMs`: an auto-mining node (such
   * as `npx hardhat node`) mines a block only for a transaction, so the round would wait forever.
   */
  private async noteUnconfirmed(confirmedRound: bigint, head: number): Promise<void> {
    const posted = await this.latestRoundAt(head);
    if (posted <= confirmedRound) return;
    const c = this.confirmations;
    this.emitOnce(
      `waiting:${posted}`,
      "info",
      "waiting-confirmations",
      `round ${posted} is posted; waiting for ${c} confirmations before acting on it (newest block ${head})`,
      { round: posted.toString(), confirmations: c, block: head },
    );
    const pollMs = this.options.pollMs ?? 2_000;
    const stallMs = this.options.stallWarnMs ?? Math.max(10 * pollMs, 20_000);
    const waited = Date.now() - this.head.since;
    if (waited < stallMs) return;
    this.emitOnce(
      `stalled:${posted}:${head}`,
      "warn",
      "no-new-blocks",
      `no new block for ${duration(Math.floor(waited / 1000))} while round ${posted} waits for ${c} ` +
        "confirmations: the node mines no block without a transaction (an auto-mining node such as " +
        "`npx hardhat node`); there, run the watcher with --confirmations 1, or have the node mine " +
        "at an interval",
      { round: posted.toString(), confirmations: c, block: head },
    );
  }

  /**
   * Runs until `signal` aborts: ticks every `pollMs`, backing off while the node is unreachable.
   * Lets go of the state file's lock when it ends (also on a crash).
   */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.loop(signal);
    } finally {
      this.releaseLock();
    }
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = undefined;
    this.started = false; // a later pass takes the lock again and reloads the state
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const pollMs = this.options.pollMs ?? 2_000;
    const maxBackoffMs = this.options.maxBackoffMs ?? 30_000;
    let delay = pollMs;
    while (!signal.aborted) {
      try {
        await this.tick();
        if (this.unreachable) {
          this.unreachable = false;
          this.emit("info", "rpc-restored", "the node answers again");
        }
        delay = pollMs;
      } catch (error) {
        if (error instanceof SimulatedCrash) throw error;
        if (isUnreachable(error)) {
          if (!this.unreachable) {
            this.unreachable = true;
            this.emit("warn", "rpc-unavailable", `the node does not answer: ${short(error)}`);
          }
          delay = Math.min(delay * 2, maxBackoffMs);
        } else {
          this.emit("error", "error", short(error));
          delay = pollMs;
        }
      }
      await sleep(delay, signal);
    }
    this.emit("info", "stopped", "watch stopped");
  }

  /** Lets go of the state file; waits up to `timeoutMs` for webhook deliveries, then stops them. */
  async close(timeoutMs = 0): Promise<void> {
    this.releaseLock();
    await this.alerts.close(timeoutMs);
  }

  /** Resolves a submission a previous pass (or run) recorded as pending, from chain state. */
  private async recoverPending(): Promise<void> {
    const pending = this.state.pending;
    if (pending === undefined) return;
    const nonce = BigInt(pending.nonce);
    const last = (await nextNonce(this.registry, this.account, this.entry.policyId)) - 1n;
    if (last >= nonce) {
      this.record(BigInt(pending.round), {
        outcome: "proved",
        nonce: pending.nonce,
        ...(pending.transactionHash ? { transactionHash: pending.transactionHash } : {}),
      });
      this.emit(
        "info",
        "submission-recovered",
        `the submission for round ${pending.round} landed`,
        {
          round: pending.round,
          nonce: pending.nonce,
        },
      );
      return;
    }
    const provider = this.options.provider;
    if (pending.transactionHash !== undefined) {
      const tx = await provider.getTransaction(pending.transactionHash);
      if (tx !== null && tx.blockNumber === null) return; // still in the mempool: wait
      if (tx !== null) {
        const receipt = await provider.getTransactionReceipt(pending.transactionHash);
        if (receipt !== null && receipt.status === 0) {
          this.record(BigInt(pending.round), { outcome: "refused", detail: "reverted" });
          return;
        }
      }
    } else {
      // The sender is the relayer when the watcher submits through one.
      const sender = (await this.options.relayer?.getAddress()) ?? this.account;
      const inFlight =
        (await provider.getTransactionCount(sender, "pending")) >
        (await provider.getTransactionCount(sender, "latest"));
      if (inFlight) return;
    }
    // Never sent, or dropped (a reorg): the round is handled again if it still needs a proof.
    this.state.pending = undefined;
    this.save();
  }

  /** Records a round's outcome (and that it was handled) and clears a pending submission. */
  private record(round: bigint, outcome: RoundOutcome): void {
    this.state.rounds[round.toString()] = outcome;
    if (round > BigInt(this.state.lastRound)) this.state.lastRound = round.toString();
    this.state.pending = undefined;
    this.save();
  }

  /** Notes rounds that became superseded before the watcher could act on them. */
  private noteSkipped(round: bigint, status: MarginStatus): void {
    const from = [BigInt(this.state.lastRound), status.round].reduce((a, b) => (a > b ? a : b));
    if (from === 0n || round - from <= 1n) return;
    this.emit(
      "warn",
      "round-skipped",
      `rounds ${from + 1n}..${round - 1n} were superseded unproven`,
      {
        round: round.toString(),
        from: (from + 1n).toString(),
        to: (round - 1n).toString(),
      },
    );
    for (let r = from + 1n; r < round; r++) {
      this.state.rounds[r.toString()] = { outcome: "superseded" };
    }
    this.state.lastRound = (round - 1n).toString();
    this.save();
  }

  /** Alerts on a margin call, settles it once cured, alerts once when it expires. */
  private async followCall(call: MarginCall, status: MarginStatus, latest: bigint): Promise<void> {
    if (call.state === "none") return;
    const id = call.calledAt.toString();
    const details = {
      round: call.round.toString(),
      calledAt: id,
      deadline: call.deadline.toString(),
      statusRound: status.round.toString(),
    };
    this.emitOnce(
      `call:${id}`,
      "warn",
      "margin-call",
      `margin called: prove on a round after ${call.round} ${deadlineText(call)}` +
        (latest > call.round
          ? ` (round ${latest} is out: proving now)`
          : " (waiting for the next round)"),
      details,
    );
    if (call.state === "expired") {
      this.emitOnce(
        `call-expired:${id}`,
        "error",
        "margin-call-expired",
        "the margin call expired uncured",
        details,
      );
    }
    if (call.state === "cured") {
      try {
        await settleMarginCall(this.registry, this.account, this.entry.policyId);
        this.emit(
          "info",
          "margin-call-cured",
          `margin call cured by the proof on round ${status.round}`,
          details,
        );
      } catch (error) {
        // Someone else settled it first, or it was settled by a new call: nothing to do.
        const decoded = decodeRevert(error, [this.registry.interface]);
        if (decoded === undefined) throw error;
      }
    }
  }

  /** Fetches, checks and, while sufficient, proves round `round` of the feed. */
  private async handleRound(round: bigint, confirmedBlock: number): Promise<void> {
    const posting = await findRoundPosting(this.marketBook, this.layout.feed, round, {
      fromBlock: this.deployment.startBlock,
      toBlock: confirmedBlock,
    });
    if (posting === undefined) return; // the node's logs lag its state: next pass
    const block = await this.options.provider.getBlock(posting.blockNumber);
    if (block === null || block.hash !== posting.blockHash) return; // reorganised meanwhile
    const r = round.toString();
    let market;
    try {
      ({ market } = await checkPosting(posting, this.layout));
    } catch (error) {
      if (!(error instanceof MarketDataError)) throw error;
      this.emit(
        "error",
        "market-refused",
        `round ${r} refused, never proven against: ${error.message}`,
        {
          round: r,
          reason: error.reason,
        },
      );
      this.record(round, { outcome: "market-refused", detail: error.reason });
      return;
    }
    this.emitOnce(
      `round:${r}:${posting.blockHash}`,
      "info",
      "round-confirmed",
      `round ${r} confirmed`,
      {
        round: r,
        block: posting.blockNumber,
        commitment: posting.commitment.toString(),
      },
    );
    if (await this.isStale(r, market.timestamp)) {
      this.record(round, { outcome: "stale" });
      return;
    }

    const { policy } = this.layout;
    const pieces = holderPieces(this.options.files);
    const holder = readHolderPieces(pieces, policy, this.layout.instance);
    const portfolios = holder.map((piece) => piece.portfolio);
    const report = computeMargin(policy, market, portfolios);
    const shares = pieceShareDetails(
      report,
      pieces.map((files) => files.portfolio),
    );
    if (!report.sufficient) {
      this.emit(
        "error",
        "shortfall",
        `round ${r}: short by ${USD(-report.excessMicroUsd)} USD; no proof submitted`,
        {
          round: r,
          shortfallUsd: USD(-report.excessMicroUsd),
          ...shares,
        },
      );
      this.record(round, {
        outcome: "shortfall",
        excessMicroUsd: report.excessMicroUsd.toString(),
      });
      return;
    }
    this.judgeExcess(`${r}:${posting.blockHash}`, r, report);

    const nonce = await nextNonce(this.registry, this.account, this.entry.policyId);
    const proof = await this.proveWithPledges(r, holder, pieces, {
      policy,
      market,
      portfolio: portfolios,
      nonce,
      instance: this.layout.instance,
      files: {
        policy: "policy.json",
        market: "market.json",
        portfolios: pieces.map((files) => files.portfolio),
      },
    });
    if (proof === undefined) return;
    const { made, pledges } = proof;
    const signals = decodePublicSignals(made.publicSignals);
    this.state.pending = { round: r, nonce: nonce.toString() };
    this.save();
    const submission = {
      policyId: this.entry.policyId,
      round,
      portfolioCommitments: signals.portfolioCommitments,
      nonce,
      proof: toSolidityProof(made.proof),
      ...(pledges.length > 0 ? { pledges } : {}),
    };
    const onSent = async (hash: string) => {
      this.state.pending = { round: r, nonce: nonce.toString(), transactionHash: hash };
      this.save();
      await this.options.hooks?.afterSend?.(round, hash);
    };
    try {
      const receipt = await this.send(submission, onSent);
      if ("refusal" in receipt) {
        this.refused(r, round, receipt.refusal, receipt.reason);
        return;
      }
      this.record(round, {
        outcome: "proved",
        nonce: nonce.toString(),
        transactionHash: receipt.hash,
        excessMicroUsd: report.excessMicroUsd.toString(),
      });
      this.emit("info", "proved", `round ${r} proven (nonce ${nonce}, ${receipt.gasUsed} gas)`, {
        round: r,
        nonce: nonce.toString(),
        transactionHash: receipt.hash,
        gasUsed: receipt.gasUsed.toString(),
        ...shares,
        ...(this.options.relayer ? { relayed: true } : {}),
      });
    } catch (error) {
      const refusal = explainRevert(error, [this.registry.interface]);
      if (refusal === undefined) throw error; // unreachable node: the pending record resolves it
      this.refused(r, round, refusal, refusalText(refusal));
    }
  }

  /**
   * Sends the round's proof: `prove` from the account, or, with a relayer, `proveBatch` of the
   * account's signed request from the relayer; a skipped item comes back as its refusal.
   */
  private async send(
    submission: Parameters<typeof submitProof>[1],
    onSent: (hash: string) => Promise<void>,
  ): Promise<{ hash: string; gasUsed: bigint } | { refusal: Refusal; reason: string }> {
    const relayer = this.options.relayer;
    if (relayer === undefined) return submitProof(this.registry, submission, { onSent });
    const { receipt, outcome } = await submitRelayedOne(
      this.registry.connect(relayer) as Contract,
      submission,
      { account: this.options.signer, venue: this.entry.venue, onSent },
    );
    return outcome.accepted ? receipt : outcome;
  }

  /** Records and alerts a refusal of the round's proof (reverted, or skipped in a batch). */
  private refused(r: string, round: bigint, refusal: Refusal, text: string): void {
    this.emit("warn", "submission-refused", `round ${r}: the registry refused the proof: ${text}`, {
      round: r,
      error: refusal.name,
      reason: refusal.sentence,
    });
    this.record(round, { outcome: "refused", detail: refusal.name });
  }

  /**
   * Whether the round is already older than the policy's maxRoundAge at the chain's clock (the
   * registry would refuse a proof on it with `StaleRound`); alerts so, once per round.
   */
  private async isStale(r: string, timestamp: bigint): Promise<boolean> {
    const block = await this.options.provider.getBlock("latest");
    const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
    const maxRoundAge = BigInt(this.entry.maxRoundAge);
    if (now - timestamp <= maxRoundAge) return false;
    this.emitOnce(
      `stale:${r}`,
      "error",
      "round-stale",
      `round ${r} is not proven: its timestamp ${unixTime(timestamp)} is ${seconds(now - timestamp)} ` +
        `before the chain's clock, more than the policy's maxRoundAge of ${seconds(maxRoundAge)}, so ` +
        "the registry would refuse the proof (StaleRound); the publisher must post a fresh round",
      { round: r, timestamp: timestamp.toString(), maxRoundAge: maxRoundAge.toString() },
    );
    return true;
  }

  /**
   * Alerts on a low excess and on a scenario that would put the portfolio short, once per round
   * posting (`posting`: round and block hash), however often the round is handled.
   */
  private judgeExcess(posting: string, r: string, report: MarginReport): void {
    const warnRatio = this.options.warnRatioPpm ?? 1_200_000n;
    // Equity under warnRatio x (Req x minRatio): Eq * 1e12 < Req * minRatio * warnRatio.
    const warn =
      report.equityMicroUsd * 10n ** 12n <
      report.requirementMicroUsd * report.minRatioPpm * warnRatio;
    if (warn) {
      this.emitOnce(
        `low-excess:${posting}`,
        "warn",
        "low-excess",
        `round ${r}: excess ${USD(report.excessMicroUsd)} USD is under the warning level`,
        {
          round: r,
          excessUsd: USD(report.excessMicroUsd),
          ratio: report.ratioPpm === null ? null : formatUnits(report.ratioPpm, 6),
          warnRatio: formatUnits(warnRatio, 6),
        },
      );
    }
    const stress = stressNextMove(report);
    const worst = stress.short[0];
    if (worst !== undefined) {
      const judged = stress.margin === "portfolio" ? "joint loss" : "option book's loss";
      this.emitOnce(
        `stress:${posting}`,
        "warn",
        "stress-shortfall",
        `round ${r}: scenario "${worst.label}" of the round (${judged} ${USD(worst.lossMicroUsd)} USD) ` +
          `would put it short by ${USD(-worst.excessAfterMicroUsd)} USD`,
        {
          round: r,
          margin: stress.margin,
          scenario: worst.index,
          label: worst.label,
          lossUsd: USD(worst.lossMicroUsd),
          shortAfterUsd: USD(-worst.excessAfterMicroUsd),
          scenariosShort: stress.short.length,
          bindingScenario: stress.binding?.label ?? null,
        },
      );
    }
  }

  /**
   * The round's proof and the pledges it is submitted with, or undefined while a pledge is
   * missing. A sub-portfolio without a usable opening gets a new salt (the others keep theirs):
   * the proof is made, its opening written and, where the policy requires pledges, its custodian
   * asked to pledge it (the round is proven once every pledge is there).
   */
  private async proveWithPledges(
    r: string,
    holder: readonly HolderPortfolio[],
    pieces: readonly HolderFiles[],
    input: Omit<Parameters<typeof generateProof>[0], "salt">,
  ): Promise<{ made: MarginProof; pledges: SignedPledge[] } | undefined> {
    const renewed = holder.flatMap((piece, k) => (piece.opening === undefined ? [k] : []));
    const salts = holder.map((piece) =>
      piece.opening === undefined ? randomSalt() : BigInt(piece.opening.salt),
    );
    if (renewed.length > 0) {
      const made = await generateProof({ ...input, salt: salts });
      for (const k of renewed) writeJsonFile(pieces[k].opening, made.openings[k], { mode: 0o600 });
      if (!this.entry.requiresPledges) return { made, pledges: [] };
      for (const k of renewed) {
        const commitment = made.openings[k].commitments.portfolio;
        const files = pieces[k];
        const slot = pieces.length > 1 ? `sub-portfolio ${k + 1}: ` : "";
        this.emitOnce(
          `pledge:${commitment}`,
          "warn",
          "pledge-needed",
          `${slot}${holder[k].renewal}: wrote ${files.opening}; have the custodian pledge it ` +
            `(portfolio commitment ${commitment}) into ${files.pledge}`,
          { round: r, portfolioCommitment: commitment, opening: files.opening },
        );
      }
      return undefined;
    }
    const pledges: SignedPledge[] = [];
    for (const [k, { opening }] of holder.entries()) {
      if (opening === undefined) continue; // not reached: every piece has its opening here
      const commitment = BigInt(opening.commitments.portfolio);
      const pledge = await this.usablePledge(r, commitment, pieces[k]);
      if (pledge !== undefined) pledges.push(pledge);
    }
    if (this.entry.requiresPledges && pledges.length < holder.length) return undefined;
    return { made: await generateProof({ ...input, salt: salts }), pledges };
  }

  /**
   * The pledge of `commitment` in `files.pledge`, if it is there, the account's, to the policy's
   * venue, and not about to expire.
   */
  private async usablePledge(r: string, commitment: bigint, files: HolderFiles) {
    if (!this.entry.requiresPledges) return undefined;
    const file = files.pledge;
    const pledge = readPledgeFile(file);
    const block = await this.options.provider.getBlock("latest");
    const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
    const margin = this.options.pledgeMarginSeconds ?? 300n;
    let problem: string | undefined;
    let key = `pledge:${commitment}`;
    if (pledge === undefined) problem = `${file} does not exist`;
    else if (pledge.account !== this.account) problem = `${file} is for ${pledge.account}`;
    else if (pledge.venue !== this.entry.venue) problem = `${file} is for venue ${pledge.venue}`;
    else if (BigInt(pledge.portfolioCommitment) !== commitment) {
      problem = `${file} pledges another commitment`;
    } else if (BigInt(pledge.validUntil) <= now + margin) {
      problem = `${file} expires at ${unixTime(BigInt(pledge.validUntil))}`;
      key = `${key}:expiring:${pledge.validUntil}`;
    }
    if (problem === undefined && pledge !== undefined) return signedPledgeOf(pledge);
    this.emitOnce(
      key,
      "warn",
      "pledge-needed",
      `round ${r} not proven: ${problem}; have the custodian pledge ${files.opening}`,
      { round: r, portfolioCommitment: commitment.toString(), opening: files.opening },
    );
    return undefined;
  }
}

function short(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
