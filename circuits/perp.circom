pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/arith.circom";
include "./collateral.circom";

/**
 * TieredRequirement(T): the margin requirement M of a perp with notional n (DESIGN.md rule 3):
 *   M * 1e6 >= r_t * n - D_t  for every tier t,  0 <= M < 2^60,
 * with D_t derived in-circuit (D_t = -TierIntercepts). With non-decreasing rates the max of the
 * lines is the bracket sum, so the smallest M allowed is exactly ceil(bracket sum / 1e6); a
 * larger M only raises the requirement, so lower bounds suffice.
 * @param T          number of tiers
 * @input notional   n in µUSD (< 2^60)
 * @input rate[T]    rates in ppm (< 2^20)
 * @input upTo[T-1]  tier bounds in whole USD (< 2^40)
 * @output requirement  M in µUSD (< 2^60)
 * Bit widths: |r_t n - D_t| < 2^81, M * 1e6 < 2^80, so each slack fits 82 bits.
 * Cost: T - 1 + T * (1 + 82) + 60 constraints.
 */
template TieredRequirement(T) {
    signal input notional;
    signal input rate[T];
    signal input upTo[T - 1];
    signal output requirement;

    // intercept[t] = -D_t, so line_t = r_t * n + intercept[t].
    signal intercept[T] <== TierIntercepts(T)(rate, upTo);

    var worst = rate[0] * notional + intercept[0];
    for (var t = 1; t < T; t++) {
        var line = rate[t] * notional + intercept[t];
        if (line > worst) {
            worst = line;
        }
    }
    requirement <-- worst <= 0 ? 0 : (worst + PPM_ONE() - 1) \ PPM_ONE();
    _ <== Num2Bits(VALUE_BITS())(requirement);
    for (var t = 0; t < T; t++) {
        _ <== Num2Bits(SLACK_BITS())(requirement * PPM_ONE() - rate[t] * notional - intercept[t]);
    }
}

/**
 * PerpSlot(T): one perpetual / future slot (DESIGN.md rule 3).
 *   n = ceil(|s| * P / scale),  u = floor(s * (P - E) / scale) (signed),  M from TieredRequirement.
 * The signed size arrives as sign + magnitude; the signed PnL leaves as a field element standing
 * for a signed integer, proved to lie in [-2^60, 2^60) by SignedFloorDiv (its non-negative part
 * u + 2^60 is range-checked), so neither input nor arithmetic relies on an unchecked field negative.
 * @param T               number of tiers
 * @input sizeNeg         1 = short (boolean, checked by the packer)
 * @input sizeAbs         |s| (< 2^96), entryPrice E and mark P (< 2^64): checked by the packer
 * @input sizeDecimalsBits[5] bits of sizeDecimals (from the packer)
 * @input rate[T], upTo[T-1]  the perp's tiers
 * @output notional, pnl, requirement  µUSD (pnl signed)
 * Bit widths: |s| * P, |s| * E < 2^160; |s (P - E)| < 2^160; scale <= 10^20 < 2^67.
 * Cost: 6 + 4 + CeilDiv(60,67) + SignedFloorDiv(60,67) + TieredRequirement(T).
 */
template PerpSlot(T) {
    signal input sizeNeg;
    signal input sizeAbs;
    signal input entryPrice;
    signal input mark;
    signal input sizeDecimalsBits[DECIMALS_BITS()];
    signal input rate[T];
    signal input upTo[T - 1];
    signal output notional;
    signal output pnl;
    signal output requirement;

    signal scale <== DecimalScale()(sizeDecimalsBits);
    signal atMark <== sizeAbs * mark;
    signal atEntry <== sizeAbs * entryPrice;
    signal signedDiff <== (1 - 2 * sizeNeg) * (atMark - atEntry);

    notional <== CeilDiv(VALUE_BITS(), SCALE_BITS())(atMark, scale);
    pnl <== SignedFloorDiv(VALUE_BITS(), SCALE_BITS())(signedDiff, scale);
    requirement <== TieredRequirement(T)(notional, rate, upTo);
}
