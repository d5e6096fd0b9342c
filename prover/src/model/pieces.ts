/**
 * Several sub-portfolios as one book (DESIGN.md "Several custodians in one proof", normative):
 * asset amounts and option quantities add; a perp's pieces add their signed sizes and their costs
 * (size x entry price), so its PnL is rounded once on the exact sum. And the way back: each
 * piece's share of the total's figures, apportioned so that the shares add up exactly.
 */
import type { Policy, Portfolio } from "../inputs/types";
import { abs, floorDiv } from "./arith";
import type { AssetLine, OptionShare, PerpLine, PieceShare } from "./report";

/** A perp's pieces summed: net size and cost (sum_k s_k * E_k). */
export interface NetPerp {
  size: bigint;
  cost: bigint;
  /** The entry price of the one piece that holds the perp, or null when several or none do. */
  soleEntryPrice: bigint | null;
}

/** The sum of the sub-portfolios, by slot name. */
export interface Book {
  collateral: Map<string, bigint>;
  perps: Map<string, NetPerp>;
  options: Map<string, bigint>;
}

/** One portfolio, or several sub-portfolios, as a non-empty list. */
export function piecesOf(portfolio: Portfolio | readonly Portfolio[]): readonly Portfolio[] {
  const pieces: readonly Portfolio[] = Array.isArray(portfolio)
    ? (portfolio as readonly Portfolio[])
    : [portfolio as Portfolio];
  if (pieces.length === 0) throw new RangeError("at least one sub-portfolio is needed");
  return pieces;
}

/** The sum of `pieces` over the policy's slots (slots nobody holds are absent or 0). */
export function sumPieces(policy: Policy, pieces: readonly Portfolio[]): Book {
  const collateral = new Map<string, bigint>();
  for (const { symbol } of policy.assets) {
    collateral.set(
      symbol,
      pieces.reduce((s, p) => s + (p.collateral.get(symbol) ?? 0n), 0n),
    );
  }
  const perps = new Map<string, NetPerp>();
  for (const { instrument } of policy.perps) {
    const held = pieces.flatMap((p) => {
      const position = p.perps.get(instrument);
      return position === undefined ? [] : [position];
    });
    perps.set(instrument, {
      size: held.reduce((s, h) => s + h.size, 0n),
      cost: held.reduce((s, h) => s + h.size * h.entryPrice, 0n),
      soleEntryPrice: held.length === 1 ? held[0].entryPrice : null,
    });
  }
  const options = new Map<string, bigint>();
  for (const { instrument } of policy.options) {
    options.set(
      instrument,
      pieces.reduce((s, p) => s + (p.options.get(instrument) ?? 0n), 0n),
    );
  }
  return { collateral, perps, options };
}

/** A perp line's entry price: the sole piece's, else the average cost / size (0 when flat). */
export function displayEntryPrice(net: NetPerp): bigint {
  if (net.soleEntryPrice !== null) return net.soleEntryPrice;
  if (net.size === 0n) return 0n;
  return net.size > 0n ? floorDiv(net.cost, net.size) : floorDiv(-net.cost, -net.size);
}

/**
 * Shares of `floor(sum_k n_k / divisor)` by cumulative floors: share_k = floor(N_k / d) -
 * floor(N_{k-1} / d) with N_k = n_1 + ... + n_k. They add up to the total exactly, and each is
 * within 1 of floor(n_k / d) (for non-negative n_k).
 */
export function floorShares(numerators: readonly bigint[], divisor: bigint): bigint[] {
  let cumulative = 0n;
  let before = 0n;
  return numerators.map((n) => {
    cumulative += n;
    const upTo = floorDiv(cumulative, divisor);
    const share = upTo - before;
    before = upTo;
    return share;
  });
}

/**
 * `total` apportioned by signed `weights` (pro rata, cumulative floors), adding up to `total`
 * exactly. When the weights sum to 0 the first share takes the whole total (the callers' totals
 * are then 0: an empty slot has no value, a flat perp no notional).
 */
export function prorate(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) return weights.map((_, k) => (k === 0 ? total : 0n));
  const sign = sum < 0n ? -1n : 1n;
  return floorShares(
    weights.map((w) => total * w * sign),
    abs(sum),
  );
}

/** What the shares are computed from: the total's lines and each slot's pricing. */
export interface ShareInputs {
  assets: readonly AssetLine[];
  /** 10^(decimals + 6) per asset, in the assets' order. */
  assetScales: readonly bigint[];
  perps: readonly PerpLine[];
  /** 10^(sizeDecimals + 6) per perp, in the perps' order. */
  perpScales: readonly bigint[];
  /** Option marks (µUSD per contract), by instrument, in the policy's order. */
  optionMarks: readonly { instrument: string; mark: bigint }[];
}

/** Each piece's share of the total (see {@link PieceShare}), in the pieces' order. */
export function pieceShares(pieces: readonly Portfolio[], total: ShareInputs): PieceShare[] {
  const assetColumns = total.assets.map((line, i) => {
    const amounts = pieces.map((p) => p.collateral.get(line.symbol) ?? 0n);
    return {
      amounts,
      values: floorShares(
        amounts.map((a) => a * line.price),
        total.assetScales[i],
      ),
      haircuts: prorate(line.haircutValueMicroUsd, amounts),
    };
  });
  const perpColumns = total.perps.map((line, j) => {
    const held = pieces.map((p) => p.perps.get(line.instrument) ?? { size: 0n, entryPrice: 0n });
    const sizes = held.map((h) => h.size);
    return {
      held,
      pnls: floorShares(
        held.map((h) => h.size * (line.mark - h.entryPrice)),
        total.perpScales[j],
      ),
      notionals: prorate(line.notionalMicroUsd, sizes),
      requirements: prorate(line.requirementMicroUsd, sizes),
    };
  });
  const sum = (xs: readonly bigint[]): bigint => xs.reduce((s, x) => s + x, 0n);
  return pieces.map((piece, k) => {
    const assets = total.assets.map((line, i) => ({
      symbol: line.symbol,
      amount: assetColumns[i].amounts[k],
      valueMicroUsd: assetColumns[i].values[k],
      haircutValueMicroUsd: assetColumns[i].haircuts[k],
    }));
    const perps = total.perps.map((line, j) => ({
      instrument: line.instrument,
      size: perpColumns[j].held[k].size,
      entryPrice: perpColumns[j].held[k].entryPrice,
      pnlMicroUsd: perpColumns[j].pnls[k],
      notionalMicroUsd: perpColumns[j].notionals[k],
      requirementMicroUsd: perpColumns[j].requirements[k],
    }));
    const options: OptionShare[] = total.optionMarks.map(({ instrument, mark }) => {
      const quantity = piece.options.get(instrument) ?? 0n;
      return { instrument, quantity, valueMicroUsd: quantity * mark };
    });
    return {
      assets,
      perps,
      options,
      totals: {
        valueMicroUsd: sum(assets.map((a) => a.valueMicroUsd)),
        haircutValueMicroUsd: sum(assets.map((a) => a.haircutValueMicroUsd)),
        pnlMicroUsd: sum(perps.map((p) => p.pnlMicroUsd)),
        optionValueMicroUsd: sum(options.map((o) => o.valueMicroUsd)),
        perpRequirementMicroUsd: sum(perps.map((p) => p.requirementMicroUsd)),
      },
    };
  });
}

/** A sub-portfolio's totals with its part of the equity (haircut value + PnL + option value). */
export type PieceTotals = PieceShare["totals"] & { equityPartMicroUsd: bigint };

/**
 * The rows of a sub-portfolios table: each piece's totals with its equity part, and their sum
 * (which is the total's: every share adds up exactly). The scan risk, the short-option minimum,
 * the concentration excess and the buffer belong to the whole book and are in no row.
 */
export function pieceTotals(pieces: readonly PieceShare[]): {
  pieces: PieceTotals[];
  total: PieceTotals;
} {
  const withEquity = (t: PieceShare["totals"]): PieceTotals => ({
    ...t,
    equityPartMicroUsd: t.haircutValueMicroUsd + t.pnlMicroUsd + t.optionValueMicroUsd,
  });
  const rows = pieces.map((p) => withEquity(p.totals));
  const total = withEquity({
    valueMicroUsd: rows.reduce((s, r) => s + r.valueMicroUsd, 0n),
    haircutValueMicroUsd: rows.reduce((s, r) => s + r.haircutValueMicroUsd, 0n),
    pnlMicroUsd: rows.reduce((s, r) => s + r.pnlMicroUsd, 0n),
    optionValueMicroUsd: rows.reduce((s, r) => s + r.optionValueMicroUsd, 0n),
    perpRequirementMicroUsd: rows.reduce((s, r) => s + r.perpRequirementMicroUsd, 0n),
  });
  return { pieces: rows, total };
}

/** "k" or "k (name)": sub-portfolio k (from 1), named when names are given. */
export function pieceLabel(k: number, names?: readonly string[]): string {
  return `${k + 1}${names?.[k] === undefined ? "" : ` (${names[k]})`}`;
}
