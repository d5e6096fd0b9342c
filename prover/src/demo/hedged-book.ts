/**
 * The demo's portfolio-margin chapter: one hedged book (collateral, a short perp and short puts
 * that offset each other) under the venue's standard policy (model v1: each position charged on
 * its own) and under a portfolio-margin policy (model v2: one joint scenario scan). Short under
 * the first, so the prover refuses it; sufficient under the second, proved and accepted on-chain.
 */
import path from "node:path";
import { isMarginSufficient, submitProof, toSolidityProof } from "../chain";
import type { InstanceDims } from "../encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio, type Market, type Policy } from "../inputs";
import { computeMargin, formatComparison } from "../model";
import { decodePublicSignals, generateProof, singlePortfolioCommitment } from "../proving";
import type { DemoChain } from "./chain";
import { deployVenue, type DemoRoles } from "./deployment";
import { pledgeForADay, latestTimestamp, refusesShortfall } from "./steps";

/** What the chapter needs from the rest of the demo. */
export interface HedgedBookContext {
  /** Folder with the portfolio-margin policy.json, its market.json (joint scenarios) and the book. */
  folder: string;
  /** The venue's standard policy, which the same book is set against. */
  standardPolicy: Policy;
  instance: string;
  dims: InstanceDims;
  verificationKeyHash: string;
  roles: DemoRoles;
  chain: DemoChain;
  root: string;
  heading(title: string): void;
  print(line: string): void;
}

/** What the chapter showed, for the demo's checks and tests. */
export interface HedgedBookResult {
  /** The prover refused the book under the standard policy (its shortfall, before any witness). */
  refusedUnderStandard: boolean;
  /** isMarginSufficient on the portfolio-margin venue after the book's proof. */
  sufficientUnderPortfolio: boolean;
  proveGas: bigint;
}

const MAX_ROUND_AGE = 3600n;
const SUPERSEDED_GRACE = 300n;

/** Runs the chapter: the comparison, the refusal under v1, the proof under v2 on its own venue. */
export async function hedgedBookChapter(ctx: HedgedBookContext): Promise<HedgedBookResult> {
  const { print, chain, roles } = ctx;
  ctx.heading("10. Portfolio margin: a hedged book, short under model v1, sufficient under v2");
  const bookFile = path.join(ctx.folder, "portfolio.json");
  const policy = loadPolicy(path.join(ctx.folder, "policy.json"));
  const market: Market = {
    ...loadMarket(path.join(ctx.folder, "market.json")),
    timestamp: BigInt(await latestTimestamp(chain.provider)),
  };
  const book = loadPortfolio(bookFile, policy);
  const standardBook = loadPortfolio(bookFile, ctx.standardPolicy);
  print(
    `${path.relative(ctx.root, bookFile)}: collateral, a short perp and short puts that hedge ` +
      `each other, under the venue's ${ctx.standardPolicy.id} and under ${policy.id}`,
  );
  print(
    formatComparison([
      computeMargin(ctx.standardPolicy, market, standardBook),
      computeMargin(policy, market, book),
    ]),
  );

  const refusedUnderStandard = await refusesShortfall(bookFile, {
    policy: ctx.standardPolicy,
    market,
    instance: ctx.instance,
    root: ctx.root,
    print,
  });

  const proved = await generateProof({
    policy,
    market,
    portfolio: book,
    nonce: 1n,
    instance: ctx.instance,
    files: {
      policy: path.join(ctx.folder, "policy.json"),
      market: path.join(ctx.folder, "market.json"),
      portfolio: bookFile,
    },
  });
  const venue = await deployVenue(roles, {
    policy,
    market,
    instance: ctx.instance,
    dims: ctx.dims,
    verificationKeyHash: ctx.verificationKeyHash,
    maxRoundAge: MAX_ROUND_AGE,
    supersededGrace: SUPERSEDED_GRACE,
  });
  print(
    `a portfolio-margin venue: policy ${policy.id} registered on feed ${venue.feed}, ` +
      `round ${market.round} (with its joint scenario set) posted`,
  );
  const signals = decodePublicSignals(proved.publicSignals);
  const pledge = await pledgeForADay(
    roles.custodian,
    venue.marginRegistry.contract,
    chain.provider,
    {
      account: book.account,
      venue: venue.venue,
      portfolioCommitment: singlePortfolioCommitment(signals),
    },
  );
  const holder = await chain.signerFor(book.account);
  const receipt = await submitProof(venue.registryAs(holder), {
    policyId: venue.policyId,
    round: market.round,
    portfolioCommitments: signals.portfolioCommitments,
    nonce: signals.nonce,
    proof: toSolidityProof(proved.proof),
    pledges: [pledge],
  });
  const sufficientUnderPortfolio = await isMarginSufficient(
    venue.marginRegistry.contract,
    book.account,
    venue.policyId,
    MAX_ROUND_AGE,
  );
  print(
    `proved under ${policy.id} and accepted (${receipt.gasUsed} gas): ` +
      `isMarginSufficient ${sufficientUnderPortfolio}`,
  );
  return { refusedUnderStandard, sufficientUnderPortfolio, proveGas: receipt.gasUsed };
}
