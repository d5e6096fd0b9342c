/**
 * Development keys of the instances that suites share (`small`, `demo`), set up at most once per
 * test run and within a deadline that fits a busy machine.
 *
 * The first suite that needs an instance starts its setup (a no-op when the keys are up to date);
 * every later suite gets the same result, or at once the same failure: a setup that fails or runs
 * past {@link SHARED_KEYS_TIMEOUT_MS} is never started again in the run, so no later suite waits
 * on a build (or a lock) that an earlier one left behind.
 *
 * Use `before(sharedKeysHook("small"))` first in a suite (or `await awaitSharedKeys(this, "small")`
 * in a test), then `await sharedKeys("small")` where the setup's result is needed.
 */
import type { Context } from "mocha";
import { setupInstance, type SetupResult } from "../../prover/src/setup/dev-setup";

/**
 * Deadline of one instance's setup: compiling, a ptau of power 14 and phase 2. On 2 idle cores the
 * ptau takes 4-5 min; on the shared development machine it was measured at 34 min.
 */
export const SHARED_KEYS_TIMEOUT_MS = 60 * 60_000;

const setups = new Map<string, Promise<SetupResult>>();

/** The instance's development keys, set up once per run (quietly). */
export function sharedKeys(instance: string): Promise<SetupResult> {
  let setup = setups.get(instance);
  if (setup === undefined) {
    setup = withDeadline(
      setupInstance(instance, { log: () => undefined, onProgress: () => undefined }),
      SHARED_KEYS_TIMEOUT_MS,
      instance,
    );
    setups.set(instance, setup);
  }
  return setup;
}

/** {@link sharedKeys} from a mocha hook or test, whose timeout it raises above the deadline. */
export function awaitSharedKeys(context: Context, instance: string): Promise<SetupResult> {
  context.timeout(SHARED_KEYS_TIMEOUT_MS + 60_000);
  return sharedKeys(instance);
}

/** A mocha `before` hook that sets the instance up once per run (see {@link awaitSharedKeys}). */
export function sharedKeysHook(instance: string): (this: Context) => Promise<void> {
  return async function (this: Context) {
    await awaitSharedKeys(this, instance);
  };
}

function withDeadline<T>(work: Promise<T>, ms: number, instance: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `development keys of "${instance}" were not ready after ${ms / 60_000} min; ` +
              `later suites that need them fail at once (see the first failure of this run)`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
