// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SnarkField
/// @author zkmargin
/// @notice The moduli of the BN254 (alt_bn128) curve that the EVM precompiles and snarkjs use.
library SnarkField {
    /// @notice The scalar field modulus r: public signals and commitments must be below it.
    uint256 internal constant SCALAR_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice The base field modulus q: every proof coordinate must be below it.
    uint256 internal constant BASE_MODULUS =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
}
