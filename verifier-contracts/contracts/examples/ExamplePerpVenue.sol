// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginOracle} from "../interfaces/IMarginOracle.sol";

/// @title ExamplePerpVenue
/// @author zkmargin
/// @notice EXAMPLE. A perpetuals venue reduced to what zkmargin decides: each account holds one
///         position size (in the venue's units; pricing, collateral and settlement are out of
///         scope). An account opens or increases its position only while its margin is proven
///         sufficient under the venue's policy and no margin call on it is pending; it may always
///         reduce. The venue's operator calls margin through the registry (this contract holds the
///         policy's venue role) and may withdraw a call; any keeper liquidates a position once a
///         call on it has passed its deadline uncured.
/// @dev Built on IMarginOracle only. A liquidation leaves the expired call in the registry, so the
///      account opens again only after it cures (a proof on a round posted after the call).
contract ExamplePerpVenue {
    /// @notice The margin oracle (MarginRegistry).
    IMarginOracle public immutable ORACLE;
    /// @notice The policy this venue gates on; this contract must hold its venue role.
    bytes32 public immutable POLICY_ID;
    /// @notice The largest age (seconds) of the proven round accepted to open or increase.
    uint256 public immutable MAX_AGE;
    /// @notice Who may call margin and withdraw calls.
    address public immutable OPERATOR;

    /// @notice Each account's position size.
    mapping(address account => uint256 size) public positionOf;

    /// @notice An account opened or increased its position.
    /// @param account The account.
    /// @param amount By how much.
    /// @param size The size after.
    event PositionIncreased( // solhint-disable-line gas-indexed-events
        address indexed account,
        uint256 amount,
        uint256 size
    );
    /// @notice An account reduced its position.
    /// @param account The account.
    /// @param amount By how much.
    /// @param size The size after.
    event PositionReduced( // solhint-disable-line gas-indexed-events
        address indexed account,
        uint256 amount,
        uint256 size
    );
    /// @notice A keeper closed an account's position after an uncured margin call.
    /// @param account The account.
    /// @param keeper The caller.
    /// @param size The size closed.
    event Liquidated( // solhint-disable-line gas-indexed-events
        address indexed account,
        address indexed keeper,
        uint256 size
    );

    /// @notice A constructor argument is the zero address.
    error ZeroAddress();
    /// @notice The amount is zero.
    error ZeroAmount();
    /// @notice The caller is not the operator.
    error NotOperator(address caller);
    /// @notice The account's margin is not proven sufficient (no fresh status that counts, or a
    ///         margin call expired uncured).
    error MarginNotProven(address account);
    /// @notice The account has a margin call pending: it may only reduce until it cures.
    error UnderMarginCall(address account, uint64 deadline);
    /// @notice The reduction is larger than the position.
    error ReduceExceedsPosition(uint256 size, uint256 amount);
    /// @notice The account holds no position.
    error NoPosition(address account);
    /// @notice The account's margin call has not expired uncured (none, pending or cured).
    error MarginCallNotExpired(address account, IMarginOracle.MarginCallState state);

    /// @notice Sets the oracle, the policy, the freshness and the operator.
    /// @param oracle The margin oracle (MarginRegistry).
    /// @param policyId The policy to gate on.
    /// @param maxAge The largest accepted age of the proven round, in seconds.
    /// @param operator Who may call margin and withdraw calls.
    constructor(IMarginOracle oracle, bytes32 policyId, uint256 maxAge, address operator) {
        if (address(oracle) == address(0) || operator == address(0)) revert ZeroAddress();
        ORACLE = oracle;
        POLICY_ID = policyId;
        MAX_AGE = maxAge;
        OPERATOR = operator;
    }

    /// @notice Opens or increases the caller's position.
    /// @dev Refuses ZeroAmount, MarginNotProven (`isMarginSufficient` false) and UnderMarginCall
    ///      (a call pending: sufficient until its deadline, but no new exposure meanwhile).
    /// @param amount By how much.
    function increasePosition(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        if (!ORACLE.isMarginSufficient(msg.sender, POLICY_ID, MAX_AGE)) {
            revert MarginNotProven(msg.sender);
        }
        IMarginOracle.MarginCallView memory marginCall = ORACLE.marginCallOf(
            msg.sender,
            POLICY_ID
        );
        if (marginCall.state == IMarginOracle.MarginCallState.Pending) {
            revert UnderMarginCall(msg.sender, marginCall.deadline);
        }
        uint256 size = positionOf[msg.sender] + amount;
        positionOf[msg.sender] = size;
        emit PositionIncreased(msg.sender, amount, size);
    }

    /// @notice Reduces the caller's position; allowed whatever its margin stands at.
    /// @dev Refuses ZeroAmount and ReduceExceedsPosition.
    /// @param amount By how much.
    function reducePosition(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 size = positionOf[msg.sender];
        if (amount > size) revert ReduceExceedsPosition(size, amount);
        positionOf[msg.sender] = size - amount;
        emit PositionReduced(msg.sender, amount, size - amount);
    }

    /// @notice Calls margin on an account that holds a position (the registry's `callMargin`,
    ///         with this contract as the venue).
    /// @dev Refuses NotOperator and NoPosition; the registry's refusals (NoStatus, MarginCallOpen,
    ///      MarginCallsDisabled, NotVenue...) pass through.
    /// @param account The account.
    function callMargin(address account) external {
        _onlyOperator();
        if (positionOf[account] == 0) revert NoPosition(account);
        ORACLE.callMargin(account, POLICY_ID);
    }

    /// @notice Withdraws the margin call on an account (the registry's `withdrawMarginCall`):
    ///         it can no longer be liquidated for it.
    /// @dev Refuses NotOperator; the registry's NoMarginCall passes through.
    /// @param account The account.
    function withdrawCall(address account) external {
        _onlyOperator();
        ORACLE.withdrawMarginCall(account, POLICY_ID);
    }

    /// @notice Closes an account's position once a margin call on it has passed its deadline
    ///         uncured. Anyone (a keeper) may call.
    /// @dev Refuses NoPosition and MarginCallNotExpired (no call, withdrawn, pending or cured).
    /// @param account The account.
    function liquidate(address account) external {
        uint256 size = positionOf[account];
        if (size == 0) revert NoPosition(account);
        IMarginOracle.MarginCallState state = ORACLE.marginCallOf(account, POLICY_ID).state;
        if (state != IMarginOracle.MarginCallState.Expired) {
            revert MarginCallNotExpired(account, state);
        }
        delete positionOf[account];
        emit Liquidated(account, msg.sender, size);
    }

    /// @dev Refuses NotOperator.
    function _onlyOperator() private view {
        if (msg.sender != OPERATOR) revert NotOperator(msg.sender);
    }
}
