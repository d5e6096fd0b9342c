pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/arith.circom";
include "./tiers.circom";

/**
 * PerpSlot(T): one perpetual / future slot (docs/model.md section 2, prices in 1e-12 USD):
 *   b = |s| * 10^(18 - sizeDecimals),  bs = (1 - 2 neg) b     (the size in 1e-18 units)
 *   n = ceil(b * P / 10^24)            (µUSD; one more is allowed: it only hurts the holder)
 *   u = floor(bs * (P - E) / 10^24)    (µUSD, signed; one less is allowed)
 *   M = ceil(bracket sum of n / 1e6)   (µUSD; one more is allowed)
 * The signed size arrives as sign and magnitude; u leaves as a field element standing for a
 * signed integer, proved to lie in [-2^60, 2^60) (its non-negative part u + 2^60 is
 * range-checked). n is bounded to [0, 2^60] by its tier gaps.
 * @param T               number of tiers
 * @input sizeNeg         1 = short (boolean, checked by the packer)
 * @input sizeAbs         |s| (< 2^64) and entryPrice E (< 2^80): checked by the packer
 * @input mark            P, the underlying's price (< 2^80; public, bound by the market commitment)
 * @input sizeDecimalsBits[5] bits of sizeDecimals (from the packer)
 * @input rate[T], upTo[T-1]  the perp's tiers
 * @output position       bs, the signed size in 1e-18 units, for the joint scenario scan
 * @output notional, pnl, requirement  µUSD (pnl signed)
 * Bit widths: b < 2^124, b * P < 2^204, |bs * (P - E)| < 2^205.
 * Cost: 6 + 4 + 80 + 80 + 61 + TierLine(T) + 80 constraints (450 at T = 4).
 */
template PerpSlot(T) {
    signal input sizeNeg;
    signal input sizeAbs;
    signal input entryPrice;
    signal input mark;
    signal input sizeDecimalsBits[DECIMALS_BITS()];
    signal input rate[T];
    signal input upTo[T - 1];
    signal output position;
    signal output notional;
    signal output pnl;
    signal output requirement;

    signal factor <== DecimalNormalizer()(sizeDecimalsBits);
    signal size <== sizeAbs * factor;
    signal shortSize <== sizeNeg * size;
    position <== size - 2 * shortSize;

    signal atMark <== size * mark;
    notional <== DivideUp()(atMark);
    signal line <== TierLine(T)(notional, rate, upTo);
    requirement <== CeilPpm()(line);

    signal gain <== position * (mark - entryPrice);
    pnl <== DivideDown()(gain);
    _ <== Num2Bits(PNL_BITS())(pnl + VALUE_CAP());
}
