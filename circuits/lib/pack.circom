pragma circom 2.1.9;

include "circomlib/circuits/bitify.circom";
include "./widths.circom";

/// Number of field elements that PackItems(n, widths) produces: items are packed greedily, in
/// order, into elements of at most PACK_BITS() bits; a new element starts when the next item
/// would not fit.
function packedLength(n, widths) {
    var elements = 0;
    var used = PACK_BITS();
    for (var i = 0; i < n; i++) {
        if (used + widths[i] > PACK_BITS()) {
            elements++;
            used = 0;
        }
        used += widths[i];
    }
    return elements;
}

/// Sum of widths[0..n-1]: the length of PackItems' `bits` output.
function totalWidth(n, widths) {
    var total = 0;
    for (var i = 0; i < n; i++) {
        total += widths[i];
    }
    return total;
}

/// Index in PackItems' `bits` output of the lowest bit of item k.
function bitOffset(k, widths) {
    var offset = 0;
    for (var i = 0; i < k; i++) {
        offset += widths[i];
    }
    return offset;
}

/**
 * PackItems(n, widths): range-checks every item to its width and packs the items into field
 * elements (normative: circuits/README.md, "Packing"). This is where committed inputs get their
 * one and only range check; consumers that need an item's bits read them from `bits`.
 * @param n            number of items (n >= 1)
 * @param widths[n]    bit width of each item; each in 1..PACK_BITS()
 * @input in[n]        the items
 * @output out[L]      the packed elements, L = packedLength(n, widths); each below 2^248
 * @output bits[B]     every item's bits, little-endian, item k at bitOffset(k, widths);
 *                     B = totalWidth(n, widths)
 * Cost: sum(widths) constraints (one boolean check per bit; packing itself is linear).
 */
template PackItems(n, widths) {
    var L = packedLength(n, widths);
    var B = totalWidth(n, widths);
    signal input in[n];
    signal output out[L];
    signal output bits[B];

    var element = -1;
    var used = PACK_BITS();
    var acc[L];
    var b = 0;
    component check[n];
    for (var i = 0; i < n; i++) {
        if (used + widths[i] > PACK_BITS()) {
            element++;
            used = 0;
            acc[element] = 0;
        }
        check[i] = Num2Bits(widths[i]);
        check[i].in <== in[i];
        for (var j = 0; j < widths[i]; j++) {
            bits[b] <== check[i].out[j];
            b++;
        }
        acc[element] += in[i] * (1 << used);
        used += widths[i];
    }
    for (var e = 0; e < L; e++) {
        out[e] <== acc[e];
    }
}
