/**
 * An account's `MarginProved` history as a timeline, in HTML (the verify page and `audit chain
 * --html`) and Markdown (`audit chain --md`).
 */
import type { MarginProvedEvent } from "../chain/registry";
import { timelineStrip } from "./charts";
import { isoTime, shorten } from "./format";
import { esc, externalLink } from "./html";

/** One accepted proof: the registry's event, with the times the chain tells. */
export interface TimelineEvent extends MarginProvedEvent {
  /** The block's time (unix seconds), when read. */
  blockTime?: bigint;
  /** The market round's timestamp (unix seconds), when read from the policy's feed. */
  roundTimestamp?: bigint;
  /** The publisher later marked the round invalid. */
  roundInvalid?: boolean;
}

/** Options of the timeline renderers. */
export interface TimelineOptions {
  /** Marks an event (e.g. the proof being verified) as "this proof". */
  isThisProof?: (e: TimelineEvent) => boolean;
  /** Marks the event the registry's current status comes from as "current status". */
  isCurrent?: (e: TimelineEvent) => boolean;
  /** A transaction's page on a block explorer, to link each transaction hash (HTML only). */
  txUrl?: (hash: string) => string;
}

/** Events in chain order (block, then nonce). */
export function chronological(events: readonly TimelineEvent[]): TimelineEvent[] {
  return [...events].sort((a, b) =>
    a.blockNumber !== b.blockNumber
      ? a.blockNumber - b.blockNumber
      : a.nonce < b.nonce
        ? -1
        : a.nonce > b.nonce
          ? 1
          : 0,
  );
}

/** Events grouped by account (checksummed as given), each group in chain order. */
export function byAccount(events: readonly TimelineEvent[]): Map<string, TimelineEvent[]> {
  const groups = new Map<string, TimelineEvent[]>();
  for (const e of chronological(events))
    groups.set(e.account, [...(groups.get(e.account) ?? []), e]);
  return groups;
}

function when(e: TimelineEvent): string {
  return e.blockTime === undefined
    ? `block ${e.blockNumber}`
    : `${isoTime(e.blockTime)}, block ${e.blockNumber}`;
}

function tags(e: TimelineEvent, options: TimelineOptions): string[] {
  return [
    ...(options.isThisProof?.(e) === true ? ["this proof"] : []),
    ...(options.isCurrent?.(e) === true ? ["current status"] : []),
    ...(e.roundInvalid === true ? ["round invalidated"] : []),
  ];
}

/** A transaction hash, shortened, and linked when `options.txUrl` is given. */
function txHtml(hash: string, options: TimelineOptions): string {
  const text = esc(shorten(hash));
  return options.txUrl === undefined
    ? `<span class="mono">${text}</span>`
    : externalLink(options.txUrl(hash), text, `transaction ${hash} on the block explorer`);
}

/** One account's events as a strip (one tick per proof) and an ordered list, oldest first. */
export function timelineHtml(
  events: readonly TimelineEvent[],
  options: TimelineOptions = {},
): string {
  if (events.length === 0) return `<p>No <code>MarginProved</code> event.</p>`;
  const ordered = chronological(events);
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  const strip = timelineStrip(
    ordered.map((e) => ({ at: e.blockNumber, highlight: options.isThisProof?.(e) === true })),
    `first: ${when(first)}`,
    `last: ${when(last)}`,
  );
  const items = ordered.map((e) => {
    const marks = tags(e, options);
    const classes = [
      ...(options.isThisProof?.(e) === true ? ["highlight"] : []),
      ...(options.isCurrent?.(e) === true ? ["current"] : []),
    ];
    const round =
      e.roundTimestamp === undefined
        ? `round ${e.round}`
        : `round ${e.round} (${isoTime(e.roundTimestamp)})`;
    return (
      `<li${classes.length > 0 ? ` class="${classes.join(" ")}"` : ""}>` +
      `<strong>${esc(when(e))}</strong>${marks.length > 0 ? ` <span class="badge badge-neutral">${esc(marks.join(", "))}</span>` : ""}<br>` +
      `${esc(round)}, nonce ${esc(e.nonce)}, policy <span class="mono">${esc(shorten(e.policyId))}</span><br>` +
      `<span class="muted">${usedCommitments(e).length === 1 ? "portfolio commitment" : "portfolio commitments"} ` +
      `${usedCommitments(e)
        .map((c) => `<span class="mono">${esc(shorten(c.toString(), 12, 6))}</span>`)
        .join(", ")}, ` +
      `tx ${txHtml(e.transactionHash, options)}</span></li>`
    );
  });
  return `${strip}<ol class="timeline" aria-label="MarginProved events, oldest first">${items.join("")}</ol>`;
}

/** A proof's portfolio commitments in the slots it used (unused slots are zero). */
export function usedCommitments(e: Pick<TimelineEvent, "portfolioCommitments">): bigint[] {
  return e.portfolioCommitments.filter((c) => c !== 0n);
}

/** Markdown cell text: pipes and line breaks escaped. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** One account's events as a Markdown table, oldest first. */
export function timelineMarkdown(
  events: readonly TimelineEvent[],
  options: TimelineOptions = {},
): string {
  if (events.length === 0) return "No `MarginProved` event.\n";
  const rows = chronological(events).map(
    (e) =>
      `| ${e.blockNumber} | ${e.blockTime === undefined ? "" : isoTime(e.blockTime)} | ${e.round} | ${e.nonce} | \`${e.policyId}\` | ${usedCommitments(
        e,
      )
        .map((c) => `\`${c}\``)
        .join(", ")} | \`${e.transactionHash}\` | ${mdCell(tags(e, options).join(", "))} |`,
  );
  return (
    [
      "| block | time | round | nonce | policy | portfolio commitment | transaction | |",
      "| ---: | --- | ---: | ---: | --- | --- | --- | --- |",
      ...rows,
    ].join("\n") + "\n"
  );
}
