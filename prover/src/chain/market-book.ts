/**
 * Publishing and reading market rounds in MarketBook: one feed per slot layout (its `layoutId`).
 */
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { grantRoleId, roleId, scopedRole } from "./roles";
import { sendAndWait } from "./send";

/** `MarketBook.PUBLISHER_ROLE`: the tag of the per-feed publisher roles. */
export const PUBLISHER_ROLE = roleId("PUBLISHER_ROLE");

/** `MarketBook.publisherRole(feed)`: the role that may post and invalidate the feed's rounds. */
export function publisherRoleOf(feed: string): string {
  return scopedRole(PUBLISHER_ROLE, feed);
}

/** Grants `feed`'s publisher role to `publisher`; the signer needs MarketBook's default admin role. */
export function grantPublisher(
  marketBook: BaseContract,
  feed: string,
  publisher: string,
): Promise<ContractTransactionReceipt> {
  return grantRoleId(marketBook, publisherRoleOf(feed), publisher);
}

/** Whether `account` holds `feed`'s publisher role. */
export async function isPublisher(
  marketBook: BaseContract,
  feed: string,
  account: string,
): Promise<boolean> {
  return (await marketBook.getFunction("hasRole")(publisherRoleOf(feed), account)) as boolean;
}

/** What {@link postRound} publishes: a round of a feed, its timestamp and its market commitment. */
export interface RoundPosting {
  /** The feed: the layout id as a 32-byte word (`feedIdOf(layoutId)`). */
  feed: string;
  round: bigint;
  timestamp: bigint;
  /** The round's market commitment for the feed's layout (`publicCommitments(...).market`). */
  commitment: bigint;
  /** The market file as published in the `RoundPosted` event (default: none). */
  marketData?: Uint8Array | string;
}

/** A round's record in MarketBook (`roundRecord`); `commitment == 0n` when it was never posted. */
export interface RoundRecord {
  commitment: bigint;
  timestamp: bigint;
  postedAt: bigint;
  /** When the next round was posted (0n while this one is the latest). */
  supersededAt: bigint;
  /** The round after the next one has been posted. */
  outdated: boolean;
  invalid: boolean;
}

/** Posts a market round to its feed; the signer needs the feed's publisher role. */
export function postRound(
  marketBook: BaseContract,
  posting: RoundPosting,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(marketBook, "postRound", [
    posting.feed,
    posting.round,
    posting.timestamp,
    posting.commitment,
    posting.marketData ?? "0x",
  ]);
}

/** Marks a posted round invalid, for good; the signer needs the feed's publisher role. */
export function invalidateRound(
  marketBook: BaseContract,
  feed: string,
  round: bigint,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(marketBook, "invalidateRound", [feed, round]);
}

/** Reads a round's record (never reverts). */
export async function readRound(
  marketBook: BaseContract,
  feed: string,
  round: bigint,
): Promise<RoundRecord> {
  const r = (await marketBook.getFunction("roundRecord")(feed, round)) as RoundRecord;
  return {
    commitment: r.commitment,
    timestamp: r.timestamp,
    postedAt: r.postedAt,
    supersededAt: r.supersededAt,
    outdated: r.outdated,
    invalid: r.invalid,
  };
}

/** A feed's head: its first and latest rounds (0n before the first post). */
export interface FeedHead {
  firstRound: bigint;
  latestRound: bigint;
  latestTimestamp: bigint;
}

/** Reads a feed's head (never reverts; all zero before the feed's first round). */
export async function readFeedHead(marketBook: BaseContract, feed: string): Promise<FeedHead> {
  const h = (await marketBook.getFunction("feedHead")(feed)) as FeedHead;
  return {
    firstRound: h.firstRound,
    latestRound: h.latestRound,
    latestTimestamp: h.latestTimestamp,
  };
}
