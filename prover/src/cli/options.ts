/** Options and input loading shared by the CLI verbs. */
import type { Command } from "commander";
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { UINT_DECIMAL } from "../proving/proof-files";
import { PUBLIC_SIGNAL_NAMES } from "../proving/public-signals";
import {
  checkConsistency,
  loadMarket,
  loadPolicy,
  loadPortfolio,
  type InputFiles,
  type Market,
  type Policy,
  type Portfolio,
} from "../inputs";

/** The file name used in errors about command-line arguments. */
export const COMMAND_LINE = "command line";

/** Adds the required `--policy FILE --market FILE --portfolio FILE` options. */
export function withInputFiles(command: Command): Command {
  return command
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--market <file>", "market.json: one market round (public)")
    .requiredOption("--portfolio <file>", "portfolio.json (private: never shared)");
}

/** The three inputs, read, validated and checked against each other. */
export interface LoadedInputs {
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
  files: InputFiles;
}

/** Reads and validates the three files; every refusal names the file, the JSON path and the rule. */
export function loadInputs(files: InputFiles): LoadedInputs {
  const policy = loadPolicy(files.policy);
  const market = loadMarket(files.market);
  const portfolio = loadPortfolio(files.portfolio, policy);
  checkConsistency(policy, market, portfolio, files);
  return { policy, market, portfolio, files };
}

/** Parses a non-negative decimal integer option below 2^bits (e.g. `--nonce`, `--chain-id`). */
export function parseIntegerOption(text: string, option: string, bits: number): bigint {
  if (!UINT_DECIMAL.test(text)) {
    throw new InputError(COMMAND_LINE, option, "must be a non-negative decimal integer");
  }
  const value = BigInt(text);
  if (value >= 1n << BigInt(bits)) {
    throw new InputError(COMMAND_LINE, option, `must be below 2^${bits}`);
  }
  return value;
}

/** Parses an address option (e.g. `--registry`); refuses one without a valid EIP-55 checksum. */
export function parseAddressOption(text: string, option: string): string {
  try {
    return getAddress(text);
  } catch {
    throw new InputError(COMMAND_LINE, option, "must be an address with a valid EIP-55 checksum");
  }
}

/** A help epilogue with examples, shown by `--help`. */
export function examples(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** The help of a `--public FILE` option: public.json and its signals, counted from the circuit's list. */
export const PUBLIC_FILE_HELP = `public.json: the proof's ${PUBLIC_SIGNAL_NAMES.length} public signals (${PUBLIC_SIGNAL_NAMES.join(", ")})`;
