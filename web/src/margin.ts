/**
 * The institution's margin report from local files: the three documents parsed and checked
 * together exactly as the CLI does, the reference model run, and the same HTML view as
 * `zkmargin margin --html`. Nothing leaves the page.
 */
import { checkConsistency } from "../../prover/src/inputs/consistency";
import { parseMarket } from "../../prover/src/inputs/market";
import { parsePolicy } from "../../prover/src/inputs/policy";
import { parsePortfolio } from "../../prover/src/inputs/portfolio";
import { computeMargin } from "../../prover/src/model/margin";
import { marginReportBody } from "../../prover/src/report/margin-html";
import type { GivenFile } from "./files";

/** The report's HTML (throws an input error naming the file, the field and the rule). */
export function marginReportFromFiles(
  policyFile: GivenFile,
  marketFile: GivenFile,
  portfolioFile: GivenFile,
): string {
  const policy = parsePolicy(policyFile.json, policyFile.name);
  const market = parseMarket(marketFile.json, marketFile.name);
  const portfolio = parsePortfolio(portfolioFile.json, portfolioFile.name, policy);
  checkConsistency(policy, market, portfolio, {
    policy: policyFile.name,
    market: marketFile.name,
    portfolio: portfolioFile.name,
  });
  return marginReportBody(computeMargin(policy, market, portfolio), {
    policy,
    idPrefix: "page-margin",
  });
}
