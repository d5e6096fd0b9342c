/**
 * `zkmargin worker`: a proving worker on a Redis queue, warm across jobs, until SIGTERM or SIGINT:
 * it then finishes the job in hand and exits, within `--stop-timeout` (a job still running then,
 * or that cannot be recorded because Redis is gone, is given up and said so; another worker takes
 * it). A signal before the worker is ready stops it at once. Exit status 0 when it stopped with
 * nothing given up, 1 otherwise.
 */
import type { Command } from "commander";
import { EXIT_ERROR } from "../exit-status";
import { InputError } from "../../errors";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";
import { queueSdk } from "../queue-sdk";
import { addRelayOptions, relaySettings, type RelayCliOptions } from "../relay-options";

interface WorkerCliOptions extends RelayCliOptions {
  relay?: boolean;
  redis: string;
  queue?: string;
  rpc?: string;
  accountKeys?: string;
  preload: string;
  concurrency: string;
  lockDuration: string;
  stopTimeout: string;
}

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

/**
 * Ends the process once nothing else runs, and at the latest after `ms`: a connection that keeps
 * reconnecting to a Redis that is gone must not keep a stopped worker alive.
 */
function exitWithin(ms: number): void {
  setTimeout(() => process.exit(), ms).unref();
}

/** Registers `zkmargin worker`. */
export function register(program: Command): void {
  const command = program
    .command("worker")
    .description(
      "prove (and submit) jobs from a Redis queue, keeping keys and curve warm; SIGTERM finishes the job in hand " +
        "and exits within --stop-timeout, also when Redis is gone",
    )
    .requiredOption("--redis <url>", "Redis URL (redis://[:password@]host:port, rediss:// for TLS)")
    .option("--queue <name>", "queue name")
    .option(
      "--relay",
      "be a relayer instead of a prover: send the batched submissions of proved jobs in " +
        "proveBatch calls (needs --rpc and a relayer account)",
    )
    .option("--rpc <url>", "JSON-RPC node for jobs that submit")
    .option(
      "--account-keys <file>",
      "owner-only JSON of account keys the node does not hold (for prove, and ProveRequests)",
    )
    .option("--preload <instances>", "comma-separated instances to load before the first job", "")
    .option("--concurrency <n>", "jobs at once (a proof already uses every core)", "1")
    .option("--lock-duration <ms>", "job lock; a dead worker's job is handed on after it", "30000")
    .option(
      "--stop-timeout <ms>",
      "on SIGTERM, how long to wait for the job in hand before giving it up (keep it below your " +
        "orchestrator's kill grace period)",
      "25000",
    );
  addRelayOptions(command)
    .addHelpText(
      "after",
      examples(
        "zkmargin worker --redis redis://127.0.0.1:6379 --preload demo",
        "zkmargin worker --redis rediss://:password@redis.internal:6380 --rpc http://127.0.0.1:8545 --stop-timeout 20000",
        "zkmargin worker --redis redis://127.0.0.1:6379 --relay --rpc http://127.0.0.1:8545 --account-keys keys.json --batch-size 32",
      ) +
        "\nRoles: a prover (the default) proves jobs; a job whose submission is batched\n" +
        "(`zkmargin batch --submit`) is handed to the submissions queue, which relayers\n" +
        "(--relay) send in proveBatch calls; a job submitted per proof (`--registry` alone) is sent\n" +
        "by the prover itself with one prove (it needs --rpc). The relayer options (--relayer,\n" +
        "--keystore, --batch-size, --batch-wait) apply with --relay.\n" +
        "\nExit status: 0 stopped with every job in hand finished and recorded, 1 a job given up or an error.\n",
    )
    .action(async (opts: WorkerCliOptions) => {
      const { checkRedisUrl, runWorker } = queueSdk();
      checkRedisUrl(opts.redis);
      const concurrency = Number(parseIntegerOption(opts.concurrency, "--concurrency", 8));
      const lockDurationMs = Number(parseIntegerOption(opts.lockDuration, "--lock-duration", 31));
      const stopTimeoutMs = Number(parseIntegerOption(opts.stopTimeout, "--stop-timeout", 31));
      if (opts.relay === true && opts.rpc === undefined) {
        throw new InputError(COMMAND_LINE, "--rpc", "is required with --relay");
      }
      const relay = opts.relay === true ? await relaySettings(opts) : undefined;
      const log = (line: string) => void process.stdout.write(`zkmargin worker: ${line}\n`);
      const stopped = stopSignal();
      const starting = runWorker({
        redis: opts.redis,
        queue: opts.queue,
        rpc: opts.rpc,
        accountKeys: opts.accountKeys,
        preload: opts.preload.split(",").filter((name) => name !== ""),
        concurrency: Math.max(1, concurrency),
        lockDurationMs,
        stopTimeoutMs,
        log,
        ...(relay === undefined ? {} : { relay }),
      });
      const first = await Promise.race([starting, stopped]);
      if (typeof first === "string") {
        log(`received ${first} before the worker was ready: stopping (no job taken)`);
        starting.then((running) => running.close()).catch(() => undefined);
        exitWithin(2_000);
        return;
      }
      const signal = await stopped;
      log(`received ${signal}`);
      const stop = await first.close();
      if (!stop.clean) process.exitCode = EXIT_ERROR;
      exitWithin(2_000);
    });
}
