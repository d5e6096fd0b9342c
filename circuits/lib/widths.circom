pragma circom 2.1.9;

// Bit widths and units of every quantity the margin circuit handles (normative: circuits/README.md,
// "Units and widths"; the input widths are mirrored by prover/src/encoding/widths.ts).
// Every intermediate stays below 2^246 in absolute value, below the BN254 field's 2^253, so no
// sum or product in the circuit can wrap; the README derives each bound.

/// Collateral amount (token base units).
function AMOUNT_BITS() { return 96; }
/// Perp size magnitude (10^-sizeDecimals units of the underlying).
function PERP_SIZE_BITS() { return 64; }
/// Option quantity magnitude (contracts).
function QTY_BITS() { return 48; }
/// Prices, perp marks and entry prices (1e-12 USD per whole token).
function PRICE_BITS() { return 80; }
/// Round, timestamp, nonce.
function ROUND_BITS() { return 64; }
/// EVM address.
function ACCOUNT_BITS() { return 160; }
/// decimals / sizeDecimals (<= 18 enforced separately).
function DECIMALS_BITS() { return 5; }
/// Weights, rates and concentration shares in ppm.
function PPM_BITS() { return 20; }
/// Tier upper bound in whole USD (2^32 - 1 encodes the open last tier and padding).
function UPTO_BITS() { return 32; }
/// minRatio in ppm.
function RATIO_BITS() { return 24; }
/// Per-slot values (v, H, n, M, |PnL|) and the buffer, in µUSD.
function VALUE_BITS() { return 60; }
/// shortOptionMinimum in µUSD per contract.
function SOM_BITS() { return 40; }
/// Positions are scaled to 10^-NORM_DECIMALS units of their token before pricing.
function NORM_DECIMALS() { return 18; }
/// 10^24: from (1e-18 token) x (1e-12 USD) to µUSD.
function VALUE_DIVISOR() { return 1000000000000000000000000; }
/// Slack of a one-sided division by VALUE_DIVISOR (10^24 < 2^80).
function DIVISION_SLACK_BITS() { return 80; }
/// Distance of a value from its tier's bounds (values and bounds are below 2^60 µUSD).
function TIER_GAP_BITS() { return 61; }
/// The cap of the open last tier, µUSD: every per-slot value is at most 2^60.
function VALUE_CAP() { return 1 << VALUE_BITS(); }
/// Rounding remainder of a tier line divided by 1e6 (honestly below 1e6 < 2^20).
function LINE_REMAINDER_BITS() { return 20; }
/// Signed PnL u, carried as u + 2^60.
function PNL_BITS() { return 61; }
/// Scan risk R in µUSD: R - SOM is range-checked to this width.
function RISK_SLACK_BITS() { return 119; }
/// R * 10^24 - S_k for every scenario k (S_k the joint loss over the common denominator 10^24).
function JOINT_SLACK_BITS() { return 200; }
/// A concentration group's excess, µUSD.
function EXCESS_BITS() { return 68; }
/// excess * 1e6 - S_g * 1e6 + maxShare * T.
function SHARE_SLACK_BITS() { return 88; }
/// Final slack `Eq*1e6 - Req*minRatio` in µUSD·ppm.
function FINAL_SLACK_BITS() { return 140; }
/// Largest allowed decimals / sizeDecimals.
function MAX_DECIMALS() { return 18; }
/// One in ppm (100 %).
function PPM_ONE() { return 1000000; }
/// Capacity of one packed field element, in bits.
function PACK_BITS() { return 248; }
/// Largest number of pledge slots (sub-portfolios) of an instance: sums of C pieces grow by
/// ceil(log2 C) <= 4 bits, which every width argument in circuits/README.md allows for.
function MAX_PLEDGES() { return 16; }
/// ceil(log2 C): the bits a sum of C non-negative values of width w needs beyond w.
function sumBits(C) {
    var bits = 0;
    while ((1 << bits) < C) {
        bits++;
    }
    return bits;
}
