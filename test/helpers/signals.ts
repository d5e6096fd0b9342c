/**
 * The circuit's private input signals grouped by the commitment that binds them, as listed in
 * circuits/README.md (the tests' independent statement of the spec, not taken from the encoder).
 */
import type { CircuitInput } from "../../prover/src/encoding";

/** Signals of the portfolio commitment (with the salt). */
export const PORTFOLIO_SIGNALS: (keyof CircuitInput)[] = [
  "amount",
  "perpSizeNeg",
  "perpSizeAbs",
  "perpEntryPrice",
  "optionQtyNeg",
  "optionQtyAbs",
  "salt",
];

/** Signals of the market commitment. */
export const MARKET_SIGNALS: (keyof CircuitInput)[] = [
  "roundTimestamp",
  "jointSetPresent",
  "price",
  "perpMark",
  "optionMark",
  "riskArray",
  "assetRisk",
  "perpRisk",
];

/** Signals of the policy commitment. */
export const POLICY_SIGNALS: (keyof CircuitInput)[] = [
  "mode",
  "portfolioMargin",
  "minRatio",
  "buffer",
  "shortOptionMinimum",
  "groupShare",
  "assetActive",
  "assetDecimals",
  "assetWeight",
  "assetUpTo",
  "assetGroup",
  "perpActive",
  "perpSizeDecimals",
  "perpRate",
  "perpUpTo",
  "optionActive",
];
