// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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
///
///      Storage: an account's status under a policy is one slot (see `Status`), so a first proof
///      writes one fresh slot. The proven portfolio commitment and the proof time are not stored:
///      they are in the `MarginProved` event (the time as the log's block timestamp).
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

    /// @notice The latest proven status of an account under a policy, as stored: one slot, packed
    ///         by `_pack` (bits 0-63 nonce, 64-127 round, 128-175 roundTimestamp, 176-223
    ///         attestationValidUntil, 224-255 custodianId) and written with a single SSTORE.
    /// @param nonce The nonce of the accepted proof (the next one must be higher); zero means
    ///        "no status" (accepted nonces are at least 1).
    /// @param round The market round the proof was made against.
    /// @param roundTimestamp That round's timestamp (the age `isMarginSufficient` measures). It is
    ///        at most the block timestamp of the proof, so it fits 48 bits for 8.9 million years.
    /// @param attestationValidUntil The attestation's expiry, saturated at `type(uint48).max` (no
    ///        block timestamp reaches it, so saturation changes no outcome); zero when none.
    /// @param custodianId The PolicyRegistry id of the attesting custodian's registration (zero
    ///        when the policy requires no attestation); the status counts only while it is active.
    struct Status {
        uint64 nonce;
        uint64 round;
        uint48 roundTimestamp;
        uint48 attestationValidUntil;
        uint32 custodianId;
    }

    /// @notice The latest proven status of an account under a policy, as `statusOf` returns it.
    /// @param round The market round the proof was made against.
    /// @param roundTimestamp That round's timestamp.
    /// @param nonce The nonce of the accepted proof; zero means "no status".
    /// @param attestationValidUntil The attestation's expiry (zero when none; saturated at 2^48-1).
    /// @param custodian The attesting custodian (zero when the policy requires none).
    /// @param custodianId Its PolicyRegistry registration id (zero when none).
    /// @param custodianActive Whether that registration still counts (false when none).
    struct StatusView {
        uint64 round;
        uint64 roundTimestamp;
        uint64 nonce;
        uint64 attestationValidUntil;
        address custodian;
        uint32 custodianId;
        bool custodianActive;
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

    /// Packed `Status` words (see `_pack`); zero means "no status".
    mapping(address account => mapping(bytes32 policyId => uint256 packed)) private _statuses;

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
        if (!_isValidSignatureNow(account, digest, accountSignature)) {
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
        Status memory status = _unpack(_statuses[account][policyId]);
        if (status.nonce == 0) return false;
        // MarketBook refuses future timestamps, so this cannot underflow.
        if (block.timestamp - status.roundTimestamp > maxAge) return false;
        // A custodian id is recorded exactly when the policy required an attestation.
        if (status.custodianId != 0 && block.timestamp > status.attestationValidUntil) return false;
        return _POLICY_REGISTRY.acceptsStatus(policyId, status.custodianId);
    }

    /// @notice The latest status of `account` under the policy (all zero when none): what is
    ///         stored, with the custodian id resolved. The portfolio commitment and the proof time
    ///         are in the matching `MarginProved` event (same account, policy and nonce).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return view_ The status.
    function statusOf(
        address account,
        bytes32 policyId
    ) external view returns (StatusView memory view_) {
        Status memory status = _unpack(_statuses[account][policyId]);
        view_.round = status.round;
        view_.roundTimestamp = status.roundTimestamp;
        view_.nonce = status.nonce;
        view_.custodianId = status.custodianId;
        view_.attestationValidUntil = status.attestationValidUntil;
        if (status.custodianId != 0) {
            (view_.custodian, view_.custodianActive) = _POLICY_REGISTRY.custodianById(
                policyId,
                status.custodianId
            );
        }
    }

    /// @notice The account's last accepted nonce for the policy (zero before the first proof).
    /// @param account The account.
    /// @param policyId The policy.
    /// @return The last nonce.
    function lastNonce(address account, bytes32 policyId) external view returns (uint64) {
        return uint64(_statuses[account][policyId]);
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

    /// @dev The checks and effects of `prove` and `proveFor`, for `account`, in the documented order.
    function _prove(
        address account,
        bytes32 policyId,
        uint64 round,
        uint256 portfolioCommitment,
        uint64 nonce,
        Proof calldata proof,
        Attestation calldata attestation
    ) private {
        (
            PolicyRegistry.ProofContext memory policy,
            uint256 marketCommitment,
            uint48 roundTimestamp
        ) = _loadChainState(policyId, round, attestation.custodian);

        _checkCallerInputs(account, policyId, portfolioCommitment, nonce, proof);
        uint48 attestationValidUntil;
        if (policy.requiresAttestation) {
            attestationValidUntil = _checkAttestation(
                policyId,
                policy.custodianId,
                account,
                portfolioCommitment,
                attestation
            );
        }

        {
            // The public signals, in the circuit's order; none comes from the caller except the
            // nonce (checked against the account's last) and the attested portfolio commitment.
            uint256[5] memory publicSignals = [
                uint256(uint160(account)),
                nonce,
                marketCommitment,
                policy.commitment,
                portfolioCommitment
            ];
            if (!policy.verifier.verifyProof(proof.a, proof.b, proof.c, publicSignals)) {
                revert InvalidProof();
            }
        }

        // One slot; `policy.custodianId` is zero when the policy requires no attestation.
        _statuses[account][policyId] = _pack(
            Status(nonce, round, roundTimestamp, attestationValidUntil, policy.custodianId)
        );
        emit MarginProved(account, policyId, round, nonce, portfolioCommitment);
    }

    /// @dev Refuses a nonce not above the account's last, and out-of-field values.
    function _checkCallerInputs(
        address account,
        bytes32 policyId,
        uint256 portfolioCommitment,
        uint64 nonce,
        Proof calldata proof
    ) private view {
        uint64 last = uint64(_statuses[account][policyId]);
        if (nonce <= last) revert NonceNotIncreasing(nonce, last);
        if (portfolioCommitment >= SnarkField.SCALAR_MODULUS) {
            revert PortfolioCommitmentOutOfField(portfolioCommitment);
        }
        _checkProofCoordinates(proof);
    }

    /// @dev Reads the policy (with the named custodian's id) and the round in one call each, and
    ///      refuses an unknown or retired policy and an unknown or stale round.
    function _loadChainState(
        bytes32 policyId,
        uint64 round,
        address custodian
    )
        private
        view
        returns (
            PolicyRegistry.ProofContext memory policy,
            uint256 marketCommitment,
            uint48 roundTimestamp
        )
    {
        policy = _POLICY_REGISTRY.proofContext(policyId, custodian);
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        if (policy.retired) revert PolicyRetired(policyId);

        uint64 timestamp;
        (timestamp, marketCommitment) = _MARKET_BOOK.roundData(round);
        if (marketCommitment == 0) revert UnknownRound(round);
        // MarketBook refuses future timestamps, so this cannot underflow.
        if (block.timestamp - timestamp > policy.maxRoundAge) {
            revert StaleRound(round, timestamp, policy.maxRoundAge);
        }
        // At most block.timestamp, so this never reverts before the year 8.9 million.
        roundTimestamp = SafeCast.toUint48(timestamp);
    }

    /// @dev `custodianId` is the attesting custodian's current id for the policy (zero when it is
    ///      not registered), as PolicyRegistry.proofContext returned it. Returns the attestation's
    ///      expiry saturated to 48 bits (no block timestamp reaches 2^48 - 1).
    function _checkAttestation(
        bytes32 policyId,
        uint32 custodianId,
        address account,
        uint256 portfolioCommitment,
        Attestation calldata attestation
    ) private view returns (uint48 validUntil) {
        if (attestation.signature.length == 0) revert AttestationMissing();
        if (block.timestamp > attestation.validUntil) {
            revert AttestationExpired(attestation.validUntil);
        }
        if (custodianId == 0) revert CustodianNotRegistered(policyId, attestation.custodian);
        bytes32 digest = attestationDigest(account, portfolioCommitment, attestation.validUntil);
        if (!_isValidSignatureNow(attestation.custodian, digest, attestation.signature)) {
            revert InvalidAttestationSignature();
        }
        uint64 expiry = attestation.validUntil;
        validUntil = expiry > type(uint48).max ? type(uint48).max : uint48(expiry);
    }

    /// @dev Whether `signature` is `signer`'s over `digest`: an ECDSA signature (65 bytes, low s)
    ///      that recovers to `signer`, or else one that `signer` accepts under ERC-1271. This is
    ///      OpenZeppelin's SignatureChecker order up to v5.3 (v5.5 asks for the signer's code
    ///      first), and it spares an EOA signer the cold EXTCODESIZE (2,600 gas). An ECDSA
    ///      signature can recover to a contract's address only if someone holds a key for that
    ///      address, which is infeasible for a contract someone else deployed.
    function _isValidSignatureNow(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature);
    }

    /// @dev One storage word: nonce | round << 64 | roundTimestamp << 128 |
    ///      attestationValidUntil << 176 | custodianId << 224 (the widths add up to 256).
    function _pack(Status memory status) private pure returns (uint256) {
        return
            uint256(status.nonce) |
            (uint256(status.round) << 64) |
            (uint256(status.roundTimestamp) << 128) |
            (uint256(status.attestationValidUntil) << 176) |
            (uint256(status.custodianId) << 224);
    }

    /// @dev The inverse of `_pack`.
    function _unpack(uint256 word) private pure returns (Status memory status) {
        status.nonce = uint64(word);
        status.round = uint64(word >> 64);
        status.roundTimestamp = uint48(word >> 128);
        status.attestationValidUntil = uint48(word >> 176);
        status.custodianId = uint32(word >> 224);
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
