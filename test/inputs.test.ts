import { expect } from "chai";
import fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InputError } from "../prover/src/errors";
import {
  checkConsistency,
  loadMarket,
  loadPolicy,
  loadPortfolio,
  parseMarket,
  parsePolicy,
  parsePortfolio,
} from "../prover/src/inputs";
import type { Market, Policy, Portfolio } from "../prover/src/inputs/types";
import { tripleArb, tripleToJson } from "./helpers/arbitraries";

const EXAMPLES = path.resolve(__dirname, "../examples");
const FILES = { policy: "policy.json", market: "market.json", portfolio: "portfolio.json" };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function example(dir: string, name: string): Json {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, dir, `${name}.json`), "utf8")) as Json;
}

const base = {
  policy: example("small", "policy"),
  market: example("small", "market"),
  portfolio: example("small", "portfolio"),
};

/** Parses the small example after `edit` changed one of its files, through every rule. */
function parseEdited(file: keyof typeof base, edit: (json: Json) => void): void {
  const docs = structuredClone(base);
  edit(docs[file]);
  const policy = parsePolicy(docs.policy, FILES.policy);
  const market = parseMarket(docs.market, FILES.market);
  const portfolio = parsePortfolio(docs.portfolio, FILES.portfolio, policy);
  checkConsistency(policy, market, portfolio, FILES);
}

function caught(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

interface BadCase {
  name: string;
  file: keyof typeof base;
  edit: (json: Json) => void;
  path: string;
  rule: string;
}

const ETH_TIERS = "assets.WETH.tiers";
const bad: BadCase[] = [
  // policy.json
  {
    name: "id of the wrong type",
    file: "policy",
    edit: (j) => (j.id = 5),
    path: "id",
    rule: "must be a string (got 5)",
  },
  {
    name: "policy id missing",
    file: "policy",
    edit: (j) => delete j.id,
    path: "id",
    rule: "is required",
  },
  {
    name: "policy id with spaces",
    file: "policy",
    edit: (j) => (j.id = "my policy"),
    path: "id",
    rule: 'must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit (got "my policy")',
  },
  {
    name: "unknown mode",
    file: "policy",
    edit: (j) => (j.mode = "liquidation"),
    path: "mode",
    rule: 'must be one of "initial", "maintenance" (got "liquidation")',
  },
  {
    name: "unknown top-level key",
    file: "policy",
    edit: (j) => (j.leverage = "10"),
    path: "leverage",
    rule: 'unknown key "leverage"',
  },
  {
    name: "minRatio as a JSON number",
    file: "policy",
    edit: (j) => (j.minRatio = 1.25),
    path: "minRatio",
    rule: "must be a decimal string, not a JSON number (got 1.25)",
  },
  {
    name: "minRatio zero",
    file: "policy",
    edit: (j) => (j.minRatio = "0"),
    path: "minRatio",
    rule: 'must be greater than 0 and below 2^24 ppm (got "0")',
  },
  {
    name: "minRatio with 7 decimals",
    file: "policy",
    edit: (j) => (j.minRatio = "1.0000001"),
    path: "minRatio",
    rule: 'at most 6 decimal places (got "1.0000001")',
  },
  {
    name: "negative buffer",
    file: "policy",
    edit: (j) => (j.buffer = "-1"),
    path: "buffer",
    rule: 'must not be negative (got "-1")',
  },
  {
    name: "buffer in exponent notation",
    file: "policy",
    edit: (j) => (j.buffer = "1e6"),
    path: "buffer",
    rule: 'exponent notation is not allowed (got "1e6")',
  },
  {
    name: "short option minimum past 2^40 µUSD",
    file: "policy",
    edit: (j) => (j.shortOptionMinimum = "1099512"),
    path: "shortOptionMinimum",
    rule: 'must be below 2^40 µUSD (got "1099512")',
  },
  {
    name: "no assets",
    file: "policy",
    edit: (j) => (j.assets = {}),
    path: "assets",
    rule: "must list at least one asset",
  },
  {
    name: "asset decimals 19",
    file: "policy",
    edit: (j) => (j.assets.WETH.decimals = 19),
    path: "assets.WETH.decimals",
    rule: "must be an integer from 0 to 18 (got 19)",
  },
  {
    name: "asset decimals fractional",
    file: "policy",
    edit: (j) => (j.assets.WETH.decimals = 6.5),
    path: "assets.WETH.decimals",
    rule: "must be an integer from 0 to 18 (got 6.5)",
  },
  {
    name: "weight above 1",
    file: "policy",
    edit: (j) => (j.assets.USDC.tiers[0].weight = "1.01"),
    path: "assets.USDC.tiers[0].weight",
    rule: 'must be between 0 and 1 (got "1.01")',
  },
  {
    name: "weight with 7 decimals",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[1].weight = "0.8000001"),
    path: `${ETH_TIERS}[1].weight`,
    rule: 'at most 6 decimal places (got "0.8000001")',
  },
  {
    name: "weight leading '+'",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[1].weight = "+0.8"),
    path: `${ETH_TIERS}[1].weight`,
    rule: "leading '+' is not allowed (got \"+0.8\")",
  },
  {
    name: "weights increasing",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[1].weight = "0.95"),
    path: `${ETH_TIERS}[1].weight`,
    rule: "weights must be non-increasing (got 0.95 after 0.9)",
  },
  {
    name: "last tier bounded",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[1].upTo = "9000000"),
    path: `${ETH_TIERS}[1].upTo`,
    rule: "the last tier must have upTo null",
  },
  {
    name: "null upTo before the last tier",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[0].upTo = null),
    path: `${ETH_TIERS}[0].upTo`,
    rule: "only the last tier may have upTo null",
  },
  {
    name: "upTo not increasing",
    file: "policy",
    edit: (j) => j.assets.WETH.tiers.splice(1, 0, { upTo: "5000000", weight: "0.85" }),
    path: `${ETH_TIERS}[1].upTo`,
    rule: "upTo must be strictly increasing (got 5000000 after 5000000)",
  },
  {
    name: "fractional upTo",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[0].upTo = "5000000.5"),
    path: `${ETH_TIERS}[0].upTo`,
    rule: 'must be a whole number of USD (got "5000000.5")',
  },
  {
    name: "upTo zero",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[0].upTo = "0"),
    path: `${ETH_TIERS}[0].upTo`,
    rule: 'must be a whole number of USD from 1 to 2^40 - 1 (got "0")',
  },
  {
    name: "upTo past 2^40",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[0].upTo = "1099511627776"),
    path: `${ETH_TIERS}[0].upTo`,
    rule: 'must be a whole number of USD from 1 to 2^40 - 1 (got "1099511627776")',
  },
  {
    name: "empty tier list",
    file: "policy",
    edit: (j) => (j.assets.USDC.tiers = []),
    path: "assets.USDC.tiers",
    rule: "must list at least one tier",
  },
  {
    name: "unknown tier key",
    file: "policy",
    edit: (j) => (j.assets.USDC.tiers[0].haircut = "0.1"),
    path: "assets.USDC.tiers[0].haircut",
    rule: 'unknown key "haircut"',
  },
  {
    name: "rates decreasing",
    file: "policy",
    edit: (j) => (j.perps["ETH-PERP"].tiers[1].rate = "0.02"),
    path: "perps.ETH-PERP.tiers[1].rate",
    rule: "rates must be non-decreasing (got 0.02 after 0.03)",
  },
  {
    name: "perp sizeDecimals negative",
    file: "policy",
    edit: (j) => (j.perps["BTC-PERP"].sizeDecimals = -1),
    path: "perps.BTC-PERP.sizeDecimals",
    rule: "must be an integer from 0 to 18 (got -1)",
  },
  {
    name: "perp without underlying",
    file: "policy",
    edit: (j) => delete j.perps["BTC-PERP"].underlying,
    path: "perps.BTC-PERP.underlying",
    rule: "is required",
  },
  {
    name: "all-digit asset symbol",
    file: "policy",
    edit: (j) => (j.assets["123"] = j.assets.USDC),
    path: 'assets["123"]',
    rule: "must be 1-32 characters of A-Z a-z 0-9 . _ - and not all digits",
  },
  // market.json
  {
    name: "round as a string",
    file: "market",
    edit: (j) => (j.round = "7"),
    path: "round",
    rule: 'must be a number (got "7")',
  },
  {
    name: "fractional round",
    file: "market",
    edit: (j) => (j.round = 7.5),
    path: "round",
    rule: "must be a non-negative integer (got 7.5)",
  },
  {
    name: "negative timestamp",
    file: "market",
    edit: (j) => (j.timestamp = -1),
    path: "timestamp",
    rule: "must be a non-negative integer (Unix seconds) (got -1)",
  },
  {
    name: "price with 9 decimals",
    file: "market",
    edit: (j) => (j.prices.WETH = "3012.123456789"),
    path: "prices.WETH",
    rule: 'at most 8 decimal places (got "3012.123456789")',
  },
  {
    name: "negative price",
    file: "market",
    edit: (j) => (j.prices.BTC = "-1"),
    path: "prices.BTC",
    rule: 'must not be negative (got "-1")',
  },
  {
    name: "price past 2^64",
    file: "market",
    edit: (j) => (j.prices.BTC = "184467440737.09551616"),
    path: "prices.BTC",
    rule: 'must be below 2^64 x 1e-8 USD (got "184467440737.09551616")',
  },
  {
    name: "risk arrays of different lengths",
    file: "market",
    edit: (j) => j.options["ETH-26JUN26-2600-P"].riskArray.pop(),
    path: "options.ETH-26JUN26-2600-P.riskArray",
    rule: "must have 4 scenarios like ETH-26JUN26-3000-C",
  },
  {
    name: "risk entry below -2^62",
    file: "market",
    edit: (j) => (j.options["ETH-26JUN26-3000-C"].riskArray[2] = "-4611686018427.387905"),
    path: "options.ETH-26JUN26-3000-C.riskArray[2]",
    rule: 'must be at least -2^62 and below 2^62 µUSD (got "-4611686018427.387905")',
  },
  {
    name: "risk entry as a number",
    file: "market",
    edit: (j) => (j.options["ETH-26JUN26-3000-C"].riskArray[1] = -201.7),
    path: "options.ETH-26JUN26-3000-C.riskArray[1]",
    rule: "must be a decimal string, not a JSON number (got -201.7)",
  },
  {
    name: "negative option mark",
    file: "market",
    edit: (j) => (j.options["ETH-26JUN26-3000-C"].mark = "-1"),
    path: "options.ETH-26JUN26-3000-C.mark",
    rule: 'must not be negative (got "-1")',
  },
  {
    name: "empty risk array",
    file: "market",
    edit: (j) => {
      for (const o of Object.values(j.options) as Json[]) o.riskArray = [];
    },
    path: "options.ETH-26JUN26-3000-C.riskArray",
    rule: "must list at least one scenario",
  },
  {
    name: "policy asset without price",
    file: "market",
    edit: (j) => delete j.prices.WBTC,
    path: "prices.WBTC",
    rule: 'missing: the policy\'s collateral asset "WBTC" needs a price',
  },
  {
    name: "perp underlying without price",
    file: "market",
    edit: (j) => delete j.prices.BTC,
    path: "prices.BTC",
    rule: 'missing: "BTC", the underlying of BTC-PERP, needs a price',
  },
  {
    name: "option series without quote",
    file: "market",
    edit: (j) => delete j.options["ETH-26JUN26-2600-P"],
    path: "options.ETH-26JUN26-2600-P",
    rule: 'missing: the policy\'s option series "ETH-26JUN26-2600-P" needs a quote',
  },
  // portfolio.json
  {
    name: "bad checksum",
    file: "portfolio",
    edit: (j) => (j.account = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"),
    path: "account",
    rule: 'must be a 0x-prefixed 20-byte address with a valid EIP-55 checksum (got "0x70997970c51812dc3A010C7d01b50e0d17dc79C8")',
  },
  {
    name: "short address",
    file: "portfolio",
    edit: (j) => (j.account = "0x1234"),
    path: "account",
    rule: 'must be a 0x-prefixed 20-byte address with a valid EIP-55 checksum (got "0x1234")',
  },
  {
    name: "unknown collateral asset",
    file: "portfolio",
    edit: (j) => (j.collateral.DOGE = "1"),
    path: "collateral.DOGE",
    rule: 'unknown asset "DOGE" (not in the policy)',
  },
  {
    name: "collateral with more decimals than the token",
    file: "portfolio",
    edit: (j) => (j.collateral.USDC = "1.0000001"),
    path: "collateral.USDC",
    rule: "at most 6 decimal places (USDC has 6 decimals)",
  },
  {
    name: "negative collateral",
    file: "portfolio",
    edit: (j) => (j.collateral.WETH = "-1"),
    path: "collateral.WETH",
    rule: "must not be negative",
  },
  {
    name: "collateral past 2^96 base units",
    file: "portfolio",
    edit: (j) => (j.collateral.USDC = "79228162514264337593543.950336"),
    path: "collateral.USDC",
    rule: "must be below 2^96 base units",
  },
  {
    name: "collateral as a number",
    file: "portfolio",
    edit: (j) => (j.collateral.USDC = 250000),
    path: "collateral.USDC",
    rule: "must be a decimal string, not a JSON number",
  },
  {
    name: "perp size with more decimals than sizeDecimals",
    file: "portfolio",
    edit: (j) => (j.perps[1].size = "0.800001"),
    path: "perps[1].size",
    rule: "at most 5 decimal places (BTC-PERP has sizeDecimals 5)",
  },
  {
    name: "unknown perp instrument",
    file: "portfolio",
    edit: (j) => (j.perps[0].instrument = "SOL-PERP"),
    path: "perps[0].instrument",
    rule: 'unknown perp instrument "SOL-PERP" (not in the policy)',
  },
  {
    name: "duplicate perp",
    file: "portfolio",
    edit: (j) => j.perps.push({ ...j.perps[0] }),
    path: "perps[2].instrument",
    rule: "duplicate position in ETH-PERP (give one net position)",
  },
  {
    name: "negative entry price",
    file: "portfolio",
    edit: (j) => (j.perps[0].entryPrice = "-3150"),
    path: "perps[0].entryPrice",
    rule: "must not be negative",
  },
  {
    name: "unknown perp key",
    file: "portfolio",
    edit: (j) => (j.perps[0].leverage = "5"),
    path: "perps[0].leverage",
    rule: 'unknown key "leverage"',
  },
  {
    name: "fractional option quantity",
    file: "portfolio",
    edit: (j) => (j.options[0].quantity = "-1.5"),
    path: "options[0].quantity",
    rule: "at most 0 decimal places",
  },
  {
    name: "option quantity past 2^48",
    file: "portfolio",
    edit: (j) => (j.options[1].quantity = "281474976710656"),
    path: "options[1].quantity",
    rule: "magnitude must be below 2^48 contracts",
  },
  {
    name: "duplicate option",
    file: "portfolio",
    edit: (j) => j.options.push({ ...j.options[1] }),
    path: "options[2].instrument",
    rule: "duplicate position in ETH-26JUN26-2600-P (give one net position)",
  },
  {
    name: "unknown option series",
    file: "portfolio",
    edit: (j) => (j.options[0].instrument = "ETH-26JUN26-9000-C"),
    path: "options[0].instrument",
    rule: 'unknown option series "ETH-26JUN26-9000-C" (not in the policy)',
  },
  {
    name: "perps not an array",
    file: "portfolio",
    edit: (j) => (j.perps = {}),
    path: "perps",
    rule: "must be an array",
  },
  {
    name: "collateral value past 2^60 µUSD",
    file: "portfolio",
    edit: (j) => (j.collateral.WBTC = "20000000"),
    path: "collateral.WBTC",
    rule: "value exceeds the circuit's 60-bit µUSD range",
  },
  {
    name: "perp notional past 2^60 µUSD",
    file: "portfolio",
    edit: (j) => (j.perps[0].size = "-400000000"),
    path: "perps[0].size",
    rule: "notional exceeds the circuit's 60-bit µUSD range",
  },
];

describe("inputs", () => {
  describe("examples", () => {
    for (const [dir, portfolioDir] of [
      ["desk", "desk"],
      ["desk", "shortfall"],
      ["small", "small"],
    ]) {
      it(`loads ${portfolioDir}/portfolio.json with ${dir}/policy.json and market.json`, () => {
        const files = {
          policy: path.join(EXAMPLES, dir, "policy.json"),
          market: path.join(EXAMPLES, dir, "market.json"),
          portfolio: path.join(EXAMPLES, portfolioDir, "portfolio.json"),
        };
        const policy = loadPolicy(files.policy);
        const market = loadMarket(files.market);
        const portfolio = loadPortfolio(files.portfolio, policy);
        expect(() => checkConsistency(policy, market, portfolio, files)).not.to.throw();
      });
    }

    it("parses the desk example into the typed domain, in key order", () => {
      const policy = loadPolicy(path.join(EXAMPLES, "desk", "policy.json"));
      expect(policy.mode).to.equal("maintenance");
      expect(policy.minRatioPpm).to.equal(1_000_000n);
      expect(policy.bufferMicroUsd).to.equal(250_000_000000n);
      expect(policy.shortOptionMinimumMicroUsd).to.equal(30_000000n);
      expect(policy.assets.map((a) => a.symbol)).to.deep.equal([
        "USDC",
        "USDT",
        "WETH",
        "WBTC",
        "wstETH",
        "BUIDL",
      ]);
      expect(policy.assets[2].tiers).to.deep.equal([
        { upToUsd: 10_000_000n, weightPpm: 900_000n },
        { upToUsd: 50_000_000n, weightPpm: 850_000n },
        { upToUsd: null, weightPpm: 800_000n },
      ]);
      expect(policy.perps[1]).to.deep.include({
        instrument: "BTC-PERP",
        underlying: "BTC",
        sizeDecimals: 5,
      });
      expect(policy.perps[1].tiers[1]).to.deep.equal({ upToUsd: 50_000_000n, ratePpm: 35_000n });
      const market = loadMarket(path.join(EXAMPLES, "desk", "market.json"));
      expect(market.round).to.equal(1042n);
      expect(market.prices.get("WETH")).to.equal(301255000000n);
      expect(market.options.get("ETH-26JUN26-3000-C")?.riskArrayMicroUsd[7]).to.equal(-540_200000n);
      const portfolio = loadPortfolio(path.join(EXAMPLES, "desk", "portfolio.json"), policy);
      expect(portfolio.collateral.get("WETH")).to.equal(150_250000000000000000n);
      expect(portfolio.perps.get("ETH-PERP")).to.deep.equal({
        size: -2_000_000n,
        entryPrice: 315000000000n,
      });
      expect(portfolio.options.get("ETH-26JUN26-3000-C")).to.equal(-50n);
    });
  });

  describe("refusals name the file, the JSON path and the rule", () => {
    it("the base case is valid", () => {
      expect(() => parseEdited("policy", () => undefined)).not.to.throw();
    });
    it(`has at least 30 distinct cases (${bad.length})`, () => {
      expect(new Set(bad.map((c) => `${c.path}|${c.rule}`)).size).to.be.at.least(30);
    });
    for (const c of bad) {
      it(`${c.file}: ${c.name}`, () => {
        const error = caught(() => parseEdited(c.file, c.edit));
        expect({ file: error.file, path: error.path, rule: error.rule }).to.deep.equal({
          file: FILES[c.file],
          path: c.path,
          rule: c.rule,
        });
        expect(error.message).to.equal(`${FILES[c.file]}: ${c.path}: ${c.rule}`);
      });
    }
  });

  describe("documents", () => {
    it("refuses a document that is not a JSON object", () => {
      expect(caught(() => parsePolicy([], "p.json"))).to.deep.include({
        path: "$",
        rule: "must be an object",
      });
      expect(caught(() => parseMarket(null, "m.json"))).to.deep.include({
        path: "$",
        rule: "must be an object",
      });
      expect(
        caught(() => parsePortfolio("x", "q.json", parsePolicy(base.policy, "p.json"))),
      ).to.deep.include({
        path: "$",
        rule: "must be an object",
      });
    });
  });

  describe("files", () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-inputs-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("refuses a missing file and malformed JSON", () => {
      const missing = path.join(dir, "nope.json");
      expect(caught(() => loadPolicy(missing))).to.deep.include({
        file: missing,
        path: "$",
        rule: "file not found",
      });
      const broken = path.join(dir, "broken.json");
      fs.writeFileSync(broken, '{"round": 1,');
      const error = caught(() => loadMarket(broken));
      expect(error.path).to.equal("$");
      expect(error.rule).to.match(/^malformed JSON/);
    });
  });

  describe("checkConsistency on in-memory objects", () => {
    const docs = structuredClone(base);
    const policy = parsePolicy(docs.policy, FILES.policy);
    const market = parseMarket(docs.market, FILES.market);
    const portfolio = parsePortfolio(docs.portfolio, FILES.portfolio, policy);
    const check = (p: Policy, m: Market, q: Portfolio): InputError =>
      caught(() => checkConsistency(p, m, q, FILES));

    it("refuses holdings outside the policy and values past the circuit widths", () => {
      expect(
        check(policy, market, { ...portfolio, collateral: new Map([["DOGE", 1n]]) }),
      ).to.deep.include({
        path: "collateral.DOGE",
        rule: 'unknown asset "DOGE" (not in the policy)',
      });
      expect(
        check(policy, market, { ...portfolio, collateral: new Map([["USDC", -1n]]) }),
      ).to.deep.include({
        path: "collateral.USDC",
        rule: "must be non-negative and below 2^96 base units",
      });
      expect(
        check(policy, market, { ...portfolio, options: new Map([["X", 1n]]) }),
      ).to.deep.include({
        path: "options[0].instrument",
        rule: 'unknown option series "X" (not in the policy)',
      });
      expect(
        check(policy, market, { ...portfolio, account: portfolio.account.toLowerCase() }),
      ).to.deep.include({
        path: "account",
        rule: "must be an EIP-55 checksummed address",
      });
      const pnl = new Map(portfolio.perps);
      pnl.set("ETH-PERP", { size: 1_000_000n, entryPrice: (1n << 64n) - 1n });
      expect(check(policy, market, { ...portfolio, perps: pnl })).to.deep.include({
        file: FILES.portfolio,
        path: "perps[0].size",
        rule: "unrealized PnL exceeds the circuit's 60-bit µUSD range",
      });
    });

    it("parses every generated triple back from its JSON form @property", () => {
      const dims = { assets: 6, perps: 3, options: 2, scenarios: 8, tiers: 3 };
      fc.assert(
        fc.property(tripleArb(dims), (triple) => {
          const json = tripleToJson(triple);
          const p = parsePolicy(json.policy, FILES.policy);
          const m = parseMarket(json.market, FILES.market);
          const q = parsePortfolio(json.portfolio, FILES.portfolio, p);
          expect(p).to.deep.equal(triple.policy);
          expect(m).to.deep.equal(triple.market);
          expect(q).to.deep.equal(triple.portfolio);
          checkConsistency(p, m, q, FILES);
        }),
        { seed: 11, numRuns: 200 },
      );
    });
  });
});
