// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Field bounds are written as the specification states them (`x < modulus`), hence `>=` refusals.
// solhint-disable gas-strict-inequalities

import {SeparatedAdminRules} from "./SeparatedAdminRules.sol";
import {SnarkField} from "./SnarkField.sol";

/// @title MarketBook
/// @author zkmargin
/// @notice The on-chain record of market rounds, one feed per slot layout: for each round of a
///         feed, its timestamp and the Poseidon commitment to its prices, marks and risk arrays
///         (`market.json` encoded for that layout, as the circuit specification says). A feed is
///         named by its layout's `layoutId` (as bytes32), which is also an element of every
///         commitment, so a round posted for one layout can never be used with a policy of another.
/// @dev Within a feed, rounds are contiguous: the first round opens the feed (any number from 1 to
///      2^63 - 1, so the feed can never be pushed to the end of the uint64 range), and every later
///      one is the latest plus one. Timestamps never go backwards nor into the future. A posted
///      round never changes, but a publisher can mark it invalid (for good); MarginRegistry then
///      refuses proofs against it and stops counting statuses proven on it. Posting round r + 1
///      records when round r was superseded, and marks round r - 1 as outdated, so that
///      MarginRegistry can apply the latest-round rule from one round's record (see `RoundRecord`).
///      The market file itself can travel in the `RoundPosted` event (`marketData`), so every
///      round's data can be fetched from its feed and round alone.
///      Publishing is per feed: only holders of `publisherRole(feed)` post and invalidate that
///      feed's rounds, so one feed's oracle can neither take another feed's next round number nor
///      invalidate its rounds.
///      Admin: OpenZeppelin's AccessControlDefaultAdminRules (two-step, delayed admin transfer)
///      with SeparatedAdminRules: the admin grants each feed's publisher role and can never hold
///      one itself.
contract MarketBook is SeparatedAdminRules {
    /// @notice The tag of the per-feed publisher roles (`publisherRole(feed)`); not a role itself.
    bytes32 public constant PUBLISHER_ROLE = keccak256("zkmargin.PUBLISHER_ROLE");

    /// @notice The highest round number that can open a feed.
    uint64 public constant MAX_FIRST_ROUND = type(uint64).max >> 1;

    /// @notice A posted round, as stored (two slots) and as `roundRecord` returns it.
    /// @param commitment The market commitment; never zero for a posted round.
    /// @param timestamp The round's timestamp (seconds since the epoch), as committed to.
    /// @param postedAt The block timestamp of the posting.
    /// @param supersededAt The block timestamp at which round + 1 was posted; zero while this
    ///        round is the feed's latest.
    /// @param outdated True once round + 2 has been posted: the round is neither the latest nor
    ///        the one before it.
    /// @param invalid True once the publisher marked the round invalid.
    struct RoundRecord {
        uint256 commitment;
        uint64 timestamp;
        uint64 postedAt;
        uint64 supersededAt;
        bool outdated;
        bool invalid;
    }

    /// @notice A feed's head (one slot): its first and latest rounds and the latest's timestamp.
    struct FeedHead {
        uint64 firstRound;
        uint64 latestRound;
        uint64 latestTimestamp;
    }

    mapping(bytes32 feed => FeedHead) private _heads;
    mapping(bytes32 feed => mapping(uint64 round => RoundRecord)) private _rounds;

    /// @notice A round was posted to a feed.
    /// @param feed The feed (the layout id).
    /// @param round The round number.
    /// @param timestamp The round's timestamp.
    /// @param marketCommitment The round's market commitment.
    /// @param publisher The publisher that posted it.
    /// @param marketData The market file as the publisher chose to publish it (may be empty; the
    ///        SDK's encoding is documented in verifier-contracts/README.md).
    event RoundPosted(
        bytes32 indexed feed,
        uint64 indexed round,
        uint64 timestamp,
        uint256 marketCommitment,
        address indexed publisher,
        bytes marketData
    );
    /// @notice A round was marked invalid.
    /// @param feed The feed.
    /// @param round The round number.
    /// @param publisher The publisher that invalidated it.
    event RoundInvalidated(bytes32 indexed feed, uint64 indexed round, address indexed publisher);

    /// @notice The feed id is zero.
    error ZeroFeed();
    /// @notice The first round of a feed is zero or above MAX_FIRST_ROUND.
    error InvalidFirstRound(uint64 round);
    /// @notice The round is not the feed's latest round plus one.
    error RoundNotContiguous(uint64 round, uint64 expected);
    /// @notice The timestamp is before the feed's latest round's timestamp.
    error TimestampBackwards(uint64 timestamp, uint64 latestTimestamp);
    /// @notice The timestamp is after the current block's timestamp.
    error TimestampInFuture(uint64 timestamp, uint256 blockTimestamp);
    /// @notice The timestamp is zero.
    error ZeroTimestamp();
    /// @notice The commitment is zero or not below the scalar field modulus.
    error InvalidMarketCommitment(uint256 marketCommitment);
    /// @notice No round with this number has been posted to the feed.
    error UnknownRound(bytes32 feed, uint64 round);
    /// @notice The round is already marked invalid.
    error RoundAlreadyInvalid(bytes32 feed, uint64 round);

    /// @notice Deploys the book.
    /// @param adminDelay The delay (seconds) of a default-admin transfer.
    /// @param admin The holder of DEFAULT_ADMIN_ROLE, which grants the feeds' publisher roles.
    constructor(uint48 adminDelay, address admin) SeparatedAdminRules(adminDelay, admin) {}

    /// @notice Posts a round to a feed.
    /// @dev Only a holder of `publisherRole(feed)` (else AccessControlUnauthorizedAccount with
    ///      that role). Reverts unless the feed id is non-zero, the round is the feed's
    ///      latest plus one (or, for a feed's first round, from 1 to MAX_FIRST_ROUND), the timestamp
    ///      is non-zero, not before the feed's latest and not after `block.timestamp`, and the
    ///      commitment is a non-zero field element.
    /// @param feed The feed: the layout id the round is encoded for.
    /// @param round The round number.
    /// @param timestamp The round's timestamp, as committed to in `marketCommitment`.
    /// @param marketCommitment The Poseidon market commitment of the round for the feed's layout.
    /// @param marketData The market file, for anyone to fetch from the event (may be empty).
    function postRound(
        bytes32 feed,
        uint64 round,
        uint64 timestamp,
        uint256 marketCommitment,
        bytes calldata marketData
    ) external {
        _checkRole(publisherRole(feed));
        if (feed == bytes32(0)) revert ZeroFeed();
        FeedHead memory head = _heads[feed];
        if (head.latestRound == 0) {
            if (round == 0 || round > MAX_FIRST_ROUND) revert InvalidFirstRound(round);
        } else if (round != head.latestRound + 1) {
            revert RoundNotContiguous(round, head.latestRound + 1);
        }
        if (timestamp == 0) revert ZeroTimestamp();
        if (timestamp < head.latestTimestamp) {
            revert TimestampBackwards(timestamp, head.latestTimestamp);
        }
        if (timestamp > block.timestamp) revert TimestampInFuture(timestamp, block.timestamp);
        if (marketCommitment == 0 || marketCommitment >= SnarkField.SCALAR_MODULUS) {
            revert InvalidMarketCommitment(marketCommitment);
        }

        uint64 now64 = uint64(block.timestamp);
        mapping(uint64 => RoundRecord) storage rounds = _rounds[feed];
        if (head.latestRound == 0) {
            head.firstRound = round;
        } else {
            rounds[head.latestRound].supersededAt = now64;
            if (head.latestRound > head.firstRound) rounds[head.latestRound - 1].outdated = true;
        }
        rounds[round] = RoundRecord({
            commitment: marketCommitment,
            timestamp: timestamp,
            postedAt: now64,
            supersededAt: 0,
            outdated: false,
            invalid: false
        });
        _heads[feed] = FeedHead({
            firstRound: head.firstRound,
            latestRound: round,
            latestTimestamp: timestamp
        });
        emit RoundPosted(feed, round, timestamp, marketCommitment, msg.sender, marketData);
    }

    /// @notice Marks a posted round invalid, for good: proofs against it are refused and statuses
    ///         proven on it stop counting. Post the corrected data as the next round.
    /// @dev Only a holder of `publisherRole(feed)`; then UnknownRound, RoundAlreadyInvalid.
    /// @param feed The feed.
    /// @param round The round to invalidate.
    function invalidateRound(bytes32 feed, uint64 round) external {
        _checkRole(publisherRole(feed));
        RoundRecord storage record = _rounds[feed][round];
        if (record.commitment == 0) revert UnknownRound(feed, round);
        if (record.invalid) revert RoundAlreadyInvalid(feed, round);
        record.invalid = true;
        emit RoundInvalidated(feed, round, msg.sender);
    }

    /// @notice The role whose holders post and invalidate the rounds of `feed` (granted and revoked
    ///         by the default admin with `grantRole`/`revokeRole`, like every role).
    /// @param feed The feed.
    /// @return The role id: keccak256(abi.encode(PUBLISHER_ROLE, feed)).
    function publisherRole(bytes32 feed) public pure returns (bytes32) {
        return keccak256(abi.encode(PUBLISHER_ROLE, feed));
    }

    /// @notice A round's record, read without reverting: `commitment == 0` when it was never posted.
    /// @param feed The feed.
    /// @param round The round number.
    /// @return record The round's record.
    function roundRecord(
        bytes32 feed,
        uint64 round
    ) external view returns (RoundRecord memory record) {
        return _rounds[feed][round];
    }

    /// @notice A round's two storage words, read without reverting, for MarginRegistry (which
    ///         decodes them itself, sparing the struct's ABI work on every proof): the commitment
    ///         (zero when never posted), and the packed record `timestamp | postedAt << 64 |
    ///         supersededAt << 128 | outdated << 192 | invalid << 200` (RoundRecord's second slot).
    ///         Its selector (0x08a35a1f) is third in the IR dispatcher's ascending order.
    /// @param feed The feed.
    /// @param round The round number.
    /// @return commitment The round's market commitment.
    /// @return record The packed rest of the round's record.
    function packedRound(
        bytes32 feed,
        uint64 round
    ) external view returns (uint256 commitment, uint256 record) {
        RoundRecord storage stored = _rounds[feed][round];
        // The two slots as they are stored (see `record` above).
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            commitment := sload(stored.slot)
            record := sload(add(stored.slot, 1))
        }
    }

    /// @notice Returns a posted round; reverts with UnknownRound if it was never posted.
    /// @param feed The feed.
    /// @param round The round number.
    /// @return timestamp The round's timestamp.
    /// @return marketCommitment The round's market commitment.
    function getRound(
        bytes32 feed,
        uint64 round
    ) external view returns (uint64 timestamp, uint256 marketCommitment) {
        RoundRecord storage record = _rounds[feed][round];
        if (record.commitment == 0) revert UnknownRound(feed, round);
        return (record.timestamp, record.commitment);
    }

    /// @notice The feed's latest round; reverts with UnknownRound(feed, 0) before its first post.
    /// @param feed The feed.
    /// @return round The latest round number.
    /// @return timestamp Its timestamp.
    /// @return marketCommitment Its market commitment.
    function latestRound(
        bytes32 feed
    ) external view returns (uint64 round, uint64 timestamp, uint256 marketCommitment) {
        FeedHead memory head = _heads[feed];
        if (head.latestRound == 0) revert UnknownRound(feed, 0);
        return (head.latestRound, head.latestTimestamp, _rounds[feed][head.latestRound].commitment);
    }

    /// @notice A feed's head, read without reverting: all zero before the feed's first round.
    /// @param feed The feed.
    /// @return head The feed's first and latest rounds and the latest's timestamp.
    function feedHead(bytes32 feed) external view returns (FeedHead memory head) {
        return _heads[feed];
    }

    /// @notice Whether a round of the feed has been posted.
    /// @param feed The feed.
    /// @param round The round number.
    /// @return True when the round exists.
    function hasRound(bytes32 feed, uint64 round) external view returns (bool) {
        return _rounds[feed][round].commitment != 0;
    }
}
