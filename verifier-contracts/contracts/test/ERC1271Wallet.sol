// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271Wallet
/// @author zkmargin
/// @notice TEST ONLY. A contract signer (like a multisig) that accepts signatures by its owner,
///         used to check that contract custodians and contract accounts work through ERC-1271, and
///         that a contract custodian can act as itself (e.g. call `MarginRegistry.revoke`).
contract ERC1271Wallet is IERC1271 {
    address private immutable _OWNER;

    /// @notice The caller of `execute` is not the owner.
    error NotOwner(address caller);

    /// @notice Deploys a wallet controlled by `owner`.
    /// @param owner The key whose ECDSA signatures the wallet accepts.
    constructor(address owner) {
        _OWNER = owner;
    }

    /// @notice Calls `target` with `data` as the wallet, for the owner; bubbles up a revert.
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return The call's return data.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != _OWNER) revert NotOwner(msg.sender);
        return Address.functionCall(target, data);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && signer == _OWNER) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }
}
