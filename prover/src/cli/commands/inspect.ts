/**
 * `zkmargin inspect`: decodes public.json and, given the public policy and market files, tells
 * whether the proof is for that policy and that market round.
 */
import type { Command } from "commander";
import { loadInstances } from "../../encoding/instances";
import { InputError } from "../../errors";
import { loadMarket, loadPolicy } from "../../inputs";
import { matchPublicFiles } from "../../inspect/match";
import { readJsonFile, toJson } from "../../io/json";
import { keyValueTable } from "../../io/table";
import { decodePublicSignals } from "../../proving";
import { unixTime } from "../../time";
import { COMMAND_LINE, PUBLIC_FILE_HELP, examples } from "../options";

interface InspectOptions {
  public: string;
  policy?: string;
  market?: string;
  json?: boolean;
}

/** Whether the proof's commitments match the given files, and under which instance layout. */
interface Match {
  policy: { file: string; id: string; matches: boolean };
  market: { file: string; round: bigint; timestamp: bigint; matches: boolean };
  /** The instance whose slot layout reproduces both commitments, if any. */
  instance: string | null;
}

function yesNo(matches: boolean): string {
  return matches ? "matches" : "DOES NOT MATCH";
}

/** Registers `zkmargin inspect`. */
export function register(program: Command): void {
  program
    .command("inspect")
    .description(
      "decode public.json (account, nonce, commitments); with --policy and --market, check which " +
        "policy and market round the proof is for (exit status 1 when they do not match)",
    )
    .requiredOption("--public <file>", PUBLIC_FILE_HELP)
    .option("--policy <file>", "policy.json to compare with the policy commitment")
    .option("--market <file>", "market.json to compare with the market commitment")
    .option("--json", "print JSON (integers as decimal strings)")
    .addHelpText(
      "after",
      examples(
        "zkmargin inspect --public out/public.json",
        "zkmargin inspect --public out/public.json --policy examples/small/policy.json --market examples/small/market.json",
      ),
    )
    .action(async (opts: InspectOptions) => {
      const decoded = decodePublicSignals(readJsonFile(opts.public), opts.public);
      if ((opts.policy === undefined) !== (opts.market === undefined)) {
        throw new InputError(COMMAND_LINE, "--policy/--market", "give both or neither");
      }
      let match: Match | null = null;
      if (opts.policy !== undefined && opts.market !== undefined) {
        const policy = loadPolicy(opts.policy);
        const market = loadMarket(opts.market);
        const found = await matchPublicFiles(decoded, policy, market, loadInstances());
        match = {
          policy: { file: opts.policy, id: policy.id, matches: found.policy },
          market: {
            file: opts.market,
            round: market.round,
            timestamp: market.timestamp,
            matches: found.market,
          },
          instance: found.instance,
        };
      }
      if (opts.json === true) {
        process.stdout.write(toJson({ ...decoded, ...(match === null ? {} : { match }) }));
      } else {
        const rows: [string, string][] = [
          ["account", decoded.account],
          ["nonce", decoded.nonce.toString()],
          ["market commitment", decoded.marketCommitment.toString()],
          ["policy commitment", decoded.policyCommitment.toString()],
          ["portfolio commitment", decoded.portfolioCommitment.toString()],
        ];
        if (match !== null) {
          rows.push(
            [
              "policy",
              `${yesNo(match.policy.matches)} ${match.policy.file} (id ${match.policy.id})`,
            ],
            [
              "market round",
              `${yesNo(match.market.matches)} ${match.market.file} ` +
                `(round ${match.market.round}, timestamp ${unixTime(match.market.timestamp)})`,
            ],
          );
          if (match.instance !== null) rows.push(["circuit instance", match.instance]);
        }
        process.stdout.write(`${keyValueTable(rows).join("\n")}\n`);
      }
      if (match !== null && !(match.policy.matches && match.market.matches)) process.exitCode = 1;
    });
}
