/**
 * Decoding of the contracts' custom errors from a failed call or transaction.
 */
import type { Interface } from "ethers";

/** A decoded custom error. */
export interface DecodedRevert {
  name: string;
  args: unknown[];
}

/** Where ethers, Hardhat and JSON-RPC nodes nest the revert data of a failed call. */
const NESTING_KEYS = ["data", "error", "info", "cause"] as const;
/** How many nested objects are searched at most (error objects can be cyclic). */
const MAX_VISITED = 32;

/**
 * Finds the first hex string under a `data` key, breadth first through `data`, `error`, `info`
 * and `cause`: Hardhat's in-process network puts it at `error.data`, a JSON-RPC node (e.g.
 * `npx hardhat node`) at `error.error.data.data` (an object-valued `data`).
 */
function revertData(error: unknown): string | undefined {
  const queue: unknown[] = [error];
  const seen = new Set<object>();
  while (queue.length > 0 && seen.size < MAX_VISITED) {
    const current = queue.shift();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const fields = current as Record<string, unknown>;
    if (typeof fields.data === "string" && /^0x([0-9a-fA-F]{2})*$/.test(fields.data)) {
      return fields.data;
    }
    for (const key of NESTING_KEYS) queue.push(fields[key]);
  }
  return undefined;
}

/**
 * Finds the revert data in an ethers/Hardhat error and decodes it with the first interface that
 * knows the selector. Returns undefined when there is no data or no interface matches.
 */
export function decodeRevert(
  error: unknown,
  interfaces: readonly Interface[],
): DecodedRevert | undefined {
  const data = revertData(error);
  if (data === undefined || data.length < 10) return undefined;
  for (const iface of interfaces) {
    const parsed = iface.parseError(data);
    if (parsed) return { name: parsed.name, args: [...parsed.args] };
  }
  return undefined;
}
