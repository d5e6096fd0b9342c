/** `zkmargin margin`: the plaintext margin report of a portfolio under a policy and market round. */
import type { Command } from "commander";
import { toJson } from "../../io/json";
import { computeMargin, formatReport } from "../../model";
import { examples, loadInputs, withInputFiles } from "../options";

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
    .addHelpText(
      "after",
      examples(
        "zkmargin margin --policy examples/small/policy.json --market examples/small/market.json --portfolio examples/small/portfolio.json",
        "zkmargin margin --policy policy.json --market market.json --portfolio portfolio.json --json | jq .sufficient",
      ),
    )
    .action((opts: { policy: string; market: string; portfolio: string; json?: boolean }) => {
      const { policy, market, portfolio } = loadInputs(opts);
      const report = computeMargin(policy, market, portfolio);
      const text = opts.json === true ? toJson(report) : formatReport(report);
      process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
    });
}
