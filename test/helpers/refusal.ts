/** Awaiting an expected refusal in tests. */
import { expect } from "chai";

/**
 * The error `promise` rejects with; fails the test when it fulfils or rejects with a non-Error.
 * `expected` names what was awaited, for the failure message.
 */
export async function refusal(promise: Promise<unknown>, expected = "a refusal"): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${expected}`).to.be.instanceOf(Error);
  return error as Error;
}
