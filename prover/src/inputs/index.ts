/** Input files: schemas, loaders and cross-file rules. */
export type {
  ConcentrationGroup,
  HaircutTier,
  InputFiles,
  MarginKind,
  Market,
  OptionQuote,
  PerpPosition,
  PiecesFiles,
  Policy,
  PolicyAsset,
  PolicyMode,
  PolicyOption,
  PolicyPerp,
  Portfolio,
  RateTier,
  ScenarioSet,
} from "./types";
export { parsePolicy, parsePolicySchema } from "./policy";
export { parseMarket } from "./market";
export { parsePortfolio } from "./portfolio";
export { checkConsistency, checkPiecesConsistency, piecesFiles } from "./consistency";
export { loadMarket, loadPolicy, loadPortfolio } from "./load";
export { formatPath } from "./issues";
export { assertWellFormedPolicy, policyProblems, type PolicyProblem } from "./well-formed";
export { assertWellFormedMarket, marketProblems, type MarketProblem } from "./market-rules";
export { assertJointSetFor, jointSetComplete, jointSetGap, type JointSetGap } from "./joint-set";
