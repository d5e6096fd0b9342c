/**
 * EIP-2930 access lists from a trace of the call (browser-safe: ethers only). A transaction that
 * names, up front, the contracts and storage slots it will touch pays 2,400 per address and 1,900
 * per slot instead of the cold 2,600 and 2,100 at first touch (EIP-2929), then the warm 100: 100
 * less for each. The list is read from `debug_traceCall` (Hardhat's network and geth's debug API
 * answer it; Hardhat has no `eth_createAccessList`): every address the call reaches but the
 * target and the precompiles, and every slot read or written, under the contract whose storage it
 * is (a DELEGATECALL's slots are the caller's). The target's own slots are listed only when they
 * pay for its entry: the target is warm already, so its 2,400 buys nothing but the slots' 100
 * each (more than 24 slots: a batch of proofs, never a single `prove`).
 */
import { getAddress, toBeHex, zeroPadValue } from "ethers";
import type { AccessList } from "ethers";

/** One step of a `debug_traceCall` / `debug_traceTransaction` struct log. */
export interface TraceStep {
  op: string;
  depth: number;
  /** The stack, bottom first (the top is the last entry), as hex words. */
  stack?: string[];
}

/** A trace's result, as the debug namespace returns it. */
export interface CallTrace {
  failed: boolean;
  structLogs: TraceStep[];
}

/** The EIP-1193 / ethers JSON-RPC access a trace needs. */
export interface TraceProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

/** Slots of the target beyond which listing them (its entry 2,400, 100 saved each) pays. */
const TARGET_SLOTS_BREAK_EVEN = 24;

/** Highest precompile address (0x01 .. 0x11 with EIP-2537); they are always warm. */
const LAST_PRECOMPILE = 0x11n;

/** Opcodes that reach another account (warming it), with where its address sits on the stack. */
const ACCOUNT_OPS: Record<string, number> = {
  CALL: 2,
  CALLCODE: 2,
  DELEGATECALL: 2,
  STATICCALL: 2,
  BALANCE: 1,
  EXTCODESIZE: 1,
  EXTCODECOPY: 1,
  EXTCODEHASH: 1,
};

function word(hex: string): bigint {
  return BigInt(hex.startsWith("0x") ? hex : `0x${hex}`);
}

function addressOf(hex: string): string {
  return getAddress(toBeHex(word(hex) & ((1n << 160n) - 1n), 20));
}

/**
 * The access list of a traced call to `to`: the addresses it reached but `to` and the precompiles,
 * each with the storage slots of its own that the call read or wrote, and `to` with its slots when
 * there are more than 24 of them. Refuses a failed call (its list would be the failure's).
 */
export function accessListFromTrace(trace: CallTrace, to: string): AccessList {
  if (trace.failed) throw new Error("the traced call failed: no access list for it");
  const target = getAddress(to);
  const slots = new Map<string, Set<string>>();
  const touch = (address: string) => {
    if (!slots.has(address)) slots.set(address, new Set());
  };
  // The storage context of each depth: depth 1 is the target's.
  const contexts: string[] = [target];
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i];
    contexts.length = step.depth; // returning from calls drops their contexts
    const context = contexts[step.depth - 1];
    const stack = step.stack ?? [];
    const top = (n: number) => stack[stack.length - n];
    if ((step.op === "SLOAD" || step.op === "SSTORE") && stack.length > 0) {
      touch(context);
      slots.get(context)!.add(zeroPadValue(toBeHex(word(top(1))), 32));
    }
    const position = ACCOUNT_OPS[step.op];
    if (position === undefined || stack.length < position) continue;
    const account = addressOf(top(position));
    if (BigInt(account) > LAST_PRECOMPILE) touch(account);
    const next = logs[i + 1];
    if (next !== undefined && next.depth === step.depth + 1) {
      // Entering the callee: its storage is its own, but a DELEGATECALL's or CALLCODE's is ours.
      const delegated = step.op === "DELEGATECALL" || step.op === "CALLCODE";
      contexts[step.depth] = delegated ? context : account;
    }
  }
  const list: AccessList = [];
  for (const [address, keys] of slots) {
    if (address !== target || keys.size > TARGET_SLOTS_BREAK_EVEN) {
      list.push({ address, storageKeys: [...keys].sort() });
    }
  }
  return list;
}

/**
 * The access list of `tx` as the node traces it now (`debug_traceCall` on the latest block):
 * what a transaction sent with it saves is 100 gas per cold address and per cold slot.
 */
export async function traceAccessList(
  provider: TraceProvider,
  tx: { from: string; to: string; data: string },
): Promise<AccessList> {
  const trace = (await provider.send("debug_traceCall", [
    { from: getAddress(tx.from), to: getAddress(tx.to), data: tx.data },
    "latest",
    { disableMemory: true, disableStorage: true },
  ])) as CallTrace;
  return accessListFromTrace(trace, tx.to);
}
