// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGroth16Verifier} from "../interfaces/IGroth16Verifier.sol";

/// @title ExpectedInputsVerifier
/// @author zkmargin
/// @notice TEST ONLY. A stand-in Groth16 verifier that accepts exactly one (proof, public signals)
///         pair set by the test, so the registry's rebuilding of public signals is really checked:
///         any other account and nonce, market, policy or portfolio commitment, or any other proof
///         element, is refused.
contract ExpectedInputsVerifier is IGroth16Verifier {
    // The constant is the interface's `verificationKeyHash()` getter, hence its name.
    /// @inheritdoc IGroth16Verifier
    bytes32 public constant override verificationKeyHash = keccak256("ExpectedInputsVerifier"); // solhint-disable-line const-name-snakecase

    bytes32 private _expectedProofHash;
    uint256[4] private _expectedSignals;

    /// @notice Sets the one pair this verifier accepts.
    /// @param proofHash keccak256(abi.encode(pA, pB, pC)).
    /// @param signals The expected public signals.
    function expect(bytes32 proofHash, uint256[4] calldata signals) external {
        _expectedProofHash = proofHash;
        _expectedSignals = signals;
    }

    /// @inheritdoc IGroth16Verifier
    function verifyProof(
        uint256[2] calldata _pA,
        uint256[2][2] calldata _pB,
        uint256[2] calldata _pC,
        uint256[4] calldata _pubSignals
    ) external view returns (bool) {
        if (keccak256(abi.encode(_pA, _pB, _pC)) != _expectedProofHash) return false;
        for (uint256 i = 0; i < 4; ++i) {
            if (_pubSignals[i] != _expectedSignals[i]) return false;
        }
        return true;
    }
}
