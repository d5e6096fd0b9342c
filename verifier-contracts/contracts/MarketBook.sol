// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title MarketBook
/// @author zkmargin
/// @notice The on-chain record of market rounds: for each oracle round, its timestamp and the
///         Poseidon commitment to its prices, marks and risk arrays (`market.json`, hashed as the
///         circuit specification says). Proofs are made against a round posted here.
/// @dev Rounds are append-only: round numbers strictly increase, timestamps never go backwards
///      nor into the future, and a posted round can never be changed.
contract MarketBook is AccessControl {
    /// @notice The role allowed to post rounds.
    bytes32 public constant PUBLISHER_ROLE = keccak256("zkmargin.PUBLISHER_ROLE");

    /// @notice A posted round.
    /// @param timestamp The round's timestamp (seconds since the epoch), as committed to.
    /// @param commitment The market commitment; never zero for a posted round.
    struct Round {
        uint64 timestamp;
        uint256 commitment;
    }

    mapping(uint64 round => Round) private _rounds;
    uint64 private _latestRound;
    uint64 private _latestTimestamp;
    bool private _hasRounds;

    /// @notice A round was posted.
    /// @param round The round number.
    /// @param timestamp The round's timestamp.
    /// @param marketCommitment The round's market commitment.
    /// @param publisher The publisher that posted it.
    event RoundPosted( // solhint-disable-line gas-indexed-events

        uint64 indexed round,
        uint64 timestamp,
        uint256 marketCommitment,
        address indexed publisher
    );

    /// @notice The round number is not above the latest posted round.
    error RoundNotIncreasing(uint64 round, uint64 latestRound);
    /// @notice The timestamp is before the latest posted round's timestamp.
    error TimestampBackwards(uint64 timestamp, uint64 latestTimestamp);
    /// @notice The timestamp is after the current block's timestamp.
    error TimestampInFuture(uint64 timestamp, uint256 blockTimestamp);
    /// @notice The timestamp is zero.
    error ZeroTimestamp();
    /// @notice The commitment is zero or not below the scalar field modulus.
    error InvalidMarketCommitment(uint256 marketCommitment);
    /// @notice No round with this number has been posted.
    error UnknownRound(uint64 round);
    /// @notice The admin address is zero.
    error ZeroAdmin();

    /// @notice Deploys the book; `admin` manages roles (and may grant itself PUBLISHER_ROLE).
    /// @param admin The holder of DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert ZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Posts a market round.
    /// @dev Only PUBLISHER_ROLE. Reverts unless `round` is above every posted round, `timestamp`
    ///      is not before the latest posted timestamp and not after `block.timestamp`, and the
    ///      commitment is a non-zero field element.
    /// @param round The oracle round number.
    /// @param timestamp The round's timestamp, as committed to in `marketCommitment`.
    /// @param marketCommitment The Poseidon market commitment of the round.
    function postRound(
        uint64 round,
        uint64 timestamp,
        uint256 marketCommitment
    ) external onlyRole(PUBLISHER_ROLE) {
        if (_hasRounds && round <= _latestRound) revert RoundNotIncreasing(round, _latestRound);
        if (timestamp == 0) revert ZeroTimestamp();
        if (timestamp < _latestTimestamp) revert TimestampBackwards(timestamp, _latestTimestamp);
        if (timestamp > block.timestamp) revert TimestampInFuture(timestamp, block.timestamp);
        if (marketCommitment == 0 || marketCommitment >= SnarkField.SCALAR_MODULUS) {
            revert InvalidMarketCommitment(marketCommitment);
        }
        _rounds[round] = Round({timestamp: timestamp, commitment: marketCommitment});
        _latestRound = round;
        _latestTimestamp = timestamp;
        _hasRounds = true;
        emit RoundPosted(round, timestamp, marketCommitment, msg.sender);
    }

    /// @notice Returns a posted round; reverts with UnknownRound if it was never posted.
    /// @param round The round number.
    /// @return timestamp The round's timestamp.
    /// @return marketCommitment The round's market commitment.
    function getRound(
        uint64 round
    ) external view returns (uint64 timestamp, uint256 marketCommitment) {
        Round storage r = _rounds[round];
        if (r.commitment == 0) revert UnknownRound(round);
        return (r.timestamp, r.commitment);
    }

    /// @notice A round's data, read without reverting: `marketCommitment == 0` when unknown.
    /// @param round The round number.
    /// @return timestamp The round's timestamp (zero when unknown).
    /// @return marketCommitment The round's market commitment (zero when unknown).
    function roundData(
        uint64 round
    ) external view returns (uint64 timestamp, uint256 marketCommitment) {
        Round storage r = _rounds[round];
        return (r.timestamp, r.commitment);
    }

    /// @notice Whether a round has been posted.
    /// @param round The round number.
    /// @return True when the round exists.
    function hasRound(uint64 round) external view returns (bool) {
        return _rounds[round].commitment != 0;
    }

    /// @notice The latest posted round; reverts with UnknownRound(0) before the first post.
    /// @return round The latest round number.
    /// @return timestamp Its timestamp.
    /// @return marketCommitment Its market commitment.
    function latestRound()
        external
        view
        returns (uint64 round, uint64 timestamp, uint256 marketCommitment)
    {
        if (!_hasRounds) revert UnknownRound(0);
        Round storage r = _rounds[_latestRound];
        return (_latestRound, r.timestamp, r.commitment);
    }
}
