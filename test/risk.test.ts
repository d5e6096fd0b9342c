/**
 * The scenario generator's maths and output (prover/src/risk): the normal CDF, Brent's method,
 * Black-76 against published reference prices, implied volatility, option names, the history CSV,
 * EWMA volatility and correlation (hand-computed, and on seeded series with a set volatility and
 * correlation), PCA of known matrices, and the generated scenario set on the desk round: shape,
 * decimals, rounding up, signs, hedges, and refusals naming the file, the place and the rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import { Matrix, solve } from "ml-matrix";
import { formatUnits, tryParseDecimal } from "../prover/src/decimal";
import { InputError } from "../prover/src/errors";
import { fits, loadInstances, requiredDims } from "../prover/src/encoding/instances";
import { PRICE_DECIMALS } from "../prover/src/encoding/widths";
import {
  checkConsistency,
  loadMarket,
  loadPolicy,
  loadPortfolio,
  parseMarket,
  parsePolicy,
  type Market,
  type Policy,
} from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { black76Price, impliedVolatility, noArbitrageBounds } from "../prover/src/risk/black76";
import { ewmaEstimate, logReturns, minimumReturns } from "../prover/src/risk/ewma";
import { generateScenarios } from "../prover/src/risk/generate";
import { loadHistory, parseHistory, type PriceHistory } from "../prover/src/risk/history";
import { loadMarketInput, parseMarketInput } from "../prover/src/risk/market-input";
import { normalCdf } from "../prover/src/risk/normal";
import { parseOptionSeries } from "../prover/src/risk/option-series";
import { principalComponents } from "../prover/src/risk/pca";
import { linearLosses, shiftedVol } from "../prover/src/risk/revalue";
import { brentRoot, NoBracketError } from "../prover/src/risk/root-finding";
import { scenarioRound, scenariosJson, withScenarios } from "../prover/src/risk/serialize";
import {
  correlatedReturns,
  seededUniforms,
  syntheticHistoryCsv,
} from "../prover/src/risk/synthetic";
import type { GeneratedScenarioSet, RoundQuotes, ScenarioOptions } from "../prover/src/risk/types";
import { DESK_HISTORY, DESK_HISTORY_SPEC } from "../scripts/desk-history";
import { buildScratchDir } from "./helpers/scratch";

const DESK = path.resolve(__dirname, "..", "examples", "desk");
const PORTFOLIO = path.resolve(__dirname, "..", "examples", "portfolio");
const DESK_PROXIES = new Map([
  ["WETH", "ETH"],
  ["WBTC", "BTC"],
  ["wstETH", "ETH"],
]);

/** The error `run` throws, which must be an InputError naming `file` and `where`, rule matching. */
function expectInputError(run: () => unknown, file: string, where: string, rule: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected an InputError").to.be.instanceOf(InputError);
  const error = caught as InputError;
  expect(error.file, error.message).to.equal(file);
  expect(error.path, error.message).to.equal(where);
  expect(error.rule, error.message).to.match(rule);
}

/** The desk round and policy as JSON, for mutation. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
function deskJson(name: "market" | "policy"): Json {
  return JSON.parse(fs.readFileSync(path.join(DESK, `${name}.json`), "utf8")) as Json;
}

describe("risk: the standard normal CDF", function () {
  // Φ(x) = erfc(-x/√2)/2, to double precision (standard tables give the leading digits).
  const VALUES: [number, number][] = [
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [-1.96, 0.024997895148220435],
    [2, 0.9772498680518208],
    [-3, 0.0013498980316300957],
    [6, 0.9999999990134123],
  ];
  for (const [x, phi] of VALUES) {
    it(`Φ(${x}) = ${phi}`, () => expect(normalCdf(x)).to.be.closeTo(phi, 1e-14));
  }

  it("keeps relative precision in the far tail", () => {
    expect(normalCdf(-5) / 2.866515718791946e-7 - 1).to.be.within(-1e-9, 1e-9);
    expect(normalCdf(-8) / 6.220960574271819e-16 - 1).to.be.within(-1e-8, 1e-8);
    expect(normalCdf(-10) / 7.619853024160593e-24 - 1).to.be.within(-1e-8, 1e-8);
    expect(normalCdf(-40)).to.equal(0);
    expect(normalCdf(40)).to.equal(1);
  });

  it("is symmetric: Φ(x) + Φ(-x) = 1 @property", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).to.be.closeTo(1, 1e-15);
      }),
    );
  });
});

describe("risk: Brent's bracketed root finding", function () {
  it("finds √2 and the Dottie number", () => {
    expect(brentRoot((x) => x * x - 2, 0, 2)).to.be.closeTo(Math.SQRT2, 1e-12);
    expect(brentRoot((x) => Math.cos(x) - x, 0, 1)).to.be.closeTo(0.7390851332151607, 1e-12);
  });

  it("returns an end point that is a root, and refuses an interval without a sign change", () => {
    expect(brentRoot((x) => x - 1, 1, 3)).to.equal(1);
    expect(() => brentRoot((x) => x * x + 1, -1, 1)).to.throw(NoBracketError);
  });

  it("converges on a step function's jump (bisection fallback)", () => {
    const root = brentRoot((x) => (x < 0.3 ? -1 : 1), 0, 1, { tolerance: 1e-10 });
    expect(root).to.be.closeTo(0.3, 1e-9);
  });
});

describe("risk: Black-76", function () {
  it("Haug's example: F = K = 19, T = 0.75, r = 10 %, σ = 28 %: put = call = 1.7011", () => {
    const base = { forward: 19, strike: 19, years: 0.75, rate: 0.1 };
    expect(black76Price({ ...base, kind: "put" }, 0.28).toFixed(4)).to.equal("1.7011");
    expect(black76Price({ ...base, kind: "call" }, 0.28).toFixed(4)).to.equal("1.7011");
  });

  it("Hull's futures option: F = K = 20, T = 4 months, r = 9 %, σ = 25 %: put = 1.12", () => {
    const put = black76Price(
      { kind: "put", forward: 20, strike: 20, years: 4 / 12, rate: 0.09 },
      0.25,
    );
    expect(put.toFixed(2)).to.equal("1.12");
  });

  it("equals Black-Scholes with F = S e^(rT): Hull's S = 42, K = 40, r = 10 %, σ = 20 %, T = 0.5: c = 4.76, p = 0.81", () => {
    const base = { forward: 42 * Math.exp(0.1 * 0.5), strike: 40, years: 0.5, rate: 0.1 };
    expect(black76Price({ ...base, kind: "call" }, 0.2).toFixed(2)).to.equal("4.76");
    expect(black76Price({ ...base, kind: "put" }, 0.2).toFixed(2)).to.equal("0.81");
  });

  it("backs out Hull's implied volatility: c = 1.875, S = 21, K = 20, r = 10 %, T = 0.25: 23.5 %", () => {
    const inputs = {
      kind: "call" as const,
      forward: 21 * Math.exp(0.025),
      strike: 20,
      years: 0.25,
      rate: 0.1,
    };
    const iv = impliedVolatility(inputs, 1.875);
    expect(iv.ok).to.equal(true);
    if (iv.ok) expect(iv.vol.toFixed(3)).to.equal("0.235");
  });

  it("is the discounted intrinsic value at zero volatility or zero time", () => {
    expect(
      black76Price({ kind: "call", forward: 110, strike: 100, years: 1, rate: 0.05 }, 0),
    ).to.be.closeTo(10 * Math.exp(-0.05), 1e-12);
    expect(
      black76Price({ kind: "put", forward: 90, strike: 100, years: 0, rate: 0.05 }, 0.5),
    ).to.equal(10);
    expect(
      black76Price({ kind: "call", forward: 90, strike: 100, years: 0, rate: 0.05 }, 0.5),
    ).to.equal(0);
  });

  const optionArb = fc.record({
    forward: fc.double({ min: 1, max: 200_000, noNaN: true }),
    moneyness: fc.double({ min: 0.5, max: 2, noNaN: true }),
    years: fc.double({ min: 0.01, max: 3, noNaN: true }),
    rate: fc.double({ min: -0.02, max: 0.1, noNaN: true }),
    vol: fc.double({ min: 0.05, max: 3, noNaN: true }),
  });

  it("satisfies put-call parity: c - p = e^(-rT) (F - K) @property", () => {
    fc.assert(
      fc.property(optionArb, ({ forward, moneyness, years, rate, vol }) => {
        const base = { forward, strike: forward * moneyness, years, rate };
        const c = black76Price({ ...base, kind: "call" }, vol);
        const p = black76Price({ ...base, kind: "put" }, vol);
        const parity = Math.exp(-rate * years) * (forward - base.strike);
        expect(c - p).to.be.closeTo(parity, 1e-9 * forward);
      }),
    );
  });

  it("recovers the volatility a price was made with @property", () => {
    fc.assert(
      fc.property(optionArb, fc.boolean(), ({ forward, moneyness, years, rate, vol }, call) => {
        const inputs = {
          kind: call ? ("call" as const) : ("put" as const),
          forward,
          strike: forward * moneyness,
          years,
          rate,
        };
        const price = black76Price(inputs, vol);
        const { lower } = noArbitrageBounds(inputs);
        // Deep in or out of the money the price carries no information about σ (vega ~ 0).
        fc.pre(price - lower > 1e-7 * forward);
        const iv = impliedVolatility(inputs, price);
        expect(iv.ok).to.equal(true);
        if (iv.ok) expect(black76Price(inputs, iv.vol)).to.be.closeTo(price, 1e-9 * forward);
      }),
    );
  });

  it("refuses a price outside the no-arbitrage bounds or past 1000 % volatility", () => {
    const call = { kind: "call" as const, forward: 110, strike: 100, years: 0.5, rate: 0.05 };
    const { lower, upper } = noArbitrageBounds(call);
    expect(lower).to.be.closeTo(10 * Math.exp(-0.025), 1e-12);
    expect(upper).to.be.closeTo(110 * Math.exp(-0.025), 1e-12);
    expect(impliedVolatility(call, lower)).to.deep.include({
      ok: false,
      reason: "below-lower-bound",
    });
    expect(impliedVolatility(call, 5)).to.deep.include({ ok: false, reason: "below-lower-bound" });
    expect(impliedVolatility(call, upper)).to.deep.include({
      ok: false,
      reason: "above-upper-bound",
    });
    const put = { kind: "put" as const, forward: 100, strike: 100, years: 0.01, rate: 0 };
    expect(impliedVolatility(put, 99)).to.deep.include({ ok: false, reason: "above-max-vol" });
  });
});

describe("risk: option series names (Deribit convention)", function () {
  it("parses underlying, expiry at 08:00 UTC, strike and kind", () => {
    const call = parseOptionSeries("ETH-26DEC26-3200-C");
    expect(call).to.deep.equal({
      ok: true,
      series: {
        instrument: "ETH-26DEC26-3200-C",
        underlying: "ETH",
        expiry: Date.UTC(2026, 11, 26, 8) / 1000,
        strike: 3200,
        kind: "call",
      },
    });
    const put = parseOptionSeries("XRP_USDC-7MAR25-0d625-P");
    expect(put.ok && put.series).to.deep.include({
      underlying: "XRP_USDC",
      strike: 0.625,
      kind: "put",
    });
    expect(put.ok && put.series.expiry).to.equal(Date.UTC(2025, 2, 7, 8) / 1000);
  });

  for (const [name, rule] of [
    ["ETH-PERP", /Deribit/],
    ["ETH-26DEC26-3200", /Deribit/],
    ["ETH-26Dec26-3200-C", /Deribit/],
    ["ETH-26DEC2026-3200-C", /Deribit/],
    ["ETH-26DEC26-03200-C", /Deribit/],
    ["ETH-26DEC26-3200-X", /Deribit/],
    ["ETH-31FEB26-3200-C", /does not exist/],
    ["ETH-0JAN26-3200-C", /does not exist/],
    ["ETH-26DEC26-0-C", /greater than 0/],
  ] as const) {
    it(`refuses ${name}`, () => {
      const parsed = parseOptionSeries(name);
      expect(parsed.ok).to.equal(false);
      if (!parsed.ok) expect(parsed.rule).to.match(rule);
    });
  }
});

describe("risk: the price-history CSV", function () {
  const GOOD =
    "# comment\ndate,ETH,BTC\n2025-01-01,3000,90000.5\n\n2025-01-02,3100.25,91000\n2025-01-03,2990,89000\n";

  it("reads dates, prices, comments and blank lines", () => {
    const h = parseHistory(GOOD, "h.csv");
    expect(h.timeColumn).to.equal("date");
    expect(h.symbols).to.deep.equal(["ETH", "BTC"]);
    expect(h.times).to.deep.equal([1735689600, 1735776000, 1735862400]);
    expect(h.lines).to.deep.equal([3, 5, 6]);
    expect(h.stepSeconds).to.equal(86_400);
    expect(h.prices.get("ETH")).to.deep.equal([3000, 3100.25, 2990]);
  });

  it("reads Unix timestamps at any constant step", () => {
    const h = parseHistory("timestamp,ETH\n3600,1\n7200,2\n10800,3\n", "h.csv");
    expect(h.stepSeconds).to.equal(3600);
    expect(h.times).to.deep.equal([3600, 7200, 10800]);
  });

  const BAD: [string, string, string, RegExp][] = [
    ["empty file", "", "$", /empty/],
    ["no price row after the header", "date,ETH\n2025-01-01,1\n", "$", /two price rows/],
    ["a first column that is not a time", "day,ETH\n", "line 1, column 1", /"date".*"timestamp"/],
    ["no price column", "date\n2025-01-01\n", "line 1", /at least one price column/],
    ["a duplicate column", "date,ETH,ETH\n", "line 1, column 3", /duplicate column ETH/],
    ["a bad symbol", "date,ETH USD\n", "line 1, column 2", /symbol must be/],
    [
      "a short row",
      "date,ETH,BTC\n2025-01-01,1,2\n2025-01-02,1\n",
      "line 3",
      /Invalid Record Length/,
    ],
    ["an unclosed quote", 'date,ETH\n2025-01-01,"1\n', "line 2", /Quote Not Closed/],
    ["a bad date", "date,ETH\n2025-1-01,1\n", "line 2, column date", /YYYY-MM-DD/],
    [
      "a date that does not exist",
      "date,ETH\n2025-02-30,1\n",
      "line 2, column date",
      /calendar date/,
    ],
    [
      "a gap",
      "date,ETH\n2025-01-01,1\n2025-01-03,1\n",
      "line 3, column date",
      /must be 2025-01-02.*no gaps/,
    ],
    [
      "dates going back",
      "date,ETH\n2025-01-02,1\n2025-01-01,1\n",
      "line 3, column date",
      /later than/,
    ],
    [
      "a changing step",
      "timestamp,ETH\n0,1\n60,1\n180,1\n",
      "line 4, column timestamp",
      /must be 120/,
    ],
    [
      "a fractional timestamp",
      "timestamp,ETH\n1.5,1\n",
      "line 2, column timestamp",
      /Unix seconds/,
    ],
    ["a zero price", "date,ETH\n2025-01-01,0\n", "line 2, column ETH", /greater than 0/],
    ["a negative price", "date,ETH\n2025-01-01,-1\n", "line 2, column ETH", /negative/],
    ["an exponent", "date,ETH\n2025-01-01,1e3\n", "line 2, column ETH", /exponent/],
    ["an empty cell", "date,ETH,BTC\n2025-01-01,,1\n", "line 2, column ETH", /plain decimal/],
    [
      "19 decimals",
      "date,ETH\n2025-01-01,1.0000000000000000001\n",
      "line 2, column ETH",
      /18 decimal places/,
    ],
  ];
  for (const [name, text, where, rule] of BAD) {
    it(`refuses ${name} (${where})`, () =>
      expectInputError(() => parseHistory(text, "h.csv"), "h.csv", where, rule));
  }

  it("names a missing file", () => {
    expectInputError(
      () => loadHistory("no/such/history.csv"),
      "no/such/history.csv",
      "$",
      /not found/,
    );
  });
});

describe("risk: EWMA volatility and correlation", function () {
  it("matches a hand computation (λ = 0.5, three returns: weights 1/7, 2/7, 4/7)", () => {
    const returns = [
      [0.01, 0.02],
      [-0.02, 0.01],
      [0.03, -0.01],
    ];
    const e = ewmaEstimate(returns, 0.5);
    expect(e.covariance[0][0]).to.be.closeTo(0.0045 / 7, 1e-18);
    expect(e.covariance[1][1]).to.be.closeTo(0.001 / 7, 1e-18);
    expect(e.covariance[0][1]).to.be.closeTo(-0.0014 / 7, 1e-18);
    expect(e.covariance[1][0]).to.equal(e.covariance[0][1]);
    expect(e.sigma[0]).to.be.closeTo(Math.sqrt(0.0045 / 7), 1e-15);
    expect(e.correlation[0][1]).to.be.closeTo(-0.0014 / Math.sqrt(0.0045 * 0.001), 1e-12);
    expect(e.correlation[0][0]).to.equal(1);
  });

  it("log returns are ln(P_t / P_t-1)", () => {
    expect(logReturns([[100, 110, 99]])).to.deep.equal([[Math.log(1.1)], [Math.log(0.9)]]);
  });

  it("needs 75 returns for λ = 0.94 (λ^N <= 1 %)", () => {
    expect(minimumReturns(0.94)).to.equal(75);
    expect(minimumReturns(0.97)).to.equal(152);
    expect(Math.pow(0.94, 75)).to.be.at.most(0.01);
    expect(Math.pow(0.94, 74)).to.be.above(0.01);
  });

  it("weighs each older return λ times the next: a zero return scales Σ by λ (1 - λ^N) / (1 - λ^(N+1)) @property", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -0.2, max: 0.2, noNaN: true }),
            fc.double({ min: -0.2, max: 0.2, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        (rows, lambda) => {
          const n = rows.length;
          const before = ewmaEstimate(rows, lambda).covariance;
          const after = ewmaEstimate([...rows, [0, 0]], lambda).covariance;
          const scale = (lambda * (1 - Math.pow(lambda, n))) / (1 - Math.pow(lambda, n + 1));
          for (const [i, j] of [
            [0, 0],
            [0, 1],
            [1, 1],
          ]) {
            expect(after[i][j]).to.be.closeTo(before[i][j] * scale, 1e-15);
          }
        },
      ),
    );
  });

  it("a constant series has σ = 0 and correlation 0 with the others", () => {
    const e = ewmaEstimate(
      logReturns([
        [1, 2, 1.5, 1.8],
        [5, 5, 5, 5],
      ]),
      0.94,
    );
    expect(e.sigma[1]).to.equal(0);
    expect(e.correlation[0][1]).to.equal(0);
    expect(e.correlation[1][1]).to.equal(1);
  });

  it("recovers a set volatility and correlation from seeded series (λ = 0.94, mean of 200 estimates)", () => {
    const sigma = [0.03, 0.02, 0.01];
    const correlation = [
      [1, 0.7, -0.3],
      [0.7, 1, 0.2],
      [-0.3, 0.2, 1],
    ];
    const runs = 200;
    const variance = [0, 0, 0];
    const rho = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (let run = 0; run < runs; run++) {
      const returns = correlatedReturns({ seed: `ewma ${run}`, sigma, correlation, steps: 250 });
      const e = ewmaEstimate(returns, 0.94);
      for (let i = 0; i < 3; i++) {
        variance[i] += e.covariance[i][i] / runs;
        for (let j = 0; j < 3; j++) rho[i][j] += e.correlation[i][j] / runs;
      }
    }
    // The EWMA variance is unbiased for zero-mean returns; one estimate has about 25 % relative
    // error at λ = 0.94, so the mean of 200 is within 6 % (3 standard errors).
    for (let i = 0; i < 3; i++) expect(variance[i] / sigma[i] ** 2).to.be.within(0.94, 1.06);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) expect(rho[i][j]).to.be.closeTo(correlation[i][j], 0.05);
    }
  });
});

describe("risk: principal components", function () {
  it("of the tridiagonal [[2,1,0],[1,2,1],[0,1,2]]: 2 + √2, 2, 2 - √2", () => {
    const pcs = principalComponents([
      [2, 1, 0],
      [1, 2, 1],
      [0, 1, 2],
    ]);
    expect(pcs.map((p) => p.eigenvalue)).to.have.length(3);
    expect(pcs[0].eigenvalue).to.be.closeTo(2 + Math.SQRT2, 1e-12);
    expect(pcs[1].eigenvalue).to.be.closeTo(2, 1e-12);
    expect(pcs[2].eigenvalue).to.be.closeTo(2 - Math.SQRT2, 1e-12);
    const expected = [
      [0.5, Math.SQRT1_2, 0.5],
      [Math.SQRT1_2, 0, -Math.SQRT1_2],
      [0.5, -Math.SQRT1_2, 0.5],
    ];
    pcs.forEach((pc, k) => {
      const sign = k === 1 ? Math.sign(pc.vector[0]) : 1; // PC2 sums to 0: its largest entry is positive
      pc.vector.forEach((v, i) => expect(v * sign).to.be.closeTo(expected[k][i], 1e-12));
    });
    expect(pcs[0].vector.reduce((s, x) => s + x, 0)).to.be.above(0);
  });

  it("of an equicorrelation matrix: 1 + 2ρ once and 1 - ρ twice, orthonormal, rebuilding the matrix", () => {
    const rho = 0.6;
    const c = [
      [1, rho, rho],
      [rho, 1, rho],
      [rho, rho, 1],
    ];
    const pcs = principalComponents(c);
    expect(pcs[0].eigenvalue).to.be.closeTo(1 + 2 * rho, 1e-12);
    expect(pcs[1].eigenvalue).to.be.closeTo(1 - rho, 1e-12);
    expect(pcs[2].eigenvalue).to.be.closeTo(1 - rho, 1e-12);
    pcs[0].vector.forEach((v) => expect(v).to.be.closeTo(1 / Math.sqrt(3), 1e-12));
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const dot = pcs[a].vector.reduce((s, x, i) => s + x * pcs[b].vector[i], 0);
        expect(dot).to.be.closeTo(a === b ? 1 : 0, 1e-12);
        const rebuilt = pcs.reduce((s, pc) => s + pc.eigenvalue * pc.vector[a] * pc.vector[b], 0);
        expect(rebuilt).to.be.closeTo(c[a][b], 1e-12);
      }
    }
  });
});

/** The desk round's inputs. */
interface Desk {
  history: PriceHistory;
  market: RoundQuotes;
  policy: Policy;
  marketJson: Json;
}

function desk(): Desk {
  const { json, round } = loadMarketInput(path.join(DESK, "market.json"));
  return {
    history: loadHistory(DESK_HISTORY),
    market: round,
    policy: loadPolicy(path.join(DESK, "policy.json")),
    marketJson: json,
  };
}

function deskSet(options: Partial<ScenarioOptions> = {}): GeneratedScenarioSet {
  const d = desk();
  return generateScenarios(d.history, d.market, d.policy, { proxies: DESK_PROXIES, ...options });
}

describe("risk: the desk's joint scenario set", function () {
  let d: Desk;
  let set: GeneratedScenarioSet;
  before(() => {
    d = desk();
    set = generateScenarios(d.history, d.market, d.policy, { proxies: DESK_PROXIES });
  });

  it("has K = 2 x 3 components + 2 x 5 factors scenarios, labelled in order", () => {
    expect(set.factors.map((f) => f.symbol)).to.deep.equal(["ETH", "BTC", "USDC", "USDT", "BUIDL"]);
    expect(set.scenarios.map((s) => s.label)).to.deep.equal([
      "PC1-up",
      "PC1-down",
      "PC2-up",
      "PC2-down",
      "PC3-up",
      "PC3-down",
      "ETH-up",
      "ETH-down",
      "BTC-up",
      "BTC-down",
      "USDC-up",
      "USDC-down",
      "USDT-up",
      "USDT-down",
      "BUIDL-up",
      "BUIDL-down",
    ]);
  });

  it("writes market.json's format: K entries everywhere, at most 8 / 6 decimals, other keys kept", () => {
    const out = withScenarios(d.marketJson, set) as Json;
    const k = out.scenarios.labels.length;
    expect(k).to.equal(16);
    expect(Object.keys(out)).to.deep.equal([
      "round",
      "timestamp",
      "prices",
      "options",
      "scenarios",
    ]);
    expect(out.prices).to.deep.equal(d.marketJson.prices);
    expect(Object.keys(out.scenarios.assets)).to.deep.equal(d.policy.assets.map((a) => a.symbol));
    expect(Object.keys(out.scenarios.perps)).to.deep.equal(d.policy.perps.map((p) => p.instrument));
    for (const entries of [
      ...Object.values(out.scenarios.assets),
      ...Object.values(out.scenarios.perps),
    ] as string[][]) {
      expect(entries).to.have.length(k);
      for (const e of entries) expect(tryParseDecimal(e, 8, { signed: true }).ok, e).to.equal(true);
    }
    for (const [name, quote] of Object.entries(out.options) as [string, Json][]) {
      expect(quote.mark).to.equal(d.marketJson.options[name].mark);
      expect(quote.riskArray).to.have.length(k);
      for (const e of quote.riskArray as string[])
        expect(tryParseDecimal(e, 6, { signed: true }).ok, e).to.equal(true);
    }
    // The market parser reads the file whole: the set's values come back exactly.
    const parsed = parseMarket(out, "out.json");
    expect(parsed.scenarios!.labels).to.deep.equal(set.scenarios.map((s) => s.label));
    expect(parsed.scenarios!.assets).to.deep.equal(set.assets);
    expect(parsed.scenarios!.perps).to.deep.equal(set.perps);
    for (const [name, risk] of set.optionRisks) {
      expect(parsed.options.get(name)!.riskArrayMicroUsd).to.deep.equal(risk.riskArrayMicroUsd);
    }
    expect(scenarioRound(d.marketJson, set, "out.json")).to.deep.equal({
      json: out,
      market: parsed,
    });
  });

  it("rounds every loss up to 1e-8 USD: the entry is the exact loss or less than 1e-8 USD above", () => {
    const grid = 10 ** (PRICE_DECIMALS - 8); // entries are in 1e-12 USD on a 1e-8 USD grid
    set.scenarios.forEach((scenario, k) => {
      for (const asset of d.policy.assets) {
        const factor = set.factors.findIndex(
          (f) => f.symbol === (DESK_PROXIES.get(asset.symbol) ?? asset.symbol),
        );
        const price = Number(d.market.prices.get(asset.symbol)!); // 1e-12 USD
        const exact = -price * Math.expm1(scenario.moves[factor]);
        const entry = set.assets.get(asset.symbol)![k];
        expect(entry % BigInt(grid), `${asset.symbol} ${scenario.label}`).to.equal(0n);
        expect((Number(entry) - exact) / grid, `${asset.symbol} ${scenario.label}`).to.be.within(
          -1e-6,
          1 + 1e-6,
        );
      }
    });
    // In USD: WETH at 3012.55 falling by ETH's whole scan range.
    const down = set.scenarios.findIndex((s) => s.label === "ETH-down");
    const usd = Number(set.assets.get("WETH")![down]) / 1e12;
    expect(usd).to.be.closeTo(-3012.55 * Math.expm1(-set.factors[0].scanRange), 1e-8);
  });

  it("a long holding loses when its factor falls and gains when it rises", () => {
    const label = (l: string): number => set.scenarios.findIndex((s) => s.label === l);
    for (const [symbol, factor] of [
      ["WETH", "ETH"],
      ["WBTC", "BTC"],
      ["USDC", "USDC"],
    ]) {
      expect(set.assets.get(symbol)![label(`${factor}-down`)] > 0n, symbol).to.equal(true);
      expect(set.assets.get(symbol)![label(`${factor}-up`)] < 0n, symbol).to.equal(true);
    }
    const call = set.optionRisks.get("ETH-26JUN26-3000-C")!.riskArrayMicroUsd;
    const put = set.optionRisks.get("ETH-26JUN26-2600-P")!.riskArrayMicroUsd;
    expect(call[label("ETH-down")] > 0n && call[label("ETH-up")] < 0n).to.equal(true);
    expect(put[label("ETH-up")] > 0n && put[label("ETH-down")] < 0n).to.equal(true);
    // Where ETH does not move, a long option only loses its time value over the horizon.
    expect(
      call[label("BTC-up")] > 0n && call[label("BTC-up")] === call[label("BTC-down")],
    ).to.equal(true);
  });

  it("credits a hedge: long WETH against short ETH-PERP loses nothing in any scenario", () => {
    const weth = set.assets.get("WETH")!;
    const perp = set.perps.get("ETH-PERP")!;
    weth.forEach((loss, k) => expect(loss - perp[k]).to.equal(0n));
    expect(set.perps.get("BTC-PERP")).to.deep.equal(set.assets.get("WBTC"));
  });

  it("moves correlated factors together along PC1, each within its scan range", () => {
    const pc1 = set.scenarios[0].moves;
    expect(pc1[0]).to.be.above(0);
    expect(pc1[1]).to.be.above(0);
    for (const scenario of set.scenarios) {
      scenario.moves.forEach((x, i) =>
        expect(Math.abs(x)).to.be.at.most(set.factors[i].scanRange * (1 + 1e-12)),
      );
    }
    // The single-factor moves are exactly ± z σ √h.
    const eth = set.factors[0];
    expect(eth.scanRange).to.equal(3 * eth.sigmaPerStep * Math.sqrt(2));
    expect(set.scenarios[6].moves).to.deep.equal([eth.scanRange, 0, 0, 0, 0]);
  });

  it("moves each principal component by z standard deviations: x' Σ_h^-1 x = z²", () => {
    // Σ_h = D ρ D with D the horizon volatilities; a z-sigma move along any eigenvector of ρ, in
    // each factor's own scale, has Mahalanobis length z.
    const sigmaH = set.factors.map((f) => f.sigmaHorizon);
    const covariance = new Matrix(
      set.correlation.map((row, i) => row.map((r, j) => r * sigmaH[i] * sigmaH[j])),
    );
    for (const scenario of set.scenarios.slice(0, 6)) {
      const x = Matrix.columnVector(scenario.moves);
      const length2 = x.transpose().mmul(solve(covariance, x)).get(0, 0);
      expect(length2, scenario.label).to.be.closeTo(9, 1e-6);
    }
  });

  it("backs each option's implied volatility out of its mark and revalues it at the horizon", () => {
    for (const [name, risk] of set.optionRisks) {
      const mark = Number(d.market.options.get(name)!.markMicroUsd) / 1e6;
      const inputs = {
        kind: risk.series.kind,
        forward: risk.forward,
        strike: risk.series.strike,
        years: risk.years,
        rate: 0,
      };
      expect(black76Price(inputs, risk.impliedVol)).to.be.closeTo(mark, 1e-9);
      // Recompute one scenario by hand: ETH-down, vol raised by the full 25 % shift.
      const k = set.scenarios.findIndex((s) => s.label === "ETH-down");
      const move = set.scenarios[k].moves[0];
      const value = black76Price(
        { ...inputs, forward: risk.forward * Math.exp(move), years: risk.years - 2 / 365 },
        risk.impliedVol * 1.25,
      );
      expect(Number(risk.riskArrayMicroUsd[k]) / 1e6).to.be.closeTo(mark - value, 1e-6);
    }
  });

  it("shifts implied vol up when the underlying falls, down when it rises, in proportion", () => {
    expect(shiftedVol(0.5, -0.1, 0.1, 0.25)).to.be.closeTo(0.625, 1e-15);
    expect(shiftedVol(0.5, 0.05, 0.1, 0.25)).to.be.closeTo(0.4375, 1e-15);
    expect(shiftedVol(0.5, 0, 0.1, 0.25)).to.equal(0.5);
    expect(shiftedVol(0.5, 0.3, 0, 0.25)).to.equal(0.5);
  });

  it("linear losses are P (1 - e^x) rounded up to a multiple of the grid @property", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 19n }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.constantFrom(1n, 10_000n),
        (price, x, grid) => {
          const [loss] = linearLosses(price, [x], grid);
          const exact = -Number(price) * Math.expm1(x);
          expect(loss % grid).to.equal(0n);
          expect(Number(loss)).to.be.at.least(exact - Math.abs(exact) * 1e-15);
          expect(Number(loss)).to.be.at.most(exact + Number(grid) + Math.abs(exact) * 1e-15);
        },
      ),
    );
  });

  it("follows its options: components, singles, z, horizon", () => {
    const small = deskSet({ components: 1, singles: ["ETH", "BTC"], z: 2, horizonDays: 1 });
    expect(small.scenarios.map((s) => s.label)).to.deep.equal([
      "PC1-up",
      "PC1-down",
      "ETH-up",
      "ETH-down",
      "BTC-up",
      "BTC-down",
    ]);
    expect(small.factors[0].scanRange).to.be.closeTo(
      (set.factors[0].scanRange * (2 / 3)) / Math.SQRT2,
      1e-15,
    );
    for (const risk of small.optionRisks.values()) expect(risk.riskArrayMicroUsd).to.have.length(6);
    expect(scenariosJson(small).assets.USDC).to.have.length(6);
  });

  it("gives every option quoted in the round a risk array, also one the policy does not list", () => {
    const json = deskJson("market");
    json.options["ETH-26DEC26-3200-C"] = { mark: "410.5" };
    const extra = parseMarketInput(json, "m.json");
    const s = generateScenarios(d.history, extra.round, d.policy, { proxies: DESK_PROXIES });
    expect([...s.optionRisks.keys()]).to.deep.equal([
      "ETH-26JUN26-3000-C",
      "ETH-26JUN26-2600-P",
      "ETH-26DEC26-3200-C",
    ]);
    const risk = s.optionRisks.get("ETH-26DEC26-3200-C")!;
    expect(risk.riskArrayMicroUsd).to.have.length(16);
    expect(risk.series).to.deep.include({ underlying: "ETH", strike: 3200, kind: "call" });
    const out = withScenarios(extra.json, s) as Json;
    expect(out.options["ETH-26DEC26-3200-C"]).to.deep.equal({
      mark: "410.5",
      riskArray: risk.riskArrayMicroUsd.map((x) => formatUnits(x, 6)),
    });
  });

  it("leaves a constant price out of the components and never moves it", () => {
    const d2 = desk();
    const flat = parseHistory(
      fs.readFileSync(DESK_HISTORY, "utf8").replace(/,[0-9.]+\n/g, ",1\n"), // BUIDL, the last column, at 1 USD every day
      "flat.csv",
    );
    const s = generateScenarios(flat, d2.market, d2.policy, { proxies: DESK_PROXIES });
    const buidl = s.factors.findIndex((f) => f.symbol === "BUIDL");
    expect(s.factors[buidl].sigmaPerStep).to.equal(0);
    for (const pc of s.components) expect(pc.vector[buidl]).to.equal(0);
    expect(s.components).to.have.length(4);
    for (const loss of s.assets.get("BUIDL")!) expect(loss).to.equal(0n);
  });
});

describe("risk: the generated set on a seeded series with a set volatility", function () {
  it("gives scan ranges z σ √h within tolerance (λ = 0.995, 3000 days)", () => {
    const sigma = [0.04, 0.025];
    const text = syntheticHistoryCsv({
      seed: "scan ranges",
      symbols: ["AAA", "BBB"],
      last: [100, 50],
      lastDate: "2025-01-01",
      steps: 3000,
      sigma,
      correlation: [
        [1, 0.5],
        [0.5, 1],
      ],
    });
    const history = parseHistory(text, "seeded.csv");
    const policy = parsePolicy(
      {
        id: "seeded",
        mode: "initial",
        minRatio: "1",
        buffer: "0",
        shortOptionMinimum: "0",
        assets: { AAA: { decimals: 18, tiers: [{ upTo: null, weight: "1" }] } },
        perps: {
          "BBB-PERP": { underlying: "BBB", sizeDecimals: 4, tiers: [{ upTo: null, rate: "0.05" }] },
        },
        options: {},
      },
      "seeded-policy.json",
    );
    const market = parseMarket(
      {
        round: 1,
        timestamp: Date.parse("2025-01-01T12:00:00Z") / 1000,
        prices: { AAA: "100", BBB: "50" },
        options: {},
      },
      "seeded-market.json",
    );
    const set = generateScenarios(history, market, policy, {
      lambda: 0.995,
      z: 2.33,
      horizonDays: 4,
    });
    // One EWMA σ at λ = 0.995 has about 3.5 % relative error: 12 % is over 3 standard errors, and
    // far from the factor of 2 that a horizon scaled by h instead of √h would give.
    set.factors.forEach((f, i) => {
      expect(f.scanRange / (2.33 * sigma[i] * 2)).to.be.within(0.88, 1.12);
    });
    expect(set.correlation[0][1]).to.be.closeTo(0.5, 0.1);
    // AAA-down: a long AAA loses 100 (1 - e^-s).
    const down = set.scenarios.findIndex((s) => s.label === "AAA-down");
    const loss = Number(set.assets.get("AAA")![down]) / 1e12;
    expect(loss).to.be.closeTo(100 * -Math.expm1(-set.factors[0].scanRange), 1e-8);
  });
});

describe("risk: refusals name the file, the place and the rule", function () {
  const market = (mutate: (m: Json) => void): RoundQuotes => {
    const m = deskJson("market");
    mutate(m);
    return parseMarketInput(m, "m.json").round;
  };
  const policy = (mutate: (p: Json) => void): Policy => {
    const p = deskJson("policy");
    mutate(p);
    return parsePolicy(p, "p.json");
  };
  const files = { market: "m.json", policy: "p.json", options: "opts" };
  const run = (
    opts: {
      market?: RoundQuotes;
      policy?: Policy;
      history?: PriceHistory;
    } & Partial<ScenarioOptions> = {},
  ) => {
    const d = desk();
    const { market: m, policy: p, history: h, ...rest } = opts;
    return () =>
      generateScenarios(h ?? d.history, m ?? d.market, p ?? d.policy, {
        proxies: DESK_PROXIES,
        files,
        ...rest,
      });
  };

  it("a mark below the discounted intrinsic value", () => {
    const m = market((j) => void (j.options["ETH-26JUN26-2600-P"].mark = "0"));
    expectInputError(
      run({ market: m }),
      "m.json",
      "options.ETH-26JUN26-2600-P.mark",
      /above 0 USD.*no-arbitrage lower bound/,
    );
    const deep = market((j) => void (j.options["ETH-26JUN26-3000-C"].mark = "12"));
    expectInputError(
      run({ market: deep }),
      "m.json",
      "options.ETH-26JUN26-3000-C.mark",
      /above 12\.55 USD/,
    );
  });

  it("a mark above the no-arbitrage upper bound", () => {
    const m = market((j) => void (j.options["ETH-26JUN26-3000-C"].mark = "3012.55"));
    expectInputError(
      run({ market: m }),
      "m.json",
      "options.ETH-26JUN26-3000-C.mark",
      /below 3012\.55 USD.*upper bound/,
    );
  });

  it("an option name that does not parse, in the market or the policy", () => {
    const m = market((j) => void (j.options["ETH-MONTHLY-C"] = { mark: "1" }));
    expectInputError(run({ market: m }), "m.json", "options.ETH-MONTHLY-C", /Deribit/);
    const p = policy((j) => void (j.options["ETH-DEC-3000-C"] = { underlying: "ETH" }));
    expectInputError(run({ policy: p }), "p.json", "options.ETH-DEC-3000-C", /Deribit/);
  });

  it("a policy option whose underlying is not the one its name gives", () => {
    const p = policy((j) => void (j.options["ETH-26JUN26-3000-C"].underlying = "BTC"));
    expectInputError(
      run({ policy: p }),
      "p.json",
      "options.ETH-26JUN26-3000-C.underlying",
      /must be ETH/,
    );
  });

  it("a policy option without a quote, an expired option, a missing price", () => {
    const p = policy((j) => void (j.options["ETH-26DEC26-3200-C"] = { underlying: "ETH" }));
    expectInputError(run({ policy: p }), "m.json", "options.ETH-26DEC26-3200-C", /needs a quote/);
    const m = market((j) => void (j.options["ETH-25NOV25-3000-C"] = { mark: "10" }));
    expectInputError(run({ market: m }), "m.json", "options.ETH-25NOV25-3000-C", /expired/);
    const noBtc = market((j) => void delete j.prices.BTC);
    expectInputError(run({ market: noBtc }), "m.json", "prices.BTC", /BTC-PERP needs a price/);
  });

  it("a symbol the history has no column for, and bad proxies", () => {
    expectInputError(run({ proxies: new Map() }), DESK_HISTORY, "header", /no column WETH/);
    expectInputError(
      run({ proxies: new Map([["DOGE", "ETH"]]) }),
      "opts",
      "proxies.DOGE",
      /not an asset or an underlying/,
    );
    expectInputError(
      run({ proxies: new Map([["WETH", "stETH"]]) }),
      "opts",
      "proxies.WETH",
      /has no column stETH/,
    );
  });

  it("a history too short for λ, or reaching past the round", () => {
    const lines = fs.readFileSync(DESK_HISTORY, "utf8").split("\n");
    const short = parseHistory([...lines.slice(0, 4), ...lines.slice(-76)].join("\n"), "short.csv");
    expectInputError(
      run({ history: short }),
      "short.csv",
      "$",
      /has 74 returns; lambda 0.94 needs at least 75/,
    );
    const late = market((j) => void (j.timestamp = Date.parse("2025-11-24T12:00:00Z") / 1000));
    expectInputError(
      run({ market: late }),
      DESK_HISTORY,
      "line 370, column date",
      /after the round's timestamp/,
    );
  });

  it("options out of range", () => {
    expectInputError(run({ lambda: 1 }), "opts", "lambda", /between 0 and 1/);
    expectInputError(run({ z: 0 }), "opts", "z", /greater than 0/);
    expectInputError(run({ horizonDays: -1 }), "opts", "horizonDays", /greater than 0/);
    expectInputError(run({ volShift: 1 }), "opts", "volShift", /below 1/);
    expectInputError(run({ components: 6 }), "opts", "components", /from 0 to 5/);
    expectInputError(
      run({ singles: ["ETH", "WETH"] }),
      "opts",
      "singles[1]",
      /WETH is not a factor/,
    );
    expectInputError(run({ singles: ["ETH", "ETH"] }), "opts", "singles[1]", /listed twice/);
  });
});

describe("risk: reading the round the set is generated for", function () {
  it("ignores the input's scenarios and risk arrays, whatever they hold, and validates the rest", () => {
    const stale = deskJson("market");
    stale.scenarios = { labels: ["old"], assets: { DOGE: ["x"] } };
    stale.options["ETH-26JUN26-3000-C"].riskArray = ["not a number"];
    delete stale.options["ETH-26JUN26-2600-P"].riskArray;
    const read = parseMarketInput(stale, "m.json");
    expect(read.json).to.equal(stale);
    const d = desk();
    expect(read.round).to.deep.equal(d.market);
    const fromStale = generateScenarios(d.history, read.round, d.policy, {
      proxies: DESK_PROXIES,
    });
    expect(withScenarios(read.json, fromStale)).to.deep.equal(
      withScenarios(d.marketJson, deskSet()),
    );
  });

  it("reads a published round with a scenario set (examples/portfolio) as the same round", () => {
    const published = loadMarketInput(path.join(PORTFOLIO, "market.json"));
    expect(loadMarket(path.join(PORTFOLIO, "market.json")).scenarios).to.not.equal(null);
    expect(published.round).to.deep.equal(desk().market);
    // A parsed Market is a round the generator reads, as it is.
    const market = loadMarket(path.join(DESK, "market.json"));
    const d = desk();
    expect(generateScenarios(d.history, market, d.policy, { proxies: DESK_PROXIES })).to.deep.equal(
      deskSet(),
    );
  });

  it("refuses, naming the field, what the market parser refuses outside the replaced parts", () => {
    const cases: [(m: Json) => void, string, RegExp][] = [
      [
        (m) => void (m.options["ETH-26JUN26-3000-C"].delta = "0.5"),
        "options.ETH-26JUN26-3000-C.delta",
        /unknown key/,
      ],
      [
        (m) => void (m.options["ETH-26JUN26-3000-C"].mark = "1e3"),
        "options.ETH-26JUN26-3000-C.mark",
        /"1e3"/,
      ],
      [
        (m) => void delete m.options["ETH-26JUN26-3000-C"].mark,
        "options.ETH-26JUN26-3000-C.mark",
        /is required/,
      ],
      [(m) => void (m.options = []), "options", /must be an object/],
      [(m) => void delete m.options, "options", /is required/],
      [(m) => void (m.prices.ETH = "-1"), "prices.ETH", /"-1"/],
      [
        (m) => void (m.prices.ETH = "3012.5500000000001"),
        "prices.ETH",
        /at most 12 decimal places/,
      ],
      [(m) => void (m.feed = "x"), "feed", /unknown key/],
      [(m) => void delete m.timestamp, "timestamp", /is required/],
    ];
    for (const [mutate, where, rule] of cases) {
      const json = deskJson("market");
      mutate(json);
      expectInputError(() => parseMarketInput(json, "m.json"), "m.json", where, rule);
    }
    expectInputError(() => parseMarketInput([], "m.json"), "m.json", "$", /JSON object/);
  });
});

describe("risk: a generated round under the portfolio-margin policy", function () {
  // The README's publisher command: 2 components and ETH, BTC alone, K = 2 x 2 + 2 x 2 = 8, the
  // demo instance's scenario count; generated for examples/portfolio/policy.json (the desk's
  // universe under portfolio margin) from the desk's round and history.
  const policy = loadPolicy(path.join(PORTFOLIO, "policy.json"));
  const standard = loadPolicy(path.join(DESK, "policy.json"));
  const portfolioFile = path.join(PORTFOLIO, "portfolio.json");
  let set: GeneratedScenarioSet;
  let market: Market;
  before(() => {
    const d = desk();
    set = generateScenarios(d.history, d.market, policy, {
      proxies: DESK_PROXIES,
      components: 2,
      singles: ["ETH", "BTC"],
    });
    const file = path.join(buildScratchDir("risk-round-"), "market.json");
    fs.writeFileSync(file, JSON.stringify(scenarioRound(d.marketJson, set, file).json));
    market = loadMarket(file);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("has 8 scenarios and 2 groups: the demo instance fits", () => {
    expect(market.scenarios!.labels).to.deep.equal([
      "PC1-up",
      "PC1-down",
      "PC2-up",
      "PC2-down",
      "ETH-up",
      "ETH-down",
      "BTC-up",
      "BTC-down",
    ]);
    const needed = requiredDims(policy, market);
    expect(needed).to.deep.include({ scenarios: 8, groups: 2, joint: 1 });
    expect(fits(policy, market, loadInstances().demo)).to.equal(true);
  });

  it("charges the hedged desk each scenario's joint loss, as the moves give it in USD", () => {
    const portfolio = loadPortfolio(portfolioFile, policy);
    checkConsistency(policy, market, portfolio, {
      policy: "policy.json",
      market: "market.json",
      portfolio: "portfolio.json",
    });
    const report = computeMargin(policy, market, portfolio);
    expect(report.margin).to.equal("portfolio");
    expect(report.scenarios.map((s) => s.label)).to.deep.equal(market.scenarios!.labels);
    // Independently of the file's units: 1 200 WETH and 1 000 000 USDC long, 4 200 ETH-PERP
    // short, 10 000 puts short, each moved by the scenario's log moves (puts: their risk array).
    const eth = set.factors.findIndex((f) => f.symbol === "ETH");
    const usdc = set.factors.findIndex((f) => f.symbol === "USDC");
    const put = set.optionRisks.get("ETH-26JUN26-2600-P")!.riskArrayMicroUsd;
    set.scenarios.forEach((scenario, k) => {
      const ethLoss = -3012.55 * Math.expm1(scenario.moves[eth]);
      const usd =
        1200 * ethLoss -
        4200 * ethLoss +
        1_000_000 * -0.99995 * Math.expm1(scenario.moves[usdc]) -
        (10_000 * Number(put[k])) / 1e6;
      expect(Number(report.scenarios[k].lossMicroUsd) / 1e6, scenario.label).to.be.closeTo(
        usd,
        0.01,
      );
    });
    const worst = report.scenarios.reduce(
      (m, s, k, all) => (s.lossMicroUsd > all[m].lossMicroUsd ? k : m),
      0,
    );
    expect(report.bindingScenario).to.equal(worst);
    expect(report.options.requirementMicroUsd).to.equal(report.scenarios[worst].lossMicroUsd);
    expect(report.sufficient).to.equal(true);
    // The same round under the standard policy charges each position on its own: the puts' worst
    // loss with no credit for the perp, and the perp's full rate.
    const naive = computeMargin(standard, market, loadPortfolio(portfolioFile, standard));
    expect(naive.margin).to.equal("standard");
    expect(naive.options.requirementMicroUsd > report.options.requirementMicroUsd).to.equal(true);
    expect(naive.requirementMicroUsd > 2n * report.requirementMicroUsd).to.equal(true);
  });
});

describe("risk: the synthetic desk history", function () {
  it("scripts/desk-history.ts reproduces examples/desk/history.csv byte for byte", () => {
    expect(syntheticHistoryCsv(DESK_HISTORY_SPEC)).to.equal(fs.readFileSync(DESK_HISTORY, "utf8"));
  });

  it("the seeded stream is reproducible, uniform in [0, 1) and differs between seeds", () => {
    const a = seededUniforms("a");
    const a2 = seededUniforms("a");
    const b = seededUniforms("b");
    const xs = Array.from({ length: 10_000 }, a);
    expect(Array.from({ length: 10_000 }, a2)).to.deep.equal(xs);
    expect(Array.from({ length: 10 }, b)).to.not.deep.equal(xs.slice(0, 10));
    for (const x of xs) expect(x).to.be.within(0, 1 - Number.EPSILON);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).to.be.closeTo(0.5, 0.01);
  });
});
