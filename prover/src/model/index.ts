/** The reference margin model v1 and its plaintext report. */
export { computeMargin, scenarioCount } from "./margin";
export { formatReport } from "./format";
export { bracketSum, MICRO_USD_PER_USD, type Bracket } from "./brackets";
export { abs, ceilDiv, floorDiv, pow10 } from "./arith";
export type { AssetLine, MarginReport, OptionsLine, PerpLine } from "./report";
