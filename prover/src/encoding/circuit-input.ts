/**
 * Encodes a policy, a market round and one portfolio or several sub-portfolios into the input
 * signals of `MarginProof` exactly as circuits/README.md names and pads them, and lists the
 * commitment items and elements from those same encoded values, so the TypeScript commitments and
 * the circuit's can never drift apart.
 */
import { getAddress } from "ethers";
import { jointSetComplete } from "../inputs/joint-set";
import type { Market, Policy, Portfolio } from "../inputs/types";
import { assertWellFormedPolicy } from "../inputs/well-formed";
import { layoutIdOf, layoutOf } from "../layout/layout";
import type { InstanceDims } from "./instances";
import { misfits, requiredDims } from "./instances";
import type { PackItem } from "./pack";
import {
  ACCOUNT_BITS,
  AMOUNT_BITS,
  DECIMALS_BITS,
  JOINT_RISK_BITS,
  MARK_BITS,
  PERP_SIZE_BITS,
  MAX_DECIMALS,
  MAX_PPM,
  PPM_BITS,
  PRICE_BITS,
  QTY_BITS,
  RATIO_BITS,
  RISK_OFFSET_BITS,
  ROUND_BITS,
  SNARK_SCALAR_FIELD,
  SOM_BITS,
  UPTO_BITS,
  UPTO_OPEN,
  VALUE_BITS,
  fitsBits,
  fitsSigned,
} from "./widths";

/** One (sub-)portfolio's input signals (private), by slot in the policy's order. */
export interface PortfolioSignals {
  amount: bigint[];
  perpSizeNeg: bigint[];
  perpSizeAbs: bigint[];
  perpEntryPrice: bigint[];
  optionQtyNeg: bigint[];
  optionQtyAbs: bigint[];
  salt: bigint;
}

/**
 * The market round's input signals, laid on the policy's slots: public values, hashed whole.
 * Signed entries are field elements (x mod r), so a loss of -5 is r - 5.
 */
export interface MarketSignals {
  /** round + timestamp * 2^64. */
  roundTimestamp: bigint;
  /**
   * 1 when the round's joint scenario set covers every asset and perp of the layout (and the
   * instance carries joint arrays), else 0: a portfolio policy is proved only on a round with 1.
   */
  jointSetPresent: bigint;
  price: bigint[];
  perpMark: bigint[];
  optionMark: bigint[];
  /** [option][scenario], µUSD per long contract, signed. */
  riskArray: bigint[][];
  /** [asset][scenario], joint scenario losses, 1e-12 USD per whole token, signed. */
  assetRisk: bigint[][];
  /** [perp][scenario], joint scenario losses, 1e-12 USD per unit, signed. */
  perpRisk: bigint[][];
}

/** The policy's input signals. */
export interface PolicySignals {
  mode: bigint;
  /** 1 for a portfolio-margin policy (model v2), 0 for standard (model v1). */
  portfolioMargin: bigint;
  minRatio: bigint;
  buffer: bigint;
  shortOptionMinimum: bigint;
  /** Per concentration group: maxShare in ppm (1e6 for an unused group). */
  groupShare: bigint[];
  assetActive: bigint[];
  assetDecimals: bigint[];
  assetWeight: bigint[][];
  assetUpTo: bigint[][];
  /** [asset][group]: 1 when the asset is in the group. */
  assetGroup: bigint[][];
  perpActive: bigint[];
  perpSizeDecimals: bigint[];
  perpRate: bigint[][];
  perpUpTo: bigint[][];
  optionActive: bigint[];
}

/**
 * The C sub-portfolios' signals, one row per pledge slot (`amount[k][i]`, `salt[k]`): the
 * circuit's names, each a {@link PortfolioSignals} field with a leading slot index. An unused
 * slot is all zero (its salt too).
 */
export type PiecesSignals = { [K in keyof PortfolioSignals]: PortfolioSignals[K][] };

/**
 * Every input signal of `MarginProof` except the commitments (which are hashed from these
 * values, see `commitments/`): the public `accountNonce`, the layout id, the sub-portfolios, the
 * round and the policy.
 */
export interface CircuitInput extends PiecesSignals, MarketSignals, PolicySignals {
  /** account + nonce * 2^160 (see {@link accountNonceOf}). */
  accountNonce: bigint;
  /** The slot layout's id: the first element of every commitment. */
  layoutId: bigint;
}

/** The full witness input: a {@link CircuitInput} plus its public commitments. */
export interface CircuitSignals extends CircuitInput {
  marketCommitment: bigint;
  policyCommitment: bigint;
  /** One per pledge slot: a used slot's sub-portfolio commitment, 0 for an unused slot. */
  portfolioCommitment: bigint[];
}

/** Arguments of {@link encodeCircuitInput}. */
export interface EncodeArgs {
  policy: Policy;
  market: Market;
  /**
   * The portfolio, or the sub-portfolios in slot order (at most the instance's pledge slots), all
   * of one account.
   */
  portfolio: Portfolio | readonly Portfolio[];
  /** The hiding salt of each sub-portfolio's commitment (one bigint for one portfolio). */
  salt: bigint | readonly bigint[];
  /** Single-use submission nonce, < 2^64. */
  nonce: bigint;
  instance: InstanceDims;
}

/** The EVM address as a 160-bit integer. */
export function accountToField(address: string): bigint {
  return BigInt(getAddress(address)); // throws on a malformed address or a bad checksum
}

/**
 * The `accountNonce` public signal: `account + nonce * 2^160` (224 bits), the account and the
 * submission nonce in one public input (MarginRegistry rebuilds it the same way).
 */
export function accountNonceOf(account: string, nonce: bigint): bigint {
  const address = checked(accountToField(account), ACCOUNT_BITS, "account");
  return address + (checked(nonce, ROUND_BITS, "nonce") << BigInt(ACCOUNT_BITS));
}

/** Throws unless 0 <= value < 2^bits; the message names the signal, never the (private) value. */
function checked(value: bigint, bits: number, signal: string): bigint {
  if (!fitsBits(value, bits)) throw new RangeError(`${signal} does not fit in ${bits} bits`);
  return value;
}

/** A signed public value with |value| < 2^bits (or -2^bits) as a field element. */
function signedElement(value: bigint, bits: number, signal: string): bigint {
  if (!fitsSigned(value, bits)) throw new RangeError(`${signal} is not within ±2^${bits}`);
  return value < 0n ? SNARK_SCALAR_FIELD + value : value;
}

/** `length` copies of `fill` after `values` (which must not be longer). */
function padded<T>(values: readonly T[], length: number, fill: () => T): T[] {
  if (values.length > length) throw new RangeError(`${values.length} values for ${length} slots`);
  return [...values, ...Array.from({ length: length - values.length }, fill)];
}

/** `length` zeros. */
function zeros(length: number): bigint[] {
  return new Array<bigint>(length).fill(0n);
}

/**
 * Tier signals of one slot: `ppm[nTiers]` (padded by repeating the last real ppm) and
 * `upTo[nTiers - 1]` (the real bounds; the last real tier's open bound and every padded tier's
 * encoded as UPTO_OPEN = 2^32 - 1, so the bounds never decrease: the policy commitment packs
 * each as its rise over the previous one, see {@link policyItems}). The tier rules the circuit's
 * lines rely on are the policy's well-formedness, checked by `encodeCircuitInput` before.
 */
function tierSignals(
  tiers: readonly { upToUsd: bigint | null; ppm: bigint }[],
  nTiers: number,
  signal: string,
): { ppm: bigint[]; upTo: bigint[] } {
  if (tiers.length > nTiers) throw new RangeError(`${signal}: more tiers than the instance has`);
  const last = tiers[tiers.length - 1];
  const ppm = padded(
    tiers.map((t, k) => checked(t.ppm, PPM_BITS, `${signal}[${k}]`)),
    nTiers,
    () => last.ppm,
  );
  const upTo = padded(
    tiers.map((t, k) => {
      const bound = t.upToUsd ?? UPTO_OPEN;
      if (t.upToUsd !== null && bound >= UPTO_OPEN) {
        throw new RangeError(`${signal}UpTo[${k}] must be below 2^${UPTO_BITS} - 1`);
      }
      return checked(bound, UPTO_BITS, `${signal}UpTo[${k}]`);
    }),
    nTiers,
    () => UPTO_OPEN,
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

/**
 * The policy's signals on `instance` (padded slots all zero; padded groups with maxShare 1e6 and
 * no member). The policy must be well formed (`assertWellFormedPolicy`; {@link
 * encodeCircuitInput} checks it).
 */
export function encodePolicySignals(policy: Policy, instance: InstanceDims): PolicySignals {
  const T = instance.tiers;
  const G = instance.groups;
  const groups = policy.concentration;
  if (groups.length > G) throw new RangeError("more concentration groups than the instance has");
  const assetTiers = policy.assets.map((a, i) =>
    tierSignals(
      a.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.weightPpm })),
      T,
      `assetWeight[${i}]`,
    ),
  );
  const perpTiers = policy.perps.map((p, j) =>
    tierSignals(
      p.tiers.map((t) => ({ upToUsd: t.upToUsd, ppm: t.ratePpm })),
      T,
      `perpRate[${j}]`,
    ),
  );
  const membership = (symbol: string): bigint[] =>
    padded(
      groups.map((g) => (g.assets.includes(symbol) ? 1n : 0n)),
      G,
      () => 0n,
    );
  const nA = instance.assets;
  const nP = instance.perps;
  return {
    mode: policy.mode === "maintenance" ? 1n : 0n,
    portfolioMargin: policy.margin === "portfolio" ? 1n : 0n,
    minRatio: checked(policy.minRatioPpm, RATIO_BITS, "minRatio"),
    buffer: checked(policy.bufferMicroUsd, VALUE_BITS, "buffer"),
    shortOptionMinimum: checked(policy.shortOptionMinimumMicroUsd, SOM_BITS, "shortOptionMinimum"),
    groupShare: padded(
      groups.map((g, k) => checked(g.maxSharePpm, PPM_BITS, `groupShare[${k}]`)),
      G,
      () => MAX_PPM,
    ),
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
    assetGroup: padded(
      policy.assets.map((a) => membership(a.symbol)),
      nA,
      () => zeros(G),
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
      instance.options,
      () => 0n,
    ),
  };
}

/** One risk array padded to `nS` scenarios (a missing scenario is the loss 0). */
function riskRow(
  losses: readonly bigint[] | undefined,
  nS: number,
  bits: number,
  signal: string,
): bigint[] {
  return padded(
    (losses ?? []).map((x, k) => signedElement(x, bits, `${signal}[${k}]`)),
    nS,
    () => 0n,
  );
}

/**
 * The round's signals laid on the policy's slots for `instance`: whole public values, signed
 * ones as field elements. A missing scenario array (a round without a joint scenario set, or an
 * asset the set does not cover) and every padded scenario or slot are losses of 0, and then
 * `jointSetPresent` is 0, so no portfolio policy can be proved on the round (it is 1 only when
 * the set covers every asset and perp of the layout, `jointSetComplete`, on an instance with
 * joint arrays). The market commitment does not depend on the policy's margin kind: policies of
 * one layout share a feed.
 */
export function encodeMarketSignals(
  policy: Policy,
  market: Market,
  instance: InstanceDims,
): MarketSignals {
  const priceOf = (symbol: string, signal: string): bigint => {
    const price = market.prices.get(symbol);
    if (price === undefined) throw new RangeError(`${signal}: no market price for ${symbol}`);
    return checked(price, PRICE_BITS, signal);
  };
  const quotes = policy.options.map((o, k) => {
    const quote = market.options.get(o.instrument);
    if (quote === undefined) throw new RangeError(`optionMark[${k}]: no quote for ${o.instrument}`);
    return quote;
  });
  const nS = instance.scenarios;
  // Joint arrays exist only on instances that carry them; rows are empty otherwise.
  const nJ = nS * instance.joint;
  const set = market.scenarios;
  return {
    roundTimestamp:
      checked(market.round, ROUND_BITS, "round") +
      (checked(market.timestamp, ROUND_BITS, "timestamp") << BigInt(ROUND_BITS)),
    jointSetPresent: nJ > 0 && jointSetComplete(policy, market) ? 1n : 0n,
    price: padded(
      policy.assets.map((a, i) => priceOf(a.symbol, `price[${i}]`)),
      instance.assets,
      () => 0n,
    ),
    perpMark: padded(
      policy.perps.map((p, j) => priceOf(p.underlying, `perpMark[${j}]`)),
      instance.perps,
      () => 0n,
    ),
    optionMark: padded(
      quotes.map((q, k) => checked(q.markMicroUsd, MARK_BITS, `optionMark[${k}]`)),
      instance.options,
      () => 0n,
    ),
    riskArray: padded(
      quotes.map((q, k) => riskRow(q.riskArrayMicroUsd, nS, RISK_OFFSET_BITS, `riskArray[${k}]`)),
      instance.options,
      () => zeros(nS),
    ),
    assetRisk: padded(
      policy.assets.map((a, i) =>
        nJ === 0 ? [] : riskRow(set?.assets.get(a.symbol), nJ, JOINT_RISK_BITS, `assetRisk[${i}]`),
      ),
      instance.assets,
      () => zeros(nJ),
    ),
    perpRisk: padded(
      policy.perps.map((p, j) =>
        nJ === 0
          ? []
          : riskRow(set?.perps.get(p.instrument), nJ, JOINT_RISK_BITS, `perpRisk[${j}]`),
      ),
      instance.perps,
      () => zeros(nJ),
    ),
  };
}

/** The portfolio's signals on the policy's slots for `instance` (zero where nothing is held). */
export function encodePortfolioSignals(
  policy: Policy,
  portfolio: Portfolio,
  salt: bigint,
  instance: InstanceDims,
): PortfolioSignals {
  if (salt < 0n || salt >= SNARK_SCALAR_FIELD) throw new RangeError("salt is not a field element");
  const perpHoldings = policy.perps.map((p, j) => {
    const position = portfolio.perps.get(p.instrument) ?? { size: 0n, entryPrice: 0n };
    const [neg, abs] = signAndMagnitude(position.size, PERP_SIZE_BITS, `perpSizeAbs[${j}]`);
    return { neg, abs, entry: checked(position.entryPrice, PRICE_BITS, `perpEntryPrice[${j}]`) };
  });
  const optionHoldings = policy.options.map((o, k) =>
    signAndMagnitude(portfolio.options.get(o.instrument) ?? 0n, QTY_BITS, `optionQtyAbs[${k}]`),
  );
  const nP = instance.perps;
  const nO = instance.options;
  return {
    amount: padded(
      policy.assets.map((a, i) =>
        checked(portfolio.collateral.get(a.symbol) ?? 0n, AMOUNT_BITS, `amount[${i}]`),
      ),
      instance.assets,
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
  };
}

/** The sub-portfolios in slot order, and one salt each. */
function piecesAndSalts(
  portfolio: Portfolio | readonly Portfolio[],
  salt: bigint | readonly bigint[],
): { pieces: readonly Portfolio[]; salts: readonly bigint[] } {
  const pieces: readonly Portfolio[] = Array.isArray(portfolio)
    ? (portfolio as readonly Portfolio[])
    : [portfolio as Portfolio];
  const salts: readonly bigint[] = typeof salt === "bigint" ? [salt] : salt;
  if (pieces.length === 0) throw new RangeError("at least one sub-portfolio is needed");
  if (salts.length !== pieces.length) {
    throw new RangeError(`${pieces.length} sub-portfolios but ${salts.length} salts`);
  }
  const account = getAddress(pieces[0].account);
  pieces.forEach((piece, k) => {
    if (getAddress(piece.account) !== account) {
      throw new RangeError(`sub-portfolio ${k + 1} names another account than sub-portfolio 1`);
    }
  });
  return { pieces, salts };
}

/** The empty sub-portfolio of an unused pledge slot: every holding 0, salt 0. */
function unusedPiece(instance: InstanceDims): PortfolioSignals {
  return {
    amount: zeros(instance.assets),
    perpSizeNeg: zeros(instance.perps),
    perpSizeAbs: zeros(instance.perps),
    perpEntryPrice: zeros(instance.perps),
    optionQtyNeg: zeros(instance.options),
    optionQtyAbs: zeros(instance.options),
    salt: 0n,
  };
}

/** The pieces' signals stacked into the circuit's rows (slot k = row k). */
export function stackPieces(pieces: readonly PortfolioSignals[]): PiecesSignals {
  return {
    amount: pieces.map((p) => p.amount),
    perpSizeNeg: pieces.map((p) => p.perpSizeNeg),
    perpSizeAbs: pieces.map((p) => p.perpSizeAbs),
    perpEntryPrice: pieces.map((p) => p.perpEntryPrice),
    optionQtyNeg: pieces.map((p) => p.optionQtyNeg),
    optionQtyAbs: pieces.map((p) => p.optionQtyAbs),
    salt: pieces.map((p) => p.salt),
  };
}

/** Pledge slot `k`'s (0-based) sub-portfolio signals. */
export function pieceOf(input: PiecesSignals, k: number): PortfolioSignals {
  if (!Number.isInteger(k) || k < 0 || k >= input.salt.length) {
    throw new RangeError(`no pledge slot ${k + 1} (the input has ${input.salt.length})`);
  }
  return {
    amount: input.amount[k],
    perpSizeNeg: input.perpSizeNeg[k],
    perpSizeAbs: input.perpSizeAbs[k],
    perpEntryPrice: input.perpEntryPrice[k],
    optionQtyNeg: input.optionQtyNeg[k],
    optionQtyAbs: input.optionQtyAbs[k],
    salt: input.salt[k],
  };
}

/**
 * The sub-portfolios' signals for `instance`: one row per pledge slot, the given pieces first (in
 * order, each with its salt) and every further slot unused (all zero).
 */
export function encodePiecesSignals(
  policy: Policy,
  portfolio: Portfolio | readonly Portfolio[],
  salt: bigint | readonly bigint[],
  instance: InstanceDims,
): PiecesSignals {
  const { pieces, salts } = piecesAndSalts(portfolio, salt);
  if (pieces.length > instance.pledges) {
    throw new RangeError(
      `${pieces.length} sub-portfolios for an instance of ${instance.pledges} pledge slots`,
    );
  }
  const encoded = pieces.map((piece, k) =>
    encodePortfolioSignals(policy, piece, salts[k], instance),
  );
  return stackPieces(padded(encoded, instance.pledges, () => unusedPiece(instance)));
}

/** The policy's layout id on `instance`, after checking that the policy is well formed. */
export function encodeLayoutId(policy: Policy, instance: InstanceDims): bigint {
  assertWellFormedPolicy(policy, "policy");
  return layoutIdOf(layoutOf(policy, instance));
}

/**
 * Encodes a policy, a round and one portfolio or several sub-portfolios (each consistent with
 * them, all of one account) for `instance` (which must fit them): refuses a malformed policy,
 * then lays the sub-portfolios (one per pledge slot, unused slots all zero), the round and the
 * policy on the instance's slots.
 */
export function encodeCircuitInput(args: EncodeArgs): CircuitInput {
  const { policy, market, portfolio, salt, nonce, instance } = args;
  const { pieces } = piecesAndSalts(portfolio, salt);
  const problems = misfits(requiredDims(policy, market, pieces.length), instance);
  if (problems.length > 0) throw new RangeError(`instance too small: ${problems.join(", ")}`);
  const layoutId = encodeLayoutId(policy, instance);
  return {
    accountNonce: accountNonceOf(pieces[0].account, nonce),
    layoutId,
    ...encodePiecesSignals(policy, portfolio, salt, instance),
    ...encodeMarketSignals(policy, market, instance),
    ...encodePolicySignals(policy, instance),
  };
}

/** Throws unless an encoded group has the instance's shape. */
function assertShape(ok: boolean): void {
  if (!ok) throw new RangeError("circuit input does not have the instance's shape");
}

/** One sub-portfolio's commitment items, in spec order (the salt is appended after packing). */
export function portfolioItems(input: PortfolioSignals, dims: InstanceDims): PackItem[] {
  assertShape(
    input.amount.length === dims.assets &&
      input.perpSizeAbs.length === dims.perps &&
      input.optionQtyAbs.length === dims.options,
  );
  const items: PackItem[] = input.amount.map((value) => ({ value, bits: AMOUNT_BITS }));
  for (let j = 0; j < dims.perps; j++) {
    items.push(
      { value: input.perpSizeNeg[j], bits: 1 },
      { value: input.perpSizeAbs[j], bits: PERP_SIZE_BITS },
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

/**
 * Market commitment elements (after the layout id), in spec order: every public value whole,
 * unpacked (circuits/README.md: the publisher's validated values are bound exactly by the hash).
 */
export function marketElements(input: MarketSignals, dims: InstanceDims): bigint[] {
  assertShape(
    input.price.length === dims.assets &&
      input.perpMark.length === dims.perps &&
      input.optionMark.length === dims.options &&
      input.riskArray.every((r) => r.length === dims.scenarios) &&
      [...input.assetRisk, ...input.perpRisk].every(
        (r) => r.length === dims.scenarios * dims.joint,
      ) &&
      input.riskArray.length === dims.options &&
      input.assetRisk.length === dims.assets &&
      input.perpRisk.length === dims.perps,
  );
  return [
    input.roundTimestamp,
    input.jointSetPresent,
    ...input.price,
    ...input.perpMark,
    ...input.optionMark,
    ...input.riskArray.flat(),
    ...input.assetRisk.flat(),
    ...input.perpRisk.flat(),
  ];
}

/**
 * A slot's tier bounds as the policy commitment packs them: the first bound, then each bound's
 * rise over the previous one. The circuit range-checks each rise to UPTO_BITS, so bounds that
 * fall have no witness; this refuses them before any commitment is computed.
 */
function boundRises(upTo: readonly bigint[], signal: string): bigint[] {
  return upTo.map((bound, t) => {
    const rise = t === 0 ? bound : bound - upTo[t - 1];
    if (rise < 0n) {
      throw new RangeError(
        `${signal}[${t}] is below ${signal}[${t - 1}]: tier bounds must not fall`,
      );
    }
    return rise;
  });
}

/** Policy commitment items, in spec order (tier bounds as rises, see {@link boundRises}). */
export function policyItems(input: PolicySignals, dims: InstanceDims): PackItem[] {
  assertShape(
    input.assetActive.length === dims.assets &&
      input.perpActive.length === dims.perps &&
      input.optionActive.length === dims.options &&
      input.groupShare.length === dims.groups &&
      input.assetGroup.every((g) => g.length === dims.groups) &&
      input.assetWeight.every((w) => w.length === dims.tiers) &&
      input.perpRate.every((r) => r.length === dims.tiers),
  );
  const items: PackItem[] = [
    { value: input.mode, bits: 1 },
    { value: input.portfolioMargin, bits: 1 },
    { value: input.minRatio, bits: RATIO_BITS },
    { value: input.buffer, bits: VALUE_BITS },
    { value: input.shortOptionMinimum, bits: SOM_BITS },
    ...input.groupShare.map((value) => ({ value, bits: PPM_BITS })),
  ];
  const slot = (
    active: bigint,
    decimals: bigint,
    ppm: bigint[],
    upTo: bigint[],
    signal: string,
  ): void => {
    items.push({ value: active, bits: 1 }, { value: decimals, bits: DECIMALS_BITS });
    ppm.forEach((value) => items.push({ value, bits: PPM_BITS }));
    boundRises(upTo, signal).forEach((value) => items.push({ value, bits: UPTO_BITS }));
  };
  for (let i = 0; i < dims.assets; i++) {
    const [active, decimals] = [input.assetActive[i], input.assetDecimals[i]];
    slot(active, decimals, input.assetWeight[i], input.assetUpTo[i], `assetUpTo[${i}]`);
    input.assetGroup[i].forEach((value) => items.push({ value, bits: 1 }));
  }
  for (let j = 0; j < dims.perps; j++) {
    const [active, decimals] = [input.perpActive[j], input.perpSizeDecimals[j]];
    slot(active, decimals, input.perpRate[j], input.perpUpTo[j], `perpUpTo[${j}]`);
  }
  input.optionActive.forEach((value) => items.push({ value, bits: 1 }));
  return items;
}
