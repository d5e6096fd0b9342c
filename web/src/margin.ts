/**
 * The institution's margin report from local files, tied to the proof on the page: the documents
 * parsed and checked together exactly as the CLI does, the reference model run, and the same HTML
 * view as `zkmargin margin --html`. Nothing leaves the page.
 *
 * A report is shown under a proof only when it is the proof's: `opening.json` (the portfolio and
 * its salt, as `zkmargin prove` writes it) must recompute to every one of the proof's public
 * signals. A plain `portfolio.json` has no salt, so it cannot be tied: it is flagged as unchecked,
 * and refused outright when it cannot be the proof's (another account, other public files, or a
 * shortfall that no valid proof can have).
 */
import type { InstanceDims } from "../../prover/src/encoding/instances";
import { compareSignals, differingSignals } from "../../prover/src/inspect/signals";
import { checkConsistency } from "../../prover/src/inputs/consistency";
import { parseMarket } from "../../prover/src/inputs/market";
import { parsePolicy } from "../../prover/src/inputs/policy";
import { parsePortfolio } from "../../prover/src/inputs/portfolio";
import type { Market, Policy } from "../../prover/src/inputs/types";
import { computeMargin } from "../../prover/src/model/margin";
import type { MarginReport } from "../../prover/src/model/report";
import { checkOpening, openingSignals, parseOpening } from "../../prover/src/proving/opening";
import { marginReportBody } from "../../prover/src/report/margin-html";
import type { GivenFile } from "./files";

/**
 * How the report stands to the proof: `tied` (the opening is the proof's), `untied` (no valid
 * proof on the page to tie it to), `unchecked` (a portfolio.json, which cannot be tied) or
 * `refused` (not the proof's portfolio: no report).
 */
export type MarginTie = "tied" | "untied" | "unchecked" | "refused";

/** What the margin section shows. */
export interface MarginView {
  tie: MarginTie;
  /** One sentence on the tie, in words. */
  note: string;
  /** The report's HTML; absent when refused. */
  html?: string;
}

/** The proof on the page, when it verified: what a portfolio is checked against. */
export interface VerifiedProof {
  /** Its public signals, as public.json lists them. */
  signals: readonly bigint[];
  account: string;
  /** Whether policy.json and market.json reproduce the proof's commitments (absent: not checked). */
  files?: { policy: boolean; market: boolean };
}

/** The files of the margin section. */
export interface MarginFiles {
  policy: GivenFile;
  market: GivenFile;
  portfolio?: GivenFile;
  opening?: GivenFile;
}

function reportHtml(report: MarginReport, policy: Policy): string {
  return marginReportBody(report, { policy, idPrefix: "page-margin" });
}

/** The report of an opening, tied to the proof when every public signal recomputes. */
async function fromOpening(
  files: MarginFiles & { opening: GivenFile },
  policy: Policy,
  market: Market,
  proof: VerifiedProof | undefined,
  instances: Record<string, InstanceDims>,
): Promise<MarginView> {
  const file = files.opening.name;
  const opening = parseOpening(files.opening.json, file);
  // The opening's own commitments hold once it checks (every one is recomputed and compared).
  const names = { opening: file, policy: files.policy.name, market: files.market.name };
  const portfolio = await checkOpening(opening, policy, market, names, instances);
  const html = reportHtml(computeMargin(policy, market, portfolio), policy);
  if (!proof) {
    return {
      tie: "untied",
      note: `${file} is consistent, but no verified proof is on the page to tie it to: give the proof's proof.json and public.json.`,
      html,
    };
  }
  const signals = openingSignals(opening);
  const differ = differingSignals(compareSignals(proof.signals, signals));
  if (differ.length > 0) {
    return {
      tie: "refused",
      note: `✘ Not the proof's portfolio: ${file} (with ${files.policy.name} and ${files.market.name}) recomputes to another ${differ.join(", ")} than the proof's public signals, so its report is not shown.`,
    };
  }
  return {
    tie: "tied",
    note: `✔ The proof's portfolio: ${file} (its portfolio and salt, on instance ${opening.instance}) recomputes to every public signal of the proof (account and nonce, market, policy and portfolio commitments).`,
    html,
  };
}

/** The report of a plain portfolio.json: untied, flagged as unchecked, or refused. */
function fromPortfolio(
  files: MarginFiles & { portfolio: GivenFile },
  policy: Policy,
  market: Market,
  proof: VerifiedProof | undefined,
): MarginView {
  const file = files.portfolio.name;
  const portfolio = parsePortfolio(files.portfolio.json, file, policy);
  checkConsistency(policy, market, portfolio, {
    policy: files.policy.name,
    market: files.market.name,
    portfolio: file,
  });
  const report = computeMargin(policy, market, portfolio);
  const html = reportHtml(report, policy);
  if (!proof) {
    return {
      tie: "untied",
      note: "Margin report computed in this page from the three files; no verified proof is on the page to tie it to.",
      html,
    };
  }
  const refuse = (why: string): MarginView => ({
    tie: "refused",
    note: `✘ Not the proof's portfolio: ${why}, so its report is not shown.`,
  });
  if (portfolio.account !== proof.account) {
    return refuse(`${file} is for account ${portfolio.account}, the proof for ${proof.account}`);
  }
  if (proof.files && !(proof.files.policy && proof.files.market)) {
    return refuse(`${files.policy.name} or ${files.market.name} is not the proof's`);
  }
  if (!report.sufficient) {
    return refuse(`${file} falls short of the policy, and a valid proof's portfolio meets it`);
  }
  return {
    tie: "unchecked",
    note: `⚠ Not checked against the proof: ${file} has no salt, so this page cannot tell whether it is the portfolio behind the proof's portfolio commitment. Give opening.json (written by zkmargin prove) instead to tie the report to the proof.`,
    html,
  };
}

/**
 * The margin section for the given files (throws an input error naming the file, the field and
 * the rule). An opening, when given, is used rather than a portfolio.json.
 */
export async function marginView(
  files: MarginFiles,
  proof: VerifiedProof | undefined,
  instances: Record<string, InstanceDims>,
): Promise<MarginView> {
  const policy = parsePolicy(files.policy.json, files.policy.name);
  const market = parseMarket(files.market.json, files.market.name);
  if (files.opening) {
    return fromOpening({ ...files, opening: files.opening }, policy, market, proof, instances);
  }
  if (files.portfolio) {
    return fromPortfolio({ ...files, portfolio: files.portfolio }, policy, market, proof);
  }
  throw new Error("give opening.json (or portfolio.json)");
}
