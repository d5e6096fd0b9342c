/**
 * Following a batch: a progress bar over its jobs (on an interactive terminal outside CI, like the
 * setup's bars) and the closing summary: proved, submitted, short, failed, time. Only public
 * facts are shown: accounts, statuses and reasons, never a figure of a portfolio.
 */
import { SingleBar } from "cli-progress";
import { progressEnabled } from "../io/progress";
import type { RelayStats } from "../relay/relayer";
import type { RefusedFile } from "./plan";
import type { JobOutcome } from "./results";

/** Counts of a batch's outcomes. */
export interface BatchTally {
  jobs: number;
  /** Jobs with a proof (submitted ones included). */
  proved: number;
  submitted: number;
  short: number;
  failed: number;
  /** Jobs found already done, with nothing proved or submitted this time. */
  reused: number;
}

/** Counts `outcomes`. */
export function tallyOutcomes(outcomes: readonly JobOutcome[]): BatchTally {
  const count = (test: (o: JobOutcome) => boolean) => outcomes.filter(test).length;
  return {
    jobs: outcomes.length,
    proved: count((o) => o.status === "proved" || o.status === "submitted"),
    submitted: count((o) => o.status === "submitted"),
    short: count((o) => o.status === "short"),
    failed: count((o) => o.status === "failed"),
    reused: count((o) => o.reused),
  };
}

/** A progress bar over a batch; a no-op off a terminal or in CI. */
export class BatchProgress {
  private readonly bar?: SingleBar;
  private readonly outcomes: JobOutcome[] = [];

  constructor(total: number, stream: NodeJS.WriteStream = process.stderr) {
    if (!progressEnabled(stream)) return;
    this.bar = new SingleBar({
      stream,
      format:
        "batch [{bar}] {value}/{total} jobs | proved {proved}, short {short}, failed {failed} | {duration_formatted}",
      hideCursor: true,
      clearOnComplete: true,
    });
    this.bar.start(total, 0, { proved: 0, short: 0, failed: 0 });
  }

  /** Counts one finished job. */
  add(outcome: JobOutcome): void {
    this.outcomes.push(outcome);
    const t = tallyOutcomes(this.outcomes);
    this.bar?.update(t.jobs, { proved: t.proved, short: t.short, failed: t.failed });
  }

  stop(): void {
    this.bar?.stop();
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The summary lines of a batch. */
export function summaryLines(
  outcomes: readonly JobOutcome[],
  refused: readonly RefusedFile[],
  elapsedMs: number,
  relay?: RelayStats,
): string[] {
  const t = tallyOutcomes(outcomes);
  const lines = [
    `batch: ${t.jobs} jobs in ${seconds(elapsedMs)}: ${t.proved} proved (${t.submitted} submitted), ` +
      `${t.short} short, ${t.failed} failed` +
      (t.reused > 0 ? `; ${t.reused} already done before this run` : "") +
      (refused.length > 0 ? `; ${refused.length} files refused` : ""),
  ];
  const made = outcomes.filter((o) => !o.reused && o.provingMs !== undefined);
  if (made.length > 0) {
    const mean = made.reduce((sum, o) => sum + (o.provingMs ?? 0), 0) / made.length;
    lines.push(`proving: ${made.length} proofs, ${seconds(mean)} each on average`);
  }
  if (relay !== undefined) lines.push(relayLine(relay));
  for (const o of outcomes.filter((o) => o.status === "short")) {
    lines.push(`short: ${o.account} (report: ${o.resultDir}/report.json, private)`);
  }
  for (const o of outcomes.filter((o) => o.status === "failed")) {
    lines.push(`failed: ${o.account}: ${o.reason ?? "unknown reason"}`);
  }
  for (const r of refused) lines.push(`refused: ${r.reason}`);
  return lines;
}

/** What the relayer did: its `proveBatch` transactions and their items' fates. */
export function relayLine(relay: RelayStats): string {
  const sizes = relay.batches.length > 0 ? ` (sizes ${relay.batches.join(", ")})` : "";
  return (
    `relayer: ${relay.batches.length} proveBatch transactions${sizes}: ${relay.accepted} accepted, ` +
    `${relay.skipped} skipped, ${relay.adopted} adopted (already recorded), ` +
    `${relay.refused} refused by the local check`
  );
}
