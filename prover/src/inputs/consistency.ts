/**
 * Cross-file rules of a policy, a market round and one portfolio or several sub-portfolios:
 * everything the policy names is priced or quoted in the round, each sub-portfolio only holds
 * policy slots, all name the same account, and every value the circuit will see or derive (from
 * their sum) fits its bit width (circuits/README.md), so proving never fails on an input that
 * passed here.
 */
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { computeMargin } from "../model/margin";
import {
  AMOUNT_BITS,
  MAX_PLEDGES,
  PERP_SIZE_BITS,
  PERP_SIZE_RANGE,
  PRICE_BITS,
  PRICE_DECIMALS,
  QTY_BITS,
  RISK_SUM_BITS,
  VALUE_BITS,
  bound,
  fitsBits,
  fitsSigned,
} from "../encoding/widths";
import { formatPath } from "./issues";
import { assertJointSetFor } from "./joint-set";
import { assertWellFormedMarket } from "./market-rules";
import type { InputFiles, Market, PiecesFiles, Policy, Portfolio } from "./types";

const VALUE_RULE = `exceeds the circuit's ${VALUE_BITS}-bit µUSD range`;
/** Scenario losses L_k: -2^117 <= L_k < 2^117 µUSD, so R = max(L_k, SOM) < 2^118 (RISK_SUM_BITS). */
const SCENARIO_LOSS_BITS = RISK_SUM_BITS - 1;
/**
 * The option book's value V: |V| < 2^118 µUSD, which keeps |Eq| below 2^119 (MarginStatement's
 * completeness bound). One portfolio always stays under it (|q| < 2^48, marks < 2^64, at most 64
 * series); a sum of sub-portfolios could, in principle, exceed it.
 */
const OPTION_VALUE_BITS = RISK_SUM_BITS;

function checkMarketCoversPolicy(policy: Policy, market: Market, file: string): void {
  for (const asset of policy.assets) {
    if (!market.prices.has(asset.symbol)) {
      throw new InputError(
        file,
        formatPath(["prices", asset.symbol]),
        `missing: the policy's collateral asset ${JSON.stringify(asset.symbol)} needs a price`,
      );
    }
  }
  for (const perp of policy.perps) {
    if (!market.prices.has(perp.underlying)) {
      throw new InputError(
        file,
        formatPath(["prices", perp.underlying]),
        `missing: ${JSON.stringify(perp.underlying)}, the underlying of ${perp.instrument}, needs a price`,
      );
    }
  }
  for (const option of policy.options) {
    if (!market.options.has(option.instrument)) {
      throw new InputError(
        file,
        formatPath(["options", option.instrument]),
        `missing: the policy's option series ${JSON.stringify(option.instrument)} needs a quote`,
      );
    }
  }
}

/** Rules for portfolios built in memory (the file parser already enforces them with its own paths). */
function checkPortfolioSlots(policy: Policy, portfolio: Portfolio, file: string): void {
  try {
    if (getAddress(portfolio.account) !== portfolio.account) throw new Error("not checksummed");
  } catch {
    throw new InputError(file, "account", "must be an EIP-55 checksummed address");
  }
  const assets = new Set(policy.assets.map((a) => a.symbol));
  for (const [symbol, amount] of portfolio.collateral) {
    const path = formatPath(["collateral", symbol]);
    if (!assets.has(symbol)) {
      throw new InputError(
        file,
        path,
        `unknown asset ${JSON.stringify(symbol)} (not in the policy)`,
      );
    }
    if (!fitsBits(amount, AMOUNT_BITS)) {
      throw new InputError(
        file,
        path,
        `must be non-negative and below 2^${AMOUNT_BITS} base units`,
      );
    }
  }
  const perps = new Set(policy.perps.map((p) => p.instrument));
  [...portfolio.perps].forEach(([instrument, { size, entryPrice }], k) => {
    if (!perps.has(instrument)) {
      throw new InputError(
        file,
        formatPath(["perps", k, "instrument"]),
        `unknown perp instrument ${JSON.stringify(instrument)} (not in the policy)`,
      );
    }
    if (!fitsBits(size < 0n ? -size : size, PERP_SIZE_BITS)) {
      throw new InputError(
        file,
        formatPath(["perps", k, "size"]),
        `magnitude must be ${PERP_SIZE_RANGE}`,
      );
    }
    if (!fitsBits(entryPrice, PRICE_BITS)) {
      throw new InputError(
        file,
        formatPath(["perps", k, "entryPrice"]),
        `must be non-negative and below 2^${PRICE_BITS} x 1e-${PRICE_DECIMALS} USD`,
      );
    }
  });
  const options = new Set(policy.options.map((o) => o.instrument));
  [...portfolio.options].forEach(([instrument, quantity], k) => {
    if (!options.has(instrument)) {
      throw new InputError(
        file,
        formatPath(["options", k, "instrument"]),
        `unknown option series ${JSON.stringify(instrument)} (not in the policy)`,
      );
    }
    if (!fitsBits(quantity < 0n ? -quantity : quantity, QTY_BITS)) {
      throw new InputError(
        file,
        formatPath(["options", k, "quantity"]),
        `magnitude must be below 2^${QTY_BITS} contracts`,
      );
    }
  });
}

/**
 * Values the circuit computes from the sum of the sub-portfolios must fit their widths: per slot
 * v, H, n, |u|, M below 2^60 µUSD; every scenario loss L_k in [-2^117, 2^117) µUSD; the option
 * value |V| below 2^118 µUSD. The scan risk R = max(0, max_k L_k, SOM) is then below 2^118
 * (RISK_SUM_BITS), since SOM < 2^40 x (options x C x 2^48) is far below 2^117. `file` names the
 * one portfolio, or the sub-portfolios joined with " + " (the sum is in no file of its own).
 */
function checkDerivedWidths(
  policy: Policy,
  market: Market,
  pieces: readonly Portfolio[],
  file: string,
): void {
  const report = computeMargin(policy, market, pieces);
  const limit = bound(VALUE_BITS);
  for (const asset of report.assets) {
    if (asset.valueMicroUsd >= limit) {
      throw new InputError(file, formatPath(["collateral", asset.symbol]), `value ${VALUE_RULE}`);
    }
  }
  // A perp's path in the (first) file that holds it; the perp's name when it is held in several.
  const holders = (instrument: string): Portfolio[] =>
    pieces.filter((p) => p.perps.has(instrument));
  for (const perp of report.perps) {
    const held = holders(perp.instrument);
    const path =
      held.length === 1
        ? formatPath(["perps", [...held[0].perps.keys()].indexOf(perp.instrument), "size"])
        : formatPath(["perps", perp.instrument, "size"]);
    if (perp.notionalMicroUsd >= limit || perp.requirementMicroUsd >= limit) {
      throw new InputError(file, path, `notional ${VALUE_RULE}`);
    }
    if ((perp.pnlMicroUsd < 0n ? -perp.pnlMicroUsd : perp.pnlMicroUsd) >= limit) {
      throw new InputError(file, path, `unrealized PnL ${VALUE_RULE}`);
    }
  }
  const value = report.options.valueMicroUsd;
  if (!fitsSigned(value, OPTION_VALUE_BITS)) {
    throw new InputError(
      file,
      "options",
      `option value exceeds the circuit's ${OPTION_VALUE_BITS}-bit µUSD range`,
    );
  }
  const kind = report.margin === "portfolio" ? "joint loss" : "option loss";
  for (const { label, lossMicroUsd } of report.scenarios) {
    if (!fitsSigned(lossMicroUsd, SCENARIO_LOSS_BITS)) {
      throw new InputError(
        file,
        "$",
        `${kind} in scenario ${JSON.stringify(label)} exceeds the circuit's ${SCENARIO_LOSS_BITS}-bit µUSD range`,
      );
    }
  }
}

/**
 * Cross-file rules: the round is well formed (`market-rules.ts`: one scenario count K, widths);
 * every policy asset and perp underlying has a price and every policy option series a quote; a
 * `portfolio` policy has the round's scenario set with a risk array for each of its assets and
 * perps; the portfolio holds only policy slots within the circuit's widths; and the values the
 * circuit derives (per slot, per scenario, the scan risk) fit their widths. Throws an
 * {@link InputError} naming the file, the path and the rule.
 */
export function checkConsistency(
  policy: Policy,
  market: Market,
  portfolio: Portfolio,
  files: InputFiles,
): void {
  checkPiecesConsistency(policy, market, [portfolio], {
    policy: files.policy,
    market: files.market,
    portfolios: [files.portfolio],
  });
}

/**
 * The file names of `count` sub-portfolios: `files.portfolios` when given (one per piece), the
 * one `files.portfolio` for a single portfolio, else `sub-portfolio 1`, `sub-portfolio 2`, ...
 */
export function piecesFiles(files: InputFiles | PiecesFiles, count: number): PiecesFiles {
  if ("portfolios" in files) {
    if (files.portfolios.length !== count) {
      throw new RangeError(`${count} sub-portfolios but ${files.portfolios.length} file names`);
    }
    return files;
  }
  const portfolios =
    count === 1
      ? [files.portfolio]
      : Array.from({ length: count }, (_, k) => `sub-portfolio ${k + 1}`);
  return { policy: files.policy, market: files.market, portfolios };
}

/**
 * {@link checkConsistency} for several sub-portfolios (DESIGN.md "Several custodians in one
 * proof"): the round's rules once; each sub-portfolio's slots and widths, each about its own
 * file; all naming the first one's account (the proof binds one account); at most
 * MAX_PLEDGES of them; and the widths of what the circuit derives from their sum.
 */
export function checkPiecesConsistency(
  policy: Policy,
  market: Market,
  pieces: readonly Portfolio[],
  files: PiecesFiles,
): void {
  if (pieces.length === 0)
    throw new InputError("arguments", "portfolios", "at least one is needed");
  if (pieces.length > MAX_PLEDGES) {
    throw new InputError(
      "arguments",
      "portfolios",
      `${pieces.length} sub-portfolios: a proof sums at most ${MAX_PLEDGES}`,
    );
  }
  if (files.portfolios.length !== pieces.length) {
    throw new RangeError(
      `${pieces.length} sub-portfolios but ${files.portfolios.length} file names`,
    );
  }
  assertWellFormedMarket(market, files.market);
  checkMarketCoversPolicy(policy, market, files.market);
  assertJointSetFor(policy, market, files.market);
  pieces.forEach((piece, k) => checkPortfolioSlots(policy, piece, files.portfolios[k]));
  const account = pieces[0].account;
  pieces.forEach((piece, k) => {
    if (piece.account !== account) {
      throw new InputError(
        files.portfolios[k],
        "account",
        `is ${piece.account}, but ${files.portfolios[0]} names ${account}: every sub-portfolio of a proof must name the same account`,
      );
    }
  });
  checkDerivedWidths(policy, market, pieces, files.portfolios.join(" + "));
}
