pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";

/// Elements absorbed per Poseidon call after the header.
function VECTOR_HASH_RATE() { return 15; }

/**
 * VectorHash(tag, L): the project's one vector-hashing scheme (normative: circuits/README.md,
 * "Vector hash"). s = Poseidon(tag, L); then for each chunk of 15 elements (the last one
 * zero-padded) s = Poseidon(s, c_1, ..., c_15). The domain tag and the length are bound in, so
 * vectors of different kinds or lengths never collide by construction.
 * @param tag       domain tag: an ASCII string read as a big-endian integer (< 2^248)
 * @param L         number of elements (L >= 1)
 * @input in[L]     the elements
 * @output out      the hash
 * Cost: one Poseidon(2) on constants (folded by the compiler) + ceil(L/15) Poseidon(16)
 *       (about 610 constraints each).
 */
template VectorHash(tag, L) {
    signal input in[L];
    signal output out;

    var R = VECTOR_HASH_RATE();
    var chunks = (L + R - 1) \ R;
    signal state[chunks + 1];
    state[0] <== Poseidon(2)([tag, L]);
    for (var c = 0; c < chunks; c++) {
        var block[R + 1];
        block[0] = state[c];
        for (var j = 0; j < R; j++) {
            var k = c * R + j;
            block[j + 1] = k < L ? in[k] : 0;
        }
        state[c + 1] <== Poseidon(R + 1)(block);
    }
    out <== state[chunks];
}
