// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {MarketBook} from "./MarketBook.sol";
import {PolicyRegistry} from "./PolicyRegistry.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title MarginRegistry
/// @author zkmargin
/// @notice Accepts zero-knowledge margin proofs and records, per (account, policy), the latest
///         proven status; `isMarginSufficient` is the one call a lending or derivatives protocol
///         needs to gate an action on a fresh, valid proof.
/// @dev The circuit's five public signals are rebuilt here from chain state, never taken from
///      the caller: `[account, nonce, marketCommitment(round), policyCommitment(policyId),
///      portfolioCommitment]`, where `account` is `msg.sender` (or the signer of a relayed
///      request), the market commitment comes from MarketBook and the policy commitment from
///      PolicyRegistry. The caller supplies only the portfolio commitment (bound by the custodian
///      attestation) and a nonce that must exceed the account's last one for the policy.
///
///      EIP-712 domain: name "zkmargin MarginRegistry", version "1", this chain and this contract.
///      Typed messages:
///      - `Attestation(address account,uint256 portfolioCommitment,uint64 validUntil)`, signed by a
///        custodian: "the holdings behind this commitment are in our books for `account`, and this
///        statement holds until `validUntil`". It is policy-independent; it counts for a policy
///        only while the signer is registered as one of that policy's custodians.
///      - `ProveRequest(address account,bytes32 policyId,uint64 round,uint256 portfolioCommitment,
///        uint64 nonce,uint64 deadline)`, signed by the account to let anyone submit its proof.
///        The nonce makes the request single-use; the deadline bounds how long a relayer may sit on
///        it. The proof itself is not signed: it is bound to the same values through its public
///        signals, so a relayer can neither alter the statement nor reuse the request.
///      Signatures are checked with OpenZeppelin's SignatureChecker: ECDSA for EOAs, ERC-1271 for
///      contract accounts and custodians (e.g. multisigs).
contract MarginRegistry is EIP712 {
    /// @notice A Groth16 proof in the layout the snarkjs verifier takes.
    /// @param a The A point (G1).
    /// @param b The B point (G2), coordinates as `[[x_im, x_re], [y_im, y_re]]`.
    /// @param c The C point (G1).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice A custodian attestation of `(account, portfolioCommitment, validUntil)`.
    /// @param custodian The signer (EOA or ERC-1271 contract); must be registered for the policy.
    /// @param validUntil The last second at which the attestation counts.
    /// @param signature The EIP-712 signature; empty means "no attestation".
    struct Attestation {
        address custodian;
        uint64 validUntil;
        bytes signature;
    }

    /// @notice The latest proven status of an account under a policy.
    /// @param round The market round the proof was made against.
    /// @param roundTimestamp That round's timestamp (the age `isMarginSufficient` measures).
    /// @param provedAt The block timestamp of the accepted proof; zero means "no status".
    /// @param nonce The nonce of the accepted proof (the next one must be higher).
    /// @param portfolioCommitment The proven portfolio commitment.
    /// @param custodian The attesting custodian (zero when the policy requires none).
    /// @param attestationValidUntil The attestation's expiry (zero when none).
    struct Status {
        uint64 round;
        uint64 roundTimestamp;
        uint64 provedAt;
        uint64 nonce;
        uint256 portfolioCommitment;
        address custodian;
        uint64 attestationValidUntil;
    }

    /// @notice EIP-712 type hash of a custodian attestation.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(address account,uint256 portfolioCommitment,uint64 validUntil)"); // solhint-disable-line gas-small-strings

    /// @notice EIP-712 type hash of a relayed proof request.
    bytes32 public constant PROVE_REQUEST_TYPEHASH =
        keccak256( // solhint-disable-line gas-small-strings
            "ProveRequest(address account,bytes32 policyId,uint64 round,uint256 portfolioCommitment,uint64 nonce,uint64 deadline)"
        );

    MarketBook private immutable _MARKET_BOOK;
    PolicyRegistry private immutable _POLICY_REGISTRY;

    mapping(address account => mapping(bytes32 policyId => Status)) private _statuses;

    /// @notice A proof was accepted and the account's status for the policy updated.
    /// @param account The account whose margin was proven.
    /// @param policyId The policy.
    /// @param round The market round the proof was made against.
    /// @param nonce The proof's nonce.
    /// @param portfolioCommitment The proven portfolio commitment.
    event MarginProved(
        address indexed account,
        bytes32 indexed policyId,
        uint64 indexed round,
        uint64 nonce,
        uint256 portfolioCommitment
    );

    /// @notice A constructor argument is the zero address.
    error ZeroAddress();
    /// @notice The relayed request names the zero account.
    error ZeroAccount();
    /// @notice The policy was never registered.
    error UnknownPolicy(bytes32 policyId);
    /// @notice The policy is retired.
    error PolicyRetired(bytes32 policyId);
    /// @notice The round was never posted to the MarketBook.
    error UnknownRound(uint64 round);
    /// @notice The round is older than the policy's maximum round age.
    error StaleRound(uint64 round, uint64 roundTimestamp, uint64 maxRoundAge);
    /// @notice The nonce is not above the account's last accepted nonce for the policy.
    error NonceNotIncreasing(uint64 nonce, uint64 lastNonce);
    /// @notice The portfolio commitment is not below the scalar field modulus.
    error PortfolioCommitmentOutOfField(uint256 portfolioCommitment);
    /// @notice A proof coordinate (index 0..7 in the order a0 a1 b00 b01 b10 b11 c0 c1) is not
    ///         below the base field modulus.
    error ProofCoordinateOutOfField(uint256 index);
    /// @notice The verifier rejected the proof for the rebuilt public signals.
    error InvalidProof();
    /// @notice The policy requires an attestation and none was given.
    error AttestationMissing();
    /// @notice The attestation's validity ended before this block.
    error AttestationExpired(uint64 validUntil);
    /// @notice The attesting address is not a custodian of the policy.
    error CustodianNotRegistered(bytes32 policyId, address custodian);
    /// @notice The attestation signature is not the custodian's over this account and commitment.
    error InvalidAttestationSignature();
    /// @notice The relayed request's deadline has passed.
    error RequestExpired(uint64 deadline);
    /// @notice The relayed request is not signed by the account.
    error InvalidAccountSignature();

    /// @notice Deploys the registry over a market book and a policy registry.
    /// @param marketBook_ The MarketBook whose rounds proofs are made against.
    /// @param policyRegistry_ The PolicyRegistry whose policies proofs are made for.
    constructor(
        MarketBook marketBook_,
        PolicyRegistry policyRegistry_
    ) EIP712("zkmargin MarginRegistry", "1") {
        if (address(marketBook_) == address(0) || address(policyRegistry_) == address(0)) {
            revert ZeroAddress();
        }
        _MARKET_BOOK = marketBook_;
        _POLICY_REGISTRY = policyRegistry_;
    }

    /// @notice Where market rounds are read.
    /// @return The MarketBook.
    function marketBook() external view returns (MarketBook) {
        return _MARKET_BOOK;
    }

    /// @notice Where policies and custodians are read.
    /// @return The PolicyRegistry.
    function policyRegistry() external view returns (PolicyRegistry) {
        return _POLICY_REGISTRY;
    }

    /// @notice Submits a margin proof for `msg.sender`.
    /// @dev Refuses (custom errors) an unknown or retired policy, an unknown or stale round, a
    ///      nonce not above the last, out-of-field values, a missing, expired, foreign or
    ///      unregistered attestation (when the policy requires one) and an invalid proof.
    /// @param policyId The policy the proof is for.
    /// @param round The MarketBook round the proof is made against.
    /// @param portfolioCommitment The proof's portfolio commitment.
    /// @param nonce The proof's nonce; must exceed the account's last accepted one for the policy.
    /// @param proof The Groth16 proof.
    /// @param attestation The custodian attestation (ignored if the policy requires none).
    function prove(
        bytes32 policyId,
        uint64 round,
        uint256 portfolioCommitment,
        uint64 nonce,
        Proof calldata proof,
        Attestation calldata attestation
    ) external {
        _prove(msg.sender, policyId, round, portfolioCommitment, nonce, proof, attestation);
    }

    /// @notice Submits a margin proof on behalf of `account`, who signed an EIP-712 ProveRequest.
    /// @dev Anyone may call. Same checks as `prove`, plus the request's deadline and signature.
    /// @param account The account the proof is for (bound into the proof's public signals).
    /// @param policyId The policy the proof is for.
    /// @param round The MarketBook round the proof is made against.
    /// @param portfolioCommitment The proof's portfolio commitment.
    /// @param nonce The proof's nonce; must exceed the account's last accepted one for the policy.
    /// @param deadline The last second at which the request may be submitted.
    /// @param proof The Groth16 proof.
    /// @param attestation The custodian attestation (ignored if the policy requires none).
    /// @param accountSignature The account's EIP-712 signature of the ProveRequest.
    function proveFor(
        address account,
        bytes32 policyId,
        uint64 round,
        uint256 portfolioCommitment,
        uint64 nonce,
        uint64 deadline,
        Proof calldata proof,
        Attestation calldata attestation,
        bytes calldata accountSignature
    ) external {
        if (account == address(0)) revert ZeroAccount();
        if (block.timestamp > deadline) revert RequestExpired(deadline);
        bytes32 digest = proveRequestDigest(
            account,
            policyId,
            round,
            portfolioCommitment,
            nonce,
            deadline
        );
        if (!SignatureChecker.isValidSignatureNow(account, digest, accountSignature)) {
            revert InvalidAccountSignature();
        }
        _prove(account, policyId, round, portfolioCommitment, nonce, proof, attestation);
    }

    /// @notice Whether `account` holds a valid margin proof for the policy whose market round is
    ///         at most `maxAge` seconds old.
    /// @dev True iff a status exists, the policy is not retired, `block.timestamp - roundTimestamp
    ///      <= maxAge` (the age of the market data the proof used, not of its submission: a proof
    ///      over old prices says nothing about today's), and, for a policy that requires an
    ///      attestation, the attesting custodian is still registered and its attestation has not
    ///      expired.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param maxAge The largest acceptable age of the proven round, in seconds.
    /// @return True when the account's margin is proven sufficient and fresh.
    function isMarginSufficient(
        address account,
        bytes32 policyId,
        uint256 maxAge
    ) external view returns (bool) {
        Status storage status = _statuses[account][policyId];
        if (status.provedAt == 0) return false;
        (, , , bool requiresAttestation, bool retired) = _POLICY_REGISTRY.verificationParams(
            policyId
        );
        if (retired) return false;
        if (block.timestamp - status.roundTimestamp > maxAge) return false;
        if (requiresAttestation) {
            if (block.timestamp > status.attestationValidUntil) return false;
            if (!_POLICY_REGISTRY.isCustodian(policyId, status.custodian)) return false;
        }
        return true;
    }

    /// @notice The latest status of `account` under the policy (all zero when none).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return The status record.
    function statusOf(address account, bytes32 policyId) external view returns (Status memory) {
        return _statuses[account][policyId];
    }

    /// @notice The account's last accepted nonce for the policy (zero before the first proof).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return The last nonce.
    function lastNonce(address account, bytes32 policyId) external view returns (uint64) {
        return _statuses[account][policyId].nonce;
    }

    /// @notice The EIP-712 domain separator of this registry.
    /// @return The domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest a custodian signs to attest a commitment.
    /// @param account The account holding the assets.
    /// @param portfolioCommitment The attested portfolio commitment.
    /// @param validUntil The last second at which the attestation counts.
    /// @return The digest.
    function attestationDigest(
        address account,
        uint256 portfolioCommitment,
        uint64 validUntil
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, account, portfolioCommitment, validUntil))
            );
    }

    /// @notice The EIP-712 digest an account signs to let anyone relay its proof.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param round The market round.
    /// @param portfolioCommitment The portfolio commitment.
    /// @param nonce The proof's nonce.
    /// @param deadline The last second at which the request may be submitted.
    /// @return The digest.
    function proveRequestDigest(
        address account,
        bytes32 policyId,
        uint64 round,
        uint256 portfolioCommitment,
        uint64 nonce,
        uint64 deadline
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        PROVE_REQUEST_TYPEHASH,
                        account,
                        policyId,
                        round,
                        portfolioCommitment,
                        nonce,
                        deadline
                    )
                )
            );
    }

    function _prove(
        address account,
        bytes32 policyId,
        uint64 round,
        uint256 portfolioCommitment,
        uint64 nonce,
        Proof calldata proof,
        Attestation calldata attestation
    ) private {
        // The public signals, in the circuit's order; none comes from the caller except the
        // nonce (checked against the account's last) and the attested portfolio commitment.
        uint256[5] memory publicSignals;
        publicSignals[0] = uint256(uint160(account));
        publicSignals[1] = nonce;
        publicSignals[4] = portfolioCommitment;
        (
            IGroth16Verifier verifier,
            bool requiresAttestation,
            uint64 roundTimestamp
        ) = _loadChainState(policyId, round, publicSignals);

        Status storage status = _statuses[account][policyId];
        if (nonce <= status.nonce) revert NonceNotIncreasing(nonce, status.nonce);
        if (portfolioCommitment >= SnarkField.SCALAR_MODULUS) {
            revert PortfolioCommitmentOutOfField(portfolioCommitment);
        }
        _checkProofCoordinates(proof);
        if (requiresAttestation) {
            _checkAttestation(policyId, account, portfolioCommitment, attestation);
        }

        if (!verifier.verifyProof(proof.a, proof.b, proof.c, publicSignals)) revert InvalidProof();

        status.round = round;
        status.roundTimestamp = roundTimestamp;
        status.provedAt = uint64(block.timestamp);
        status.nonce = nonce;
        status.portfolioCommitment = portfolioCommitment;
        if (requiresAttestation) {
            status.custodian = attestation.custodian;
            status.attestationValidUntil = attestation.validUntil;
        }
        emit MarginProved(account, policyId, round, nonce, portfolioCommitment);
    }

    /// @dev Checks the policy and the round, and writes their commitments into
    ///      `publicSignals[3]` and `publicSignals[2]`.
    function _loadChainState(
        bytes32 policyId,
        uint64 round,
        uint256[5] memory publicSignals
    )
        private
        view
        returns (IGroth16Verifier verifier, bool requiresAttestation, uint64 roundTimestamp)
    {
        uint256 policyCommitment;
        uint64 maxRoundAge;
        bool retired;
        (policyCommitment, verifier, maxRoundAge, requiresAttestation, retired) = _POLICY_REGISTRY
            .verificationParams(policyId);
        if (policyCommitment == 0) revert UnknownPolicy(policyId);
        if (retired) revert PolicyRetired(policyId);

        uint256 marketCommitment;
        (roundTimestamp, marketCommitment) = _MARKET_BOOK.roundData(round);
        if (marketCommitment == 0) revert UnknownRound(round);
        // MarketBook refuses future timestamps, so this cannot underflow.
        if (block.timestamp - roundTimestamp > maxRoundAge) {
            revert StaleRound(round, roundTimestamp, maxRoundAge);
        }
        publicSignals[2] = marketCommitment;
        publicSignals[3] = policyCommitment;
    }

    function _checkAttestation(
        bytes32 policyId,
        address account,
        uint256 portfolioCommitment,
        Attestation calldata attestation
    ) private view {
        if (attestation.signature.length == 0) revert AttestationMissing();
        if (block.timestamp > attestation.validUntil) {
            revert AttestationExpired(attestation.validUntil);
        }
        if (!_POLICY_REGISTRY.isCustodian(policyId, attestation.custodian)) {
            revert CustodianNotRegistered(policyId, attestation.custodian);
        }
        bytes32 digest = attestationDigest(account, portfolioCommitment, attestation.validUntil);
        if (!SignatureChecker.isValidSignatureNow(attestation.custodian, digest, attestation.signature)) {
            revert InvalidAttestationSignature();
        }
    }

    function _checkProofCoordinates(Proof calldata proof) private pure {
        uint256 q = SnarkField.BASE_MODULUS;
        if (proof.a[0] >= q) revert ProofCoordinateOutOfField(0);
        if (proof.a[1] >= q) revert ProofCoordinateOutOfField(1);
        if (proof.b[0][0] >= q) revert ProofCoordinateOutOfField(2);
        if (proof.b[0][1] >= q) revert ProofCoordinateOutOfField(3);
        if (proof.b[1][0] >= q) revert ProofCoordinateOutOfField(4);
        if (proof.b[1][1] >= q) revert ProofCoordinateOutOfField(5);
        if (proof.c[0] >= q) revert ProofCoordinateOutOfField(6);
        if (proof.c[1] >= q) revert ProofCoordinateOutOfField(7);
    }
}
