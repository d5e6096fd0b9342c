pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * OptionRisk(nO, nS): option value and option requirement (DESIGN.md rule 4).
 *   q_o = (1 - 2 neg_o) |q_o|,  V = sum_o q_o m_o,  L_k = sum_o q_o RA_o[k],
 *   SOM = shortOptionMinimum * sum_o neg_o |q_o|,
 *   R >= L_k for every k,  R >= SOM  (hence R >= 0, since SOM >= 0).
 * The smallest R allowed is max(0, max_k L_k, SOM) = max(L, SOM), which the witness supplies;
 * a larger R only raises the requirement, so lower bounds suffice and no selector is needed.
 * R needs no range check of its own: R - SOM in [0, 2^117) and 0 <= SOM < 2^94 bound it.
 * @param nO, nS              option slots and scenarios
 * @input qtyNeg[nO]          1 = short (boolean, checked by the packer)
 * @input qtyAbs[nO]          |q| in contracts (< 2^48, checked by the packer)
 * @input mark[nO]            µUSD per contract (< 2^64, checked by the packer)
 * @input riskArray[nO][nS]   µUSD loss per long contract, offset by 2^62 (< 2^63, packer)
 * @input shortOptionMinimum  µUSD per contract (< 2^40, checked by the packer)
 * @output value              V in µUSD, signed (|V| < nO * 2^112)
 * @output requirement        R in µUSD (< 2^117)
 * Bit widths: |q RA| < 2^110, |L_k| < nO * 2^110 <= 2^116 for nO <= 64, so R - L_k < 2^117.
 * Cost: 2 nO + nO nS + 1 + (nS + 1) * 117 constraints.
 */
template OptionRisk(nO, nS) {
    signal input qtyNeg[nO];
    signal input qtyAbs[nO];
    signal input mark[nO];
    signal input riskArray[nO][nS];
    signal input shortOptionMinimum;
    signal output value;
    signal output requirement;

    // Compile-time guard on the parameters (no signal involved): the widths above assume it.
    assert(nO >= 1 && nO <= 64 && nS >= 1);

    var riskOffset = 1 << RISK_OFFSET_BITS();
    signal shortAbs[nO];
    signal q[nO];
    signal markValue[nO];
    signal loss[nO][nS];
    var valueSum = 0;
    var shortSum = 0;
    var scenarioLoss[nS];
    for (var k = 0; k < nS; k++) {
        scenarioLoss[k] = 0;
    }
    for (var o = 0; o < nO; o++) {
        shortAbs[o] <== qtyNeg[o] * qtyAbs[o];
        q[o] <== qtyAbs[o] - 2 * shortAbs[o];
        markValue[o] <== q[o] * mark[o];
        valueSum += markValue[o];
        shortSum += shortAbs[o];
        for (var k = 0; k < nS; k++) {
            loss[o][k] <== q[o] * (riskArray[o][k] - riskOffset);
            scenarioLoss[k] += loss[o][k];
        }
    }
    value <== valueSum;
    signal som <== shortOptionMinimum * shortSum;

    var r = som;
    for (var k = 0; k < nS; k++) {
        if (scenarioLoss[k] > r) {
            r = scenarioLoss[k];
        }
    }
    requirement <-- r;
    for (var k = 0; k < nS; k++) {
        _ <== Num2Bits(RISK_SLACK_BITS())(requirement - scenarioLoss[k]);
    }
    _ <== Num2Bits(RISK_SLACK_BITS())(requirement - som);
}
