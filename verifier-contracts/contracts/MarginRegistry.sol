// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities
// Inline assembly only on the proof path, where it saves gas a proof pays every round (the
// verifier's calldata and the event written in place, the pledge hashed where it lies, the proof's
// words checked unrolled), each block documented and each result held to a test.
// solhint-disable no-inline-assembly

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IGroth16BatchVerifier} from "./interfaces/IGroth16Verifier.sol";
import {IMarginOracle} from "./interfaces/IMarginOracle.sol";
import {MarketBook} from "./MarketBook.sol";
import {PolicyRegistry} from "./PolicyRegistry.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title MarginRegistry
/// @author zkmargin
/// @notice Accepts zero-knowledge margin proofs over collateral pledged by custodians to a venue,
///         and records, per (account, policy), the latest proven status; `isMarginSufficient` is
///         the one call a lending or derivatives protocol needs to gate an action on a fresh,
///         valid proof.
/// @dev A policy's circuit has C pledge slots (PolicyRegistry reads C from its verifier). Its
///      3 + C public signals are rebuilt here from chain state, never taken from the caller:
///      `[uint160(account) | nonce << 160, marketCommitment(feed, round),
///      policyCommitment(policyId), portfolioCommitment_1 .. portfolioCommitment_C]`, where
///      `account` is `msg.sender` (or the signer of a relayed request), the policy commitment, its
///      feed and its venue come from PolicyRegistry and the market commitment from that feed in
///      MarketBook. The caller supplies the C portfolio commitments (each bound by its pledge) and
///      the nonce. The registry calls snarkjs's `verifyProof` of the verifier for `3 + C` signals.
///
///      Rounds: `prove` accepts the policy feed's latest round, or the one before it for the
///      policy's `supersededGrace` seconds after its successor was posted, never an invalidated
///      round, never a round older than the account's current status, and only within
///      `maxRoundAge` of the round's timestamp. A status counts in `isMarginSufficient` under the
///      same latest-round rule, and within the caller's `maxAge`.
///
///      Pledges: for a policy that requires them, each used slot (a prefix of the C slots) carries
///      a custodian's EIP-712 `Pledge`: "the holdings behind this commitment are this account's
///      and are held for this venue until `validUntil` or until we revoke". A pledge binds the
///      custodian's registration at the venue (PolicyRegistry; a removed and re-added custodian
///      has a new one) and the custodian's current epoch for the account and venue: the sum of
///      its account-wide epoch, advanced by `revoke(account)`, and its venue epoch, advanced by
///      `revoke(account, venue)`. Both only grow, so any revocation that applies changes the sum
///      and kills every pledge signed before it, whatever its `issuedAt`. A proof may not repeat
///      a custodian or a non-zero commitment, nor leave a commitment in a slot without a pledge.
///      A status records the earliest expiry, the sum of the pledges' epochs and their
///      registration ids, and counts only while every registration is active, no pledge has
///      expired and the sum of the current epochs is the recorded one.
///
///      EIP-712 domain: name "zkmargin MarginRegistry", version "3", this chain and this contract.
///      Typed messages: `Pledge` (PLEDGE_TYPEHASH), signed by a custodian, and `ProveRequest`
///      (PROVE_REQUEST_TYPEHASH), signed by an account to let anyone submit its proof with exactly
///      the pledges it names. Signatures are checked ECDSA first, then ERC-1271.
///
///      One function checks a proof's inputs, reporting the first refusal as the ABI encoding of
///      its custom error instead of reverting (`_admit`, `_admitRelayed`), so that `prove`,
///      `proveFor` and a batch of proofs apply exactly the same rules; `prove` and `proveFor`
///      revert with it.
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
///      Storage: an account's status under a policy is one slot (see `Status`), plus one for the
///      registration ids of its second to eighth pledges; its open margin call another (see
///      `MarginCall`).
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

    /// @notice A custodian's pledge as a proof carries it: the account is the proof's, the venue
    ///         the policy's and the commitment the slot's (see `Pledge` for what is signed).
    /// @param custodian The signer (EOA or ERC-1271 contract).
    /// @param terms The pledge's four numbers in one word (calldata is paid per byte):
    ///        `registration | epoch << 32 | issuedAt << 96 | validUntil << 160`, bits 224-255
    ///        zero. `registration` is the custodian's registration at the venue the pledge was
    ///        signed under, `epoch` its epoch for the account and venue then, `issuedAt` when it
    ///        checked the holdings (informative: revocation and registration are decided by the
    ///        other two), `validUntil` the last second at which the pledge counts.
    /// @param r The `r` of the custodian's 65-byte signature `(r, s, v)` of the `Pledge`.
    /// @param vs Its `s | (v - 27) << 255` (EIP-2098): a pledge is a fixed 128 bytes of calldata,
    ///        with no offset, length or padding words. An EOA's ECDSA signature is checked from
    ///        these two words; an ERC-1271 custodian is asked about the 65 bytes `(r, s, v)`.
    struct SignedPledge {
        address custodian;
        uint256 terms;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice The EIP-712 `Pledge` a custodian signs (field order is the type's; never stored).
    struct Pledge { // solhint-disable-line gas-struct-packing

        address custodian;
        uint32 registration;
        address account;
        bytes32 venue;
        uint256 portfolioCommitment;
        uint64 epoch;
        uint64 issuedAt;
        uint64 validUntil;
    }

    /// @notice The EIP-712 `ProveRequest` an account signs to let anyone relay its proof with
    ///         exactly these commitments and pledges (field order is the type's; never stored).
    struct ProveRequest { // solhint-disable-line gas-struct-packing

        address account;
        bytes32 policyId;
        uint64 round;
        uint64 nonce;
        uint64 deadline;
        uint256[] portfolioCommitments;
        Pledge[] pledges;
    }

    /// @notice The latest proven status of an account under a policy, as stored in one slot by
    ///         `_pack` (bits 0-63 nonce, 64-127 round, 128-175 pledgesValidUntil, 176-219
    ///         epochSum, 220-223 pledgeCount, 224-255 registration); the registration ids of the
    ///         second to eighth pledges go in a second slot, 32 bits each, written only when there
    ///         are several pledges.
    /// @param nonce The nonce of the accepted proof (the next one must be higher); zero means
    ///        "no status" (accepted nonces are at least 1).
    /// @param round The market round of the policy's feed the proof was made against.
    /// @param pledgesValidUntil The earliest expiry of the pledges, saturated at 2^48 - 1 (no block
    ///        timestamp reaches it); zero when none.
    /// @param epochSum The sum of the pledges' epochs modulo 2^44 (a revocation adds one to one
    ///        of them: 2^44 revocations would be needed to come back to it).
    /// @param pledgeCount How many pledges (0 for a policy that requires none, at most 8).
    /// @param registration The first pledge's registration id (zero when none).
    struct Status {
        uint64 nonce;
        uint64 round;
        uint48 pledgesValidUntil;
        uint48 epochSum;
        uint8 pledgeCount;
        uint32 registration;
    }

    /// @notice A status's slots: the packed `Status`, and the further registration ids.
    struct StatusSlots {
        uint256 main;
        uint256 more;
    }

    /// @notice One pledge of a status, as `statusOf` returns it.
    /// @param custodian The custodian of the pledge's registration.
    /// @param registration The registration id.
    /// @param active Whether that registration still counts.
    struct PledgeView {
        address custodian;
        uint32 registration;
        bool active;
    }

    /// @notice The latest proven status of an account under a policy, as `statusOf` returns it.
    /// @param round The market round the proof was made against.
    /// @param roundTimestamp That round's timestamp.
    /// @param nonce The nonce of the accepted proof; zero means "no status".
    /// @param pledgesValidUntil The earliest expiry of its pledges (zero when none; saturated at
    ///        2^48 - 1).
    /// @param epochSum The sum of its pledges' epochs when proven (modulo 2^44).
    /// @param currentEpochSum The sum of the same custodians' epochs now (modulo 2^44).
    /// @param revoked Whether a custodian revoked since (the sums differ).
    /// @param pledges Its pledges' custodians and registrations, in slot order.
    struct StatusView {
        uint64 round;
        uint64 roundTimestamp;
        uint64 nonce;
        uint64 pledgesValidUntil;
        uint64 epochSum;
        uint64 currentEpochSum;
        bool revoked;
        PledgeView[] pledges;
    }

    /// @dev What `_admit` derives for an admitted proof: what to verify it against and what to
    ///      record (the public signals are the account and nonce, these two commitments and the
    ///      proof's portfolio commitments).
    ///      `statusSlot` is the storage slot of the account's `StatusSlots` for the policy (read
    ///      by `_admit`, written by `_record`: its mapping keys hashed once); `domain` is the
    ///      EIP-712 domain separator once the pledges were checked (zero before), for the request.
    struct Admission {
        address verifier;
        uint256 pledgeSlots;
        uint256 marketCommitment;
        uint256 policyCommitment;
        uint256 status;
        uint256 moreRegistrations;
        bytes32 pledgesHash;
        uint256 statusSlot;
        bytes32 domain;
    }

    /// @dev What every proof of one policy and round shares, read and judged once (`_readGroup`):
    ///      PolicyRegistry.policyState's answer for the policy (with `custodian`'s registration at
    ///      its venue: the first pledge's custodian of the proof it was read for, read again when
    ///      a later proof's differs), MarketBook.packedRound's for the round, and the round rules
    ///      that do not depend on the account (`roundVerdict`: one of the `_ROUND_*` codes).
    ///      Neither contract can change during a call (the registry makes only static calls), so
    ///      a repeated read would answer the same. `prove` and `proveFor` read one for their
    ///      proof, `proveBatch` one per group.
    struct GroupReads {
        address custodian;
        uint256 registration;
        uint256 policyCommitment;
        uint256 params;
        bytes32 feed;
        bytes32 venue;
        uint256 marketCommitment;
        uint256 record;
        uint256 roundVerdict;
    }

    /// @notice Relayed proofs of a batch that share one policy, one round and one request
    ///         deadline (`proveBatch`), each sent once for the group.
    /// @param policyId The policy the proofs are for.
    /// @param round The round of the policy's feed the proofs are made against.
    /// @param deadline The last second at which the requests may be submitted.
    /// @param items The proofs, at least one.
    struct BatchGroup {
        bytes32 policyId;
        uint64 round;
        uint64 deadline;
        BatchItem[] items;
    }

    /// @notice One relayed proof of a batch group: with its group's policy, round and deadline,
    ///         exactly the arguments of `proveFor` (the account's ProveRequest is rebuilt from
    ///         both: it signs exactly what it signs for `proveFor`).
    /// @param account The account the proof is for (bound into the proof's public signals).
    /// @param nonce The proof's nonce.
    /// @param portfolioCommitments The proof's C portfolio commitments, in slot order.
    /// @param proof The Groth16 proof.
    /// @param pledges The pledges the account signed for, in slot order.
    /// @param accountSignature The account's EIP-712 signature of the ProveRequest: an ECDSA
    ///        signature as 65 bytes `(r, s, v)` or EIP-2098's 64 bytes `(r, vs)`, or what the
    ///        account accepts under ERC-1271.
    struct BatchItem {
        address account;
        uint64 nonce;
        uint256[] portfolioCommitments;
        Proof proof;
        SignedPledge[] pledges;
        bytes accountSignature;
    }

    /// @dev Where `proveBatch` gathers its admitted proofs: the call data of the common
    ///      verifier's `verifyBatch(uint256[8][] proofs, uint256[] pubSignals)` in memory, laid
    ///      out for `capacity` items once the first item is admitted (its verifier and signal
    ///      count known then): the selector at `data`, the two offsets and the proofs' length,
    ///      room for `capacity` proofs from `proofs`, the signals' length, room for `capacity`
    ///      items' signals from `signals`. Unused room between the proofs and the signals is
    ///      skipped by the signals' offset.
    struct BatchCall {
        address verifier;
        uint256 pledgeSlots;
        uint256 signalCount;
        uint256 data;
        uint256 proofs;
        uint256 signals;
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

    /// @notice EIP-712 type hash of a custodian's pledge.
    bytes32 public constant PLEDGE_TYPEHASH =
        keccak256( // solhint-disable-line gas-small-strings
            "Pledge(address custodian,uint32 registration,address account,bytes32 venue,uint256 portfolioCommitment,uint64 epoch,uint64 issuedAt,uint64 validUntil)"
        );

    /// @notice EIP-712 type hash of a relayed proof request (its `Pledge` type appended, as
    ///         EIP-712 encodes a referenced struct type).
    bytes32 public constant PROVE_REQUEST_TYPEHASH =
        keccak256( // solhint-disable-line gas-small-strings
            "ProveRequest(address account,bytes32 policyId,uint64 round,uint64 nonce,uint64 deadline,uint256[] portfolioCommitments,Pledge[] pledges)Pledge(address custodian,uint32 registration,address account,bytes32 venue,uint256 portfolioCommitment,uint64 epoch,uint64 issuedAt,uint64 validUntil)"
        );

    /// @notice The largest step between an account's consecutive nonces for a policy, so no
    ///         submission can push the nonce to the end of its 64-bit range (2^32 proofs apart).
    uint64 public constant MAX_NONCE_STEP = 2 ** 32;

    /// @dev The selectors of snarkjs's `verifyProof(uint256[2],uint256[2][2],uint256[2],
    ///      uint256[N])` for N = 4 .. 11 (C = 1 .. 8 pledge slots), four bytes each, N = 4 first;
    ///      a test recomputes them.
    uint256 private constant _VERIFY_PROOF_SELECTORS =
        0x5fe8c13b34baeab9f398789bc894e757c9219a7ac542c93bf3bb70f6b9c6ea87;
    /// @dev The epoch sum a status keeps: 44 bits.
    uint256 private constant _EPOCH_SUM_MASK = (1 << 44) - 1;
    /// @dev The `s` of an EIP-2098 `vs` word: all but its top bit (which is `v - 27`).
    bytes32 private constant _S_MASK = bytes32(type(uint256).max >> 1);
    /// @dev Bit offsets in PolicyRegistry.policyState's `params` (the policy's second slot):
    ///      verifier 0, maxRoundAge 160, supersededGrace 192, mode 224, requiresPledges 232,
    ///      retired 240, pledgeSlots 248.
    uint256 private constant _MAX_ROUND_AGE_BIT = 160;
    uint256 private constant _GRACE_BIT = 192;
    uint256 private constant _REQUIRES_PLEDGES_BIT = 232;
    uint256 private constant _RETIRED_BIT = 240;
    uint256 private constant _PLEDGE_SLOTS_BIT = 248;
    /// @dev Bit offsets in MarketBook.packedRound's `record` (a round's second slot): timestamp 0,
    ///      postedAt 64, supersededAt 128, outdated 192, invalid 200.
    uint256 private constant _SUPERSEDED_AT_BIT = 128;
    uint256 private constant _OUTDATED_BIT = 192;
    uint256 private constant _INVALID_BIT = 200;
    /// @dev `GroupReads.roundVerdict`, the round rules that do not depend on the account, in
    ///      their order: all kept; the round unknown, invalidated, superseded; or (checked after
    ///      the account's status round, RoundBeforeStatus) stale.
    uint256 private constant _ROUND_KEPT = 0;
    uint256 private constant _ROUND_UNKNOWN = 1;
    uint256 private constant _ROUND_INVALIDATED = 2;
    uint256 private constant _ROUND_SUPERSEDED = 3;
    uint256 private constant _ROUND_STALE = 4;

    MarketBook private immutable _MARKET_BOOK;
    PolicyRegistry private immutable _POLICY_REGISTRY;

    /// Statuses (see `Status` and `StatusSlots`); a zero first slot means "no status".
    mapping(address account => mapping(bytes32 policyId => StatusSlots)) private _statuses;
    /// Per custodian and account: the account-wide epoch (bits 0-63) and the count of
    /// venue-scoped revocations (bits 64-127), one slot.
    mapping(address custodian => mapping(address account => uint256 packed)) private _accountEpochs;
    /// Per custodian, account and venue: the venue epoch.
    mapping(address custodian => mapping(address account => mapping(bytes32 venue => uint64 epoch)))
        private _venueEpochs;
    /// Open (or cured but not yet settled) margin calls.
    mapping(address account => mapping(bytes32 policyId => MarginCall)) private _marginCalls;

    /// @notice A proof was accepted and the account's status for the policy updated.
    /// @param account The account whose margin was proven.
    /// @param policyId The policy.
    /// @param round The market round (of the policy's feed) the proof was made against.
    /// @param nonce The proof's nonce.
    /// @param portfolioCommitments The proof's C portfolio commitments (zero in unused slots).
    event MarginProved(
        address indexed account,
        bytes32 indexed policyId,
        uint64 indexed round,
        uint64 nonce,
        uint256[] portfolioCommitments
    );
    /// @notice A batch item was refused for a reason other than its proof, and skipped; the
    ///         other items of the batch went on.
    /// @param index The item's position in the batch.
    /// @param account The item's account.
    /// @param policyId The item's policy.
    /// @param reason The refusal's custom error, ABI-encoded: exactly what `proveFor` would have
    ///        reverted with (or `BatchVerifierMismatch`); decode it with the registry's ABI.
    event ProofSkipped(
        uint256 indexed index,
        address indexed account,
        bytes32 indexed policyId,
        bytes reason
    );
    /// @notice A custodian revoked its pledges of an account: to one venue, or to all of them.
    /// @param custodian The custodian (the caller).
    /// @param account The account.
    /// @param venue The venue (zero: every venue).
    /// @param epoch The advanced epoch's new value: the venue epoch, or (every venue) the
    ///        account-wide epoch.
    event PledgesRevoked(
        address indexed custodian,
        address indexed account,
        bytes32 indexed venue,
        uint64 epoch
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
    /// @notice The proof does not carry one portfolio commitment per pledge slot of the policy.
    error CommitmentCount(uint256 expected, uint256 given);
    /// @notice A portfolio commitment is not below the scalar field modulus.
    error PortfolioCommitmentOutOfField(uint256 slot, uint256 portfolioCommitment);
    /// @notice A non-zero portfolio commitment repeats an earlier slot's: the same sub-portfolio
    ///         would count twice.
    error DuplicateCommitment(uint256 slot, uint256 portfolioCommitment);
    /// @notice A proof coordinate (index 0..7 in the order a0 a1 b00 b01 b10 b11 c0 c1) is not
    ///         below the base field modulus.
    error ProofCoordinateOutOfField(uint256 index);
    /// @notice The verifier rejected the proof for the rebuilt public signals.
    error InvalidProof();
    /// @notice The policy requires pledges and none was given.
    error PledgeMissing();
    /// @notice More pledges than the policy's pledge slots.
    error TooManyPledges(uint256 given, uint256 slots);
    /// @notice A non-zero commitment in a slot after the pledged ones (an unused slot must be 0).
    error UnpledgedCommitment(uint256 slot, uint256 portfolioCommitment);
    /// @notice The policy requires no pledges, and some were given.
    error UnexpectedPledges(uint256 given);
    /// @notice PolicyRegistry did not answer a registration read (it always does: never expected).
    error RegistryCallFailed();
    /// @notice Pledge `slot` is not a valid encoding: a custodian above 160 bits, or terms with
    ///         bits above the four packed numbers (224-255) set.
    error MalformedPledge(uint256 slot);
    /// @notice A custodian pledges a second slot of the same proof.
    error DuplicateCustodian(uint256 slot, address custodian);
    /// @notice The pledge's validity ended before this block.
    error PledgeExpired(uint256 slot, uint64 validUntil);
    /// @notice The pledge was signed under the custodian's registration at another venue.
    error PledgeForOtherVenue(uint256 slot, bytes32 pledgeVenue, bytes32 policyVenue);
    /// @notice The custodian is not registered at the policy's venue.
    error CustodianNotRegistered(bytes32 venue, address custodian);
    /// @notice The pledge binds a registration other than the custodian's current one at the
    ///         venue: an earlier one, ended by a removal (the custodian was re-added since).
    error PledgeRegistrationEnded(uint256 slot, uint32 registration, uint32 current);
    /// @notice The pledge's epoch is not the custodian's current epoch for the account and venue:
    ///         the custodian revoked since it signed.
    error PledgeRevoked(uint256 slot, uint64 epoch, uint256 current);
    /// @notice The pledge signature is not the custodian's over this pledge.
    error InvalidPledgeSignature(uint256 slot);
    /// @notice The relayed request's deadline has passed.
    error RequestExpired(uint64 deadline);
    /// @notice The relayed request is not signed by the account.
    error InvalidAccountSignature();
    /// @notice `proveBatch` was given no item.
    error EmptyBatch();
    /// @notice The batched pairing check of the admitted proofs failed: at least one of them is
    ///         invalid for its rebuilt public signals (the relayer checks each proof first).
    error InvalidBatchProof();
    /// @notice A batch item's policy uses another verifier than the batch's first admitted item
    ///         (one batch, one verifier); the item is skipped with this reason.
    error BatchVerifierMismatch(address expected, address actual);
    /// @notice A venue-scoped revocation names the zero venue.
    error ZeroVenue();
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
    /// @param policyRegistry_ The PolicyRegistry whose policies and custodians proofs are made for.
    constructor(
        MarketBook marketBook_,
        PolicyRegistry policyRegistry_
    ) EIP712("zkmargin MarginRegistry", "3") {
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
    /// @dev Refuses, with custom errors in the order of verifier-contracts/README.md: an unknown
    ///      or retired policy; a round that is unknown, invalidated, superseded, older than the
    ///      status or stale; a nonce not above the last or too far above it; a commitment count
    ///      other than the policy's C, a commitment out of the field or repeating an earlier
    ///      non-zero one, a proof coordinate out of the field; pledges (where the policy requires
    ///      them) missing or too many, a commitment without a pledge, a repeated custodian, an
    ///      expired pledge, one for another venue, from an unregistered custodian or an ended
    ///      registration, revoked or badly signed; pledges for a policy that requires none; and
    ///      an invalid proof.
    /// @param policyId The policy the proof is for.
    /// @param round The round of the policy's feed the proof is made against.
    /// @param nonce The proof's nonce; above the account's last for the policy, by at most 2^32.
    /// @param portfolioCommitments The proof's C portfolio commitments, in slot order.
    /// @param proof The Groth16 proof.
    /// @param pledges One pledge per used slot, in slot order (none if the policy requires none).
    function prove(
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        SignedPledge[] calldata pledges
    ) external {
        GroupReads memory group;
        _readGroup(policyId, round, _firstCustodian(pledges), group);
        Admission memory admission;
        _revertWith(
            _admit(
                msg.sender,
                policyId,
                round,
                nonce,
                portfolioCommitments,
                proof,
                pledges,
                false,
                group,
                admission
            )
        );
        if (!_verifyOne(msg.sender, nonce, portfolioCommitments, proof, admission)) {
            revert InvalidProof();
        }
        _record(msg.sender, policyId, round, nonce, portfolioCommitments, admission);
    }

    /// @notice Submits a margin proof on behalf of `account`, who signed an EIP-712 ProveRequest
    ///         naming these commitments and these pledges.
    /// @dev Anyone may call. Refuses ZeroAccount and RequestExpired, then as `prove`, then
    ///      InvalidAccountSignature, then InvalidProof.
    /// @param account The account the proof is for (bound into the proof's public signals).
    /// @param policyId The policy the proof is for.
    /// @param round The round of the policy's feed the proof is made against.
    /// @param nonce The proof's nonce.
    /// @param deadline The last second at which the request may be submitted.
    /// @param portfolioCommitments The proof's C portfolio commitments, in slot order.
    /// @param proof The Groth16 proof.
    /// @param pledges The pledges the account signed for, in slot order.
    /// @param accountSignature The account's EIP-712 signature of the ProveRequest: an ECDSA
    ///        signature as 65 bytes `(r, s, v)` or EIP-2098's 64 bytes `(r, vs)`, or what the
    ///        account accepts under ERC-1271.
    function proveFor(
        address account,
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint64 deadline,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        SignedPledge[] calldata pledges,
        bytes calldata accountSignature
    ) external {
        GroupReads memory group;
        _readGroup(policyId, round, _firstCustodian(pledges), group);
        Admission memory admission;
        _revertWith(
            _admitRelayed(
                account,
                policyId,
                round,
                nonce,
                deadline,
                portfolioCommitments,
                proof,
                pledges,
                accountSignature,
                group,
                admission
            )
        );
        if (!_verifyOne(account, nonce, portfolioCommitments, proof, admission)) {
            revert InvalidProof();
        }
        _record(account, policyId, round, nonce, portfolioCommitments, admission);
    }

    /// @notice Submits the proofs of many accounts, each relayed as by `proveFor`, in groups of
    ///         one policy, round and request deadline, and checks every admitted proof in one
    ///         batched pairing check of their common verifier.
    /// @dev Anyone may call. Each group's policy and round are read and judged once
    ///      (`_readGroup`); each item then goes through `proveFor`'s checks (`_admitRelayed`, the
    ///      one code path of `prove` and `proveFor`) with its group's policy id, round and
    ///      deadline, in order (group 0's items first), against the state the earlier items left:
    ///      an admitted item's status is recorded and MarginProved emitted at once (so a second
    ///      item of the same account and policy sees the first's nonce); a refused one is skipped
    ///      with ProofSkipped(index, account, policyId, reason), `index` counted over all groups'
    ///      items in order. All admitted items must use the first admitted item's verifier (else
    ///      skipped with BatchVerifierMismatch). Then their proofs are checked against their
    ///      public signals, rebuilt from chain state: by the verifier's `verifyBatch` (B + 3
    ///      pairings), or, when one item was admitted, by snarkjs's `verifyProof` as `proveFor`
    ///      does; if that check fails the whole call reverts InvalidBatchProof, and nothing of the
    ///      batch is recorded. Nothing admitted: no check, returns 0. Refuses EmptyBatch (no
    ///      group, or a group without items). A malformed encoding (MalformedPledge, or calldata
    ///      the ABI decoder refuses) reverts the call, as in `proveFor`.
    /// @param groups The relayed proofs by policy, round and deadline, each item with the rest of
    ///        the `proveFor` arguments.
    /// @return accepted How many items were accepted.
    function proveBatch(BatchGroup[] calldata groups) external returns (uint256 accepted) { // solhint-disable-line function-max-lines
        BatchCall memory batch;
        uint256 capacity = _itemCount(groups);
        GroupReads memory group;
        uint256 index = 0;
        for (uint256 g = 0; g < groups.length; ++g) {
            // The group's fields read from calldata once, its policy and round once.
            BatchGroup calldata batchGroup = groups[g];
            bytes32 policyId = batchGroup.policyId;
            uint64 round = batchGroup.round;
            uint64 deadline = batchGroup.deadline;
            BatchItem[] calldata items = batchGroup.items;
            _readGroup(policyId, round, _firstCustodian(items[0].pledges), group);
            for (uint256 i = 0; i < items.length; ++i) {
                BatchItem calldata item = items[i];
                // Each field read from calldata once.
                address account = item.account;
                uint64 nonce = item.nonce;
                uint256[] calldata portfolioCommitments = item.portfolioCommitments;
                Proof calldata proof = item.proof;
                // What an item's checks allocate is scratch: given back after the item.
                uint256 memoryMark = _freeMemory();
                Admission memory admission;
                bytes memory refusal = _admitRelayed(
                    account,
                    policyId,
                    round,
                    nonce,
                    deadline,
                    portfolioCommitments,
                    proof,
                    item.pledges,
                    item.accountSignature,
                    group,
                    admission
                );
                if (refusal.length == 0) {
                    if (batch.verifier == address(0)) {
                        _openBatch(batch, admission, capacity);
                        memoryMark = _freeMemory();
                    } else if (admission.verifier != batch.verifier) {
                        refusal = abi.encodeWithSelector(
                            BatchVerifierMismatch.selector,
                            batch.verifier,
                            admission.verifier
                        );
                    }
                }
                if (refusal.length == 0) {
                    _record(account, policyId, round, nonce, portfolioCommitments, admission);
                    _addToBatch(
                        batch,
                        accepted,
                        account,
                        nonce,
                        portfolioCommitments,
                        proof,
                        admission
                    );
                    ++accepted;
                } else {
                    emit ProofSkipped(index, account, policyId, refusal);
                }
                _setFreeMemory(memoryMark);
                ++index;
            }
        }
        if (accepted != 0 && !_verifyBatch(batch, accepted)) revert InvalidBatchProof();
    }

    /// @notice Revokes every pledge of `account` the caller signed, to every venue: advances the
    ///         caller's account-wide epoch, so the account's statuses resting on them stop
    ///         counting at once, and only pledges signed under the new epoch count. A custodian
    ///         calls it before it releases assets behind a pledge that has not expired.
    /// @dev Anyone may call for its own signing address. Emits PledgesRevoked with venue zero.
    /// @param account The account.
    function revoke(address account) external {
        uint256 packed = _accountEpochs[msg.sender][account];
        // Checked: reverts rather than wraps (2^64 - 1 revocations cannot be sent).
        uint64 epoch = uint64(packed) + 1;
        _accountEpochs[msg.sender][account] = (packed & ~uint256(type(uint64).max)) | epoch;
        emit PledgesRevoked(msg.sender, account, bytes32(0), epoch);
    }

    /// @notice Revokes the caller's pledges of `account` to one venue: advances the caller's epoch
    ///         for the account at that venue; pledges to other venues still count.
    /// @dev Anyone may call for its own signing address. Refuses ZeroVenue.
    /// @param account The account.
    /// @param venue The venue.
    function revoke(address account, bytes32 venue) external {
        if (venue == bytes32(0)) revert ZeroVenue();
        // The count of venue revocations (bits 64-127) tells `_epochOf` to read venue epochs;
        // checked, like the epoch: neither can wrap.
        uint256 packed = _accountEpochs[msg.sender][account];
        uint64 count = uint64(packed >> 64) + 1;
        _accountEpochs[msg.sender][account] = uint64(packed) | (uint256(count) << 64);
        uint64 epoch = ++_venueEpochs[msg.sender][account][venue];
        emit PledgesRevoked(msg.sender, account, venue, epoch);
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
        Status memory status = _unpack(_statuses[account][policyId].main);
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
        Status memory status = _unpack(_statuses[account][policyId].main);
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
        Status memory status = _unpack(_statuses[account][policyId].main);
        (bool counts, , bytes32 feed) = _statusCounts(account, policyId, status);
        view_.state = _callState(current, status.round, counts, feed);
        view_.round = current.round;
        view_.calledAt = current.calledAt;
        view_.cureWindow = current.cureWindow;
        view_.deadline = _deadlineOf(current, feed);
    }

    /// @inheritdoc IMarginOracle
    /// @dev True iff the account's status counts (`_statusCounts`: it exists; the policy is
    ///      registered and not retired; every pledge's custodian registration is still active,
    ///      no pledge has expired and no custodian has revoked since (the sum of their current
    ///      epochs for the account and venue is the recorded one); the status's round is not
    ///      invalidated and is the feed's latest, or the one before it within the policy's
    ///      `supersededGrace` after its successor was posted); `block.timestamp - roundTimestamp
    ///      <= maxAge` (the age of the market data the proof used, not of its submission); and no
    ///      margin call on the account is expired (uncured at or after its deadline).
    /// @param account The account.
    /// @param policyId The policy.
    /// @param maxAge The largest acceptable age of the proven round, in seconds.
    /// @return True when the account's margin is proven sufficient and fresh.
    function isMarginSufficient(
        address account,
        bytes32 policyId,
        uint256 maxAge
    ) external view returns (bool) {
        Status memory status = _unpack(_statuses[account][policyId].main);
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
    ///         stored, with the round's timestamp, the pledges' custodians, their registrations
    ///         and the revocation resolved. The portfolio commitments and the proof time are in
    ///         the matching `MarginProved` event.
    /// @param account The account.
    /// @param policyId The policy.
    /// @return view_ The status.
    function statusOf(
        address account,
        bytes32 policyId
    ) external view returns (StatusView memory view_) {
        StatusSlots storage slots = _statuses[account][policyId];
        Status memory status = _unpack(slots.main);
        view_.round = status.round;
        view_.nonce = status.nonce;
        view_.pledgesValidUntil = status.pledgesValidUntil;
        view_.epochSum = status.epochSum;
        view_.pledges = new PledgeView[](status.pledgeCount);
        if (status.nonce == 0) return view_;
        PolicyRegistry.StatusContext memory policy = _POLICY_REGISTRY.statusContext(
            policyId,
            status.registration
        );
        (, uint256 record) = _MARKET_BOOK.packedRound(policy.feed, status.round);
        view_.roundTimestamp = uint64(record);
        uint256 more = slots.more;
        uint256 sum = 0;
        for (uint256 i = 0; i < status.pledgeCount; ++i) {
            uint32 id = i == 0 ? status.registration : uint32(more >> (32 * (i - 1)));
            (address custodian, bool active) = _POLICY_REGISTRY.registrationState(id);
            view_.pledges[i] = PledgeView(custodian, id, active);
            sum += _epochOf(custodian, account, policy.venue);
        }
        view_.currentEpochSum = uint64(sum & _EPOCH_SUM_MASK);
        view_.revoked = view_.currentEpochSum != view_.epochSum;
    }

    /// @inheritdoc IMarginOracle
    function lastNonce(address account, bytes32 policyId) external view returns (uint64) {
        return uint64(_statuses[account][policyId].main);
    }

    /// @notice The epoch a pledge of `account` to `venue` by `custodian` must bind now: the
    ///         custodian's account-wide epoch plus its venue epoch (both zero until it revokes).
    /// @param custodian The custodian.
    /// @param account The account.
    /// @param venue The venue.
    /// @return The epoch to sign.
    function epochOf(
        address custodian,
        address account,
        bytes32 venue
    ) external view returns (uint256) {
        return _epochOf(custodian, account, venue);
    }

    /// @notice The two parts of a custodian's epoch for an account and a venue.
    /// @param custodian The custodian.
    /// @param account The account.
    /// @param venue The venue.
    /// @return accountEpoch The account-wide epoch (advanced by `revoke(account)`).
    /// @return venueEpoch The venue epoch (advanced by `revoke(account, venue)`).
    function epochs(
        address custodian,
        address account,
        bytes32 venue
    ) external view returns (uint64 accountEpoch, uint64 venueEpoch) {
        return (
            uint64(_accountEpochs[custodian][account]),
            _venueEpochs[custodian][account][venue]
        );
    }

    /// @notice The EIP-712 domain separator of this registry.
    /// @return The domain separator.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The EIP-712 digest a custodian signs to pledge a commitment.
    /// @param pledge The pledge (all fields static, so its ABI encoding is its fields in order).
    /// @return The digest.
    function pledgeDigest(Pledge calldata pledge) external view returns (bytes32) {
        return _hashTypedDataV4(_pledgeStructHash(pledge));
    }

    /// @notice The EIP-712 digest an account signs to let anyone relay its proof.
    /// @param request The request.
    /// @return The digest.
    function proveRequestDigest(ProveRequest calldata request) external view returns (bytes32) {
        bytes32[] memory pledgeHashes = new bytes32[](request.pledges.length);
        for (uint256 i = 0; i < pledgeHashes.length; ++i) {
            pledgeHashes[i] = _pledgeStructHash(request.pledges[i]);
        }
        return
            _hashTypedDataV4(
                _requestStructHash(
                    request.account,
                    request.policyId,
                    request.round,
                    request.nonce,
                    request.deadline,
                    _commitmentsHash(request.portfolioCommitments),
                    keccak256(abi.encodePacked(pledgeHashes))
                )
            );
    }

    /// @dev The checks of a relayed proof (`proveFor`, and each item of a batch), its policy and
    ///      round read in `group` (`_readGroup`): ZeroAccount and RequestExpired, then `_admit`, then InvalidAccountSignature (the request signs the
    ///      commitments and the pledges' EIP-712 hashes). Returns the first refusal as its custom
    ///      error's ABI encoding, empty when the proof may be verified (`admission` filled).
    function _admitRelayed(
        address account,
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint64 deadline,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        SignedPledge[] calldata pledges,
        bytes calldata accountSignature,
        GroupReads memory group,
        Admission memory admission
    ) internal view returns (bytes memory refusal) {
        if (account == address(0)) return abi.encodeWithSelector(ZeroAccount.selector);
        if (block.timestamp > deadline) {
            return abi.encodeWithSelector(RequestExpired.selector, deadline);
        }
        refusal = _admit(
            account,
            policyId,
            round,
            nonce,
            portfolioCommitments,
            proof,
            pledges,
            true,
            group,
            admission
        );
        if (refusal.length != 0) return refusal;
        // No pledge (a policy that requires none): the hash of the empty array.
        bytes32 pledgesHash = pledges.length == 0 ? keccak256("") : admission.pledgesHash;
        // The domain separator, as the pledges' check read it (a policy without pledges: now).
        bytes32 domain = admission.domain;
        if (domain == bytes32(0)) domain = _domainSeparatorV4();
        bytes32 digest = _typedDataDigest(
            domain,
            _requestStructHash(
                account,
                policyId,
                round,
                nonce,
                deadline,
                _commitmentsHash(portfolioCommitments),
                pledgesHash
            )
        );
        if (!_isValidSignatureNow(account, digest, accountSignature)) {
            return abi.encodeWithSelector(InvalidAccountSignature.selector);
        }
    }

    /// @dev The checks of one proof by `account`, in the documented order, without effects, its
    ///      policy and round read in `group` (`_readGroup`): returns the first refusal as its
    ///      custom error's ABI encoding (empty when admitted), and fills `admission` with the
    ///      verifier, the chain's commitments, the status to record and, when `hashPledges`, the
    ///      EIP-712 hash of the pledges array (a request signs it).
    // The refusal order of verifier-contracts/README.md, in one place.
    // solhint-disable-next-line function-max-lines
    function _admit(
        address account,
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        SignedPledge[] calldata pledges,
        bool hashPledges,
        GroupReads memory group,
        Admission memory admission
    ) internal view returns (bytes memory refusal) {
        uint256 policyCommitment = group.policyCommitment;
        uint256 params = group.params;
        if (policyCommitment == 0) return abi.encodeWithSelector(UnknownPolicy.selector, policyId);
        if (uint8(params >> _RETIRED_BIT) != 0) {
            return abi.encodeWithSelector(PolicyRetired.selector, policyId);
        }
        StatusSlots storage statusSlots = _statuses[account][policyId];
        uint256 last = statusSlots.main;
        uint256 statusSlot;
        assembly ("memory-safe") {
            statusSlot := statusSlots.slot
        }
        admission.statusSlot = statusSlot;
        refusal = _checkRound(round, uint64(last >> 64), group);
        if (refusal.length != 0) return refusal;
        PledgeInputs memory inputs;
        inputs.slots = params >> _PLEDGE_SLOTS_BIT;
        refusal = _checkInputs(uint64(last), nonce, inputs.slots, portfolioCommitments, proof);
        if (refusal.length != 0) return refusal;

        if (uint8(params >> _REQUIRES_PLEDGES_BIT) != 0) {
            inputs.hashPledges = hashPledges;
            inputs.registration = _firstRegistration(policyId, pledges, group);
            refusal = _checkPledges(
                account,
                group.venue,
                inputs,
                portfolioCommitments,
                pledges,
                admission
            );
            if (refusal.length != 0) return refusal;
        } else if (pledges.length != 0) {
            return abi.encodeWithSelector(UnexpectedPledges.selector, pledges.length);
        }
        admission.verifier = address(uint160(params));
        admission.pledgeSlots = inputs.slots;
        admission.marketCommitment = group.marketCommitment;
        admission.policyCommitment = policyCommitment;
        admission.status |= uint256(nonce) | (uint256(round) << 64);
    }

    /// @dev Reads into `group` what every proof of `policyId` and `round` shares:
    ///      PolicyRegistry.policyState for the policy and `custodian` (the first pledge's, zero
    ///      when none), and, for a registered policy that is not retired, MarketBook.packedRound
    ///      for the round on the policy's feed, judged by the round rules that do not depend on
    ///      the account (`roundVerdict`).
    function _readGroup(
        bytes32 policyId,
        uint64 round,
        address custodian,
        GroupReads memory group
    ) private view {
        (
            uint256 commitment,
            uint256 params,
            bytes32 feed,
            bytes32 venue,
            uint256 registration
        ) = _POLICY_REGISTRY.policyState(policyId, custodian);
        group.custodian = custodian;
        group.registration = registration;
        group.policyCommitment = commitment;
        group.params = params;
        group.feed = feed;
        group.venue = venue;
        group.marketCommitment = 0;
        group.record = 0;
        group.roundVerdict = _ROUND_UNKNOWN;
        if (commitment == 0 || uint8(params >> _RETIRED_BIT) != 0) return;
        (uint256 marketCommitment, uint256 record) = _MARKET_BOOK.packedRound(feed, round);
        group.marketCommitment = marketCommitment;
        group.record = record;
        uint256 verdict = _ROUND_KEPT;
        if (marketCommitment == 0) {
            verdict = _ROUND_UNKNOWN;
        } else if (uint8(record >> _INVALID_BIT) != 0) {
            verdict = _ROUND_INVALIDATED;
        } else if (!_isCurrent(record, uint32(params >> _GRACE_BIT))) {
            verdict = _ROUND_SUPERSEDED;
        } else if (block.timestamp - uint64(record) > uint32(params >> _MAX_ROUND_AGE_BIT)) {
            // MarketBook refuses future timestamps, so this cannot underflow.
            verdict = _ROUND_STALE;
        }
        group.roundVerdict = verdict;
    }

    /// @dev The custodian of a proof's first pledge; zero when it has none.
    function _firstCustodian(SignedPledge[] calldata pledges) private pure returns (address) {
        return pledges.length == 0 ? address(0) : pledges[0].custodian;
    }

    /// @dev The current registration at the policy's venue of the custodian of the first pledge
    ///      (zero when none): `group`'s when it was read for that custodian, else read and kept in
    ///      `group` for the next proof.
    function _firstRegistration(
        bytes32 policyId,
        SignedPledge[] calldata pledges,
        GroupReads memory group
    ) private view returns (uint256 registration) {
        if (pledges.length == 0) return 0;
        address custodian = pledges[0].custodian;
        if (custodian == group.custodian) return group.registration;
        (, , , , registration) = _POLICY_REGISTRY.policyState(policyId, custodian);
        group.custodian = custodian;
        group.registration = registration;
    }

    /// @dev How many items the groups hold; reverts EmptyBatch when there is no group or a group
    ///      has no item.
    function _itemCount(BatchGroup[] calldata groups) private pure returns (uint256 count) {
        if (groups.length == 0) revert EmptyBatch();
        for (uint256 g = 0; g < groups.length; ++g) {
            uint256 items = groups[g].items.length;
            if (items == 0) revert EmptyBatch();
            count += items;
        }
    }

    /// @dev The round rules on `group`'s round for an account whose status is on `statusRound`:
    ///      known, not invalidated, current (latest, or superseded less than the grace ago), not
    ///      older than the account's status, not stale.
    function _checkRound(
        uint64 round,
        uint64 statusRound,
        GroupReads memory group
    ) private pure returns (bytes memory) {
        uint256 verdict = group.roundVerdict;
        if (verdict != _ROUND_KEPT && verdict != _ROUND_STALE) {
            bytes4 selector = verdict == _ROUND_UNKNOWN
                ? UnknownRound.selector
                : verdict == _ROUND_INVALIDATED
                    ? RoundInvalidated.selector
                    : RoundSuperseded.selector;
            return abi.encodeWithSelector(selector, round);
        }
        if (round < statusRound) {
            return abi.encodeWithSelector(RoundBeforeStatus.selector, round, statusRound);
        }
        if (verdict == _ROUND_STALE) {
            return
                abi.encodeWithSelector(
                    StaleRound.selector,
                    round,
                    uint64(group.record),
                    uint32(group.params >> _MAX_ROUND_AGE_BIT)
                );
        }
        return _admitted();
    }

    /// @dev Refuses a nonce not above the account's last or more than MAX_NONCE_STEP above it, a
    ///      commitment count other than the policy's pledge slots, a commitment out of the field
    ///      or repeating an earlier non-zero one, and a proof coordinate out of the field.
    function _checkInputs(
        uint64 lastNonce_,
        uint64 nonce,
        uint256 slots,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof
    ) private pure returns (bytes memory) {
        if (nonce <= lastNonce_) {
            return abi.encodeWithSelector(NonceNotIncreasing.selector, nonce, lastNonce_);
        }
        if (nonce - lastNonce_ > MAX_NONCE_STEP) {
            return abi.encodeWithSelector(NonceStepTooLarge.selector, nonce, lastNonce_);
        }
        if (portfolioCommitments.length != slots) {
            return
                abi.encodeWithSelector(CommitmentCount.selector, slots, portfolioCommitments.length);
        }
        (uint256 slot, uint256 commitment, bool repeated) = _commitmentRefusal(portfolioCommitments);
        if (commitment != 0) {
            return
                abi.encodeWithSelector(
                    repeated ? DuplicateCommitment.selector : PortfolioCommitmentOutOfField.selector,
                    slot,
                    commitment
                );
        }
        return _checkProofCoordinates(proof);
    }

    /// @dev The first commitment that is out of the field (at or above r) or repeats an earlier
    ///      non-zero one, with its slot and which of the two; commitment 0 when there is none.
    function _commitmentRefusal(
        uint256[] calldata portfolioCommitments
    ) private pure returns (uint256 slot, uint256 commitment, bool repeated) {
        uint256 r = SnarkField.SCALAR_MODULUS;
        assembly ("memory-safe") {
            let start := portfolioCommitments.offset
            for {
                let i := 0
            } lt(i, portfolioCommitments.length) {
                i := add(i, 1)
            } {
                let c := calldataload(add(start, shl(5, i)))
                if iszero(lt(c, r)) {
                    slot := i
                    commitment := c
                    break
                }
                if c {
                    for {
                        let j := 0
                    } lt(j, i) {
                        j := add(j, 1)
                    } {
                        if eq(calldataload(add(start, shl(5, j))), c) {
                            repeated := 1
                            break
                        }
                    }
                    if repeated {
                        slot := i
                        commitment := c
                        break
                    }
                }
            }
        }
    }

    /// @dev Refuses a proof coordinate at or above the base field modulus, naming the first. The
    ///      Proof struct is eight consecutive calldata words, a0 a1 b00 b01 b10 b11 c0 c1: one
    ///      unrolled pass tells whether any is out of the field, a second (only then) which.
    function _checkProofCoordinates(Proof calldata proof) private pure returns (bytes memory) {
        uint256 q = SnarkField.BASE_MODULUS;
        bool outOfField;
        assembly ("memory-safe") {
            outOfField := or(
                or(
                    or(iszero(lt(calldataload(proof), q)), iszero(lt(calldataload(add(proof, 0x20)), q))),
                    or(
                        iszero(lt(calldataload(add(proof, 0x40)), q)),
                        iszero(lt(calldataload(add(proof, 0x60)), q))
                    )
                ),
                or(
                    or(
                        iszero(lt(calldataload(add(proof, 0x80)), q)),
                        iszero(lt(calldataload(add(proof, 0xa0)), q))
                    ),
                    or(
                        iszero(lt(calldataload(add(proof, 0xc0)), q)),
                        iszero(lt(calldataload(add(proof, 0xe0)), q))
                    )
                )
            )
        }
        if (outOfField) {
            for (uint256 i = 0; ; ++i) {
                uint256 coordinate;
                assembly ("memory-safe") {
                    coordinate := calldataload(add(proof, shl(5, i)))
                }
                if (coordinate >= q) {
                    return abi.encodeWithSelector(ProofCoordinateOutOfField.selector, i);
                }
            }
        }
        return _admitted();
    }

    /// @dev What `_checkPledges` reads besides the pledges: the first custodian's current
    ///      registration at the venue, the policy's pledge slots, and whether to hash the pledges
    ///      array.
    struct PledgeInputs {
        uint256 registration;
        uint256 slots;
        bool hashPledges;
    }

    /// @dev Checks the pledges of a policy that requires them, slot by slot: the custodian
    ///      (distinct), the expiry, the registration, the epoch and the signature; and puts in
    ///      `admission` the status fields they give (earliest expiry, epoch sum, count and first
    ///      registration, in place), the registration ids of the further pledges and, when
    ///      asked, the pledges array's EIP-712 hash.
    // One pass over the pledges, its state on the stack; split, it would go through memory.
    // solhint-disable-next-line function-max-lines
    function _checkPledges(
        address account,
        bytes32 venue,
        PledgeInputs memory inputs,
        uint256[] calldata portfolioCommitments,
        SignedPledge[] calldata pledges,
        Admission memory admission
    ) private view returns (bytes memory) {
        uint256 count = pledges.length;
        if (count == 0) return abi.encodeWithSelector(PledgeMissing.selector);
        if (count > inputs.slots) {
            return abi.encodeWithSelector(TooManyPledges.selector, count, inputs.slots);
        }
        for (uint256 i = count; i < inputs.slots; ++i) {
            if (portfolioCommitments[i] != 0) {
                return
                    abi.encodeWithSelector(
                        UnpledgedCommitment.selector,
                        i,
                        portfolioCommitments[i]
                    );
            }
        }
        // The struct hashes, one after another, when the pledges array is to be hashed.
        bytes32[] memory hashes;
        if (inputs.hashPledges) hashes = new bytes32[](count);
        // One `Pledge` in memory, refilled for each slot: what its custodian signed.
        Pledge memory pledge;
        pledge.account = account;
        pledge.venue = venue;
        bytes32 domain = _domainSeparatorV4();
        admission.domain = domain;
        uint256 validUntil = type(uint48).max;
        uint256 epochSum = 0;
        // The further custodians' registrations, read in one call: once each matches its
        // pledge's, they are the status's second word.
        uint256 more = count > 1 ? _furtherRegistrations(venue, pledges) : 0;
        for (uint256 i = 0; i < count; ++i) {
            (address custodian, uint256 terms) = _pledgeWords(pledges, i);
            if (_custodianRepeats(pledges, i, custodian)) {
                return abi.encodeWithSelector(DuplicateCustodian.selector, i, custodian);
            }
            _fillPledge(pledge, custodian, terms, portfolioCommitments[i]);
            if (block.timestamp > pledge.validUntil) {
                return abi.encodeWithSelector(PledgeExpired.selector, i, pledge.validUntil);
            }
            // The first custodian's registration came with the policy.
            uint256 registered = i == 0
                ? inputs.registration
                : uint32(more >> (32 * (i - 1)));
            if (registered == 0 || registered != pledge.registration) {
                return _registrationRefusal(i, pledge, registered);
            }
            uint256 epoch = _epochOf(custodian, account, venue);
            if (pledge.epoch != epoch) {
                return abi.encodeWithSelector(PledgeRevoked.selector, i, pledge.epoch, epoch);
            }
            (bytes32 structHash, bytes32 digest) = _pledgeDigest(pledge, domain);
            if (!_isPledgeSignature(custodian, digest, pledges[i])) {
                return abi.encodeWithSelector(InvalidPledgeSignature.selector, i);
            }
            if (inputs.hashPledges) hashes[i] = structHash;
            epochSum += epoch;
            if (pledge.validUntil < validUntil) validUntil = pledge.validUntil;
        }
        if (inputs.hashPledges) {
            // The EIP-712 hash of the array: the hash of its words, hashed where they lie.
            bytes32 pledgesHash;
            assembly ("memory-safe") {
                pledgesHash := keccak256(add(hashes, 0x20), shl(5, mload(hashes)))
            }
            admission.pledgesHash = pledgesHash;
        }
        admission.moreRegistrations = more;
        admission.status =
            (validUntil << 128) |
            ((epochSum & _EPOCH_SUM_MASK) << 176) |
            (count << 220) |
            (inputs.registration << 224);
        return _admitted();
    }

    /// @dev Why a pledge's registration is not the custodian's current one at the venue (zero:
    ///      none): signed under the custodian's registration at another venue, the custodian not
    ///      registered here, or an earlier registration here (removed and re-added since).
    function _registrationRefusal(
        uint256 slot,
        Pledge memory pledge,
        uint256 current
    ) private view returns (bytes memory) {
        PolicyRegistry.RegistrationRecord memory signed = _POLICY_REGISTRY.registrationRecord(
            pledge.registration
        );
        if (
            pledge.custodian != address(0) &&
            signed.custodian == pledge.custodian &&
            signed.venue != pledge.venue
        ) {
            return
                abi.encodeWithSelector(
                    PledgeForOtherVenue.selector,
                    slot,
                    signed.venue,
                    pledge.venue
                );
        }
        if (current == 0) {
            return
                abi.encodeWithSelector(
                    CustodianNotRegistered.selector,
                    pledge.venue,
                    pledge.custodian
                );
        }
        return
            abi.encodeWithSelector(
                PledgeRegistrationEnded.selector,
                slot,
                pledge.registration,
                current
            );
    }

    /// @dev PolicyRegistry.registrationsAt(venue, custodians of pledges 1 to the last): their
    ///      current registrations at the venue, packed as a status's second word packs them, by
    ///      one low-level call whose arguments are written where free memory starts. `pledges`
    ///      has at least two elements.
    function _furtherRegistrations(
        bytes32 venue,
        SignedPledge[] calldata pledges
    ) private view returns (uint256 packed) {
        address registry = address(_POLICY_REGISTRY);
        bytes4 selector = PolicyRegistry.registrationsAt.selector;
        uint256 count = pledges.length;
        uint256 data;
        assembly ("memory-safe") {
            data := mload(0x40)
            mstore(data, selector)
            mstore(add(data, 0x04), venue)
            mstore(add(data, 0x24), 0x40)
            mstore(add(data, 0x44), sub(count, 1))
        }
        for (uint256 i = 1; i < count; ++i) {
            (address custodian, ) = _pledgeWords(pledges, i);
            assembly ("memory-safe") {
                mstore(add(data, add(0x44, shl(5, i))), custodian)
            }
        }
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), registry, data, add(0x44, shl(5, count)), 0, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            packed := mload(0)
        }
        if (!ok) revert RegistryCallFailed();
    }

    /// @dev The custodian's epoch for the account and venue: its account-wide epoch, plus its
    ///      venue epoch once it has made any venue-scoped revocation of the account (until then
    ///      every venue epoch is zero, and the second slot is not read).
    function _epochOf(
        address custodian,
        address account,
        bytes32 venue
    ) private view returns (uint256 epoch) {
        uint256 packed = _accountEpochs[custodian][account];
        epoch = uint64(packed);
        if (packed >> 64 != 0) epoch += _venueEpochs[custodian][account][venue];
    }

    /// @dev The first two words of pledge `i` in calldata (a pledge is 128 bytes, the array's
    ///      bounds checked by the ABI decoder): its custodian and its terms, checked to be in
    ///      range; reverts MalformedPledge(i) otherwise. `i` is below `pledges.length`.
    function _pledgeWords(
        SignedPledge[] calldata pledges,
        uint256 i
    ) private pure returns (address custodian, uint256 terms) {
        bool malformed;
        assembly ("memory-safe") {
            let pledge := add(pledges.offset, shl(7, i))
            custodian := calldataload(pledge)
            terms := calldataload(add(pledge, 0x20))
            malformed := or(shr(160, custodian), shr(224, terms))
        }
        if (malformed) revert MalformedPledge(i);
    }

    /// @dev Whether a pledge before slot `i` names `custodian` (those pledges' words were
    ///      checked by `_pledgeWords` already, so their custodian words are read directly).
    function _custodianRepeats(
        SignedPledge[] calldata pledges,
        uint256 i,
        address custodian
    ) private pure returns (bool repeats) {
        assembly ("memory-safe") {
            for {
                let j := 0
            } lt(j, i) {
                j := add(j, 1)
            } {
                if eq(calldataload(add(pledges.offset, shl(7, j))), custodian) {
                    repeats := 1
                    break
                }
            }
        }
    }

    /// @dev Fills `pledge` (account and venue set) with what a pledge of `custodian` with
    ///      `terms` (`SignedPledge.terms`), in the slot of `commitment`, stands for.
    function _fillPledge(
        Pledge memory pledge,
        address custodian,
        uint256 terms,
        uint256 commitment
    ) private pure {
        assembly ("memory-safe") {
            mstore(pledge, custodian)
            mstore(add(pledge, 0x20), and(terms, 0xffffffff))
            mstore(add(pledge, 0x80), commitment)
            mstore(add(pledge, 0xa0), and(shr(32, terms), 0xffffffffffffffff))
            mstore(add(pledge, 0xc0), and(shr(96, terms), 0xffffffffffffffff))
            mstore(add(pledge, 0xe0), shr(160, terms))
        }
    }

    /// @dev Whether the pledge's `(r, vs)` is `custodian`'s signature of `digest`: a compact
    ///      ECDSA signature that recovers to it, or else the 65 bytes `(r, s, v)` it accepts under
    ///      ERC-1271.
    function _isPledgeSignature(
        address custodian,
        bytes32 digest,
        SignedPledge calldata pledge
    ) private view returns (bool) {
        (bytes32 r, bytes32 vs) = (pledge.r, pledge.vs);
        return
            _isEcdsaSignature(custodian, digest, r, vs) ||
            SignatureChecker.isValidERC1271SignatureNow(
                custodian,
                digest,
                abi.encodePacked(r, vs & _S_MASK, uint8(uint256(vs >> 255)) + 27)
            );
    }

    /// @dev Whether the compact signature `(r, vs)` (EIP-2098) recovers, with a low s, to
    ///      `signer` over `digest` (OpenZeppelin's ECDSA rules), so the caller can try ERC-1271
    ///      otherwise.
    function _isEcdsaSignature(
        address signer,
        bytes32 digest,
        bytes32 r,
        bytes32 vs
    ) private view returns (bool valid) {
        bytes32 sMask = _S_MASK;
        assembly ("memory-safe") {
            let s := and(vs, sMask)
            // s at most (n - 1) / 2 of secp256k1.
            if iszero(gt(s, 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0)) {
                let data := mload(0x40)
                mstore(data, digest)
                mstore(add(data, 0x20), add(shr(255, vs), 27))
                mstore(add(data, 0x40), r)
                mstore(add(data, 0x60), s)
                mstore(0, 0)
                if staticcall(gas(), 1, data, 0x80, 0, 0x20) {
                    let recovered := mload(0)
                    valid := and(iszero(iszero(recovered)), eq(recovered, signer))
                }
            }
        }
    }

    /// @dev A `Pledge`'s EIP-712 struct hash, and the digest its custodian signs under the
    ///      registry's domain separator `domain` (`"\x19\x01" || domain || structHash`), both
    ///      hashed where free memory starts.
    function _pledgeDigest(
        Pledge memory pledge,
        bytes32 domain
    ) private pure returns (bytes32 structHash, bytes32 digest) {
        structHash = _pledgeStructHash(pledge);
        digest = _typedDataDigest(domain, structHash);
    }

    /// @dev The EIP-712 digest of `structHash` under the domain separator `domain`
    ///      (`keccak256("\x19\x01" || domain || structHash)`), hashed where free memory starts.
    function _typedDataDigest(
        bytes32 domain,
        bytes32 structHash
    ) private pure returns (bytes32 digest) {
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, 0x1901)
            mstore(add(data, 0x20), domain)
            mstore(add(data, 0x40), structHash)
            digest := keccak256(add(data, 0x1e), 0x42)
        }
    }

    /// @dev The EIP-712 hash of a `uint256[]`: the hash of its words, one after another, copied
    ///      from calldata where free memory starts.
    function _commitmentsHash(
        uint256[] calldata portfolioCommitments
    ) private pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let data := mload(0x40)
            let size := shl(5, portfolioCommitments.length)
            calldatacopy(data, portfolioCommitments.offset, size)
            hash := keccak256(data, size)
        }
    }

    /// @dev The EIP-712 struct hash of a `Pledge`: the type hash and the eight fields, one word
    ///      each, which is the struct's memory layout (all its fields are static).
    function _pledgeStructHash(Pledge memory pledge) private pure returns (bytes32 structHash) {
        bytes32 typeHash = PLEDGE_TYPEHASH;
        assembly ("memory-safe") {
            // The word before the struct is scratch for the type hash, restored after.
            let before := sub(pledge, 0x20)
            let saved := mload(before)
            mstore(before, typeHash)
            structHash := keccak256(before, 0x120)
            mstore(before, saved)
        }
    }

    /// @dev The EIP-712 struct hash of a ProveRequest, its arrays given by their EIP-712 hashes
    ///      (an array is encoded as the hash of its elements' encodings, one after another: the
    ///      commitments themselves, the pledges' struct hashes).
    function _requestStructHash(
        address account,
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint64 deadline,
        bytes32 commitmentsHash,
        bytes32 pledgesHash
    ) private pure returns (bytes32 structHash) {
        bytes32 typeHash = PROVE_REQUEST_TYPEHASH;
        // abi.encode of the eight words, written where free memory starts and hashed there.
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, typeHash)
            mstore(add(data, 0x20), account)
            mstore(add(data, 0x40), policyId)
            mstore(add(data, 0x60), round)
            mstore(add(data, 0x80), nonce)
            mstore(add(data, 0xa0), deadline)
            mstore(add(data, 0xc0), commitmentsHash)
            mstore(add(data, 0xe0), pledgesHash)
            structHash := keccak256(data, 0x100)
        }
    }

    /// @dev Writes a proof's 3 + C public signals at `ptr`, in the circuit's order: the account
    ///      and nonce, the chain's market and policy commitments, the C portfolio commitments.
    function _storeSignals(
        uint256 ptr,
        address account,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Admission memory admission
    ) internal pure {
        uint256 accountNonce = uint256(uint160(account)) | (uint256(nonce) << 160);
        uint256 marketCommitment = admission.marketCommitment;
        uint256 policyCommitment = admission.policyCommitment;
        assembly ("memory-safe") {
            mstore(ptr, accountNonce)
            mstore(add(ptr, 0x20), marketCommitment)
            mstore(add(ptr, 0x40), policyCommitment)
            calldatacopy(
                add(ptr, 0x60),
                portfolioCommitments.offset,
                shl(5, portfolioCommitments.length)
            )
        }
    }

    /// @dev snarkjs's `verifyProof` of the admitted proof's verifier, for its 3 + C signals: the
    ///      selector for C, the proof's eight words and the signals, all static arrays, so the
    ///      call's data is their concatenation, written where free memory starts. True iff the
    ///      verifier answers exactly one word, 1.
    function _verifyOne(
        address account,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        Admission memory admission
    ) private view returns (bool) {
        uint256 selector = _verifyProofSelector(admission.pledgeSlots);
        uint256 data;
        assembly ("memory-safe") {
            data := mload(0x40)
            mstore(data, selector)
            calldatacopy(add(data, 4), proof, 0x100)
        }
        _storeSignals(data + 0x104, account, nonce, portfolioCommitments, admission);
        return _callVerifier(admission.verifier, data, 0x104 + 0x20 * (3 + admission.pledgeSlots));
    }

    /// @dev The selector of snarkjs's `verifyProof(..., uint256[3 + C])` for C pledge slots, in
    ///      the top four bytes of a word.
    function _verifyProofSelector(uint256 pledgeSlots) private pure returns (uint256) {
        return (_VERIFY_PROOF_SELECTORS >> (32 * (8 - pledgeSlots))) << 224;
    }

    /// @dev Calls `verifier` with the `size` bytes of call data at memory `data`; true iff the
    ///      call succeeds and answers exactly one word, 1.
    function _callVerifier(
        address verifier,
        uint256 data,
        uint256 size
    ) private view returns (bool ok) {
        assembly ("memory-safe") {
            ok := staticcall(gas(), verifier, data, size, 0, 0x20)
            ok := and(ok, and(eq(returndatasize(), 0x20), eq(mload(0), 1)))
        }
    }

    /// @dev Lays out `batch` (see BatchCall) for `capacity` items of the verifier and signal
    ///      count of the first admitted item, `admission`, where free memory starts, and moves
    ///      the free memory pointer past it.
    function _openBatch(
        BatchCall memory batch,
        Admission memory admission,
        uint256 capacity
    ) private pure {
        uint256 signalCount = 3 + admission.pledgeSlots;
        batch.verifier = admission.verifier;
        batch.pledgeSlots = admission.pledgeSlots;
        batch.signalCount = signalCount;
        uint256 selector = uint256(uint32(IGroth16BatchVerifier.verifyBatch.selector)) << 224;
        uint256 data;
        assembly ("memory-safe") {
            data := mload(0x40)
            let proofsBytes := shl(8, capacity)
            // The head after the selector: the proofs' offset, the signals' offset.
            mstore(data, selector)
            mstore(add(data, 0x04), 0x40)
            mstore(add(data, 0x24), add(0x60, proofsBytes))
            let signals := add(add(data, 0x84), proofsBytes)
            let end := add(signals, mul(shl(5, capacity), signalCount))
            mstore(0x40, and(add(end, 0x1f), not(0x1f)))
        }
        batch.data = data;
        batch.proofs = data + 0x64;
        batch.signals = data + 0x84 + (capacity << 8);
    }

    /// @dev Puts an admitted item in `batch` as its item number `position`: its proof's eight
    ///      words and its 3 + C public signals, rebuilt from chain state (`_storeSignals`).
    function _addToBatch(
        BatchCall memory batch,
        uint256 position,
        address account,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Proof calldata proof,
        Admission memory admission
    ) private pure {
        uint256 proofAt = batch.proofs + (position << 8);
        assembly ("memory-safe") {
            calldatacopy(proofAt, proof, 0x100)
        }
        _storeSignals(
            batch.signals + ((position * batch.signalCount) << 5),
            account,
            nonce,
            portfolioCommitments,
            admission
        );
    }

    /// @dev Checks the `accepted` proofs gathered in `batch`: one by snarkjs's `verifyProof`
    ///      (its call data copied from the batch where free memory starts), several by the
    ///      verifier's `verifyBatch` (the lengths written into the laid-out call data).
    function _verifyBatch(BatchCall memory batch, uint256 accepted) private view returns (bool) {
        uint256 signalBytes = (accepted * batch.signalCount) << 5;
        uint256 proofs = batch.proofs;
        uint256 signals = batch.signals;
        if (accepted == 1) {
            uint256 selector = _verifyProofSelector(batch.pledgeSlots);
            uint256 data;
            assembly ("memory-safe") {
                data := mload(0x40)
                mstore(data, selector)
                mcopy(add(data, 4), proofs, 0x100)
                mcopy(add(data, 0x104), signals, signalBytes)
            }
            return _callVerifier(batch.verifier, data, 0x104 + signalBytes);
        }
        uint256 signalCount = accepted * batch.signalCount;
        assembly ("memory-safe") {
            mstore(sub(proofs, 0x20), accepted)
            mstore(sub(signals, 0x20), signalCount)
        }
        return _callVerifier(batch.verifier, batch.data, signals + signalBytes - batch.data);
    }

    /// @dev The free memory pointer.
    function _freeMemory() private pure returns (uint256 pointer) {
        assembly ("memory-safe") {
            pointer := mload(0x40)
        }
    }

    /// @dev Sets the free memory pointer back to `pointer`, read earlier by `_freeMemory`: what
    ///      was allocated since is scratch no one refers to any more.
    function _setFreeMemory(uint256 pointer) private pure {
        assembly ("memory-safe") {
            mstore(0x40, pointer)
        }
    }

    /// @dev Records an admitted proof's status (its second slot only when it has several
    ///      pledges: the pledge count says how many ids it holds) and emits MarginProved.
    function _record(
        address account,
        bytes32 policyId,
        uint64 round,
        uint64 nonce,
        uint256[] calldata portfolioCommitments,
        Admission memory admission
    ) internal {
        // `_statuses[account][policyId]`, whose slot `_admit` computed.
        StatusSlots storage slots;
        uint256 statusSlot = admission.statusSlot;
        assembly ("memory-safe") {
            slots.slot := statusSlot
        }
        uint256 status = admission.status;
        slots.main = status;
        if ((status >> 220) & 0xf > 1) slots.more = admission.moreRegistrations;
        // emit MarginProved(account, policyId, round, nonce, portfolioCommitments), its data
        // (the nonce, then the array: its offset, length and words) written where free memory
        // starts, as the ABI lays it out; a test decodes it.
        bytes32 topic = MarginProved.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            let size := shl(5, portfolioCommitments.length)
            mstore(data, nonce)
            mstore(add(data, 0x20), 0x40)
            mstore(add(data, 0x40), portfolioCommitments.length)
            calldatacopy(add(data, 0x60), portfolioCommitments.offset, size)
            log4(data, add(0x60, size), topic, account, policyId, round)
        }
    }

    /// @dev No refusal: the empty `bytes` at the zero slot, allocating nothing (a `""` literal
    ///      would allocate a new empty array in memory for each admitted item).
    function _admitted() private pure returns (bytes memory none) {}

    /// @dev Reverts with `refusal` (a custom error's ABI encoding) unless it is empty.
    function _revertWith(bytes memory refusal) private pure {
        if (refusal.length == 0) return;
        assembly ("memory-safe") {
            revert(add(refusal, 32), mload(refusal))
        }
    }

    /// @dev The latest-round rule on a round's packed record (MarketBook.packedRound): a round
    ///      counts while it is not invalidated and is the feed's latest, or was superseded (by the
    ///      latest) less than `grace` seconds ago.
    function _isCurrent(uint256 record, uint256 grace) private view returns (bool) {
        if (uint8(record >> _INVALID_BIT) != 0 || uint8(record >> _OUTDATED_BIT) != 0) {
            return false;
        }
        uint256 supersededAt = uint64(record >> _SUPERSEDED_AT_BIT);
        return supersededAt == 0 || block.timestamp < supersededAt + grace;
    }

    /// @dev The one predicate "a status counts", shared by `isMarginSufficient` and the margin-call
    ///      cure (`_callState` callers): the status exists; PolicyRegistry says the policy counts
    ///      it (registered, not retired, and the first pledge's registration still active); no
    ///      pledge has expired; every further pledge's registration is still active; the sum of
    ///      the pledges' custodians' current epochs (for the account and the policy's venue) is
    ///      the recorded one, so none of them revoked since; its round is current (`_isCurrent`:
    ///      not invalidated, the feed's latest or within the grace after its successor). The
    ///      caller's `maxAge` and the margin call are not part of it. Also returns the round's
    ///      timestamp and the policy's feed (zero when the status does not exist).
    function _statusCounts(
        address account,
        bytes32 policyId,
        Status memory status
    ) private view returns (bool counts, uint64 roundTimestamp, bytes32 feed) {
        if (status.nonce == 0) return (false, 0, bytes32(0));
        PolicyRegistry.StatusContext memory policy = _POLICY_REGISTRY.statusContext(
            policyId,
            status.registration
        );
        feed = policy.feed;
        if (!policy.counts) return (false, 0, feed);
        if (status.pledgeCount != 0) {
            if (block.timestamp > status.pledgesValidUntil) return (false, 0, feed);
            uint256 sum = _epochOf(policy.custodian, account, policy.venue);
            if (status.pledgeCount > 1) {
                uint256 more = _statuses[account][policyId].more;
                for (uint256 i = 1; i < status.pledgeCount; ++i) {
                    (address custodian, bool active) = _POLICY_REGISTRY.registrationState(
                        uint32(more >> (32 * (i - 1)))
                    );
                    if (!active) return (false, 0, feed);
                    sum += _epochOf(custodian, account, policy.venue);
                }
            }
            if (sum & _EPOCH_SUM_MASK != status.epochSum) return (false, 0, feed);
        }
        (, uint256 record) = _MARKET_BOOK.packedRound(feed, status.round);
        return (_isCurrent(record, policy.supersededGrace), uint64(record), feed);
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
        (, uint256 record) = _MARKET_BOOK.packedRound(feed, marginCall.round);
        uint64 nextPostedAt = uint64(record >> _SUPERSEDED_AT_BIT);
        return nextPostedAt == 0 ? 0 : nextPostedAt + marginCall.cureWindow;
    }

    /// @dev Whether `signature` is `signer`'s over `digest`: an ECDSA signature, 65 bytes `(r, s,
    ///      v)` or EIP-2098's 64 bytes `(r, vs)` (the SDK sends an account's ECDSA signature
    ///      compact: one calldata word less), low s, that recovers to `signer`; or else one that
    ///      `signer` accepts under ERC-1271, asked about the bytes exactly as given. This is
    ///      OpenZeppelin's SignatureChecker order up to v5.3 (v5.5 asks for the signer's code
    ///      first), and it spares an EOA signer the cold EXTCODESIZE (2,600 gas). An ECDSA
    ///      signature can recover to a contract's address only if someone holds a key for that
    ///      address, which is infeasible for a contract someone else deployed.
    function _isValidSignatureNow(
        address signer,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        uint256 length = signature.length;
        if (length == 64 || length == 65) {
            bytes32 r;
            bytes32 vs;
            bool wellFormed = true;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            if (length == 65) {
                // (r, s, v) as the compact (r, vs): v must be 27 or 28 and s below 2^255 (a high
                // s is refused below anyway, as OpenZeppelin's ECDSA refuses it).
                uint256 v;
                assembly ("memory-safe") {
                    v := byte(0, calldataload(add(signature.offset, 0x40)))
                }
                wellFormed = (v == 27 || v == 28) && uint256(vs) >> 255 == 0;
                if (wellFormed) vs |= bytes32((v - 27) << 255);
            }
            if (wellFormed && _isEcdsaSignature(signer, digest, r, vs)) return true;
        }
        return SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature);
    }

    /// @dev The inverse of the packing in `_admit` and `_checkPledges`: nonce | round << 64 |
    ///      pledgesValidUntil << 128 | epochSum << 176 | pledgeCount << 220 | registration << 224
    ///      (widths 64, 64, 48, 44, 4, 32).
    function _unpack(uint256 word) private pure returns (Status memory status) {
        status.nonce = uint64(word);
        status.round = uint64(word >> 64);
        status.pledgesValidUntil = uint48(word >> 128);
        status.epochSum = uint48((word >> 176) & _EPOCH_SUM_MASK);
        status.pledgeCount = uint8((word >> 220) & 0xf);
        status.registration = uint32(word >> 224);
    }
}
