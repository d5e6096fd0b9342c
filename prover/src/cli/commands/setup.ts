/** `zkmargin setup`: development keys for one circuit instance (see prover/src/setup/dev-setup.ts). */
import type { Command } from "commander";
import { setupInstance } from "../../setup/dev-setup";
import { describePtauCache, formatPtauCache } from "../../setup/ptau-cache";
import { releaseCurve } from "../../setup/snarkjs";
import { examples } from "../options";

interface SetupCommandOptions {
  instance: string;
  ptau?: string;
  force?: boolean;
}

/** Registers `zkmargin setup`. */
export function register(program: Command): void {
  program
    .command("setup")
    .description(
      "compile an instance and make DEVELOPMENT Groth16 keys (dev ptau cached per machine, one random phase-2 " +
        "contribution), its verification key, Solidity verifier and manifest entry; a rerun with nothing changed does nothing; " +
        "then list the ptau cache (powers, sizes, source, folder) after removing what interrupted builds left",
    )
    .requiredOption(
      "--instance <name>",
      "circuit instance from circuits/instances.json (e.g. small)",
    )
    .option(
      "--ptau <file>",
      "use a published Hermez ptau (powersOfTau28_hez_final_NN.ptau); its blake2b hash is checked",
    )
    .option("--force", "redo the setup even when nothing changed (also replaces ceremony keys)")
    .addHelpText(
      "after",
      examples(
        "zkmargin setup --instance small",
        "zkmargin setup --instance standard --ptau ~/ptau/powersOfTau28_hez_final_16.ptau",
      ),
    )
    .action(async (opts: SetupCommandOptions) => {
      try {
        const result = await setupInstance(opts.instance, {
          ...(opts.ptau !== undefined ? { ptau: opts.ptau } : {}),
          force: opts.force === true,
        });
        process.stdout.write(
          `${result.instance}: ${result.status} (${result.entry.kind} keys, vkeyHash ${result.entry.vkeyHash})\n`,
        );
        process.stdout.write(`${formatPtauCache(await describePtauCache()).join("\n")}\n`);
      } finally {
        await releaseCurve();
      }
    });
}
