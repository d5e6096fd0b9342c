/**
 * Redis connections from a URL: `redis://[:password@]host:port[/db]`, or `rediss://` for TLS
 * (ioredis turns the scheme into its `tls` option). Commands wait for a lost connection to come
 * back instead of failing (BullMQ's requirement for workers), so a Redis restart only pauses work.
 * An outage is told in one line when it starts and one when Redis is back ({@link RedisOutages}),
 * never as ioredis's stack traces.
 */
import IORedis, { type Redis } from "ioredis";
import { InputError } from "../errors";

/** Longest wait between reconnection attempts. */
const MAX_RECONNECT_MS = 2000;

/**
 * Refuses anything but a redis:// or rediss:// URL, as an {@link InputError} about `file` and
 * `field` (by default the command line's `--redis`).
 */
export function checkRedisUrl(url: string, file = "command line", field = "--redis"): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== "redis:" && parsed?.protocol !== "rediss:") {
    throw new InputError(file, field, "must be a redis:// or rediss:// URL");
  }
  return parsed;
}

/** The URL with its password (and user name) replaced by `***`, for logs. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "***";
  if (parsed.username !== "") parsed.username = "***";
  return parsed.toString();
}

/** Errors that mean "Redis cannot be reached" (as opposed to a refused command). */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|connect ETIMEDOUT/;

/** Whether `error` says that Redis cannot be reached. */
export function isRedisUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const text = `${typeof code === "string" ? code : ""} ${error instanceof Error ? error.message : String(error)}`;
  return UNREACHABLE.test(text);
}

/**
 * Tells Redis outages in words: one line when Redis becomes unreachable, one when it is back, and
 * any other error once per message; the connections' and the worker's `error` events go here.
 */
export class RedisOutages {
  private down = false;
  private readonly seen = new Set<string>();

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Whether Redis is unreachable now (since its last error, until it is ready again). */
  get unreachable(): boolean {
    return this.down;
  }

  /** An `error` event of a connection or a BullMQ worker or queue. */
  readonly error = (error: Error): void => {
    if (isRedisUnreachable(error)) {
      if (this.down) return;
      this.down = true;
      const code = (error as { code?: unknown }).code;
      this.log(
        `Redis at ${redactRedisUrl(this.url)} is unreachable (${typeof code === "string" ? code : error.message}); ` +
          "retrying until it is back",
      );
      return;
    }
    if (this.seen.has(error.message)) return;
    this.seen.add(error.message);
    this.log(`Redis error: ${error.message}`);
  };

  /** A connection's `ready` event. */
  readonly ready = (): void => {
    if (!this.down) return;
    this.down = false;
    this.seen.clear();
    this.log(`Redis at ${redactRedisUrl(this.url)} is back`);
  };

  /** Follows `connection`'s errors and reconnections. */
  watch(connection: Redis): Redis {
    connection.on("error", this.error);
    connection.on("ready", this.ready);
    return connection;
  }
}

/**
 * A connection for BullMQ queues and workers; call `quit()` (or `disconnect()`) when done. Its
 * outages are told by `outages` (default: followed silently, so ioredis prints nothing).
 */
export function redisConnection(
  url: string,
  outages: RedisOutages = new RedisOutages(url, () => undefined),
): Redis {
  checkRedisUrl(url);
  const connection = new IORedis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_MS),
  });
  return outages.watch(connection);
}
