/**
 * `zkmargin worker`: a proving worker on a Redis queue, warm across jobs, until SIGTERM or SIGINT:
 * it then finishes the job in hand and exits, within `--stop-timeout` (a job still running then,
 * or that cannot be recorded because Redis is gone, is given up and said so; another worker takes
 * it). A signal before the worker is ready stops it at once. Exit status 0 when it stopped with
 * nothing given up, 1 otherwise.
 */
import type { Command } from "commander";
import { EXIT_ERROR } from "../exit-status";
import { examples, parseIntegerOption } from "../options";
import { queueSdk } from "../queue-sdk";

interface WorkerCliOptions {
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
  program
    .command("worker")
    .description(
      "prove (and submit) jobs from a Redis queue, keeping keys and curve warm; SIGTERM finishes the job in hand " +
        "and exits within --stop-timeout, also when Redis is gone",
    )
    .requiredOption("--redis <url>", "Redis URL (redis://[:password@]host:port, rediss:// for TLS)")
    .option("--queue <name>", "queue name")
    .option("--rpc <url>", "JSON-RPC node for jobs that submit")
    .option("--account-keys <file>", "owner-only JSON of account keys the node does not hold")
    .option("--preload <instances>", "comma-separated instances to load before the first job", "")
    .option("--concurrency <n>", "jobs at once (a proof already uses every core)", "1")
    .option("--lock-duration <ms>", "job lock; a dead worker's job is handed on after it", "30000")
    .option(
      "--stop-timeout <ms>",
      "on SIGTERM, how long to wait for the job in hand before giving it up (keep it below your " +
        "orchestrator's kill grace period)",
      "25000",
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin worker --redis redis://127.0.0.1:6379 --preload demo",
        "zkmargin worker --redis rediss://:password@redis.internal:6380 --rpc http://127.0.0.1:8545 --stop-timeout 20000",
      ) +
        "\nExit status: 0 stopped with every job in hand finished and recorded, 1 a job given up or an error.\n",
    )
    .action(async (opts: WorkerCliOptions) => {
      const { checkRedisUrl, runWorker } = queueSdk();
      checkRedisUrl(opts.redis);
      const concurrency = Number(parseIntegerOption(opts.concurrency, "--concurrency", 8));
      const lockDurationMs = Number(parseIntegerOption(opts.lockDuration, "--lock-duration", 31));
      const stopTimeoutMs = Number(parseIntegerOption(opts.stopTimeout, "--stop-timeout", 31));
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
