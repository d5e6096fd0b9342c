/** Writing the audit reports to the files the CLI was given (atomically). */
import type { AuditResult } from "../audit/checklist";
import { writeFileAtomic } from "../io/atomic-write";
import { auditReportHtml, auditReportMarkdown, type AuditReportExtras } from "./audit-report";

/** Where to write an audit's reports; each is optional. */
export interface AuditReportFiles {
  html?: string;
  md?: string;
}

/**
 * Writes the HTML and/or Markdown report of `result`. A report that carries a disclosed margin
 * report (private figures) is written with owner-only permissions. Returns the files written.
 */
export function writeAuditReports(
  result: AuditResult<unknown>,
  files: AuditReportFiles,
  extras: AuditReportExtras = {},
): string[] {
  const mode = extras.marginReport === undefined ? 0o644 : 0o600;
  const written: string[] = [];
  if (files.html !== undefined) {
    writeFileAtomic(files.html, auditReportHtml(result, extras), { mode });
    written.push(files.html);
  }
  if (files.md !== undefined) {
    writeFileAtomic(files.md, auditReportMarkdown(result, extras), { mode });
    written.push(files.md);
  }
  return written;
}
