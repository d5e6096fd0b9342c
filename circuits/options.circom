pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * OptionBook(nO): the option book's value and short-option minimum (docs/model.md section 3):
 *   q_o = (1 - 2 neg_o) |q_o|,  V = sum_o q_o m_o,  SOM = shortOptionMinimum * sum_o neg_o |q_o|.
 * @param nO                 option slots (1 <= nO <= 64)
 * @input qtyNeg[nO]         1 = short (boolean, checked by the packer)
 * @input qtyAbs[nO]         |q| in contracts (< 2^48, checked by the packer)
 * @input mark[nO]           µUSD per contract (< 2^64; public, bound by the market commitment)
 * @input shortOptionMinimum µUSD per contract (< 2^40, checked by the packer)
 * @output quantity[nO]      q_o, signed (a field negative when short)
 * @output value             V in µUSD, signed (|V| < nO * 2^112)
 * @output som               SOM in µUSD (< 2^94)
 * Cost: 2 nO + 1 constraints.
 */
template OptionBook(nO) {
    signal input qtyNeg[nO];
    signal input qtyAbs[nO];
    signal input mark[nO];
    signal input shortOptionMinimum;
    signal output quantity[nO];
    signal output value;
    signal output som;

    // Compile-time guard on the parameters (no signal involved): the widths assume it.
    assert(nO >= 1 && nO <= 64);

    signal shortAbs[nO];
    signal markValue[nO];
    var valueSum = 0;
    var shortSum = 0;
    for (var o = 0; o < nO; o++) {
        shortAbs[o] <== qtyNeg[o] * qtyAbs[o];
        quantity[o] <== qtyAbs[o] - 2 * shortAbs[o];
        markValue[o] <== quantity[o] * mark[o];
        valueSum += markValue[o];
        shortSum += shortAbs[o];
    }
    value <== valueSum;
    som <== shortOptionMinimum * shortSum;
}

/**
 * ScanRisk(nA, nP, nO, nS, J): the scan risk requirement R (docs/model.md section 4):
 *   S_k = portfolio * (sum_i a_i A_i[k] + sum_j bs_j P_j[k]) + 10^24 * sum_o q_o RA_o[k]
 *   R * 10^24 >= S_k for every k,  R >= SOM  (hence R >= 0),
 * where a_i, bs_j are the positions in 1e-18 units, A, P the joint scenario entries in 1e-12 USD
 * and RA the option risk entries in µUSD, so S_k / 10^24 is the exact joint loss in µUSD and
 * R * 10^24 >= S_k says R >= L_k = ceil(S_k / 10^24). Under a standard policy (portfolio = 0)
 * the asset and perp arrays drop out and R >= max(L, SOM) is model v1's. The smallest R allowed is
 * max(0, max_k L_k, SOM), which the witness supplies; a larger R only raises the requirement.
 * R needs no range check of its own: R - SOM in [0, 2^119) and 0 <= SOM < 2^94 bound it.
 * @param nA, nP, nO, nS      slots and scenarios
 * @param J                   1 with joint scenario arrays; 0 without (the options' scan alone,
 *                            for instances that prove standard policies only)
 * @input assetPosition[nA]   a_i (< 2^156)
 * @input perpPosition[nP]    bs_j, signed (|bs_j| < 2^124)
 * @input quantity[nO]        q_o, signed (|q_o| < 2^48)
 * @input assetRisk[nA][nS*J], perpRisk[nP][nS*J]  signed, |x| < 2^79 (public, validated)
 * @input riskArray[nO][nS]   signed µUSD, |x| < 2^62 (public, publisher-validated)
 * @input portfolio           1 for a portfolio-margin policy, 0 for standard (boolean, packer)
 * @input som                 SOM (< 2^94)
 * @output requirement        R in µUSD (< 2^120)
 * Bit widths: |a A| < 2^235, so |S_k| < 192 * 2^235 < 2^243 and R * 10^24 - S_k stays far from
 * the field size; honest slacks are below (R - L_k + 1) * 10^24 < 2^200 (the encoder checks
 * |L_k| < 2^117).
 * Cost: nS * (J * (nA + nP + 1) + nO + 200) + 119 constraints.
 */
template ScanRisk(nA, nP, nO, nS, J) {
    signal input assetPosition[nA];
    signal input perpPosition[nP];
    signal input quantity[nO];
    signal input assetRisk[nA][nS * J];
    signal input perpRisk[nP][nS * J];
    signal input riskArray[nO][nS];
    signal input portfolio;
    signal input som;
    signal output requirement;

    assert(nS >= 1 && (J == 0 || J == 1));
    var d = VALUE_DIVISOR();

    signal assetLoss[nS * J][nA];
    signal perpLoss[nS * J][nP];
    signal optionLoss[nS][nO];
    signal jointLoss[nS * J];
    var scaledLoss[nS];
    for (var k = 0; k < nS; k++) {
        scaledLoss[k] = 0;
        if (J == 1) {
            var joint = 0;
            for (var i = 0; i < nA; i++) {
                assetLoss[k][i] <== assetPosition[i] * assetRisk[i][k];
                joint += assetLoss[k][i];
            }
            for (var j = 0; j < nP; j++) {
                perpLoss[k][j] <== perpPosition[j] * perpRisk[j][k];
                joint += perpLoss[k][j];
            }
            jointLoss[k] <== portfolio * joint;
            scaledLoss[k] = jointLoss[k];
        }
        var options = 0;
        for (var o = 0; o < nO; o++) {
            optionLoss[k][o] <== quantity[o] * riskArray[o][k];
            options += optionLoss[k][o];
        }
        scaledLoss[k] += d * options;
    }

    // Witness: max(SOM, max_k ceil(S_k / 10^24)); circom compares as signed values.
    var r = som;
    for (var k = 0; k < nS; k++) {
        var s = scaledLoss[k];
        var l;
        if (s < 0) {
            l = -((-s) \ d);
        } else {
            l = (s + d - 1) \ d;
        }
        if (l > r) {
            r = l;
        }
    }
    requirement <-- r;
    for (var k = 0; k < nS; k++) {
        _ <== Num2Bits(JOINT_SLACK_BITS())(requirement * d - scaledLoss[k]);
    }
    _ <== Num2Bits(RISK_SLACK_BITS())(requirement - som);
}
