// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// The checks are Yul: one pairing input buffer filled in place, no ABI copies of the proofs.
// solhint-disable no-inline-assembly

/// @title Groth16Batch
/// @author zkmargin
/// @notice Randomized batch verification of Groth16 proofs (BN254, the snarkjs layout) made under
///         one verification key: B proofs in one pairing check of B + 3 pairings instead of 4B.
///         The generated verifier of each circuit instance calls it with its own key constants
///         (`verifyBatch`, `verifyOne`); see verifier-contracts/README.md, "Batch verification".
/// @dev Proof i, with public signals x_i, is valid iff
///      `e(A_i, B_i) = e(alpha, beta) * e(L_i, gamma) * e(C_i, delta)`, `L_i = IC_0 + sum_j x_ij IC_j`.
///      With weights r_i the batch checks one product:
///      `prod_i e(-r_i A_i, B_i) * e(S alpha, beta) * e(S IC_0 + sum_j s_j IC_j, gamma) * e(sum_i r_i C_i, delta) = 1`,
///      `S = sum_i r_i`, `s_j = sum_i r_i x_ij mod r`. The public signals are combined in the
///      scalar field first, so they cost nPublic + 1 ecMul whatever B is; every item costs one
///      pairing and two ecMul (its A and C) beyond the first, whose weight is 1.
///
///      Weights (Fiat-Shamir): `r_0 = 1`, and for i >= 1
///      `r_i = 1 + (uint256(keccak256(abi.encode(seed, i))) mod (2^128 - 1))`, with
///      `seed = keccak256(abi.encodePacked(BATCH_DOMAIN, proofs, pubSignals))`: they depend on
///      every coordinate and every signal of every item, so no prover can choose a proof after
///      seeing them. Soundness: each item's error is an element `g^d_i` of the pairing group (prime
///      order r); the batch passes iff `sum_i r_i d_i = 0 mod r`. A bad item at i >= 1 passes only
///      if its hash-drawn weight hits the one residue that cancels the rest: probability at most
///      about 2^-128 per attempt. A bad item 0 alone (weight 1) never passes. 128-bit weights cost
///      the same as full-width ones (ecMul has one price) and are beyond BN254's own security.
///
///      Refusals are those of snarkjs's verifier, returned as `false`: a public signal `>= r`, a
///      point the precompiles refuse (not on the curve; G2 not in the subgroup). One more: every
///      proof coordinate `>= q` is refused before any precompile runs; snarkjs's `verifyProof`
///      negates A's y modulo q and so accepts some out-of-field encodings of a valid A.
///      Malformed shapes revert: an empty batch, or public signals not B times nPublic long.
library Groth16Batch {
    /// @notice A batch of no proof: there is nothing to accept.
    error EmptyBatch();

    /// @notice The public signals are not `expected` (proofs times nPublic) words long.
    /// @param expected The length the key and the number of proofs require.
    /// @param actual The length given.
    error PublicSignalsLength(uint256 expected, uint256 actual);

    /// @notice The weights are not one per proof.
    /// @param expected The number of proofs.
    /// @param actual The number of weights.
    error WeightsLength(uint256 expected, uint256 actual);

    /// @notice The key is not KEY_HEADER_WORDS + 2 (nPublic + 1) words with nPublic >= 1.
    /// @param words The length of the key.
    error MalformedVerifyingKey(uint256 words);

    /// @notice Domain tag, the first word hashed into the seed of the weights.
    bytes32 internal constant BATCH_DOMAIN = keccak256("zkmargin.Groth16Batch.v1");

    /// @notice Weights of items i >= 1 are `1 + (hash mod WEIGHT_MODULUS)`: in [1, 2^128 - 1].
    uint256 internal constant WEIGHT_MODULUS = type(uint128).max;

    /// @dev SnarkField's moduli as number literals, which Yul functions can read.
    uint256 private constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 private constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @notice Words of one proof: `[A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y]`.
    uint256 internal constant PROOF_WORDS = 8;

    /// @notice Words of a verification key before its IC points. A key is one `uint256[]` in
    ///         the EIP-197 layout (G2 coordinates imaginary first): `alpha_1 (x, y)`,
    ///         `beta_2 (x_im, x_re, y_im, y_re)`, `gamma_2`, `delta_2`, then
    ///         `IC_0.x, IC_0.y, ..., IC_n.x, IC_n.y`: KEY_HEADER_WORDS + 2 (nPublic + 1) words.
    uint256 internal constant KEY_HEADER_WORDS = 14;

    /// @notice Checks a batch of proofs with weights drawn from a hash of the whole batch.
    /// @param key The verification key the proofs were made under (see KEY_HEADER_WORDS).
    /// @param proofs The proofs, each as PROOF_WORDS words.
    /// @param pubSignals Every item's public signals, item after item (B * nPublic words).
    /// @return True iff the batch check passes (every proof valid, but with probability ~2^-128).
    function verifyBatch(
        uint256[] memory key,
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) internal view returns (bool) {
        return verifyWithWeights(key, proofs, pubSignals, weights(proofs, pubSignals));
    }

    /// @notice Checks one proof: the batch check of one item (weight 1), which is exactly
    ///         Groth16's check with snarkjs's four pairings.
    /// @param key The verification key (see KEY_HEADER_WORDS).
    /// @param proof The proof as PROOF_WORDS words.
    /// @param pubSignals Its public signals (nPublic words).
    /// @return True iff the proof is valid for these public signals.
    function verifyOne(
        uint256[] memory key,
        uint256[8] calldata proof,
        uint256[] calldata pubSignals
    ) internal view returns (bool) {
        uint256 proofOffset;
        uint256 pubOffset;
        assembly ("memory-safe") {
            proofOffset := proof
            pubOffset := pubSignals.offset
        }
        uint256[] memory one = new uint256[](1);
        one[0] = 1;
        return _check(key, proofOffset, 1, pubOffset, pubSignals.length, one);
    }

    /// @notice The batch check with the caller's weights. The real batch uses {weights}; a
    ///         test harness uses this to show what fixed weights would let through.
    /// @param key The verification key (see KEY_HEADER_WORDS).
    /// @param proofs The proofs.
    /// @param pubSignals Every item's public signals, item after item.
    /// @param w One weight per proof, each in [1, r).
    /// @return True iff the weighted check passes.
    function verifyWithWeights(
        uint256[] memory key,
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals,
        uint256[] memory w
    ) internal view returns (bool) {
        uint256 proofsOffset;
        uint256 pubOffset;
        assembly ("memory-safe") {
            proofsOffset := proofs.offset
            pubOffset := pubSignals.offset
        }
        return _check(key, proofsOffset, proofs.length, pubOffset, pubSignals.length, w);
    }

    /// @notice The weights of a batch: 1 for the first item, then 128-bit non-zero values drawn
    ///         from {seed} and the item's index.
    /// @param proofs The proofs.
    /// @param pubSignals Every item's public signals, item after item.
    /// @return w One weight per proof.
    function weights(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) internal pure returns (uint256[] memory w) {
        uint256 count = proofs.length;
        w = new uint256[](count);
        if (count == 0) return w;
        w[0] = 1;
        if (count == 1) return w;
        bytes32 s = seed(proofs, pubSignals);
        uint256 modulus = WEIGHT_MODULUS;
        assembly ("memory-safe") {
            // w[i] = 1 + (keccak256(abi.encode(seed, i)) mod (2^128 - 1)), hashed in scratch space.
            mstore(0, s)
            for { let i := 1 } lt(i, count) { i := add(i, 1) } {
                mstore(32, i)
                mstore(add(w, mul(add(i, 1), 32)), add(1, mod(keccak256(0, 64), modulus)))
            }
        }
    }

    /// @notice The hash every weight is drawn from:
    ///         `keccak256(abi.encodePacked(BATCH_DOMAIN, proofs, pubSignals))`.
    /// @param proofs The proofs.
    /// @param pubSignals Every item's public signals, item after item.
    /// @return s The seed.
    function seed(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) internal pure returns (bytes32 s) {
        bytes32 domain = BATCH_DOMAIN;
        assembly ("memory-safe") {
            // Past the free memory pointer: scratch memory, not kept.
            let buffer := mload(0x40)
            mstore(buffer, domain)
            let proofBytes := mul(proofs.length, 256)
            calldatacopy(add(buffer, 32), proofs.offset, proofBytes)
            let pubBytes := mul(pubSignals.length, 32)
            calldatacopy(add(add(buffer, 32), proofBytes), pubSignals.offset, pubBytes)
            s := keccak256(buffer, add(32, add(proofBytes, pubBytes)))
        }
    }

    /// @dev Checks the shape (refusals revert), then runs {_pairingCheck}.
    function _check(
        uint256[] memory key,
        uint256 proofs,
        uint256 count,
        uint256 pubSignals,
        uint256 pubLength,
        uint256[] memory w
    ) private view returns (bool) {
        if (count == 0) revert EmptyBatch();
        uint256 keyWords = key.length;
        if (keyWords < KEY_HEADER_WORDS + 4 || keyWords % 2 != 0) revert MalformedVerifyingKey(keyWords);
        uint256 nPublic = (keyWords - KEY_HEADER_WORDS) / 2 - 1;
        if (pubLength != count * nPublic) revert PublicSignalsLength(count * nPublic, pubLength);
        if (w.length != count) revert WeightsLength(count, w.length);
        return _pairingCheck(key, proofs, count, pubSignals, nPublic, w);
    }

    /// @dev The weighted check over `count` proofs at calldata `proofs` (PROOF_WORDS words each)
    ///      and their `count * nPublic` signals at calldata `pubSignals`, shapes already checked.
    ///      One Yul block, whose precompile helpers the three passes share; small functions, so
    ///      that it compiles without the IR pipeline too (no stack too deep).
    // solhint-disable-next-line function-max-lines
    function _pairingCheck(
        uint256[] memory key,
        uint256 proofs,
        uint256 count,
        uint256 pubSignals,
        uint256 nPublic,
        uint256[] memory w
    ) private view returns (bool ok) {
        assembly ("memory-safe") {
            // Memory from `pairs`: the pairing input, (count + 3) pairs of 192 bytes. Then from
            // `scratch`: 128 bytes of precompile input, a 64-byte point at +128, the sum of
            // r_i C_i at +192, L at +256, and the n scalar sums s_j from +320.
            function ecMul(scratch, out, x, y, scalar) -> success {
                mstore(scratch, x)
                mstore(add(scratch, 32), y)
                mstore(add(scratch, 64), scalar)
                success := staticcall(gas(), 7, scratch, 96, out, 64)
            }

            // The point at `acc` plus (x, y), into `acc`; false when the precompile refuses.
            function ecAddInto(scratch, acc, x, y) -> success {
                mstore(scratch, mload(acc))
                mstore(add(scratch, 32), mload(add(acc, 32)))
                mstore(add(scratch, 64), x)
                mstore(add(scratch, 96), y)
                success := staticcall(gas(), 6, scratch, 128, acc, 64)
            }

            // Whether the eight words of the proof at calldata `proof` are all below q.
            function coordinatesInField(proof) -> yes {
                yes := and(
                    and(
                        and(lt(calldataload(proof), Q), lt(calldataload(add(proof, 32)), Q)),
                        and(lt(calldataload(add(proof, 64)), Q), lt(calldataload(add(proof, 96)), Q))
                    ),
                    and(
                        and(lt(calldataload(add(proof, 128)), Q), lt(calldataload(add(proof, 160)), Q)),
                        and(lt(calldataload(add(proof, 192)), Q), lt(calldataload(add(proof, 224)), Q))
                    )
                )
            }

            // One item's signals from calldata `signal`: s_j += r_i x_j into `sj` .. `sumsEnd`;
            // false when a signal is not below r. Returns where the next item's signals start.
            function addSignals(signal, sj, sumsEnd, wi) -> next, valid {
                for { } lt(sj, sumsEnd) { sj := add(sj, 32) } {
                    let x := calldataload(signal)
                    if iszero(lt(x, R)) { leave }
                    mstore(sj, addmod(mload(sj), mulmod(wi, x, R), R))
                    signal := add(signal, 32)
                }
                next := signal
                valid := 1
            }

            // Pass 1, no precompile: every coordinate below q and every signal below r (else
            // false), the sums s_j = sum_i r_i x_ij, and S = sum_i r_i.
            function sumSignals(proof, end, signal, weight, sums, sumsEnd) -> total, valid {
                calldatacopy(sums, calldatasize(), sub(sumsEnd, sums))
                for { } lt(proof, end) { proof := add(proof, 256) } {
                    if iszero(coordinatesInField(proof)) { leave }
                    let wi := mload(weight)
                    let inField := 0
                    signal, inField := addSignals(signal, sums, sumsEnd, wi)
                    if iszero(inField) { leave }
                    total := addmod(total, wi, R)
                    weight := add(weight, 32)
                }
                valid := 1
            }

            // -r_i A_i into the pair at `pair`: by y's negation for weight 1 (as snarkjs does;
            // every coordinate is below q), else as (r - r_i) A_i (no negation of infinity).
            function negatedA(scratch, pair, proof, wi) -> valid {
                switch eq(wi, 1)
                case 1 {
                    mstore(pair, calldataload(proof))
                    mstore(add(pair, 32), mod(sub(Q, calldataload(add(proof, 32))), Q))
                    valid := 1
                }
                default {
                    valid := ecMul(scratch, pair, calldataload(proof), calldataload(add(proof, 32)), sub(R, wi))
                }
            }

            // r_i C_i added to the sum at scratch + 192 (stored as is onto the point at infinity:
            // whatever is stored goes through ecAdd or the pairing, which check it).
            function addC(scratch, proof, wi) -> valid {
                let cx := calldataload(add(proof, 192))
                let cy := calldataload(add(proof, 224))
                if iszero(eq(wi, 1)) {
                    if iszero(ecMul(scratch, add(scratch, 128), cx, cy, wi)) { leave }
                    cx := mload(add(scratch, 128))
                    cy := mload(add(scratch, 160))
                }
                let acc := add(scratch, 192)
                switch or(mload(acc), mload(add(acc, 32)))
                case 0 {
                    mstore(acc, cx)
                    mstore(add(acc, 32), cy)
                    valid := 1
                }
                default { valid := ecAddInto(scratch, acc, cx, cy) }
            }

            // Pass 2: the pairs (-r_i A_i, B_i) from `pair` on, and sum_i r_i C_i.
            function itemPairs(proof, end, weight, pair, scratch) -> valid {
                mstore(add(scratch, 192), 0)
                mstore(add(scratch, 224), 0)
                for { } lt(proof, end) { proof := add(proof, 256) } {
                    let wi := mload(weight)
                    if iszero(negatedA(scratch, pair, proof, wi)) { leave }
                    calldatacopy(add(pair, 64), add(proof, 64), 128)
                    if iszero(addC(scratch, proof, wi)) { leave }
                    pair := add(pair, 192)
                    weight := add(weight, 32)
                }
                valid := 1
            }

            // Pass 3a: L = S IC_0 + sum_j s_j IC_j at scratch + 256, nPublic + 1 ecMul whatever
            // the batch size (none for IC_0 when S = 1). The key's IC points start at word 14.
            function publicInputs(_key, scratch, n, total) -> valid {
                let icj := add(_key, 480)
                let lAcc := add(scratch, 256)
                switch eq(total, 1)
                case 1 { mcopy(lAcc, icj, 64) }
                default {
                    if iszero(ecMul(scratch, lAcc, mload(icj), mload(add(icj, 32)), total)) { leave }
                }
                let sj := add(scratch, 320)
                for { let icEnd := add(icj, mul(add(n, 1), 64)) } 1 { } {
                    icj := add(icj, 64)
                    if iszero(lt(icj, icEnd)) { break }
                    if iszero(ecMul(scratch, add(scratch, 128), mload(icj), mload(add(icj, 32)), mload(sj))) { leave }
                    if iszero(ecAddInto(scratch, lAcc, mload(add(scratch, 128)), mload(add(scratch, 160)))) { leave }
                    sj := add(sj, 32)
                }
                valid := 1
            }

            // Pass 3b: the key pairs at `tail`: (S alpha, beta), (L, gamma), (sum r_i C_i,
            // delta). Key words after its length: alpha at 0, beta 2, gamma 6, delta 10.
            function keyPairs(_key, tail, scratch, total) -> valid {
                let alpha := add(_key, 32)
                switch eq(total, 1)
                case 1 { mcopy(tail, alpha, 64) }
                default {
                    if iszero(ecMul(scratch, tail, mload(alpha), mload(add(alpha, 32)), total)) { leave }
                }
                mcopy(add(tail, 64), add(_key, 96), 128)
                mcopy(add(tail, 192), add(scratch, 256), 64)
                mcopy(add(tail, 256), add(_key, 224), 128)
                mcopy(add(tail, 384), add(scratch, 192), 64)
                mcopy(add(tail, 448), add(_key, 352), 128)
                valid := 1
            }

            let pairs := mload(0x40)
            let scratch := add(pairs, mul(add(count, 3), 192))
            mstore(0x40, add(add(scratch, 320), shl(5, nPublic)))
            let total, valid := sumSignals(
                proofs,
                add(proofs, shl(8, count)),
                pubSignals,
                add(w, 32),
                add(scratch, 320),
                add(add(scratch, 320), shl(5, nPublic))
            )
            if valid { valid := itemPairs(proofs, add(proofs, shl(8, count)), add(w, 32), pairs, scratch) }
            if valid { valid := publicInputs(key, scratch, nPublic, total) }
            if valid { valid := keyPairs(key, add(pairs, mul(count, 192)), scratch, total) }
            if valid {
                let success := staticcall(gas(), 8, pairs, mul(add(count, 3), 192), scratch, 32)
                ok := and(success, mload(scratch))
            }
        }
    }
}
