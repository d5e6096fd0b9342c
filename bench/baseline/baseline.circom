pragma circom 2.1.9;

// The naive baseline of the benchmark (bench/baseline/README.md): the margin statement of
// MarginProof (models v1 and v2) for the same dimensions, with every public value (prices,
// marks, option and joint risk arrays, haircut weights, tier bounds, rates, decimals, groups,
// minRatio, buffer, the margin kind) as a public input instead of a market or policy
// commitment. Written for the comparison in BENCHMARKS.md; never deployed.
//
// The slot arithmetic is the real circuit's (CollateralSlot, PerpSlot, OptionBook, ScanRisk,
// Concentration, MarginStatement, ZeroUnlessActive, VectorHash), included rather than copied,
// so the two circuits differ exactly by the design choice under comparison.
include "circomlib/circuits/bitify.circom";
include "../../circuits/margin.circom";

/// Domain tag of the baseline's portfolio commitment: "zkmargin/baseline/v2" as a big-endian integer.
/// Its own tag: the commitment hashes unpacked holdings and no layout id, so it is not the
/// portfolio commitment of MarginProof and must never be mistaken for one.
function BASELINE_PORTFOLIO_TAG() { return 0x7a6b6d617267696e2f626173656c696e652f7632; }

/**
 * Boolean(): in * (in - 1) == 0.
 * Cost: 1 constraint.
 */
template Boolean() {
    signal input in;
    in * (in - 1) === 0;
}

/**
 * BaselineMargin(nA, nP, nO, nS, nT, nG, J): Eq * 1e6 >= Req * minRatio for the portfolio
 * behind the output `portfolioCommitment`, with the market round and the policy given as public
 * inputs; the same statement as MarginProof(nA, nP, nO, nS, nT, nG, J) for the same values.
 *
 * Public signals, in snarkjs order: portfolioCommitment (the output), then the public inputs in
 * declaration order: accountNonce, price[nA], perpMark[nP], optionMark[nO], riskArray[nO][nS],
 * (J = 1 only: assetRisk[nA][nS], perpRisk[nP][nS], portfolioMargin), minRatio, buffer,
 * shortOptionMinimum, groupShare[nG], assetActive[nA], assetDecimals[nA], assetWeight[nA][nT],
 * assetUpTo[nA][nT-1], assetGroup[nA][nG], perpActive[nP], perpSizeDecimals[nP],
 * perpRate[nP][nT], perpUpTo[nP][nT-1], optionActive[nO]. Which ones are public is the main
 * component's list (prover/src/bench/baseline/circuit.ts): with J = 0 the joint arrays are empty
 * and `portfolioMargin` is a private input forced to 0 (standard policies only, as MarginProof).
 * Units and encodings are circuits/README.md's.
 *
 * What it leaves to the verifier (the design's cost, not a shortcut): every public input comes
 * from the verifier's own storage, so the contract must range-check each policy value when it is
 * registered (widths of circuits/README.md, booleans, tier order, decimals <= 18) as the policy
 * packer of MarginProof does in-circuit, trust the publisher's market values as MarginProof does,
 * store them, and pass all of them to the verifier on every proof. The circuit range-checks only
 * the private holdings and the decimals' 5 bits (DecimalNormalizer needs boolean bits). Round,
 * timestamp and policy mode are not in the proof: the contract that supplies the prices knows
 * which round they are from. There is no layout id: the portfolio commitment names no slot
 * layout, so nothing in the proof ties the custodian-attested holdings' slots to the assets the
 * contract's stored values are for.
 *
 * @param nA, nP, nO, nS, nT, nG, J  as MarginProof
 */
template BaselineMargin(nA, nP, nO, nS, nT, nG, J) {
    // Public (the main component lists them): bound by the verifier, which supplies them.
    signal input accountNonce;
    signal input price[nA];
    signal input perpMark[nP];
    signal input optionMark[nO];
    signal input riskArray[nO][nS];
    signal input assetRisk[nA][nS * J];
    signal input perpRisk[nP][nS * J];
    signal input portfolioMargin;
    signal input minRatio;
    signal input buffer;
    signal input shortOptionMinimum;
    signal input groupShare[nG];
    signal input assetActive[nA];
    signal input assetDecimals[nA];
    signal input assetWeight[nA][nT];
    signal input assetUpTo[nA][nT - 1];
    signal input assetGroup[nA][nG];
    signal input perpActive[nP];
    signal input perpSizeDecimals[nP];
    signal input perpRate[nP][nT];
    signal input perpUpTo[nP][nT - 1];
    signal input optionActive[nO];

    // Private: the portfolio.
    signal input amount[nA];
    signal input perpSizeNeg[nP];
    signal input perpSizeAbs[nP];
    signal input perpEntryPrice[nP];
    signal input optionQtyNeg[nO];
    signal input optionQtyAbs[nO];
    signal input salt;

    signal output portfolioCommitment;

    // accountNonce (account + nonce * 2^160), otherwise unused, is range-checked exactly as
    // MarginProof does it (which also constrains it).
    _ <== Num2Bits(ACCOUNT_BITS() + ROUND_BITS())(accountNonce);

    // ---- Range checks of the private holdings, and their commitment (one item per element). ----
    var nItems = nA + 3 * nP + 2 * nO + 1;
    var items[nItems];
    var n = 0;
    for (var i = 0; i < nA; i++) {
        _ <== Num2Bits(AMOUNT_BITS())(amount[i]);
        items[n] = amount[i]; n++;
    }
    for (var j = 0; j < nP; j++) {
        Boolean()(perpSizeNeg[j]);
        _ <== Num2Bits(PERP_SIZE_BITS())(perpSizeAbs[j]);
        _ <== Num2Bits(PRICE_BITS())(perpEntryPrice[j]);
        items[n] = perpSizeNeg[j]; n++;
        items[n] = perpSizeAbs[j]; n++;
        items[n] = perpEntryPrice[j]; n++;
    }
    for (var o = 0; o < nO; o++) {
        Boolean()(optionQtyNeg[o]);
        _ <== Num2Bits(QTY_BITS())(optionQtyAbs[o]);
        items[n] = optionQtyNeg[o]; n++;
        items[n] = optionQtyAbs[o]; n++;
    }
    items[n] = salt;
    portfolioCommitment <== VectorHash(BASELINE_PORTFOLIO_TAG(), nItems)(items);

    // ---- Collateral. ----
    var haircutSum = 0;
    component collateral[nA];
    for (var i = 0; i < nA; i++) {
        ZeroUnlessActive()(assetActive[i], amount[i]);
        collateral[i] = CollateralSlot(nT);
        collateral[i].amount <== amount[i];
        collateral[i].price <== price[i];
        collateral[i].decimalsBits <== Num2Bits(DECIMALS_BITS())(assetDecimals[i]);
        collateral[i].weight <== assetWeight[i];
        collateral[i].upTo <== assetUpTo[i];
        haircutSum += collateral[i].haircut;
    }

    // ---- Perps. ----
    var pnlSum = 0;
    var perpRequirementSum = 0;
    component perp[nP];
    for (var j = 0; j < nP; j++) {
        // A padded slot's sign bit alone changes nothing: its size is forced to zero.
        ZeroUnlessActive()(perpActive[j], perpSizeAbs[j]);
        ZeroUnlessActive()(perpActive[j], perpEntryPrice[j]);
        // One portfolio: the perp is one piece (C = 1).
        perp[j] = PerpSlot(nT, 1);
        perp[j].sizeNeg[0] <== perpSizeNeg[j];
        perp[j].sizeAbs[0] <== perpSizeAbs[j];
        perp[j].entryPrice[0] <== perpEntryPrice[j];
        perp[j].mark <== perpMark[j];
        perp[j].sizeDecimalsBits <== Num2Bits(DECIMALS_BITS())(perpSizeDecimals[j]);
        perp[j].rate <== perpRate[j];
        perp[j].upTo <== perpUpTo[j];
        pnlSum += perp[j].pnl;
        perpRequirementSum += perp[j].requirement;
    }

    // ---- Options and the scan risk (joint under a portfolio policy). ----
    // Without joint arrays (J = 0) only standard policies can be proved.
    portfolioMargin * (1 - J) === 0;
    for (var o = 0; o < nO; o++) {
        ZeroUnlessActive()(optionActive[o], optionQtyAbs[o]);
    }
    component book = OptionBook(nO);
    book.qtyNeg <== optionQtyNeg;
    book.qtyAbs <== optionQtyAbs;
    book.mark <== optionMark;
    book.shortOptionMinimum <== shortOptionMinimum;

    component scan = ScanRisk(nA, nP, nO, nS, J);
    for (var i = 0; i < nA; i++) {
        scan.assetPosition[i] <== collateral[i].position;
    }
    for (var j = 0; j < nP; j++) {
        scan.perpPosition[j] <== perp[j].position;
    }
    scan.quantity <== book.quantity;
    scan.assetRisk <== assetRisk;
    scan.perpRisk <== perpRisk;
    scan.riskArray <== riskArray;
    scan.portfolio <== portfolioMargin;
    scan.som <== book.som;

    // ---- Concentration limits. ----
    component concentration = Concentration(nA, nG);
    for (var i = 0; i < nA; i++) {
        concentration.haircut[i] <== collateral[i].haircut;
    }
    concentration.member <== assetGroup;
    concentration.maxShare <== groupShare;

    // ---- Statement. ----
    component statement = MarginStatement();
    statement.equity <== haircutSum + pnlSum + book.value - concentration.excess;
    statement.requirement <== perpRequirementSum + scan.requirement + buffer;
    statement.minRatio <== minRatio;
}
