/**
 * Redis connections from a URL: `redis://[:password@]host:port[/db]`, or `rediss://` for TLS
 * (ioredis turns the scheme into its `tls` option). Commands wait for a lost connection to come
 * back instead of failing (BullMQ's requirement for workers), so a Redis restart only pauses work.
 */
import IORedis, { type Redis } from "ioredis";
import { InputError } from "../errors";

/** Longest wait between reconnection attempts. */
const MAX_RECONNECT_MS = 2000;

/** Refuses anything but a redis:// or rediss:// URL; `source` names the option in errors. */
export function checkRedisUrl(url: string, source: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(source, "$", "must be a redis:// or rediss:// URL");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new InputError(source, "$", "must be a redis:// or rediss:// URL");
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
export function redisConnection(url: string, source = "--redis"): Redis {
  checkRedisUrl(url, source);
  return new IORedis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_MS),
  });
}
