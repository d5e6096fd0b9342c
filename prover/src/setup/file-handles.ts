/**
 * Closes the `fs.promises` FileHandles a call leaves open. snarkjs 0.7.6 leaks some:
 * `zKey.verifyFromInit` (so `verifyFromR1cs`) never closes the ptau its H check opens, its early
 * `return false` and its throws skip closing the zkeys it reads, and most readers throw on a bad
 * file without closing it. Node.js then closes them at garbage collection, with a warning
 * (DEP0137), and until then a long process (an auditor's) holds the descriptors.
 *
 * A handle belongs to the call whose asynchronous context opened it (AsyncLocalStorage), so
 * files opened outside the call, or by a concurrent one, are never touched.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import type { FileHandle } from "node:fs/promises";

const openedByCall = new AsyncLocalStorage<Set<FileHandle>>();
let tracking = false;

/** Makes `fs.promises.open` record each handle in the current call's set (once per process). */
function trackOpenedHandles(): void {
  if (tracking) return;
  tracking = true;
  const open = fs.promises.open;
  const tracked: typeof open = async (...args) => {
    const handle = await open(...args);
    openedByCall.getStore()?.add(handle);
    return handle;
  };
  Object.defineProperty(fs.promises, "open", {
    value: tracked,
    writable: true,
    configurable: true,
  });
}

/**
 * Runs `call` and then, whether it returned or threw, closes every FileHandle it opened that is
 * still open (closing a closed handle does nothing).
 */
export async function closingFileHandles<T>(call: () => Promise<T>): Promise<T> {
  trackOpenedHandles();
  const handles = new Set<FileHandle>();
  try {
    return await openedByCall.run(handles, call);
  } finally {
    await Promise.allSettled([...handles].map((handle) => handle.close()));
  }
}

/** `api` with each of its functions run through {@link closingFileHandles}. */
export function closingFileHandlesOf<T extends object>(api: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(api)) {
    wrapped[name] =
      typeof value === "function"
        ? (...args: unknown[]) =>
            closingFileHandles(async () => (value as (...a: unknown[]) => unknown)(...args))
        : value;
  }
  return wrapped as T;
}
