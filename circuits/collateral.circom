pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/arith.circom";

/**
 * TierIntercepts(T): the intercepts of the bracket lines, derived in-circuit from the policy
 * (normative: circuits/README.md, "Tier lines"). With U_t = upTo_t * 1e6 (µUSD):
 *   c_1 = 0, c_t = c_{t-1} + (k_{t-1} - k_t) * U_{t-1}.
 * For haircut weights k = w this is e_t; for perp rates k = r it is -D_t (so callers subtract).
 * @param T            number of tiers (T >= 1)
 * @input slope[T]     weights or rates in ppm (< 2^20, range-checked by the packer)
 * @input upTo[T-1]    tier bounds in whole USD (< 2^40, range-checked by the packer)
 * @output intercept[T] c_t, a signed integer with |c_t| < T * 2^80 (a field negative if below 0)
 * Cost: T - 1 constraints.
 */
template TierIntercepts(T) {
    signal input slope[T];
    signal input upTo[T - 1];
    signal output intercept[T];

    intercept[0] <== 0;
    for (var t = 1; t < T; t++) {
        intercept[t] <== intercept[t - 1] + (slope[t - 1] - slope[t]) * (upTo[t - 1] * PPM_ONE());
    }
}

/**
 * AssetValue(): v = floor(amount * price / scale), exactly (DESIGN.md, margin model rule 1).
 * @input amount   token base units (< 2^96, range-checked by the packer)
 * @input price    1e-8 USD per whole token (< 2^64, range-checked by the packer)
 * @input scale    10^(decimals + 2) from DecimalScale (<= 10^20)
 * @output value   µUSD, < 2^60 (a larger value has no witness)
 * Cost: 1 + FloorDiv(60, 67) = 195 constraints.
 */
template AssetValue() {
    signal input amount;
    signal input price;
    signal input scale;
    signal output value;

    (value, _) <== FloorDiv(VALUE_BITS(), SCALE_BITS())(amount * price, scale);
}

/**
 * TieredHaircut(T): the haircut value H of a position worth v (DESIGN.md rule 2):
 *   H * 1e6 <= w_t * v + e_t  for every tier t,  0 <= H < 2^60.
 * With non-increasing weights, min_t (w_t v + e_t) is the bracket sum, so the largest H allowed
 * is exactly floor(bracket sum / 1e6); the witness supplies that one. A smaller H only lowers
 * the holder's equity, so upper bounds suffice and no selector is needed.
 * @param T          number of tiers
 * @input value      v in µUSD (< 2^60, from AssetValue)
 * @input weight[T]  weights in ppm (< 2^20)
 * @input upTo[T-1]  tier bounds in whole USD (< 2^40)
 * @output haircut   H in µUSD (< 2^60)
 * Bit widths: w_t v + e_t < 2^81, so each slack fits SLACK_BITS = 82 and nothing wraps.
 * Cost: T - 1 + T * (1 + 82) + 60 constraints.
 */
template TieredHaircut(T) {
    signal input value;
    signal input weight[T];
    signal input upTo[T - 1];
    signal output haircut;

    signal e[T] <== TierIntercepts(T)(weight, upTo);

    var best = weight[0] * value + e[0];
    for (var t = 1; t < T; t++) {
        var line = weight[t] * value + e[t];
        if (line < best) {
            best = line;
        }
    }
    haircut <-- best < 0 ? 0 : best \ PPM_ONE();
    _ <== Num2Bits(VALUE_BITS())(haircut);
    for (var t = 0; t < T; t++) {
        _ <== Num2Bits(SLACK_BITS())(weight[t] * value + e[t] - haircut * PPM_ONE());
    }
}

/**
 * CollateralSlot(T): one collateral asset slot: its value v and haircut value H.
 * @param T              number of tiers
 * @input amount         base units (range-checked by the packer)
 * @input price          1e-8 USD per whole token (range-checked by the packer)
 * @input decimalsBits[5] bits of the asset's decimals (from the packer); decimals <= 18 enforced
 * @input weight[T], upTo[T-1]  the asset's tiers (range-checked by the packer)
 * @output value, haircut  µUSD
 * Cost: 6 + 195 + TieredHaircut(T).
 */
template CollateralSlot(T) {
    signal input amount;
    signal input price;
    signal input decimalsBits[DECIMALS_BITS()];
    signal input weight[T];
    signal input upTo[T - 1];
    signal output value;
    signal output haircut;

    signal scale <== DecimalScale()(decimalsBits);
    value <== AssetValue()(amount, price, scale);
    haircut <== TieredHaircut(T)(value, weight, upTo);
}
