import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  InstanceFitError,
  accountToField,
  assertFits,
  encodeCircuitInput,
  pieceOf,
  fits,
  loadInstances,
  marketElements,
  packItems,
  policyItems,
  portfolioItems,
  requiredDims,
  smallestFittingInstance,
  type CircuitInput,
  type InstanceDims,
  type PackItem,
} from "../prover/src/encoding";
import * as widths from "../prover/src/encoding/widths";
import { loadMarket, loadPolicy, loadPortfolio, type Market } from "../prover/src/inputs";
import { nonceArb, saltArb, tripleArb } from "./helpers/arbitraries";
import { MARKET_SIGNALS, POLICY_SIGNALS, PORTFOLIO_SIGNALS } from "./helpers/signals";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");
const instances = loadInstances();

function exampleTriple(dir: string, portfolioDir = dir) {
  const policy = loadPolicy(path.join(EXAMPLES, dir, "policy.json"));
  const market = loadMarket(path.join(EXAMPLES, dir, "market.json"));
  const portfolio = loadPortfolio(path.join(EXAMPLES, portfolioDir, "portfolio.json"), policy);
  return { policy, market, portfolio };
}

/** Reads items back out of packed elements: the inverse of packItems for known widths. */
function unpack(elements: bigint[], bits: number[]): bigint[] {
  const out: bigint[] = [];
  let e = 0;
  let used = 0;
  for (const b of bits) {
    if (used + b > widths.PACK_BITS) {
      e++;
      used = 0;
    }
    out.push((elements[e] >> BigInt(used)) & ((1n << BigInt(b)) - 1n));
    used += b;
  }
  expect(elements.length).to.equal(bits.length === 0 ? 0 : e + 1);
  return out;
}

describe("encoding", () => {
  describe("widths", () => {
    it("match the table of circuits/README.md", () => {
      const readme = fs.readFileSync(path.join(ROOT, "circuits/README.md"), "utf8");
      // | quantity | unit | width | NAME | checked by |
      const rows = [...readme.matchAll(/^\|[^|]+\|[^|]+\| *(\d+) *\| *([A-Z_]+) *\|[^|]+\|$/gm)];
      expect(rows.length).to.be.at.least(18);
      const table = widths as unknown as Record<string, number>;
      for (const [, bits, name] of rows) expect(table[name], name).to.equal(Number(bits));
    });

    it("match circuits/lib/widths.circom", () => {
      const circom = fs.readFileSync(path.join(ROOT, "circuits/lib/widths.circom"), "utf8");
      const defs = [...circom.matchAll(/function ([A-Z_]+)\(\) \{ return (\d+); \}/g)];
      const table = widths as unknown as Record<string, number | bigint>;
      const compared = defs.filter(([, name]) => name in table);
      expect(compared.length).to.be.at.least(12);
      for (const [, name, value] of compared) expect(String(table[name]), name).to.equal(value);
    });
  });

  describe("packItems", () => {
    it("places items from offset 0 in order", () => {
      expect(
        packItems([
          { value: 1n, bits: 1 },
          { value: 2n, bits: 2 },
          { value: 3n, bits: 3 },
        ]),
      ).to.deep.equal([1n + (2n << 1n) + (3n << 3n)]);
    });

    it("starts a new element when the next item would not fit in 248 bits", () => {
      const max96 = (1n << 96n) - 1n;
      const packed = packItems([
        { value: max96, bits: 96 },
        { value: 5n, bits: 96 },
        { value: 7n, bits: 96 },
      ]);
      expect(packed).to.deep.equal([max96 + (5n << 96n), 7n]);
      const full = packItems([
        { value: 1n, bits: 124 },
        { value: (1n << 124n) - 1n, bits: 124 },
        { value: 1n, bits: 1 },
      ]);
      expect(full).to.deep.equal([1n + (((1n << 124n) - 1n) << 124n), 1n]);
      expect(full[0] < 1n << 248n).to.equal(true);
    });

    it("throws when a value exceeds its width or a width is invalid", () => {
      expect(() => packItems([{ value: 2n, bits: 1 }])).to.throw(RangeError, "pack item 0");
      expect(() =>
        packItems([
          { value: 0n, bits: 8 },
          { value: 256n, bits: 8 },
        ]),
      ).to.throw("pack item 1");
      expect(() => packItems([{ value: -1n, bits: 8 }])).to.throw(RangeError);
      expect(() => packItems([{ value: 0n, bits: 0 }])).to.throw(RangeError);
      expect(() => packItems([{ value: 0n, bits: 249 }])).to.throw(RangeError);
      expect(packItems([{ value: (1n << 248n) - 1n, bits: 248 }])).to.deep.equal([
        (1n << 248n) - 1n,
      ]);
      expect(packItems([])).to.deep.equal([]);
    });

    it("is reversible for any items within their widths @property", () => {
      const item = fc.integer({ min: 1, max: 248 }).chain((bits) =>
        fc.record({
          bits: fc.constant(bits),
          value: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
        }),
      );
      fc.assert(
        fc.property(fc.array(item, { maxLength: 40 }), (items: PackItem[]) => {
          const packed = packItems(items);
          packed.forEach((e) => expect(e < 1n << 248n).to.equal(true));
          expect(
            unpack(
              packed,
              items.map((i) => i.bits),
            ),
          ).to.deep.equal(items.map((i) => i.value));
        }),
        { seed: 5, numRuns: 300 },
      );
    });
  });

  describe("instances", () => {
    it("loads circuits/instances.json", () => {
      expect(instances.small).to.deep.equal({
        assets: 3,
        perps: 2,
        options: 2,
        scenarios: 4,
        tiers: 2,
        groups: 1,
        joint: 1,
        pledges: 1,
      });
      expect(instances.demo).to.deep.equal({
        assets: 6,
        perps: 3,
        options: 2,
        scenarios: 8,
        tiers: 3,
        groups: 2,
        joint: 1,
        pledges: 2,
      });
      // DESIGN.md "Several custodians in one proof": demo 2 slots, standard and large 4.
      expect(
        Object.fromEntries(Object.entries(instances).map(([name, d]) => [name, d.pledges])),
      ).to.deep.equal({ small: 1, demo: 2, standard: 4, classic: 4, large: 4 });
    });

    it("fits the number of sub-portfolios to the instances' pledge slots", () => {
      const small = exampleTriple("small");
      const fit = (pieces: number): string =>
        smallestFittingInstance(small.policy, small.market, undefined, instances, pieces);
      expect([1, 2, 3, 4].map(fit)).to.deep.equal(["small", "demo", "classic", "classic"]);
      expect(() => fit(5)).to.throw(InstanceFitError, "5 pledge slots");
      expect(requiredDims(small.policy, small.market, 3).pledges).to.equal(3);
      expect(() => assertFits(small.policy, small.market, "demo", instances, 3)).to.throw(
        InstanceFitError,
        'needs 3 pledge slots (one per sub-portfolio) but has 2; instance "classic" would fit',
      );
      expect(fits(small.policy, small.market, instances.small, 2)).to.equal(false);
      expect(fits(small.policy, small.market, instances.demo, 2)).to.equal(true);
    });

    it("finds the smallest instance that fits each example", () => {
      const small = exampleTriple("small");
      const desk = exampleTriple("desk");
      expect(smallestFittingInstance(small.policy, small.market)).to.equal("small");
      expect(smallestFittingInstance(desk.policy, desk.market)).to.equal("demo");
      // the hedged book under portfolio margin: 8 joint scenarios and 2 concentration groups
      const hedged = exampleTriple("portfolio");
      expect(requiredDims(hedged.policy, hedged.market)).to.deep.include({
        scenarios: 8,
        groups: 2,
      });
      expect(smallestFittingInstance(hedged.policy, hedged.market)).to.equal("demo");
      expect(smallestFittingInstance(desk.policy, desk.market, ["large", "standard"])).to.equal(
        "standard",
      );
      expect(fits(desk.policy, desk.market, instances.small)).to.equal(false);
      expect(fits(small.policy, small.market, instances.demo)).to.equal(true);
      expect(() => smallestFittingInstance(desk.policy, desk.market, ["small"])).to.throw(
        InstanceFitError,
        "no circuit instance among [small] fits policy desk-maintenance-v1 (6 assets, 2 perps, 2 options, 8 scenarios, 3 tiers, 0 groups, 1 pledge slots)",
      );
    });

    it("says which instance would fit when the chosen one does not", () => {
      const desk = exampleTriple("desk");
      expect(() => assertFits(desk.policy, desk.market, "small")).to.throw(
        InstanceFitError,
        'policy desk-maintenance-v1 does not fit instance "small": needs 6 assets but has 3, needs 8 scenarios but has 4, needs 3 tiers but has 2; instance "demo" would fit',
      );
      expect(assertFits(desk.policy, desk.market, "demo")).to.deep.equal(instances.demo);
      expect(() => assertFits(desk.policy, desk.market, "huge")).to.throw(
        'unknown circuit instance "huge"',
      );
    });
  });

  describe("encodeCircuitInput", () => {
    const SIGNALS = [
      "accountNonce",
      "layoutId",
      ...PORTFOLIO_SIGNALS,
      ...MARKET_SIGNALS,
      ...POLICY_SIGNALS,
    ];
    const R = widths.SNARK_SCALAR_FIELD;
    const OPEN = widths.UPTO_OPEN;
    const ZEROS4 = [0n, 0n, 0n, 0n];

    it("produces exactly the private and public input names of circuits/README.md", () => {
      const readme = fs.readFileSync(path.join(ROOT, "circuits/README.md"), "utf8");
      const { policy, market, portfolio } = exampleTriple("small");
      const input = encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 1n,
        nonce: 2n,
        instance: instances.small,
      });
      expect(Object.keys(input).sort()).to.deep.equal([...SIGNALS].sort());
      for (const name of SIGNALS) expect(readme, name).to.match(new RegExp("`" + name + "[`\\[]"));
    });

    it("encodes the small example in the small instance", () => {
      const { policy, market, portfolio } = exampleTriple("small");
      const input = encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 99n,
        nonce: 7n,
        instance: instances.small,
      });
      expect(input.accountNonce).to.equal(
        0x70997970c51812dc3a010c7d01b50e0d17dc79c8n + (7n << 160n),
      );
      // One row per pledge slot (small has one).
      expect(input.salt).to.deep.equal([99n]);
      expect(input.amount).to.deep.equal([[250000_000000n, 40_500000000000000000n, 1_25000000n]]);
      expect(input.perpSizeNeg).to.deep.equal([[1n, 0n]]);
      expect(input.perpSizeAbs).to.deep.equal([[600000n, 80000n]]);
      expect(input.perpEntryPrice).to.deep.equal([[3150_000000000000n, 88000_000000000000n]]);
      expect(input.optionQtyNeg).to.deep.equal([[1n, 0n]]);
      expect(input.optionQtyAbs).to.deep.equal([[20n, 30n]]);
      expect(input.roundTimestamp).to.equal(7n + (1764072000n << 64n));
      expect(input.jointSetPresent).to.equal(0n); // the round has no joint scenario set
      // prices in 1e-12 USD
      expect(input.price).to.deep.equal([999950000000n, 3012_550000000000n, 91250_400000000000n]);
      expect(input.perpMark).to.deep.equal([3012_550000000000n, 91250_400000000000n]); // ETH, BTC
      expect(input.optionMark).to.deep.equal([268_400000n, 92_750000n]);
      // signed entries as field elements: a gain of 201.7 is r - 201_700000
      expect(input.riskArray[0]).to.deep.equal([
        165_200000n,
        R - 201_700000n,
        255_000000n,
        R - 540_200000n,
      ]);
      // a round without a joint scenario set: every joint entry is the loss 0
      expect(input.assetRisk).to.deep.equal([ZEROS4, ZEROS4, ZEROS4]);
      expect(input.perpRisk).to.deep.equal([ZEROS4, ZEROS4]);
      expect(input.mode).to.equal(0n); // initial
      expect(input.portfolioMargin).to.equal(0n); // standard
      expect(input.groupShare).to.deep.equal([1_000000n]); // an unused group: 100 %
      expect(input.assetGroup).to.deep.equal([[0n], [0n], [0n]]);
      expect(input.minRatio).to.equal(1_250000n);
      expect(input.buffer).to.equal(10000_000000n);
      expect(input.shortOptionMinimum).to.equal(25_000000n);
      expect(input.assetActive).to.deep.equal([1n, 1n, 1n]);
      expect(input.assetDecimals).to.deep.equal([6n, 18n, 8n]);
      expect(input.assetWeight).to.deep.equal([
        [1_000000n, 1_000000n],
        [900000n, 800000n],
        [900000n, 800000n],
      ]);
      expect(input.assetUpTo).to.deep.equal([[OPEN], [5000000n], [5000000n]]);
      expect(input.perpRate).to.deep.equal([
        [30000n, 60000n],
        [30000n, 50000n],
      ]);
      expect(input.perpUpTo).to.deep.equal([[2000000n], [2000000n]]);
      expect(input.perpSizeDecimals).to.deep.equal([4n, 5n]);
      expect(input.optionActive).to.deep.equal([1n, 1n]);
    });

    it("pads slots, tiers and scenarios in a larger instance", () => {
      const { policy, market, portfolio } = exampleTriple("small");
      const input = encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 0n,
        nonce: 0n,
        instance: instances.demo,
      });
      expect(input.amount[0].slice(3)).to.deep.equal([0n, 0n, 0n]);
      // demo has two pledge slots: the second is unused, all zero (its salt too)
      expect(input.amount[1]).to.deep.equal(new Array<bigint>(6).fill(0n));
      expect(input.salt).to.deep.equal([0n, 0n]);
      expect(input.price.slice(3)).to.deep.equal([0n, 0n, 0n]);
      expect(input.assetActive).to.deep.equal([1n, 1n, 1n, 0n, 0n, 0n]);
      expect(input.assetDecimals.slice(3)).to.deep.equal([0n, 0n, 0n]);
      // padded tiers repeat the last weight with the open bound 2^32 - 1, like the last real tier
      expect(input.assetWeight[1]).to.deep.equal([900000n, 800000n, 800000n]);
      expect(input.assetUpTo[1]).to.deep.equal([5000000n, OPEN]);
      expect(input.assetWeight[0]).to.deep.equal([1_000000n, 1_000000n, 1_000000n]);
      expect(input.assetUpTo[0]).to.deep.equal([OPEN, OPEN]);
      expect(input.assetWeight[4]).to.deep.equal([0n, 0n, 0n]);
      expect(input.assetUpTo[4]).to.deep.equal([0n, 0n]);
      expect(input.perpRate[1]).to.deep.equal([30000n, 50000n, 50000n]);
      expect(input.perpActive).to.deep.equal([1n, 1n, 0n]);
      expect(input.perpRate[2]).to.deep.equal([0n, 0n, 0n]);
      expect(input.perpUpTo[2]).to.deep.equal([0n, 0n]);
      expect([
        input.perpMark[2],
        input.perpSizeAbs[0][2],
        input.perpEntryPrice[0][2],
        input.perpSizeNeg[0][2],
      ]).to.deep.equal([0n, 0n, 0n, 0n]);
      // padded scenarios are a loss of 0
      expect(input.riskArray[1]).to.have.length(8);
      expect(input.riskArray[1].slice(4)).to.deep.equal([0n, 0n, 0n, 0n]);
      expect(input.assetRisk[5]).to.deep.equal(new Array<bigint>(8).fill(0n));
      // padded groups: 100 % and no member
      expect(input.groupShare).to.deep.equal([1_000000n, 1_000000n]);
    });

    it("encodes an absent holding as zero and an inactive option's risk as the offset", () => {
      const { policy, market, portfolio } = exampleTriple("desk", "shortfall");
      const dims: InstanceDims = { ...instances.demo, options: 3 };
      const input = encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 0n,
        nonce: 0n,
        instance: dims,
      });
      expect(input.amount[0][1]).to.equal(0n); // no USDT held
      expect(input.optionQtyAbs[0]).to.deep.equal([400n, 0n, 0n]);
      expect(input.optionActive).to.deep.equal([1n, 1n, 0n]);
      expect(input.optionMark[2]).to.equal(0n);
      expect(input.riskArray[2]).to.deep.equal(new Array(8).fill(0n));
    });

    it("refuses an instance that is too small, a salt outside the field and a wide nonce", () => {
      const { policy, market, portfolio } = exampleTriple("desk");
      expect(() =>
        encodeCircuitInput({
          policy,
          market,
          portfolio,
          salt: 0n,
          nonce: 0n,
          instance: instances.small,
        }),
      ).to.throw(RangeError, "instance too small: needs 6 assets but has 3");
      const args = { policy, market, portfolio, instance: instances.demo };
      expect(() =>
        encodeCircuitInput({ ...args, salt: widths.SNARK_SCALAR_FIELD, nonce: 0n }),
      ).to.throw("salt");
      expect(() => encodeCircuitInput({ ...args, salt: -1n, nonce: 0n })).to.throw("salt");
      expect(() => encodeCircuitInput({ ...args, salt: 0n, nonce: 1n << 64n })).to.throw(
        "nonce does not fit in 64 bits",
      );
    });

    it("re-checks in-memory policies against the rules the circuit relies on", () => {
      const { policy, market, portfolio } = exampleTriple("small");
      const encode = (p: typeof policy) => () =>
        encodeCircuitInput({
          policy: p,
          market,
          portfolio,
          salt: 0n,
          nonce: 0n,
          instance: instances.small,
        });
      const withAsset = (change: Partial<(typeof policy.assets)[0]>) => ({
        ...policy,
        assets: [{ ...policy.assets[0], ...change }, ...policy.assets.slice(1)],
      });
      const up = { upToUsd: 10n, weightPpm: 500_000n };
      const tail = { upToUsd: null, weightPpm: 600_000n };
      expect(encode(withAsset({ tiers: [up, tail] }))).to.throw(
        "policy: assets.USDC.tiers[1].weight: weights must be non-increasing (got 0.6 after 0.5)",
      );
      expect(encode(withAsset({ tiers: [{ upToUsd: null, weightPpm: 1_000_001n }] }))).to.throw(
        "assets.USDC.tiers[0].weight: must be between 0 and 1 (got 1.000001)",
      );
      expect(encode(withAsset({ tiers: [{ upToUsd: 5n, weightPpm: 1n }] }))).to.throw(
        "assets.USDC.tiers[0].upTo: the last tier must have upTo null",
      );
      expect(encode(withAsset({ tiers: [] }))).to.throw(
        "assets.USDC.tiers: must list at least one tier",
      );
      expect(encode(withAsset({ decimals: 19 }))).to.throw(
        "assets.USDC.decimals: must be an integer from 0 to 18 (got 19)",
      );
      expect(encode(withAsset({ symbol: "WETH" }))).to.throw('assets.WETH: "WETH" is listed twice');
      const perp = policy.perps[0];
      const falling = {
        ...perp,
        tiers: [
          { upToUsd: 1n, ratePpm: 50_000n },
          { upToUsd: null, ratePpm: 10_000n },
        ],
      };
      expect(encode({ ...policy, perps: [falling, policy.perps[1]] })).to.throw(
        "perps.ETH-PERP.tiers[1].rate: rates must be non-decreasing (got 0.01 after 0.05)",
      );
      expect(encode({ ...policy, minRatioPpm: 0n })).to.throw(
        "minRatio: must be greater than 0 and below 2^24 ppm (got 0)",
      );
    });

    it("lists commitment items in spec order with spec widths", () => {
      const { policy, market, portfolio } = exampleTriple("small");
      const dims = instances.small;
      const input = encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 0n,
        nonce: 0n,
        instance: dims,
      });
      const piece = pieceOf(input, 0);
      expect(portfolioItems(piece, dims).map((i) => i.bits)).to.deep.equal([
        96, 96, 96, 1, 64, 80, 1, 64, 80, 1, 48, 1, 48,
      ]);
      expect(
        portfolioItems(piece, dims)
          .slice(3, 6)
          .map((i) => i.value),
      ).to.deep.equal([1n, 600000n, 3150_000000000000n]);
      const elements = marketElements(input, dims);
      expect(elements).to.have.length(2 + 3 + 2 + 2 + 2 * 4 + 3 * 4 + 2 * 4);
      expect(elements.slice(0, 2)).to.deep.equal([input.roundTimestamp, input.jointSetPresent]);
      expect(elements[9 + 4]).to.equal(input.riskArray[1][0]); // option, then scenario
      expect(elements[17]).to.equal(input.assetRisk[0][0]); // then assets, then perps
      // mode, margin, minRatio, buffer, SOM, 1 group share; per asset active, decimals, 2
      // weights, 1 bound, 1 group bit; per perp active, decimals, 2 rates, 1 bound; per option active
      expect(policyItems(input, dims).map((i) => i.bits)).to.deep.equal([
        1, 1, 24, 60, 40, 20, 1, 5, 20, 20, 32, 1, 1, 5, 20, 20, 32, 1, 1, 5, 20, 20, 32, 1, 1, 5,
        20, 20, 32, 1, 5, 20, 20, 32, 1, 1,
      ]);
      expect(() => portfolioItems(piece, instances.demo)).to.throw("shape");
    });

    it("commits tier bounds as their rises, and refuses bounds that fall", () => {
      const dims = instances.demo; // 3 tiers: two bounds per slot
      const input = encodeCircuitInput({
        ...exampleTriple("small"),
        salt: 0n,
        nonce: 0n,
        instance: dims,
      });
      // per asset: active, decimals, 3 weights, 2 bounds, 2 group bits
      const assetBounds = (i: number): bigint[] =>
        policyItems(input, dims)
          .slice(5 + dims.groups + 9 * i + 5, 5 + dims.groups + 9 * i + 7)
          .map((item) => item.value);
      expect(input.assetUpTo[1]).to.deep.equal([5000000n, OPEN]);
      expect(assetBounds(1)).to.deep.equal([5000000n, OPEN - 5000000n]); // WETH
      expect(assetBounds(0)).to.deep.equal([OPEN, 0n]); // USDC: one open tier, padded
      expect(assetBounds(4)).to.deep.equal([0n, 0n]); // an inactive slot
      const falling = structuredClone(input);
      falling.perpUpTo[1] = [3000000n, 2000000n];
      expect(() => policyItems(falling, dims)).to.throw(
        RangeError,
        "perpUpTo[1][1] is below perpUpTo[1][0]: tier bounds must not fall",
      );
      const equal = structuredClone(input);
      equal.perpUpTo[1] = [2000000n, 2000000n]; // an empty tier: harmless, so allowed
      expect(() => policyItems(equal, dims)).not.to.throw();
    });

    describe("jointSetPresent", () => {
      const { policy, market, portfolio } = exampleTriple("small");
      const complete: Market = {
        ...market,
        scenarios: {
          labels: ["a", "b", "c"],
          assets: new Map(policy.assets.map((a) => [a.symbol, [1n, -2n, 3n]])),
          perps: new Map(policy.perps.map((p) => [p.instrument, [4n, 5n, -6n]])),
        },
        options: new Map(
          [...market.options].map(([name, q]) => [
            name,
            { ...q, riskArrayMicroUsd: q.riskArrayMicroUsd.slice(0, 3) },
          ]),
        ),
      };
      const flag = (m: Market, dims: InstanceDims = instances.small): bigint =>
        encodeCircuitInput({ policy, market: m, portfolio, salt: 0n, nonce: 0n, instance: dims })
          .jointSetPresent;
      const without = (section: "assets" | "perps", name: string): Market => {
        const arrays = new Map(complete.scenarios![section]);
        arrays.delete(name);
        return { ...complete, scenarios: { ...complete.scenarios!, [section]: arrays } };
      };

      it("is 1 when the set covers every asset and perp of the layout (K below the instance's S)", () => {
        expect(flag(complete)).to.equal(1n);
        // an array for an instrument outside the layout changes nothing
        const extra = new Map(complete.scenarios!.perps).set("SOL-PERP", [0n, 0n, 0n]);
        expect(flag({ ...complete, scenarios: { ...complete.scenarios!, perps: extra } })).to.equal(
          1n,
        );
      });

      it("is 0 without a set, without one asset's or perp's array, or with a short array", () => {
        expect(flag(market)).to.equal(0n);
        expect(flag(without("perps", "BTC-PERP"))).to.equal(0n);
        expect(flag(without("assets", "USDC"))).to.equal(0n);
        const short = new Map(complete.scenarios!.perps).set("ETH-PERP", [4n, 5n]);
        expect(flag({ ...complete, scenarios: { ...complete.scenarios!, perps: short } })).to.equal(
          0n,
        );
      });

      it("is 0 on an instance without joint arrays, which carries no set", () => {
        expect(flag(complete, { ...instances.small, joint: 0 })).to.equal(0n);
      });
    });

    it("encodes every generated triple within the widths @property", () => {
      const dims = instances.small;
      fc.assert(
        fc.property(tripleArb(dims), saltArb, nonceArb, (triple, salt, nonce) => {
          const input: CircuitInput = encodeCircuitInput({
            ...triple,
            salt,
            nonce,
            instance: dims,
          });
          for (const items of [portfolioItems(pieceOf(input, 0), dims), policyItems(input, dims)]) {
            expect(() => packItems(items)).not.to.throw();
          }
          for (const element of marketElements(input, dims)) {
            expect(element >= 0n && element < R).to.equal(true);
          }
        }),
        { seed: 9, numRuns: 200 },
      );
    });
  });

  describe("accountToField", () => {
    it("reads the address as a 160-bit integer and refuses bad checksums", () => {
      expect(accountToField("0x0000000000000000000000000000000000000001")).to.equal(1n);
      expect(accountToField("0xffffffffffffffffffffffffffffffffffffffff")).to.equal(
        (1n << 160n) - 1n,
      );
      expect(() => accountToField("0x70997970c51812dc3A010C7d01b50e0d17dc79C8")).to.throw();
      expect(() => accountToField("0x1234")).to.throw();
    });
  });
});
