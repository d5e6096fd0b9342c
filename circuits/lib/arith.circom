pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./widths.circom";

/**
 * RemainderBelow(D): proves 0 <= rem < den.
 * @param D      bit width of den and rem (D <= 250)
 * @input rem    remainder
 * @input den    divisor; precondition: 1 <= den <= 2^D
 * Cost: 2*D constraints (rem and den - 1 - rem range-checked to D bits, which also forces den >= 1).
 */
template RemainderBelow(D) {
    signal input rem;
    signal input den;
    _ <== Num2Bits(D)(rem);
    _ <== Num2Bits(D)(den - 1 - rem);
}

/**
 * FloorDiv(Q, D): quot = floor(num / den), rem = num - quot*den, exactly.
 * Proves `quot*den + rem == num`, 0 <= quot < 2^Q, 0 <= rem < den.
 * @param Q      bit width of the quotient
 * @param D      bit width of the divisor and remainder; Q + D <= 250 so `quot*den + rem` cannot wrap
 * @input num    dividend; precondition: 0 <= num < 2^(Q+D)
 * @input den    divisor; precondition: 1 <= den < 2^D
 * @output quot  the quotient (range-checked to Q bits)
 * @output rem   the remainder (range-checked, below den)
 * Cost: Q + 2*D + 1 constraints.
 */
template FloorDiv(Q, D) {
    signal input num;
    signal input den;
    signal output quot;
    signal output rem;

    quot <-- num \ den;
    rem <-- num % den;
    quot * den + rem === num;
    _ <== Num2Bits(Q)(quot);
    RemainderBelow(D)(rem, den);
}

/**
 * CeilDiv(Q, D): quot = ceil(num / den), exactly.
 * Proves `quot*den - rem == num`, 0 <= quot < 2^Q, 0 <= rem < den.
 * @param Q, D   as FloorDiv
 * @input num    dividend; precondition: 0 <= num < 2^(Q+D) - 2^D
 * @input den    divisor; precondition: 1 <= den < 2^D
 * @output quot  the quotient (range-checked to Q bits)
 * Cost: Q + 2*D + 1 constraints.
 */
template CeilDiv(Q, D) {
    signal input num;
    signal input den;
    signal output quot;

    quot <-- (num + den - 1) \ den;
    signal rem <-- quot * den - num;
    quot * den - rem === num;
    _ <== Num2Bits(Q)(quot);
    RemainderBelow(D)(rem, den);
}

/**
 * SignedFloorDiv(Q, D): quot = floor(num / den) for a signed num (rounds toward minus infinity).
 * Proves `quot*den + rem == num`, -2^Q <= quot < 2^Q, 0 <= rem < den. The signed quotient is
 * carried as the non-negative part `quot + 2^Q`, range-checked to Q+1 bits.
 * @param Q, D   as FloorDiv; Q + D <= 249
 * @input num    dividend; precondition: |num| < 2^(Q+D) (a field element standing for a signed integer)
 * @input den    divisor; precondition: 1 <= den < 2^D
 * @output quot  the signed quotient (a field negative when below zero)
 * Cost: Q + 2*D + 2 constraints.
 */
template SignedFloorDiv(Q, D) {
    signal input num;
    signal input den;
    signal output quot;

    // Circom compares field elements as signed values in (-p/2, p/2].
    var q;
    if (num < 0) {
        q = -((-num + den - 1) \ den);
    } else {
        q = num \ den;
    }
    quot <-- q;
    signal rem <-- num - q * den;
    quot * den + rem === num;
    _ <== Num2Bits(Q + 1)(quot + (1 << Q));
    RemainderBelow(D)(rem, den);
}

/**
 * DecimalScale(): scale = 10^(decimals + 2) from the little-endian bits of `decimals`, and
 * decimals <= 18 (so scale <= 10^20 < 2^SCALE_BITS).
 * The +2 turns "1e-8 USD x base units / 10^decimals" into µUSD.
 * @input bits[5]  the bits of decimals; precondition: each bit boolean (the packer checks them)
 * @output scale   10^(decimals + 2)
 * Cost: 6 constraints (4 products of per-bit factors, 2 for decimals <= 18).
 */
template DecimalScale() {
    signal input bits[DECIMALS_BITS()];
    signal output scale;

    // decimals >= 19 (0b10011) iff bits[4] and (bits[3] or bits[2] or (bits[1] and bits[0])).
    // With boolean bits, bits[4] * (bits[3] + bits[2] + low) == 0 says exactly "not that".
    signal low <== bits[1] * bits[0];
    bits[4] * (bits[3] + bits[2] + low) === 0;

    // 10^(2 + sum b_i 2^i) = 100 * prod_i (1 + b_i (10^(2^i) - 1)).
    signal acc[DECIMALS_BITS()];
    acc[0] <== 100 * (1 + bits[0] * 9);
    var p = 10;
    for (var i = 1; i < DECIMALS_BITS(); i++) {
        p = p * p;
        acc[i] <== acc[i - 1] * (1 + bits[i] * (p - 1));
    }
    scale <== acc[DECIMALS_BITS() - 1];
}
