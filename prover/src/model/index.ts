/** The reference margin model (v1 standard, v2 portfolio) and its plaintext report. */
export {
  computeMargin,
  JOINT_DENOMINATOR,
  JOINT_POSITION_DECIMALS,
  scenarioCount,
  scenarioLabels,
} from "./margin";
export { formatReport } from "./format";
export { formatComparison } from "./compare";
export { bracketSum, type Bracket } from "./brackets";
export { MICRO_USD_DECIMALS, MICRO_USD_PER_USD, PPM, PRICE_DECIMALS } from "./units";
export { abs, ceilDiv, floorDiv, pow10 } from "./arith";
export type {
  AssetLine,
  ConcentrationLine,
  MarginReport,
  OptionsLine,
  PerpLine,
  ScenarioLine,
} from "./report";
