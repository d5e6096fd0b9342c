/**
 * Decoding of the contracts' custom errors from a failed call or transaction.
 */
import type { Interface } from "ethers";

/** A decoded custom error. */
export interface DecodedRevert {
  name: string;
  args: unknown[];
}

function revertData(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x")) return data;
    current =
      (current as { error?: unknown; info?: unknown }).error ??
      (current as { info?: unknown }).info;
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
