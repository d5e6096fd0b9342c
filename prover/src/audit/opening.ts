/**
 * `audit opening`: a holder disclosed the opening of one of a proof's portfolio commitments (its
 * sub-portfolio at one pledge slot). Recompute the three commitments from the opened portfolio
 * and salt, the instance's slot layout and the public policy and market files; compare them, the
 * account and the nonce with the proof's public signals (the portfolio commitment at the
 * opening's slot); optionally verify the proof; and compute the reference model's margin report of
 * the opened portfolio, the figures the proof attests to when it is the proof's only
 * sub-portfolio. The salt is never printed.
 */
import type { Market, Policy, Portfolio } from "../inputs";
import { computeMargin, type MarginReport } from "../model";
import {
  checkOpeningPolicy,
  checkOpeningRound,
  misclaimedCommitments,
  openingAccount,
  openingInstance,
  openingPortfolio,
  parseOpening,
  recomputeCommitments,
  type Opening,
} from "../proving/opening";
import { parseProof } from "../proving/proof-files";
import {
  decodePublicSignals,
  usedCommitments,
  type DecodedPublicSignals,
} from "../proving/public-signals";
import { verifyProof } from "../proving/verify-proof";
import { loadArtifacts } from "../setup/manifest";
import { Checklist, noteDevelopmentSetup, type AuditResult } from "./checklist";

/** What {@link auditOpening} is given: the raw JSON of the holder's files and the public inputs. */
export interface OpeningAuditInput {
  /** Parsed opening.json (shape-checked here). */
  opening: unknown;
  /** Parsed public.json. */
  publicSignals: unknown;
  policy: Policy;
  market: Market;
  /** Parsed proof.json, to verify with the opening instance's manifest-checked key. */
  proof?: unknown;
  /** File names for messages. */
  files: { opening: string; public: string; policy: string; market: string; proof?: string };
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
}

/** What an opening audit established. */
export interface OpeningAuditData {
  account?: string;
  nonce?: bigint;
  instance?: string;
  policyId?: string;
  round?: bigint;
  /** The reference model's report of the opened portfolio (private figures: the holder consented). */
  report?: MarginReport;
}

const COMMITMENTS = [
  ["policy", "policyCommitment", "policy"],
  ["market", "marketCommitment", "market"],
  ["portfolio", "portfolioCommitment", "opening"],
] as const;

/** The proof's signal that a recomputed commitment is compared with (the opening's slot's). */
function proofCommitment(
  signals: DecodedPublicSignals,
  name: (typeof COMMITMENTS)[number][0],
  slot: number,
): bigint | undefined {
  if (name === "policy") return signals.policyCommitment;
  if (name === "market") return signals.marketCommitment;
  return signals.portfolioCommitments[slot - 1];
}

/** Audits a disclosed opening; see the module comment. Never throws for a failed check. */
export async function auditOpening(
  input: OpeningAuditInput,
): Promise<AuditResult<OpeningAuditData>> {
  const { policy, market, files } = input;
  const list = new Checklist();
  const data: OpeningAuditData = {};
  const subject = `${files.opening} for ${files.public}`;
  const done = () => list.result("opening", subject, data);

  const opening = await list.attempt(
    "opening.json is a well-formed opening",
    () => parseOpening(input.opening, files.opening),
    (o) => `instance ${o.instance}, policy ${o.policyId}, round ${o.round}`,
  );
  const signals = await list.attempt(
    "public.json holds the public signals (account and nonce, market, policy, one portfolio commitment per pledge slot)",
    () => decodePublicSignals(input.publicSignals, files.public),
    (s) =>
      `account ${s.account}, nonce ${s.nonce}, ${s.portfolioCommitments.length} pledge slot(s)`,
  );
  if (!opening || !signals) return done();
  Object.assign(data, {
    instance: opening.instance,
    policyId: opening.policyId,
    round: BigInt(opening.round),
  });

  await list.attempt(
    "the opening is for the given policy",
    () => checkOpeningPolicy(opening, policy, files.opening),
    () => `${policy.id} (${files.policy})`,
  );
  await list.attempt(
    "the opening is for the given market round",
    () => checkOpeningRound(opening, market, files.opening),
    () => `round ${market.round} (${files.market})`,
  );
  const dims = await list.attempt(
    "the opening's circuit instance exists and fits the policy and market",
    () => openingInstance(opening, policy, market, files.opening),
    (d) =>
      `${opening.instance}: ${d.assets} assets, ${d.perps} perps, ${d.options} options, ${d.scenarios} scenarios, ${d.tiers} tiers`,
  );
  const portfolio = await list.attempt(
    "the opened portfolio is valid for the policy and market",
    () => openingPortfolio(opening, policy, market, files),
    (p) =>
      `${p.collateral.size} collateral asset(s), ${p.perps.size} perp(s), ${p.options.size} option series`,
  );
  if (!dims || !portfolio) return done();

  await checkIdentity(list, opening, portfolio, signals, files);
  data.account = signals.account;
  data.nonce = signals.nonce;

  const recomputed = await list.attempt(
    "commitments recompute from the opened portfolio, the salt and the public files",
    () => recomputeCommitments(opening, policy, market, portfolio, dims),
  );
  if (recomputed) {
    for (const [name, signal, source] of COMMITMENTS) {
      const value = recomputed[name];
      const proof = proofCommitment(signals, name, opening.slot);
      const label =
        name === "portfolio" && signals.portfolioCommitments.length > 1
          ? `${signal}_${opening.slot} (the opening's slot)`
          : signal;
      list.expect(
        `${label}: recomputed from ${source === "opening" ? "portfolio + salt" : files[source]} equals public.json`,
        value === proof,
        `${value}`,
        `${files[source]}: gives ${label} ${value}, the proof has ${proof ?? "no such slot"}`,
      );
    }
    const claimed = misclaimedCommitments(opening, recomputed);
    list.expect(
      "the opening's own commitments field agrees with the recomputed commitments",
      claimed.length === 0,
      "",
      `${files.opening}: commitments.${claimed.map(([n]) => n).join(", commitments.")} differ from the recomputed value`,
    );
  }

  await checkProof(list, input, opening, signals);

  const report = computeMargin(policy, market, portfolio);
  data.report = report;
  const pieces = usedCommitments(signals).length;
  if (pieces > 1) {
    list.add(
      "info",
      `the proof sums ${pieces} sub-portfolios; this opening is slot ${opening.slot}'s alone, so its report is not the proof's margin (the sum's needs every opening)`,
    );
    return done();
  }
  list.expect(
    "the opened portfolio meets the policy at this round (reference model)",
    report.sufficient,
    `equity covers the requirement; see the report below`,
    `the reference model finds a shortfall; a valid proof of this opening is impossible`,
  );
  return done();
}

/** Account and nonce: the opening's, its portfolio's and the proof's agree. */
async function checkIdentity(
  list: Checklist,
  opening: Opening,
  portfolio: Portfolio,
  signals: DecodedPublicSignals,
  files: OpeningAuditInput["files"],
): Promise<void> {
  await list.attempt(
    "account: the opening's, its portfolio's and the proof's are the same address",
    () => {
      const account = openingAccount(opening, portfolio, files.opening);
      if (account !== signals.account) {
        throw new Error(`${files.opening}: account ${account}, ${files.public} ${signals.account}`);
      }
    },
    () => signals.account,
  );
  list.expect(
    "nonce: the opening's equals the proof's",
    BigInt(opening.nonce) === signals.nonce,
    `${signals.nonce}`,
    `${files.opening}: nonce ${opening.nonce}, ${files.public} ${signals.nonce}`,
  );
}

/** Verifies the proof, when given, with the opening instance's manifest-checked verification key. */
async function checkProof(
  list: Checklist,
  input: OpeningAuditInput,
  opening: Opening,
  signals: DecodedPublicSignals,
): Promise<void> {
  const title = `the proof verifies for public.json with instance ${opening.instance}'s verification key`;
  if (input.proof === undefined) {
    list.add("info", "proof not given: only the opening was checked against public.json");
    return;
  }
  const proofFile = input.files.proof ?? "proof";
  const entry = await list.attempt(
    title,
    async () => {
      const proof = parseProof(input.proof, proofFile);
      const artifacts = await loadArtifacts(opening.instance, { root: input.root });
      const publicSignals = input.publicSignals as string[];
      if (!(await verifyProof(proof, publicSignals, artifacts.vkey))) {
        throw new Error(
          `${proofFile}: does not verify for ${input.files.public} (${artifacts.entry.kind} keys)`,
        );
      }
      return artifacts.entry;
    },
    (entry) => `${entry.kind} keys, vkeyHash ${entry.vkeyHash}, account ${signals.account}`,
  );
  if (entry) noteDevelopmentSetup(list, opening.instance, entry, true);
}
