/**
 * The oracle publisher's side: validate a market file for a feed's layout and post it as the
 * feed's next round, with the file itself in the event (`marketData`), so anyone can fetch and
 * check it from the feed and round alone.
 */
import type { BaseContract, Signer } from "ethers";
import { isPublisher, postRound, publisherRoleOf, readFeedHead } from "../chain/market-book";
import { InputError } from "../errors";
import { encodeMarketData } from "./encoding";
import { checkMarketForLayout, MarketDataError, type FeedLayout } from "./feed";

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
}

/**
 * Checks `document` (a market.json object, named `source` in errors) for the layout and for every
 * other policy of the feed in `sharing` (a portfolio-margin policy needs the joint scenario set),
 * refuses a round that is not the feed's next (contiguous rounds) or a timestamp before the
 * latest round's, and a signer of `marketBook` without the feed's publisher role
 * (`MarketBook.publisherRole(feed)`: publishing is per feed), and posts it.
 */
export async function publishMarket(
  marketBook: BaseContract,
  layout: FeedLayout,
  document: unknown,
  source: string,
  sharing: readonly FeedLayout[] = [],
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
      `must not be before the latest round's timestamp ${head.latestTimestamp}`,
    );
  }
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
  };
}
