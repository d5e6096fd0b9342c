/**
 * `zkmargin prove`: proves that the portfolio meets the policy and writes proof.json, public.json,
 * calldata.json and opening.json (owner-only, never printed, never overwritten without --force).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { ROUND_BITS } from "../../encoding/widths";
import { InputError, ShortfallError } from "../../errors";
import { writeJsonFile } from "../../io/json";
import { chooseProver, generateProof, PROVER_NAMES, type ProverName } from "../../proving";
import { terminalProgress } from "../../setup/progress";
import { exitStatusHelp, NegativeAnswer } from "../exit-status";
import { examples, loadInputs, parseIntegerOption, withInputFiles } from "../options";

interface ProveOptions {
  policy: string;
  market: string;
  portfolio: string;
  out: string;
  instance?: string;
  nonce?: string;
  force?: boolean;
  prover?: ProverName;
}

/** Owner read/write only: the opening holds the private portfolio and the salt. */
const OPENING_MODE = 0o600;

/** Registers `zkmargin prove`. */
export function register(program: Command): void {
  withInputFiles(
    program
      .command("prove")
      .description(
        "prove in zero knowledge that the portfolio meets the policy; writes proof.json, public.json, " +
          "calldata.json and opening.json (private, mode 0600)",
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
    .option("--force", "overwrite an existing opening.json")
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
        opening: path.join(opts.out, "opening.json"),
      };
      if (opts.force !== true && fs.existsSync(target.opening)) {
        throw new InputError(target.opening, "$", "already exists; pass --force to overwrite it");
      }
      const inputs = loadInputs(opts);
      let result;
      try {
        result = await generateProof({
          ...inputs,
          nonce,
          instance: opts.instance,
          prover: chooseProver(opts.prover),
          onProgress: terminalProgress(),
        });
      } catch (error) {
        if (error instanceof ShortfallError) {
          throw new NegativeAnswer(
            `${inputs.files.portfolio}: $: ${error.message}; nothing written ` +
              "(see `zkmargin margin` for the breakdown)",
          );
        }
        throw error;
      }
      // The opening first: its no-overwrite write is atomic, so a race cannot clobber one.
      writeJsonFile(target.opening, result.opening, {
        mode: OPENING_MODE,
        overwrite: opts.force === true,
      });
      writeJsonFile(target.proof, result.proof);
      writeJsonFile(target.public, result.publicSignals);
      writeJsonFile(target.calldata, result.calldata);
      process.stdout.write(
        [
          `proof verified locally: policy ${inputs.policy.id}, round ${inputs.market.round}, ` +
            `account ${inputs.portfolio.account}, nonce ${nonce}, instance ${result.instance}, ` +
            `prover ${result.prover}`,
          `wrote ${target.proof}, ${target.public}, ${target.calldata}`,
          `wrote ${target.opening} (private: keep it; show it only to your custodian or auditor)`,
          "",
        ].join("\n"),
      );
    });
}
