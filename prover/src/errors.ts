/** Typed errors shared by the loaders, the encoder and the prover. */
import type { MarginReport } from "./model/report";
import { formatUnits } from "./decimal";

/**
 * An input file (or in-memory input) broke a rule. `path` is a JSON path into the file such as
 * `assets.ETH.tiers[1].weight` or `perps[0].size` (`$` for the file as a whole); `rule` says what
 * was expected. Never carries the offending private value.
 */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly rule: string,
  ) {
    super(`${file}: ${path}: ${rule}`);
    this.name = "InputError";
  }
}

/**
 * The portfolio does not cover its requirement: `Eq * 1e6 < Req * minRatio`. The message gives the
 * shortfall in USD (the holder's own figure; never put it in calldata or logs shared with others).
 */
export class ShortfallError extends Error {
  constructor(readonly report: MarginReport) {
    super(`margin shortfall of ${formatUnits(-report.excessMicroUsd, 6)} USD`);
    this.name = "ShortfallError";
  }
}
