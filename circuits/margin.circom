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
include "./pledges.circom";

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
 * MarginProof(nA, nP, nO, nS, nT, nG, J, C): the zkmargin statement, margin models v1
 * ("standard") and v2 ("portfolio") of docs/model.md in one circuit, over the sum of up to C
 * sub-portfolios (DESIGN.md "Several custodians in one proof"): the sum of the sub-portfolios
 * behind `portfolioCommitment[0..C-1]` meets the policy behind `policyCommitment` at the market
 * round behind `marketCommitment`, i.e. Eq * 1e6 >= Req * minRatio, all encoded for one slot
 * layout: the single `layoutId` signal is the first element of every commitment, so a round, a
 * policy and sub-portfolios encoded for different layouts never make a witness. The policy's
 * `portfolioMargin` bit chooses the model: the joint scenario scan over every position, or the
 * options' alone; a portfolio policy needs the round's `jointSetPresent` flag (a complete joint
 * scenario set). Input names, units, widths, packing and hashing: circuits/README.md
 * (normative). No outputs: the public signals are [accountNonce, marketCommitment,
 * policyCommitment, portfolioCommitment[0] .. portfolioCommitment[C-1]].
 *
 * Sub-portfolios (pledge slots): each is a full vector over the layout with its own salt and its
 * own commitment (the v2 portfolio scheme, unchanged). Asset amounts and option quantities add;
 * a perp's pieces add their signed sizes and their costs (PerpSlot); tiers, notional and the
 * short-option minimum apply to the net positions. Slot 1 is always used; an unused slot has
 * commitment 0 and all-zero holdings, and the used slots form a prefix (PledgeSlots). C = 1 is
 * v2's circuit, constraint for constraint.
 *
 * Range checks: every private input and every policy parameter is range-checked exactly once,
 * by the packer of its commitment; `accountNonce` is range-checked to 224 bits; net perp sizes
 * and option quantities of C >= 2 pieces by NetSigned. Market values (prices, marks, risk
 * entries) are public, hashed as whole field elements and bound exactly by the market commitment
 * that the publisher computed from a validated market file (which anyone can re-check): the
 * circuit trusts their widths, as it trusts their values (circuits/README.md, "Who is trusted for
 * what"). Padded slots are forced to zero holdings in every sub-portfolio.
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
 * @param C           pledge slots, sub-portfolios summed (1 <= C <= MAX_PLEDGES = 16)
 * Cost (npm run constraints; figures in circuits/README.md).
 */
template MarginProof(nA, nP, nO, nS, nT, nG, J, C) {
    // Compile-time guards on the parameters (no signal involved): the widths assume them.
    assert(nT >= 2 && nT <= 16);
    assert(C >= 1 && C <= MAX_PLEDGES());

    // Public.
    signal input accountNonce;
    signal input marketCommitment;
    signal input policyCommitment;
    signal input portfolioCommitment[C];

    // Layout (the first element of all three commitments).
    signal input layoutId;

    // Sub-portfolios (private), one row per pledge slot.
    signal input amount[C][nA];
    signal input perpSizeNeg[C][nP];
    signal input perpSizeAbs[C][nP];
    signal input perpEntryPrice[C][nP];
    signal input optionQtyNeg[C][nO];
    signal input optionQtyAbs[C][nO];
    signal input salt[C];

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

    // ---- Sub-portfolio commitments (range-check every holding) and the pledge slots. ----
    component piece[C];
    component slots = PledgeSlots(C);
    for (var k = 0; k < C; k++) {
        piece[k] = SubPortfolio(nA, nP, nO);
        piece[k].layoutId <== layoutId;
        piece[k].amount <== amount[k];
        piece[k].perpSizeNeg <== perpSizeNeg[k];
        piece[k].perpSizeAbs <== perpSizeAbs[k];
        piece[k].perpEntryPrice <== perpEntryPrice[k];
        piece[k].optionQtyNeg <== optionQtyNeg[k];
        piece[k].optionQtyAbs <== optionQtyAbs[k];
        piece[k].salt <== salt[k];
        slots.hash[k] <== piece[k].hash;
        slots.total[k] <== piece[k].total;
    }
    slots.commitment <== portfolioCommitment;

    // ---- Market commitment: every public value as a whole element, in spec order. ----
    var nMarket = 2 + nA + nP + nO + (nO + (nA + nP) * J) * nS;
    var marketElements[nMarket];
    var n = 0;
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
        // The sum of range-checked non-negative pieces (< 16 x 2^96) is 0 only when each is.
        var held = 0;
        for (var k = 0; k < C; k++) { held += amount[k][i]; }
        ZeroUnlessActive()(assetActive[i], held);
        var decimalsBits[DECIMALS_BITS()];
        var at = bitOffset(assetDecimalsItem[i], policyWidths);
        for (var b = 0; b < DECIMALS_BITS(); b++) {
            decimalsBits[b] = policyPack.bits[at + b];
        }
        collateral[i] = CollateralSlot(nT);
        collateral[i].amount <== held;
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
        // A padded slot's sign bits alone change nothing: its sizes are forced to zero (sums of
        // range-checked non-negative pieces, 0 only when each is).
        var sizes = 0;
        var entries = 0;
        for (var k = 0; k < C; k++) {
            sizes += perpSizeAbs[k][j];
            entries += perpEntryPrice[k][j];
        }
        ZeroUnlessActive()(perpActive[j], sizes);
        ZeroUnlessActive()(perpActive[j], entries);
        var sizeDecimalsBits[DECIMALS_BITS()];
        var at = bitOffset(perpDecimalsItem[j], policyWidths);
        for (var b = 0; b < DECIMALS_BITS(); b++) {
            sizeDecimalsBits[b] = policyPack.bits[at + b];
        }
        perp[j] = PerpSlot(nT, C);
        for (var k = 0; k < C; k++) {
            perp[j].sizeNeg[k] <== perpSizeNeg[k][j];
            perp[j].sizeAbs[k] <== perpSizeAbs[k][j];
            perp[j].entryPrice[k] <== perpEntryPrice[k][j];
        }
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
    component book = OptionBook(nO);
    component netQuantity[nO];
    for (var o = 0; o < nO; o++) {
        var quantities = 0;
        for (var k = 0; k < C; k++) { quantities += optionQtyAbs[k][o]; }
        ZeroUnlessActive()(optionActive[o], quantities);
        // The short-option minimum is charged on the net quantity of the C pieces.
        if (C == 1) {
            book.qtyNeg[o] <== optionQtyNeg[0][o];
            book.qtyAbs[o] <== optionQtyAbs[0][o];
        } else {
            netQuantity[o] = NetSigned(C, QTY_BITS());
            for (var k = 0; k < C; k++) {
                netQuantity[o].neg[k] <== optionQtyNeg[k][o];
                netQuantity[o].abs[k] <== optionQtyAbs[k][o];
            }
            book.qtyNeg[o] <== netQuantity[o].netNeg;
            book.qtyAbs[o] <== netQuantity[o].netAbs;
        }
    }
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
