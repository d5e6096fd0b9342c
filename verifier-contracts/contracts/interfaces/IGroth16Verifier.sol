// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IGroth16Verifier
/// @author zkmargin
/// @notice The interface of the Groth16 verifiers that snarkjs 0.7.6 generates for a zkmargin
///         circuit instance (`zkey export solidityverifier`), with zkmargin's one edit:
///         `verificationKeyHash()`, as declared for an instance of one pledge slot (C = 1).
/// @dev The 3 + C public signals are, in this order: `[accountNonce, marketCommitment,
///      policyCommitment, portfolioCommitment_1 .. portfolioCommitment_C]`, where
///      `accountNonce = uint160(account) | nonce << 160`. snarkjs's `verifyProof` takes them as a
///      `uint256[3 + C]`, so its selector depends on C: MarginRegistry calls it by that selector
///      (the type here only names the contract; see IGroth16BatchVerifier for the calls that
///      serve any C).
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

/// @title IGroth16BatchVerifier
/// @author zkmargin
/// @notice What every generated zkmargin verifier answers, whatever its number of public signals
///         (zkmargin's second edit of the snarkjs contract, backed by `Groth16Batch.sol`): the
///         batch check and the single check, both with the public signals as one `uint256[]`, so
///         one caller serves circuits of any signal count. Each proof is eight words,
///         `[A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y]` (the order of
///         `ProofCoordinateOutOfField`'s index).
/// @dev Both checks return false for an invalid proof, a public signal at or above the scalar
///      field modulus r, a proof coordinate at or above the base field modulus q, and points the
///      precompiles refuse. They revert (`EmptyBatch`, `PublicSignalsLength(expected, actual)`)
///      on a malformed shape. A batch of one is exactly `verifyOne`, and `verifyOne` decides as
///      snarkjs's `verifyProof` does for every input whose coordinates are below q.
interface IGroth16BatchVerifier {
    /// @notice Checks B proofs with one randomized pairing check (B + 3 pairings).
    /// @param proofs The proofs, eight words each.
    /// @param pubSignals Every proof's public signals, proof after proof (B * publicSignalCount()).
    /// @return True iff every proof is valid for its signals (but with probability about 2^-128).
    function verifyBatch(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) external view returns (bool);

    /// @notice Checks one proof against its public signals.
    /// @param proof The proof, eight words.
    /// @param pubSignals Its public signals (publicSignalCount() words).
    /// @return True iff the proof is valid for these signals.
    function verifyOne(
        uint256[8] calldata proof,
        uint256[] calldata pubSignals
    ) external view returns (bool);

    /// @notice The number of public signals of the verifier's circuit.
    /// @return The count.
    function publicSignalCount() external view returns (uint256);

    /// @notice The sha256 of the verifier's canonical `verification_key.json`.
    /// @return The verification-key hash.
    function verificationKeyHash() external view returns (bytes32);
}
