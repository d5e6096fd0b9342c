// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title PolicyRegistry
/// @author zkmargin
/// @notice The margin policies a venue accepts proofs for: each policy id is bound to the
///         Poseidon commitment of its `policy.json`, its mode, the Groth16 verifier of the circuit
///         instance it uses (with the hash of that verifier's verification key, for auditors), the
///         maximum age of a market round a proof may use, whether a custodian attestation is
///         required, and the custodians whose attestations count.
/// @dev A policy is never changed after registration: a new version gets a new id, and the old one
///      is retired. Retirement is final. Custodians can be added and removed at any time while the
///      policy is active (removal also after retirement). Each registration of a custodian for a
///      policy gets a fresh, never reused `custodianId` (a uint32, so MarginRegistry can pack it
///      into an account's one-slot status); removal ends that id. MarginRegistry resolves the
///      custodian at every proof and checks the id at every `isMarginSufficient` call, so a removed
///      custodian's attestations, past and future, stop counting, also if it is added again later
///      (it then gets a new id, and statuses it attested before stay ended).
contract PolicyRegistry is AccessControl {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice The role allowed to register and retire policies and to manage custodians.
    bytes32 public constant POLICY_ADMIN_ROLE = keccak256("zkmargin.POLICY_ADMIN_ROLE");

    /// @notice The policy's margin mode (circuit encoding: initial = 0, maintenance = 1).
    enum Mode {
        Initial,
        Maintenance
    }

    /// @notice What an admin registers.
    /// @param commitment The Poseidon policy commitment (`policyCommitment` public signal).
    /// @param mode The policy's mode.
    /// @param verifier The Groth16 verifier of the circuit instance the policy is encoded for.
    /// @param verificationKeyHash The sha256 of the verifier's `verification_key.json`, for audit.
    /// @param maxRoundAge The largest accepted `block.timestamp - round timestamp` at proof time.
    /// @param requiresAttestation Whether proofs need a custodian attestation (normally true).
    struct PolicyParams {
        uint256 commitment;
        Mode mode;
        IGroth16Verifier verifier;
        bytes32 verificationKeyHash;
        uint64 maxRoundAge;
        bool requiresAttestation;
    }

    /// @notice A registered policy: three slots (verifier..retired share the second one).
    struct Policy { // solhint-disable-line gas-struct-packing

        uint256 commitment;
        IGroth16Verifier verifier;
        uint64 maxRoundAge;
        Mode mode;
        bool requiresAttestation;
        bool retired;
        bytes32 verificationKeyHash;
    }

    /// @notice What MarginRegistry needs to check a proof, read in one call.
    /// @param commitment The policy commitment (zero when the policy is unknown).
    /// @param verifier The Groth16 verifier.
    /// @param maxRoundAge The maximum round age in seconds.
    /// @param requiresAttestation Whether an attestation is required.
    /// @param retired Whether the policy is retired.
    /// @param custodianId The asked-for custodian's current id for the policy; zero when it is not
    ///        registered or the policy requires no attestation.
    struct ProofContext {
        uint256 commitment;
        IGroth16Verifier verifier;
        uint64 maxRoundAge;
        bool requiresAttestation;
        bool retired;
        uint32 custodianId;
    }

    /// @notice A custodian registration, under its id: who, and whether it still counts.
    struct CustodianRecord {
        address custodian;
        bool active;
    }

    mapping(bytes32 policyId => Policy) private _policies;
    mapping(bytes32 policyId => EnumerableSet.AddressSet) private _custodians;
    /// Current registration id per policy and custodian; zero when not registered.
    mapping(bytes32 policyId => mapping(address custodian => uint32 id)) private _custodianIds;
    /// Every registration ever made, by policy and id; `active` is cleared on removal.
    mapping(bytes32 policyId => mapping(uint32 id => CustodianRecord)) private _custodianRecords;
    /// The last custodian id handed out (ids are global, start at 1 and are never reused).
    uint32 private _lastCustodianId;

    /// @notice A policy was registered.
    /// @param policyId The policy id.
    /// @param commitment The policy commitment.
    /// @param mode The policy's mode.
    /// @param verifier The Groth16 verifier.
    /// @param verificationKeyHash The sha256 of the verifier's verification key.
    /// @param maxRoundAge The maximum round age in seconds.
    /// @param requiresAttestation Whether proofs need a custodian attestation.
    event PolicyRegistered(
        bytes32 indexed policyId,
        uint256 commitment,
        Mode mode,
        address verifier,
        bytes32 verificationKeyHash,
        uint64 maxRoundAge,
        bool requiresAttestation
    );
    /// @notice A policy was retired; proofs for it are refused and its statuses stop counting.
    /// @param policyId The policy id.
    event PolicyRetired(bytes32 indexed policyId);
    /// @notice A custodian was registered for a policy.
    /// @param policyId The policy id.
    /// @param custodian The custodian.
    /// @param custodianId The registration's id.
    event CustodianAdded(
        bytes32 indexed policyId,
        address indexed custodian,
        uint32 indexed custodianId
    );
    /// @notice A custodian was removed from a policy.
    /// @param policyId The policy id.
    /// @param custodian The custodian.
    /// @param custodianId The id of the registration that ended.
    event CustodianRemoved(
        bytes32 indexed policyId,
        address indexed custodian,
        uint32 indexed custodianId
    );

    /// @notice The admin address is zero.
    error ZeroAdmin();
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
    /// @notice The maximum round age is zero.
    error ZeroMaxRoundAge();
    /// @notice The custodian address is zero.
    error ZeroCustodian();
    /// @notice The custodian is already registered for the policy.
    error CustodianAlreadyRegistered(bytes32 policyId, address custodian);
    /// @notice The custodian is not registered for the policy.
    error CustodianNotRegistered(bytes32 policyId, address custodian);

    /// @notice Deploys the registry; `admin` manages roles and gets POLICY_ADMIN_ROLE.
    /// @param admin The holder of DEFAULT_ADMIN_ROLE and POLICY_ADMIN_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POLICY_ADMIN_ROLE, admin);
    }

    /// @notice Registers a new policy. An id can be registered once only, ever.
    /// @dev Only POLICY_ADMIN_ROLE.
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
        if (address(params.verifier).code.length == 0) {
            revert VerifierNotAContract(address(params.verifier));
        }
        if (params.verificationKeyHash == bytes32(0)) revert ZeroVerificationKeyHash();
        if (params.maxRoundAge == 0) revert ZeroMaxRoundAge();

        _policies[policyId] = Policy({
            commitment: params.commitment,
            verifier: params.verifier,
            maxRoundAge: params.maxRoundAge,
            mode: params.mode,
            requiresAttestation: params.requiresAttestation,
            retired: false,
            verificationKeyHash: params.verificationKeyHash
        });
        emit PolicyRegistered(
            policyId,
            params.commitment,
            params.mode,
            address(params.verifier),
            params.verificationKeyHash,
            params.maxRoundAge,
            params.requiresAttestation
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

    /// @notice Registers a custodian whose attestations count for an active policy.
    /// @dev Only POLICY_ADMIN_ROLE. The custodian may be an EOA or an ERC-1271 contract. The
    ///      registration gets a fresh id (see the contract's notes).
    /// @param policyId The policy.
    /// @param custodian The custodian's signing address.
    function addCustodian(bytes32 policyId, address custodian) external onlyRole(POLICY_ADMIN_ROLE) {
        _activePolicy(policyId);
        if (custodian == address(0)) revert ZeroCustodian();
        if (!_custodians[policyId].add(custodian)) {
            revert CustodianAlreadyRegistered(policyId, custodian);
        }
        // Checked: reverts rather than wraps after 2^32 - 1 registrations.
        uint32 id = ++_lastCustodianId;
        _custodianIds[policyId][custodian] = id;
        _custodianRecords[policyId][id] = CustodianRecord({custodian: custodian, active: true});
        emit CustodianAdded(policyId, custodian, id);
    }

    /// @notice Removes a custodian; its attestations, past and future, stop counting for the policy.
    /// @dev Only POLICY_ADMIN_ROLE. Allowed on retired policies too.
    /// @param policyId The policy.
    /// @param custodian The custodian to remove.
    function removeCustodian(
        bytes32 policyId,
        address custodian
    ) external onlyRole(POLICY_ADMIN_ROLE) {
        if (_policies[policyId].commitment == 0) revert UnknownPolicy(policyId);
        if (!_custodians[policyId].remove(custodian)) {
            revert CustodianNotRegistered(policyId, custodian);
        }
        uint32 id = _custodianIds[policyId][custodian];
        delete _custodianIds[policyId][custodian];
        _custodianRecords[policyId][id].active = false;
        emit CustodianRemoved(policyId, custodian, id);
    }

    /// @notice Returns a registered policy (retired or not); reverts with UnknownPolicy otherwise.
    /// @param policyId The policy.
    /// @return The policy record.
    function getPolicy(bytes32 policyId) external view returns (Policy memory) {
        Policy storage policy = _policies[policyId];
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        return policy;
    }

    /// @notice The fields MarginRegistry needs to check a proof, read without reverting.
    /// @dev An unregistered id returns `commitment == 0`.
    /// @param policyId The policy.
    /// @return commitment The policy commitment (zero when unknown).
    /// @return verifier The Groth16 verifier.
    /// @return maxRoundAge The maximum round age in seconds.
    /// @return requiresAttestation Whether an attestation is required.
    /// @return retired Whether the policy is retired.
    function verificationParams(
        bytes32 policyId
    )
        external
        view
        returns (
            uint256 commitment,
            IGroth16Verifier verifier,
            uint64 maxRoundAge,
            bool requiresAttestation,
            bool retired
        )
    {
        Policy storage policy = _policies[policyId];
        return (
            policy.commitment,
            policy.verifier,
            policy.maxRoundAge,
            policy.requiresAttestation,
            policy.retired
        );
    }

    /// @notice Everything MarginRegistry needs to check a proof, read in one call without reverting.
    /// @dev An unregistered id returns `commitment == 0`. The custodian is looked up only when the
    ///      policy requires an attestation.
    /// @param policyId The policy.
    /// @param custodian The attesting custodian named by the proof's submitter (may be zero).
    /// @return context The policy's verification parameters and the custodian's current id.
    function proofContext(
        bytes32 policyId,
        address custodian
    ) external view returns (ProofContext memory context) {
        Policy storage policy = _policies[policyId];
        context.commitment = policy.commitment;
        context.verifier = policy.verifier;
        context.maxRoundAge = policy.maxRoundAge;
        context.requiresAttestation = policy.requiresAttestation;
        context.retired = policy.retired;
        if (context.requiresAttestation) context.custodianId = _custodianIds[policyId][custodian];
    }

    /// @notice Whether a status recorded for the policy with attesting custodian `custodianId` still
    ///         counts: the policy is registered and not retired, and, when it requires an
    ///         attestation, that custodian registration has not been removed.
    /// @param policyId The policy.
    /// @param custodianId The custodian id recorded with the status (zero when none).
    /// @return True when the status still counts (its own freshness aside).
    function acceptsStatus(bytes32 policyId, uint32 custodianId) external view returns (bool) {
        Policy storage policy = _policies[policyId];
        if (policy.commitment == 0 || policy.retired) return false;
        return !policy.requiresAttestation || _custodianRecords[policyId][custodianId].active;
    }

    /// @notice The custodian registered under `custodianId` for the policy (removed or not).
    /// @param policyId The policy.
    /// @param custodianId The registration id.
    /// @return custodian The custodian's address (zero when the id is unknown for the policy).
    /// @return active Whether that registration still counts.
    function custodianById(
        bytes32 policyId,
        uint32 custodianId
    ) external view returns (address custodian, bool active) {
        CustodianRecord storage record = _custodianRecords[policyId][custodianId];
        return (record.custodian, record.active);
    }

    /// @notice The custodian's current registration id for the policy (zero when not registered).
    /// @param policyId The policy.
    /// @param custodian The custodian.
    /// @return The id.
    function custodianIdOf(bytes32 policyId, address custodian) external view returns (uint32) {
        return _custodianIds[policyId][custodian];
    }

    /// @notice Whether the policy is registered and not retired.
    /// @param policyId The policy.
    /// @return True when proofs for the policy are accepted.
    function isActive(bytes32 policyId) external view returns (bool) {
        Policy storage policy = _policies[policyId];
        return policy.commitment != 0 && !policy.retired;
    }

    /// @notice Whether `custodian` is currently registered for the policy.
    /// @param policyId The policy.
    /// @param custodian The address to check.
    /// @return True when the custodian's attestations count for the policy.
    function isCustodian(bytes32 policyId, address custodian) external view returns (bool) {
        return _custodianIds[policyId][custodian] != 0;
    }

    /// @notice The custodians currently registered for the policy (unordered).
    /// @param policyId The policy.
    /// @return The custodian addresses.
    function custodians(bytes32 policyId) external view returns (address[] memory) {
        return _custodians[policyId].values();
    }

    function _activePolicy(bytes32 policyId) private view returns (Policy storage policy) {
        policy = _policies[policyId];
        if (policy.commitment == 0) revert UnknownPolicy(policyId);
        if (policy.retired) revert PolicyIsRetired(policyId);
    }
}
