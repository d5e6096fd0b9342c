// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IGroth16BatchVerifier, IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {SeparatedAdminRules} from "./SeparatedAdminRules.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title PolicyRegistry
/// @author zkmargin
/// @notice The margin policies venues accept proofs for, and the custodians whose pledges count at
///         each venue: each policy id is bound to the Poseidon commitment of its `policy.json`
///         (laid out for one slot layout), its mode, the MarketBook feed of that layout, its venue,
///         the Groth16 verifier of the circuit instance (and so its number of pledge slots) and
///         the hash of that verifier's verification key, how old and how superseded a round may
///         be, and whether custodian pledges are required.
/// @dev A policy is never changed after registration: a new version gets a new id, and the old one
///      is retired. Retirement is final. A policy's verifier must be approved first, by its code
///      hash, in two steps by the default admin: `proposeVerifier` records the key hash the
///      verifier answers with `verificationKeyHash()` and emits `VerifierProposed` with the time
///      from which it may be approved (`verifierApprovalDelay` later); `approveVerifier` approves
///      it from then on (`VerifierApproved`). Registration refuses a verifier whose code is not
///      approved, or only proposed, and a key hash other than the approved one. An auditor has
///      the whole delay to compare the proposed code hash with the verifier compiled from a
///      ceremony's keys. Code that is an EIP-7702 delegation designator (`0xef0100` + address)
///      is refused at both steps and at registration: the account behind it could re-point its
///      code after registration.
///      Roles are separate: POLICY_ADMIN_ROLE registers and retires policies, CUSTODIAN_ADMIN_ROLE
///      adds and removes custodians, a policy's venue role (`venueRole(policyId)`) calls margin on
///      its accounts in MarginRegistry; the default admin (OpenZeppelin's
///      AccessControlDefaultAdminRules: two-step, delayed transfer) proposes and approves
///      verifiers and grants the roles, and can hold none of them (SeparatedAdminRules). So the
///      default admin alone cannot register a policy at all, and with a second key it controls
///      it cannot point one at new verifier code in less than `verifierApprovalDelay`, with the
///      proposal public for that whole time.
///      Venues: every policy belongs to one venue (`venue`, a non-zero bytes32 set at registration;
///      a venue's initial and maintenance policies share it), and custodians are registered per
///      venue, not per policy, since a custodian's pledge is to a venue and serves all of its
///      policies. Each registration of a custodian at a venue gets a fresh, never reused
///      `registration` id (a uint32, global, so MarginRegistry can pack it into an account's
///      status); removal ends it for good, and a re-add gets a new id. A pledge binds the id it was
///      signed under, so a removed and re-added custodian revives nothing it pledged before.
contract PolicyRegistry is SeparatedAdminRules {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice The role allowed to register and retire policies.
    bytes32 public constant POLICY_ADMIN_ROLE = keccak256("zkmargin.POLICY_ADMIN_ROLE");
    /// @notice The role allowed to add and remove custodians.
    bytes32 public constant CUSTODIAN_ADMIN_ROLE = keccak256("zkmargin.CUSTODIAN_ADMIN_ROLE");
    /// @notice The tag of the per-policy venue roles (`venueRole(policyId)`), which may call margin
    ///         on an account under that policy in MarginRegistry.
    bytes32 public constant VENUE_ROLE = keccak256("zkmargin.VENUE_ROLE");

    /// @notice The policy's margin mode (circuit encoding: initial = 0, maintenance = 1).
    enum Mode {
        Initial,
        Maintenance
    }

    /// @notice What an admin registers.
    /// @param commitment The Poseidon policy commitment (`policyCommitment` public signal).
    /// @param mode The policy's mode.
    /// @param verifier The Groth16 verifier of the circuit instance the policy is encoded for.
    /// @param verificationKeyHash The sha256 of the verifier's `verification_key.json`; must equal
    ///        `verifier.verificationKeyHash()`.
    /// @param feed The MarketBook feed (layout id) whose rounds proofs are made against.
    /// @param venue The venue the policy belongs to (non-zero): pledges to it count for the policy.
    /// @param maxRoundAge The largest accepted `block.timestamp - round timestamp` at proof time.
    /// @param supersededGrace How long (seconds) after its successor was posted a round is still
    ///        accepted by `prove` and a status on it still counts (0: only the latest round).
    /// @param requiresPledges Whether proofs need custodian pledges (normally true).
    /// @param cureWindow How long (seconds) an account has to answer a margin call by proving on a
    ///        round posted after it (0: the policy takes no margin calls).
    struct PolicyParams {
        uint256 commitment;
        Mode mode;
        IGroth16Verifier verifier;
        bytes32 verificationKeyHash;
        bytes32 feed;
        bytes32 venue;
        uint32 maxRoundAge;
        uint32 supersededGrace;
        bool requiresPledges;
        uint32 cureWindow;
    }

    /// @notice A registered policy: six slots (verifier..pledgeSlots share the second one; the
    ///         key hash and the cure window, which `prove` does not read, are last).
    /// @param pledgeSlots The circuit's pledge slots C: its verifier's public signal count minus 3
    ///        (read at registration).
    struct Policy { // solhint-disable-line gas-struct-packing

        uint256 commitment;
        IGroth16Verifier verifier;
        uint32 maxRoundAge;
        uint32 supersededGrace;
        Mode mode;
        bool requiresPledges;
        bool retired;
        uint8 pledgeSlots;
        bytes32 feed;
        bytes32 venue;
        bytes32 verificationKeyHash;
        uint32 cureWindow;
    }

    /// @notice What MarginRegistry needs to judge a recorded status, read in one call.
    /// @param counts False when the policy is unknown or retired, or when the asked-for
    ///        registration (non-zero) has ended.
    /// @param feed The policy's MarketBook feed.
    /// @param venue The policy's venue.
    /// @param supersededGrace The superseded-round grace in seconds.
    /// @param custodian The custodian of the asked-for registration (zero when none).
    struct StatusContext { // solhint-disable-line gas-struct-packing

        bool counts;
        bytes32 feed;
        bytes32 venue;
        uint32 supersededGrace;
        address custodian;
    }

    /// @notice A verifier code approval (two slots: the key hash, then the time and the flag):
    ///         proposed with the key hash its code answers, approvable from `effectiveAt`,
    ///         approved or not yet.
    struct VerifierApproval {
        bytes32 keyHash;
        uint64 effectiveAt;
        bool approved;
    }

    /// @notice A custodian's registration at a venue, under its id (two slots; the first holds
    ///         what a status check reads): who, whether it still counts, when it was made, where.
    /// @param custodian The custodian's signing address (EOA or ERC-1271 contract).
    /// @param active Whether the registration still counts (cleared for good on removal).
    /// @param registeredAt The block time of the registration.
    /// @param venue The venue.
    struct RegistrationRecord {
        address custodian;
        bool active;
        uint64 registeredAt;
        bytes32 venue;
    }

    /// @notice The largest number of pledge slots a policy's circuit may have (public signals
    ///         `3 + C`): MarginRegistry packs one registration id per pledge into a status.
    uint256 public constant MAX_PLEDGE_SLOTS = 8;

    mapping(bytes32 policyId => Policy) private _policies;
    mapping(bytes32 venue => EnumerableSet.AddressSet) private _custodians;
    /// Current registration id per venue and custodian; zero when not registered.
    mapping(bytes32 venue => mapping(address custodian => uint32 id)) private _registrationIds;
    /// Every registration ever made, by id; `active` is cleared on removal.
    mapping(uint32 id => RegistrationRecord) private _registrations;
    /// The last registration id handed out (ids are global, start at 1 and are never reused).
    uint32 private _lastRegistration;
    /// Proposed and approved verifier code hashes, with the verification-key hash each answers.
    mapping(bytes32 codeHash => VerifierApproval) private _verifierApprovals;
    /// How long after its proposal a verifier code may be approved (seconds, non-zero).
    uint32 private immutable _VERIFIER_APPROVAL_DELAY;

    /// @notice A policy was registered.
    /// @param policyId The policy id.
    /// @param commitment The policy commitment.
    /// @param mode The policy's mode.
    /// @param verifier The Groth16 verifier.
    /// @param verificationKeyHash The sha256 of the verifier's verification key.
    /// @param feed The policy's MarketBook feed.
    /// @param venue The policy's venue.
    /// @param pledgeSlots The circuit's pledge slots C (from the verifier's signal count).
    /// @param maxRoundAge The maximum round age in seconds.
    /// @param supersededGrace The superseded-round grace in seconds.
    /// @param requiresPledges Whether proofs need custodian pledges.
    /// @param cureWindow The margin-call cure window in seconds (0: no margin calls).
    event PolicyRegistered(
        bytes32 indexed policyId,
        uint256 commitment,
        Mode mode,
        address verifier,
        bytes32 verificationKeyHash,
        bytes32 indexed feed,
        bytes32 indexed venue,
        uint8 pledgeSlots,
        uint32 maxRoundAge,
        uint32 supersededGrace,
        bool requiresPledges,
        uint32 cureWindow
    );
    /// @notice The default admin proposed a verifier's code for registrations: it can be approved
    ///         from `effectiveAt` on. Auditors watch this event.
    /// @param codeHash The verifier's runtime code hash (EXTCODEHASH).
    /// @param verificationKeyHash The key hash the verifier answers.
    /// @param verifier The deployed verifier the proposal was read from.
    /// @param effectiveAt The first block time at which `approveVerifier` accepts it.
    event VerifierProposed( // solhint-disable-line gas-indexed-events

        bytes32 indexed codeHash,
        bytes32 verificationKeyHash,
        address verifier,
        uint64 effectiveAt
    );
    /// @notice The default admin approved a proposed verifier code: policies may use it from now.
    /// @param codeHash The verifier's runtime code hash.
    /// @param verificationKeyHash The key hash proposed with it.
    event VerifierApproved(bytes32 indexed codeHash, bytes32 verificationKeyHash);
    /// @notice The default admin withdrew a verifier code proposal or approval (registered
    ///         policies keep it).
    /// @param codeHash The verifier's runtime code hash.
    event VerifierApprovalRevoked(bytes32 indexed codeHash);
    /// @notice A policy was retired; proofs for it are refused and its statuses stop counting.
    /// @param policyId The policy id.
    event PolicyRetired(bytes32 indexed policyId);
    /// @notice A custodian was registered at a venue: its pledges to the venue, signed under this
    ///         registration, count for the venue's policies.
    /// @param venue The venue.
    /// @param custodian The custodian.
    /// @param registration The registration's id.
    event CustodianAdded(
        bytes32 indexed venue,
        address indexed custodian,
        uint32 indexed registration
    );
    /// @notice A custodian was removed from a venue: every pledge signed under the registration
    ///         stops counting, for good.
    /// @param venue The venue.
    /// @param custodian The custodian.
    /// @param registration The id of the registration that ended.
    event CustodianRemoved(
        bytes32 indexed venue,
        address indexed custodian,
        uint32 indexed registration
    );

    /// @notice The policy id is zero.
    error ZeroPolicyId();
    /// @notice The id was registered before (retired or not); ids are never reused.
    error PolicyAlreadyRegistered(bytes32 policyId);
    /// @notice No policy with this id was registered.
    error UnknownPolicy(bytes32 policyId);
    /// @notice The policy is retired.
    error PolicyIsRetired(bytes32 policyId);
    /// @notice The commitment is zero or not below the scalar field modulus.
    error InvalidPolicyCommitment(uint256 commitment);
    /// @notice The verifier address holds no code.
    error VerifierNotAContract(address verifier);
    /// @notice The verification-key hash is zero.
    error ZeroVerificationKeyHash();
    /// @notice The verifier does not answer `verificationKeyHash()` (it is not a zkmargin verifier).
    error VerifierWithoutKeyHash(address verifier);
    /// @notice The verifier's verification-key hash is not the registered one.
    error VerificationKeyHashMismatch(bytes32 registered, bytes32 verifierHash);
    /// @notice The verifier's code was neither proposed nor approved by the default admin.
    error VerifierNotApproved(address verifier, bytes32 codeHash);
    /// @notice The verifier's code was proposed but is not approved yet.
    error VerifierApprovalPending(address verifier, bytes32 codeHash, uint64 effectiveAt);
    /// @notice No proposal or approval for this code hash.
    error UnknownVerifierApproval(bytes32 codeHash);
    /// @notice The verifier code is already proposed or approved.
    error VerifierAlreadyProposed(bytes32 codeHash);
    /// @notice The verifier code is already approved.
    error VerifierAlreadyApproved(bytes32 codeHash);
    /// @notice The proposal's delay has not passed: it can be approved from `effectiveAt` on.
    error VerifierApprovalNotYetEffective(bytes32 codeHash, uint64 effectiveAt);
    /// @notice The verifier address is an EIP-7702 delegated account (code `0xef0100` + address),
    ///         whose code its key holder can re-point at any time.
    error VerifierIsDelegatedAccount(address verifier);
    /// @notice The verifier approval delay is zero.
    error ZeroApprovalDelay();
    /// @notice The feed id is zero.
    error ZeroFeed();
    /// @notice The venue id is zero.
    error ZeroVenue();
    /// @notice The verifier does not answer `publicSignalCount()` (not exactly one word).
    error VerifierWithoutSignalCount(address verifier);
    /// @notice The verifier's circuit has a public signal count other than 3 + C, C from 1 to
    ///         MAX_PLEDGE_SLOTS.
    error UnsupportedSignalCount(address verifier, uint256 count);
    /// @notice The maximum round age is zero.
    error ZeroMaxRoundAge();
    /// @notice The custodian address is zero.
    error ZeroCustodian();
    /// @notice The custodian is already registered at the venue.
    error CustodianAlreadyRegistered(bytes32 venue, address custodian);
    /// @notice The custodian is not registered at the venue.
    error CustodianNotRegistered(bytes32 venue, address custodian);
    /// @notice `registrationsAt` was asked for more than eight custodians (a word's worth).
    error TooManyCustodians(uint256 count);

    /// @notice Deploys the registry.
    /// @param adminDelay The delay (seconds) of a default-admin transfer.
    /// @param admin The holder of DEFAULT_ADMIN_ROLE, which grants POLICY_ADMIN_ROLE,
    ///        CUSTODIAN_ADMIN_ROLE and the venue roles, and proposes and approves verifiers.
    /// @param approvalDelay How long (seconds, non-zero) after its proposal a verifier's code can
    ///        be approved (`verifierApprovalDelay`).
    constructor(
        uint48 adminDelay,
        address admin,
        uint32 approvalDelay
    ) SeparatedAdminRules(adminDelay, admin) {
        if (approvalDelay == 0) revert ZeroApprovalDelay();
        _VERIFIER_APPROVAL_DELAY = approvalDelay;
    }

    /// @notice Proposes a deployed verifier's code for policy registrations, with the key hash it
    ///         answers (read from it); the default admin can approve it `verifierApprovalDelay`
    ///         seconds later. Propose only the verifier compiled from a ceremony's keys: check its
    ///         code hash against the build (`zkmargin audit chain` does).
    /// @dev Only DEFAULT_ADMIN_ROLE. Refuses, in order: VerifierNotAContract,
    ///      VerifierIsDelegatedAccount, VerifierWithoutKeyHash (not exactly one word answered),
    ///      ZeroVerificationKeyHash, VerifierAlreadyProposed (proposed or approved: withdraw first).
    /// @param verifier A deployed verifier.
    /// @return effectiveAt The first block time at which `approveVerifier` accepts the code.
    function proposeVerifier(
        IGroth16Verifier verifier
    ) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint64 effectiveAt) {
        _checkVerifierCode(verifier);
        bytes32 keyHash = _keyHashOf(verifier);
        if (keyHash == bytes32(0)) revert ZeroVerificationKeyHash();
        bytes32 codeHash = address(verifier).codehash;
        if (_verifierApprovals[codeHash].keyHash != bytes32(0)) {
            revert VerifierAlreadyProposed(codeHash);
        }
        effectiveAt = uint64(block.timestamp) + _VERIFIER_APPROVAL_DELAY;
        _verifierApprovals[codeHash] = VerifierApproval({
            keyHash: keyHash,
            effectiveAt: effectiveAt,
            approved: false
        });
        emit VerifierProposed(codeHash, keyHash, address(verifier), effectiveAt);
    }

    /// @notice Approves a proposed verifier code once its delay has passed: policies may be
    ///         registered on it from now on.
    /// @dev Only DEFAULT_ADMIN_ROLE. Refuses UnknownVerifierApproval (never proposed, or
    ///      withdrawn), VerifierAlreadyApproved, VerifierApprovalNotYetEffective (before
    ///      `effectiveAt`).
    /// @param codeHash The verifier's runtime code hash, as `VerifierProposed` named it.
    function approveVerifier(bytes32 codeHash) external onlyRole(DEFAULT_ADMIN_ROLE) {
        VerifierApproval storage approval = _verifierApprovals[codeHash];
        if (approval.keyHash == bytes32(0)) revert UnknownVerifierApproval(codeHash);
        if (approval.approved) revert VerifierAlreadyApproved(codeHash);
        if (block.timestamp < approval.effectiveAt) {
            revert VerifierApprovalNotYetEffective(codeHash, approval.effectiveAt);
        }
        approval.approved = true;
        emit VerifierApproved(codeHash, approval.keyHash);
    }

    /// @notice Withdraws a proposal or an approval: new registrations with that code are refused
    ///         (registered policies are not changed; retire them to stop their proofs). A later
    ///         proposal of the same code starts a new delay.
    /// @dev Only DEFAULT_ADMIN_ROLE; UnknownVerifierApproval when there is nothing to withdraw.
    /// @param codeHash The verifier code hash.
    function revokeVerifierApproval(bytes32 codeHash) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_verifierApprovals[codeHash].keyHash == bytes32(0)) {
            revert UnknownVerifierApproval(codeHash);
        }
        delete _verifierApprovals[codeHash];
        emit VerifierApprovalRevoked(codeHash);
    }

    /// @notice The key hash approved for a verifier code hash (zero unless approved).
    /// @param codeHash The verifier's runtime code hash.
    /// @return The approved verification-key hash.
    function approvedKeyHash(bytes32 codeHash) external view returns (bytes32) {
        VerifierApproval storage approval = _verifierApprovals[codeHash];
        return approval.approved ? approval.keyHash : bytes32(0);
    }

    /// @notice A verifier code's proposal and approval (all zero when never proposed or withdrawn).
    /// @param codeHash The verifier's runtime code hash.
    /// @return approval The key hash proposed with it, when it can be approved, and whether it is.
    function verifierApproval(
        bytes32 codeHash
    ) external view returns (VerifierApproval memory approval) {
        return _verifierApprovals[codeHash];
    }

    /// @notice How long after its proposal a verifier code can be approved.
    /// @return The delay in seconds.
    function verifierApprovalDelay() external view returns (uint32) {
        return _VERIFIER_APPROVAL_DELAY;
    }

    /// @notice Registers a new policy. An id can be registered once only, ever.
    /// @dev Only POLICY_ADMIN_ROLE. Refuses, in order: ZeroPolicyId, PolicyAlreadyRegistered,
    ///      InvalidPolicyCommitment, ZeroVerificationKeyHash, VerifierNotAContract,
    ///      VerifierIsDelegatedAccount, VerifierNotApproved, VerifierApprovalPending,
    ///      VerifierWithoutKeyHash, VerificationKeyHashMismatch, VerifierWithoutSignalCount,
    ///      UnsupportedSignalCount, ZeroFeed, ZeroVenue, ZeroMaxRoundAge. The policy's pledge
    ///      slots C are its verifier's `publicSignalCount()` minus 3.
    /// @param policyId The policy id (e.g. keccak256 of `policy.json`'s `id`).
    /// @param params The policy's parameters.
    function registerPolicy(
        bytes32 policyId,
        PolicyParams calldata params
    ) external onlyRole(POLICY_ADMIN_ROLE) {
        if (policyId == bytes32(0)) revert ZeroPolicyId();
        if (_policies[policyId].commitment != 0) revert PolicyAlreadyRegistered(policyId);
        if (params.commitment == 0 || params.commitment >= SnarkField.SCALAR_MODULUS) {
            revert InvalidPolicyCommitment(params.commitment);
        }
        if (params.verificationKeyHash == bytes32(0)) revert ZeroVerificationKeyHash();
        _checkVerifier(params.verifier, params.verificationKeyHash);
        uint8 pledgeSlots = _pledgeSlotsOf(params.verifier);
        if (params.feed == bytes32(0)) revert ZeroFeed();
        if (params.venue == bytes32(0)) revert ZeroVenue();
        if (params.maxRoundAge == 0) revert ZeroMaxRoundAge();

        _policies[policyId] = Policy({
            commitment: params.commitment,
            verifier: params.verifier,
            maxRoundAge: params.maxRoundAge,
            supersededGrace: params.supersededGrace,
            mode: params.mode,
            requiresPledges: params.requiresPledges,
            retired: false,
            pledgeSlots: pledgeSlots,
            feed: params.feed,
            venue: params.venue,
            verificationKeyHash: params.verificationKeyHash,
            cureWindow: params.cureWindow
        });
        emit PolicyRegistered(
            policyId,
            params.commitment,
            params.mode,
            address(params.verifier),
            params.verificationKeyHash,
            params.feed,
            params.venue,
            pledgeSlots,
            params.maxRoundAge,
            params.supersededGrace,
            params.requiresPledges,
            params.cureWindow
        );
    }

    /// @notice Retires a policy for good: new proofs are refused and existing statuses stop
    ///         counting in `MarginRegistry.isMarginSufficient`.
    /// @dev Only POLICY_ADMIN_ROLE.
    /// @param policyId The policy to retire.
    function retirePolicy(bytes32 policyId) external onlyRole(POLICY_ADMIN_ROLE) {
        Policy storage policy = _activePolicy(policyId);
        policy.retired = true;
        emit PolicyRetired(policyId);
    }

    /// @notice Registers a custodian at a venue: its pledges to the venue signed under this
    ///         registration count for the venue's policies.
    /// @dev Only CUSTODIAN_ADMIN_ROLE. Refuses ZeroVenue, ZeroCustodian,
    ///      CustodianAlreadyRegistered. The custodian may be an EOA or an ERC-1271 contract. The
    ///      registration gets a fresh id (`currentRegistrationAt`), which the custodian's pledges
    ///      bind.
    /// @param venue The venue.
    /// @param custodian The custodian's signing address.
    function addCustodian(
        bytes32 venue,
        address custodian
    ) external onlyRole(CUSTODIAN_ADMIN_ROLE) {
        if (venue == bytes32(0)) revert ZeroVenue();
        if (custodian == address(0)) revert ZeroCustodian();
        if (!_custodians[venue].add(custodian)) revert CustodianAlreadyRegistered(venue, custodian);
        // Checked: reverts rather than wraps after 2^32 - 1 registrations.
        uint32 id = ++_lastRegistration;
        _registrationIds[venue][custodian] = id;
        _registrations[id] = RegistrationRecord({
            custodian: custodian,
            active: true,
            registeredAt: uint64(block.timestamp),
            venue: venue
        });
        emit CustodianAdded(venue, custodian, id);
    }

    /// @notice Removes a custodian from a venue: its pledges signed under the registration stop
    ///         counting, for good (also if it is added again, under a new registration).
    /// @dev Only CUSTODIAN_ADMIN_ROLE. Refuses CustodianNotRegistered.
    /// @param venue The venue.
    /// @param custodian The custodian to remove.
    function removeCustodian(
        bytes32 venue,
        address custodian
    ) external onlyRole(CUSTODIAN_ADMIN_ROLE) {
        if (!_custodians[venue].remove(custodian)) revert CustodianNotRegistered(venue, custodian);
        uint32 id = _registrationIds[venue][custodian];
        delete _registrationIds[venue][custodian];
        _registrations[id].active = false;
        emit CustodianRemoved(venue, custodian, id);
    }

    /// @notice Returns a registered policy (retired or not); reverts with UnknownPolicy otherwise.
    /// @param policyId The policy.
    /// @return The policy record.
    function getPolicy(bytes32 policyId) external view returns (Policy memory) {
        Policy storage policy = _policies[policyId];
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        return policy;
    }

    /// @notice Everything MarginRegistry needs to check a proof, read in one call without
    ///         reverting, as raw words (MarginRegistry decodes them, sparing a struct's ABI work
    ///         on every proof). Named so that its selector (0x00f034bd) is the contract's lowest:
    ///         the IR pipeline's dispatcher tests selectors in ascending order, 22 gas each.
    /// @dev An unregistered id returns `commitment == 0`. `params` is the policy's second storage
    ///      slot: `verifier | maxRoundAge << 160 | supersededGrace << 192 | mode << 224 |
    ///      requiresPledges << 232 | retired << 240 | pledgeSlots << 248` (the `Policy` struct's
    ///      packing; a test holds it to `getPolicy`). The custodian's registration is looked up
    ///      only when the policy requires pledges and the custodian is not zero.
    /// @param policyId The policy.
    /// @param custodian The custodian of the proof's first pledge (zero when there is none).
    /// @return commitment The policy commitment (zero when the policy is unknown).
    /// @return params The packed parameters (see above).
    /// @return feed The policy's MarketBook feed.
    /// @return venue The policy's venue.
    /// @return registration The custodian's current registration at the venue (zero: none).
    function policyState(
        bytes32 policyId,
        address custodian
    )
        external
        view
        returns (uint256 commitment, uint256 params, bytes32 feed, bytes32 venue, uint256 registration)
    {
        Policy storage policy = _policies[policyId];
        // The first two slots as they are stored (see `params` above).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            commitment := sload(policy.slot)
            params := sload(add(policy.slot, 1))
        }
        feed = policy.feed;
        venue = policy.venue;
        if (custodian != address(0) && (params >> 232) & 0xff != 0) {
            registration = _registrationIds[venue][custodian];
        }
    }

    /// @notice Whether a status recorded for the policy on pledges whose first registration is
    ///         `registration` still counts (its round, pledges' expiry and revocation aside), with
    ///         what is needed to judge the rest.
    /// @param policyId The policy.
    /// @param registration The first pledge's registration id recorded with the status (zero
    ///        when none).
    /// @return context See `StatusContext`.
    function statusContext(
        bytes32 policyId,
        uint32 registration
    ) external view returns (StatusContext memory context) {
        Policy storage policy = _policies[policyId];
        if (policy.commitment == 0) return context;
        // Set for a retired policy too, so MarginRegistry.statusOf still finds the round.
        context.feed = policy.feed;
        context.venue = policy.venue;
        context.supersededGrace = policy.supersededGrace;
        if (policy.retired) return context;
        if (registration == 0) {
            context.counts = true;
            return context;
        }
        RegistrationRecord storage record = _registrations[registration];
        context.counts = record.active;
        context.custodian = record.custodian;
    }

    /// @notice A registration, by id (all zero when the id was never handed out).
    /// @param registration The registration id.
    /// @return record Who, whether it still counts, when it was made, at which venue.
    function registrationRecord(
        uint32 registration
    ) external view returns (RegistrationRecord memory record) {
        return _registrations[registration];
    }

    /// @notice A registration's custodian and whether it still counts (one slot: what a status
    ///         check of a further pledge reads).
    /// @param registration The registration id.
    /// @return custodian The custodian (zero when the id was never handed out).
    /// @return active Whether the registration still counts.
    function registrationState(
        uint32 registration
    ) external view returns (address custodian, bool active) {
        RegistrationRecord storage record = _registrations[registration];
        return (record.custodian, record.active);
    }

    /// @notice The custodian's current registration at the venue (zero when not registered): what
    ///         its pledges to the venue must bind. MarginRegistry reads it for a proof's further
    ///         pledges: its selector (0x052e9b06) is third in the IR dispatcher's ascending order.
    /// @param venue The venue.
    /// @param custodian The custodian.
    /// @return The registration id.
    function currentRegistrationAt(
        bytes32 venue,
        address custodian
    ) external view returns (uint32) {
        return _registrationIds[venue][custodian];
    }

    /// @notice The current registrations at `venue` of up to eight custodians, packed in one
    ///         word: custodian i's id (zero when not registered) at bits 32i. MarginRegistry reads
    ///         those of a proof's second to last pledges with it, in one call.
    /// @dev Refuses TooManyCustodians for more than eight.
    /// @param venue The venue.
    /// @param listed The custodians, at most eight.
    /// @return packed The registration ids, 32 bits each from the low end.
    function registrationsAt(
        bytes32 venue,
        address[] calldata listed
    ) external view returns (uint256 packed) {
        if (listed.length > 8) revert TooManyCustodians(listed.length);
        mapping(address custodian => uint32 id) storage ids = _registrationIds[venue];
        for (uint256 i = 0; i < listed.length; ++i) {
            packed |= uint256(ids[listed[i]]) << (32 * i);
        }
    }

    /// @notice The role whose holders may call margin under `policyId` (granted and revoked by the
    ///         default admin with `grantRole`/`revokeRole`, like every role).
    /// @param policyId The policy.
    /// @return The role id: keccak256(abi.encode(VENUE_ROLE, policyId)).
    function venueRole(bytes32 policyId) public pure returns (bytes32) {
        return keccak256(abi.encode(VENUE_ROLE, policyId));
    }

    /// @notice What MarginRegistry needs to record a margin call, read in one call.
    /// @param policyId The policy.
    /// @param caller The would-be venue.
    /// @return isVenue Whether `caller` holds the policy's venue role.
    /// @return active Whether the policy is registered and not retired.
    /// @return feed The policy's MarketBook feed.
    /// @return cureWindow The policy's cure window in seconds (0: no margin calls).
    function marginCallContext(
        bytes32 policyId,
        address caller
    ) external view returns (bool isVenue, bool active, bytes32 feed, uint32 cureWindow) {
        Policy storage policy = _policies[policyId];
        return (
            hasRole(venueRole(policyId), caller),
            policy.commitment != 0 && !policy.retired,
            policy.feed,
            policy.cureWindow
        );
    }

    /// @notice Whether the policy is registered and not retired.
    /// @param policyId The policy.
    /// @return True when proofs for the policy are accepted.
    function isActive(bytes32 policyId) external view returns (bool) {
        Policy storage policy = _policies[policyId];
        return policy.commitment != 0 && !policy.retired;
    }

    /// @notice Whether `custodian` is currently registered at the venue.
    /// @param venue The venue.
    /// @param custodian The address to check.
    /// @return True when the custodian's pledges to the venue can count.
    function isCustodian(bytes32 venue, address custodian) external view returns (bool) {
        return _registrationIds[venue][custodian] != 0;
    }

    /// @notice The custodians currently registered at the venue (unordered).
    /// @param venue The venue.
    /// @return The custodian addresses.
    function custodians(bytes32 venue) external view returns (address[] memory) {
        return _custodians[venue].values();
    }

    /// @dev Refuses, in order, a verifier without code, an EIP-7702 delegated account, one whose
    ///      code the default admin has not proposed (VerifierNotApproved) or not yet approved
    ///      (VerifierApprovalPending), and one whose key hash (as it answers it, and as approved)
    ///      is not `expected`.
    function _checkVerifier(IGroth16Verifier verifier, bytes32 expected) private view {
        _checkVerifierCode(verifier);
        bytes32 codeHash = address(verifier).codehash;
        VerifierApproval memory approval = _verifierApprovals[codeHash];
        if (approval.keyHash == bytes32(0)) revert VerifierNotApproved(address(verifier), codeHash);
        if (!approval.approved) {
            revert VerifierApprovalPending(address(verifier), codeHash, approval.effectiveAt);
        }
        bytes32 actual = _keyHashOf(verifier);
        if (actual != expected || approval.keyHash != expected) {
            revert VerificationKeyHashMismatch(expected, actual);
        }
    }

    /// @dev Refuses an address without code and an EIP-7702 delegated account: its code is the
    ///      23-byte designator `0xef0100 || address`, which its key holder can re-point at any time.
    function _checkVerifierCode(IGroth16Verifier verifier) private view {
        uint256 size = address(verifier).code.length;
        if (size == 0) revert VerifierNotAContract(address(verifier));
        // A designator is exactly 23 bytes; only then is the code copied to read its prefix.
        if (size == 23 && bytes3(address(verifier).code) == 0xef0100) {
            revert VerifierIsDelegatedAccount(address(verifier));
        }
    }

    /// @dev The verifier's `verificationKeyHash()`, through a low-level call so that a contract
    ///      answering anything but exactly one word is refused with a named error.
    function _keyHashOf(IGroth16Verifier verifier) private view returns (bytes32) {
        (bool ok, bytes memory answer) = address(verifier).staticcall(
            abi.encodeCall(IGroth16Verifier.verificationKeyHash, ())
        );
        if (!ok || answer.length != 32) revert VerifierWithoutKeyHash(address(verifier));
        return abi.decode(answer, (bytes32));
    }

    /// @dev The verifier's pledge slots C: its `publicSignalCount()` minus 3 (the account and
    ///      nonce, the market and the policy commitments), C from 1 to MAX_PLEDGE_SLOTS; read
    ///      through a low-level call so that a contract answering anything but one word is refused
    ///      with a named error.
    function _pledgeSlotsOf(IGroth16Verifier verifier) private view returns (uint8) {
        (bool ok, bytes memory answer) = address(verifier).staticcall(
            abi.encodeCall(IGroth16BatchVerifier.publicSignalCount, ())
        );
        if (!ok || answer.length != 32) revert VerifierWithoutSignalCount(address(verifier));
        uint256 count = abi.decode(answer, (uint256));
        if (count < 4 || count > 3 + MAX_PLEDGE_SLOTS) {
            revert UnsupportedSignalCount(address(verifier), count);
        }
        return uint8(count - 3);
    }

    function _activePolicy(bytes32 policyId) private view returns (Policy storage policy) {
        policy = _policies[policyId];
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        if (policy.retired) revert PolicyIsRetired(policyId);
    }
}
