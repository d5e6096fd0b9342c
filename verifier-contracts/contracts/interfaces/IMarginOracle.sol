// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IMarginOracle
/// @author zkmargin
/// @notice What a venue or a lender builds on: whether an account's margin is proven sufficient
///         under a policy, where a margin call on it stands, and the venue's margin calls.
///         MarginRegistry implements it.
/// @dev The stable face of MarginRegistry for consumers: only what does not depend on how
///      holdings are vouched for (custodian attestations, or pledges to a venue). A status's
///      details (`MarginRegistry.statusOf`), the proof entry points, revocations and the custom
///      errors and events are MarginRegistry's own. Calls that revert do so with MarginRegistry's
///      custom errors (verifier-contracts/README.md lists them).
interface IMarginOracle {
    /// @notice Where a margin call stands: none, pending (uncured, before the deadline or while no
    ///         round has been posted after the call), cured (the account's status counts and is on a
    ///         round after the call's) or expired (uncured at or after the deadline).
    enum MarginCallState {
        None,
        Pending,
        Cured,
        Expired
    }

    /// @notice A margin call, as `marginCallOf` returns it.
    /// @param state Where it stands now.
    /// @param round The feed's latest round at the call.
    /// @param calledAt When it was made.
    /// @param cureWindow The policy's cure window (seconds).
    /// @param deadline When it expires uncured: `cureWindow` after the first round posted after
    ///        the call; zero while no round has been posted after it (the deadline is not running).
    struct MarginCallView {
        MarginCallState state;
        uint64 round;
        uint64 calledAt;
        uint32 cureWindow;
        uint64 deadline;
    }

    /// @notice Calls margin on `account` under the policy: the account must prove on a round of
    ///         the policy's feed posted after this call, within the policy's cure window of that
    ///         round's posting, or its margin is not sufficient from the deadline on (until it
    ///         does). Only a holder of the policy's venue role (PolicyRegistry.venueRole) may call.
    /// @param account The account.
    /// @param policyId The policy.
    function callMargin(address account, bytes32 policyId) external;

    /// @notice Withdraws the account's margin call under the policy, whatever it stands at (an
    ///         expired call stops making `isMarginSufficient` false). Only a holder of the
    ///         policy's venue role may call.
    /// @param account The account.
    /// @param policyId The policy.
    function withdrawMarginCall(address account, bytes32 policyId) external;

    /// @notice Emits where the account's margin call stands: a cure (`MarginCallCured`, and the
    ///         call is cleared) or, once, an expiry (`MarginCallExpired`; the call stays until a
    ///         counting status on a later round cures it). Anyone may call (a watcher does, after
    ///         its proof).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return state `Cured` or `Expired`.
    function settleMarginCall(
        address account,
        bytes32 policyId
    ) external returns (MarginCallState state);

    /// @notice The account's margin call under the policy and where it stands (all zero, state
    ///         `None`, when there is none).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return view_ The call.
    function marginCallOf(
        address account,
        bytes32 policyId
    ) external view returns (MarginCallView memory view_);

    /// @notice Whether `account` holds a valid margin proof for the policy on a current round at
    ///         most `maxAge` seconds old, its custody still vouched for, and no margin call on it
    ///         expired uncured.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param maxAge The largest acceptable age of the proven round, in seconds.
    /// @return True when the account's margin is proven sufficient and fresh.
    function isMarginSufficient(
        address account,
        bytes32 policyId,
        uint256 maxAge
    ) external view returns (bool);

    /// @notice The account's last accepted nonce for the policy (zero before the first proof, so
    ///         non-zero means the account has a status under the policy).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return The last nonce.
    function lastNonce(address account, bytes32 policyId) external view returns (uint64);
}
