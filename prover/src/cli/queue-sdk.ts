/** The proving-service SDK for the `batch` and `worker` verbs, loaded on first use. */

/**
 * `prover/src/queue`, required when a verb runs rather than at start-up: BullMQ and ioredis take
 * a noticeable part of a second to load, which every other verb would otherwise pay.
 */
export function queueSdk(): typeof import("../queue") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("../queue") as typeof import("../queue");
}
