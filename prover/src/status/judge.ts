/**
 * Whether an account's status counts, and why, in words: the rules of
 * `MarginRegistry.isMarginSufficient` applied to the facts read from the chain, each broken rule a
 * reason, and what a counterparty should know of a status that counts (a pending margin call, a
 * grace running out, when it stops counting). The registry's own answer decides; when the rules
 * here disagree with it (a newer contract), the verdict says so.
 */
import { deadlineText } from "../chain/margin-calls";
import { duration, seconds, unixTime } from "../time";
import type { StatusFacts } from "./read";

/** The verdict on a status. */
export interface StatusVerdict {
  /** The registry's answer: whether `isMarginSufficient` is true. */
  counts: boolean;
  /** Why it does not count (empty when it counts). */
  reasons: string[];
  /** What else matters: a pending call, a grace, a newer round, when it stops counting. */
  notes: string[];
  /** When a status that counts stops counting unless the account proves again, and why. */
  until?: { time: bigint; what: string };
}

/** The reasons and notes the rules give. */
function applyRules(f: StatusFacts): {
  reasons: string[];
  notes: string[];
  ends: [bigint, string][];
} {
  const reasons: string[] = [];
  const notes: string[] = [];
  const ends: [bigint, string][] = [];
  const now = f.block.timestamp;
  const s = f.status;
  if (s.nonce === 0n) {
    reasons.push("no status: the registry has accepted no proof of this account under this policy");
    if (f.policy === null) reasons.push(`policy ${f.policyId} is not registered`);
    return { reasons, notes, ends };
  }
  const p = f.policy;
  if (p === null) {
    reasons.push(`policy ${f.policyId} is not registered`);
    return { reasons, notes, ends };
  }
  if (p.retired) reasons.push("the policy is retired: none of its statuses count any more");

  if (s.custodianId !== 0n) {
    if (!s.custodianActive) {
      reasons.push(
        `custodian ${s.custodian} was removed from the policy (registration ${s.custodianId}): ` +
          "its attestations no longer count; a registered custodian must attest again",
      );
    }
    if (now > s.attestationValidUntil) {
      reasons.push(
        `the attestation expired at ${unixTime(s.attestationValidUntil)}: the custodian must attest again`,
      );
    } else {
      ends.push([s.attestationValidUntil + 1n, "the attestation expires"]);
    }
    if (s.revoked) {
      reasons.push(
        `the attestation was revoked: custodian ${s.custodian} revoked the account's attestations ` +
          `issued before a time after this one's ${unixTime(s.attestationIssuedAt)}`,
      );
    }
  }

  const c = f.call;
  if (c.state === "expired") {
    reasons.push(
      `margin call expired: called at ${unixTime(c.calledAt)}, uncured at its deadline ` +
        `${unixTime(c.deadline)}; the account must prove on a round after ${c.round}`,
    );
  } else if (c.state === "pending") {
    notes.push(
      `margin call pending: called at ${unixTime(c.calledAt)}; the account must prove on a round ` +
        `after ${c.round} ${deadlineText(c)}` +
        (c.deadline === 0n
          ? " (no round has followed the call yet, so its deadline has not started)"
          : ` (in ${duration(c.deadline - now)})`),
    );
    if (c.deadline !== 0n) ends.push([c.deadline, "the margin call's deadline comes"]);
  } else if (c.state === "cured") {
    notes.push(
      `margin call cured: the proof on round ${s.round} answered the call after round ${c.round} ` +
        "(not yet settled: settleMarginCall records the cure)",
    );
  }

  const r = f.round;
  if (r !== undefined) {
    if (r.invalid) {
      reasons.push(`round ${s.round} was invalidated by the publisher: prove on a newer round`);
    } else if (r.outdated) {
      reasons.push(
        `round ${s.round} is superseded: two newer rounds were posted; prove on the feed's latest`,
      );
    } else if (r.supersededAt !== 0n) {
      const graceEnd = r.supersededAt + p.supersededGrace;
      if (now >= graceEnd) {
        reasons.push(
          `round ${s.round} is superseded: a newer round was posted at ${unixTime(r.supersededAt)} ` +
            `and the policy's grace of ${seconds(p.supersededGrace)} ended at ${unixTime(graceEnd)}; ` +
            "prove on the feed's latest round",
        );
      } else {
        notes.push(
          `round ${s.round} was superseded at ${unixTime(r.supersededAt)}: it counts for the ` +
            `policy's grace, until ${unixTime(graceEnd)}`,
        );
        ends.push([graceEnd, "the superseded round's grace ends"]);
      }
    }
  }
  const age = now - s.roundTimestamp;
  if (age > f.maxAge) {
    reasons.push(
      `stale round: round ${s.round}'s timestamp ${unixTime(s.roundTimestamp)} is ${seconds(age)} ` +
        `old, more than the max age of ${seconds(f.maxAge)}; prove on a fresh round`,
    );
  } else {
    ends.push([s.roundTimestamp + f.maxAge + 1n, "the round grows older than the max age"]);
  }
  const latest = f.feedHead?.latestRound ?? 0n;
  if (latest > s.round && reasons.length === 0) {
    notes.push(`a newer round ${latest} is posted: prove on it before this one stops counting`);
  }
  return { reasons, notes, ends };
}

/** The verdict on the facts (see the module comment). */
export function judgeStatus(facts: StatusFacts): StatusVerdict {
  const { reasons, notes, ends } = applyRules(facts);
  const counts = facts.sufficient;
  if (counts !== (reasons.length === 0)) {
    notes.push(
      `the registry's isMarginSufficient says ${counts}, while the rules this version of zkmargin ` +
        `reads say ${reasons.length === 0}: the registry decides (it may be a newer contract)`,
    );
  }
  if (!counts) {
    if (reasons.length === 0) reasons.push("the registry's isMarginSufficient is false");
    return { counts, reasons, notes };
  }
  const first = ends.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))[0];
  return {
    counts,
    reasons: [],
    notes,
    ...(first === undefined ? {} : { until: { time: first[0], what: first[1] } }),
  };
}
