pragma circom 2.1.9;

include "./lib/hash.circom";

// Domain tags of the three commitments: the ASCII strings read as big-endian integers.
/// "zkmargin/portfolio/v1"
function PORTFOLIO_TAG() { return 178916501036896329807155402520972796779846997866033; }
/// "zkmargin/market/v1"
function MARKET_TAG() { return 10664254488760014164874223300267205639239217; }
/// "zkmargin/policy/v1"
function POLICY_TAG() { return 10664254488760014164874279647614685909317169; }

/**
 * PortfolioCommitment(L): VectorHash("zkmargin/portfolio/v1", packed ++ [salt]).
 * @param L           number of packed portfolio elements
 * @input packed[L]   the packed portfolio items (PackItems output)
 * @input salt        hiding salt (any field element)
 * @output out        the commitment
 * Cost: VectorHash(L + 1).
 */
template PortfolioCommitment(L) {
    signal input packed[L];
    signal input salt;
    signal output out;

    var elements[L + 1];
    for (var i = 0; i < L; i++) {
        elements[i] = packed[i];
    }
    elements[L] = salt;
    out <== VectorHash(PORTFOLIO_TAG(), L + 1)(elements);
}
