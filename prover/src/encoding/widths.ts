/**
 * Bit widths and units of circuits/README.md "Units and widths" (mirrors
 * circuits/lib/widths.circom). Every value handed to the circuit is checked against these before
 * proving.
 */

/** Collateral amount (token base units). */
export const AMOUNT_BITS = 96;
/**
 * Perp size magnitude (10^-sizeDecimals units of the underlying): below 2^64, so at most
 * 1.8e7 whole units at the largest perp `sizeDecimals` (MAX_SIZE_DECIMALS).
 */
export const PERP_SIZE_BITS = 64;
/** Option quantity magnitude (contracts). */
export const QTY_BITS = 48;
/** Decimals of the price unit: prices, perp marks and entry prices are integers of 1e-12 USD. */
export const PRICE_DECIMALS = 12;
/** Price, perp mark, perp entry price (1e-12 USD per whole token): below 2^80 (1.2e12 USD). */
export const PRICE_BITS = 80;
/** Option mark (µUSD per contract). */
export const MARK_BITS = 64;
/** Option risk-array entries x (µUSD per long contract, signed): -2^62 <= x < 2^62. */
export const RISK_OFFSET_BITS = 62;
/**
 * Joint scenario entries of assets and perps x (1e-12 USD per whole token or unit, signed):
 * -2^79 <= x < 2^79.
 */
export const JOINT_RISK_BITS = 79;
/** Round, timestamp, nonce. */
export const ROUND_BITS = 64;
/** EVM address. */
export const ACCOUNT_BITS = 160;
/** decimals (<= MAX_DECIMALS), sizeDecimals (<= MAX_SIZE_DECIMALS). */
export const DECIMALS_BITS = 5;
/** Weight, rate, maxShare (ppm). */
export const PPM_BITS = 20;
/** Tier upTo (whole USD): at most 2^32 - 2; the last tier and padding are encoded 2^32 - 1. */
export const UPTO_BITS = 32;
/** minRatio (ppm). */
export const RATIO_BITS = 24;
/** Buffer and per-slot values v, H, n, M, |PnL| (µUSD). */
export const VALUE_BITS = 60;
/** shortOptionMinimum (µUSD per contract). */
export const SOM_BITS = 40;
/** Scan risk R (µUSD). */
export const RISK_SUM_BITS = 118;
/** Maximum bits of one packed commitment element. */
export const PACK_BITS = 248;
/**
 * Largest number of pledge slots C of an instance (circuits/lib/widths.circom MAX_PLEDGES):
 * sums of C sub-portfolios grow by ceil(log2 C) <= 4 bits, which the circuit's widths allow for.
 */
export const MAX_PLEDGES = 16;

/** Largest asset `decimals` (the circuit's DecimalNormalizer accepts up to this). */
export const MAX_DECIMALS = 18;
/**
 * Largest perp `sizeDecimals`: a tooling rule, not a circuit one (the circuit is sound up to
 * MAX_DECIMALS). With PERP_SIZE_BITS-wide sizes it keeps room for 2^64 / 10^12 = 1.8e7 whole
 * units of the underlying; exchanges quote perp sizes to 8 decimals or fewer.
 */
export const MAX_SIZE_DECIMALS = 12;
/** The range of a perp size's magnitude, as the errors that refuse a size past it say it. */
export const PERP_SIZE_RANGE = `below 2^${PERP_SIZE_BITS} units of 10^-sizeDecimals`;
/** Why a perp's `sizeDecimals` is capped, for the errors that refuse a larger one. */
export const SIZE_DECIMALS_REASON = `perp sizes are ${PERP_SIZE_RANGE}`;
/** Weights, rates and shares are at most 100 %. */
export const MAX_PPM = 1_000_000n;
/** The `upTo` of the last tier (JSON null) and of padded tiers, as encoded: 2^32 - 1. */
export const UPTO_OPEN = (1n << BigInt(UPTO_BITS)) - 1n;

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

/** True when -2^bits <= value < 2^bits (a signed value of `bits` magnitude bits). */
export function fitsSigned(value: bigint, bits: number): boolean {
  return value >= -bound(bits) && value < bound(bits);
}
