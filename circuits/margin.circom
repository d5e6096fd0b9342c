pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/pack.circom";
include "./lib/hash.circom";
include "./commitments.circom";
include "./collateral.circom";
include "./perp.circom";
include "./options.circom";
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
 * MarginProof(nA, nP, nO, nS, nT): the zkmargin statement, margin model v1 (DESIGN.md):
 * the portfolio behind `portfolioCommitment` meets the policy behind `policyCommitment` at the
 * market round behind `marketCommitment`, i.e. Eq * 1e6 >= Req * minRatio, all three encoded for
 * one slot layout: the single `layoutId` signal is the first element of all three commitments,
 * so a round, a policy and a portfolio encoded for different layouts never make a witness.
 * Input names, units, widths, packing and hashing: circuits/README.md (normative). No outputs:
 * the public signals are [accountNonce, marketCommitment, policyCommitment, portfolioCommitment].
 *
 * Every committed input is range-checked exactly once, by the packer of its commitment; the
 * arithmetic below reads only range-checked values. `accountNonce` (account + nonce * 2^160),
 * public and otherwise unused, is range-checked to 224 bits, which also constrains it. Padded
 * slots are forced to zero holdings.
 *
 * @param nA, nP, nO  collateral asset, perp and option slots (each >= 1)
 * @param nS          option scenarios (>= 1)
 * @param nT          tiers per asset and per perp (>= 1)
 * Preconditions: nO <= 64 (the option widths assume it; checked at compile time).
 * Cost (npm run constraints; figures in circuits/README.md): a collateral slot is
 * (126 + 60 nT) packed bits + 6 + 195 + (nT - 1) + 83 nT + 60 + 1 (963 at nT = 4), plus its
 * share of the Poseidon chunks (~39 per 248 packed bits); small = 7590, demo = 12868 constraints.
 */
template MarginProof(nA, nP, nO, nS, nT) {
    // Public.
    signal input accountNonce;
    signal input marketCommitment;
    signal input policyCommitment;
    signal input portfolioCommitment;

    // Portfolio (private).
    signal input amount[nA];
    signal input perpSizeNeg[nP];
    signal input perpSizeAbs[nP];
    signal input perpEntryPrice[nP];
    signal input optionQtyNeg[nO];
    signal input optionQtyAbs[nO];
    signal input salt;

    // Layout (the first element of all three commitments).
    signal input layoutId;

    // Market.
    signal input round;
    signal input timestamp;
    signal input price[nA];
    signal input perpMark[nP];
    signal input optionMark[nO];
    signal input riskArray[nO][nS];

    // Policy.
    signal input mode;
    signal input minRatio;
    signal input buffer;
    signal input shortOptionMinimum;
    signal input assetActive[nA];
    signal input assetDecimals[nA];
    signal input assetWeight[nA][nT];
    signal input assetUpTo[nA][nT - 1];
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
        portfolioItems[n] = perpSizeAbs[j]; portfolioWidths[n] = AMOUNT_BITS(); n++;
        portfolioItems[n] = perpEntryPrice[j]; portfolioWidths[n] = PRICE_BITS(); n++;
    }
    for (var o = 0; o < nO; o++) {
        portfolioItems[n] = optionQtyNeg[o]; portfolioWidths[n] = 1; n++;
        portfolioItems[n] = optionQtyAbs[o]; portfolioWidths[n] = QTY_BITS(); n++;
    }
    var portfolioLength = packedLength(nPortfolio, portfolioWidths);
    component portfolioPack = PackItems(nPortfolio, portfolioWidths);
    portfolioPack.in <== portfolioItems;
    signal portfolioHash <== PortfolioCommitment(portfolioLength)(layoutId, portfolioPack.out, salt);
    portfolioCommitment === portfolioHash;

    // ---- Market commitment (range-checks every price, mark and risk-array entry). ----
    var nMarket = 2 + nA + nP + nO + nO * nS;
    var marketItems[nMarket];
    var marketWidths[nMarket];
    n = 0;
    marketItems[n] = round; marketWidths[n] = ROUND_BITS(); n++;
    marketItems[n] = timestamp; marketWidths[n] = ROUND_BITS(); n++;
    for (var i = 0; i < nA; i++) {
        marketItems[n] = price[i]; marketWidths[n] = PRICE_BITS(); n++;
    }
    for (var j = 0; j < nP; j++) {
        marketItems[n] = perpMark[j]; marketWidths[n] = PRICE_BITS(); n++;
    }
    for (var o = 0; o < nO; o++) {
        marketItems[n] = optionMark[o]; marketWidths[n] = PRICE_BITS(); n++;
    }
    for (var o = 0; o < nO; o++) {
        for (var k = 0; k < nS; k++) {
            marketItems[n] = riskArray[o][k]; marketWidths[n] = RISK_BITS(); n++;
        }
    }
    var marketLength = packedLength(nMarket, marketWidths);
    component marketPack = PackItems(nMarket, marketWidths);
    marketPack.in <== marketItems;
    signal marketHash <== LayoutCommitment(MARKET_TAG(), marketLength)(layoutId, marketPack.out);
    marketCommitment === marketHash;

    // ---- Policy commitment (range-checks every parameter). ----
    var perSlot = 2 + nT + (nT - 1);
    var nPolicy = 4 + (nA + nP) * perSlot + nO;
    var policyItems[nPolicy];
    var policyWidths[nPolicy];
    var assetDecimalsItem[nA];
    var perpDecimalsItem[nP];
    n = 0;
    policyItems[n] = mode; policyWidths[n] = 1; n++;
    policyItems[n] = minRatio; policyWidths[n] = RATIO_BITS(); n++;
    policyItems[n] = buffer; policyWidths[n] = VALUE_BITS(); n++;
    policyItems[n] = shortOptionMinimum; policyWidths[n] = SOM_BITS(); n++;
    for (var i = 0; i < nA; i++) {
        policyItems[n] = assetActive[i]; policyWidths[n] = 1; n++;
        assetDecimalsItem[i] = n;
        policyItems[n] = assetDecimals[i]; policyWidths[n] = DECIMALS_BITS(); n++;
        for (var t = 0; t < nT; t++) {
            policyItems[n] = assetWeight[i][t]; policyWidths[n] = PPM_BITS(); n++;
        }
        for (var t = 0; t < nT - 1; t++) {
            policyItems[n] = assetUpTo[i][t]; policyWidths[n] = UPTO_BITS(); n++;
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
            policyItems[n] = perpUpTo[j][t]; policyWidths[n] = UPTO_BITS(); n++;
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
        ZeroUnlessActive()(perpActive[j], perpSizeNeg[j]);
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

    // ---- Options. ----
    for (var o = 0; o < nO; o++) {
        ZeroUnlessActive()(optionActive[o], optionQtyNeg[o]);
        ZeroUnlessActive()(optionActive[o], optionQtyAbs[o]);
    }
    component options = OptionRisk(nO, nS);
    options.qtyNeg <== optionQtyNeg;
    options.qtyAbs <== optionQtyAbs;
    options.mark <== optionMark;
    options.riskArray <== riskArray;
    options.shortOptionMinimum <== shortOptionMinimum;

    // ---- Statement. ----
    component statement = MarginStatement();
    statement.equity <== haircutSum + pnlSum + options.value;
    statement.requirement <== perpRequirementSum + options.requirement + buffer;
    statement.minRatio <== minRatio;
}
