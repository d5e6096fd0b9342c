/**
 * Bit widths of circuits/README.md "Units and widths" (mirrors circuits/lib/widths.circom).
 * Every value handed to the circuit is checked against these before proving.
 */

/** Collateral amount, perp size magnitude (base units). */
export const AMOUNT_BITS = 96;
/** Option quantity magnitude (contracts). */
export const QTY_BITS = 48;
/** Price, perp mark, perp entry price (1e-8 USD); option mark (µUSD). */
export const PRICE_BITS = 64;
/** Risk-array entry offset by 2^RISK_OFFSET_BITS. */
export const RISK_BITS = 63;
/** Risk-array entries x satisfy -2^62 <= x < 2^62 and are encoded as x + 2^62. */
export const RISK_OFFSET_BITS = 62;
/** Round, timestamp, nonce. */
export const ROUND_BITS = 64;
/** EVM address. */
export const ACCOUNT_BITS = 160;
/** decimals, sizeDecimals (<= MAX_DECIMALS). */
export const DECIMALS_BITS = 5;
/** Weight, rate (ppm). */
export const PPM_BITS = 20;
/** Tier upTo (whole USD). */
export const UPTO_BITS = 40;
/** minRatio (ppm). */
export const RATIO_BITS = 24;
/** Buffer and per-slot values v, H, n, M, |PnL| (µUSD). */
export const VALUE_BITS = 60;
/** shortOptionMinimum (µUSD per contract). */
export const SOM_BITS = 40;
/** Scale 10^(decimals+2) and division remainders. */
export const SCALE_BITS = 67;
/** Tier slack (µUSD·ppm). */
export const SLACK_BITS = 82;
/** Option requirement R (µUSD). */
export const RISK_SUM_BITS = 116;
/** R - L_k, R - SOM (µUSD). */
export const RISK_SLACK_BITS = 117;
/** Eq*1e6 - Req*minRatio (µUSD·ppm). */
export const FINAL_SLACK_BITS = 143;
/** Maximum bits of one packed commitment element. */
export const PACK_BITS = 248;

/** Largest decimals / sizeDecimals (10^(18+2) < 2^67 = 2^SCALE_BITS). */
export const MAX_DECIMALS = 18;
/** Weights and rates are at most 100 %. */
export const MAX_PPM = 1_000_000n;
/** The offset added to every risk-array entry. */
export const RISK_OFFSET = 1n << BigInt(RISK_OFFSET_BITS);

/** BN254 scalar field modulus (the circuit's field). */
export const SNARK_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** 2^bits: the exclusive upper bound of a `bits`-wide unsigned value. */
export function bound(bits: number): bigint {
  return 1n << BigInt(bits);
}

/** True when 0 <= value < 2^bits. */
export function fitsBits(value: bigint, bits: number): boolean {
  return value >= 0n && value < bound(bits);
}
