/**
 * Margin calls in MarginRegistry: a policy's venue calls margin on an account that has a status,
 * which must prove on a round posted after the call within the policy's cure window of that
 * round's posting; anyone settles the call (emits its cure or expiry); the venue can withdraw it.
 */
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { queryEvents, type BlockRange } from "./events";
import { sendAndWait } from "./send";
import { seconds, unixTime } from "../time";

/** `IMarginOracle.MarginCallState` (MarginRegistry's `marginCallOf`), by name. */
export const MARGIN_CALL_STATES = ["none", "pending", "cured", "expired"] as const;
export type MarginCallState = (typeof MARGIN_CALL_STATES)[number];

/** `marginCallOf(account, policyId)`, decoded. */
export interface MarginCall {
  state: MarginCallState;
  /** The feed's latest round at the call: a status that counts, on a later round, cures it. */
  round: bigint;
  calledAt: bigint;
  /** The policy's cure window, seconds. */
  cureWindow: bigint;
  /**
   * From this time on, uncured, `isMarginSufficient` is false: `cureWindow` after the first round
   * posted after the call; 0n while there is none (the deadline is not running yet).
   */
  deadline: bigint;
}

/**
 * When a call's deadline falls, in words: `before <deadline>` once a round was posted after the
 * call, else `within <cureWindow> s of the next round's posting` (the deadline is not running).
 */
export function deadlineText(call: Pick<MarginCall, "deadline" | "cureWindow">): string {
  return call.deadline === 0n
    ? `within ${seconds(call.cureWindow)} of the next round's posting`
    : `before ${unixTime(call.deadline)}`;
}

/** A `MarginCalled` event. */
export interface MarginCalledEvent {
  account: string;
  policyId: string;
  venue: string;
  round: bigint;
  /** The cure window: the deadline is this long after the next round's posting. */
  cureWindow: bigint;
  blockNumber: number;
  transactionHash: string;
}

/** Calls margin on `account`; the registry's runner needs the policy's venue role. */
export function callMargin(
  registry: BaseContract,
  account: string,
  policyId: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "callMargin", [account, policyId]);
}

/** Withdraws the account's call under the policy; the registry's runner needs the venue role. */
export function withdrawMarginCall(
  registry: BaseContract,
  account: string,
  policyId: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "withdrawMarginCall", [account, policyId]);
}

/** Emits the call's cure (and clears it) or its expiry; anyone may send it. */
export function settleMarginCall(
  registry: BaseContract,
  account: string,
  policyId: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(registry, "settleMarginCall", [account, policyId]);
}

/** Reads the account's margin call under the policy (`state: "none"` when there is none). */
export async function readMarginCall(
  registry: BaseContract,
  account: string,
  policyId: string,
): Promise<MarginCall> {
  const c = (await registry.getFunction("marginCallOf")(account, policyId)) as {
    state: bigint;
    round: bigint;
    calledAt: bigint;
    cureWindow: bigint;
    deadline: bigint;
  };
  const state = MARGIN_CALL_STATES[Number(c.state)];
  if (state === undefined) throw new Error(`unknown margin call state ${c.state}`);
  return {
    state,
    round: c.round,
    calledAt: c.calledAt,
    cureWindow: c.cureWindow,
    deadline: c.deadline,
  };
}

/** `MarginCalled` events, optionally for one account and policy, in a block range. */
export async function marginCalledEvents(
  registry: BaseContract,
  filter: { account?: string; policyId?: string } & BlockRange = {},
): Promise<MarginCalledEvent[]> {
  const logs = await queryEvents(
    registry,
    registry.filters.MarginCalled(filter.account ?? null, filter.policyId ?? null),
    filter,
  );
  return logs.map((log) => ({
    account: log.args.account as string,
    policyId: log.args.policyId as string,
    venue: log.args.venue as string,
    round: log.args.round as bigint,
    cureWindow: log.args.cureWindow as bigint,
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
  }));
}
