/** Options and input loading shared by the CLI verbs. */
import type { Command } from "commander";
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { UINT_DECIMAL } from "../proving/proof-files";
import { PUBLIC_SIGNAL_NAMES } from "../proving/public-signals";
import {
  checkConsistency,
  checkPiecesConsistency,
  loadMarket,
  loadPolicy,
  loadPortfolio,
  type Market,
  type PiecesFiles,
  type Policy,
  type Portfolio,
} from "../inputs";

/** The file name used in errors about command-line arguments. */
export const COMMAND_LINE = "command line";

/** A repeatable option (`--portfolio`): the values in the order given. */
export function repeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Adds the required `--policy FILE --market FILE --portfolio FILE` options; `--portfolio` repeats,
 * one sub-portfolio per file (one per custodian, in pledge-slot order).
 */
export function withInputFiles(command: Command): Command {
  return command
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--market <file>", "market.json: one market round (public)")
    .requiredOption(
      "--portfolio <file>",
      "portfolio.json (private: never shared); repeat it for sub-portfolios held apart, one per " +
        "custodian in pledge-slot order: the margin is their sum's",
      repeated,
    );
}

/** The files of {@link withInputFiles}. */
export interface InputFileOptions {
  policy: string;
  market: string;
  /** One file per sub-portfolio (one for a single portfolio). */
  portfolio: string[];
}

/** The inputs, read, validated and checked against each other. */
export interface LoadedInputs {
  policy: Policy;
  market: Market;
  /** The sub-portfolios in the order given (one for a single portfolio). */
  portfolios: Portfolio[];
  /** The account they all name. */
  account: string;
  files: PiecesFiles;
}

/**
 * Reads and validates the files; every refusal names the file, the JSON path and the rule.
 * Several sub-portfolios must name the same account and fit the proof's widths together.
 */
export function loadInputs(options: InputFileOptions): LoadedInputs {
  const files: PiecesFiles = {
    policy: options.policy,
    market: options.market,
    portfolios: options.portfolio,
  };
  const policy = loadPolicy(files.policy);
  const market = loadMarket(files.market);
  const portfolios = files.portfolios.map((file) => loadPortfolio(file, policy));
  if (portfolios.length === 1) {
    checkConsistency(policy, market, portfolios[0], { ...files, portfolio: files.portfolios[0] });
  } else {
    checkPiecesConsistency(policy, market, portfolios, files);
  }
  return { policy, market, portfolios, account: portfolios[0].account, files };
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
/** One pledge slot's signals name the commitment once; C slots end with one commitment per slot. */
export const PUBLIC_FILE_HELP =
  `public.json: the proof's 3 + C public signals, C its instance's pledge slots ` +
  `(${PUBLIC_SIGNAL_NAMES.slice(0, 3).join(", ")}, then one portfolioCommitment per pledge slot)`;
