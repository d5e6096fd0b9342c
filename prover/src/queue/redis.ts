/**
 * Redis connections from a URL: `redis://[:password@]host:port[/db]`, or `rediss://` for TLS
 * (ioredis turns the scheme into its `tls` option). Commands wait for a lost connection to come
 * back instead of failing (BullMQ's requirement for workers), so a Redis restart only pauses work.
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

/** A connection for BullMQ queues and workers; call `quit()` when done. */
export function redisConnection(url: string): Redis {
  checkRedisUrl(url);
  return new IORedis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_MS),
  });
}
