/** `zkmargin demo`: the whole story (keys, report, proof, chain, pledge, replay, shortfall). */
import type { Command } from "commander";
import { runDemo } from "../../demo/run-demo";
import { examples } from "../options";

/** Registers `zkmargin demo`. */
export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "run the end-to-end story on an in-process Hardhat chain (or --rpc URL): development keys, " +
        "the institution's report, a proof, deployment, pledge, submission, replay refused",
    )
    .option("--rpc <url>", "an EVM JSON-RPC node with unlocked accounts (e.g. npx hardhat node)")
    .option("--instance <name>", "circuit instance", "demo")
    .addHelpText("after", examples("zkmargin demo", "zkmargin demo --rpc http://127.0.0.1:8545"))
    .action(async (opts: { rpc?: string; instance: string }) => {
      await runDemo({ rpc: opts.rpc, instance: opts.instance });
    });
}
