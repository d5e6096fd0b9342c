/**
 * An audit is a checklist: named checks, each PASS or FAIL with a one-line detail, plus WARN
 * (holds, but must be read: e.g. development keys), INFO (a fact, not a check) and SKIP (not run
 * because a check it depends on failed). An audit passes only when no check failed or was skipped.
 * An audit that met development keys or a development ptau says so in its verdict ("development
 * setup"), so it never reads as a plain pass. Every result carries the time it was made and the
 * tool's version. Rendered as text for people and as JSON for machines. Details never carry
 * private values.
 */
import { toJson } from "../io/json";
import { isoTime } from "../report/format";
import { TOOL } from "../version";

/** The outcome of one check. */
export type CheckStatus = "pass" | "fail" | "warn" | "skip" | "info";

/** One line of the checklist. */
export interface Check {
  status: CheckStatus;
  /** What was checked, phrased as the property that must hold. */
  title: string;
  /** Why it holds or not: the file, the values compared, the error. */
  detail: string;
}

/** The audits `zkmargin audit` runs. */
export type AuditKind = "keys" | "ceremony" | "opening" | "chain" | "policy";

/** A finished audit: its checklist, its verdict and the facts it established (`data`). */
export interface AuditResult<D> {
  audit: AuditKind;
  /** What was audited (an instance, a folder, an opening, a registry). */
  subject: string;
  /** True when no check failed or was skipped. */
  ok: boolean;
  checks: Check[];
  data: D;
  /**
   * What makes the audited setup a development one (development keys, a development ptau), one
   * phrase each; empty when the audit met none.
   */
  development: string[];
  /** When the audit ran: ISO-8601 UTC, to the second. */
  checkedAt: string;
  /** The tool and its version, e.g. "zkmargin 0.1.0". */
  tool: string;
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Collects checks in order. */
export class Checklist {
  readonly checks: Check[] = [];
  readonly development: string[] = [];

  /** Adds a line. */
  add(status: CheckStatus, title: string, detail = ""): void {
    this.checks.push({ status, title, detail });
  }

  /** Adds a PASS or FAIL line; returns `holds`. */
  expect(title: string, holds: boolean, passDetail: string, failDetail: string): boolean {
    this.add(holds ? "pass" : "fail", title, holds ? passDetail : failDetail);
    return holds;
  }

  /**
   * Runs `work`; a throw is a FAIL carrying the error's message (which names the file at fault),
   * a result is a PASS described by `describe`. Returns the result, or undefined on failure.
   */
  async attempt<T>(
    title: string,
    work: () => T | Promise<T>,
    describe: (value: T) => string = () => "",
  ): Promise<T | undefined> {
    try {
      const value = await work();
      this.add("pass", title, describe(value));
      return value;
    } catch (error) {
      this.add("fail", title, message(error));
      return undefined;
    }
  }

  /** Adds a SKIP line: `title` was not checked because `reason`. */
  skip(title: string, reason: string): void {
    this.add("skip", title, `not checked: ${reason}`);
  }

  /**
   * Records that the audited setup is a development one and why (e.g. "development keys of
   * instance small"); the caller adds the checklist line that explains it.
   */
  developmentSetup(reason: string): void {
    if (!this.development.includes(reason)) this.development.push(reason);
  }

  /** True when no line failed or was skipped. */
  get ok(): boolean {
    return this.checks.every((c) => c.status !== "fail" && c.status !== "skip");
  }

  /** The finished audit. */
  result<D>(audit: AuditKind, subject: string, data: D): AuditResult<D> {
    return {
      audit,
      subject,
      ok: this.ok,
      checks: [...this.checks],
      data,
      development: [...this.development],
      checkedAt: isoTime(Math.floor(Date.now() / 1000)),
      tool: TOOL,
    };
  }
}

/** The setup facts of a manifest entry (or a ceremony transcript) that make it a development one. */
export interface SetupKind {
  kind?: "development" | "ceremony";
  ptau: { name: string; source: "development" | "production" };
}

/**
 * Records on `list` what makes instance `instance`'s setup a development one, if anything; with
 * `warn`, also a WARN line saying so (for audits that have no setup-kind line of their own).
 */
export function noteDevelopmentSetup(
  list: Checklist,
  instance: string,
  setup: SetupKind,
  warn = false,
): void {
  const reasons = [
    ...(setup.kind === "development" ? [`development keys of instance ${instance}`] : []),
    ...(setup.ptau.source === "development" ? [`development ptau ${setup.ptau.name}`] : []),
  ];
  for (const reason of reasons) list.developmentSetup(reason);
  if (warn && reasons.length > 0) {
    list.add(
      "warn",
      `development setup: ${reasons.join(", ")}`,
      "whoever ran the setup could forge proofs; production policies use ceremony keys on a published ptau",
    );
  }
}

const LABELS: Record<CheckStatus, string> = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  skip: "SKIP",
  info: "INFO",
};

/** Counts of each status. */
export function tally(checks: readonly Check[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, warn: 0, skip: 0, info: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/** The counts line: "3 passed, 0 failed, 0 skipped, 1 warnings". */
export function countsText(checks: readonly Check[]): string {
  const n = tally(checks);
  return `${n.pass} passed, ${n.fail} failed, ${n.skip} skipped, ${n.warn} warnings`;
}

/** The verdict of an audit in words, and the tone a report shows it in. */
export interface AuditVerdict {
  /** "AUDIT PASSED", "AUDIT PASSED ON A DEVELOPMENT SETUP" or "AUDIT FAILED". */
  text: string;
  tone: "good" | "warn" | "bad";
  /** "development setup, not for production: development keys of instance small, ..." or "". */
  setup: string;
}

/** The verdict: a pass that met a development setup is never a plain (green) pass. */
export function auditVerdict(result: AuditResult<unknown>): AuditVerdict {
  const setup =
    result.development.length === 0
      ? ""
      : `development setup, not for production: ${result.development.join("; ")}`;
  if (!result.ok) return { text: "AUDIT FAILED", tone: "bad", setup };
  if (setup !== "") return { text: "AUDIT PASSED ON A DEVELOPMENT SETUP", tone: "warn", setup };
  return { text: "AUDIT PASSED", tone: "good", setup };
}

/** "checked 2025-11-25T12:00:00Z by zkmargin 0.1.0". */
export function provenance(result: AuditResult<unknown>): string {
  return `checked ${result.checkedAt} by ${result.tool}`;
}

/** The checklist as text: a heading, one line per check, an optional appendix, the verdict. */
export function formatAudit(result: AuditResult<unknown>, appendix?: string): string {
  const lines = [`zkmargin audit ${result.audit}: ${result.subject}`, provenance(result), ""];
  for (const c of result.checks) {
    lines.push(`  ${LABELS[c.status]}  ${c.title}`);
    if (c.detail !== "") lines.push(`        ${c.detail}`);
  }
  if (appendix !== undefined && appendix.trim() !== "") lines.push("", appendix.trimEnd());
  const verdict = auditVerdict(result);
  lines.push("", `${verdict.text} (${countsText(result.checks)})`);
  if (verdict.setup !== "") lines.push(verdict.setup);
  return `${lines.join("\n")}\n`;
}

/** The audit as JSON (bigints as decimal strings), with the status counts. */
export function auditToJson(result: AuditResult<unknown>): string {
  return toJson({ ...result, summary: tally(result.checks) });
}
