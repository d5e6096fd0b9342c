/**
 * An account's status in words (prover/src/status): each rule of `isMarginSufficient` that a
 * status breaks is a reason, in words with its times; a status that counts says until when and
 * why, and what is pending; the registry's own answer decides when the rules disagree with it.
 * The same verbs on a real chain: test/watch-cli.test.ts.
 */
import { expect } from "chai";
import { formatStatus, judgeStatus, statusToJson, type StatusFacts } from "../prover/src/status";

const NOW = 1_800_000_000n;
const ROUND_TIME = NOW - 600n;
const CUSTODIAN = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

/** The facts of a status that counts (round 7, ten minutes old), with `edit` applied. */
function facts(edit: (f: StatusFacts) => void = () => undefined): StatusFacts {
  const f: StatusFacts = {
    account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    policyId: `0x${"ab".repeat(32)}`,
    maxAge: 3_600n,
    block: { number: 42, timestamp: NOW },
    sufficient: true,
    status: {
      round: 7n,
      roundTimestamp: ROUND_TIME,
      nonce: 3n,
      custodian: CUSTODIAN,
      custodianId: 1n,
      custodianActive: true,
      attestationIssuedAt: NOW - 1_000n,
      attestationValidUntil: NOW + 86_400n,
      revoked: false,
    },
    call: { state: "none", round: 0n, calledAt: 0n, cureWindow: 0n, deadline: 0n },
    policy: {
      policyId: `0x${"ab".repeat(32)}`,
      commitment: 1n,
      mode: "maintenance",
      verifier: CUSTODIAN,
      verificationKeyHash: `0x${"cd".repeat(32)}`,
      feed: `0x${"ef".repeat(32)}`,
      maxRoundAge: 3_600n,
      supersededGrace: 300n,
      requiresAttestation: true,
      cureWindow: 900n,
      retired: false,
    },
    round: {
      commitment: 5n,
      timestamp: ROUND_TIME,
      postedAt: ROUND_TIME,
      supersededAt: 0n,
      outdated: false,
      invalid: false,
    },
    feedHead: { firstRound: 1n, latestRound: 7n, latestTimestamp: ROUND_TIME },
  };
  edit(f);
  return f;
}

/** The verdict on facts the registry says do not count. */
const refused = (edit: (f: StatusFacts) => void) =>
  judgeStatus(
    facts((f) => {
      f.sufficient = false;
      edit(f);
    }),
  );

describe("status in words", function () {
  it("a status that counts says until when, and why then", function () {
    const verdict = judgeStatus(facts());
    expect(verdict.counts).to.equal(true);
    expect(verdict.reasons).to.deep.equal([]);
    expect(verdict.until).to.deep.equal({
      time: ROUND_TIME + 3_601n,
      what: "the round grows older than the max age",
    });
    const text = formatStatus(facts(), verdict, "desk-maintenance-v1");
    expect(text).to.match(
      /^verdict +COUNTS: isMarginSufficient\(account, policy, 3600 s \(1 h\)\) is true; until 1800003001 \(2027-01-15T08:50:01Z\), when the round grows older than the max age$/m,
    );
    expect(text).to.match(/^policy +desk-maintenance-v1 \(0xabab/m);
    expect(text).to.match(
      /^status +round 7 \(timestamp 1799999400 \(2027-01-15T07:50:00Z\)\), nonce 3$/m,
    );
  });

  it("no status", function () {
    const verdict = refused((f) => {
      f.status = { ...f.status, nonce: 0n, round: 0n };
      delete f.round;
    });
    expect(verdict.reasons).to.deep.equal([
      "no status: the registry has accepted no proof of this account under this policy",
    ]);
  });

  it("a stale round, against the max age asked", function () {
    const verdict = refused((f) => (f.maxAge = 60n));
    expect(verdict.reasons).to.deep.equal([
      "stale round: round 7's timestamp 1799999400 (2027-01-15T07:50:00Z) is 600 s (10 min) old, more " +
        "than the max age of 60 s (1 min); prove on a fresh round",
    ]);
  });

  it("a superseded round past the grace, an outdated one, an invalidated one", function () {
    const past = refused((f) => {
      f.round = { ...f.round!, supersededAt: NOW - 400n };
      f.feedHead = { ...f.feedHead!, latestRound: 8n };
    });
    expect(past.reasons).to.deep.equal([
      "round 7 is superseded: a newer round was posted at 1799999600 (2027-01-15T07:53:20Z) and the " +
        "policy's grace of 300 s (5 min) ended at 1799999900 (2027-01-15T07:58:20Z); prove on the feed's latest round",
    ]);
    expect(refused((f) => (f.round = { ...f.round!, outdated: true })).reasons[0]).to.match(
      /^round 7 is superseded: two newer rounds were posted/,
    );
    expect(refused((f) => (f.round = { ...f.round!, invalid: true })).reasons[0]).to.equal(
      "round 7 was invalidated by the publisher: prove on a newer round",
    );
  });

  it("within the grace, counts with a note and ends with the grace", function () {
    const verdict = judgeStatus(
      facts((f) => {
        f.round = { ...f.round!, supersededAt: NOW - 100n };
        f.feedHead = { ...f.feedHead!, latestRound: 8n };
      }),
    );
    expect(verdict.counts).to.equal(true);
    expect(verdict.until).to.deep.equal({
      time: NOW + 200n,
      what: "the superseded round's grace ends",
    });
    expect(verdict.notes).to.include(
      "a newer round 8 is posted: prove on it before this one stops counting",
    );
  });

  it("an attestation expired, revoked, or from a removed custodian", function () {
    expect(
      refused((f) => (f.status = { ...f.status, attestationValidUntil: NOW - 1n })).reasons,
    ).to.deep.equal([
      "the attestation expired at 1799999999 (2027-01-15T07:59:59Z): the custodian must attest again",
    ]);
    expect(refused((f) => (f.status = { ...f.status, revoked: true })).reasons[0]).to.match(
      new RegExp(`^the attestation was revoked: custodian ${CUSTODIAN} revoked`),
    );
    expect(
      refused((f) => (f.status = { ...f.status, custodianActive: false })).reasons[0],
    ).to.equal(
      `custodian ${CUSTODIAN} was removed from the policy (registration 1): its attestations no ` +
        "longer count; a registered custodian must attest again",
    );
  });

  it("a retired policy, and several reasons at once", function () {
    const verdict = refused((f) => {
      f.policy = { ...f.policy!, retired: true };
      f.status = { ...f.status, revoked: true };
      f.maxAge = 1n;
    });
    expect(verdict.reasons.map((r) => r.split(":")[0])).to.deep.equal([
      "the policy is retired",
      "the attestation was revoked",
      "stale round",
    ]);
  });

  it("a margin call: pending counts until its deadline, expired does not", function () {
    const pending = judgeStatus(
      facts(
        (f) =>
          (f.call = {
            state: "pending",
            round: 7n,
            calledAt: NOW - 100n,
            cureWindow: 900n,
            deadline: NOW + 800n,
          }),
      ),
    );
    expect(pending.counts).to.equal(true);
    expect(pending.until).to.deep.equal({
      time: NOW + 800n,
      what: "the margin call's deadline comes",
    });
    expect(pending.notes[0]).to.match(
      /^margin call pending: called at 1799999900 \(.*\); the account must prove on a round after 7 before 1800000800 \(.*\) \(in 13 min 20 s\)$/,
    );
    const expired = refused(
      (f) =>
        (f.call = {
          state: "expired",
          round: 7n,
          calledAt: NOW - 1_000n,
          cureWindow: 900n,
          deadline: NOW - 100n,
        }),
    );
    // No round has followed the call yet: its deadline has not started, and ends nothing.
    const waiting = judgeStatus(
      facts(
        (f) =>
          (f.call = {
            state: "pending",
            round: 7n,
            calledAt: NOW - 100n,
            cureWindow: 900n,
            deadline: 0n,
          }),
      ),
    );
    expect(waiting.counts).to.equal(true);
    expect(waiting.until?.what).to.not.equal("the margin call's deadline comes");
    expect(waiting.notes[0]).to.match(
      /^margin call pending: called at 1799999900 \(.*\); the account must prove on a round after 7 within 900 s \(15 min\) of the next round's posting \(no round has followed the call yet, so its deadline has not started\)$/,
    );
    expect(expired.reasons[0]).to.match(
      /^margin call expired: called at 1799999000 \(.*\), uncured at its deadline 1799999900 \(.*\); the account must prove on a round after 7$/,
    );
  });

  it("the registry decides when its answer and these rules disagree, and says so", function () {
    const verdict = refused(() => undefined);
    expect(verdict.counts).to.equal(false);
    expect(verdict.reasons).to.deep.equal(["the registry's isMarginSufficient is false"]);
    expect(verdict.notes[0]).to.match(
      /^the registry's isMarginSufficient says false, while the rules/,
    );
  });

  it("gives the same as JSON, integers as decimal strings", function () {
    const f = facts((x) => (x.maxAge = 60n));
    const json = JSON.parse(
      statusToJson({ ...f, sufficient: false }, judgeStatus({ ...f, sufficient: false })),
    ) as {
      counts: boolean;
      reasons: string[];
      maxAge: string;
      status: { round: string };
    };
    expect(json.counts).to.equal(false);
    expect(json.reasons[0]).to.match(/^stale round/);
    expect([json.maxAge, json.status.round]).to.deep.equal(["60", "7"]);
  });
});
