pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * MarginStatement(): the margin statement (docs/model.md section 6):
 *   Eq * 1e6 >= Req * minRatio,  with Req already including the buffer.
 * @input equity       Eq in µUSD, signed (|Eq| < 2^119)
 * @input requirement  Req in µUSD (0 <= Req < 2^121)
 * @input minRatio     ppm (< 2^24, checked by the packer)
 * Bit widths: |Eq * 1e6| < 2^139 and Req * minRatio < 2^145, so the difference is far from
 * wrapping, and a non-negative difference is at most Eq * 1e6 < 2^139 < 2^FINAL_SLACK_BITS.
 * Cost: 141 constraints.
 */
template MarginStatement() {
    signal input equity;
    signal input requirement;
    signal input minRatio;

    _ <== Num2Bits(FINAL_SLACK_BITS())(equity * PPM_ONE() - requirement * minRatio);
}
