// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Groth16Batch} from "../Groth16Batch.sol";

/// @title Groth16BatchHarness
/// @author zkmargin
/// @notice TEST ONLY. Exposes Groth16Batch's internals for any verification key: the weights
///         a batch gets, and the batch check with weights the caller chooses, to show that fixed
///         weights let cancelling errors through where the real, hash-drawn ones do not.
contract Groth16BatchHarness {
    /// @notice The weights Groth16Batch draws for a batch (what `verifyBatch` uses).
    /// @param proofs The proofs, eight words each.
    /// @param pubSignals Every item's public signals, item after item.
    /// @return One weight per proof.
    function weights(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) external pure returns (uint256[] memory) {
        return Groth16Batch.weights(proofs, pubSignals);
    }

    /// @notice The seed the weights are drawn from.
    /// @param proofs The proofs, eight words each.
    /// @param pubSignals Every item's public signals, item after item.
    /// @return The seed.
    function seed(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) external pure returns (bytes32) {
        return Groth16Batch.seed(proofs, pubSignals);
    }

    /// @notice The real batch check under `key`.
    /// @param key The verification key (Groth16Batch.KEY_HEADER_WORDS layout).
    /// @param proofs The proofs, eight words each.
    /// @param pubSignals Every item's public signals, item after item.
    /// @return True iff the batch check passes.
    function verifyBatch(
        uint256[] calldata key,
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) external view returns (bool) {
        return Groth16Batch.verifyBatch(key, proofs, pubSignals);
    }

    /// @notice The batch check with the caller's weights instead of the hash-drawn ones.
    /// @param key The verification key (Groth16Batch.KEY_HEADER_WORDS layout).
    /// @param proofs The proofs, eight words each.
    /// @param pubSignals Every item's public signals, item after item.
    /// @param w One weight per proof.
    /// @return True iff the weighted check passes.
    function verifyWithWeights(
        uint256[] calldata key,
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals,
        uint256[] calldata w
    ) external view returns (bool) {
        return Groth16Batch.verifyWithWeights(key, proofs, pubSignals, w);
    }
}
