pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./widths.circom";

/**
 * DecimalNormalizer(): factor = 10^(18 - decimals) from the little-endian bits of `decimals`, and
 * decimals <= 18. Multiplying a position in base units (10^-decimals of a token) by the factor
 * expresses it in 10^-18 units, so that every slot shares one divisor (VALUE_DIVISOR) and the
 * joint scenario sum is exact before its single rounding.
 * @input bits[5]   the bits of decimals; precondition: each bit boolean (the packer checks them)
 * @output factor   10^(18 - decimals), an integer in [1, 10^18]
 * Cost: 6 constraints (4 products of per-bit factors, 2 for decimals <= 18).
 */
template DecimalNormalizer() {
    signal input bits[DECIMALS_BITS()];
    signal output factor;

    // decimals >= 19 (0b10011) iff bits[4] and (bits[3] or bits[2] or (bits[1] and bits[0])).
    // With boolean bits, bits[4] * (bits[3] + bits[2] + low) == 0 says exactly "not that".
    signal low <== bits[1] * bits[0];
    bits[4] * (bits[3] + bits[2] + low) === 0;

    // 10^(18 - sum b_i 2^i) = 10^18 * prod_i (1 + b_i (10^-(2^i) - 1)), with 10^-(2^i) the field
    // inverse: for decimals <= 18 the product is the integer 10^(18 - decimals).
    signal acc[DECIMALS_BITS()];
    var inverse = 1 / 10;
    acc[0] <== (10 ** NORM_DECIMALS()) * (1 + bits[0] * (inverse - 1));
    for (var i = 1; i < DECIMALS_BITS(); i++) {
        inverse = inverse * inverse;
        acc[i] <== acc[i - 1] * (1 + bits[i] * (inverse - 1));
    }
    factor <== acc[DECIMALS_BITS() - 1];
}

/**
 * DivideDown(): out * 10^24 <= num < out * 10^24 + 2^80, so out is floor(num / 10^24) or one
 * less. Used where a smaller result only hurts the holder (a value, a PnL); the witness supplies
 * the exact floor (towards minus infinity for a negative num).
 * @input num    a signed integer with |num| < 2^245 (a field negative when below zero)
 * @output out   the quotient; the caller must bound it (here: tier gaps or a range check), which
 *               makes `out * 10^24` a small integer and the slack check exact
 * Cost: 80 constraints.
 */
template DivideDown() {
    signal input num;
    signal output out;

    var d = VALUE_DIVISOR();
    // Circom compares field elements as signed values in (-p/2, p/2].
    var q;
    if (num < 0) {
        q = -((-num + d - 1) \ d);
    } else {
        q = num \ d;
    }
    out <-- q;
    _ <== Num2Bits(DIVISION_SLACK_BITS())(num - out * d);
}

/**
 * DivideUp(): num <= out * 10^24 < num + 2^80, so out is ceil(num / 10^24) or one more. Used
 * where a larger result only hurts the holder (a notional); the witness supplies the exact ceil.
 * @input num    an integer with 0 <= num < 2^245
 * @output out   the quotient; the caller must bound it (tier gaps)
 * Cost: 80 constraints.
 */
template DivideUp() {
    signal input num;
    signal output out;

    var d = VALUE_DIVISOR();
    out <-- (num + d - 1) \ d;
    _ <== Num2Bits(DIVISION_SLACK_BITS())(out * d - num);
}

/**
 * FloorPpm(): out = floor(num / 1e6), or one less, and 0 <= out < 2^60: num = out * 1e6 + rem
 * with rem in [0, 2^20). A smaller out only hurts the holder (a haircut value).
 * @input num    an integer with |num| < 2^82
 * @output out   the quotient, range-checked to VALUE_BITS
 * Cost: 60 + 20 = 80 constraints.
 */
template FloorPpm() {
    signal input num;
    signal output out;

    out <-- num < 0 ? 0 : num \ PPM_ONE();
    _ <== Num2Bits(VALUE_BITS())(out);
    _ <== Num2Bits(LINE_REMAINDER_BITS())(num - out * PPM_ONE());
}

/**
 * CeilPpm(): out = ceil(num / 1e6), or one more, and 0 <= out < 2^60: out * 1e6 = num + rem with
 * rem in [0, 2^20). A larger out only hurts the holder (a requirement).
 * @input num    an integer with |num| < 2^82
 * @output out   the quotient, range-checked to VALUE_BITS
 * Cost: 60 + 20 = 80 constraints.
 */
template CeilPpm() {
    signal input num;
    signal output out;

    out <-- num <= 0 ? 0 : (num + PPM_ONE() - 1) \ PPM_ONE();
    _ <== Num2Bits(VALUE_BITS())(out);
    _ <== Num2Bits(LINE_REMAINDER_BITS())(out * PPM_ONE() - num);
}
