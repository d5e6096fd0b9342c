/**
 * Encodes a policy/market/portfolio triple into the input signals of `MarginProof` exactly as
 * circuits/README.md names and pads them, and lists the commitment items from those same encoded
 * values, so the TypeScript commitments and the circuit's can never drift apart.
 */
import { getAddress } from "ethers";
import type { Market, Policy, Portfolio } from "../inputs/types";
import type { InstanceDims } from "./instances";
import { misfits, requiredDims } from "./instances";
import type { PackItem } from "./pack";
import {
  ACCOUNT_BITS,
  AMOUNT_BITS,
  DECIMALS_BITS,
  PPM_BITS,
  PRICE_BITS,
  QTY_BITS,
  RATIO_BITS,
  RISK_BITS,
  RISK_OFFSET,
  MAX_DECIMALS,
  MAX_PPM,
  ROUND_BITS,
  SNARK_SCALAR_FIELD,
  SOM_BITS,
  UPTO_BITS,
  VALUE_BITS,
  fitsBits,
} from "./widths";

/**
 * Every input signal of `MarginProof` except the three commitments (which are hashed from these
 * values, see `commitments/`). Arrays are indexed by slot in the policy's order.
 */
export interface CircuitInput {
  // public
  account: bigint;
  nonce: bigint;
  // portfolio (private)
  amount: bigint[];
  perpSizeNeg: bigint[];
  perpSizeAbs: bigint[];
  perpEntryPrice: bigint[];
  optionQtyNeg: bigint[];
  optionQtyAbs: bigint[];
  salt: bigint;
  // market
  round: bigint;
  timestamp: bigint;
  price: bigint[];
  perpMark: bigint[];
  optionMark: bigint[];
  /** [option][scenario], each entry offset by 2^62. */
  riskArray: bigint[][];
  // policy
  mode: bigint;
  minRatio: bigint;
  buffer: bigint;
  shortOptionMinimum: bigint;
  assetActive: bigint[];
  assetDecimals: bigint[];
  assetWeight: bigint[][];
  assetUpTo: bigint[][];
  perpActive: bigint[];
  perpSizeDecimals: bigint[];
  perpRate: bigint[][];
  perpUpTo: bigint[][];
  optionActive: bigint[];
}

/** The full witness input: a {@link CircuitInput} plus its three public commitments. */
export interface CircuitSignals extends CircuitInput {
  marketCommitment: bigint;
  policyCommitment: bigint;
  portfolioCommitment: bigint;
}

/** Arguments of {@link encodeCircuitInput}. */
export interface EncodeArgs {
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
  /** Hiding salt of the portfolio commitment, a field element (see `randomSalt`). */
  salt: bigint;
  /** Single-use submission nonce, < 2^64. */
  nonce: bigint;
  instance: InstanceDims;
}

/** The EVM address as the field element of the `account` signal (a 160-bit integer). */
export function accountToField(address: string): bigint {
  return BigInt(getAddress(address)); // throws on a malformed address or a bad checksum
}

/** Throws unless 0 <= value < 2^bits; the message names the signal, never the (private) value. */
function checked(value: bigint, bits: number, signal: string): bigint {
  if (!fitsBits(value, bits)) throw new RangeError(`${signal} does not fit in ${bits} bits`);
  return value;
}

/** `length` copies of `fill` after `values` (which must not be longer). */
function padded<T>(values: readonly T[], length: number, fill: () => T): T[] {
  if (values.length > length) throw new RangeError(`${values.length} values for ${length} slots`);
  return [...values, ...Array.from({ length: length - values.length }, fill)];
}

/**
 * Tier signals of one slot: `ppm[nTiers]` (padded by repeating the last real ppm) and
 * `upTo[nTiers - 1]` (the real bounds, with the last real tier's null and padding encoded as 0).
 * Re-checks the tier rules the circuit's line form relies on (the parser enforces them for files):
 * ppm <= 1e6 and monotone in `order`, bounds strictly increasing, null exactly on the last tier.
 */
function tierSignals(
  tiers: readonly { upToUsd: bigint | null; ppm: bigint }[],
  nTiers: number,
  order: "non-increasing" | "non-decreasing",
  signal: string,
): { ppm: bigint[]; upTo: bigint[] } {
  if (tiers.length === 0) throw new RangeError(`${signal}: no tiers`);
  tiers.forEach((t, k) => {
    const last = k === tiers.length - 1;
    if (t.ppm < 0n || t.ppm > MAX_PPM) throw new RangeError(`${signal}[${k}] is not in 0..1e6 ppm`);
    if ((t.upToUsd === null) !== last)
      throw new RangeError(`${signal}: only the last tier is unbounded`);
    if (k === 0) return;
    const previous = tiers[k - 1];
    if (order === "non-increasing" ? t.ppm > previous.ppm : t.ppm < previous.ppm) {
      throw new RangeError(`${signal}[${k}] breaks the ${order} tier order`);
    }
    if (t.upToUsd !== null && previous.upToUsd !== null && t.upToUsd <= previous.upToUsd) {
      throw new RangeError(`${signal}UpTo[${k}] is not strictly increasing`);
    }
  });
  const last = tiers[tiers.length - 1];
  const ppm = padded(
    tiers.map((t, k) => checked(t.ppm, PPM_BITS, `${signal}[${k}]`)),
    nTiers,
    () => last.ppm,
  );
  const upTo = padded(
    tiers.map((t, k) => checked(t.upToUsd ?? 0n, UPTO_BITS, `${signal}UpTo[${k}]`)),
    nTiers,
    () => 0n,
  ).slice(0, nTiers - 1);
  return { ppm, upTo };
}

/** A decimals / sizeDecimals value as a signal (at most MAX_DECIMALS). */
function decimalsSignal(decimals: number, signal: string): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new RangeError(`${signal} is not an integer in 0..${MAX_DECIMALS}`);
  }
  return checked(BigInt(decimals), DECIMALS_BITS, signal);
}

function signAndMagnitude(value: bigint, bits: number, signal: string): [bigint, bigint] {
  return [value < 0n ? 1n : 0n, checked(value < 0n ? -value : value, bits, signal)];
}

function encodeRisk(x: bigint, signal: string): bigint {
  return checked(x + RISK_OFFSET, RISK_BITS, signal);
}

/**
 * Encodes a consistent triple for `instance` (which must fit it). Inactive slots carry zeros
 * everywhere except risk arrays: every missing risk entry (padded scenario or padded option) is
 * the loss 0, encoded as 2^62 — a literal 0 would be a loss of -2^62.
 */
export function encodeCircuitInput(args: EncodeArgs): CircuitInput {
  const { policy, market, portfolio, salt, nonce, instance } = args;
  const problems = misfits(requiredDims(policy, market), instance);
  if (problems.length > 0) throw new RangeError(`instance too small: ${problems.join(", ")}`);
  if (salt < 0n || salt >= SNARK_SCALAR_FIELD) throw new RangeError("salt is not a field element");
  if (policy.minRatioPpm <= 0n) throw new RangeError("minRatio must be positive");
  const T = instance.tiers;
  const zeros = (n: number): bigint[] => new Array<bigint>(n).fill(0n);
  const priceOf = (symbol: string, signal: string): bigint => {
    const price = market.prices.get(symbol);
    if (price === undefined) throw new RangeError(`${signal}: no market price for ${symbol}`);
    return checked(price, PRICE_BITS, signal);
  };

  const assetTiers = policy.assets.map((a, i) =>
    tierSignals(
      a.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.weightPpm })),
      T,
      "non-increasing",
      `assetWeight[${i}]`,
    ),
  );
  const perpTiers = policy.perps.map((p, j) =>
    tierSignals(
      p.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.ratePpm })),
      T,
      "non-decreasing",
      `perpRate[${j}]`,
    ),
  );
  const perpHoldings = policy.perps.map((p, j) => {
    const position = portfolio.perps.get(p.instrument) ?? { size: 0n, entryPrice: 0n };
    const [neg, abs] = signAndMagnitude(position.size, AMOUNT_BITS, `perpSizeAbs[${j}]`);
    return { neg, abs, entry: checked(position.entryPrice, PRICE_BITS, `perpEntryPrice[${j}]`) };
  });
  const optionHoldings = policy.options.map((o, k) =>
    signAndMagnitude(portfolio.options.get(o.instrument) ?? 0n, QTY_BITS, `optionQtyAbs[${k}]`),
  );
  const quotes = policy.options.map((o, k) => {
    const quote = market.options.get(o.instrument);
    if (quote === undefined) throw new RangeError(`optionMark[${k}]: no quote for ${o.instrument}`);
    return quote;
  });

  const nA = instance.assets;
  const nP = instance.perps;
  const nO = instance.options;
  const nS = instance.scenarios;
  return {
    account: checked(accountToField(portfolio.account), ACCOUNT_BITS, "account"),
    nonce: checked(nonce, ROUND_BITS, "nonce"),

    amount: padded(
      policy.assets.map((a, i) =>
        checked(portfolio.collateral.get(a.symbol) ?? 0n, AMOUNT_BITS, `amount[${i}]`),
      ),
      nA,
      () => 0n,
    ),
    perpSizeNeg: padded(
      perpHoldings.map((h) => h.neg),
      nP,
      () => 0n,
    ),
    perpSizeAbs: padded(
      perpHoldings.map((h) => h.abs),
      nP,
      () => 0n,
    ),
    perpEntryPrice: padded(
      perpHoldings.map((h) => h.entry),
      nP,
      () => 0n,
    ),
    optionQtyNeg: padded(
      optionHoldings.map(([neg]) => neg),
      nO,
      () => 0n,
    ),
    optionQtyAbs: padded(
      optionHoldings.map(([, abs]) => abs),
      nO,
      () => 0n,
    ),
    salt,

    round: checked(market.round, ROUND_BITS, "round"),
    timestamp: checked(market.timestamp, ROUND_BITS, "timestamp"),
    price: padded(
      policy.assets.map((a, i) => priceOf(a.symbol, `price[${i}]`)),
      nA,
      () => 0n,
    ),
    perpMark: padded(
      policy.perps.map((p, j) => priceOf(p.underlying, `perpMark[${j}]`)),
      nP,
      () => 0n,
    ),
    optionMark: padded(
      quotes.map((q, k) => checked(q.markMicroUsd, PRICE_BITS, `optionMark[${k}]`)),
      nO,
      () => 0n,
    ),
    riskArray: padded(
      quotes.map((q, k) =>
        padded(
          q.riskArrayMicroUsd.map((x, s) => encodeRisk(x, `riskArray[${k}][${s}]`)),
          nS,
          () => RISK_OFFSET,
        ),
      ),
      nO,
      () => new Array<bigint>(nS).fill(RISK_OFFSET),
    ),

    mode: policy.mode === "maintenance" ? 1n : 0n,
    minRatio: checked(policy.minRatioPpm, RATIO_BITS, "minRatio"),
    buffer: checked(policy.bufferMicroUsd, VALUE_BITS, "buffer"),
    shortOptionMinimum: checked(policy.shortOptionMinimumMicroUsd, SOM_BITS, "shortOptionMinimum"),
    assetActive: padded(
      policy.assets.map(() => 1n),
      nA,
      () => 0n,
    ),
    assetDecimals: padded(
      policy.assets.map((a, i) => decimalsSignal(a.decimals, `assetDecimals[${i}]`)),
      nA,
      () => 0n,
    ),
    assetWeight: padded(
      assetTiers.map((t) => t.ppm),
      nA,
      () => zeros(T),
    ),
    assetUpTo: padded(
      assetTiers.map((t) => t.upTo),
      nA,
      () => zeros(T - 1),
    ),
    perpActive: padded(
      policy.perps.map(() => 1n),
      nP,
      () => 0n,
    ),
    perpSizeDecimals: padded(
      policy.perps.map((p, j) => decimalsSignal(p.sizeDecimals, `perpSizeDecimals[${j}]`)),
      nP,
      () => 0n,
    ),
    perpRate: padded(
      perpTiers.map((t) => t.ppm),
      nP,
      () => zeros(T),
    ),
    perpUpTo: padded(
      perpTiers.map((t) => t.upTo),
      nP,
      () => zeros(T - 1),
    ),
    optionActive: padded(
      policy.options.map(() => 1n),
      nO,
      () => 0n,
    ),
  };
}

/** Slot counts of an encoded input, checked against `dims`. */
function assertShape(input: CircuitInput, dims: InstanceDims): void {
  const ok =
    input.amount.length === dims.assets &&
    input.perpSizeAbs.length === dims.perps &&
    input.optionQtyAbs.length === dims.options &&
    input.riskArray.every((r) => r.length === dims.scenarios) &&
    input.assetWeight.every((w) => w.length === dims.tiers);
  if (!ok) throw new RangeError("circuit input does not have the instance's shape");
}

/** Portfolio commitment items, in spec order (the salt is appended after packing). */
export function portfolioItems(input: CircuitInput, dims: InstanceDims): PackItem[] {
  assertShape(input, dims);
  const items: PackItem[] = input.amount.map((value) => ({ value, bits: AMOUNT_BITS }));
  for (let j = 0; j < dims.perps; j++) {
    items.push(
      { value: input.perpSizeNeg[j], bits: 1 },
      { value: input.perpSizeAbs[j], bits: AMOUNT_BITS },
      { value: input.perpEntryPrice[j], bits: PRICE_BITS },
    );
  }
  for (let o = 0; o < dims.options; o++) {
    items.push(
      { value: input.optionQtyNeg[o], bits: 1 },
      { value: input.optionQtyAbs[o], bits: QTY_BITS },
    );
  }
  return items;
}

/** Market commitment items, in spec order. */
export function marketItems(input: CircuitInput, dims: InstanceDims): PackItem[] {
  assertShape(input, dims);
  const price = (value: bigint): PackItem => ({ value, bits: PRICE_BITS });
  return [
    { value: input.round, bits: ROUND_BITS },
    { value: input.timestamp, bits: ROUND_BITS },
    ...input.price.map(price),
    ...input.perpMark.map(price),
    ...input.optionMark.map(price),
    ...input.riskArray.flatMap((row) => row.map((value) => ({ value, bits: RISK_BITS }))),
  ];
}

/** Policy commitment items, in spec order. */
export function policyItems(input: CircuitInput, dims: InstanceDims): PackItem[] {
  assertShape(input, dims);
  const items: PackItem[] = [
    { value: input.mode, bits: 1 },
    { value: input.minRatio, bits: RATIO_BITS },
    { value: input.buffer, bits: VALUE_BITS },
    { value: input.shortOptionMinimum, bits: SOM_BITS },
  ];
  const slot = (active: bigint, decimals: bigint, ppm: bigint[], upTo: bigint[]): void => {
    items.push({ value: active, bits: 1 }, { value: decimals, bits: DECIMALS_BITS });
    ppm.forEach((value) => items.push({ value, bits: PPM_BITS }));
    upTo.forEach((value) => items.push({ value, bits: UPTO_BITS }));
  };
  for (let i = 0; i < dims.assets; i++) {
    slot(input.assetActive[i], input.assetDecimals[i], input.assetWeight[i], input.assetUpTo[i]);
  }
  for (let j = 0; j < dims.perps; j++) {
    slot(input.perpActive[j], input.perpSizeDecimals[j], input.perpRate[j], input.perpUpTo[j]);
  }
  input.optionActive.forEach((value) => items.push({ value, bits: 1 }));
  return items;
}
