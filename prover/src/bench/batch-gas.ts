/**
 * The benchmark's figures of batched verification on-chain (issue 20): `MarginRegistry.proveBatch`
 * at several batch sizes beside single `prove` and `proveFor`, gas per account for first and
 * repeat proofs, and where a repeat proof's gas goes in the batch the targets are set at. Measured
 * by the same code as `npm run gas` (prover/src/gas/prove-batch-gas.ts), with real proofs.
 */
import type { GasSplit } from "../gas";
import { formatCount } from "./report/format";
import type { ProveBatchGas } from "../gas";

/** Batch sizes measured by a full run (issue 20); a quick run measures {@link QUICK_BATCH_SIZES}. */
export const BATCH_SIZES = [1, 8, 32, 64] as const;
/** Batch sizes of a quick run: the same code path, a few proofs. */
export const QUICK_BATCH_SIZES = [1, 4] as const;
/** The batch size the per-account targets are set at. */
export const TARGET_BATCH = 32;
/** Issue 20's targets per account at {@link TARGET_BATCH}, all in. */
export const BATCH_TARGETS = { first: 110_000, repeat: 90_000 } as const;
/** A batch of one may cost at most this much more than `prove` (a fraction). */
export const BATCH_OF_ONE_MARGIN = 0.05;

/** Per-account gas of one way of submitting, first and repeat proofs. */
export interface PerAccountGas {
  /** How the proofs were sent: `prove`, `proveFor`, or `proveBatch B = n`. */
  way: string;
  /** Accounts in the transaction (1 for prove and proveFor). */
  accounts: number;
  first: number;
  repeat: number;
}

/** Where one account's share of a transaction went (gas per account). */
export interface GasShare {
  pairing: number;
  ecMulAdd: number;
  ecrecover: number;
  storage: number;
  events: number;
  keccak: number;
  calldata: number;
  txBase: number;
  other: number;
  total: number;
}

/** What the benchmark reports of batched verification. */
export interface BatchGasFigures {
  /** The instance whose proofs were batched. */
  instance: string;
  rows: PerAccountGas[];
  /** The batch size of {@link repeatShare}: {@link TARGET_BATCH}, or the largest measured. */
  shareAt: number;
  /** A repeat proof's share in a batch of {@link shareAt}. */
  repeatShare: GasShare;
}

/** An account's share of `g` when `accounts` proofs share the transaction. */
export function shareOf(g: GasSplit, accounts: number): GasShare {
  const per = (value: bigint) => Math.round(Number(value) / accounts);
  const calldata = g.intrinsic - 21_000n;
  return {
    pairing: per(g.pairing),
    ecMulAdd: per(g.ecMul + g.ecAdd),
    ecrecover: per(g.ecrecover),
    storage: per(g.storage),
    events: per(g.logs),
    keccak: per(g.keccak),
    calldata: per(calldata),
    txBase: per(21_000n),
    other: per(g.other),
    total: per(g.total),
  };
}

/** The report's figures from a {@link ProveBatchGas} measurement. */
export function batchGasFigures(instance: string, measured: ProveBatchGas): BatchGasFigures {
  const row = (way: string, accounts: number, f: { first: GasSplit; repeat: GasSplit }) => ({
    way,
    accounts,
    first: shareOf(f.first, accounts).total,
    repeat: shareOf(f.repeat, accounts).total,
  });
  if (measured.batches.length === 0) throw new Error("no proveBatch was measured");
  const at =
    measured.batches.find((b) => b.size === TARGET_BATCH) ??
    measured.batches.reduce((a, b) => (b.size > a.size ? b : a));
  return {
    instance,
    rows: [
      row("prove", 1, measured.prove),
      row("proveFor", 1, measured.proveFor),
      ...measured.batches.map((b) => row(`proveBatch B = ${b.size}`, b.size, b)),
    ],
    shareAt: at.size,
    repeatShare: shareOf(at.repeat, at.size),
  };
}

/** One target of issue 20, judged on the figures. */
export interface BatchTargetCheck {
  what: string;
  measured: number;
  limit: number;
  met: boolean;
}

/** Issue 20's gas targets judged on `figures`. */
export function batchTargetChecks(figures: BatchGasFigures): BatchTargetCheck[] {
  const find = (way: string) => figures.rows.find((r) => r.way === way);
  const checks: BatchTargetCheck[] = [];
  const at = find(`proveBatch B = ${TARGET_BATCH}`);
  if (at) {
    for (const kind of ["repeat", "first"] as const) {
      const limit = BATCH_TARGETS[kind];
      checks.push({
        what: `${kind} proof in a batch of ${TARGET_BATCH}, per account`,
        measured: at[kind],
        limit,
        met: at[kind] <= limit,
      });
    }
  }
  const one = find("proveBatch B = 1");
  const prove = find("prove");
  if (one && prove) {
    for (const kind of ["first", "repeat"] as const) {
      const limit = Math.floor(prove[kind] * (1 + BATCH_OF_ONE_MARGIN));
      checks.push({
        what: `a batch of one, ${kind} proof (at most 5 % over prove's ${formatCount(prove[kind])})`,
        measured: one[kind],
        limit,
        met: one[kind] <= limit,
      });
    }
  }
  return checks;
}
