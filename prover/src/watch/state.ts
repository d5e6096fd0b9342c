/**
 * The watcher's state file: what it has done, written atomically after every step, so that a
 * restart neither loses nor repeats a submission. A submission is recorded as pending (round and
 * proof nonce) before it is sent and with its transaction hash once sent; on restart the chain
 * (the account's last nonce under the policy, the transaction) says what became of it.
 */
import { existsSync } from "node:fs";
import { z } from "zod";
import { InputError } from "../errors";
import { formatPath } from "../inputs";
import { readJsonFile, writeJsonFile } from "../io/json";

export const WATCH_STATE_VERSION = 1;

const uint = z.string().regex(/^(0|[1-9][0-9]*)$/);

/** What became of a round. */
const outcome = z
  .object({
    outcome: z.enum(["proved", "shortfall", "market-refused", "superseded", "refused", "stale"]),
    nonce: uint.optional(),
    transactionHash: z.string().optional(),
    /** The excess (µUSD; negative = shortfall) the holder's files gave at the round. */
    excessMicroUsd: z
      .string()
      .regex(/^-?(0|[1-9][0-9]*)$/)
      .optional(),
    detail: z.string().optional(),
  })
  .strict();

const schema = z
  .object({
    version: z.literal(WATCH_STATE_VERSION),
    chainId: uint,
    marginRegistry: z.string(),
    account: z.string(),
    policyId: z.string(),
    /** The highest round handled (proved, or settled otherwise); "0" before the first. */
    lastRound: uint,
    /** A submission being made: recorded before sending. */
    pending: z
      .object({ round: uint, nonce: uint, transactionHash: z.string().optional() })
      .strict()
      .optional(),
    rounds: z.record(uint, outcome),
    /** Alerts raised once per key (e.g. a margin call, an attestation request). */
    alerted: z.array(z.string()),
  })
  .strict();

export type WatchState = z.infer<typeof schema>;
export type RoundOutcome = z.infer<typeof outcome>;

/** How many rounds' outcomes are kept. */
const KEPT_ROUNDS = 64;

/** Reads the state file, or a fresh state when there is none; refuses one of another watch. */
export function loadWatchState(
  file: string,
  identity: Pick<WatchState, "chainId" | "marginRegistry" | "account" | "policyId">,
): WatchState {
  if (!existsSync(file)) {
    return { version: WATCH_STATE_VERSION, ...identity, lastRound: "0", rounds: {}, alerted: [] };
  }
  const parsed = schema.safeParse(readJsonFile(file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, formatPath(issue.path) || "$", issue.message);
  }
  for (const key of ["chainId", "marginRegistry", "account", "policyId"] as const) {
    if (parsed.data[key].toLowerCase() !== identity[key].toLowerCase()) {
      throw new InputError(file, key, `is ${parsed.data[key]}, not this watch's ${identity[key]}`);
    }
  }
  return parsed.data;
}

/** Writes the state atomically (owner-only), keeping the latest rounds' outcomes. */
export function saveWatchState(file: string, state: WatchState): void {
  const rounds = Object.keys(state.rounds)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1))
    .slice(0, KEPT_ROUNDS);
  const kept = { ...state, rounds: Object.fromEntries(rounds.map((r) => [r, state.rounds[r]])) };
  writeJsonFile(file, kept, { mode: 0o600 });
}
