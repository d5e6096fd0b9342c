pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/arith.circom";
include "./tiers.circom";
include "./pledges.circom";

/**
 * PerpSlot(T, C): one perpetual / future slot (docs/model.md section 2 and DESIGN.md "Several
 * custodians in one proof", prices in 1e-12 USD), its C pieces (one per sub-portfolio) netted:
 *   s = sum_k s_k (signed, 10^-sizeDecimals units),  b = |s| * 10^(18 - sizeDecimals),
 *   bs = (1 - 2 neg) b                 (the net size in 1e-18 units)
 *   n = ceil(b * P / 10^24)            (µUSD; one more is allowed: it only hurts the holder)
 *   u = floor(10^(18 - sd) * sum_k s_k (P - E_k) / 10^24)
 *     = floor((s P - sum_k s_k E_k) / 10^(sd + 6))   (µUSD, signed; one less is allowed)
 *   M = ceil(bracket sum of n / 1e6)   (µUSD; one more is allowed)
 * so the pieces add their signed sizes and their costs s_k E_k, and the PnL is rounded once.
 * For C = 1 this is v2's slot exactly, u = floor(bs (P - E) / 10^24). The net size of C >= 2
 * pieces is decomposed into sign and magnitude by NetSigned (range-checked). u leaves as a field
 * element standing for a signed integer, proved to lie in [-2^60, 2^60) (its non-negative part
 * u + 2^60 is range-checked). n is bounded to [0, 2^60] by its tier gaps.
 * @param T               number of tiers
 * @param C               pieces (pledge slots, 1 <= C <= MAX_PLEDGES)
 * @input sizeNeg[C]      1 = short (boolean, checked by the packer)
 * @input sizeAbs[C]      |s_k| (< 2^64) and entryPrice[C] E_k (< 2^80): checked by the packer
 * @input mark            P, the underlying's price (< 2^80; public, bound by the market commitment)
 * @input sizeDecimalsBits[5] bits of sizeDecimals (from the packer)
 * @input rate[T], upTo[T-1]  the perp's tiers
 * @output position       bs, the signed net size in 1e-18 units, for the joint scenario scan
 * @output notional, pnl, requirement  µUSD (pnl signed)
 * Bit widths: |s| < C 2^64, b < C 2^124, b * P < C 2^204, |10^(18-sd) sum_k s_k (P - E_k)| <
 * C 2^204 (C <= 16: below 2^208).
 * Cost: 6 + 4 + 80 + 80 + 61 + TierLine(T) + 80 constraints for C = 1 (450 at T = 4); for C >= 2
 * the products are 2 C + 4 (pieces' signs, their PnL terms, size, sign, mark, PnL scale) plus
 * NetSigned's sign and range check (2 + 64 + ceil(log2 C)).
 */
template PerpSlot(T, C) {
    signal input sizeNeg[C];
    signal input sizeAbs[C];
    signal input entryPrice[C];
    signal input mark;
    signal input sizeDecimalsBits[DECIMALS_BITS()];
    signal input rate[T];
    signal input upTo[T - 1];
    signal output position;
    signal output notional;
    signal output pnl;
    signal output requirement;

    signal factor <== DecimalNormalizer()(sizeDecimalsBits);
    signal size;
    signal shortSize;
    signal gain;
    if (C == 1) {
        size <== sizeAbs[0] * factor;
        shortSize <== sizeNeg[0] * size;
        position <== size - 2 * shortSize;
        gain <== position * (mark - entryPrice[0]);
    } else {
        component net = NetSigned(C, PERP_SIZE_BITS());
        net.neg <== sizeNeg;
        net.abs <== sizeAbs;
        size <== net.netAbs * factor;
        shortSize <== net.netNeg * size;
        position <== size - 2 * shortSize;
        // sum_k s_k (P - E_k): the pieces' PnL before scaling, exact; scaled and rounded once.
        signal term[C];
        var terms = 0;
        for (var k = 0; k < C; k++) {
            term[k] <== net.signedPart[k] * (mark - entryPrice[k]);
            terms += term[k];
        }
        gain <== factor * terms;
    }

    signal atMark <== size * mark;
    notional <== DivideUp()(atMark);
    signal line <== TierLine(T)(notional, rate, upTo);
    requirement <== CeilPpm()(line);

    pnl <== DivideDown()(gain);
    _ <== Num2Bits(PNL_BITS())(pnl + VALUE_CAP());
}
