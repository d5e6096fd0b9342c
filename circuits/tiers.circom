pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";

/**
 * TierIntercepts(T): the intercepts of the bracket lines, derived in-circuit from the policy
 * (normative: circuits/README.md, "Tier lines"). With U_t = upTo_t * 1e6 (µUSD):
 *   c_1 = 0, c_t = c_{t-1} + (k_{t-1} - k_t) * U_{t-1}.
 * For haircut weights k = w this is e_t; for perp rates k = r it is -D_t.
 * @param T            number of tiers (1 <= T <= 16)
 * @input slope[T]     weights or rates in ppm (< 2^20, range-checked by the packer)
 * @input upTo[T-1]    tier bounds in whole USD, non-decreasing and below 2^36 (the packer
 *                     range-checks the first bound and each rise to 32 bits: upTo_t < 15 * 2^32)
 * @output intercept[T] c_t, a signed integer with |c_t| < 15 * 2^20 * 2^56 < 2^80 (a field
 *                     negative if below 0; honest bounds below 2^32 give |c_t| < T * 2^72)
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
 * TierLine(T): the bracket sum of x as the line of x's own tier (docs/model.md sections 1 and 2):
 *   line = k_t * x + c_t  for the tier t with B_{t-1} <= x <= B_t,
 * where B_0 = 0, B_t = upTo_t * 1e6 for t < T and B_T = 2^60 (so x <= 2^60). On its tier the
 * bracket sum sum_s k_s * slice_s(x) equals that tier's line, for any weights or rates, so the
 * line is the bracket sum exactly; at a bound the two neighbouring lines agree. The witness
 * picks the first tier whose upper bound holds x; TierLineAt proves x lies in it.
 * Precondition: the bounds do not fall (MarginProof commits them as non-negative rises). With a
 * falling bound two tiers would hold x and the prover could pick the one with the larger line.
 * Padding (circuits/README.md): the open last tier and padded tiers have upTo = 2^32 - 1 and the
 * last real slope, so a padded tier is an empty or equal-line copy of the last real one.
 * @param T            number of tiers (T >= 2)
 * @input x, slope[T], upTo[T-1], @output line: as TierLineAt
 * Cost: TierLineAt(T).
 */
template TierLine(T) {
    signal input x;
    signal input slope[T];
    signal input upTo[T - 1];
    signal output line;

    var chosen = T - 1;
    for (var t = T - 2; t >= 0; t--) {
        if (x <= upTo[t] * PPM_ONE()) {
            chosen = t;
        }
    }
    signal pick[T];
    for (var t = 0; t < T; t++) {
        pick[t] <-- t == chosen ? 1 : 0;
    }
    line <== TierLineAt(T)(x, slope, upTo, pick);
}

/**
 * TierLineAt(T): `line = k_t * x + c_t` for the tier t that the one-hot `pick` names, with proof
 * that B_{t-1} <= x <= B_t (two 61-bit range checks: a pick that does not hold x has no
 * witness). See TierLine.
 * @param T            number of tiers (2 <= T <= 16)
 * @input x            a value or a notional in µUSD; an integer the tier gaps bound to [0, 2^60]
 * @input slope[T]     weights or rates, ppm (< 2^20)
 * @input upTo[T-1]    bounds in whole USD, non-decreasing, below 2^36 (so upTo * 1e6 < 2^56)
 * @input pick[T]      one-hot choice of x's tier (booleanity and sum checked here)
 * @output line        k_t * x + c_t in µUSD·ppm, |line| < 2^81
 * Cost: T booleans + 5T - 3 products + 2 x 61 (139 at T = 4, after the compiler's linear
 * substitutions).
 */
template TierLineAt(T) {
    signal input x;
    signal input slope[T];
    signal input upTo[T - 1];
    signal input pick[T];
    signal output line;

    signal intercept[T] <== TierIntercepts(T)(slope, upTo);

    var picked = 0;
    for (var t = 0; t < T; t++) {
        pick[t] * (pick[t] - 1) === 0;
        picked += pick[t];
    }
    picked === 1;

    // Selected slope, intercept and bounds (intercept_1 = 0 and B_0 = 0 need no product).
    signal slopeTerm[T];
    signal interceptTerm[T - 1];
    signal lowerTerm[T - 1];
    signal upperTerm[T - 1];
    var slopeSel = 0;
    var interceptSel = 0;
    var lower = 0;
    var upper = pick[T - 1] * VALUE_CAP();
    for (var t = 0; t < T; t++) {
        slopeTerm[t] <== pick[t] * slope[t];
        slopeSel += slopeTerm[t];
    }
    for (var t = 1; t < T; t++) {
        interceptTerm[t - 1] <== pick[t] * intercept[t];
        interceptSel += interceptTerm[t - 1];
        lowerTerm[t - 1] <== pick[t] * (upTo[t - 1] * PPM_ONE());
        lower += lowerTerm[t - 1];
        upperTerm[t - 1] <== pick[t - 1] * (upTo[t - 1] * PPM_ONE());
        upper += upperTerm[t - 1];
    }
    _ <== Num2Bits(TIER_GAP_BITS())(x - lower);
    _ <== Num2Bits(TIER_GAP_BITS())(upper - x);
    signal slopeX <== slopeSel * x;
    line <== slopeX + interceptSel;
}
