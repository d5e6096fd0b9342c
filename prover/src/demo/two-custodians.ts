/**
 * The demo's pledges chapter (issue 19): the holder's collateral sits with two custodians
 * (examples/pledges/: stablecoins at a qualified custodian, ETH at a crypto custodian), each
 * short of the venue's policy alone and sufficient together. One proof of the sum, one opening
 * per custodian, each custodian's pledge of its own sub-portfolio to the venue, accepted. Then
 * the same pledges are refused at a second venue of the same registry (`PledgeForOtherVenue`),
 * and the custodian's ledger refuses to pledge the same holdings there again.
 */
import path from "node:path";
import type { Contract, Signer } from "ethers";
import {
  addCustodian,
  isMarginSufficient,
  policyIdOf,
  refusalText,
  registerPolicy,
  submitProof,
  toSolidityProof,
  venueIdOf,
  type SignedPledge,
} from "../chain";
import { publicCommitments } from "../commitments";
import type { InstanceDims } from "../encoding/instances";
import { loadPortfolio, type Market, type Policy, type Portfolio } from "../inputs";
import { formatUnits } from "../decimal";
import { computeMargin, formatReport, MICRO_USD_DECIMALS } from "../model";
import { emptyLedger, ledgerEntry, pledgedElsewhere, pledgeShortfalls } from "../pledges/ledger";
import { decodePublicSignals, generateProof, type PledgeFile } from "../proving";
import type { DemoChain } from "./chain";
import { deployVenue, type DemoRoles } from "./deployment";
import { latestTimestamp, pledgeForADay, refusal } from "./steps";

/** What the chapter needs from the rest of the demo. */
export interface TwoCustodiansContext {
  /** Folder with one portfolio.json per custodian (examples/pledges). */
  folder: string;
  /** The venue's policy (the demo's desk policy) and its market round. */
  policy: Policy;
  market: Market;
  instance: string;
  dims: InstanceDims;
  verificationKeyHash: string;
  roles: DemoRoles;
  /** The second custodian's account. */
  secondCustodian: Signer;
  chain: DemoChain;
  root: string;
  heading(title: string): void;
  print(line: string): void;
}

/** What the chapter showed, for the demo's checks and tests. */
export interface TwoCustodiansResult {
  /** Each sub-portfolio alone falls short; their sum does not. */
  shortAlone: boolean[];
  sufficientTogether: boolean;
  /** isMarginSufficient at the venue after the proof of the sum with both pledges. */
  sufficientAfter: boolean;
  proveGas: bigint;
  /** The custom error that refused the same pledges at the second venue. */
  otherVenueRefusedWith: string;
  /** The fields the custodian's ledger refused to pledge again to the second venue. */
  ledgerRefused: string[];
}

const MAX_ROUND_AGE = 3600n;
const SUPERSEDED_GRACE = 300n;
const FILES = ["qualified-custodian.json", "crypto-custodian.json"];
/** The second venue of the chapter's registry. */
export const SECOND_VENUE = venueIdOf("zkmargin demo venue B");

/** Runs the chapter (see the module comment). */
export async function twoCustodiansChapter(
  ctx: TwoCustodiansContext,
): Promise<TwoCustodiansResult> {
  const { print, chain, roles, policy } = ctx;
  ctx.heading("11. Two custodians, one proof; a pledge counts at one venue only");
  const market: Market = {
    ...ctx.market,
    timestamp: BigInt(await latestTimestamp(chain.provider)),
  };
  const files = FILES.map((name) => path.join(ctx.folder, name));
  const pieces: Portfolio[] = files.map((file) => loadPortfolio(file, policy));
  const custodians = [ctx.roles.custodian, ctx.secondCustodian];
  const alone = pieces.map((piece) => computeMargin(policy, market, piece));
  const together = computeMargin(policy, market, pieces);
  for (const [k, report] of alone.entries()) {
    print(
      `${path.relative(ctx.root, files[k])} alone (custodian ${await custodians[k].getAddress()}): ` +
        (report.sufficient ? "sufficient" : "SHORT") +
        `, excess ${formatUnits(report.excessMicroUsd, MICRO_USD_DECIMALS)} USD`,
    );
  }
  print("both together, as one proof of their sum (each one's share below):");
  print(formatReport(together, policy, FILES));

  const proved = await generateProof({
    policy,
    market,
    portfolio: pieces,
    nonce: 1n,
    instance: ctx.instance,
    files: { policy: "policy.json", market: "market.json", portfolios: FILES },
  });
  const signals = decodePublicSignals(proved.publicSignals);
  print(
    `proof of the sum on instance ${proved.instance}: commitments ` +
      `[${signals.portfolioCommitments.join(", ")}], one opening per custodian (each sees only its own)`,
  );

  const venue = await deployVenue(roles, {
    policy,
    market,
    instance: ctx.instance,
    dims: ctx.dims,
    verificationKeyHash: ctx.verificationKeyHash,
    maxRoundAge: MAX_ROUND_AGE,
    supersededGrace: SUPERSEDED_GRACE,
    moreCustodians: [ctx.secondCustodian],
  });
  const registry = venue.marginRegistry.contract;
  const pledges: SignedPledge[] = [];
  for (const [k, custodian] of custodians.entries()) {
    pledges.push(
      await pledgeForADay(custodian, registry, chain.provider, {
        account: pieces[k].account,
        venue: venue.venue,
        portfolioCommitment: signals.portfolioCommitments[k],
      }),
    );
    print(`custodian ${k + 1} pledged sub-portfolio ${k + 1} to venue ${venue.venue}`);
  }
  const holder = await chain.signerFor(pieces[0].account);
  const submission = {
    policyId: venue.policyId,
    round: market.round,
    nonce: 1n,
    portfolioCommitments: signals.portfolioCommitments,
    proof: toSolidityProof(proved.proof),
    pledges,
  };
  const receipt = await submitProof(venue.registryAs(holder), submission);
  const sufficientAfter = await isMarginSufficient(
    registry,
    pieces[0].account,
    venue.policyId,
    MAX_ROUND_AGE,
  );
  print(
    `proved with both pledges and accepted (${receipt.gasUsed} gas): isMarginSufficient ${sufficientAfter}`,
  );

  // A second venue of the same registry, both custodians registered there too: the same holdings,
  // the same commitments (same salts), a proof under its policy, and the pledges made for venue A.
  const policyB: Policy = { ...policy, id: `${policy.id}-venue-b` };
  const published = await publicCommitments({ policy: policyB, market, instance: ctx.dims });
  await registerPolicy(venue.policyRegistry.contract.connect(roles.policyAdmin) as Contract, {
    policyId: policyIdOf(policyB.id),
    commitment: published.policy,
    mode: policyB.mode,
    verifier: venue.verifier,
    verificationKeyHash: ctx.verificationKeyHash,
    feed: venue.feed,
    venue: SECOND_VENUE,
    maxRoundAge: MAX_ROUND_AGE,
    supersededGrace: SUPERSEDED_GRACE,
  });
  const asCustodianAdmin = venue.policyRegistry.contract.connect(roles.custodianAdmin) as Contract;
  for (const custodian of custodians) {
    await addCustodian(asCustodianAdmin, SECOND_VENUE, await custodian.getAddress());
  }
  const provedB = await generateProof({
    policy: policyB,
    market,
    portfolio: pieces,
    salt: proved.openings.map((o) => BigInt(o.salt)),
    nonce: 1n,
    instance: ctx.instance,
  });
  const refused = await refusal(registry.interface, () =>
    submitProof(venue.registryAs(holder), {
      ...submission,
      policyId: policyIdOf(policyB.id),
      proof: toSolidityProof(provedB.proof),
    }),
  );
  print(
    `venue B (${SECOND_VENUE}), the same sub-portfolios and pledges: refused: ${refusalText(refused)}`,
  );

  // What stops a second pledge of the same holdings is the custodian's own ledger.
  const ledger = emptyLedger(await custodians[0].getAddress());
  const pledgedToA: PledgeFile = {
    account: pieces[0].account,
    venue: venue.venue,
    portfolioCommitment: signals.portfolioCommitments[0].toString(),
    custodian: pledges[0].custodian,
    registration: pledges[0].registration.toString(),
    epoch: pledges[0].epoch.toString(),
    issuedAt: pledges[0].issuedAt.toString(),
    validUntil: pledges[0].validUntil.toString(),
    signature: pledges[0].signature,
  };
  ledger.pledges.push(ledgerEntry(pledgedToA, pieces[0]));
  const elsewhere = pledgedElsewhere(ledger, pieces[0].account, SECOND_VENUE, market.timestamp);
  const ledgerRefused = pledgeShortfalls(policy, pieces[0], pieces[0], elsewhere);
  print(
    `custodian 1's ledger refuses to pledge the same holdings to venue B: ${ledgerRefused.join(", ")} ` +
      "already pledged to venue A (each unit is pledged once: the custodian's promise)",
  );
  return {
    shortAlone: alone.map((r) => !r.sufficient),
    sufficientTogether: together.sufficient,
    sufficientAfter,
    proveGas: receipt.gasUsed,
    otherVenueRefusedWith: refused.name,
    ledgerRefused,
  };
}
