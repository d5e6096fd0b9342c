/** An account's status in words (`zkmargin status`), as text for people or JSON for machines. */
import { deadlineText } from "../chain/margin-calls";
import { toJson } from "../io/json";
import { seconds, unixTime } from "../time";
import type { StatusVerdict } from "./judge";
import type { StatusFacts } from "./read";

/** `label  value` rows, the labels padded to one width. */
function rows(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** The status as text: the verdict first, with its reasons, then the facts it rests on. */
export function formatStatus(
  facts: StatusFacts,
  verdict: StatusVerdict,
  policyName?: string,
): string {
  const s = facts.status;
  const p = facts.policy;
  const asked = `isMarginSufficient(account, policy, ${seconds(facts.maxAge)}) is ${verdict.counts}`;
  const head = verdict.counts
    ? `COUNTS: ${asked}` +
      (verdict.until ? `; until ${unixTime(verdict.until.time)}, when ${verdict.until.what}` : "")
    : `DOES NOT COUNT: ${asked}`;
  const pairs: [string, string][] = [
    ["account", facts.account],
    ["policy", policyName === undefined ? facts.policyId : `${policyName} (${facts.policyId})`],
    ["checked at", `block ${facts.block.number}, ${unixTime(facts.block.timestamp)}`],
    ["verdict", head],
  ];
  for (const reason of verdict.reasons) pairs.push(["why", reason]);
  if (p !== null) {
    pairs.push([
      "policy rules",
      `${p.retired ? "RETIRED" : "active"}, ${p.mode}; max round age ${seconds(p.maxRoundAge)}, ` +
        `superseded grace ${seconds(p.supersededGrace)}, cure window ${seconds(p.cureWindow)}, ` +
        `attestation ${p.requiresAttestation ? "required" : "not required"}`,
    ]);
  }
  if (s.nonce === 0n) {
    pairs.push(["status", "none"]);
  } else {
    pairs.push([
      "status",
      `round ${s.round} (timestamp ${unixTime(s.roundTimestamp)}), nonce ${s.nonce}`,
    ]);
    pairs.push([
      "attestation",
      s.custodianId === 0n
        ? "none (the policy requires none)"
        : `by ${s.custodian} (registration ${s.custodianId}, ${s.custodianActive ? "active" : "REMOVED"}), ` +
          `issued ${unixTime(s.attestationIssuedAt)}, valid until ${unixTime(s.attestationValidUntil)}` +
          (s.revoked ? ", REVOKED" : ", not revoked"),
    ]);
  }
  const c = facts.call;
  pairs.push([
    "margin call",
    c.state === "none"
      ? "none"
      : `${c.state}: called ${unixTime(c.calledAt)} after round ${c.round}, prove on a later round ${deadlineText(c)}`,
  ]);
  if (facts.feedHead !== undefined) {
    pairs.push([
      "feed",
      facts.feedHead.latestRound === 0n
        ? "no round posted yet"
        : `latest round ${facts.feedHead.latestRound} (timestamp ${unixTime(facts.feedHead.latestTimestamp)})`,
    ]);
  }
  for (const note of verdict.notes) pairs.push(["note", note]);
  return `${rows(pairs)}\n`;
}

/** The status as JSON: the verdict, then every fact (integers as decimal strings). */
export function statusToJson(
  facts: StatusFacts,
  verdict: StatusVerdict,
  policyName?: string,
): string {
  return toJson({
    account: facts.account,
    policyId: facts.policyId,
    ...(policyName === undefined ? {} : { policy: policyName }),
    counts: verdict.counts,
    reasons: verdict.reasons,
    notes: verdict.notes,
    until: verdict.until ?? null,
    maxAge: facts.maxAge,
    block: facts.block,
    status: facts.status,
    marginCall: facts.call,
    registration: facts.policy,
    round: facts.round ?? null,
    feedHead: facts.feedHead ?? null,
  });
}
