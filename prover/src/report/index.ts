/**
 * Visual reports: the margin report and the audit checklist as self-contained HTML (inline CSS and
 * SVG, no script, no network) and Markdown, shared by the CLI and the verify page.
 */
export { marginReportBody, marginReportHtml, type MarginHtmlOptions } from "./margin-html";
export { auditReportHtml, auditReportMarkdown, type AuditReportExtras } from "./audit-report";
export {
  timelineHtml,
  timelineMarkdown,
  type TimelineEvent,
  type TimelineOptions,
} from "./timeline";
export { REPORT_CSS, esc, htmlDocument } from "./html";
export { writeAuditReports, type AuditReportFiles } from "./write";
