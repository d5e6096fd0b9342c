/** `zkmargin margin`: the plaintext margin report of a portfolio under a policy and market round. */
import type { Command } from "commander";
import { toJson } from "../../io/json";
import { writeFileAtomic } from "../../io/atomic-write";
import { computeMargin, formatComparison, formatReport } from "../../model";
import { marginReportHtml } from "../../report";
import { EXIT_NO, exitStatusHelp } from "../exit-status";
import { examples, loadInputs, withInputFiles } from "../options";

interface MarginOptions {
  policy: string;
  market: string;
  portfolio: string;
  json?: boolean;
  /** Also write the visual report here (private figures: owner-only permissions). */
  html?: string;
  /** A second policy: the same book and round under both, side by side. */
  compare?: string;
  /** Exit 2 when a report is short. */
  check?: boolean;
}

/** Registers `zkmargin margin`. */
export function register(program: Command): void {
  withInputFiles(
    program
      .command("margin")
      .description(
        "print the margin report (equity, requirement, excess, ratio, verdict); local only",
      ),
  )
    .option("--json", "print the report as JSON (integers as decimal strings, money in µUSD)")
    .option("--html <file>", "also write the report as a self-contained HTML file with charts")
    .option(
      "--compare <policy>",
      "a second policy.json: the same book and round under both, side by side, then both reports " +
        "(--json: an array of the two; --html: the first policy's)",
    )
    .option("--check", "exit with status 2 when the portfolio falls short (of either policy)")
    .addHelpText(
      "after",
      examples(
        "zkmargin margin --policy examples/small/policy.json --market examples/small/market.json --portfolio examples/small/portfolio.json",
        "zkmargin margin --policy policy.json --market market.json --portfolio portfolio.json --json | jq .sufficient",
        "zkmargin margin --policy policy.json --market market.json --portfolio portfolio.json --check > /dev/null || echo short",
        "zkmargin margin --policy policy.json --market market.json --portfolio portfolio.json --html report.html",
        "zkmargin margin --policy examples/portfolio/policy.json --market examples/portfolio/market.json --portfolio examples/portfolio/portfolio.json --html report.html",
        "zkmargin margin --policy examples/desk/policy.json --compare examples/portfolio/policy.json --market examples/portfolio/market.json --portfolio examples/portfolio/portfolio.json",
      ) + exitStatusHelp("the report (with --check: sufficient)", "with --check, a shortfall"),
    )
    .action((opts: MarginOptions) => {
      const { policy, market, portfolio } = loadInputs(opts);
      const report = computeMargin(policy, market, portfolio);
      if (opts.html !== undefined) {
        writeFileAtomic(opts.html, marginReportHtml(report, { policy }), { mode: 0o600 });
        process.stderr.write(`zkmargin: margin report written to ${opts.html}\n`);
      }
      const reports = [report];
      let text: string;
      if (opts.compare !== undefined) {
        const other = loadInputs({ ...opts, policy: opts.compare });
        reports.push(computeMargin(other.policy, other.market, other.portfolio));
        text =
          opts.json === true
            ? toJson(reports)
            : [
                formatComparison(reports),
                formatReport(reports[0], policy),
                formatReport(reports[1], other.policy),
              ].join("\n");
      } else {
        text = opts.json === true ? toJson(report) : formatReport(report, policy);
      }
      process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      if (opts.check === true && reports.some((r) => !r.sufficient)) process.exitCode = EXIT_NO;
    });
}
