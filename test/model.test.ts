import { expect } from "chai";
import { formatUnits } from "../prover/src/decimal";
import fc from "fast-check";
import * as fs from "node:fs";
import * as path from "node:path";
import type { InstanceDims } from "../prover/src/encoding/instances";
import {
  MAX_PPM,
  PRICE_DECIMALS as ENCODING_PRICE_DECIMALS,
  RISK_SUM_BITS,
  bound,
} from "../prover/src/encoding/widths";
import { InputError, ShortfallError } from "../prover/src/errors";
import { checkConsistency, loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import type { Market, Policy, Portfolio, ScenarioSet } from "../prover/src/inputs/types";
import {
  JOINT_DENOMINATOR,
  MICRO_USD_DECIMALS,
  MICRO_USD_PER_USD,
  PPM as MODEL_PPM,
  PRICE_DECIMALS as MODEL_PRICE_DECIMALS,
  bracketSum,
  ceilDiv,
  computeMargin,
  floorDiv,
  formatReport,
  pow10,
  type MarginReport,
} from "../prover/src/model";
import { boundaryTripleArb, oneShortTripleArb, tripleArb } from "./helpers/arbitraries";

const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const PPM = 1_000_000n;
/** One µUSD in the price unit (1e-12 USD): a price of MICRO per base unit of a 0-decimal token. */
const MICRO = 1_000_000n;
/** One USD in the price unit. */
const USD = 1_000_000_000_000n;
const EXAMPLES = path.resolve(__dirname, "../examples");
const MODEL_DIR = path.resolve(__dirname, "../prover/src/model");

/** A one-asset policy (decimals 0, one tier at 100 %) to which tests add what they need. */
function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: "test",
    mode: "maintenance",
    margin: "standard",
    concentration: [],
    minRatioPpm: PPM,
    bufferMicroUsd: 0n,
    shortOptionMinimumMicroUsd: 0n,
    assets: [{ symbol: "X", decimals: 0, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
    perps: [],
    options: [],
    ...overrides,
  };
}

function market(
  prices: Record<string, bigint>,
  options: Market["options"] = new Map(),
  scenarios: ScenarioSet | null = null,
): Market {
  return { round: 1n, timestamp: 2n, prices: new Map(Object.entries(prices)), options, scenarios };
}

/** A scenario set with these labels and risk arrays (1e-12 USD per whole token or unit). */
function scenarioSet(
  labels: string[],
  assets: Record<string, bigint[]>,
  perps: Record<string, bigint[]> = {},
): ScenarioSet {
  return {
    labels,
    assets: new Map(Object.entries(assets)),
    perps: new Map(Object.entries(perps)),
  };
}

function portfolio(overrides: Partial<Portfolio> = {}): Portfolio {
  return {
    account: ACCOUNT,
    collateral: new Map(),
    perps: new Map(),
    options: new Map(),
    ...overrides,
  };
}

describe("margin model", () => {
  describe("arithmetic helpers", () => {
    it("floorDiv and ceilDiv round towards -inf and +inf for both signs", () => {
      expect(floorDiv(7n, 2n)).to.equal(3n);
      expect(floorDiv(-7n, 2n)).to.equal(-4n);
      expect(floorDiv(-6n, 2n)).to.equal(-3n);
      expect(ceilDiv(7n, 2n)).to.equal(4n);
      expect(ceilDiv(-7n, 2n)).to.equal(-3n);
      expect(ceilDiv(6n, 2n)).to.equal(3n);
      expect(() => floorDiv(1n, 0n)).to.throw(RangeError);
    });
  });

  describe("collateral", () => {
    it("values an asset as floor(amount * price / 10^(decimals + 6)) µUSD", () => {
      // 150.25 WETH at 3012.55 USD = 452 635.6375 USD exactly
      const p = policy({
        assets: [{ symbol: "WETH", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
      });
      const m = market({ WETH: 3012_550000000000n });
      const r = computeMargin(
        p,
        m,
        portfolio({ collateral: new Map([["WETH", 150_250000000000000000n]]) }),
      );
      expect(r.assets[0].valueMicroUsd).to.equal(452635637500n);
    });

    it("rounds the asset value down", () => {
      const p = policy();
      const value = (amount: bigint, price: bigint): bigint =>
        computeMargin(p, market({ X: price }), portfolio({ collateral: new Map([["X", amount]]) }))
          .assets[0].valueMicroUsd;
      expect(value(1n, 990_000n)).to.equal(0n); // 0.99 µUSD
      expect(value(3n, 500_000n)).to.equal(1n); // 1.5 µUSD
      expect(value(1n, MICRO)).to.equal(1n);
    });

    it("applies haircut brackets and rounds the haircut value down at tier boundaries", () => {
      // 90 % up to 10 USD, 50 % above
      const p = policy({
        assets: [
          {
            symbol: "X",
            decimals: 0,
            tiers: [
              { upToUsd: 10n, weightPpm: 900_000n },
              { upToUsd: null, weightPpm: 500_000n },
            ],
          },
        ],
      });
      // price 1 µUSD per unit, so amount = value in µUSD
      const haircut = (valueMicroUsd: bigint): bigint =>
        computeMargin(
          p,
          market({ X: MICRO }),
          portfolio({ collateral: new Map([["X", valueMicroUsd]]) }),
        ).assets[0].haircutValueMicroUsd;
      expect(haircut(10_000_000n)).to.equal(9_000_000n); // exactly at the bound
      expect(haircut(10_000_001n)).to.equal(9_000_000n); // + 0.5 µUSD, rounded down
      expect(haircut(10_000_002n)).to.equal(9_000_001n);
      expect(haircut(9_999_999n)).to.equal(8_999_999n); // 8 999 999.1
      expect(haircut(30_000_000n)).to.equal(19_000_000n); // 9 + 0.5 * 20
      expect(haircut(0n)).to.equal(0n);
    });

    it("uses each tier of a three-tier schedule and a 0 % tail", () => {
      const p = policy({
        assets: [
          {
            symbol: "X",
            decimals: 0,
            tiers: [
              { upToUsd: 1n, weightPpm: PPM },
              { upToUsd: 3n, weightPpm: 250_000n },
              { upToUsd: null, weightPpm: 0n },
            ],
          },
        ],
      });
      const r = computeMargin(
        p,
        market({ X: MICRO }),
        portfolio({ collateral: new Map([["X", 100_000_000n]]) }),
      );
      expect(r.assets[0].haircutValueMicroUsd).to.equal(1_000_000n + 500_000n);
    });

    it("counts a listed asset that is not held as zero", () => {
      const r = computeMargin(policy(), market({ X: 5n }), portfolio());
      expect(r.assets[0]).to.deep.include({
        amount: 0n,
        valueMicroUsd: 0n,
        haircutValueMicroUsd: 0n,
      });
    });
  });

  describe("perps", () => {
    const perpPolicy = (tiers: Policy["perps"][0]["tiers"], sizeDecimals = 0): Policy =>
      policy({ perps: [{ instrument: "X-PERP", underlying: "U", sizeDecimals, tiers }] });
    const flat = (ratePpm: bigint): Policy["perps"][0]["tiers"] => [{ upToUsd: null, ratePpm }];
    const run = (p: Policy, price: bigint, size: bigint, entryPrice: bigint) =>
      computeMargin(
        p,
        market({ X: 0n, U: price }),
        portfolio({ perps: new Map([["X-PERP", { size, entryPrice }]]) }),
      ).perps[0];

    /** 1.5 and 1 µUSD per unit. */
    const [P15, P10] = [1_500_000n, MICRO];

    it("marks a perp at its underlying's price and rounds the notional up", () => {
      const line = run(perpPolicy(flat(0n)), P15, 3n, P15);
      expect(line.mark).to.equal(P15);
      expect(line.notionalMicroUsd).to.equal(5n); // 4.5 µUSD -> 5
      expect(run(perpPolicy(flat(0n)), P15, -3n, P15).notionalMicroUsd).to.equal(5n);
      expect(run(perpPolicy(flat(0n)), 1n, 1n, 0n).notionalMicroUsd).to.equal(1n); // 1e-6 -> 1
    });

    it("rounds PnL down for longs and shorts (towards minus infinity)", () => {
      expect(run(perpPolicy(flat(0n)), P15, 3n, P10).pnlMicroUsd).to.equal(1n); // +1.5
      expect(run(perpPolicy(flat(0n)), P15, -3n, P10).pnlMicroUsd).to.equal(-2n); // -1.5
      expect(run(perpPolicy(flat(0n)), P10, 3n, P15).pnlMicroUsd).to.equal(-2n); // long loses
      expect(run(perpPolicy(flat(0n)), P10, -3n, P15).pnlMicroUsd).to.equal(1n); // short gains
      expect(run(perpPolicy(flat(0n)), P10, -4n, P15).pnlMicroUsd).to.equal(2n); // exact
    });

    it("scales sizes by sizeDecimals", () => {
      // short 200 ETH (sizeDecimals 4) at mark 3012.55, entry 3150: +27 490 USD
      const line = run(
        perpPolicy(flat(20_000n), 4),
        3012_550000000000n,
        -2_000_000n,
        3150_000000000000n,
      );
      expect(line.notionalMicroUsd).to.equal(602_510_000000n);
      expect(line.pnlMicroUsd).to.equal(27_490_000000n);
      expect(line.requirementMicroUsd).to.equal(12_050_200000n);
    });

    it("applies rate brackets and rounds the requirement up at tier boundaries", () => {
      const p = perpPolicy([
        { upToUsd: 1n, ratePpm: 20_000n },
        { upToUsd: null, ratePpm: 50_000n },
      ]);
      // 1 µUSD per unit: notional = size in µUSD
      expect(run(p, P10, 1_000_000n, P10).requirementMicroUsd).to.equal(20_000n);
      expect(run(p, P10, 1_000_001n, P10).requirementMicroUsd).to.equal(20_001n); // +0.05 -> up
      expect(run(p, P10, -1_000_020n, P10).requirementMicroUsd).to.equal(20_001n); // exactly +1
      expect(run(p, P10, 1n, P10).requirementMicroUsd).to.equal(1n); // 0.02 -> 1
      expect(run(p, P10, 0n, P10).requirementMicroUsd).to.equal(0n);
    });
  });

  describe("options", () => {
    const optPolicy = (shortOptionMinimumMicroUsd: bigint): Policy =>
      policy({
        shortOptionMinimumMicroUsd,
        options: [
          { instrument: "C", underlying: "X" },
          { instrument: "P", underlying: "X" },
        ],
      });
    const quotes: Market["options"] = new Map([
      ["C", { markMicroUsd: 100n, riskArrayMicroUsd: [50n, -80n, 10n] }],
      ["P", { markMicroUsd: 40n, riskArrayMicroUsd: [-30n, 20n, -5n] }],
    ]);
    const run = (som: bigint, c: bigint, p: bigint) =>
      computeMargin(
        optPolicy(som),
        market({ X: 0n }, quotes),
        portfolio({
          options: new Map([
            ["C", c],
            ["P", p],
          ]),
        }),
      );

    it("values the book with signed quantities and scans every scenario", () => {
      const r = run(0n, -3n, 2n);
      expect(r.options.valueMicroUsd).to.equal(-300n + 80n);
      expect(r.options.scenarioLossMicroUsd).to.deep.equal([-150n - 60n, 240n + 40n, -30n - 10n]);
      expect(r.options.scanRiskMicroUsd).to.equal(280n);
      expect(r.options.requirementMicroUsd).to.equal(280n);
      expect(r.equityMicroUsd).to.equal(-220n);
    });

    it("floors the scan risk at zero when every scenario is a gain", () => {
      const quotesGain: Market["options"] = new Map([
        ["C", { markMicroUsd: 1n, riskArrayMicroUsd: [-1n, -2n, -3n] }],
        ["P", { markMicroUsd: 1n, riskArrayMicroUsd: [0n, 0n, 0n] }],
      ]);
      const r = computeMargin(
        optPolicy(0n),
        market({ X: 0n }, quotesGain),
        portfolio({ options: new Map([["C", 5n]]) }),
      );
      expect(r.options.scanRiskMicroUsd).to.equal(0n);
      expect(r.options.requirementMicroUsd).to.equal(0n);
    });

    it("takes the short-option minimum when it exceeds the scan risk", () => {
      const r = run(100n, -3n, -2n); // 5 short contracts
      expect(r.options.shortOptionMinimumMicroUsd).to.equal(500n);
      expect(r.options.scanRiskMicroUsd).to.equal(200n); // scenario 2: 240 - 40
      expect(r.options.requirementMicroUsd).to.equal(500n);
      expect(run(10n, -3n, -2n).options.requirementMicroUsd).to.equal(200n); // SOM 50 < 200
    });

    it("counts only short contracts for the short-option minimum", () => {
      expect(run(7n, -3n, 4n).options.shortOptionMinimumMicroUsd).to.equal(21n);
      expect(run(7n, 3n, 4n).options.shortOptionMinimumMicroUsd).to.equal(0n);
    });
  });

  describe("statement", () => {
    /** Equity = `equity` µUSD (one asset at 1 µUSD per unit); a perp with requirement `req` µUSD. */
    const statement = (equity: bigint, req: bigint, minRatioPpm: bigint, bufferMicroUsd = 0n) =>
      computeMargin(
        policy({
          minRatioPpm,
          bufferMicroUsd,
          perps: [
            {
              instrument: "R-PERP",
              underlying: "R",
              sizeDecimals: 0,
              tiers: [{ upToUsd: null, ratePpm: PPM }],
            },
          ],
        }),
        market({ X: MICRO, R: MICRO }),
        portfolio({
          collateral: new Map([["X", equity]]),
          perps: new Map([["R-PERP", { size: req, entryPrice: MICRO }]]),
        }),
      );

    it("passes exactly at the requirement and fails one µUSD short", () => {
      const at = statement(1_000n, 1_000n, PPM);
      expect(at.sufficient).to.equal(true);
      expect(at.excessMicroUsd).to.equal(0n);
      expect(at.ratioPpm).to.equal(PPM);
      const short = statement(999n, 1_000n, PPM);
      expect(short.sufficient).to.equal(false);
      expect(short.excessMicroUsd).to.equal(-1n);
    });

    it("adds the buffer to the requirement", () => {
      const r = statement(1_500n, 1_000n, PPM, 500n);
      expect(r.requirementMicroUsd).to.equal(1_500n);
      expect(r.bufferMicroUsd).to.equal(500n);
      expect(r.sufficient).to.equal(true);
      expect(statement(1_500n, 1_000n, PPM, 501n).sufficient).to.equal(false);
    });

    it("scales the requirement by minRatio and rounds the scaled requirement up in the excess", () => {
      // 125 %: 1 000 µUSD needs 1 250
      expect(statement(1_250n, 1_000n, 1_250_000n).sufficient).to.equal(true);
      expect(statement(1_249n, 1_000n, 1_250_000n).sufficient).to.equal(false);
      // Req * minRatio / 1e6 = 3 * 1.5 = 4.5: needs 5 µUSD; excess rounds against the holder
      expect(statement(5n, 3n, 1_500_000n).excessMicroUsd).to.equal(0n);
      expect(statement(5n, 3n, 1_500_000n).sufficient).to.equal(true);
      expect(statement(4n, 3n, 1_500_000n).excessMicroUsd).to.equal(-1n);
      expect(statement(4n, 3n, 1_500_000n).sufficient).to.equal(false);
      // a ratio below 100 %
      expect(statement(500n, 1_000n, 500_000n).sufficient).to.equal(true);
    });

    it("reports the ratio in ppm rounded down, and null without requirement", () => {
      expect(statement(2n, 3n, PPM).ratioPpm).to.equal(666_666n);
      expect(statement(5n, 0n, PPM).ratioPpm).to.equal(null);
      expect(statement(5n, 0n, PPM).sufficient).to.equal(true);
    });

    it("handles negative equity (floor of the ratio, never sufficient)", () => {
      const r = computeMargin(
        policy({
          perps: [
            {
              instrument: "R-PERP",
              underlying: "R",
              sizeDecimals: 0,
              tiers: [{ upToUsd: null, ratePpm: 0n }],
            },
          ],
        }),
        market({ X: MICRO, R: MICRO }),
        portfolio({ perps: new Map([["R-PERP", { size: 3n, entryPrice: 2n * MICRO }]]) }),
      );
      expect(r.equityMicroUsd).to.equal(-3n);
      expect(r.requirementMicroUsd).to.equal(0n);
      expect(r.sufficient).to.equal(false);
      expect(r.ratioPpm).to.equal(null);
      const withReq = statement(0n, 3n, PPM);
      expect(withReq.ratioPpm).to.equal(0n);
    });

    it("ShortfallError states the shortfall in USD", () => {
      const error = new ShortfallError(statement(999_000n, 1_500_000n, PPM));
      expect(error.message).to.equal("margin shortfall of 0.501 USD");
    });
  });

  describe("bracketSum", () => {
    it("weights each slice by its own tier", () => {
      const brackets = [
        { upToUsd: 1n, ppm: 10n },
        { upToUsd: 2n, ppm: 20n },
        { upToUsd: null, ppm: 30n },
      ];
      expect(bracketSum(2_500_000n, brackets)).to.equal(
        10n * 1_000_000n + 20n * 1_000_000n + 30n * 500_000n,
      );
      expect(() => bracketSum(-1n, brackets)).to.throw(RangeError);
    });
  });

  describe("price unit (1e-12 USD)", () => {
    it("takes its units from its own module, and they agree with the circuit encoding's", () => {
      // The model is an independent check of the encoding: it defines its units itself
      // (prover/src/model/units.ts), so a change to one side only is caught here.
      expect(MODEL_PRICE_DECIMALS).to.equal(ENCODING_PRICE_DECIMALS);
      expect(MODEL_PPM).to.equal(MAX_PPM);
      expect(MICRO_USD_PER_USD).to.equal(10n ** BigInt(MICRO_USD_DECIMALS));
      expect(JOINT_DENOMINATOR).to.equal(
        10n ** BigInt(18 + MODEL_PRICE_DECIMALS - MICRO_USD_DECIMALS),
      );
      const modelSources = fs
        .readdirSync(MODEL_DIR)
        .map((name) => fs.readFileSync(path.join(MODEL_DIR, name), "utf8"));
      for (const source of modelSources) expect(source).not.to.match(/from "\.\.\/encoding/);
    });

    it("values a SHIB-like token exactly at a 12-decimal price", () => {
      // 80 000 000 000.5 SHIB at 0.000012345678 USD = 987 654.240006172839 USD -> floor in µUSD
      // (a 1e-8 USD price unit would have cut the price to 0.00001234: 987 200 USD)
      const p = policy({
        assets: [{ symbol: "SHIB", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
      });
      const r = computeMargin(
        p,
        market({ SHIB: 12_345_678n }),
        portfolio({ collateral: new Map([["SHIB", 80_000_000_000_500000000000000000n]]) }),
      );
      expect(r.assets[0].valueMicroUsd).to.equal(987_654_240006n);
    });

    it("marks a PEPE-like perp at a 12-decimal price: notional up, PnL down", () => {
      const p = policy({
        perps: [
          {
            instrument: "PEPE-PERP",
            underlying: "PEPE",
            sizeDecimals: 0,
            tiers: [{ upToUsd: null, ratePpm: 100_000n }],
          },
        ],
      });
      // mark 0.000000987654 USD, entry 0.000001 USD
      const line = (size: bigint) =>
        computeMargin(
          p,
          market({ X: 0n, PEPE: 987_654n }),
          portfolio({ perps: new Map([["PEPE-PERP", { size, entryPrice: 1_000_000n }]]) }),
        ).perps[0];
      // short 1e9 PEPE: notional 987.654 USD, PnL +0.000000012346 x 1e9 = 12.346 USD
      expect(line(-1_000_000_000n)).to.deep.include({
        notionalMicroUsd: 987_654_000n,
        pnlMicroUsd: 12_346_000n,
        requirementMicroUsd: 98_765_400n,
      });
      // short 3 PEPE: notional 2.962962 µUSD -> 3, PnL 0.037038 µUSD -> 0, requirement 0.3 -> 1
      expect(line(-3n)).to.deep.include({
        notionalMicroUsd: 3n,
        pnlMicroUsd: 0n,
        requirementMicroUsd: 1n,
      });
      // long 3 PEPE loses 0.037038 µUSD -> -1
      expect(line(3n).pnlMicroUsd).to.equal(-1n);
    });
  });

  describe("joint scenario scan (portfolio margin)", () => {
    /** X (18 decimals), Y (6 decimals), Z-PERP (sizeDecimals 4), option O; all tiers 100 % / 0 %. */
    const mixed = policy({
      margin: "portfolio",
      assets: [
        { symbol: "X", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] },
        { symbol: "Y", decimals: 6, tiers: [{ upToUsd: null, weightPpm: PPM }] },
      ],
      perps: [
        {
          instrument: "Z-PERP",
          underlying: "Z",
          sizeDecimals: 4,
          tiers: [{ upToUsd: null, ratePpm: 0n }],
        },
      ],
      options: [{ instrument: "O", underlying: "X" }],
    });
    // Each position loses 0.4 µUSD in "up" (gains it in "down"), 0.5 µUSD for X and Y in "exact":
    // X: 1e-12 token x 400 000 USD; Y: 1e-6 token x 0.4 USD; Z: -1e-4 unit x -0.004 USD.
    const mixedMarket = market(
      { X: 0n, Y: 0n, Z: 0n },
      new Map([["O", { markMicroUsd: 0n, riskArrayMicroUsd: [3n, -3n, 0n] }]]),
      scenarioSet(
        ["up", "down", "exact"],
        {
          X: [400_000n * USD, -400_000n * USD, 500_000n * USD],
          Y: [(4n * USD) / 10n, (-4n * USD) / 10n, USD / 2n],
        },
        { "Z-PERP": [(-4n * USD) / 1000n, (4n * USD) / 1000n, 0n] },
      ),
    );
    const mixedBook = portfolio({
      collateral: new Map([
        ["X", 1_000_000n],
        ["Y", 1n],
      ]),
      perps: new Map([["Z-PERP", { size: -1n, entryPrice: 0n }]]),
      options: new Map([["O", 2n]]),
    });

    it("sums mixed decimals exactly and rounds the sum up once", () => {
      const r = computeMargin(mixed, mixedMarket, mixedBook);
      // up: 0.4 + 0.4 + 0.4 + 2 x 3 = 7.2 -> 8 (rounding each term up would give 9)
      // down: -7.2 -> -7 (each term up: -6); exact: 0.5 + 0.5 = 1 -> 1 (each term up: 2)
      expect(r.scenarios).to.deep.equal([
        { label: "up", lossMicroUsd: 8n },
        { label: "down", lossMicroUsd: -7n },
        { label: "exact", lossMicroUsd: 1n },
      ]);
      expect(r.options.scenarioLossMicroUsd).to.deep.equal([6n, -6n, 0n]); // the book's own
      expect(r.options.requirementMicroUsd).to.equal(8n);
      expect(r.bindingScenario).to.equal(0);
    });

    it("is ceil(S_k / 10^24) with positions scaled to 1e-18 units", () => {
      // a = 1e6 x 10^0 (X), 1 x 10^12 (Y); b = -1 x 10^14 (Z); S_up = 4e23 + 4e23 + 4e23 + 6e24
      expect(JOINT_DENOMINATOR).to.equal(pow10(24));
      const sUp =
        10n ** 6n * 400_000n * USD +
        10n ** 12n * ((4n * USD) / 10n) +
        -(10n ** 14n) * ((-4n * USD) / 1000n) +
        JOINT_DENOMINATOR * 6n;
      expect(sUp).to.equal(72n * 10n ** 23n);
      expect(ceilDiv(sUp, JOINT_DENOMINATOR)).to.equal(8n);
    });

    it("refuses a round whose joint scenario set does not cover every asset and perp, naming the file and field", () => {
      const set = mixedMarket.scenarios!;
      const without = (section: "assets" | "perps", name: string): Market => {
        const arrays = new Map(set[section]);
        arrays.delete(name);
        return { ...mixedMarket, scenarios: { ...set, [section]: arrays } };
      };
      const short = new Map(set.perps);
      short.set("Z-PERP", [0n, 0n]);
      const cases: [Market, string, string][] = [
        [
          { ...mixedMarket, scenarios: null },
          "scenarios",
          'missing: the portfolio-margin policy "test" needs the round\'s joint scenario set',
        ],
        [
          without("perps", "Z-PERP"),
          "scenarios.perps.Z-PERP",
          'missing: the portfolio-margin policy\'s perp "Z-PERP" needs a risk array',
        ],
        [
          without("assets", "Y"),
          "scenarios.assets.Y",
          'missing: the portfolio-margin policy\'s asset "Y" needs a risk array',
        ],
        [
          { ...mixedMarket, scenarios: { ...set, perps: short } },
          "scenarios.perps.Z-PERP",
          "must have 3 entries, one per scenario label (got 2)",
        ],
      ];
      for (const [round, field, rule] of cases) {
        let error: unknown;
        try {
          computeMargin(mixed, round, mixedBook, "round-7.json");
        } catch (e) {
          error = e;
        }
        expect(error, field).to.be.instanceOf(InputError);
        expect((error as InputError).message).to.equal(`round-7.json: ${field}: ${rule}`);
      }
      expect(() => computeMargin(mixed, without("perps", "Z-PERP"), mixedBook)).to.throw(
        /^market\.json: scenarios\.perps\.Z-PERP: missing/,
      );
      // The same rounds serve a standard policy, which scans the option book alone.
      const standard = computeMargin({ ...mixed, margin: "standard" }, cases[0][0], mixedBook);
      expect(standard.options.requirementMicroUsd).to.equal(6n);
    });

    /** WETH (18 decimals) hedged by a short ETH-PERP; 10 % add-on, SOM 5 USD, buffer 100 USD. */
    const hedgePolicy = policy({
      margin: "portfolio",
      bufferMicroUsd: 100_000000n,
      shortOptionMinimumMicroUsd: 5_000000n,
      assets: [{ symbol: "WETH", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
      perps: [
        {
          instrument: "ETH-PERP",
          underlying: "ETH",
          sizeDecimals: 0,
          tiers: [{ upToUsd: null, ratePpm: 10_000n }],
        },
      ],
      options: [{ instrument: "C", underlying: "ETH" }],
    });
    const hedgeMarket = market(
      { WETH: 2000n * USD, ETH: 2000n * USD },
      new Map([["C", { markMicroUsd: 0n, riskArrayMicroUsd: [0n, 0n] }]]),
      scenarioSet(
        ["ETH -20%", "ETH +20%"],
        { WETH: [400n * USD, -400n * USD] },
        { "ETH-PERP": [400n * USD, -400n * USD] },
      ),
    );
    const hedged = (perp: bigint) =>
      computeMargin(
        hedgePolicy,
        hedgeMarket,
        portfolio({
          collateral: new Map([["WETH", 10n * 10n ** 18n]]),
          perps: new Map([["ETH-PERP", { size: perp, entryPrice: 2000n * USD }]]),
          options: new Map([["C", -2n]]),
        }),
      );

    it("credits a perfect hedge: only the add-on, the short-option minimum and the buffer remain", () => {
      const r = hedged(-10n);
      expect(r.scenarios.map((s) => s.lossMicroUsd)).to.deep.equal([0n, 0n]);
      expect(r.bindingScenario).to.equal(null);
      expect(r.options.requirementMicroUsd).to.equal(10_000000n); // SOM: 2 short x 5 USD
      // add-on 1 % of 20 000 USD + SOM 10 + buffer 100
      expect(r.requirementMicroUsd).to.equal(200_000000n + 10_000000n + 100_000000n);
      expect(r.equityMicroUsd).to.equal(20_000_000000n);
    });

    it("charges the unhedged collateral its scenario loss", () => {
      const r = hedged(0n);
      expect(r.scenarios.map((s) => s.lossMicroUsd)).to.deep.equal([4000_000000n, -4000_000000n]);
      expect(r.bindingScenario).to.equal(0);
      expect(r.requirementMicroUsd).to.equal(4000_000000n + 100_000000n);
      // a half hedge halves the loss
      expect(hedged(-5n).scenarios[0].lossMicroUsd).to.equal(2000_000000n);
    });

    it("charges the worst joint move, not the sum of each position's worst", () => {
      // pair trade: long 25 ETH-PERP at 2 000, short 1 BTC-PERP at 50 000 (both 50 000 USD)
      const perp = (instrument: string, underlying: string) => ({
        instrument,
        underlying,
        sizeDecimals: 0,
        tiers: [{ upToUsd: null, ratePpm: 0n }],
      });
      const p = policy({
        margin: "portfolio",
        perps: [perp("ETH-PERP", "ETH"), perp("BTC-PERP", "BTC")],
      });
      const pct = (price: bigint, percent: bigint) => (-price * percent) / 100n; // loss per unit
      const [eth, btc] = [2000n * USD, 50_000n * USD];
      const moves: [string, bigint, bigint][] = [
        ["both -10%", -10n, -10n],
        ["both +10%", 10n, 10n],
        ["ETH -10% BTC -5%", -10n, -5n],
        ["ETH +5% BTC +10%", 5n, 10n],
      ];
      const m = market(
        { X: 0n, ETH: eth, BTC: btc },
        new Map(),
        scenarioSet(
          moves.map(([label]) => label),
          { X: [0n, 0n, 0n, 0n] },
          {
            "ETH-PERP": moves.map(([, e]) => pct(eth, e)),
            "BTC-PERP": moves.map(([, , b]) => pct(btc, b)),
          },
        ),
      );
      const r = computeMargin(
        p,
        m,
        portfolio({
          perps: new Map([
            ["ETH-PERP", { size: 25n, entryPrice: eth }],
            ["BTC-PERP", { size: -1n, entryPrice: btc }],
          ]),
        }),
      );
      expect(r.scenarios.map((s) => s.lossMicroUsd)).to.deep.equal([
        0n,
        0n,
        2500_000000n,
        2500_000000n,
      ]);
      // each leg's worst (ETH -10%: 5 000, BTC +10%: 5 000) would sum to 10 000 USD
      expect(r.options.requirementMicroUsd).to.equal(2500_000000n);
      expect(r.bindingScenario).to.equal(2); // the first of two equal losses
    });
  });

  describe("binding scenario and scan risk", () => {
    const p = (som: bigint) =>
      policy({ shortOptionMinimumMicroUsd: som, options: [{ instrument: "C", underlying: "X" }] });
    const run = (som: bigint, risk: bigint[], quantity: bigint) =>
      computeMargin(
        p(som),
        market({ X: 0n }, new Map([["C", { markMicroUsd: 0n, riskArrayMicroUsd: risk }]])),
        portfolio({ options: new Map([["C", quantity]]) }),
      );

    it("names the first scenario with the largest loss", () => {
      const r = run(0n, [5n, 9n, 9n, -1n], 1n);
      expect(r.bindingScenario).to.equal(1);
      expect(r.scenarios.map((s) => s.label)).to.deep.equal(["1", "2", "3", "4"]);
    });

    it("names none when the short-option minimum is larger, and the scenario on a tie", () => {
      // short 2: losses -10, -18, -18, 2; SOM 3 x 2 = 6 > 2
      expect(run(3n, [5n, 9n, 9n, -1n], -2n)).to.deep.include({ bindingScenario: null });
      expect(run(3n, [5n, 9n, 9n, -1n], -2n).options.requirementMicroUsd).to.equal(6n);
      expect(run(1n, [5n, 9n, 9n, -1n], -2n).bindingScenario).to.equal(3); // SOM 2 = loss 2
    });

    it("names none and scans to 0 when no scenario loses", () => {
      const r = run(0n, [-5n, 0n], 1n);
      expect(r.bindingScenario).to.equal(null);
      expect(r.options.requirementMicroUsd).to.equal(0n);
    });
  });

  describe("concentration limits", () => {
    /** Assets A, B, C, D at 1 µUSD per unit, 100 % weight: haircut value = amount. */
    const groups = (
      concentration: Policy["concentration"],
      margin: Policy["margin"] = "standard",
    ) =>
      computeMargin(
        policy({
          margin,
          concentration,
          assets: ["A", "B", "C", "D"].map((symbol) => ({
            symbol,
            decimals: 0,
            tiers: [{ upToUsd: null, weightPpm: PPM }],
          })),
        }),
        market(
          { A: MICRO, B: MICRO, C: MICRO, D: MICRO },
          new Map(),
          scenarioSet(["s"], { A: [0n], B: [0n], C: [0n], D: [0n] }),
        ),
        portfolio({
          collateral: new Map([
            ["A", 600n],
            ["B", 300n],
            ["C", 101n],
            ["D", 0n],
          ]),
        }),
      );

    it("caps each group at floor(maxShare x T) and takes the excess off the equity", () => {
      const r = groups([
        { assets: ["A"], maxSharePpm: 500_000n },
        { assets: ["B", "C"], maxSharePpm: 333_333n },
      ]);
      // T = 1 001; A: cap floor(500.5) = 500; B+C: 401 against floor(333.666333) = 333
      expect(r.concentration).to.deep.equal([
        {
          assets: ["A"],
          maxSharePpm: 500_000n,
          haircutMicroUsd: 600n,
          capMicroUsd: 500n,
          creditedMicroUsd: 500n,
          excessMicroUsd: 100n,
        },
        {
          assets: ["B", "C"],
          maxSharePpm: 333_333n,
          haircutMicroUsd: 401n,
          capMicroUsd: 333n,
          creditedMicroUsd: 333n,
          excessMicroUsd: 68n,
        },
      ]);
      expect(r.equityMicroUsd).to.equal(1001n - 100n - 68n);
    });

    it("credits a group under its cap in full, and nothing at maxShare 0", () => {
      const under = groups([{ assets: ["B", "D"], maxSharePpm: 400_000n }]);
      expect(under.concentration[0]).to.deep.include({ capMicroUsd: 400n, excessMicroUsd: 0n });
      expect(under.equityMicroUsd).to.equal(1001n);
      const full = groups([{ assets: ["A", "B", "C", "D"], maxSharePpm: PPM }]);
      expect(full.concentration[0]).to.deep.include({
        creditedMicroUsd: 1001n,
        excessMicroUsd: 0n,
      });
      const none = groups([{ assets: ["C"], maxSharePpm: 0n }]);
      expect(none.concentration[0]).to.deep.include({ creditedMicroUsd: 0n, excessMicroUsd: 101n });
      expect(none.equityMicroUsd).to.equal(900n);
    });

    it("applies to both margin kinds alike", () => {
      const limits = [{ assets: ["A"], maxSharePpm: 500_000n }];
      expect(groups(limits, "portfolio").equityMicroUsd).to.equal(groups(limits).equityMicroUsd);
      expect(groups([]).concentration).to.deep.equal([]);
    });
  });

  describe("standard policies ignore asset and perp scenario arrays", () => {
    const p = policy({
      shortOptionMinimumMicroUsd: 1n,
      perps: [
        {
          instrument: "X-PERP",
          underlying: "X",
          sizeDecimals: 0,
          tiers: [{ upToUsd: null, ratePpm: 50_000n }],
        },
      ],
      options: [{ instrument: "C", underlying: "X" }],
    });
    const quotes: Market["options"] = new Map([
      ["C", { markMicroUsd: 7n, riskArrayMicroUsd: [40n, -10n] }],
    ]);
    const book = portfolio({
      collateral: new Map([["X", 1_000n]]),
      perps: new Map([["X-PERP", { size: -500n, entryPrice: MICRO }]]),
      options: new Map([["C", -3n]]),
    });

    it("gives the same figures with and without a scenario set; the set only names scenarios", () => {
      const plain = computeMargin(p, market({ X: MICRO }, quotes), book);
      const set = scenarioSet(
        ["crash", "rally"],
        { X: [10n ** 20n, -(10n ** 20n)] },
        { "X-PERP": [-(10n ** 20n), 10n ** 20n] },
      );
      const withSet = computeMargin(p, market({ X: MICRO }, quotes, set), book);
      expect(plain.scenarios).to.deep.equal([
        { label: "1", lossMicroUsd: -120n },
        { label: "2", lossMicroUsd: 30n },
      ]);
      expect(withSet.scenarios).to.deep.equal([
        { label: "crash", lossMicroUsd: -120n },
        { label: "rally", lossMicroUsd: 30n },
      ]);
      const figures = (r: MarginReport) => ({
        ...r,
        scenarios: r.scenarios.map((s) => s.lossMicroUsd),
      });
      expect(figures(withSet)).to.deep.equal(figures(plain));
      expect(plain.margin).to.equal("standard");
      expect(plain.bindingScenario).to.equal(1);
    });
  });

  describe("examples", () => {
    const load = (policyDir: string, marketDir: string, portfolioDir: string) => {
      const files = {
        policy: path.join(EXAMPLES, policyDir, "policy.json"),
        market: path.join(EXAMPLES, marketDir, "market.json"),
        portfolio: path.join(EXAMPLES, portfolioDir, "portfolio.json"),
      };
      const p = loadPolicy(files.policy);
      const m = loadMarket(files.market);
      const q = loadPortfolio(files.portfolio, p);
      checkConsistency(p, m, q, files);
      return computeMargin(p, m, q);
    };

    it("the hedged desk is short under the standard policy and sufficient under the portfolio one", () => {
      const standard = load("desk", "portfolio", "portfolio");
      const joint = load("portfolio", "portfolio", "portfolio");
      expect(standard.margin).to.equal("standard");
      expect(standard.sufficient).to.equal(false);
      expect(standard.excessMicroUsd).to.equal(-976_813_900000n);
      // standard: the 10 000 short puts are charged their crash loss 10 000 x 360.50 on their own
      expect(standard.options.requirementMicroUsd).to.equal(3_605_000_000000n);
      expect(joint.margin).to.equal("portfolio");
      expect(joint.sufficient).to.equal(true);
      expect(joint.excessMicroUsd).to.equal(1_755_095_550000n);
      // crash: WETH 1 200 x 753.1375 + USDC 1 000 000 x 0.00499975 - perp 4 200 x 753.1375
      //        + puts 10 000 x 360.50 = 903 765 + 4 999.75 - 3 163 177.50 + 3 605 000
      expect(joint.scenarios[6]).to.deep.equal({
        label: "crash: ETH -25% BTC -20%",
        lossMicroUsd: 1_350_587_250000n,
      });
      // rally: -903 765 + 3 163 177.50 - 880 000 binds
      expect(joint.bindingScenario).to.equal(7);
      expect(joint.options.requirementMicroUsd).to.equal(1_379_412_500000n);
      // WETH+wstETH: 3 542 758.80 against 75 % of T = 3 542 758.80 + 999 950 (USDC)
      expect(joint.concentration[0]).to.deep.include({
        haircutMicroUsd: 3_542_758_800000n,
        capMicroUsd: 3_407_031_600000n,
        excessMicroUsd: 135_727_200000n,
      });
      expect(joint.concentration[1]).to.deep.include({ haircutMicroUsd: 0n, excessMicroUsd: 0n });
    });

    it("a standard policy gets the same figures from the desk round with or without its scenario set", () => {
      for (const book of ["desk", "portfolio"]) {
        const plain = load("desk", "desk", book);
        const withSet = load("desk", "portfolio", book);
        expect(withSet.equityMicroUsd).to.equal(plain.equityMicroUsd);
        expect(withSet.requirementMicroUsd).to.equal(plain.requirementMicroUsd);
        expect(withSet.scenarios.map((s) => s.lossMicroUsd)).to.deep.equal(
          plain.scenarios.map((s) => s.lossMicroUsd),
        );
      }
      // the desk's figures of model v1 (examples/README.md), unchanged by the 1e-12 USD unit
      expect(load("desk", "desk", "desk").excessMicroUsd).to.equal(5_610_780_939750n);
    });
  });

  describe("formatReport", () => {
    it("prints every line, the totals and the verdict", () => {
      const r = computeMargin(
        policy({ bufferMicroUsd: 2_000_000n }),
        market({ X: MICRO }),
        portfolio({ collateral: new Map([["X", 1_500_000n]]) }),
      );
      const text = formatReport(r);
      expect(text).to.match(/^Margin report: policy test \(standard margin\), market round 1$/m);
      expect(text).to.match(/^X +1500000 +0\.000001 +1\.500000 +1\.500000$/m);
      expect(text).to.match(/^requirement \(incl\. buffer\) +2\.000000$/m);
      expect(text).to.match(/^ratio +75\.0000 %$/m);
      expect(text).to.contain("Verdict: SHORTFALL of 0.500000 USD");
      expect(text).not.to.contain("scenarios");
      expect(text).not.to.contain("Concentration");
    });

    it("prints amounts in whole tokens and sizes in units given the policy, base units without", () => {
      const files = ["policy", "market", "portfolio"].map((f) =>
        path.join(EXAMPLES, "desk", `${f}.json`),
      );
      const p = loadPolicy(files[0]);
      const report = computeMargin(p, loadMarket(files[1]), loadPortfolio(files[2], p));
      const inFileUnits = formatReport(report, p);
      expect(inFileUnits).to.match(/^asset +amount \(tokens\) +price \(USD\)/m);
      expect(inFileUnits).to.match(/^instrument +size \(units\) +entry/m);
      const weth = report.assets.find((a) => a.symbol === "WETH")!;
      const wethFile = formatUnits(
        weth.amount,
        p.assets.find((a) => a.symbol === "WETH")!.decimals,
      );
      expect(inFileUnits).to.match(new RegExp(`^WETH +${wethFile.replace(".", "\\.")} `, "m"));
      const inBaseUnits = formatReport(report);
      expect(inBaseUnits).to.match(/^asset +amount \(base units\)/m);
      expect(inBaseUnits).to.match(new RegExp(`^WETH +${weth.amount} `, "m"));
      expect(inBaseUnits).to.match(/^instrument +size \(base units\)/m);
    });

    it("prints 12-decimal prices exactly", () => {
      const p = policy({
        assets: [{ symbol: "SHIB", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
      });
      const text = formatReport(computeMargin(p, market({ SHIB: 12_345_678n }), portfolio()));
      expect(text).to.match(/^SHIB +0 +0\.000012345678 +0\.000000 +0\.000000$/m);
    });

    it("prints each joint scenario's loss, the one that binds, and each group's credit and excess", () => {
      const files = ["policy", "market", "portfolio"].map((f) =>
        path.join(EXAMPLES, "portfolio", `${f}.json`),
      );
      const p = loadPolicy(files[0]);
      const text = formatReport(computeMargin(p, loadMarket(files[1]), loadPortfolio(files[2], p)));
      expect(text).to.contain("(portfolio margin)");
      expect(text).to.contain(
        "Joint scenarios (USD, loss of every position together, positive = loss)",
      );
      expect(text).to.match(/^crash: ETH -25% BTC -20% +1350587\.250000$/m);
      expect(text).to.match(/^rally: ETH \+25% BTC \+20% +1379412\.500000 +<- binds$/m);
      expect(text).to.match(/^ETH -5% BTC -4% +4117\.500000$/m);
      expect(text.match(/<- binds/g)).to.have.length(1);
      expect(text).to.contain('scenario "rally: ETH +25% BTC +20%" binds: R = its loss');
      expect(text).to.match(
        /^WETH\+wstETH +75\.0000 % +3542758\.800000 +3407031\.600000 +3407031\.600000 +135727\.200000$/m,
      );
      expect(text).to.match(
        /^USDT +25\.0000 % +0\.000000 +1135677\.200000 +0\.000000 +0\.000000$/m,
      );
      expect(text).to.match(/^concentration excess \(taken off equity\) +135727\.200000$/m);
      expect(text).to.match(/^requirement \(joint scan risk or minimum\) +1379412\.500000$/m);
      expect(text).to.contain("Verdict: SUFFICIENT (excess 1755095.550000 USD)");
    });

    it("says when the short-option minimum sets the requirement and when nothing loses", () => {
      const p = policy({
        shortOptionMinimumMicroUsd: 10n,
        options: [{ instrument: "C", underlying: "X" }],
      });
      const text = (quantity: bigint) =>
        formatReport(
          computeMargin(
            p,
            market({ X: 0n }, new Map([["C", { markMicroUsd: 0n, riskArrayMicroUsd: [2n, -1n] }]])),
            portfolio({ options: new Map([["C", quantity]]) }),
          ),
        );
      expect(text(1n)).to.contain(
        "Option scenarios (USD, loss of the option book, positive = loss)",
      );
      expect(text(1n)).to.contain('scenario "1" binds: R = its loss');
      expect(text(-1n)).to.contain("no scenario binds: the short option minimum is larger");
      expect(text(0n)).to.contain("no scenario binds: no scenario loses");
    });
  });

  describe("properties", () => {
    const dims: InstanceDims = {
      assets: 3,
      perps: 2,
      options: 2,
      scenarios: 4,
      tiers: 3,
      groups: 2,
      joint: 1,
    };

    it("bracket sums equal the circuit's min/max-of-lines form @property", () => {
      fc.assert(
        fc.property(tripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          const report = computeMargin(p, m, q);
          report.assets.forEach((line, i) => {
            const tiers = p.assets[i].tiers;
            // H = floor(min_t (w_t * v + e_t) / 1e6), e_t += (w_{t-1} - w_t) * upTo_{t-1}
            let e = 0n;
            let minLine = tiers[0].weightPpm * line.valueMicroUsd;
            for (let t = 1; t < tiers.length; t++) {
              e +=
                (tiers[t - 1].weightPpm - tiers[t].weightPpm) *
                (tiers[t - 1].upToUsd ?? 0n) *
                MICRO;
              const lineT = tiers[t].weightPpm * line.valueMicroUsd + e;
              if (lineT < minLine) minLine = lineT;
            }
            expect(line.haircutValueMicroUsd).to.equal(minLine / PPM);
          });
          report.perps.forEach((line, j) => {
            const tiers = p.perps[j].tiers;
            // M = ceil(max_t (r_t * n - d_t) / 1e6), d_t += (r_t - r_{t-1}) * upTo_{t-1}
            let d = 0n;
            let maxLine = tiers[0].ratePpm * line.notionalMicroUsd;
            for (let t = 1; t < tiers.length; t++) {
              d += (tiers[t].ratePpm - tiers[t - 1].ratePpm) * (tiers[t - 1].upToUsd ?? 0n) * MICRO;
              const lineT = tiers[t].ratePpm * line.notionalMicroUsd - d;
              if (lineT > maxLine) maxLine = lineT;
            }
            expect(line.requirementMicroUsd).to.equal(ceilDiv(maxLine, PPM));
          });
        }),
        { seed: 42, numRuns: 300 },
      );
    });

    it("joint losses are the exact rational sum rounded up once @property", () => {
      fc.assert(
        fc.property(tripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          if (p.margin !== "portfolio" || m.scenarios === null) return;
          const report = computeMargin(p, m, q);
          // an independent common denominator: 10^(largest decimals of the book + 6)
          const top = Math.max(
            ...p.assets.map((a) => a.decimals),
            ...p.perps.map((x) => x.sizeDecimals),
          );
          const den = pow10(top + 6);
          report.scenarios.forEach(({ lossMicroUsd }, k) => {
            let num = 0n;
            for (const a of p.assets) {
              const amount = q.collateral.get(a.symbol) ?? 0n;
              num += amount * m.scenarios!.assets.get(a.symbol)![k] * pow10(top - a.decimals);
            }
            for (const x of p.perps) {
              const size = q.perps.get(x.instrument)?.size ?? 0n;
              num += size * m.scenarios!.perps.get(x.instrument)![k] * pow10(top - x.sizeDecimals);
            }
            num += report.options.scenarioLossMicroUsd[k] * den;
            // L_k is the least integer >= num / den
            expect(lossMicroUsd * den >= num && (lossMicroUsd - 1n) * den < num).to.equal(true);
          });
        }),
        { seed: 21, numRuns: 300 },
      );
    });

    it("v1 is v2 with zero asset and perp risk arrays @property", () => {
      fc.assert(
        fc.property(tripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          const standard = computeMargin({ ...p, margin: "standard" }, m, q);
          const labels = standard.scenarios.map((s) => s.label);
          // A set lists at least one scenario (a portfolio policy scans through them).
          fc.pre(labels.length > 0);
          const zeros = () => new Array<bigint>(labels.length).fill(0n);
          const zeroSet = scenarioSet(
            labels,
            Object.fromEntries(p.assets.map((a) => [a.symbol, zeros()])),
            Object.fromEntries(p.perps.map((x) => [x.instrument, zeros()])),
          );
          const portfolioKind = computeMargin(
            { ...p, margin: "portfolio" },
            { ...m, scenarios: zeroSet },
            q,
          );
          expect({ ...portfolioKind, margin: "standard" }).to.deep.equal(standard);
        }),
        { seed: 5, numRuns: 300 },
      );
    });

    it("equity nets the groups' excess, and every figure stays within the circuit widths @property", () => {
      const files = { policy: "p", market: "m", portfolio: "q" };
      fc.assert(
        fc.property(tripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          checkConsistency(p, m, q, files);
          const r = computeMargin(p, m, q);
          const total = r.assets.reduce((s, a) => s + a.haircutValueMicroUsd, 0n);
          let excess = 0n;
          for (const g of r.concentration) {
            expect(g.creditedMicroUsd + g.excessMicroUsd).to.equal(g.haircutMicroUsd);
            expect(g.creditedMicroUsd <= g.capMicroUsd && g.excessMicroUsd >= 0n).to.equal(true);
            expect(g.capMicroUsd).to.equal((g.maxSharePpm * total) / PPM);
            excess += g.excessMicroUsd;
          }
          expect(r.equityMicroUsd).to.equal(
            total +
              r.perps.reduce((s, x) => s + x.pnlMicroUsd, 0n) +
              r.options.valueMicroUsd -
              excess,
          );
          expect(r.options.requirementMicroUsd < bound(RISK_SUM_BITS)).to.equal(true);
        }),
        { seed: 9, numRuns: 300 },
      );
    });

    it("sufficient is exactly a non-negative excess @property", () => {
      fc.assert(
        fc.property(tripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          const r = computeMargin(p, m, q);
          expect(r.sufficient).to.equal(r.excessMicroUsd >= 0n);
          expect(r.sufficient).to.equal(
            r.equityMicroUsd * PPM >= r.requirementMicroUsd * r.minRatioPpm,
          );
        }),
        { seed: 7, numRuns: 300 },
      );
    });

    it("boundary generators sit exactly at, and one µUSD short of, the requirement @property", () => {
      fc.assert(
        fc.property(boundaryTripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          const r = computeMargin(p, m, q);
          expect(r.equityMicroUsd * PPM).to.equal(r.requirementMicroUsd * r.minRatioPpm);
          expect(r.sufficient).to.equal(true);
          expect(r.excessMicroUsd).to.equal(0n);
        }),
        { seed: 3, numRuns: 100 },
      );
      fc.assert(
        fc.property(oneShortTripleArb(dims), ({ policy: p, market: m, portfolio: q }) => {
          const r = computeMargin(p, m, q);
          expect(r.sufficient).to.equal(false);
          expect(r.excessMicroUsd < 0n && r.excessMicroUsd >= -2n).to.equal(true);
        }),
        { seed: 4, numRuns: 100 },
      );
    });
  });
});
