/**
 * The auditor's checklist as one self-contained HTML file (`zkmargin audit ... --html`) and as
 * Markdown (`--md`): the verdict, every check with its status and detail, the notes the CLI
 * prints after the list, and, for `audit chain`, the registered policies and each account's
 * `MarginProved` timeline; for `audit policy`, the policy's id, layout, feed and commitment; for
 * `audit opening`, the margin report of the opened portfolio.
 */
import type { ChainAuditData } from "../audit/chain";
import type { PolicyAuditData } from "../audit/policy";
import {
  auditVerdict,
  countsText,
  provenance,
  type AuditResult,
  type Check,
  type CheckStatus,
} from "../audit/checklist";
import type { Policy } from "../inputs/types";
import { formatReport } from "../model/format";
import type { MarginReport } from "../model/report";
import { shorten } from "./format";
import { badge, dataTable, esc, facts, htmlDocument, section } from "./html";
import { marginReportBody } from "./margin-html";
import { byAccount, mdCell, timelineHtml, timelineMarkdown } from "./timeline";

/** What an audit report shows besides the checklist. */
export interface AuditReportExtras {
  /** Lines the CLI prints after the checklist (e.g. the vkey hash to register). */
  notes?: readonly string[];
  /** The margin report of a disclosed opening (private figures, shown with the holder's consent). */
  marginReport?: MarginReport;
  /** Its policy, for amounts in whole tokens. */
  policy?: Policy;
}

const LABEL: Record<CheckStatus, string> = {
  pass: "PASS",
  fail: "FAIL",
  warn: "WARN",
  skip: "SKIP",
  info: "INFO",
};

/** The chain audit's data, when `result` is a chain audit. */
function chainData(result: AuditResult<unknown>): ChainAuditData | undefined {
  return result.audit === "chain" ? (result.data as ChainAuditData) : undefined;
}

/** The policy audit's data, when `result` is a policy audit. */
function policyData(result: AuditResult<unknown>): PolicyAuditData | undefined {
  return result.audit === "policy" ? (result.data as PolicyAuditData) : undefined;
}

/** What a policy audit computed, as label/value pairs (values plain text). */
function policyFacts(data: PolicyAuditData): [string, string][] {
  return [
    ["On-chain policy id", data.policyId ?? "not computed (the file did not parse)"],
    ["Layout id", data.layoutId === undefined ? "not computed" : data.layoutId.toString()],
    ["MarketBook feed", data.feed ?? "not computed"],
    [
      "Policy commitment",
      data.commitment === undefined ? "not computed" : data.commitment.toString(),
    ],
  ];
}

/** The policy audit's facts and well-formedness problems, in HTML. */
function policyHtml(data: PolicyAuditData): string {
  const problems =
    data.problems.length === 0
      ? "<p>No well-formedness problem.</p>"
      : dataTable(
          "Well-formedness problems",
          ["field", "rule"],
          data.problems.map((p) => [`<span class="mono">${esc(p.path)}</span>`, esc(p.rule)]),
          true,
        );
  return section(
    "policy-facts",
    "The policy",
    facts(policyFacts(data).map(([k, v]) => [k, `<span class="mono">${esc(v)}</span>`])) + problems,
  );
}

/** The same in Markdown. */
function policyMarkdown(data: PolicyAuditData): string[] {
  return [
    "## The policy",
    "",
    ...policyFacts(data).map(([k, v]) => `- ${k}: \`${v}\``),
    "",
    ...(data.problems.length === 0
      ? ["No well-formedness problem.", ""]
      : [
          "| field | rule |",
          "| --- | --- |",
          ...data.problems.map((p) => `| \`${mdCell(p.path)}\` | ${mdCell(p.rule)} |`),
          "",
        ]),
  ];
}

function checklistHtml(checks: readonly Check[]): string {
  const rows = checks.map(
    (c) =>
      `<tr><td class="status status-${c.status}">${LABEL[c.status]}</td>` +
      `<th scope="row">${esc(c.title)}</th><td class="detail">${esc(c.detail)}</td></tr>`,
  );
  return (
    `<div class="table-scroll" role="region" aria-label="Checks" tabindex="0"><table class="checks">` +
    `<caption>Checks, in the order they ran</caption>` +
    `<thead><tr><th scope="col">status</th><th scope="col">check</th><th scope="col">detail</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table></div>`
  );
}

function chainHtml(data: ChainAuditData): string {
  const contracts = dataTable(
    "Contracts",
    ["contract", "address"],
    [
      ["MarginRegistry", `<span class="mono">${esc(data.registry)}</span>`],
      ...(data.marketBook
        ? [["MarketBook", `<span class="mono">${esc(data.marketBook)}</span>`]]
        : []),
      ...(data.policyRegistry
        ? [["PolicyRegistry", `<span class="mono">${esc(data.policyRegistry)}</span>`]]
        : []),
    ],
    true,
  );
  const policies = dataTable(
    "Registered policies",
    [
      "policy",
      "state",
      "feed (layout)",
      "verifier",
      "verification key hash",
      "local instance",
      "max round age",
      "superseded grace",
      "attestation",
    ],
    data.policies.map((p) => [
      `<span class="mono">${esc(shorten(p.policyId))}</span>`,
      `${esc(p.mode)}, ${p.retired ? "retired" : "active"}`,
      `<span class="mono">${esc(shorten(p.feed))}</span>`,
      `<span class="mono">${esc(p.verifier)}</span>`,
      `<span class="mono">${esc(shorten(p.verificationKeyHash))}</span>`,
      esc(p.instance ?? "none"),
      `${esc(p.maxRoundAge)} s`,
      `${esc(p.supersededGrace)} s`,
      p.requiresAttestation ? "required" : "not required",
    ]),
    true,
  );
  const accounts = [...byAccount(data.events)].map(([account, events]) =>
    section(
      `timeline-${account.toLowerCase()}`,
      `Account ${account}`,
      `<p>${events.length} accepted proof(s).</p>${timelineHtml(events)}`,
      3,
    ),
  );
  return (
    section("chain-contracts", "Contracts and policies", contracts + policies) +
    section(
      "chain-timelines",
      "Account timelines",
      accounts.length > 0 ? accounts.join("") : "<p>No <code>MarginProved</code> event.</p>",
    )
  );
}

/** The audit as a self-contained HTML document. */
export function auditReportHtml(
  result: AuditResult<unknown>,
  extras: AuditReportExtras = {},
): string {
  const verdict = auditVerdict(result);
  const notes =
    extras.notes && extras.notes.length > 0
      ? section(
          "audit-notes",
          "Notes",
          extras.notes.map((n) => `<p class="mono">${esc(n)}</p>`).join(""),
        )
      : "";
  const chain = chainData(result);
  const policy = policyData(result);
  const opening = extras.marginReport
    ? `<section class="report-section" aria-label="Margin report of the opened portfolio">` +
      `<p class="muted">The holder disclosed this portfolio to the auditor; the figures below are private.</p>` +
      marginReportBody(extras.marginReport, {
        idPrefix: "opening",
        ...(extras.policy ? { policy: extras.policy } : {}),
      }) +
      `</section>`
    : "";
  const body =
    `<header><h1>zkmargin audit ${esc(result.audit)}</h1><p>${esc(result.subject)}</p>` +
    `<p class="muted" id="audit-provenance">${esc(provenance(result))}</p>` +
    `<p class="headline">${badge(verdict.text, verdict.tone)}<span>${esc(countsText(result.checks))}</span></p>` +
    (verdict.setup === ""
      ? ""
      : `<p class="setup-warning" role="note">${badge("DEVELOPMENT SETUP", "warn")} not for production: ${esc(result.development.join("; "))}</p>`) +
    `</header>` +
    section("audit-checks", "Checklist", checklistHtml(result.checks)) +
    notes +
    (policy ? policyHtml(policy) : "") +
    (chain ? chainHtml(chain) : "") +
    opening;
  return htmlDocument(`zkmargin audit ${result.audit}: ${result.subject}`, body);
}

/** The audit as Markdown. */
export function auditReportMarkdown(
  result: AuditResult<unknown>,
  extras: AuditReportExtras = {},
): string {
  const verdict = auditVerdict(result);
  const out: string[] = [
    `# zkmargin audit ${result.audit}`,
    "",
    result.subject,
    "",
    `_${provenance(result)}_`,
    "",
    `**${verdict.text}** (${countsText(result.checks)})`,
    "",
    ...(verdict.setup === ""
      ? []
      : [`> **DEVELOPMENT SETUP**, not for production: ${result.development.join("; ")}`, ""]),
    "## Checklist",
    "",
    "| status | check | detail |",
    "| --- | --- | --- |",
    ...result.checks.map(
      (c) => `| ${LABEL[c.status]} | ${mdCell(c.title)} | ${mdCell(c.detail)} |`,
    ),
    "",
  ];
  if (extras.notes && extras.notes.length > 0) {
    out.push("## Notes", "", ...extras.notes.map((n) => `- ${n}`), "");
  }
  const policy = policyData(result);
  if (policy) out.push(...policyMarkdown(policy));
  const chain = chainData(result);
  if (chain) {
    out.push(
      "## Contracts and policies",
      "",
      `- MarginRegistry \`${chain.registry}\``,
      ...(chain.marketBook ? [`- MarketBook \`${chain.marketBook}\``] : []),
      ...(chain.policyRegistry ? [`- PolicyRegistry \`${chain.policyRegistry}\``] : []),
      "",
      "| policy | state | feed (layout) | verifier | verification key hash | local instance | max round age | superseded grace | attestation |",
      "| --- | --- | --- | --- | --- | --- | ---: | ---: | --- |",
      ...chain.policies.map(
        (p) =>
          `| \`${p.policyId}\` | ${p.mode}, ${p.retired ? "retired" : "active"} | \`${p.feed}\` | \`${p.verifier}\` | \`${p.verificationKeyHash}\` | ${p.instance ?? "none"} | ${p.maxRoundAge} s | ${p.supersededGrace} s | ${p.requiresAttestation ? "required" : "not required"} |`,
      ),
      "",
      "## Account timelines",
      "",
    );
    const accounts = [...byAccount(chain.events)];
    if (accounts.length === 0) out.push("No `MarginProved` event.", "");
    for (const [account, events] of accounts) {
      out.push(`### Account ${account}`, "", timelineMarkdown(events));
    }
  }
  if (extras.marginReport) {
    out.push(
      "## Margin report of the opened portfolio",
      "",
      "The holder disclosed this portfolio to the auditor; the figures below are private.",
      "",
      "```text",
      formatReport(extras.marginReport, extras.policy).trimEnd(),
      "```",
      "",
    );
  }
  return out.join("\n");
}
