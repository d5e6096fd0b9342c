/** The auditor's checks: keys, ceremony, disclosed openings and on-chain history. */
export {
  Checklist,
  auditToJson,
  formatAudit,
  tally,
  type AuditKind,
  type AuditResult,
  type Check,
  type CheckStatus,
} from "./checklist";
export { auditKeys, type KeysAuditData, type KeysAuditOptions } from "./keys";
export { auditOpening, type OpeningAuditData, type OpeningAuditInput } from "./opening";
export {
  auditChain,
  type AuditedEvent,
  type AuditedPolicy,
  type ChainAuditData,
  type ChainAuditOptions,
} from "./chain";
export { auditCeremony, type CeremonyAuditData, type CeremonyAuditOptions } from "./ceremony";
export { auditPolicy, type PolicyAuditData, type PolicyAuditInput } from "./policy";
