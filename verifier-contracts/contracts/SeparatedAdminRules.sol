// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title SeparatedAdminRules
/// @author zkmargin
/// @notice OpenZeppelin's AccessControlDefaultAdminRules (one default admin, transferred in two
///         steps with a delay) with one more rule: the default admin never holds an operational
///         role (any role but DEFAULT_ADMIN_ROLE). Granting one to the current default admin is
///         refused, and an account that holds one cannot become the default admin (accepting the
///         transfer is refused until it has renounced or lost every operational role).
/// @dev The operational roles an account holds are counted (per-feed and per-policy roles
///      cannot be enumerated otherwise), on grants and revocations that change membership.
///      The admin can still grant a role to another key it controls: that grant is visible
///      (`RoleGranted`), and whatever needs more than one role (a policy on an unapproved
///      verifier) is guarded by a delay of its own in the contract that defines it.
abstract contract SeparatedAdminRules is AccessControlDefaultAdminRules {
    /// How many operational roles each account holds.
    mapping(address account => uint256 count) private _operationalRoles;

    /// @notice An operational role cannot be granted to the default admin.
    error AdminCannotHoldOperationalRole(bytes32 role, address admin);
    /// @notice An account holding operational roles cannot become the default admin.
    error OperatorCannotBecomeAdmin(address account, uint256 operationalRoles);

    /// @notice Sets the default admin and the delay of its transfers.
    /// @param adminDelay The delay (seconds) of a default-admin transfer.
    /// @param admin The initial default admin.
    constructor(
        uint48 adminDelay,
        address admin
    ) AccessControlDefaultAdminRules(adminDelay, admin) {}

    /// @notice How many operational roles (any role but DEFAULT_ADMIN_ROLE) `account` holds.
    /// @param account The account.
    /// @return The count; an account with a non-zero count cannot become the default admin.
    function operationalRoleCount(address account) external view returns (uint256) {
        return _operationalRoles[account];
    }

    /// @dev Refuses an operational role for the default admin and the default admin role for an
    ///      operator; counts the operational roles granted.
    function _grantRole(bytes32 role, address account) internal virtual override returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE) {
            uint256 held = _operationalRoles[account];
            if (held != 0) revert OperatorCannotBecomeAdmin(account, held);
        } else if (account == defaultAdmin()) {
            revert AdminCannotHoldOperationalRole(role, account);
        }
        bool granted = super._grantRole(role, account);
        if (granted && role != DEFAULT_ADMIN_ROLE) ++_operationalRoles[account];
        return granted;
    }

    /// @dev Counts the operational roles revoked or renounced.
    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool) {
        bool revoked = super._revokeRole(role, account);
        if (revoked && role != DEFAULT_ADMIN_ROLE) --_operationalRoles[account];
        return revoked;
    }
}
