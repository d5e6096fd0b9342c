/**
 * Each sub-portfolio's share of the total, for the watcher's events: the rows of `zkmargin
 * margin`'s sub-portfolios table ({@link pieceTotals}), in USD, named by their portfolio files.
 * None for a single portfolio. They are the holder's own figures, like the excess an alert
 * carries; no amount, salt or key.
 */
import { formatUnits } from "../decimal";
import { MICRO_USD_DECIMALS, pieceTotals, type MarginReport } from "../model";

/** One sub-portfolio's share of the total, USD decimal strings. */
export interface PieceShareDetail {
  portfolio: string;
  valueUsd: string;
  haircutValueUsd: string;
  pnlUsd: string;
  optionValueUsd: string;
  /** Its part of the equity: haircut value + PnL + option value. */
  equityPartUsd: string;
  perpRequirementUsd: string;
}

/** `{ pieces: [...] }` for several sub-portfolios (in slot order), `{}` for one. */
export function pieceShareDetails(
  report: MarginReport,
  files: readonly string[],
): { pieces?: PieceShareDetail[] } {
  if (report.pieces.length < 2) return {};
  const usd = (microUsd: bigint) => formatUnits(microUsd, MICRO_USD_DECIMALS);
  return {
    pieces: pieceTotals(report.pieces).pieces.map((t, k) => ({
      portfolio: files[k],
      valueUsd: usd(t.valueMicroUsd),
      haircutValueUsd: usd(t.haircutValueMicroUsd),
      pnlUsd: usd(t.pnlMicroUsd),
      optionValueUsd: usd(t.optionValueMicroUsd),
      equityPartUsd: usd(t.equityPartMicroUsd),
      perpRequirementUsd: usd(t.perpRequirementMicroUsd),
    })),
  };
}
