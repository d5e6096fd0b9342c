// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IGroth16Verifier
/// @author zkmargin
/// @notice The interface of the Groth16 verifiers that snarkjs 0.7.6 generates for a zkmargin
///         circuit instance (`zkey export solidityverifier`), with zkmargin's one edit:
///         `verificationKeyHash()`.
/// @dev The four public signals are, in this order:
///      `[accountNonce, marketCommitment, policyCommitment, portfolioCommitment]`, where
///      `accountNonce = uint160(account) | nonce << 160`.
///      The generated verifier returns false (it does not revert) for an invalid proof, for a
///      public signal at or above the scalar field modulus, and for points the precompiles refuse.
interface IGroth16Verifier {
    /// @notice Checks a Groth16 proof against its public signals.
    /// @param _pA The proof's A point (G1).
    /// @param _pB The proof's B point (G2, each coordinate as [imaginary, real], as snarkjs orders it).
    /// @param _pC The proof's C point (G1).
    /// @param _pubSignals The public signals, in the circuit's order.
    /// @return True when the proof is valid for these public signals.
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[4] calldata _pubSignals
    ) external view returns (bool);

    /// @notice The sha256 of this verifier's canonical `verification_key.json` (as listed in
    ///         `build/manifest.json`); PolicyRegistry checks it at registration.
    /// @return The verification-key hash.
    function verificationKeyHash() external view returns (bytes32);
}
