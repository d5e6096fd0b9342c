/**
 * An audit is a checklist: named checks, each PASS or FAIL with a one-line detail, plus WARN
 * (holds, but must be read: e.g. development keys), INFO (a fact, not a check) and SKIP (not run
 * because a check it depends on failed). An audit passes only when no check failed or was skipped.
 * Rendered as text for people and as JSON for machines. Details never carry private values.
 */
import { toJson } from "../io/json";

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
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Collects checks in order. */
export class Checklist {
  readonly checks: Check[] = [];

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

  /** True when no line failed or was skipped. */
  get ok(): boolean {
    return this.checks.every((c) => c.status !== "fail" && c.status !== "skip");
  }

  /** The finished audit. */
  result<D>(audit: AuditKind, subject: string, data: D): AuditResult<D> {
    return { audit, subject, ok: this.ok, checks: [...this.checks], data };
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

/** The checklist as text: a heading, one line per check, an optional appendix, the verdict. */
export function formatAudit(result: AuditResult<unknown>, appendix?: string): string {
  const lines = [`zkmargin audit ${result.audit}: ${result.subject}`, ""];
  for (const c of result.checks) {
    lines.push(`  ${LABELS[c.status]}  ${c.title}`);
    if (c.detail !== "") lines.push(`        ${c.detail}`);
  }
  if (appendix !== undefined && appendix.trim() !== "") lines.push("", appendix.trimEnd());
  const n = tally(result.checks);
  const counts = `${n.pass} passed, ${n.fail} failed, ${n.skip} skipped, ${n.warn} warnings`;
  lines.push("", `${result.ok ? "AUDIT PASSED" : "AUDIT FAILED"} (${counts})`);
  return `${lines.join("\n")}\n`;
}

/** The audit as JSON (bigints as decimal strings), with the status counts. */
export function auditToJson(result: AuditResult<unknown>): string {
  return toJson({ ...result, summary: tally(result.checks) });
}
