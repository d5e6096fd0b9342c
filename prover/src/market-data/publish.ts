/**
 * The oracle publisher's side: validate a market file for a feed's layout and post it as the
 * feed's next round, with the file itself in the event (`marketData`), so anyone can fetch and
 * check it from the feed and round alone. A round too old for every policy of the feed (their
 * `maxRoundAge` at the chain's clock) is refused unless forced, and one that some policy cannot
 * use, or can use only for a short while, is posted with a warning.
 */
import type { BaseContract, Signer } from "ethers";
import { isPublisher, postRound, publisherRoleOf, readFeedHead } from "../chain/market-book";
import { InputError } from "../errors";
import { duration, seconds, unixTime } from "../time";
import { encodeMarketData } from "./encoding";
import { checkMarketForLayout, MarketDataError, type FeedLayout } from "./feed";

/** How old a round may be when it is posted: the rules of the policies that use the feed. */
export interface RoundFreshness {
  /** Each policy of the feed (its policy.json id) with its maxRoundAge, seconds. */
  maxRoundAges: readonly { policy: string; maxRoundAge: bigint }[];
  /** Post even a round that no policy of the feed could use. */
  force?: boolean;
}

/**
 * The warnings about a round of timestamp `timestamp` posted at the chain's clock `now`: a policy
 * that cannot use it (older than its maxRoundAge), or can only for less than half its
 * maxRoundAge. Throws a {@link MarketDataError} (reason `stale`) when no policy can use it, unless
 * `force`.
 */
export function judgeRoundAge(
  timestamp: bigint,
  now: bigint,
  freshness: RoundFreshness,
  source: string,
): string[] {
  const age = now - timestamp;
  if (age < 0n) return []; // MarketBook refuses a future timestamp (TimestampInFuture)
  const old = `its timestamp ${unixTime(timestamp)} is ${seconds(age)} before the chain's clock ${unixTime(now)}`;
  const rules = freshness.maxRoundAges;
  const useless = rules.filter((r) => age > r.maxRoundAge);
  if (rules.length > 0 && useless.length === rules.length && freshness.force !== true) {
    throw new MarketDataError(
      "stale",
      source,
      "timestamp",
      `too old to post: ${old}, more than the maxRoundAge of every policy of the feed ` +
        `(${rules.map((r) => `${r.policy}: ${seconds(r.maxRoundAge)}`).join(", ")}), so no proof could ` +
        "use the round; post fresh prices (--timestamp now posts this file's prices at the chain's " +
        "clock), or --force",
    );
  }
  const warnings = useless.map(
    (r) =>
      `round too old for policy ${r.policy}: ${old}, more than its maxRoundAge of ${seconds(r.maxRoundAge)}; ` +
      "no proof under it can use the round",
  );
  for (const r of rules) {
    const left = r.maxRoundAge - age;
    if (left >= 0n && left * 2n < r.maxRoundAge) {
      warnings.push(
        `the round counts under policy ${r.policy} for only ${duration(left)} more (until ` +
          `${unixTime(timestamp + r.maxRoundAge)}): ${old}`,
      );
    }
  }
  return warnings;
}

/** What was posted. */
export interface PublishedRound {
  feed: string;
  round: bigint;
  timestamp: bigint;
  commitment: bigint;
  /** Size of the posted market data, bytes. */
  marketDataBytes: number;
  transactionHash: string;
  blockNumber: number;
  gasUsed: bigint;
  /** The round's age at the chain's clock when it was posted, seconds. */
  ageSeconds: bigint;
  /** What the publisher should know: policies that cannot use the round, or not for long. */
  warnings: string[];
}

/**
 * Checks `document` (a market.json object, named `source` in errors) for the layout and for every
 * other policy of the feed in `sharing` (a portfolio-margin policy needs the joint scenario set),
 * refuses a round that is not the feed's next (contiguous rounds), a timestamp before the
 * latest round's, given `freshness` a round too old for every policy of the feed (see
 * {@link judgeRoundAge}), and a signer of `marketBook` without the feed's publisher role
 * (`MarketBook.publisherRole(feed)`: publishing is per feed); then posts it.
 */
export async function publishMarket(
  marketBook: BaseContract,
  layout: FeedLayout,
  document: unknown,
  source: string,
  sharing: readonly FeedLayout[] = [],
  freshness?: RoundFreshness,
): Promise<PublishedRound> {
  const { market, commitment } = await checkMarketForLayout(document, source, layout);
  for (const other of sharing) {
    if (other.feed.toLowerCase() !== layout.feed.toLowerCase()) {
      throw new RangeError(`policy ${other.policy.id} is not on feed ${layout.feed}`);
    }
    await checkMarketForLayout(document, source, other);
  }
  const publisher = await (marketBook.runner as Signer | null)?.getAddress?.();
  if (publisher === undefined) throw new Error("publishing needs a MarketBook with a signer");
  if (!(await isPublisher(marketBook, layout.feed, publisher))) {
    throw new InputError(
      `contract ${String(marketBook.target)}`,
      `publisherRole(${layout.feed})`,
      `is not held by ${publisher}: only the feed's publishers post its rounds (role ` +
        `${publisherRoleOf(layout.feed)}, granted by the default admin: zkmargin deploy policy --publisher)`,
    );
  }
  const head = await readFeedHead(marketBook, layout.feed);
  if (head.latestRound > 0n && market.round !== head.latestRound + 1n) {
    throw new MarketDataError(
      "invalid",
      source,
      "round",
      `must be ${head.latestRound + 1n}: rounds of feed ${layout.feed} are contiguous (latest ${head.latestRound})`,
    );
  }
  if (market.timestamp < head.latestTimestamp) {
    throw new MarketDataError(
      "invalid",
      source,
      "timestamp",
      `must not be before the latest round's timestamp ${unixTime(head.latestTimestamp)}`,
    );
  }
  const latest = await marketBook.runner?.provider?.getBlock("latest");
  const now = BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000));
  const warnings =
    freshness === undefined ? [] : judgeRoundAge(market.timestamp, now, freshness, source);
  const marketData = encodeMarketData(document);
  const receipt = await postRound(marketBook, {
    feed: layout.feed,
    round: market.round,
    timestamp: market.timestamp,
    commitment,
    marketData,
  });
  return {
    feed: layout.feed,
    round: market.round,
    timestamp: market.timestamp,
    commitment,
    marketDataBytes: (marketData.length - 2) / 2,
    transactionHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    ageSeconds: now - market.timestamp,
    warnings,
  };
}
