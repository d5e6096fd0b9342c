/**
 * `zkmargin batch`: proves (and optionally submits) a round for a folder of portfolios, in this
 * process or through Redis for `zkmargin worker`s; a progress bar, then a summary. `--submit`
 * submits through the relayer in `proveBatch` calls; `--registry` alone, one `prove` per proof.
 */
import type { Command } from "commander";
import { InputError } from "../../errors";
import { toJson } from "../../io/json";
import { ROUND_BITS } from "../../encoding/widths";
import type { BatchProgress } from "../../queue";
import { COMMAND_LINE, examples, parseAddressOption, parseIntegerOption } from "../options";
import { queueSdk } from "../queue-sdk";
import { addRelayOptions, relaySettings, type RelayCliOptions } from "../relay-options";

interface BatchCliOptions extends RelayCliOptions {
  submit?: boolean;
  policy: string;
  market: string;
  portfolios: string;
  results: string;
  nonce?: string;
  instance?: string;
  redis?: string;
  queue?: string;
  inline?: boolean;
  retryFailed?: boolean;
  rpc?: string;
  registry?: string;
  accountKeys?: string;
  json?: boolean;
}

/** Registers `zkmargin batch`. */
export function register(program: Command): void {
  const command = program
    .command("batch")
    .description(
      "prove a round for every portfolio in a folder (one job per account), in this process or " +
        "on Redis for `zkmargin worker`s; optionally submit each proof; prints a summary",
    )
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--market <file>", "market.json of the round (public)")
    .requiredOption(
      "--portfolios <dir>",
      "folder of NAME.json portfolios or earlier openings (private), one account each; an account at " +
        "several custodians adds NAME.2.json, NAME.3.json .. (one proof of the sum); optional " +
        "NAME.pledge.json, NAME.2.pledge.json .. (one pledge per sub-portfolio)",
    )
    .requiredOption("--results <dir>", "results folder (storage the workers share)")
    .option("--nonce <n>", "submission nonce of every job (default: the round's timestamp)")
    .option("--instance <name>", "circuit instance (default: the smallest that fits)")
    .option(
      "--redis <url>",
      "enqueue on this Redis (redis://[:password@]host:port, rediss:// for TLS)",
    )
    .option("--queue <name>", "queue name (with --redis)")
    .option("--inline", "put portfolios and salts into the jobs (they then transit Redis)")
    .option("--retry-failed", "put this round's failed jobs back in the queue (with --redis)")
    .option("--rpc <url>", "JSON-RPC node of the registry (with --registry)")
    .option(
      "--registry <address>",
      "submit each proof to this MarginRegistry: alone, one prove per proof from its account",
    )
    .option(
      "--submit",
      "submit in proveBatch calls through the relayer (each account signs a ProveRequest; " +
        "in this process from --relayer, with --redis by `zkmargin worker --relay`)",
    )
    .option(
      "--account-keys <file>",
      "owner-only JSON of account keys, for in-process submissions and ProveRequests",
    )
    .option("--json", "print the outcomes as JSON");
  addRelayOptions(command)
    .addHelpText(
      "after",
      examples(
        "zkmargin batch --policy policy.json --market market.json --portfolios accounts/ --results results/",
        "zkmargin batch --policy policy.json --market market.json --portfolios accounts/ --results /shared/results --redis redis://127.0.0.1:6379",
        "zkmargin batch --policy policy.json --market market.json --portfolios accounts/ --results results/ --rpc $RPC --registry $REGISTRY --submit --relayer $RELAYER --batch-size 32",
      ) +
        "\nSubmitting: --registry alone sends one MarginRegistry.prove per proof, from each account\n" +
        "(its key in --account-keys or unlocked on the node). --submit sends proveBatch calls from\n" +
        "the relayer account (--relayer, --keystore or $ZKMARGIN_RELAYER_KEY), each proof checked\n" +
        "locally first and each account's ProveRequest signed; with --redis the relayers are\n" +
        "`zkmargin worker --relay` processes, which take --batch-size and --batch-wait themselves.\n",
    )
    .action(async (opts: BatchCliOptions) => {
      const { BatchProgress, checkRedisUrl, runBatch, summaryLines } = queueSdk();
      if (opts.redis !== undefined) checkRedisUrl(opts.redis);
      if (opts.registry !== undefined && opts.rpc === undefined) {
        throw new InputError(COMMAND_LINE, "--rpc", "is required with --registry");
      }
      if (opts.submit === true && opts.registry === undefined) {
        throw new InputError(COMMAND_LINE, "--registry", "is required with --submit");
      }
      // In this process the batch relays itself; on Redis the `worker --relay`s do.
      const batched =
        opts.submit !== true
          ? undefined
          : opts.redis === undefined
            ? await relaySettings(opts)
            : {};
      const registry =
        opts.registry === undefined ? undefined : parseAddressOption(opts.registry, "--registry");
      const nonce =
        opts.nonce === undefined
          ? undefined
          : parseIntegerOption(opts.nonce, "--nonce", ROUND_BITS);
      let progress: BatchProgress | undefined;
      const result = await runBatch({
        policy: opts.policy,
        market: opts.market,
        portfolios: opts.portfolios,
        results: opts.results,
        ...(nonce === undefined ? {} : { nonce }),
        instance: opts.instance,
        inline: opts.inline === true,
        redis: opts.redis,
        queue: opts.queue,
        retryFailed: opts.retryFailed === true,
        rpc: opts.rpc,
        registry,
        accountKeys: opts.accountKeys,
        ...(batched === undefined ? {} : { batched }),
        // On Redis, the log tells its outages (one line each way), beside the progress bar.
        ...(opts.redis === undefined
          ? {}
          : { log: (line: string) => void process.stderr.write(`\nzkmargin batch: ${line}\n`) }),
        onStart: (jobs) => {
          progress = new BatchProgress(jobs);
        },
        onOutcome: (outcome) => progress?.add(outcome),
      });
      progress?.stop();
      if (opts.json === true) {
        process.stdout.write(
          toJson({
            tally: result.tally,
            outcomes: result.outcomes,
            refused: result.refused,
            ...(result.relay ? { relay: result.relay } : {}),
          }),
        );
      } else {
        process.stdout.write(
          `${summaryLines(result.outcomes, result.refused, result.elapsedMs, result.relay).join("\n")}\n`,
        );
      }
      if (result.tally.failed > 0 || result.refused.length > 0) process.exitCode = 1;
    });
}
