/**
 * The zkmargin SDK: parse the three input files, compute the margin report, commit, prove and
 * verify, check an opening and pledge it. One obvious call per job:
 *
 * - `loadPolicy` / `loadMarket` / `loadPortfolio` and `checkConsistency`: validated inputs;
 * - `computeMargin` / `formatReport`: the reference model's report (of one portfolio, or of the
 *   sum of several sub-portfolios with each one's share);
 * - `layoutOf` / `layoutIdOf` / `feedIdOf`: the slot layout that binds the three commitments;
 * - `commitPortfolio` / `commitMarket` / `commitPolicy` (on an encoded input) and `randomSalt`;
 * - `generateProof` / `verifyProof` / `decodePublicSignals`: the proof (of one portfolio, or of
 *   several sub-portfolios, one per custodian, with one opening each);
 * - `checkOpening` / `pledgeOpening`: the custodian's check (of its own opening, against the
 *   proof's public signals) and EIP-712 pledge to a venue;
 * - `setupInstance` / `loadArtifacts`: development keys and manifest-checked artifacts;
 * - deployment, submission and status reads of the contracts (`chain`);
 * - `loadSubmission` / `checkSubmission`: a proof's files and pledges checked against each other
 *   and against chain state before `submitProof` sends them;
 * - `runDemo`: the end-to-end story; the auditor's checks (`audit`);
 * - `generateScenarios` / `withScenarios`: a round's joint scenario set from price history (`risk`).
 * - `marginReportHtml` / `auditReportHtml` / `auditReportMarkdown`: the visual reports.
 */
export { TOOL, TOOL_VERSION } from "./version";
export { InputError, ShortfallError } from "./errors";
export { formatUnits, parseDecimal } from "./decimal";
export * from "./inputs";
export { computeMargin, formatReport, type MarginReport } from "./model";
export {
  accountNonceOf,
  accountToField,
  encodeCircuitInput,
  loadInstances,
  smallestFittingInstance,
  type CircuitInput,
  type InstanceDims,
} from "./encoding";
export {
  commitMarket,
  commitPolicy,
  commitPortfolio,
  commitments,
  policyCommitmentOf,
  publicCommitments,
  randomSalt,
  type Commitments,
  type PublicCommitments,
} from "./commitments";
export * from "./layout";
export * from "./proving";
export { loadArtifacts, vkeyHash, ArtifactIntegrityError } from "./setup/manifest";
export {
  DEVELOPMENT_WARNING,
  setupInstance,
  type SetupOptions,
  type SetupResult,
} from "./setup/dev-setup";
export * from "./chain";
export {
  checkSubmission,
  loadSubmission,
  pledgeMismatch,
  type CheckedSubmission,
  type LoadedSubmission,
  type SubmissionContracts,
  type SubmissionFiles,
} from "./submit";
export * from "./audit";
export { runDemo, type DemoOptions, type DemoResult } from "./demo/run-demo";
export {
  DEFAULT_SCENARIO_OPTIONS,
  formatScenarioSummary,
  generateScenarios,
  loadHistory,
  loadMarketInput,
  parseHistory,
  scenariosJson,
  withScenarios,
  type PriceHistory,
  type ScenarioOptions,
  type GeneratedScenarioSet,
} from "./risk";
export { auditReportHtml, auditReportMarkdown, marginReportHtml } from "./report";
export {
  enqueueJobs,
  JobResults,
  jobId,
  parseProofJob,
  planBatch,
  proofQueue,
  redisConnection,
  runBatch,
  runInProcess,
  runWorker,
  startWorker,
  waitForJobs,
  WarmProver,
  type BatchOptions,
  type BatchResult,
  type JobOutcome,
  type ProofJob,
  type ServiceOptions,
} from "./queue";
