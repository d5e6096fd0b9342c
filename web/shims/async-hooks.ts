/**
 * `node:async_hooks` in the browser bundle. The setup's snarkjs facade (bundled with the SDK
 * modules the page imports) makes an AsyncLocalStorage to close the files snarkjs leaves open;
 * the page never runs a setup call, so running one here is a bug in the page and fails loudly.
 */
export class AsyncLocalStorage<T> {
  getStore(): T | undefined {
    return undefined;
  }

  run<R>(_store: T, _call: () => R): R {
    throw new Error("AsyncLocalStorage.run: the browser has no setup calls to track");
  }
}

export default { AsyncLocalStorage };
