/**
 * The watcher's output: one JSON object per line for every event (`level` info) and alert
 * (`level` warn or error), and, for alerts, an optional webhook POST of the same object, retried
 * with exponential backoff in the background so that a slow or failing webhook never holds up
 * proving. Nothing secret (salt, holdings, key) is ever put in an event.
 */
import { setMaxListeners } from "node:events";
import { sleep } from "./sleep";

/** Event and alert kinds. */
export type WatchEventType =
  | "started"
  | "stopped"
  | "round-confirmed"
  | "round-skipped"
  | "round-stale"
  | "waiting-confirmations"
  | "no-new-blocks"
  | "proved"
  | "submission-recovered"
  | "submission-refused"
  | "low-excess"
  | "stress-shortfall"
  | "shortfall"
  | "market-refused"
  | "attestation-needed"
  | "margin-call"
  | "margin-call-cured"
  | "margin-call-expired"
  | "rpc-unavailable"
  | "rpc-restored"
  | "webhook-failed"
  | "error";

/** One event line. */
export interface WatchEvent {
  time: string;
  level: "info" | "warn" | "error";
  type: WatchEventType;
  /** The feed round it concerns, when one does. */
  round?: string;
  message: string;
  [detail: string]: unknown;
}

/** Webhook delivery: attempts and backoff. */
export interface WebhookOptions {
  url: string;
  /** Attempts in all (default 6). */
  attempts?: number;
  /** First retry delay, doubled each time (default 500 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 5 s). */
  timeoutMs?: number;
}

const ALERT_LEVELS = new Set<WatchEvent["level"]>(["warn", "error"]);

/** Writes event lines and delivers alerts to the webhook. */
export class AlertSink {
  private readonly deliveries = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly write: (line: string) => void,
    private readonly webhook?: WebhookOptions,
  ) {
    // Every delivery attempt listens on the stop signal; there is no leak to warn about.
    setMaxListeners(0, this.stop.signal);
  }

  /** Logs an event; an alert is also sent to the webhook (not awaited). */
  emit(
    level: WatchEvent["level"],
    type: WatchEventType,
    message: string,
    details: Record<string, unknown> = {},
  ): WatchEvent {
    const event: WatchEvent = { time: new Date().toISOString(), level, type, message, ...details };
    this.write(
      JSON.stringify(event, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)),
    );
    if (this.webhook !== undefined && ALERT_LEVELS.has(level)) {
      const delivery = this.deliver(event, this.webhook).finally(() =>
        this.deliveries.delete(delivery),
      );
      this.deliveries.add(delivery);
    }
    return event;
  }

  private async deliver(event: WatchEvent, webhook: WebhookOptions): Promise<void> {
    const attempts = webhook.attempts ?? 6;
    let delay = webhook.backoffMs ?? 500;
    const body = JSON.stringify(event, (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    let lastError = "";
    for (let attempt = 1; attempt <= attempts && !this.stop.signal.aborted; attempt++) {
      try {
        const response = await fetch(webhook.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.any([
            AbortSignal.timeout(webhook.timeoutMs ?? 5_000),
            this.stop.signal,
          ]),
        });
        if (response.ok) return;
        lastError = `HTTP ${response.status}`;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts) {
        await sleep(delay, this.stop.signal);
        delay *= 2;
      }
    }
    this.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: "error",
        type: "webhook-failed",
        message: `webhook delivery of ${event.type} failed after ${attempts} attempts: ${lastError}`,
        alert: event.type,
        round: event.round,
      }),
    );
  }

  /** Waits for pending deliveries (at most `timeoutMs`), then abandons the rest. */
  async close(timeoutMs = 0): Promise<void> {
    if (timeoutMs > 0 && this.deliveries.size > 0) {
      await Promise.race([
        Promise.allSettled([...this.deliveries]),
        new Promise((resolve) => setTimeout(resolve, timeoutMs)),
      ]);
    }
    this.stop.abort();
    await Promise.allSettled([...this.deliveries]);
  }
}
