pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/arith.circom";
include "./tiers.circom";

/**
 * CollateralSlot(T): one collateral asset slot (docs/model.md section 1, prices in 1e-12 USD):
 *   a = amount * 10^(18 - decimals)                (the position in 1e-18 tokens)
 *   v = floor(a * price / 10^24)                   (µUSD; one less is allowed: it only hurts)
 *   H = floor(bracket sum of v / 1e6)              (µUSD; one less is allowed: it only hurts)
 * with the bracket sum taken as the line of v's tier (TierLine) and v bounded to [0, 2^60] by
 * the tier gaps. The witness supplies the exact figures, equal to the reference model's.
 * @param T               number of tiers
 * @input amount          base units (< 2^96, range-checked by the packer)
 * @input price           1e-12 USD per whole token (< 2^80; public, bound by the market
 *                        commitment, validated by the publisher: not range-checked here)
 * @input decimalsBits[5] bits of the asset's decimals (from the packer); decimals <= 18 enforced
 * @input weight[T], upTo[T-1]  the asset's tiers (range-checked by the packer)
 * @output position       a, the position in 1e-18 tokens (< 2^156), for the joint scenario scan
 * @output value, haircut v and H in µUSD
 * Bit widths: a * price < 2^236; line < 2^81.
 * Cost: 6 + 2 + 80 + TierLine(T) + 80 constraints (306 at T = 4).
 */
template CollateralSlot(T) {
    signal input amount;
    signal input price;
    signal input decimalsBits[DECIMALS_BITS()];
    signal input weight[T];
    signal input upTo[T - 1];
    signal output position;
    signal output value;
    signal output haircut;

    signal factor <== DecimalNormalizer()(decimalsBits);
    position <== amount * factor;
    signal worth <== position * price;
    value <== DivideDown()(worth);
    signal line <== TierLine(T)(value, weight, upTo);
    haircut <== FloorPpm()(line);
}
