pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * Concentration(nA, nG): the haircut value that concentration limits take off the equity
 * (docs/model.md section 5): with T = sum_i H_i and S_g = sum_{i in g} H_i,
 *   excess_g = S_g - min(S_g, floor(maxShare_g * T / 1e6)) = max(0, S_g - floor(maxShare_g T / 1e6)).
 * For integers, excess >= S_g - floor(c) iff excess >= S_g - c, so the circuit checks
 *   excess_g >= 0  and  excess_g * 1e6 >= S_g * 1e6 - maxShare_g * T,
 * with excess_g an integer below 2^68: the smallest excess allowed is the model's, which the
 * witness supplies; a larger one only lowers the holder's equity.
 * Each asset is in at most one group: with boolean bits, m = sum_g member[i][g] and m (m - 1) == 0
 * say m is 0 or 1 (one constraint per asset; none for nG = 1, where the one bit is the sum).
 * Without it, an asset in two groups whose caps bind would gain the holder equity when its H
 * is one below its floor (the allowed rounding slack): H down by 1, each group's excess down
 * by 1, a net gain of 1 µUSD that the model does not give. With one group at most, lowering H by
 * 1 lowers the excess by at most 1, so the slack never helps the holder.
 * @param nA, nG            asset slots and groups (nG >= 1)
 * @input haircut[nA]       H_i in µUSD (< 2^60)
 * @input member[nA][nG]    1 when asset i is in group g (boolean, checked by the packer)
 * @input maxShare[nG]      ppm (< 2^20, checked by the packer); 1e6 for an unused group
 * @output excess           sum_g excess_g, µUSD
 * Bit widths: T < 2^67, maxShare * T < 2^87, |excess * 1e6 - S_g * 1e6| < 2^88.
 * Cost: nG * (nA + 1 + 68 + 88) constraints, plus nA when nG >= 2 (membership).
 */
template Concentration(nA, nG) {
    signal input haircut[nA];
    signal input member[nA][nG];
    signal input maxShare[nG];
    signal output excess;

    // Each asset in at most one group.
    if (nG >= 2) {
        for (var i = 0; i < nA; i++) {
            var groups = 0;
            for (var g = 0; g < nG; g++) {
                groups += member[i][g];
            }
            groups * (groups - 1) === 0;
        }
    }

    var total = 0;
    for (var i = 0; i < nA; i++) {
        total += haircut[i];
    }
    signal inGroup[nG][nA];
    signal share[nG];
    signal groupExcess[nG];
    var excessSum = 0;
    for (var g = 0; g < nG; g++) {
        var group = 0;
        for (var i = 0; i < nA; i++) {
            inGroup[g][i] <== member[i][g] * haircut[i];
            group += inGroup[g][i];
        }
        share[g] <== maxShare[g] * total;
        var cap = share[g] \ PPM_ONE();
        groupExcess[g] <-- group > cap ? group - cap : 0;
        _ <== Num2Bits(EXCESS_BITS())(groupExcess[g]);
        _ <== Num2Bits(SHARE_SLACK_BITS())(groupExcess[g] * PPM_ONE() - group * PPM_ONE() + share[g]);
        excessSum += groupExcess[g];
    }
    excess <== excessSum;
}
