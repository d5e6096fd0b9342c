// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginOracle} from "../interfaces/IMarginOracle.sol";
import {MarginRegistry} from "../MarginRegistry.sol";

/// @title OracleGasProbe
/// @author zkmargin
/// @notice MEASUREMENT ONLY (`npm run gas`). What a consumer contract pays for each view of the
///         margin oracle: each function calls one view twice in one call frame and returns the
///         gas of the first call (cold: the registry's, PolicyRegistry's and MarketBook's accounts
///         and slots not yet touched in the transaction) and of the second (warm), each including
///         the call, the ABI encoding and the decoding of the result into memory.
/// @dev Run through `eth_call`: a fresh transaction, so the first call is cold. The bracketing
///      `gasleft()` reads add a few gas to each figure.
contract OracleGasProbe {
    /// @notice Gas of `isMarginSufficient` from a contract.
    /// @param oracle The oracle.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param maxAge The largest acceptable age of the proven round.
    /// @return sufficient The answer.
    /// @return cold Gas of the first call.
    /// @return warm Gas of the second.
    function isMarginSufficientGas(
        IMarginOracle oracle,
        address account,
        bytes32 policyId,
        uint256 maxAge
    ) external view returns (bool sufficient, uint256 cold, uint256 warm) {
        uint256 start = gasleft();
        sufficient = oracle.isMarginSufficient(account, policyId, maxAge);
        cold = start - gasleft();
        start = gasleft();
        sufficient = oracle.isMarginSufficient(account, policyId, maxAge);
        warm = start - gasleft();
    }

    /// @notice Gas of `marginCallOf` from a contract.
    /// @param oracle The oracle.
    /// @param account The account.
    /// @param policyId The policy.
    /// @return state The call's state.
    /// @return cold Gas of the first call.
    /// @return warm Gas of the second.
    function marginCallOfGas(
        IMarginOracle oracle,
        address account,
        bytes32 policyId
    ) external view returns (IMarginOracle.MarginCallState state, uint256 cold, uint256 warm) {
        uint256 start = gasleft();
        state = oracle.marginCallOf(account, policyId).state;
        cold = start - gasleft();
        start = gasleft();
        state = oracle.marginCallOf(account, policyId).state;
        warm = start - gasleft();
    }

    /// @notice Gas of `lastNonce` from a contract.
    /// @param oracle The oracle.
    /// @param account The account.
    /// @param policyId The policy.
    /// @return nonce The last nonce.
    /// @return cold Gas of the first call.
    /// @return warm Gas of the second.
    function lastNonceGas(
        IMarginOracle oracle,
        address account,
        bytes32 policyId
    ) external view returns (uint64 nonce, uint256 cold, uint256 warm) {
        uint256 start = gasleft();
        nonce = oracle.lastNonce(account, policyId);
        cold = start - gasleft();
        start = gasleft();
        nonce = oracle.lastNonce(account, policyId);
        warm = start - gasleft();
    }

    /// @notice Gas of MarginRegistry's `statusOf` (not part of IMarginOracle: its shape follows how
    ///         holdings are vouched for) from a contract.
    /// @param registry The registry.
    /// @param account The account.
    /// @param policyId The policy.
    /// @return nonce The status's nonce.
    /// @return cold Gas of the first call.
    /// @return warm Gas of the second.
    function statusOfGas(
        MarginRegistry registry,
        address account,
        bytes32 policyId
    ) external view returns (uint64 nonce, uint256 cold, uint256 warm) {
        uint256 start = gasleft();
        nonce = registry.statusOf(account, policyId).nonce;
        cold = start - gasleft();
        start = gasleft();
        nonce = registry.statusOf(account, policyId).nonce;
        warm = start - gasleft();
    }
}
