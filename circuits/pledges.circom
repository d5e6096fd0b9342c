pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./lib/widths.circom";
include "./lib/pack.circom";
include "./commitments.circom";

/**
 * SubPortfolio(nA, nP, nO): one sub-portfolio (pledge slot) of the proof: its commitment and the
 * sum of its items. Each sub-portfolio is a full vector over the layout, committed on its own with
 * its own salt by the unchanged portfolio scheme (circuits/README.md, "The three commitments"):
 *   hash = VectorHash("zkmargin/portfolio/v2", [layoutId] ++ pack(items) ++ [salt]).
 * The packer range-checks every item to its width (this is the holdings' one range check), so
 * every item is a non-negative integer below 2^96 and `total`, the plain sum of the items (sign
 * bits and entry prices included), is below (nA + 3 nP + 2 nO) * 2^96 < 2^109 for any instance
 * the table allows (at most 1024 slots of each kind): it cannot wrap, and it is 0 exactly when
 * every item is 0.
 * @param nA, nP, nO        collateral asset, perp and option slots
 * @input layoutId          the layout id (the first element of every commitment)
 * @input amount[nA]        base units (< 2^96)
 * @input perpSizeNeg[nP], perpSizeAbs[nP], perpEntryPrice[nP]  sign, |size| (< 2^64), E (< 2^80)
 * @input optionQtyNeg[nO], optionQtyAbs[nO]                   sign, |q| (< 2^48)
 * @input salt              any field element (a hash input only)
 * @output hash             the sub-portfolio's commitment
 * @output total            the sum of every item (a linear combination: no constraint)
 * Cost: the packer's range checks (96 nA + 145 nP + 49 nO) + VectorHash(L + 2), L the packed
 * element count.
 */
template SubPortfolio(nA, nP, nO) {
    signal input layoutId;
    signal input amount[nA];
    signal input perpSizeNeg[nP];
    signal input perpSizeAbs[nP];
    signal input perpEntryPrice[nP];
    signal input optionQtyNeg[nO];
    signal input optionQtyAbs[nO];
    signal input salt;
    signal output hash;
    signal output total;

    var nItems = nA + 3 * nP + 2 * nO;
    var items[nItems];
    var widths[nItems];
    var n = 0;
    for (var i = 0; i < nA; i++) {
        items[n] = amount[i]; widths[n] = AMOUNT_BITS(); n++;
    }
    for (var j = 0; j < nP; j++) {
        items[n] = perpSizeNeg[j]; widths[n] = 1; n++;
        items[n] = perpSizeAbs[j]; widths[n] = PERP_SIZE_BITS(); n++;
        items[n] = perpEntryPrice[j]; widths[n] = PRICE_BITS(); n++;
    }
    for (var o = 0; o < nO; o++) {
        items[n] = optionQtyNeg[o]; widths[n] = 1; n++;
        items[n] = optionQtyAbs[o]; widths[n] = QTY_BITS(); n++;
    }
    var length = packedLength(nItems, widths);
    component pack = PackItems(nItems, widths);
    pack.in <== items;
    var elements[length + 1];
    for (var e = 0; e < length; e++) {
        elements[e] = pack.out[e];
    }
    elements[length] = salt;
    hash <== LayoutCommitment(PORTFOLIO_TAG(), length + 1)(layoutId, elements);

    var sum = 0;
    for (var m = 0; m < nItems; m++) {
        sum += items[m];
    }
    total <== sum;
}

/**
 * PledgeSlots(C): binds the C public portfolio commitments to the C sub-portfolios
 * (circuits/README.md, "Pledge slots"). Slot 1 is always used: its commitment is its
 * sub-portfolio's hash. A later slot k is used or not, by a boolean `used_k` that the witness
 * derives from the public commitment:
 *   commitment_k = used_k * hash_k        (unused: the commitment is 0; used: it is the hash)
 *   (1 - used_k) * total_k = 0            (unused: every item of the sub-portfolio is 0)
 *   used_k * (1 - used_{k-1}) = 0         (used slots form a prefix)
 * So a commitment of 0 carries no holdings (`total` is a sum of range-checked non-negative items
 * that cannot wrap: 0 only when all are 0), and a non-zero commitment is exactly the hash of the
 * holdings the circuit sums (a hash that is 0 would need a Poseidon preimage of 0).
 * @param C               pledge slots (1 <= C <= MAX_PLEDGES)
 * @input commitment[C]   the public portfolio commitments, in slot order
 * @input hash[C]         each sub-portfolio's hash (SubPortfolio)
 * @input total[C]        each sub-portfolio's item sum (SubPortfolio)
 * Cost: 0 for C = 1 (one linear equality, substituted); 3 (C - 1) + (C - 2) constraints above.
 */
template PledgeSlots(C) {
    signal input commitment[C];
    signal input hash[C];
    signal input total[C];

    commitment[0] === hash[0];
    if (C > 1) {
        signal used[C];
        used[0] <== 1;
        for (var k = 1; k < C; k++) {
            used[k] <-- commitment[k] != 0 ? 1 : 0;
            used[k] * (used[k] - 1) === 0;
            commitment[k] === used[k] * hash[k];
            (1 - used[k]) * total[k] === 0;
            if (k >= 2) {
                used[k] * (1 - used[k - 1]) === 0;
            }
        }
    }
}

/**
 * NetSigned(C, bits): the net of C >= 2 signed pieces given as sign and magnitude, as sign and
 * magnitude again (a perp's net size, an option's net quantity):
 *   s = sum_k (1 - 2 neg_k) abs_k,   (1 - 2 netNeg) * netAbs = s,   netAbs < 2^(bits + ceil(log2 C)).
 * With every abs_k < 2^bits the integer |s| is below C * 2^bits, far from the field size, so the
 * range-checked netAbs and the boolean netNeg are |s| and its sign (netNeg is free only when s = 0,
 * where it changes nothing). Without the range check a prover could call a net short long
 * (netAbs = s, a field negative) and drop it from the short-option minimum and the notional.
 * (C = 1 needs none of this: MarginProof passes the one piece through.)
 * @param C               pieces (2 <= C <= MAX_PLEDGES)
 * @param bits            width of each magnitude (range-checked by the packers)
 * @input neg[C]          1 = short (boolean, packer)
 * @input abs[C]          magnitudes (< 2^bits, packer)
 * @output netNeg, netAbs the net's sign and magnitude
 * @output signedPart[C]  (1 - 2 neg_k) abs_k, each piece's signed value (a field negative when
 *                        short; linear in the products below, so it costs nothing)
 * Cost: C + 2 + bits + ceil(log2 C) constraints.
 */
template NetSigned(C, bits) {
    signal input neg[C];
    signal input abs[C];
    signal output netNeg;
    signal output netAbs;
    signal output signedPart[C];

    assert(C >= 2 && C <= MAX_PLEDGES());
    signal shortAbs[C];
    var net = 0;
    for (var k = 0; k < C; k++) {
        shortAbs[k] <== neg[k] * abs[k];
        signedPart[k] <== abs[k] - 2 * shortAbs[k];
        net += signedPart[k];
    }
    // Witness: circom compares field elements as signed values in (-p/2, p/2].
    var s = net;
    netNeg <-- s < 0 ? 1 : 0;
    netAbs <-- s < 0 ? -s : s;
    netNeg * (netNeg - 1) === 0;
    _ <== Num2Bits(bits + sumBits(C))(netAbs);
    2 * netNeg * netAbs === netAbs - net;
}
