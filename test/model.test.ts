import { expect } from "chai";
import fc from "fast-check";
import { encodeCircuitInput } from "../prover/src/encoding/circuit-input";
import type { InstanceDims } from "../prover/src/encoding/instances";
import { ShortfallError } from "../prover/src/errors";
import type { Market, Policy, Portfolio } from "../prover/src/inputs/types";
import { bracketSum, ceilDiv, computeMargin, floorDiv, formatReport } from "../prover/src/model";
import { boundaryTripleArb, oneShortTripleArb, saltArb, tripleArb } from "./helpers/arbitraries";

const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const PPM = 1_000_000n;

/** A one-asset policy (decimals 0, one tier at 100 %) to which tests add what they need. */
function policy(overrides: Partial<Policy> = {}): Policy {
  return {
    id: "test",
    mode: "maintenance",
    minRatioPpm: PPM,
    bufferMicroUsd: 0n,
    shortOptionMinimumMicroUsd: 0n,
    assets: [{ symbol: "X", decimals: 0, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
    perps: [],
    options: [],
    ...overrides,
  };
}

function market(prices: Record<string, bigint>, options: Market["options"] = new Map()): Market {
  return { round: 1n, timestamp: 2n, prices: new Map(Object.entries(prices)), options };
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

describe("margin model v1", () => {
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
    it("values an asset as floor(amount * price / 10^(decimals + 2)) µUSD", () => {
      // 150.25 WETH at 3012.55 USD = 452 635.6375 USD exactly
      const p = policy({
        assets: [{ symbol: "WETH", decimals: 18, tiers: [{ upToUsd: null, weightPpm: PPM }] }],
      });
      const m = market({ WETH: 301255000000n });
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
      expect(value(1n, 99n)).to.equal(0n); // 0.99 µUSD
      expect(value(3n, 50n)).to.equal(1n); // 1.5 µUSD
      expect(value(1n, 100n)).to.equal(1n);
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
      // price 1e-8 USD x 100 = 1 µUSD per unit, so amount = value in µUSD
      const haircut = (valueMicroUsd: bigint): bigint =>
        computeMargin(
          p,
          market({ X: 100n }),
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
        market({ X: 100n }),
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

    it("marks a perp at its underlying's price and rounds the notional up", () => {
      const line = run(perpPolicy(flat(0n)), 150n, 3n, 150n);
      expect(line.mark).to.equal(150n);
      expect(line.notionalMicroUsd).to.equal(5n); // 4.5 µUSD -> 5
      expect(run(perpPolicy(flat(0n)), 150n, -3n, 150n).notionalMicroUsd).to.equal(5n);
      expect(run(perpPolicy(flat(0n)), 1n, 1n, 0n).notionalMicroUsd).to.equal(1n); // 0.01 -> 1
    });

    it("rounds PnL down for longs and shorts (towards minus infinity)", () => {
      expect(run(perpPolicy(flat(0n)), 150n, 3n, 100n).pnlMicroUsd).to.equal(1n); // +1.5
      expect(run(perpPolicy(flat(0n)), 150n, -3n, 100n).pnlMicroUsd).to.equal(-2n); // -1.5
      expect(run(perpPolicy(flat(0n)), 100n, 3n, 150n).pnlMicroUsd).to.equal(-2n); // long loses
      expect(run(perpPolicy(flat(0n)), 100n, -3n, 150n).pnlMicroUsd).to.equal(1n); // short gains
      expect(run(perpPolicy(flat(0n)), 100n, -4n, 150n).pnlMicroUsd).to.equal(2n); // exact
    });

    it("scales sizes by sizeDecimals", () => {
      // short 200 ETH (sizeDecimals 4) at mark 3012.55, entry 3150: +27 490 USD
      const line = run(perpPolicy(flat(20_000n), 4), 301255000000n, -2_000_000n, 315000000000n);
      expect(line.notionalMicroUsd).to.equal(602_510_000000n);
      expect(line.pnlMicroUsd).to.equal(27_490_000000n);
      expect(line.requirementMicroUsd).to.equal(12_050_200000n);
    });

    it("applies rate brackets and rounds the requirement up at tier boundaries", () => {
      const p = perpPolicy([
        { upToUsd: 1n, ratePpm: 20_000n },
        { upToUsd: null, ratePpm: 50_000n },
      ]);
      // price 100 = 1 µUSD per unit: notional = size in µUSD
      expect(run(p, 100n, 1_000_000n, 100n).requirementMicroUsd).to.equal(20_000n);
      expect(run(p, 100n, 1_000_001n, 100n).requirementMicroUsd).to.equal(20_001n); // +0.05 -> up
      expect(run(p, 100n, -1_000_020n, 100n).requirementMicroUsd).to.equal(20_001n); // exactly +1
      expect(run(p, 100n, 1n, 100n).requirementMicroUsd).to.equal(1n); // 0.02 -> 1
      expect(run(p, 100n, 0n, 100n).requirementMicroUsd).to.equal(0n);
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
        market({ X: 100n, R: 100n }),
        portfolio({
          collateral: new Map([["X", equity]]),
          perps: new Map([["R-PERP", { size: req, entryPrice: 100n }]]),
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
        market({ X: 100n, R: 100n }),
        portfolio({ perps: new Map([["R-PERP", { size: 3n, entryPrice: 200n }]]) }),
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

  describe("formatReport", () => {
    it("prints every line, the totals and the verdict", () => {
      const r = computeMargin(
        policy({ bufferMicroUsd: 2_000_000n }),
        market({ X: 100n }),
        portfolio({ collateral: new Map([["X", 1_500_000n]]) }),
      );
      const text = formatReport(r);
      expect(text).to.match(/^X +1500000 +0\.000001 +1\.500000 +1\.500000$/m);
      expect(text).to.match(/^requirement \(incl\. buffer\) +2\.000000$/m);
      expect(text).to.match(/^ratio +75\.0000 %$/m);
      expect(text).to.contain("Verdict: SHORTFALL of 0.500000 USD");
    });
  });

  describe("against the circuit's min/max-of-lines form", () => {
    const dims: InstanceDims = { assets: 3, perps: 2, options: 2, scenarios: 4, tiers: 3 };

    it("bracket sums equal the tier-line form on the encoded signals @property", () => {
      fc.assert(
        fc.property(tripleArb(dims), saltArb, ({ policy: p, market: m, portfolio: q }, salt) => {
          const report = computeMargin(p, m, q);
          const input = encodeCircuitInput({
            policy: p,
            market: m,
            portfolio: q,
            salt,
            nonce: 0n,
            instance: dims,
          });
          report.assets.forEach((line, i) => {
            const w = input.assetWeight[i];
            const u = input.assetUpTo[i].map((x) => x * PPM);
            let e = 0n;
            let minLine = w[0] * line.valueMicroUsd;
            for (let t = 1; t < dims.tiers; t++) {
              e += (w[t - 1] - w[t]) * u[t - 1];
              const lineT = w[t] * line.valueMicroUsd + e;
              if (lineT < minLine) minLine = lineT;
            }
            expect(line.haircutValueMicroUsd).to.equal(minLine / PPM);
          });
          report.perps.forEach((line, j) => {
            const r = input.perpRate[j];
            const u = input.perpUpTo[j].map((x) => x * PPM);
            let d = 0n;
            let maxLine = r[0] * line.notionalMicroUsd;
            for (let t = 1; t < dims.tiers; t++) {
              d += (r[t] - r[t - 1]) * u[t - 1];
              const lineT = r[t] * line.notionalMicroUsd - d;
              if (lineT > maxLine) maxLine = lineT;
            }
            expect(line.requirementMicroUsd).to.equal(ceilDiv(maxLine, PPM));
          });
        }),
        { seed: 42, numRuns: 300 },
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
