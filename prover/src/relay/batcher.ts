/**
 * Gathering items into batches, by size and by age: a batch is sent as soon as `maxSize` items
 * wait, or when the oldest has waited `maxWaitMs`, or at once on {@link Batcher.flush}. One batch
 * is in flight at a time (one relayer account sends its transactions in order); items that come
 * meanwhile wait for the next. Each item's promise settles with its own result from the batch.
 */
import { systemClock, type Clock, type Timer } from "./clock";

/** One item's result from a batch: a value, or the error its promise rejects with. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Options of {@link Batcher}. */
export interface BatcherOptions {
  /** Most items in one batch. */
  maxSize: number;
  /** Longest wait of an item before its batch is sent, ms. */
  maxWaitMs: number;
  clock?: Clock;
}

interface Entry<T, R> {
  item: T;
  since: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/** Runs `process` on batches of the items added; see the module comment. */
export class Batcher<T, R> {
  private readonly waiting: Entry<T, R>[] = [];
  private readonly clock: Clock;
  private inFlight: Promise<void> | undefined;
  private timer: Timer | undefined;
  private flushing = false;

  constructor(
    private readonly process: (items: T[]) => Promise<Settled<R>[]>,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError(`batch size must be a positive integer, got ${options.maxSize}`);
    }
    if (!(options.maxWaitMs >= 0)) {
      throw new RangeError(`batch wait must be at least 0 ms, got ${options.maxWaitMs}`);
    }
    this.clock = options.clock ?? systemClock;
  }

  /** Items waiting for a batch (not counting the batch in flight). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Whether a batch is being processed. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** Adds an item; resolves or rejects with its result once its batch is processed. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, since: this.clock.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Sends every waiting item now, without waiting for the size or the age. */
  flush(): void {
    if (this.waiting.length > 0) this.flushing = true;
    this.schedule();
  }

  /** Flushes, then resolves once no item waits and no batch is in flight. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight !== undefined) await this.inFlight;
  }

  private schedule(): void {
    if (this.inFlight !== undefined) return; // looked at again when the batch in flight ends
    if (this.waiting.length === 0) {
      this.flushing = false;
      this.disarm();
      return;
    }
    const age = this.clock.now() - this.waiting[0].since;
    if (
      this.flushing ||
      this.waiting.length >= this.options.maxSize ||
      age >= this.options.maxWaitMs
    ) {
      this.disarm();
      this.sendNext();
    } else if (this.timer === undefined) {
      this.timer = this.clock.setTimer(() => {
        this.timer = undefined;
        this.schedule();
      }, this.options.maxWaitMs - age);
    }
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private sendNext(): void {
    const batch = this.waiting.splice(0, this.options.maxSize);
    if (this.waiting.length === 0) this.flushing = false;
    this.inFlight = this.run(batch).finally(() => {
      this.inFlight = undefined;
      this.schedule();
    });
  }

  private async run(batch: Entry<T, R>[]): Promise<void> {
    let results: Settled<R>[];
    try {
      results = await this.process(batch.map((entry) => entry.item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} items gave ${results.length} results`);
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => {
      const result = results[i];
      if (result.ok) entry.resolve(result.value);
      else entry.reject(result.error);
    });
  }
}
