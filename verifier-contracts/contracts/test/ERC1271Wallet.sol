// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271Wallet
/// @author zkmargin
/// @notice TEST ONLY. A contract signer (like a multisig) that accepts signatures by its owner,
///         used to check that contract custodians and contract accounts work through ERC-1271.
contract ERC1271Wallet is IERC1271 {
    address private immutable _OWNER;

    /// @notice Deploys a wallet controlled by `owner`.
    /// @param owner The key whose ECDSA signatures the wallet accepts.
    constructor(address owner) {
        _OWNER = owner;
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
