pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/pack.circom";
include "./lib/hash.circom";
include "./commitments.circom";
include "./collateral.circom";
include "./perp.circom";
include "./options.circom";
include "./concentration.circom";
include "./statement.circom";

/**
 * ZeroUnlessActive(): a padded slot carries no holding: holding * (1 - active) == 0.
 * @input active   1 for a slot of the policy's universe, 0 for padding (boolean, packer)
 * @input holding  the slot's holding
 * Cost: 1 constraint.
 */
template ZeroUnlessActive() {
    signal input active;
    signal input holding;
    holding * (1 - active) === 0;
}

/**
 * JointSetRequired(): a portfolio-margin policy is proved only on a round whose joint scenario
 * set covers every asset and perp of the layout: portfolioMargin * (1 - jointSetPresent) == 0.
 * Without it the scan would read a missing risk array as zero losses (circuits/README.md,
 * "Joint scenario set present").
 * @input portfolioMargin  the policy's margin bit (boolean, policy packer)
 * @input jointSetPresent  the round's flag, bound by the market commitment (public value: the
 *                         publisher posts 0 or 1; any other value also forces portfolioMargin = 0)
 * Cost: 1 constraint.
 */
template JointSetRequired() {
    signal input portfolioMargin;
    signal input jointSetPresent;
    portfolioMargin * (1 - jointSetPresent) === 0;
}

/**
 * MarginProof(nA, nP, nO, nS, nT, nG, J): the zkmargin statement, margin models v1 ("standard")
 * and v2 ("portfolio") of docs/model.md in one circuit: the portfolio behind `portfolioCommitment`
 * meets the policy behind `policyCommitment` at the market round behind `marketCommitment`,
 * i.e. Eq * 1e6 >= Req * minRatio, all three encoded for one slot layout: the single `layoutId`
 * signal is the first element of all three commitments, so a round, a policy and a portfolio
 * encoded for different layouts never make a witness. The policy's `portfolioMargin` bit
 * chooses the model: the joint scenario scan over every position, or the options' alone; a
 * portfolio policy needs the round's `jointSetPresent` flag (a complete joint scenario set).
 * Input names, units, widths, packing and hashing: circuits/README.md (normative). No outputs:
 * the public signals are [accountNonce, marketCommitment, policyCommitment, portfolioCommitment].
 *
 * Range checks: every private input and every policy parameter is range-checked exactly once,
 * by the packer of its commitment; `accountNonce` is range-checked to 224 bits. Market values
 * (prices, marks, risk entries) are public, hashed as whole field elements and bound exactly by
 * the market commitment that the publisher computed from a validated market file (which anyone
 * can re-check): the circuit trusts their widths, as it trusts their values (circuits/README.md,
 * "Who is trusted for what"). Padded slots are forced to zero holdings.
 *
 * Policy shape checked here (governance is not trusted for these): tier bounds never fall (the
 * policy commitment packs each bound as its rise over the previous one, and the packer's range
 * check of each rise is the check, at no extra cost), and each asset sits in at most one
 * concentration group (Concentration, one constraint per asset).
 *
 * @param nA, nP, nO  collateral asset, perp and option slots (each >= 1; nO <= 64)
 * @param nS          scenarios (>= 1): option risk arrays and joint scenario arrays
 * @param nT          tiers per asset and per perp (2 <= nT <= 16: the bound widths assume it)
 * @param nG          concentration groups (>= 1)
 * @param J           1: the instance carries the joint scenario arrays and proves both models;
 *                    0: it carries none and proves standard policies only (portfolioMargin = 0)
 * Cost (npm run constraints; figures in circuits/README.md).
 */
template MarginProof(nA, nP, nO, nS, nT, nG, J) {
    // Compile-time guard on the parameters (no signal involved): the tier widths assume it.
    assert(nT >= 2 && nT <= 16);

    // Public.
    signal input accountNonce;
    signal input marketCommitment;
    signal input policyCommitment;
    signal input portfolioCommitment;

    // Layout (the first element of all three commitments).
    signal input layoutId;

    // Portfolio (private).
    signal input amount[nA];
    signal input perpSizeNeg[nP];
    signal input perpSizeAbs[nP];
    signal input perpEntryPrice[nP];
    signal input optionQtyNeg[nO];
    signal input optionQtyAbs[nO];
    signal input salt;

    // Market (public values, bound by marketCommitment).
    signal input roundTimestamp;
    signal input jointSetPresent;
    signal input price[nA];
    signal input perpMark[nP];
    signal input optionMark[nO];
    signal input riskArray[nO][nS];
    signal input assetRisk[nA][nS * J];
    signal input perpRisk[nP][nS * J];

    // Policy (bound by policyCommitment).
    signal input mode;
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

    // ---- The public signal that is not hashed: range-checked, hence constrained. ----
    _ <== Num2Bits(ACCOUNT_BITS() + ROUND_BITS())(accountNonce);

    // ---- Portfolio commitment (range-checks every holding). ----
    var nPortfolio = nA + 3 * nP + 2 * nO;
    var portfolioItems[nPortfolio];
    var portfolioWidths[nPortfolio];
    var n = 0;
    for (var i = 0; i < nA; i++) {
        portfolioItems[n] = amount[i]; portfolioWidths[n] = AMOUNT_BITS(); n++;
    }
    for (var j = 0; j < nP; j++) {
        portfolioItems[n] = perpSizeNeg[j]; portfolioWidths[n] = 1; n++;
        portfolioItems[n] = perpSizeAbs[j]; portfolioWidths[n] = PERP_SIZE_BITS(); n++;
        portfolioItems[n] = perpEntryPrice[j]; portfolioWidths[n] = PRICE_BITS(); n++;
    }
    for (var o = 0; o < nO; o++) {
        portfolioItems[n] = optionQtyNeg[o]; portfolioWidths[n] = 1; n++;
        portfolioItems[n] = optionQtyAbs[o]; portfolioWidths[n] = QTY_BITS(); n++;
    }
    var portfolioLength = packedLength(nPortfolio, portfolioWidths);
    component portfolioPack = PackItems(nPortfolio, portfolioWidths);
    portfolioPack.in <== portfolioItems;
    var portfolioElements[portfolioLength + 1];
    for (var e = 0; e < portfolioLength; e++) {
        portfolioElements[e] = portfolioPack.out[e];
    }
    portfolioElements[portfolioLength] = salt;
    signal portfolioHash <== LayoutCommitment(PORTFOLIO_TAG(), portfolioLength + 1)(
        layoutId,
        portfolioElements
    );
    portfolioCommitment === portfolioHash;

    // ---- Market commitment: every public value as a whole element, in spec order. ----
    var nMarket = 2 + nA + nP + nO + (nO + (nA + nP) * J) * nS;
    var marketElements[nMarket];
    n = 0;
    marketElements[n] = roundTimestamp; n++;
    marketElements[n] = jointSetPresent; n++;
    for (var i = 0; i < nA; i++) { marketElements[n] = price[i]; n++; }
    for (var j = 0; j < nP; j++) { marketElements[n] = perpMark[j]; n++; }
    for (var o = 0; o < nO; o++) { marketElements[n] = optionMark[o]; n++; }
    for (var o = 0; o < nO; o++) {
        for (var k = 0; k < nS; k++) { marketElements[n] = riskArray[o][k]; n++; }
    }
    for (var i = 0; i < nA; i++) {
        for (var k = 0; k < nS * J; k++) { marketElements[n] = assetRisk[i][k]; n++; }
    }
    for (var j = 0; j < nP; j++) {
        for (var k = 0; k < nS * J; k++) { marketElements[n] = perpRisk[j][k]; n++; }
    }
    signal marketHash <== LayoutCommitment(MARKET_TAG(), nMarket)(layoutId, marketElements);
    marketCommitment === marketHash;

    // ---- Policy commitment (range-checks every parameter). ----
    // A tier bound is committed as its rise over the previous bound (the first over 0), so the
    // packer's range check of the rise (UPTO_BITS) makes the bounds non-decreasing for free.
    var perSlot = 2 + nT + (nT - 1);
    var nPolicy = 5 + nG + nA * (perSlot + nG) + nP * perSlot + nO;
    var policyItems[nPolicy];
    var policyWidths[nPolicy];
    var assetDecimalsItem[nA];
    var perpDecimalsItem[nP];
    n = 0;
    policyItems[n] = mode; policyWidths[n] = 1; n++;
    policyItems[n] = portfolioMargin; policyWidths[n] = 1; n++;
    policyItems[n] = minRatio; policyWidths[n] = RATIO_BITS(); n++;
    policyItems[n] = buffer; policyWidths[n] = VALUE_BITS(); n++;
    policyItems[n] = shortOptionMinimum; policyWidths[n] = SOM_BITS(); n++;
    for (var g = 0; g < nG; g++) {
        policyItems[n] = groupShare[g]; policyWidths[n] = PPM_BITS(); n++;
    }
    for (var i = 0; i < nA; i++) {
        policyItems[n] = assetActive[i]; policyWidths[n] = 1; n++;
        assetDecimalsItem[i] = n;
        policyItems[n] = assetDecimals[i]; policyWidths[n] = DECIMALS_BITS(); n++;
        for (var t = 0; t < nT; t++) {
            policyItems[n] = assetWeight[i][t]; policyWidths[n] = PPM_BITS(); n++;
        }
        for (var t = 0; t < nT - 1; t++) {
            if (t == 0) {
                policyItems[n] = assetUpTo[i][0];
            } else {
                policyItems[n] = assetUpTo[i][t] - assetUpTo[i][t - 1];
            }
            policyWidths[n] = UPTO_BITS(); n++;
        }
        for (var g = 0; g < nG; g++) {
            policyItems[n] = assetGroup[i][g]; policyWidths[n] = 1; n++;
        }
    }
    for (var j = 0; j < nP; j++) {
        policyItems[n] = perpActive[j]; policyWidths[n] = 1; n++;
        perpDecimalsItem[j] = n;
        policyItems[n] = perpSizeDecimals[j]; policyWidths[n] = DECIMALS_BITS(); n++;
        for (var t = 0; t < nT; t++) {
            policyItems[n] = perpRate[j][t]; policyWidths[n] = PPM_BITS(); n++;
        }
        for (var t = 0; t < nT - 1; t++) {
            if (t == 0) {
                policyItems[n] = perpUpTo[j][0];
            } else {
                policyItems[n] = perpUpTo[j][t] - perpUpTo[j][t - 1];
            }
            policyWidths[n] = UPTO_BITS(); n++;
        }
    }
    for (var o = 0; o < nO; o++) {
        policyItems[n] = optionActive[o]; policyWidths[n] = 1; n++;
    }
    var policyLength = packedLength(nPolicy, policyWidths);
    component policyPack = PackItems(nPolicy, policyWidths);
    policyPack.in <== policyItems;
    signal policyHash <== LayoutCommitment(POLICY_TAG(), policyLength)(layoutId, policyPack.out);
    policyCommitment === policyHash;

    // ---- Collateral. ----
    var haircutSum = 0;
    component collateral[nA];
    for (var i = 0; i < nA; i++) {
        ZeroUnlessActive()(assetActive[i], amount[i]);
        var decimalsBits[DECIMALS_BITS()];
        var at = bitOffset(assetDecimalsItem[i], policyWidths);
        for (var b = 0; b < DECIMALS_BITS(); b++) {
            decimalsBits[b] = policyPack.bits[at + b];
        }
        collateral[i] = CollateralSlot(nT);
        collateral[i].amount <== amount[i];
        collateral[i].price <== price[i];
        collateral[i].decimalsBits <== decimalsBits;
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
        var sizeDecimalsBits[DECIMALS_BITS()];
        var at = bitOffset(perpDecimalsItem[j], policyWidths);
        for (var b = 0; b < DECIMALS_BITS(); b++) {
            sizeDecimalsBits[b] = policyPack.bits[at + b];
        }
        perp[j] = PerpSlot(nT);
        perp[j].sizeNeg <== perpSizeNeg[j];
        perp[j].sizeAbs <== perpSizeAbs[j];
        perp[j].entryPrice <== perpEntryPrice[j];
        perp[j].mark <== perpMark[j];
        perp[j].sizeDecimalsBits <== sizeDecimalsBits;
        perp[j].rate <== perpRate[j];
        perp[j].upTo <== perpUpTo[j];
        pnlSum += perp[j].pnl;
        perpRequirementSum += perp[j].requirement;
    }

    // ---- Options and the scan risk (joint under a portfolio policy). ----
    // Without joint arrays (J = 0) only standard policies can be proved; with them, only on a
    // round whose joint scenario set is complete (the flag the market commitment binds).
    portfolioMargin * (1 - J) === 0;
    JointSetRequired()(portfolioMargin, jointSetPresent);
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
