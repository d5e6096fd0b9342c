pragma circom 2.1.9;

include "./lib/hash.circom";

// Domain tags of the three commitments: the ASCII strings read as big-endian integers.
/// "zkmargin/portfolio/v2"
function PORTFOLIO_TAG() { return 178916501036896329807155402520972796779846997866034; }
/// "zkmargin/market/v3"
function MARKET_TAG() { return 10664254488760014164874223300267205639239219; }
/// "zkmargin/policy/v3"
function POLICY_TAG() { return 10664254488760014164874279647614685909317171; }

/**
 * LayoutCommitment(tag, L): VectorHash(tag, [layoutId] ++ elements): one of the three
 * commitments, with the slot layout's id as its first element (normative: circuits/README.md,
 * "Commitments"). The layout id is hashed as a whole field element: the hash binds it exactly,
 * and MarginProof feeds the same `layoutId` signal to all three commitments.
 * @param tag          the commitment's domain tag
 * @param L            number of elements after the layout id
 * @input layoutId     the layout id (any field element; the encoder's is below 2^248)
 * @input elements[L]  packed items, or whole public values
 * @output out         the commitment
 * Cost: VectorHash(L + 1).
 */
template LayoutCommitment(tag, L) {
    signal input layoutId;
    signal input elements[L];
    signal output out;

    var all[L + 1];
    all[0] = layoutId;
    for (var i = 0; i < L; i++) {
        all[i + 1] = elements[i];
    }
    out <== VectorHash(tag, L + 1)(all);
}
