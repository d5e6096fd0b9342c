/**
 * `zkmargin prove`: proves that the portfolio (or the sum of several sub-portfolios) meets the
 * policy and writes proof.json, public.json, calldata.json and the openings: opening.json for one
 * portfolio, opening-1.json .. opening-K.json for K sub-portfolios, one per custodian (owner-only,
 * never printed, never overwritten without --force).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { ROUND_BITS } from "../../encoding/widths";
import { InputError, ShortfallError } from "../../errors";
import { writeJsonFile } from "../../io/json";
import { chooseProver, generateProof, PROVER_NAMES, type ProverName } from "../../proving";
import { openingFileNames } from "../../proving/opening";
import { baselineWasmOnly } from "../../proving/wasm-tiers";
import { terminalProgress } from "../../setup/progress";
import { exitStatusHelp, NegativeAnswer } from "../exit-status";
import {
  examples,
  loadInputs,
  parseIntegerOption,
  withInputFiles,
  type InputFileOptions,
} from "../options";

interface ProveOptions extends InputFileOptions {
  out: string;
  instance?: string;
  nonce?: string;
  force?: boolean;
  prover?: ProverName;
}

/** Owner read/write only: the opening holds the private portfolio and the salt. */
const OPENING_MODE = 0o600;

/** The openings' files: opening.json for one portfolio, opening-k.json for sub-portfolio k. */
export function openingFiles(out: string, count: number): string[] {
  return openingFileNames(count).map((name) => path.join(out, name));
}

/** Registers `zkmargin prove`. */
export function register(program: Command): void {
  withInputFiles(
    program
      .command("prove")
      .description(
        "prove in zero knowledge that the portfolio (or the sum of the sub-portfolios) meets the policy; " +
          "writes proof.json, public.json, calldata.json and one opening per sub-portfolio (opening.json, " +
          "or opening-1.json ..: private, mode 0600; give each custodian only its own)",
      ),
  )
    .option("--out <dir>", "output folder", ".")
    .option(
      "--instance <name>",
      "circuit instance (default: the smallest set-up instance that fits)",
    )
    .option(
      "--nonce <n>",
      "submission nonce, above the account's last (default: current Unix time)",
    )
    .option("--force", "overwrite existing openings")
    .addOption(
      new Option(
        "--prover <name>",
        "Groth16 prover (default: native when built, else snarkjs)",
      ).choices(PROVER_NAMES),
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin prove --policy examples/small/policy.json --market examples/small/market.json --portfolio examples/small/portfolio.json --out out/ --nonce 1",
        "zkmargin prove --policy policy.json --market market.json --portfolio at-custodian-a.json --portfolio at-custodian-b.json --out out/",
      ) + exitStatusHelp("proved", "a shortfall (nothing written)"),
    )
    .action(async (opts: ProveOptions) => {
      const nonce =
        opts.nonce === undefined
          ? BigInt(Math.floor(Date.now() / 1000))
          : parseIntegerOption(opts.nonce, "--nonce", ROUND_BITS);
      const target = {
        proof: path.join(opts.out, "proof.json"),
        public: path.join(opts.out, "public.json"),
        calldata: path.join(opts.out, "calldata.json"),
        openings: openingFiles(opts.out, opts.portfolio.length),
      };
      if (opts.force !== true) {
        const existing = target.openings.find((file) => fs.existsSync(file));
        if (existing !== undefined) {
          throw new InputError(existing, "$", "already exists; pass --force to overwrite it");
        }
      }
      const inputs = loadInputs(opts);
      const { portfolios, files } = inputs;
      const prover = chooseProver(opts.prover);
      // One witness in this process: the native path's only WebAssembly runs once.
      if (prover.name === "native") baselineWasmOnly();
      let result;
      try {
        result = await generateProof({
          policy: inputs.policy,
          market: inputs.market,
          portfolio: portfolios.length === 1 ? portfolios[0] : portfolios,
          files,
          nonce,
          instance: opts.instance,
          prover,
          onProgress: terminalProgress(),
        });
      } catch (error) {
        if (error instanceof ShortfallError) {
          throw new NegativeAnswer(
            `${files.portfolios.join(" + ")}: $: ${error.message}; nothing written ` +
              "(see `zkmargin margin` for the breakdown)",
          );
        }
        throw error;
      }
      // The openings first: their no-overwrite writes are atomic, so a race cannot clobber one.
      result.openings.forEach((opening, k) =>
        writeJsonFile(target.openings[k], opening, {
          mode: OPENING_MODE,
          overwrite: opts.force === true,
        }),
      );
      writeJsonFile(target.proof, result.proof);
      writeJsonFile(target.public, result.publicSignals);
      writeJsonFile(target.calldata, result.calldata);
      const openingLines =
        target.openings.length === 1
          ? [
              `wrote ${target.openings[0]} (private: keep it; show it only to your custodian or auditor)`,
            ]
          : target.openings.map(
              (file, k) =>
                `wrote ${file} (private: sub-portfolio ${k + 1}, ${files.portfolios[k]}; show it only ` +
                "to its custodian or your auditor)",
            );
      process.stdout.write(
        [
          `proof verified locally: policy ${inputs.policy.id}, round ${inputs.market.round}, ` +
            `account ${inputs.account}, nonce ${nonce}, instance ${result.instance}, ` +
            `prover ${result.prover}`,
          `wrote ${target.proof}, ${target.public}, ${target.calldata}`,
          ...openingLines,
          "",
        ].join("\n"),
      );
    });
}
