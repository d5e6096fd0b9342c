pragma circom 2.1.9;

// Bit widths of every quantity the margin circuit handles (normative: circuits/README.md,
// "Units and widths"; mirrored by prover/src/encoding/widths.ts).
// Every value stays below 2^143 in absolute value, far from the BN254 field's 2^253, so no sum
// or product in the circuit can wrap.

/// Collateral amount and perp size magnitude (token base units).
function AMOUNT_BITS() { return 96; }
/// Option quantity magnitude (contracts).
function QTY_BITS() { return 48; }
/// Prices (1e-8 USD per whole token) and option marks (µUSD per contract).
function PRICE_BITS() { return 64; }
/// Risk-array entry carried with the offset 2^RISK_OFFSET_BITS().
function RISK_BITS() { return 63; }
/// Offset added to a signed risk-array entry so that it is non-negative.
function RISK_OFFSET_BITS() { return 62; }
/// Round, timestamp, nonce.
function ROUND_BITS() { return 64; }
/// EVM address.
function ACCOUNT_BITS() { return 160; }
/// decimals / sizeDecimals (<= 18 enforced separately).
function DECIMALS_BITS() { return 5; }
/// Largest allowed decimals / sizeDecimals.
function MAX_DECIMALS() { return 18; }
/// Weights and rates in ppm.
function PPM_BITS() { return 20; }
/// Tier upper bound in whole USD.
function UPTO_BITS() { return 40; }
/// minRatio in ppm.
function RATIO_BITS() { return 24; }
/// Per-slot values (v, H, n, M, |PnL|) and the buffer, in µUSD.
function VALUE_BITS() { return 60; }
/// shortOptionMinimum in µUSD per contract.
function SOM_BITS() { return 40; }
/// Scale 10^(decimals+2) <= 10^20 and division remainders.
function SCALE_BITS() { return 67; }
/// Tier slack `line - H*1e6` and `M*1e6 - line`, in µUSD·ppm.
function SLACK_BITS() { return 82; }
/// Option requirement R in µUSD.
function RISK_SUM_BITS() { return 116; }
/// `R - L_k` and `R - SOM` in µUSD.
function RISK_SLACK_BITS() { return 117; }
/// Final slack `Eq*1e6 - Req*minRatio` in µUSD·ppm.
function FINAL_SLACK_BITS() { return 143; }
/// One in ppm (100 %).
function PPM_ONE() { return 1000000; }
/// Capacity of one packed field element, in bits.
function PACK_BITS() { return 248; }
