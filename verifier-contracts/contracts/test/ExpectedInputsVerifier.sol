// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGroth16BatchVerifier} from "../interfaces/IGroth16Verifier.sol";

/// @title ExpectedInputsVerifier
/// @author zkmargin
/// @notice TEST ONLY. A stand-in Groth16 verifier of any number of public signals (fixed at
///         deployment) that accepts exactly the (proof, public signals) pairs set by the test, so
///         the registry's rebuilding of public signals is really checked: any other account and
///         nonce, market, policy or portfolio commitment, or any other proof element, is refused.
///         It answers what a generated verifier answers: snarkjs's `verifyProof(uint256[2],
///         uint256[2][2],uint256[2],uint256[N])` for its N (through the fallback, since N is not
///         fixed here), `verifyOne`, `verifyBatch`, `publicSignalCount` and `verificationKeyHash`.
contract ExpectedInputsVerifier is IGroth16BatchVerifier {
    // The constant is the interface's `verificationKeyHash()` getter, hence its name.
    /// @inheritdoc IGroth16BatchVerifier
    bytes32 public constant override verificationKeyHash = keccak256("ExpectedInputsVerifier"); // solhint-disable-line const-name-snakecase

    uint256 private immutable _SIGNAL_COUNT;
    bytes4 private immutable _VERIFY_PROOF_SELECTOR;

    /// The pairs accepted: keccak256 of the proof's eight words and the signals, mapped to the
    /// generation in which they were set (`expect` starts a new one).
    mapping(bytes32 pair => uint256 generation) private _accepted;
    uint256 private _generation;

    /// @notice The signals are not `publicSignalCount()` long (per proof).
    error PublicSignalsLength(uint256 expected, uint256 actual);
    /// @notice The call is neither a known function nor `verifyProof` for this signal count.
    error UnknownFunction(bytes4 selector);

    /// @notice Deploys a verifier of `signalCount` public signals.
    /// @param signalCount The number of public signals (3 + C for C pledge slots).
    constructor(uint256 signalCount) {
        _SIGNAL_COUNT = signalCount;
        _VERIFY_PROOF_SELECTOR = bytes4(
            keccak256(
                // solhint-disable-next-line gas-small-strings
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[",
                    _decimal(signalCount),
                    "])"
                )
            )
        );
    }

    /// @notice Makes `(proofHash, signals)` the one pair accepted (forgetting the earlier ones).
    /// @param proofHash keccak256 of the proof's eight words (`abi.encode(pA, pB, pC)`).
    /// @param signals The expected public signals.
    function expect(bytes32 proofHash, uint256[] calldata signals) external {
        ++_generation;
        expectAlso(proofHash, signals);
    }

    /// @notice Accepts `(proofHash, signals)` too (a batch of several expected proofs).
    /// @param proofHash keccak256 of the proof's eight words.
    /// @param signals The expected public signals.
    function expectAlso(bytes32 proofHash, uint256[] calldata signals) public {
        if (signals.length != _SIGNAL_COUNT) {
            revert PublicSignalsLength(_SIGNAL_COUNT, signals.length);
        }
        _accepted[keccak256(abi.encode(proofHash, signals))] = _generation;
    }

    /// @inheritdoc IGroth16BatchVerifier
    function publicSignalCount() external view returns (uint256) {
        return _SIGNAL_COUNT;
    }

    /// @inheritdoc IGroth16BatchVerifier
    function verifyOne(
        uint256[8] calldata proof,
        uint256[] calldata pubSignals
    ) external view returns (bool) {
        if (pubSignals.length != _SIGNAL_COUNT) {
            revert PublicSignalsLength(_SIGNAL_COUNT, pubSignals.length);
        }
        return _isAccepted(keccak256(abi.encode(proof)), pubSignals);
    }

    /// @inheritdoc IGroth16BatchVerifier
    function verifyBatch(
        uint256[8][] calldata proofs,
        uint256[] calldata pubSignals
    ) external view returns (bool) {
        uint256 n = _SIGNAL_COUNT;
        if (pubSignals.length != proofs.length * n) {
            revert PublicSignalsLength(proofs.length * n, pubSignals.length);
        }
        for (uint256 i = 0; i < proofs.length; ++i) {
            if (!_isAccepted(keccak256(abi.encode(proofs[i])), pubSignals[i * n:(i + 1) * n])) {
                return false;
            }
        }
        return true;
    }

    /// @notice snarkjs's `verifyProof` for this verifier's N public signals (the one function
    ///         whose signature depends on N, hence the fallback): the selector, the proof's eight
    ///         words and the N signals; answers one word, 1 or 0.
    /// @param input The call's data.
    /// @return The ABI-encoded answer.
    fallback(bytes calldata input) external returns (bytes memory) { // solhint-disable-line no-complex-fallback
        uint256 n = _SIGNAL_COUNT;
        if (input.length < 4 || bytes4(input[0:4]) != _VERIFY_PROOF_SELECTOR) {
            revert UnknownFunction(input.length < 4 ? bytes4(0) : bytes4(input[0:4]));
        }
        if (input.length != 4 + 32 * (8 + n)) revert PublicSignalsLength(n, (input.length - 260) / 32);
        uint256[] memory signals = abi.decode(
            abi.encodePacked(uint256(32), n, input[260:]),
            (uint256[])
        );
        return abi.encode(_isAcceptedMemory(keccak256(input[4:260]), signals));
    }

    function _isAccepted(
        bytes32 proofHash,
        uint256[] calldata signals
    ) private view returns (bool) {
        uint256 generation = _accepted[keccak256(abi.encode(proofHash, signals))];
        return generation != 0 && generation == _generation;
    }

    function _isAcceptedMemory(
        bytes32 proofHash,
        uint256[] memory signals
    ) private view returns (bool) {
        uint256 generation = _accepted[keccak256(abi.encode(proofHash, signals))];
        return generation != 0 && generation == _generation;
    }

    function _decimal(uint256 value) private pure returns (bytes memory text) {
        if (value == 0) return "0";
        uint256 digits = 0;
        for (uint256 v = value; v != 0; v /= 10) ++digits;
        text = new bytes(digits);
        for (uint256 i = digits; i > 0; --i) {
            text[i - 1] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
    }
}
