/**
 * portfolio.json (private): schema and parsing into a {@link Portfolio}. Amounts and perp sizes
 * are scaled by the policy's `decimals` / `sizeDecimals`, so parsing needs the policy; the rules
 * that tie the portfolio to the policy (known assets and instruments, decimals) are checked here
 * with the portfolio's own JSON paths.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { InputError } from "../errors";
import {
  AMOUNT_BITS,
  PERP_SIZE_BITS,
  PERP_SIZE_RANGE,
  PRICE_BITS,
  PRICE_DECIMALS,
  QTY_BITS,
  bound,
} from "../encoding/widths";
import { addressSchema, decimal, decimalValue, symbolSchema } from "./fields";
import { NAMES_VALUE, formatPath, toInputError } from "./issues";
import { PRICE_RULE } from "./market-rules";
import type { PerpPosition, Policy, Portfolio } from "./types";

/** The magnitude limit of a collateral amount or a perp size, and its rule's wording. */
interface Limit {
  max: bigint;
  rule: string;
}
const AMOUNT_LIMIT: Limit = {
  max: bound(AMOUNT_BITS) - 1n,
  rule: `must be below 2^${AMOUNT_BITS} base units`,
};
const PERP_SIZE_LIMIT: Limit = {
  max: bound(PERP_SIZE_BITS) - 1n,
  rule: `must be ${PERP_SIZE_RANGE}`,
};

/** Refuses a second position in the same instrument (one net position per slot). */
function uniqueInstruments(positions: { instrument: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  positions.forEach((p, k) => {
    if (seen.has(p.instrument)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [k, "instrument"],
        message: `duplicate position in ${p.instrument} (give one net position)`,
        params: { [NAMES_VALUE]: true },
      });
    }
    seen.add(p.instrument);
  });
}

const portfolioSchema = z
  .object({
    account: addressSchema,
    collateral: z.record(symbolSchema, z.unknown()),
    perps: z
      .array(
        z
          .object({
            instrument: symbolSchema,
            size: z.unknown(),
            entryPrice: decimal(PRICE_DECIMALS, {
              max: bound(PRICE_BITS) - 1n,
              rangeRule: PRICE_RULE,
            }),
          })
          .strict(),
      )
      .superRefine(uniqueInstruments),
    options: z
      .array(
        z
          .object({
            instrument: symbolSchema,
            quantity: decimal(0, {
              signed: true,
              min: -(bound(QTY_BITS) - 1n),
              max: bound(QTY_BITS) - 1n,
              rangeRule: `magnitude must be below 2^${QTY_BITS} contracts`,
            }),
          })
          .strict(),
      )
      .superRefine(uniqueInstruments),
  })
  .strict();

/** Portfolio values are private: errors name instruments and the account, never an amount. */
function revealsIdentifiersOnly(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1];
  return last === "instrument" || last === "account";
}

/** A scaled decimal or an InputError at `path`, with "whole contracts"-style wording for 0 places. */
function scaled(
  raw: unknown,
  decimals: number,
  signed: boolean,
  limit: Limit,
  file: string,
  path: (string | number)[],
  unit: string,
): bigint {
  const result = decimalValue(raw, decimals, {
    signed,
    min: signed ? -limit.max : 0n,
    max: limit.max,
    rangeRule: signed ? `magnitude ${limit.rule}` : limit.rule,
  });
  if (result.ok) return result.value;
  const rule =
    result.rule === `at most ${decimals} decimal places`
      ? `at most ${decimals} decimal places (${unit})`
      : result.rule;
  throw new InputError(file, formatPath(path), rule);
}

/**
 * Validates an in-memory portfolio.json object against `policy`: collateral symbols must be policy
 * assets and perp/option instruments policy instruments; amounts may have at most the asset's
 * `decimals` and sizes at most the perp's `sizeDecimals` places. Errors name `file`.
 */
export function parsePortfolio(json: unknown, file: string, policy: Policy): Portfolio {
  const parsed = portfolioSchema.safeParse(json);
  if (!parsed.success) throw toInputError(parsed.error, file, json, revealsIdentifiersOnly);
  const p = parsed.data;

  const assets = new Map(policy.assets.map((a) => [a.symbol, a]));
  const collateral = new Map<string, bigint>();
  for (const [symbol, raw] of Object.entries(p.collateral)) {
    const asset = assets.get(symbol);
    if (asset === undefined) {
      throw new InputError(
        file,
        formatPath(["collateral", symbol]),
        `unknown asset ${JSON.stringify(symbol)} (not in the policy)`,
      );
    }
    collateral.set(
      symbol,
      scaled(
        raw,
        asset.decimals,
        false,
        AMOUNT_LIMIT,
        file,
        ["collateral", symbol],
        `${symbol} has ${asset.decimals} decimals`,
      ),
    );
  }

  const perpsByName = new Map(policy.perps.map((q) => [q.instrument, q]));
  const perps = new Map<string, PerpPosition>();
  p.perps.forEach((position, k) => {
    const perp = perpsByName.get(position.instrument);
    if (perp === undefined) {
      throw new InputError(
        file,
        formatPath(["perps", k, "instrument"]),
        `unknown perp instrument ${JSON.stringify(position.instrument)} (not in the policy)`,
      );
    }
    const size = scaled(
      position.size,
      perp.sizeDecimals,
      true,
      PERP_SIZE_LIMIT,
      file,
      ["perps", k, "size"],
      `${perp.instrument} has sizeDecimals ${perp.sizeDecimals}`,
    );
    perps.set(position.instrument, { size, entryPrice: position.entryPrice });
  });

  const optionNames = new Set(policy.options.map((o) => o.instrument));
  const options = new Map<string, bigint>();
  p.options.forEach((position, k) => {
    if (!optionNames.has(position.instrument)) {
      throw new InputError(
        file,
        formatPath(["options", k, "instrument"]),
        `unknown option series ${JSON.stringify(position.instrument)} (not in the policy)`,
      );
    }
    options.set(position.instrument, position.quantity);
  });

  return { account: getAddress(p.account), collateral, perps, options };
}
