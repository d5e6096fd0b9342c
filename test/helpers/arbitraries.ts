/**
 * fast-check generators of random valid policy/market/portfolio triples that fit a circuit
 * instance, shared by the model tests and the circuit-vs-model tests: both margin kinds,
 * concentration groups, rounds with and without a joint scenario set, prices with up to 12
 * decimals. Values mostly stay in realistic ranges (so tiers, signs and rounding all matter) with
 * a weighted share of extremes at the bit widths of circuits/README.md.
 */
import { getAddress, hexlify } from "ethers";
import fc from "fast-check";
import { formatUnits } from "../../prover/src/decimal";
import type { InstanceDims } from "../../prover/src/encoding/instances";
import {
  JOINT_RISK_BITS,
  MARK_BITS,
  PRICE_DECIMALS,
  QTY_BITS,
  RISK_OFFSET_BITS,
  ROUND_BITS,
  SOM_BITS,
  UPTO_OPEN,
  bound,
  MAX_SIZE_DECIMALS,
  SNARK_SCALAR_FIELD,
} from "../../prover/src/encoding/widths";
import type {
  ConcentrationGroup,
  HaircutTier,
  MarginKind,
  Market,
  OptionQuote,
  PerpPosition,
  Policy,
  Portfolio,
  RateTier,
  ScenarioSet,
} from "../../prover/src/inputs/types";
import { computeMargin } from "../../prover/src/model/margin";
import { portfolioToJson } from "../../prover/src/proving/opening";

/** A consistent policy/market/portfolio triple. */
export interface Triple {
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
}

const PPM = 1_000_000n;
/** Plain objects, so that chai can deep-compare generated values. */
const NO_NULL_PROTO = { noNullPrototype: true };

/** `n` sorted distinct whole-USD bounds; small ones so that tiers actually bite. */
function upTos(n: number): fc.Arbitrary<bigint[]> {
  return fc
    .uniqueArray(
      fc.oneof(
        { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 10_000_000n }) },
        { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: UPTO_OPEN - 1n }) },
      ),
      { minLength: n, maxLength: n, comparator: (a, b) => a === b },
    )
    .map((xs) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** ppm values, `n` of them, sorted in `order`; sometimes equal neighbours. */
function ppms(n: number, order: "desc" | "asc"): fc.Arbitrary<bigint[]> {
  const ppm = fc.oneof(
    fc.bigInt({ min: 0n, max: PPM }),
    fc.constantFrom(0n, 1n, 500_000n, 999_999n, PPM),
  );
  return fc.array(ppm, { minLength: n, maxLength: n }).map((xs) =>
    [...xs].sort((a, b) => {
      const cmp = a < b ? -1 : a > b ? 1 : 0;
      return order === "asc" ? cmp : -cmp;
    }),
  );
}

function tiers(
  maxTiers: number,
  order: "desc" | "asc",
): fc.Arbitrary<{ upToUsd: bigint | null; ppm: bigint }[]> {
  return fc
    .integer({ min: 1, max: maxTiers })
    .chain((n) =>
      fc
        .tuple(upTos(n - 1), ppms(n, order))
        .map(([bounds, values]) =>
          values.map((ppm, k) => ({ upToUsd: k < n - 1 ? bounds[k] : null, ppm })),
        ),
    );
}

const decimalsArb = fc.oneof(fc.integer({ min: 0, max: 18 }), fc.constantFrom(0, 6, 8, 18));
/** A perp's sizeDecimals: 0..MAX_SIZE_DECIMALS, edges weighted. */
const sizeDecimalsArb = fc.oneof(
  fc.integer({ min: 0, max: MAX_SIZE_DECIMALS }),
  fc.constantFrom(0, 4, 8, MAX_SIZE_DECIMALS),
);

/** 1e-12 USD per USD. */
const USD = 10n ** BigInt(PRICE_DECIMALS);

/**
 * Price in 1e-12 USD: up to 100k USD per token with all 12 decimals in use, tiny SHIB/PEPE-like
 * prices (below 1e-4 USD), round ones, sometimes 0 or one unit.
 */
const priceArb = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt({ min: 1n, max: 100_000n * USD }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: USD / 10_000n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, USD, 3012_550000000000n) },
);

/** A base-unit amount worth at most ~1e6 whole tokens (so v stays far below 2^60 µUSD). */
function amountArb(decimals: number): fc.Arbitrary<bigint> {
  const max = 10n ** BigInt(decimals + 6);
  return fc.oneof(
    { weight: 6, arbitrary: fc.bigInt({ min: 0n, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, max) },
  );
}

function signedArb(max: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.bigInt({ min: -max, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -1n, max, -max) },
  );
}

const riskEntryArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -(10n ** 10n), max: 10n ** 10n }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-bound(RISK_OFFSET_BITS), bound(RISK_OFFSET_BITS) - 1n, 0n),
  },
);
/** Joint scenario entry, 1e-12 USD per whole token or unit: mostly moves of up to 100k USD. */
const jointEntryArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -100_000n * USD, max: 100_000n * USD }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -USD, max: USD }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(-bound(JOINT_RISK_BITS), bound(JOINT_RISK_BITS) - 1n, 0n, 1n, -1n),
  },
);
/** Scenario labels: printable ASCII, no outer spaces (SCENARIO_LABEL). */
const labelArb = fc.stringMatching(/^[!-~](?:[ -~]{0,14}[!-~])?$/);
const quantityArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -100_000n, max: 100_000n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, bound(QTY_BITS) - 1n, -(bound(QTY_BITS) - 1n)) },
);
const markArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 9n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, bound(MARK_BITS) - 1n) },
);

const accountArb = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((bytes) => getAddress(hexlify(bytes)));

interface Shape {
  assets: number;
  perps: number;
  options: number;
  scenarios: number;
  /** Largest number of concentration groups. */
  groups: number;
}

function shapeArb(dims: InstanceDims): fc.Arbitrary<Shape> {
  return fc.record(
    {
      assets: fc.integer({ min: 1, max: dims.assets }),
      perps: fc.integer({ min: 0, max: dims.perps }),
      options: fc.integer({ min: 0, max: dims.options }),
      scenarios: fc.integer({ min: 1, max: dims.scenarios }),
      groups: fc.integer({ min: 0, max: dims.groups ?? 0 }),
    },
    NO_NULL_PROTO,
  );
}

const maxShareArb = fc.oneof(
  fc.bigInt({ min: 0n, max: PPM }),
  fc.constantFrom(0n, 1n, 400_000n, 999_999n, PPM),
);

/**
 * Up to `groups` disjoint concentration groups over the first `assets` asset symbols: each asset
 * goes to one group or none; empty groups are dropped.
 */
function groupsArb(assets: number, groups: number): fc.Arbitrary<ConcentrationGroup[]> {
  if (groups === 0) return fc.constant([]);
  return fc
    .tuple(
      fc.array(fc.integer({ min: -1, max: groups - 1 }), { minLength: assets, maxLength: assets }),
      fc.array(maxShareArb, { minLength: groups, maxLength: groups }),
    )
    .map(([groupOf, shares]) =>
      shares
        .map((maxSharePpm, g) => ({
          assets: groupOf.flatMap((h, i) => (h === g ? [`A${i}`] : [])),
          maxSharePpm,
        }))
        .filter((group) => group.assets.length > 0),
    );
}

function policyArb(shape: Shape, dims: InstanceDims): fc.Arbitrary<Policy> {
  const asset = fc.record(
    { decimals: decimalsArb, tiers: tiers(dims.tiers, "desc") },
    NO_NULL_PROTO,
  );
  const perp = fc.record(
    {
      sizeDecimals: sizeDecimalsArb,
      tiers: tiers(dims.tiers, "asc"),
      ownUnderlying: fc.boolean(),
    },
    NO_NULL_PROTO,
  );
  return fc
    .record({
      mode: fc.constantFrom("initial" as const, "maintenance" as const),
      // An instance without joint scenario arrays proves standard policies only.
      margin:
        dims.joint === 1
          ? fc.constantFrom<MarginKind>("standard", "portfolio")
          : fc.constant<MarginKind>("standard"),
      concentration: groupsArb(shape.assets, Math.min(shape.groups, shape.assets)),
      minRatioPpm: fc.oneof(
        fc.bigInt({ min: 1n, max: bound(24) - 1n }),
        fc.constantFrom(1n, PPM, 1_250_000n, bound(24) - 1n),
      ),
      bufferMicroUsd: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constant(0n)),
      shortOptionMinimumMicroUsd: fc.oneof(
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.constantFrom(0n, bound(SOM_BITS) - 1n),
      ),
      assets: fc.array(asset, { minLength: shape.assets, maxLength: shape.assets }),
      perps: fc.array(perp, { minLength: shape.perps, maxLength: shape.perps }),
    })
    .map((p) => ({
      id: "random-policy",
      mode: p.mode,
      margin: p.margin,
      concentration: p.concentration,
      minRatioPpm: p.minRatioPpm,
      bufferMicroUsd: p.bufferMicroUsd,
      shortOptionMinimumMicroUsd: p.shortOptionMinimumMicroUsd,
      assets: p.assets.map((a, i) => ({
        symbol: `A${i}`,
        decimals: a.decimals,
        tiers: a.tiers.map((t): HaircutTier => ({ upToUsd: t.upToUsd, weightPpm: t.ppm })),
      })),
      perps: p.perps.map((q, j) => ({
        instrument: `P${j}-PERP`,
        // a perp on a collateral asset shares its price; otherwise it has its own underlying
        underlying: q.ownUnderlying ? `U${j}` : `A${j % shape.assets}`,
        sizeDecimals: q.sizeDecimals,
        tiers: q.tiers.map((t): RateTier => ({ upToUsd: t.upToUsd, ratePpm: t.ppm })),
      })),
      options: Array.from({ length: shape.options }, (_, o) => ({
        instrument: `O${o}-C`,
        underlying: "A0",
      })),
    }));
}

/**
 * A joint scenario set of `scenarios` labels. Under a `portfolio` policy it has a risk array for
 * every policy asset and perp; under `standard` (which ignores them) some may be missing.
 */
function scenarioSetArb(policy: Policy, scenarios: number): fc.Arbitrary<ScenarioSet> {
  const array = fc.array(jointEntryArb, { minLength: scenarios, maxLength: scenarios });
  const maybe = (present: fc.Arbitrary<bigint[]>): fc.Arbitrary<bigint[] | undefined> =>
    policy.margin === "portfolio" ? present : fc.option(present, { nil: undefined });
  const keep = (names: string[], arrays: (bigint[] | undefined)[]): Map<string, bigint[]> =>
    new Map(names.flatMap((name, k) => (arrays[k] === undefined ? [] : [[name, arrays[k]]])));
  return fc
    .record(
      {
        labels: fc.uniqueArray(labelArb, { minLength: scenarios, maxLength: scenarios }),
        assets: fc.tuple(...policy.assets.map(() => maybe(array))),
        perps: fc.tuple(...policy.perps.map(() => maybe(array))),
      },
      NO_NULL_PROTO,
    )
    .map((set) => ({
      labels: set.labels,
      assets: keep(
        policy.assets.map((a) => a.symbol),
        set.assets,
      ),
      perps: keep(
        policy.perps.map((p) => p.instrument),
        set.perps,
      ),
    }));
}

function marketArb(policy: Policy, scenarios: number): fc.Arbitrary<Market> {
  const symbols = [
    ...new Set([...policy.assets.map((a) => a.symbol), ...policy.perps.map((p) => p.underlying)]),
  ];
  const quote = fc.record(
    {
      markMicroUsd: markArb,
      riskArrayMicroUsd: fc.array(riskEntryArb, { minLength: scenarios, maxLength: scenarios }),
    },
    NO_NULL_PROTO,
  );
  const set = scenarioSetArb(policy, scenarios);
  return fc
    .record({
      round: fc.bigInt({ min: 0n, max: bound(ROUND_BITS) - 1n }),
      timestamp: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
      prices: fc.array(priceArb, { minLength: symbols.length, maxLength: symbols.length }),
      quotes: fc.array(quote, {
        minLength: policy.options.length,
        maxLength: policy.options.length,
      }),
      scenarios: policy.margin === "portfolio" ? set : fc.option(set, { nil: null }),
    })
    .map((m) => ({
      // rounds arrive as JSON integers, so keep them JS-safe
      round: m.round % 2n ** 53n,
      timestamp: m.timestamp,
      prices: new Map(symbols.map((s, k) => [s, m.prices[k]])),
      options: new Map(
        policy.options.map((o, k): [string, OptionQuote] => [o.instrument, m.quotes[k]]),
      ),
      scenarios: m.scenarios,
    }));
}

function portfolioArb(policy: Policy): fc.Arbitrary<Portfolio> {
  const collateral = fc.tuple(
    ...policy.assets.map((a) => fc.option(amountArb(a.decimals), { nil: undefined })),
  );
  const perps = fc.tuple(
    ...policy.perps.map((p) =>
      fc.option(
        fc.record(
          { size: signedArb(10n ** BigInt(p.sizeDecimals + 5)), entryPrice: priceArb },
          NO_NULL_PROTO,
        ),
        { nil: undefined },
      ),
    ),
  );
  const options = fc.tuple(...policy.options.map(() => fc.option(quantityArb, { nil: undefined })));
  return fc.record({ account: accountArb, collateral, perps, options }, NO_NULL_PROTO).map((p) => ({
    account: p.account,
    collateral: new Map(
      policy.assets.flatMap((a, i): [string, bigint][] => {
        const amount = p.collateral[i];
        return amount === undefined ? [] : [[a.symbol, amount]];
      }),
    ),
    perps: new Map(
      policy.perps.flatMap((q, j): [string, PerpPosition][] => {
        const position = p.perps[j];
        return position === undefined ? [] : [[q.instrument, position]];
      }),
    ),
    options: new Map(
      policy.options.flatMap((o, k): [string, bigint][] => {
        const quantity = p.options[k];
        return quantity === undefined ? [] : [[o.instrument, quantity]];
      }),
    ),
  }));
}

/** Random valid triples that fit `dims` (any verdict). */
export function tripleArb(dims: InstanceDims): fc.Arbitrary<Triple> {
  return shapeArb(dims).chain((shape) =>
    policyArb(shape, dims).chain((policy) =>
      fc
        .tuple(marketArb(policy, shape.scenarios), portfolioArb(policy))
        .map(([market, portfolio]) => ({ policy, market, portfolio })),
    ),
  );
}

/**
 * Moves the policy's buffer and minRatio so that the triple sits `offsetMicroUsd` µUSD away from
 * the boundary: 0 = exactly at the requirement (`Eq * 1e6 == Req * minRatio`), 1 = one µUSD short.
 * Returns null when the triple cannot be moved there (equity below the requirement before buffer).
 */
export function atBoundary(triple: Triple, offsetMicroUsd: bigint): Triple | null {
  const report = computeMargin(triple.policy, triple.market, triple.portfolio);
  const withoutBuffer = report.requirementMicroUsd - report.bufferMicroUsd;
  // Req' = Eq * 1e6 / minRatio must be an integer: use minRatio 2 (Eq even), 0.5 or 1.
  const eq = report.equityMicroUsd;
  const [minRatioPpm, target] = eq % 2n === 0n ? [2n * PPM, eq / 2n] : [PPM / 2n, eq * 2n];
  const candidates: [bigint, bigint][] = [
    [minRatioPpm, target],
    [PPM, eq],
  ];
  for (const [ratio, requirement] of candidates) {
    const buffer = requirement - withoutBuffer + offsetMicroUsd;
    if (buffer >= 0n && buffer < bound(60)) {
      return {
        ...triple,
        policy: { ...triple.policy, minRatioPpm: ratio, bufferMicroUsd: buffer },
      };
    }
  }
  return null;
}

/** Random triples exactly at the requirement (sufficient, excess 0). */
export function boundaryTripleArb(dims: InstanceDims): fc.Arbitrary<Triple> {
  return tripleArb(dims)
    .map((t) => atBoundary(t, 0n))
    .filter((t): t is Triple => t !== null);
}

/** Random triples exactly one µUSD of requirement short (insufficient). */
export function oneShortTripleArb(dims: InstanceDims): fc.Arbitrary<Triple> {
  return tripleArb(dims)
    .map((t) => atBoundary(t, 1n))
    .filter((t): t is Triple => t !== null);
}

/** A random field-element salt (deterministic under fast-check's seed). */
export const saltArb = fc.bigInt({
  min: 0n,
  max: SNARK_SCALAR_FIELD - 1n,
});

/** A random 64-bit nonce. */
export const nonceArb = fc.bigInt({ min: 0n, max: bound(ROUND_BITS) - 1n });

/**
 * The triple as the three JSON documents of docs/formats.md, model v2 included (for parser
 * round trips): `margin` always written, `concentration` and `scenarios` only when present.
 */
export function tripleToJson(triple: Triple): {
  policy: unknown;
  market: unknown;
  portfolio: unknown;
} {
  const { policy, market, portfolio } = triple;
  const usd = (micro: bigint): string => formatUnits(micro, 6);
  const upTo = (u: bigint | null): string | null => (u === null ? null : u.toString());
  const price = (p: bigint): string => formatUnits(p, PRICE_DECIMALS);
  const arrays = (byName: Map<string, bigint[]>): Record<string, string[]> =>
    Object.fromEntries([...byName].map(([name, xs]) => [name, xs.map(price)]));
  return {
    policy: {
      id: policy.id,
      mode: policy.mode,
      margin: policy.margin,
      minRatio: usd(policy.minRatioPpm),
      buffer: usd(policy.bufferMicroUsd),
      shortOptionMinimum: usd(policy.shortOptionMinimumMicroUsd),
      assets: Object.fromEntries(
        policy.assets.map((a) => [
          a.symbol,
          {
            decimals: a.decimals,
            tiers: a.tiers.map((t) => ({ upTo: upTo(t.upToUsd), weight: usd(t.weightPpm) })),
          },
        ]),
      ),
      perps: Object.fromEntries(
        policy.perps.map((p) => [
          p.instrument,
          {
            underlying: p.underlying,
            sizeDecimals: p.sizeDecimals,
            tiers: p.tiers.map((t) => ({ upTo: upTo(t.upToUsd), rate: usd(t.ratePpm) })),
          },
        ]),
      ),
      options: Object.fromEntries(
        policy.options.map((o) => [o.instrument, { underlying: o.underlying }]),
      ),
      ...(policy.concentration.length > 0
        ? {
            concentration: policy.concentration.map((g) => ({
              assets: g.assets,
              maxShare: usd(g.maxSharePpm),
            })),
          }
        : {}),
    },
    market: {
      round: Number(market.round),
      timestamp: Number(market.timestamp),
      prices: Object.fromEntries([...market.prices].map(([s, p]) => [s, price(p)])),
      options: Object.fromEntries(
        [...market.options].map(([name, q]) => [
          name,
          { mark: usd(q.markMicroUsd), riskArray: q.riskArrayMicroUsd.map(usd) },
        ]),
      ),
      ...(market.scenarios === null
        ? {}
        : {
            scenarios: {
              labels: market.scenarios.labels,
              assets: arrays(market.scenarios.assets),
              perps: arrays(market.scenarios.perps),
            },
          }),
    },
    portfolio: portfolioToJson(policy, portfolio),
  };
}
