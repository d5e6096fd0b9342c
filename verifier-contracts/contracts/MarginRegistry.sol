// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IMarginOracle} from "./interfaces/IMarginOracle.sol";
import {MarketBook} from "./MarketBook.sol";
import {PolicyRegistry} from "./PolicyRegistry.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title MarginRegistry
/// @author zkmargin
/// @notice Accepts zero-knowledge margin proofs and records, per (account, policy), the latest
///         proven status; `isMarginSufficient` is the one call a lending or derivatives protocol
///         needs to gate an action on a fresh, valid proof.
/// @dev The circuit's four public signals are rebuilt here from chain state, never taken from
///      the caller: `[uint160(account) | nonce << 160, marketCommitment(feed, round),
///      policyCommitment(policyId), portfolioCommitment]`, where `account` is `msg.sender` (or the
///      signer of a relayed request), the policy commitment and its feed come from PolicyRegistry
///      and the market commitment from that feed in MarketBook. The caller supplies only the
///      portfolio commitment (bound by the custodian attestation) and the nonce.
///
///      Rounds: `prove` accepts the policy feed's latest round, or the one before it for the
///      policy's `supersededGrace` seconds after its successor was posted, never an invalidated
///      round, never a round older than the account's current status, and only within
///      `maxRoundAge` of the round's timestamp. A status counts in `isMarginSufficient` under the
///      same latest-round rule, and within the caller's `maxAge`.
///
///      EIP-712 domain: name "zkmargin MarginRegistry", version "2", this chain and this contract.
///      Typed messages:
///      - `Attestation(address account,uint256 portfolioCommitment,uint64 issuedAt,
///        uint64 validUntil)`, signed by a custodian: "the holdings behind this commitment are in
///        our books for `account` as of `issuedAt`, and this statement holds until `validUntil`".
///        It counts for a policy only while the signer is registered as one of that policy's
///        custodians, if it was issued at or after that registration, and if the custodian has not
///        revoked the account's attestations issued before a later time (`revoke`).
///      - `ProveRequest(address account,bytes32 policyId,uint64 round,uint256 portfolioCommitment,
///        uint64 nonce,uint64 deadline,address custodian,uint64 issuedAt,uint64 validUntil)`,
///        signed by the account to let anyone submit its proof with exactly that attestation: a
///        relayer cannot swap in a weaker attestation of the same commitment.
///      Signatures are checked ECDSA first, then ERC-1271 (contract accounts and custodians).
///
///      Revocation: a custodian's `revoke(account, before)` may reach up to MAX_REVOCATION_LEAD
///      (one hour) past the block time, so it also kills what the custodian signed with an
///      `issuedAt` ahead of the chain's clock (a custodian's clock that runs ahead).
///
///      Margin calls: a holder of the policy's venue role (PolicyRegistry.venueRole) calls margin on
///      an account that has a status (`callMargin`); the call records the policy feed's latest
///      round and the cure window. The deadline runs from the first round posted after the call:
///      `cureWindow` seconds after it was posted. A status that counts (`_statusCounts`, the
///      predicate `isMarginSufficient` uses) on a later round cures the call; until then, from the
///      deadline on, `isMarginSufficient` is false. The cure is judged where it is read
///      (`isMarginSufficient`, `marginCallOf`), so `prove` reads and writes nothing more;
///      `settleMarginCall` (anyone) emits the cure or the expiry; the venue can withdraw a call.
///
///      Storage: an account's status under a policy is one slot (see `Status`), its open margin
///      call another (see `MarginCall`).
contract MarginRegistry is EIP712, IMarginOracle {
    /// @notice A Groth16 proof in the layout the snarkjs verifier takes.
    /// @param a The A point (G1).
    /// @param b The B point (G2), coordinates as `[[x_im, x_re], [y_im, y_re]]`.
    /// @param c The C point (G1).
    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @notice A custodian attestation of `(account, portfolioCommitment, issuedAt, validUntil)`.
    /// @param custodian The signer (EOA or ERC-1271 contract); must be registered for the policy.
    /// @param issuedAt When the custodian checked the holdings (at most the block timestamp).
    /// @param validUntil The last second at which the attestation counts.
    /// @param signature The EIP-712 signature; empty means "no attestation".
    struct Attestation {
        address custodian;
        uint64 issuedAt;
        uint64 validUntil;
        bytes signature;
    }

    /// @notice A relayed proof request, as the account signs it (EIP-712 `ProveRequest`; the field
    ///         order is the type's, so the struct is not packed for storage: it is never stored).
    struct ProveRequest { // solhint-disable-line gas-struct-packing

        address account;
        bytes32 policyId;
        uint64 round;
        uint256 portfolioCommitment;
        uint64 nonce;
        uint64 deadline;
        address custodian;
        uint64 issuedAt;
        uint64 validUntil;
    }

    /// @notice The latest proven status of an account under a policy, as stored: one slot, packed
    ///         by `_pack` (bits 0-63 nonce, 64-127 round, 128-175 attestationValidUntil, 176-223
    ///         attestationIssuedAt, 224-255 custodianId) and written with a single SSTORE.
    /// @param nonce The nonce of the accepted proof (the next one must be higher); zero means
    ///        "no status" (accepted nonces are at least 1).
    /// @param round The market round of the policy's feed the proof was made against (its
    ///        timestamp and state are read from MarketBook).
    /// @param attestationValidUntil The attestation's expiry, saturated at `type(uint48).max` (no
    ///        block timestamp reaches it, so saturation changes no outcome); zero when none.
    /// @param attestationIssuedAt The attestation's issue time (at most the proof's block time, so
    ///        48 bits hold it); zero when none.
    /// @param custodianId The PolicyRegistry id of the attesting custodian's registration (zero
    ///        when the policy requires no attestation); the status counts only while it is active.
    struct Status {
        uint64 nonce;
        uint64 round;
        uint48 attestationValidUntil;
        uint48 attestationIssuedAt;
        uint32 custodianId;
    }

    /// @notice The latest proven status of an account under a policy, as `statusOf` returns it.
    /// @param round The market round the proof was made against.
    /// @param roundTimestamp That round's timestamp.
    /// @param nonce The nonce of the accepted proof; zero means "no status".
    /// @param attestationIssuedAt The attestation's issue time (zero when none).
    /// @param attestationValidUntil The attestation's expiry (zero when none; saturated at 2^48-1).
    /// @param custodian The attesting custodian (zero when the policy requires none).
    /// @param custodianId Its PolicyRegistry registration id (zero when none).
    /// @param custodianActive Whether that registration still counts (false when none).
    /// @param revoked Whether the custodian revoked the account's attestations issued before a time
    ///        after `attestationIssuedAt`.
    struct StatusView {
        uint64 round;
        uint64 roundTimestamp;
        uint64 nonce;
        uint64 attestationIssuedAt;
        uint64 attestationValidUntil;
        address custodian;
        uint32 custodianId;
        bool custodianActive;
        bool revoked;
    }

    /// @notice A margin call, as stored (one slot); all zero when none (`calledAt` is never zero).
    /// @param round The policy feed's latest round when the call was made: a status that counts,
    ///        on a later round, cures it.
    /// @param calledAt The block timestamp of the call.
    /// @param cureWindow The policy's cure window: the deadline is this long after round + 1 was
    ///        posted.
    /// @param expiryEmitted Whether `MarginCallExpired` was emitted for this call.
    struct MarginCall {
        uint64 round;
        uint64 calledAt;
        uint32 cureWindow;
        bool expiryEmitted;
    }

    // `MarginCallState` and `MarginCallView` (what `marginCallOf` returns) are IMarginOracle's.

    /// @notice EIP-712 type hash of a custodian attestation.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256( // solhint-disable-line gas-small-strings
            "Attestation(address account,uint256 portfolioCommitment,uint64 issuedAt,uint64 validUntil)"
        );

    /// @notice EIP-712 type hash of a relayed proof request.
    bytes32 public constant PROVE_REQUEST_TYPEHASH =
        keccak256( // solhint-disable-line gas-small-strings
            "ProveRequest(address account,bytes32 policyId,uint64 round,uint256 portfolioCommitment,uint64 nonce,uint64 deadline,address custodian,uint64 issuedAt,uint64 validUntil)"
        );

    /// @notice The largest step between an account's consecutive nonces for a policy, so no
    ///         submission can push the nonce to the end of its 64-bit range (2^32 proofs apart).
    uint64 public constant MAX_NONCE_STEP = 2 ** 32;

    /// @notice How far past the block time a revocation may reach: one hour. A revocation kills
    ///         every attestation the custodian signed with an `issuedAt` up to this far ahead of
    ///         the chain's clock (`zkmargin attest` takes `issuedAt` from the chain, and never
    ///         signs further ahead), while a longer reach would keep a custodian's fresh
    ///         attestation of the remaining holdings unusable for longer after it revokes.
    uint64 public constant MAX_REVOCATION_LEAD = 1 hours;

    MarketBook private immutable _MARKET_BOOK;
    PolicyRegistry private immutable _POLICY_REGISTRY;

    /// Packed `Status` words (see `_pack`); zero means "no status".
    mapping(address account => mapping(bytes32 policyId => uint256 packed)) private _statuses;
    /// Per custodian and account: attestations issued before this time no longer count.
    mapping(address custodian => mapping(address account => uint64 before)) private _revokedBefore;
    /// Open (or cured but not yet settled) margin calls.
    mapping(address account => mapping(bytes32 policyId => MarginCall)) private _marginCalls;

    /// @notice A proof was accepted and the account's status for the policy updated.
    /// @param account The account whose margin was proven.
    /// @param policyId The policy.
    /// @param round The market round (of the policy's feed) the proof was made against.
    /// @param nonce The proof's nonce.
    /// @param portfolioCommitment The proven portfolio commitment.
    event MarginProved(
        address indexed account,
        bytes32 indexed policyId,
        uint64 indexed round,
        uint64 nonce,
        uint256 portfolioCommitment
    );
    /// @notice A custodian revoked an account's attestations issued before `before`.
    /// @param custodian The custodian (the caller).
    /// @param account The account.
    /// @param before Attestations issued before this time no longer count.
    event AttestationsRevoked( // solhint-disable-line gas-indexed-events
        address indexed custodian,
        address indexed account,
        uint64 before
    );

    /// @notice A venue called margin on an account.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param venue The caller (holder of the policy's venue role).
    /// @param round The feed's latest round: the account must prove on a later one.
    /// @param cureWindow How long after the next round's posting the account has to cure.
    event MarginCalled( // solhint-disable-line gas-indexed-events
        address indexed account,
        bytes32 indexed policyId,
        address indexed venue,
        uint64 round,
        uint32 cureWindow
    );
    /// @notice A venue withdrew a margin call (whatever it stood at).
    /// @param account The account.
    /// @param policyId The policy.
    /// @param venue The caller (holder of the policy's venue role).
    event MarginCallWithdrawn(
        address indexed account,
        bytes32 indexed policyId,
        address indexed venue
    );
    /// @notice A margin call was cured: the account's status counts and is on a round after the
    ///         call's.
    /// @param account The account.
    /// @param policyId The policy.
    /// @param round The round of the status that cured it.
    event MarginCallCured( // solhint-disable-line gas-indexed-events
        address indexed account,
        bytes32 indexed policyId,
        uint64 round
    );
    /// @notice A margin call reached its deadline uncured (emitted once, by `settleMarginCall`).
    /// @param account The account.
    /// @param policyId The policy.
    /// @param deadline The deadline that passed.
    event MarginCallExpired( // solhint-disable-line gas-indexed-events
        address indexed account,
        bytes32 indexed policyId,
        uint64 deadline
    );

    /// @notice A constructor argument is the zero address.
    error ZeroAddress();
    /// @notice The relayed request names the zero account.
    error ZeroAccount();
    /// @notice The policy was never registered.
    error UnknownPolicy(bytes32 policyId);
    /// @notice The policy is retired.
    error PolicyRetired(bytes32 policyId);
    /// @notice The round was never posted to the policy's feed.
    error UnknownRound(uint64 round);
    /// @notice The publisher marked the round invalid.
    error RoundInvalidated(uint64 round);
    /// @notice The round is neither the feed's latest nor within the grace after its successor.
    error RoundSuperseded(uint64 round);
    /// @notice The round is older than the round of the account's current status.
    error RoundBeforeStatus(uint64 round, uint64 statusRound);
    /// @notice The round is older than the policy's maximum round age.
    error StaleRound(uint64 round, uint64 roundTimestamp, uint64 maxRoundAge);
    /// @notice The nonce is not above the account's last accepted nonce for the policy.
    error NonceNotIncreasing(uint64 nonce, uint64 lastNonce);
    /// @notice The nonce is more than MAX_NONCE_STEP above the account's last one.
    error NonceStepTooLarge(uint64 nonce, uint64 lastNonce);
    /// @notice The portfolio commitment is not below the scalar field modulus.
    error PortfolioCommitmentOutOfField(uint256 portfolioCommitment);
    /// @notice A proof coordinate (index 0..7 in the order a0 a1 b00 b01 b10 b11 c0 c1) is not
    ///         below the base field modulus.
    error ProofCoordinateOutOfField(uint256 index);
    /// @notice The verifier rejected the proof for the rebuilt public signals.
    error InvalidProof();
    /// @notice The policy requires an attestation and none was given.
    error AttestationMissing();
    /// @notice The attestation's issue time is after this block.
    error AttestationFromFuture(uint64 issuedAt);
    /// @notice The attestation's validity ended before this block.
    error AttestationExpired(uint64 validUntil);
    /// @notice The attesting address is not a custodian of the policy.
    error CustodianNotRegistered(bytes32 policyId, address custodian);
    /// @notice The attestation was issued before its custodian's current registration.
    error AttestationBeforeRegistration(uint64 issuedAt, uint64 registeredAt);
    /// @notice The custodian revoked the account's attestations issued before `before`.
    error AttestationRevoked(uint64 issuedAt, uint64 before);
    /// @notice The attestation signature is not the custodian's over this account and commitment.
    error InvalidAttestationSignature();
    /// @notice The relayed request's deadline has passed.
    error RequestExpired(uint64 deadline);
    /// @notice The relayed request is not signed by the account.
    error InvalidAccountSignature();
    /// @notice A revocation time may only move forward.
    error RevocationNotIncreasing(uint64 before, uint64 current);
    /// @notice A revocation time more than MAX_REVOCATION_LEAD after this block.
    error RevocationTooFarAhead(uint64 before, uint256 latestAllowed);
    /// @notice The caller does not hold the policy's venue role.
    error NotVenue(bytes32 policyId, address caller);
    /// @notice The policy's cure window is zero: it takes no margin calls.
    error MarginCallsDisabled(bytes32 policyId);
    /// @notice The account has never proven under the policy: there is nothing to call.
    error NoStatus(address account, bytes32 policyId);
    /// @notice The account already has an uncured margin call under the policy.
    error MarginCallOpen(address account, bytes32 policyId, uint64 calledAt);
    /// @notice The account has no margin call under the policy.
    error NoMarginCall(address account, bytes32 policyId);
    /// @notice The margin call is neither cured nor past its deadline (zero: no round has been
    ///         posted after the call yet).
    error MarginCallPending(address account, bytes32 policyId, uint64 deadline);
    /// @notice The margin call's expiry was already emitted and it is still uncured.
    error MarginCallAlreadyExpired(address account, bytes32 policyId, uint64 deadline);

    /// @notice Deploys the registry over a market book and a policy registry.
    /// @param marketBook_ The MarketBook whose feeds' rounds proofs are made against.
    /// @param policyRegistry_ The PolicyRegistry whose policies proofs are made for.
    constructor(
        MarketBook marketBook_,
        PolicyRegistry policyRegistry_
    ) EIP712("zkmargin MarginRegistry", "2") {
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
    /// @dev Refuses (custom errors, in the order of verifier-contracts/README.md) an unknown or
    ///      retired policy, a round that is unknown, invalidated, superseded, older than the
    ///      status or stale, a nonce not above the last or too far above it, out-of-field values,
    ///      an attestation that is missing, from the future, expired, from an unregistered
    ///      custodian, older than the custodian's registration, revoked or badly signed (when the
    ///      policy requires one), and an invalid proof.
    /// @param policyId The policy the proof is for.
    /// @param round The round of the policy's feed the proof is made against.
    /// @param portfolioCommitment The proof's portfolio commitment.
    /// @param nonce The proof's nonce; above the account's last for the policy, by at most 2^32.
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

    /// @notice Submits a margin proof on behalf of `account`, who signed an EIP-712 ProveRequest
    ///         naming this exact attestation.
    /// @dev Anyone may call. Same checks as `prove`, plus the request's deadline and signature.
    /// @param account The account the proof is for (bound into the proof's public signals).
    /// @param policyId The policy the proof is for.
    /// @param round The round of the policy's feed the proof is made against.
    /// @param portfolioCommitment The proof's portfolio commitment.
    /// @param nonce The proof's nonce.
    /// @param deadline The last second at which the request may be submitted.
    /// @param proof The Groth16 proof.
    /// @param attestation The custodian attestation the account signed for.
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
            ProveRequest({
                account: account,
                policyId: policyId,
                round: round,
                portfolioCommitment: portfolioCommitment,
                nonce: nonce,
                deadline: deadline,
                custodian: attestation.custodian,
                issuedAt: attestation.issuedAt,
                validUntil: attestation.validUntil
            })
        );
        if (!_isValidSignatureNow(account, digest, accountSignature)) {
            revert InvalidAccountSignature();
        }
        _prove(account, policyId, round, portfolioCommitment, nonce, proof, attestation);
    }

    /// @notice Revokes the caller's attestations of `account` issued before `before`; the
    ///         account's statuses resting on such an attestation stop counting at once. A
    ///         custodian calls it before it releases assets behind an attestation that has not
    ///         expired (a withdrawal), then attests the new holdings with an `issuedAt` at or
    ///         after `before`. `before` may reach MAX_REVOCATION_LEAD past the block time, so
    ///         attestations dated ahead of the chain's clock are covered too.
    /// @dev Anyone may call for its own signing address. Refuses RevocationNotIncreasing (`before`
    ///      never moves backwards) and RevocationTooFarAhead (more than MAX_REVOCATION_LEAD after
    ///      the block time).
    /// @param account The account.
    /// @param before Attestations issued before this time no longer count.
    function revoke(address account, uint64 before) external {
        uint64 current = _revokedBefore[msg.sender][account];
        if (before <= current) revert RevocationNotIncreasing(before, current);
        uint256 latestAllowed = block.timestamp + MAX_REVOCATION_LEAD;
        if (before > latestAllowed) revert RevocationTooFarAhead(before, latestAllowed);
        _revokedBefore[msg.sender][account] = before;
        emit AttestationsRevoked(msg.sender, account, before);
    }

    /// @inheritdoc IMarginOracle
    /// @dev Refuses, in order: NotVenue (the caller lacks PolicyRegistry.venueRole(policyId)),
    ///      PolicyRetired (unknown or retired), MarginCallsDisabled (cure window 0), ZeroAccount,
    ///      NoStatus (the account never proved under the policy), MarginCallOpen (an earlier call
    ///      is uncured; a cured, unsettled one is settled first, emitting its cure).
    function callMargin(address account, bytes32 policyId) external {
        (bool isVenue, bool active, bytes32 feed, uint32 cureWindow) = _POLICY_REGISTRY
            .marginCallContext(policyId, msg.sender);
        if (!isVenue) revert NotVenue(policyId, msg.sender);
        if (!active) revert PolicyRetired(policyId);
        if (cureWindow == 0) revert MarginCallsDisabled(policyId);
        if (account == address(0)) revert ZeroAccount();
        Status memory status = _unpack(_statuses[account][policyId]);
        if (status.nonce == 0) revert NoStatus(account, policyId);
        MarginCall memory previous = _marginCalls[account][policyId];
        if (previous.calledAt != 0) {
            (bool counts, , ) = _statusCounts(account, policyId, status);
            if (_callState(previous, status.round, counts, feed) != MarginCallState.Cured) {
                revert MarginCallOpen(account, policyId, previous.calledAt);
            }
            emit MarginCallCured(account, policyId, status.round);
        }
        uint64 round = _MARKET_BOOK.feedHead(feed).latestRound;
        _marginCalls[account][policyId] = MarginCall({
            round: round,
            calledAt: uint64(block.timestamp),
            cureWindow: cureWindow,
            expiryEmitted: false
        });
        emit MarginCalled(account, policyId, msg.sender, round, cureWindow);
    }

    /// @inheritdoc IMarginOracle
    /// @dev Refuses NotVenue (the caller lacks PolicyRegistry.venueRole(policyId); any holder may
    ///      withdraw any call of the policy, also of a retired one), then NoMarginCall.
    function withdrawMarginCall(address account, bytes32 policyId) external {
        (bool isVenue, , , ) = _POLICY_REGISTRY.marginCallContext(policyId, msg.sender);
        if (!isVenue) revert NotVenue(policyId, msg.sender);
        if (_marginCalls[account][policyId].calledAt == 0) revert NoMarginCall(account, policyId);
        delete _marginCalls[account][policyId];
        emit MarginCallWithdrawn(account, policyId, msg.sender);
    }

    /// @inheritdoc IMarginOracle
    /// @dev Refuses NoMarginCall, MarginCallPending (neither cured nor past its deadline) and
    ///      MarginCallAlreadyExpired (expiry emitted, still uncured).
    function settleMarginCall(
        address account,
        bytes32 policyId
    ) external returns (MarginCallState state) {
        MarginCall memory current = _marginCalls[account][policyId];
        if (current.calledAt == 0) revert NoMarginCall(account, policyId);
        Status memory status = _unpack(_statuses[account][policyId]);
        (bool counts, , bytes32 feed) = _statusCounts(account, policyId, status);
        state = _callState(current, status.round, counts, feed);
        if (state == MarginCallState.Pending) {
            revert MarginCallPending(account, policyId, _deadlineOf(current, feed));
        }
        if (state == MarginCallState.Cured) {
            delete _marginCalls[account][policyId];
            emit MarginCallCured(account, policyId, status.round);
        } else {
            uint64 deadline = _deadlineOf(current, feed);
            if (current.expiryEmitted) {
                revert MarginCallAlreadyExpired(account, policyId, deadline);
            }
            _marginCalls[account][policyId].expiryEmitted = true;
            emit MarginCallExpired(account, policyId, deadline);
        }
    }

    /// @inheritdoc IMarginOracle
    function marginCallOf(
        address account,
        bytes32 policyId
    ) external view returns (MarginCallView memory view_) {
        MarginCall memory current = _marginCalls[account][policyId];
        if (current.calledAt == 0) return view_;
        Status memory status = _unpack(_statuses[account][policyId]);
        (bool counts, , bytes32 feed) = _statusCounts(account, policyId, status);
        view_.state = _callState(current, status.round, counts, feed);
        view_.round = current.round;
        view_.calledAt = current.calledAt;
        view_.cureWindow = current.cureWindow;
        view_.deadline = _deadlineOf(current, feed);
    }

    /// @inheritdoc IMarginOracle
    /// @dev True iff the account's status counts (`_statusCounts`: it exists; the policy is
    ///      registered and not retired; for a policy that requires an attestation, the attesting
    ///      custodian's registration is still active, the attestation has not expired and the
    ///      custodian has not revoked it; the status's round is not invalidated and is the feed's
    ///      latest, or the one before it within the policy's `supersededGrace` after its successor
    ///      was posted); `block.timestamp - roundTimestamp <= maxAge` (the age of the market data
    ///      the proof used, not of its submission); and no margin call on the account is expired
    ///      (uncured at or after its deadline).
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
        (bool counts, uint64 roundTimestamp, bytes32 feed) = _statusCounts(
            account,
            policyId,
            status
        );
        if (!counts) return false;
        // MarketBook refuses future timestamps, so this cannot underflow.
        if (block.timestamp - roundTimestamp > maxAge) return false;
        MarginCall memory marginCall = _marginCalls[account][policyId];
        if (marginCall.calledAt == 0) return true;
        return _callState(marginCall, status.round, true, feed) != MarginCallState.Expired;
    }

    /// @notice The latest status of `account` under the policy (all zero when none): what is
    ///         stored, with the round's timestamp, the custodian and its revocation resolved. The
    ///         portfolio commitment and the proof time are in the matching `MarginProved` event.
    /// @param account The account.
    /// @param policyId The policy.
    /// @return view_ The status.
    function statusOf(
        address account,
        bytes32 policyId
    ) external view returns (StatusView memory view_) {
        Status memory status = _unpack(_statuses[account][policyId]);
        view_.round = status.round;
        view_.nonce = status.nonce;
        view_.custodianId = status.custodianId;
        view_.attestationIssuedAt = status.attestationIssuedAt;
        view_.attestationValidUntil = status.attestationValidUntil;
        if (status.nonce == 0) return view_;
        PolicyRegistry.StatusContext memory policy = _POLICY_REGISTRY.statusContext(
            policyId,
            status.custodianId
        );
        view_.roundTimestamp = _MARKET_BOOK.roundRecord(policy.feed, status.round).timestamp;
        if (status.custodianId != 0) {
            (view_.custodian, view_.custodianActive, ) = _POLICY_REGISTRY.custodianById(
                policyId,
                status.custodianId
            );
            view_.revoked =
                status.attestationIssuedAt < _revokedBefore[view_.custodian][account];
        }
    }

    /// @inheritdoc IMarginOracle
    function lastNonce(address account, bytes32 policyId) external view returns (uint64) {
        return uint64(_statuses[account][policyId]);
    }

    /// @notice Attestations of `account` by `custodian` issued before the returned time do not
    ///         count (zero when the custodian never revoked).
    /// @param custodian The custodian.
    /// @param account The account.
    /// @return The revocation time.
    function revokedBefore(address custodian, address account) external view returns (uint64) {
        return _revokedBefore[custodian][account];
    }

    /// @notice The EIP-712 domain separator of this registry.
    /// @return The domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest a custodian signs to attest a commitment.
    /// @param account The account holding the assets.
    /// @param portfolioCommitment The attested portfolio commitment.
    /// @param issuedAt When the custodian checked the holdings.
    /// @param validUntil The last second at which the attestation counts.
    /// @return The digest.
    function attestationDigest(
        address account,
        uint256 portfolioCommitment,
        uint64 issuedAt,
        uint64 validUntil
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        ATTESTATION_TYPEHASH,
                        account,
                        portfolioCommitment,
                        issuedAt,
                        validUntil
                    )
                )
            );
    }

    /// @notice The EIP-712 digest an account signs to let anyone relay its proof.
    /// @param request The request (all fields static, so its ABI encoding is its fields in order).
    /// @return The digest.
    function proveRequestDigest(ProveRequest memory request) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PROVE_REQUEST_TYPEHASH, request)));
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
        PolicyRegistry.ProofContext memory policy = _POLICY_REGISTRY.proofContext(
            policyId,
            attestation.custodian
        );
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        if (policy.retired) revert PolicyRetired(policyId);

        Status memory last = _unpack(_statuses[account][policyId]);
        uint256 marketCommitment = _checkRound(policy, round, last.round);
        _checkCallerInputs(last.nonce, portfolioCommitment, nonce, proof);
        Status memory next = Status(nonce, round, 0, 0, policy.custodianId);
        if (policy.requiresAttestation) {
            (next.attestationIssuedAt, next.attestationValidUntil) = _checkAttestation(
                policyId,
                policy,
                account,
                portfolioCommitment,
                attestation
            );
        }

        {
            // The public signals, in the circuit's order; none comes from the caller except the
            // nonce (checked against the account's last) and the attested portfolio commitment.
            uint256[4] memory publicSignals = [
                uint256(uint160(account)) | (uint256(nonce) << 160),
                marketCommitment,
                policy.commitment,
                portfolioCommitment
            ];
            if (!policy.verifier.verifyProof(proof.a, proof.b, proof.c, publicSignals)) {
                revert InvalidProof();
            }
        }

        // One slot; `policy.custodianId` is zero when the policy requires no attestation.
        _statuses[account][policyId] = _pack(next);
        emit MarginProved(account, policyId, round, nonce, portfolioCommitment);
    }

    /// @dev Reads the round from the policy's feed and applies the round rules: known, not
    ///      invalidated, current (latest, or superseded less than the grace ago), not older than
    ///      the account's status, not stale. Returns the round's market commitment.
    function _checkRound(
        PolicyRegistry.ProofContext memory policy,
        uint64 round,
        uint64 statusRound
    ) private view returns (uint256) {
        MarketBook.RoundRecord memory record = _MARKET_BOOK.roundRecord(policy.feed, round);
        if (record.commitment == 0) revert UnknownRound(round);
        if (record.invalid) revert RoundInvalidated(round);
        if (!_isCurrent(record, policy.supersededGrace)) revert RoundSuperseded(round);
        if (round < statusRound) revert RoundBeforeStatus(round, statusRound);
        // MarketBook refuses future timestamps, so this cannot underflow.
        if (block.timestamp - record.timestamp > policy.maxRoundAge) {
            revert StaleRound(round, record.timestamp, policy.maxRoundAge);
        }
        return record.commitment;
    }

    /// @dev Refuses a nonce not above the account's last or more than MAX_NONCE_STEP above it,
    ///      and out-of-field values.
    function _checkCallerInputs(
        uint64 lastNonce_,
        uint256 portfolioCommitment,
        uint64 nonce,
        Proof calldata proof
    ) private pure {
        if (nonce <= lastNonce_) revert NonceNotIncreasing(nonce, lastNonce_);
        if (nonce - lastNonce_ > MAX_NONCE_STEP) revert NonceStepTooLarge(nonce, lastNonce_);
        if (portfolioCommitment >= SnarkField.SCALAR_MODULUS) {
            revert PortfolioCommitmentOutOfField(portfolioCommitment);
        }
        _checkProofCoordinates(proof);
    }

    /// @dev Checks the attestation against the policy's custodian registration (from
    ///      PolicyRegistry.proofContext) and the custodian's revocation of the account. Returns the
    ///      issue time and the expiry saturated to 48 bits (no block timestamp reaches 2^48 - 1).
    function _checkAttestation(
        bytes32 policyId,
        PolicyRegistry.ProofContext memory policy,
        address account,
        uint256 portfolioCommitment,
        Attestation calldata attestation
    ) private view returns (uint48 issuedAt, uint48 validUntil) {
        if (attestation.signature.length == 0) revert AttestationMissing();
        if (attestation.issuedAt > block.timestamp) {
            revert AttestationFromFuture(attestation.issuedAt);
        }
        if (block.timestamp > attestation.validUntil) {
            revert AttestationExpired(attestation.validUntil);
        }
        if (policy.custodianId == 0) revert CustodianNotRegistered(policyId, attestation.custodian);
        if (attestation.issuedAt < policy.custodianRegisteredAt) {
            revert AttestationBeforeRegistration(
                attestation.issuedAt,
                policy.custodianRegisteredAt
            );
        }
        uint64 before = _revokedBefore[attestation.custodian][account];
        if (attestation.issuedAt < before) revert AttestationRevoked(attestation.issuedAt, before);
        bytes32 digest = attestationDigest(
            account,
            portfolioCommitment,
            attestation.issuedAt,
            attestation.validUntil
        );
        if (!_isValidSignatureNow(attestation.custodian, digest, attestation.signature)) {
            revert InvalidAttestationSignature();
        }
        // At most block.timestamp (checked above), so it fits 48 bits for 8.9 million years.
        issuedAt = uint48(attestation.issuedAt);
        uint64 expiry = attestation.validUntil;
        validUntil = expiry > type(uint48).max ? type(uint48).max : uint48(expiry);
    }

    /// @dev The latest-round rule: a round counts while it is not invalidated and is the feed's
    ///      latest, or was superseded (by the latest) less than `grace` seconds ago.
    function _isCurrent(
        MarketBook.RoundRecord memory record,
        uint32 grace
    ) private view returns (bool) {
        if (record.invalid || record.outdated) return false;
        return record.supersededAt == 0 || block.timestamp < uint256(record.supersededAt) + grace;
    }

    /// @dev The one predicate "a status counts", shared by `isMarginSufficient` and the margin-call
    ///      cure (`_callState` callers): the status exists; PolicyRegistry says the policy counts
    ///      it (registered, not retired, and, for a policy that requires an attestation, the
    ///      status's custodian registration still active); its attestation, if any, has not
    ///      expired and was not revoked; its round is current (`_isCurrent`: not invalidated, the
    ///      feed's latest or within the grace after its successor). The caller's `maxAge` and the
    ///      margin call are not part of it. Also returns the round's timestamp and the policy's
    ///      feed (zero when the status does not exist).
    function _statusCounts(
        address account,
        bytes32 policyId,
        Status memory status
    ) private view returns (bool counts, uint64 roundTimestamp, bytes32 feed) {
        if (status.nonce == 0) return (false, 0, bytes32(0));
        PolicyRegistry.StatusContext memory policy = _POLICY_REGISTRY.statusContext(
            policyId,
            status.custodianId
        );
        feed = policy.feed;
        if (!policy.counts) return (false, 0, feed);
        // A custodian id is recorded exactly when the policy required an attestation.
        if (status.custodianId != 0) {
            if (block.timestamp > status.attestationValidUntil) return (false, 0, feed);
            if (status.attestationIssuedAt < _revokedBefore[policy.custodian][account]) {
                return (false, 0, feed);
            }
        }
        MarketBook.RoundRecord memory record = _MARKET_BOOK.roundRecord(feed, status.round);
        return (_isCurrent(record, policy.supersededGrace), record.timestamp, feed);
    }

    /// @dev Where a margin call stands, given the account's status round and whether that status
    ///      counts (`_statusCounts`): cured by a counting status on a later round (whenever it was
    ///      proven), else pending while the deadline is not running or not reached, and expired
    ///      from it on.
    function _callState(
        MarginCall memory marginCall,
        uint64 statusRound,
        bool statusCounts,
        bytes32 feed
    ) private view returns (MarginCallState) {
        if (marginCall.calledAt == 0) return MarginCallState.None;
        if (statusCounts && statusRound > marginCall.round) return MarginCallState.Cured;
        uint64 deadline = _deadlineOf(marginCall, feed);
        if (deadline == 0 || block.timestamp < deadline) return MarginCallState.Pending;
        return MarginCallState.Expired;
    }

    /// @dev A call's deadline: `cureWindow` after the first round posted after the call; zero
    ///      while there is none. The call's round was the feed's latest at the call, so its
    ///      successor is that first round, and its posting time (the call's round's
    ///      `supersededAt`) is the call's time or later.
    function _deadlineOf(MarginCall memory marginCall, bytes32 feed) private view returns (uint64) {
        uint64 nextPostedAt = _MARKET_BOOK.roundRecord(feed, marginCall.round).supersededAt;
        return nextPostedAt == 0 ? 0 : nextPostedAt + marginCall.cureWindow;
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

    /// @dev One storage word: nonce | round << 64 | attestationValidUntil << 128 |
    ///      attestationIssuedAt << 176 | custodianId << 224 (the widths add up to 256).
    function _pack(Status memory status) private pure returns (uint256) {
        return
            uint256(status.nonce) |
            (uint256(status.round) << 64) |
            (uint256(status.attestationValidUntil) << 128) |
            (uint256(status.attestationIssuedAt) << 176) |
            (uint256(status.custodianId) << 224);
    }

    /// @dev The inverse of `_pack`.
    function _unpack(uint256 word) private pure returns (Status memory status) {
        status.nonce = uint64(word);
        status.round = uint64(word >> 64);
        status.attestationValidUntil = uint48(word >> 128);
        status.attestationIssuedAt = uint48(word >> 176);
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
