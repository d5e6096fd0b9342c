/**
 * The relayer options `zkmargin batch --submit` and `zkmargin worker --relay` share: the relayer
 * account (an address the node holds unlocked, or a key from --keystore or $ZKMARGIN_RELAYER_KEY)
 * and the batches' size and wait.
 */
import type { Command } from "commander";
import type { Signer } from "ethers";
import { InputError } from "../errors";
import { keyEnvOf, loadWallet } from "../signer";
import { COMMAND_LINE, parseAddressOption, parseIntegerOption } from "./options";

/** The options as commander parses them. */
export interface RelayCliOptions {
  relayer?: string;
  keystore?: string;
  batchSize: string;
  batchWait: string;
}

const MAX_BATCH = 64;

/** Adds the relayer options to `command`. */
export function addRelayOptions(command: Command): Command {
  return command
    .option(
      "--relayer <address>",
      `relayer account the node holds unlocked (default: the key in $${keyEnvOf("relayer")} or --keystore)`,
    )
    .option("--keystore <file>", "encrypted JSON keystore of the relayer account")
    .option("--batch-size <n>", `proofs per proveBatch (1 to ${MAX_BATCH})`, "32")
    .option("--batch-wait <ms>", "longest wait of a proof for its batch", "3000");
}

/** The relayer account and batch settings, each refused in one line naming its option. */
export async function relaySettings(
  opts: RelayCliOptions,
): Promise<{ relayer: Signer | string; batchSize: number; maxWaitMs: number }> {
  const batchSize = Number(parseIntegerOption(opts.batchSize, "--batch-size", 8));
  if (batchSize < 1 || batchSize > MAX_BATCH) {
    throw new InputError(COMMAND_LINE, "--batch-size", `must be 1 to ${MAX_BATCH}`);
  }
  const maxWaitMs = Number(parseIntegerOption(opts.batchWait, "--batch-wait", 31));
  const relayer =
    opts.relayer !== undefined
      ? parseAddressOption(opts.relayer, "--relayer")
      : await loadWallet("relayer", opts.keystore);
  return { relayer, batchSize, maxWaitMs };
}
