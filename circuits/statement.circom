pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * MarginStatement(): the margin statement (docs/model.md section 6):
 *   Eq * 1e6 >= Req * minRatio,  with Req already including the buffer.
 * @input equity       Eq in µUSD, signed: |Eq| < 2^119 for every book the encoder accepts (it
 *                     refuses |V| >= 2^118; the haircut values and PnL are below 2^71), and
 *                     |Eq| < 2^123 for any witness (|V| < 2^122 with C <= 16 sub-portfolios)
 * @input requirement  Req in µUSD (0 <= Req < 2^121)
 * @input minRatio     ppm (< 2^24, checked by the packer)
 * Bit widths: |Eq * 1e6| < 2^143 and Req * minRatio < 2^145, so the difference is far from
 * wrapping (soundness), and for an accepted book a non-negative difference is at most
 * Eq * 1e6 < 2^139 < 2^FINAL_SLACK_BITS (completeness).
 * Cost: 141 constraints.
 */
template MarginStatement() {
    signal input equity;
    signal input requirement;
    signal input minRatio;

    _ <== Num2Bits(FINAL_SLACK_BITS())(equity * PPM_ONE() - requirement * minRatio);
}
