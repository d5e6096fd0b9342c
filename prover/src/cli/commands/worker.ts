/**
 * `zkmargin worker`: a proving worker on a Redis queue, warm across jobs, until SIGTERM or SIGINT
 * (it then finishes the job in hand and exits).
 */
import type { Command } from "commander";
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
}

/** Resolves on the first SIGTERM or SIGINT. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

/** Registers `zkmargin worker`. */
export function register(program: Command): void {
  program
    .command("worker")
    .description(
      "prove (and submit) jobs from a Redis queue, keeping keys and curve warm; SIGTERM finishes the job in hand",
    )
    .requiredOption("--redis <url>", "Redis URL (redis://[:password@]host:port, rediss:// for TLS)")
    .option("--queue <name>", "queue name")
    .option("--rpc <url>", "JSON-RPC node for jobs that submit")
    .option("--account-keys <file>", "owner-only JSON of account keys the node does not hold")
    .option("--preload <instances>", "comma-separated instances to load before the first job", "")
    .option("--concurrency <n>", "jobs at once (a proof already uses every core)", "1")
    .option("--lock-duration <ms>", "job lock; a dead worker's job is handed on after it", "30000")
    .addHelpText(
      "after",
      examples(
        "zkmargin worker --redis redis://127.0.0.1:6379 --preload demo",
        "zkmargin worker --redis rediss://:password@redis.internal:6380 --rpc http://127.0.0.1:8545",
      ),
    )
    .action(async (opts: WorkerCliOptions) => {
      const { checkRedisUrl, runWorker } = queueSdk();
      checkRedisUrl(opts.redis);
      const concurrency = Number(parseIntegerOption(opts.concurrency, "--concurrency", 8));
      const lockDurationMs = Number(parseIntegerOption(opts.lockDuration, "--lock-duration", 31));
      const log = (line: string) => void process.stdout.write(`zkmargin worker: ${line}\n`);
      const stopped = stopSignal();
      const running = await runWorker({
        redis: opts.redis,
        queue: opts.queue,
        rpc: opts.rpc,
        accountKeys: opts.accountKeys,
        preload: opts.preload.split(",").filter((name) => name !== ""),
        concurrency: Math.max(1, concurrency),
        lockDurationMs,
        log,
      });
      log(`received ${await stopped}`);
      await running.close();
    });
}
