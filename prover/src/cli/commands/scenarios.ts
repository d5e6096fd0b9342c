/**
 * `zkmargin scenarios`: for oracle publishers. Turns a price history (CSV) and the round's
 * market.json into the same round with its joint scenario set and option risk arrays (model v2),
 * written atomically to --out; prints a summary (volatilities, correlation, components, scenarios)
 * to stderr.
 */
import type { Command } from "commander";
import { tryParseDecimal } from "../../decimal";
import { InputError } from "../../errors";
import { loadPolicy } from "../../inputs";
import { FileExistsError } from "../../io/atomic-write";
import { writeJsonFile } from "../../io/json";
import {
  DEFAULT_COMPONENTS,
  DEFAULT_SCENARIO_OPTIONS as DEFAULTS,
  formatScenarioSummary,
  generateScenarios,
  loadHistory,
  loadMarketInput,
  scenarioRound,
  type ScenarioOptions,
} from "../../risk";
import { COMMAND_LINE, examples } from "../options";

interface ScenariosOptions {
  history: string;
  market: string;
  policy: string;
  out: string;
  force?: boolean;
  lambda: string;
  z: string;
  horizonDays: string;
  components?: string;
  singles?: string;
  volShift: string;
  rate: string;
  proxy: string[];
}

/** The flag of each generator option, for errors about them. */
const FLAGS: Record<string, string> = {
  lambda: "--lambda",
  z: "--z",
  horizonDays: "--horizon-days",
  components: "--components",
  singles: "--singles",
  volShift: "--vol-shift",
  rate: "--rate",
  proxies: "--proxy",
};

/** Parses a decimal option (at most 12 decimals) to a number. */
function decimalOption(text: string, flag: string, signed = false): number {
  const parsed = tryParseDecimal(text, 12, { signed });
  if (!parsed.ok) throw new InputError(COMMAND_LINE, flag, parsed.rule);
  return Number(text);
}

/** `SYMBOL=COLUMN` pairs to a map. */
function proxyMap(pairs: readonly string[]): Map<string, string> {
  const proxies = new Map<string, string>();
  for (const pair of pairs) {
    const match = /^([^=]+)=([^=]+)$/.exec(pair);
    if (match === null) throw new InputError(COMMAND_LINE, "--proxy", "must be SYMBOL=COLUMN");
    if (proxies.has(match[1])) {
      throw new InputError(COMMAND_LINE, "--proxy", `${match[1]} is given twice`);
    }
    proxies.set(match[1], match[2]);
  }
  return proxies;
}

/** The generator options from the command line. */
function scenarioOptions(opts: ScenariosOptions): Partial<ScenarioOptions> {
  let components: number | undefined;
  if (opts.components !== undefined) {
    if (!/^(0|[1-9][0-9]{0,3})$/.test(opts.components)) {
      throw new InputError(COMMAND_LINE, "--components", "must be a non-negative integer");
    }
    components = Number(opts.components);
  }
  return {
    lambda: decimalOption(opts.lambda, "--lambda"),
    z: decimalOption(opts.z, "--z"),
    horizonDays: decimalOption(opts.horizonDays, "--horizon-days"),
    components,
    singles: opts.singles?.split(",").filter((s) => s !== ""),
    volShift: decimalOption(opts.volShift, "--vol-shift"),
    rate: decimalOption(opts.rate, "--rate", true),
    proxies: proxyMap(opts.proxy),
    files: { market: opts.market, policy: opts.policy, options: COMMAND_LINE },
  };
}

/** Registers `zkmargin scenarios`. */
export function register(program: Command): void {
  program
    .command("scenarios")
    .description(
      "for oracle publishers: add the joint scenario set and option risk arrays (model v2) to a " +
        "market round, from a price history (EWMA volatility and correlation, principal " +
        "components, Black-76)",
    )
    .requiredOption(
      "--history <file>",
      "price history CSV: date or timestamp, one column per symbol",
    )
    .requiredOption("--market <file>", "the round's market.json (prices and option marks)")
    .requiredOption("--policy <file>", "policy.json: the assets, perps and options to cover")
    .requiredOption("--out <file>", "where to write the market.json with scenarios")
    .option("--force", "overwrite --out if it exists")
    .option("--lambda <x>", "EWMA decay per observation", String(DEFAULTS.lambda))
    .option(
      "--z <x>",
      "scan range in standard deviations of the horizon return",
      String(DEFAULTS.z),
    )
    .option("--horizon-days <x>", "horizon of the moves, days", String(DEFAULTS.horizonDays))
    .option(
      "--components <n>",
      `principal components moved up and down (default ${DEFAULT_COMPONENTS}, fewer if fewer factors move)`,
    )
    .option("--singles <list>", "comma-separated factors moved alone (default: every factor)")
    .option(
      "--vol-shift <x>",
      "relative implied-vol rise at a full scan-range fall of the underlying (and fall at a rise)",
      String(DEFAULTS.volShift),
    )
    .option("--rate <x>", "yearly continuously compounded rate (Black-76)", String(DEFAULTS.rate))
    .option(
      "--proxy <SYMBOL=COLUMN>",
      "move SYMBOL with another history column, e.g. WETH=ETH (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin scenarios --history examples/desk/history.csv --market examples/desk/market.json --policy examples/portfolio/policy.json --proxy WETH=ETH --proxy WBTC=BTC --proxy wstETH=ETH --components 2 --singles ETH,BTC --out out/market.json",
      ),
    )
    .action((opts: ScenariosOptions) => {
      const policy = loadPolicy(opts.policy);
      const { json, round } = loadMarketInput(opts.market);
      const history = loadHistory(opts.history);
      let set;
      try {
        set = generateScenarios(history, round, policy, scenarioOptions(opts));
      } catch (error) {
        if (error instanceof InputError && error.file === COMMAND_LINE) {
          const key = /^[A-Za-z]+/.exec(error.path)?.[0] ?? "";
          throw new InputError(COMMAND_LINE, FLAGS[key] ?? error.path, error.rule);
        }
        throw error;
      }
      try {
        writeJsonFile(opts.out, scenarioRound(json, set, opts.out).json, {
          overwrite: opts.force === true,
        });
      } catch (error) {
        if (error instanceof FileExistsError) {
          throw new InputError(opts.out, "$", "already exists; pass --force to overwrite it");
        }
        throw error;
      }
      process.stderr.write(formatScenarioSummary(set));
      process.stderr.write(
        `\nwrote ${opts.out}: ${set.scenarios.length} scenarios for ${set.assets.size} assets, ` +
          `${set.perps.size} perps and ${set.optionRisks.size} option series\n`,
      );
    });
}
