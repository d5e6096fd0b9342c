/**
 * A feed's layout and its rounds' market files: checking a market file against the layout (it
 * must cover every slot of the policy, fit the instance, and hash, for that layout, to the feed's
 * posted commitment), and fetching a round's file from the `RoundPosted` event alone.
 */
import type { BaseContract } from "ethers";
import { queryEvents, type BlockRange } from "../chain/events";
import { publicCommitments } from "../commitments";
import type { InstanceDims } from "../encoding/instances";
import { misfits, requiredDims } from "../encoding/instances";
import { InputError } from "../errors";
import { checkConsistency, parseMarket, type Market, type Policy } from "../inputs";
import { feedIdOf } from "../layout";
import { unixTime } from "../time";
import { decodeMarketData } from "./encoding";

/** What a market file is checked against: a feed and the layout it carries. */
export interface FeedLayout {
  /** The feed id (`feedIdOf(layoutId)`), 0x-prefixed bytes32. */
  feed: string;
  /** A policy laid out on the feed (every policy of one feed gives the same layout). */
  policy: Policy;
  /** The circuit instance's name and dimensions. */
  instance: string;
  dims: InstanceDims;
}

/** Why a round's market file was refused. */
export type MarketRefusal = "missing" | "encoding" | "invalid" | "layout" | "commitment" | "stale";

/** A market file refused for a feed: an InputError (one line in the CLI) with its reason. */
export class MarketDataError extends InputError {
  constructor(
    readonly reason: MarketRefusal,
    source: string,
    path: string,
    rule: string,
  ) {
    super(source, path, rule);
    this.name = "MarketDataError";
  }
}

/** A market file checked against a feed's layout, with its commitment for that layout. */
export interface CheckedMarket {
  market: Market;
  commitment: bigint;
}

const NO_HOLDINGS = {
  account: "0x0000000000000000000000000000000000000000",
  collateral: new Map<string, bigint>(),
  perps: new Map(),
  options: new Map<string, bigint>(),
};

/**
 * Validates a market.json document for `layout`: the schema, a price for every policy asset and
 * perp underlying and a quote for every option series, the instance's dimensions, and the feed
 * (the policy's layout on the instance must be `layout.feed`). Returns the parsed market and its
 * commitment for the layout. Refusals are {@link MarketDataError}s naming `source`.
 */
export async function checkMarketForLayout(
  document: unknown,
  source: string,
  layout: FeedLayout,
): Promise<CheckedMarket> {
  let market: Market;
  try {
    market = parseMarket(document, source);
  } catch (error) {
    throw asRefusal(error, "invalid");
  }
  try {
    checkConsistency(
      layout.policy,
      market,
      { ...NO_HOLDINGS },
      {
        policy: "policy",
        market: source,
        portfolio: "(no portfolio)",
      },
    );
  } catch (error) {
    throw asRefusal(error, "layout");
  }
  const problems = misfits(requiredDims(layout.policy, market), layout.dims);
  if (problems.length > 0) {
    throw new MarketDataError(
      "layout",
      source,
      "$",
      `does not fit instance "${layout.instance}" of the feed: ${problems.join(", ")}`,
    );
  }
  const published = await publicCommitments({
    policy: layout.policy,
    market,
    instance: layout.dims,
  });
  const feed = feedIdOf(published.layoutId);
  if (feed !== layout.feed) {
    throw new MarketDataError(
      "layout",
      source,
      "$",
      `policy ${layout.policy.id} on instance "${layout.instance}" is laid out for feed ${feed}, not ${layout.feed}`,
    );
  }
  return { market, commitment: published.market };
}

function asRefusal(error: unknown, reason: MarketRefusal): unknown {
  if (error instanceof MarketDataError) return error;
  if (error instanceof InputError) {
    return new MarketDataError(reason, error.file, error.path, error.rule);
  }
  return error;
}

/** A `RoundPosted` event. */
export interface RoundPosting {
  feed: string;
  round: bigint;
  timestamp: bigint;
  commitment: bigint;
  publisher: string;
  marketData: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
}

/**
 * The `RoundPosted` event of `round` on `feed` (undefined when none in the block range). A round
 * is posted once per feed, so a canonical chain holds at most one.
 */
export async function findRoundPosting(
  marketBook: BaseContract,
  feed: string,
  round: bigint,
  range: BlockRange = {},
): Promise<RoundPosting | undefined> {
  const events = await queryEvents(marketBook, marketBook.filters.RoundPosted(feed, round), range);
  const last = events[events.length - 1];
  if (last === undefined) return undefined;
  return {
    feed: last.args.feed as string,
    round: last.args.round as bigint,
    timestamp: last.args.timestamp as bigint,
    commitment: last.args.marketCommitment as bigint,
    publisher: last.args.publisher as string,
    marketData: last.args.marketData as string,
    blockNumber: last.blockNumber,
    blockHash: last.blockHash,
    transactionHash: last.transactionHash,
  };
}

/** A round's market file, fetched from its posting and checked against the feed's layout. */
export interface FetchedRound extends CheckedMarket {
  posting: RoundPosting;
  /** The market.json document as posted. */
  document: unknown;
}

/** How a fetched round is named in errors. */
export function roundSource(feed: string, round: bigint): string {
  return `feed ${feed} round ${round}`;
}

/**
 * Checks a posted round's market data: decodes it, validates it for the layout, and checks that
 * it is the round it was posted as and hashes to the posted commitment.
 */
export async function checkPosting(
  posting: RoundPosting,
  layout: FeedLayout,
): Promise<FetchedRound> {
  const source = roundSource(posting.feed, posting.round);
  let document: unknown;
  try {
    document = decodeMarketData(posting.marketData, source);
  } catch (error) {
    const refusal = asRefusal(error, "encoding") as MarketDataError;
    if (posting.marketData === "0x") {
      throw new MarketDataError("missing", refusal.file, refusal.path, refusal.rule);
    }
    throw refusal;
  }
  const checked = await checkMarketForLayout(document, source, layout);
  if (checked.market.round !== posting.round) {
    throw new MarketDataError(
      "invalid",
      source,
      "round",
      `is ${checked.market.round}, posted as round ${posting.round}`,
    );
  }
  if (checked.market.timestamp !== posting.timestamp) {
    throw new MarketDataError(
      "invalid",
      source,
      "timestamp",
      `is ${unixTime(checked.market.timestamp)}, posted with timestamp ${unixTime(posting.timestamp)}`,
    );
  }
  if (checked.commitment !== posting.commitment) {
    throw new MarketDataError(
      "commitment",
      source,
      "$",
      `hashes to market commitment ${checked.commitment} for the feed's layout, but ${posting.commitment} was posted`,
    );
  }
  return { ...checked, posting, document };
}

/**
 * Fetches round `round` of the layout's feed from its `RoundPosted` event and checks it
 * ({@link checkPosting}); a round never posted in the range is a `missing` refusal.
 */
export async function fetchRound(
  marketBook: BaseContract,
  layout: FeedLayout,
  round: bigint,
  range: BlockRange = {},
): Promise<FetchedRound> {
  const posting = await findRoundPosting(marketBook, layout.feed, round, range);
  if (posting === undefined) {
    throw new MarketDataError(
      "missing",
      roundSource(layout.feed, round),
      "RoundPosted",
      "no such event in the searched blocks",
    );
  }
  return checkPosting(posting, layout);
}
