/**
 * The clock a batcher waits on: the system's in the service, a fake one in tests (so the age
 * trigger is tested without sleeping).
 */

/** A pending timer, as {@link Clock.setTimer} returns it. */
export type Timer = unknown;

/** Time in ms and one-shot timers. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, ms: number): Timer;
  clearTimer(timer: Timer): void;
}

/** The system clock (`Date.now`, `setTimeout`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => setTimeout(callback, Math.max(0, ms)),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};
