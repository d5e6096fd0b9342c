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
  policyProblems,
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

/** A four-scenario joint set over the small example's universe (its option arrays have 4). */
function withScenarios(market: Json): void {
  const moves = (x: string) => [x, `-${x}`, `${x}5`, `-${x}5`];
  market.scenarios = {
    labels: ["down", "up", "crash", "rally"],
    assets: { USDC: ["0", "0", "0.005", "0"], WETH: moves("301.255"), WBTC: moves("9125.04") },
    perps: { "ETH-PERP": moves("301.255"), "BTC-PERP": moves("9125.04") },
  };
}

/** The small example as a portfolio-margin policy with a joint scenario set. */
function portfolioMargin(docs: typeof base): void {
  docs.policy.margin = "portfolio";
  withScenarios(docs.market);
}

/**
 * Parses the small example after `before` prepared it and `edit` changed one of its files,
 * through every rule.
 */
function parseEdited(
  file: keyof typeof base,
  edit: (json: Json) => void,
  before: (docs: typeof base) => void = () => undefined,
): void {
  const docs = structuredClone(base);
  before(docs);
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
  /** Prepares the documents before `edit` (e.g. a portfolio-margin policy and scenario set). */
  before?: (docs: typeof base) => void;
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
    rule: 'must be a whole number of USD from 1 to 2^32 - 2 (got "0")',
  },
  {
    name: "upTo at 2^32 - 1 (the open tier's code)",
    file: "policy",
    edit: (j) => (j.assets.WETH.tiers[0].upTo = "4294967295"),
    path: `${ETH_TIERS}[0].upTo`,
    rule: 'must be a whole number of USD from 1 to 2^32 - 2 (got "4294967295")',
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
    rule: "must be an integer from 0 to 12, as perp sizes are below 2^64 units of 10^-sizeDecimals (got -1)",
  },
  {
    name: "perp sizeDecimals past 12 (sizes are 64-bit)",
    file: "policy",
    edit: (j) => (j.perps["BTC-PERP"].sizeDecimals = 13),
    path: "perps.BTC-PERP.sizeDecimals",
    rule: "must be an integer from 0 to 12, as perp sizes are below 2^64 units of 10^-sizeDecimals (got 13)",
  },
  {
    name: "perp without underlying",
    file: "policy",
    edit: (j) => delete j.perps["BTC-PERP"].underlying,
    path: "perps.BTC-PERP.underlying",
    rule: "is required",
  },
  {
    name: "unknown margin kind",
    file: "policy",
    edit: (j) => (j.margin = "cross"),
    path: "margin",
    rule: 'must be one of "standard", "portfolio" (got "cross")',
  },
  {
    name: "concentration not an array",
    file: "policy",
    edit: (j) => (j.concentration = { assets: ["WETH"], maxShare: "0.4" }),
    path: "concentration",
    rule: "must be an array",
  },
  {
    name: "concentration group without assets",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: [], maxShare: "0.4" }]),
    path: "concentration[0].assets",
    rule: "must list at least one asset",
  },
  {
    name: "concentration group naming an unknown asset",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH", "DOGE"], maxShare: "0.4" }]),
    path: "concentration[0].assets[1]",
    rule: 'unknown asset "DOGE" (not in the policy)',
  },
  {
    name: "asset in two concentration groups",
    file: "policy",
    edit: (j) =>
      (j.concentration = [
        { assets: ["WETH"], maxShare: "0.4" },
        { assets: ["WBTC", "WETH"], maxShare: "0.5" },
      ]),
    path: "concentration[1].assets[1]",
    rule: '"WETH" is already in concentration[0] (an asset may be in one group only)',
  },
  {
    name: "asset twice in one concentration group",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WBTC", "WBTC"], maxShare: "0.4" }]),
    path: "concentration[0].assets[1]",
    rule: '"WBTC" is listed twice in this group',
  },
  {
    name: "concentration asset not a symbol",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH", 5], maxShare: "0.4" }]),
    path: "concentration[0].assets[1]",
    rule: "must be a string (got 5)",
  },
  {
    name: "maxShare above 1",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH"], maxShare: "1.5" }]),
    path: "concentration[0].maxShare",
    rule: 'must be between 0 and 1 (got "1.5")',
  },
  {
    name: "maxShare with 7 decimals",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH"], maxShare: "0.4000001" }]),
    path: "concentration[0].maxShare",
    rule: 'at most 6 decimal places (got "0.4000001")',
  },
  {
    name: "maxShare missing",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH"] }]),
    path: "concentration[0].maxShare",
    rule: "is required",
  },
  {
    name: "unknown concentration key",
    file: "policy",
    edit: (j) => (j.concentration = [{ assets: ["WETH"], maxShare: "0.4", cap: "1" }]),
    path: "concentration[0].cap",
    rule: 'unknown key "cap"',
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
    name: "price with 13 decimals",
    file: "market",
    edit: (j) => (j.prices.WETH = "0.0000123456789"),
    path: "prices.WETH",
    rule: 'at most 12 decimal places (got "0.0000123456789")',
  },
  {
    name: "negative price",
    file: "market",
    edit: (j) => (j.prices.BTC = "-1"),
    path: "prices.BTC",
    rule: 'must not be negative (got "-1")',
  },
  {
    name: "price at 2^80 x 1e-12 USD",
    file: "market",
    edit: (j) => (j.prices.BTC = "1208925819614.629174706176"),
    path: "prices.BTC",
    rule: 'must be below 2^80 x 1e-12 USD (got "1208925819614.629174706176")',
  },
  {
    name: "option mark at 2^64 µUSD",
    file: "market",
    edit: (j) => (j.options["ETH-26JUN26-3000-C"].mark = "18446744073709.551616"),
    path: "options.ETH-26JUN26-3000-C.mark",
    rule: 'must be below 2^64 µUSD (got "18446744073709.551616")',
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
    name: "scenario set without labels",
    file: "market",
    edit: (j) => (j.scenarios = { assets: {} }),
    path: "scenarios.labels",
    rule: "is required",
  },
  {
    name: "scenario set with no label",
    file: "market",
    edit: (j) => (j.scenarios = { labels: [] }),
    path: "scenarios.labels",
    rule: "must list at least one scenario",
  },
  {
    name: "empty scenario label",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.labels[1] = ""),
    path: "scenarios.labels[1]",
    rule: 'must be 1-64 printable ASCII characters without leading or trailing spaces (got "")',
  },
  {
    name: "scenario label with a trailing space",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.labels[0] = "down "),
    path: "scenarios.labels[0]",
    rule: 'must be 1-64 printable ASCII characters without leading or trailing spaces (got "down ")',
  },
  {
    name: "scenario labels not unique",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.labels[2] = "down"),
    path: "scenarios.labels[2]",
    rule: 'labels must be unique (got "down", also labels[0])',
  },
  {
    name: "asset scenario array shorter than the labels",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => j.scenarios.assets.WETH.pop(),
    path: "scenarios.assets.WETH",
    rule: "must have 4 entries, one per scenario label (got 3)",
  },
  {
    name: "perp scenario array longer than the labels",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => j.scenarios.perps["BTC-PERP"].push("1"),
    path: "scenarios.perps.BTC-PERP",
    rule: "must have 4 entries, one per scenario label (got 5)",
  },
  {
    name: "option risk arrays of another length than the labels",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => j.scenarios.labels.push("flat"),
    path: "options.ETH-26JUN26-3000-C.riskArray",
    rule: "must have 5 entries, one per scenario label (got 4)",
  },
  {
    name: "scenario entry with 13 decimals",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.assets.WETH[0] = "301.2550000000001"),
    path: "scenarios.assets.WETH[0]",
    rule: 'at most 12 decimal places (got "301.2550000000001")',
  },
  {
    name: "scenario entry below -2^79 x 1e-12 USD",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.perps["ETH-PERP"][3] = "-604462909807.314587353089"),
    path: "scenarios.perps.ETH-PERP[3]",
    rule: 'must be at least -2^79 and below 2^79 x 1e-12 USD (got "-604462909807.314587353089")',
  },
  {
    name: "scenario entry at 2^79 x 1e-12 USD",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.assets.USDC[0] = "604462909807.314587353088"),
    path: "scenarios.assets.USDC[0]",
    rule: 'must be at least -2^79 and below 2^79 x 1e-12 USD (got "604462909807.314587353088")',
  },
  {
    name: "scenario entry as a number",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.assets.WBTC[2] = 9125.04),
    path: "scenarios.assets.WBTC[2]",
    rule: "must be a decimal string, not a JSON number (got 9125.04)",
  },
  {
    name: "unknown scenario set key",
    file: "market",
    before: (d) => withScenarios(d.market),
    edit: (j) => (j.scenarios.weights = ["1", "1", "0.35", "0.35"]),
    path: "scenarios.weights",
    rule: 'unknown key "weights"',
  },
  {
    name: "portfolio-margin policy without a scenario set",
    file: "market",
    before: (d) => (d.policy.margin = "portfolio"),
    edit: () => undefined,
    path: "scenarios",
    rule: 'missing: the portfolio-margin policy "small-initial-v1" needs the round\'s joint scenario set',
  },
  {
    name: "portfolio-margin policy without an asset's risk array",
    file: "market",
    before: portfolioMargin,
    edit: (j) => delete j.scenarios.assets.WBTC,
    path: "scenarios.assets.WBTC",
    rule: 'missing: the portfolio-margin policy\'s asset "WBTC" needs a risk array',
  },
  {
    name: "portfolio-margin policy without a perp's risk array",
    file: "market",
    before: portfolioMargin,
    edit: (j) => delete j.scenarios.perps["ETH-PERP"],
    path: "scenarios.perps.ETH-PERP",
    rule: 'missing: the portfolio-margin policy\'s perp "ETH-PERP" needs a risk array',
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
    name: "perp size of 2^64 units of 10^-sizeDecimals",
    file: "portfolio",
    edit: (j) => (j.perps[1].size = "-184467440737095.51616"),
    path: "perps[1].size",
    rule: "magnitude must be below 2^64 units of 10^-sizeDecimals",
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
    name: "entry price with 13 decimals",
    file: "portfolio",
    edit: (j) => (j.perps[0].entryPrice = "3150.0000000000001"),
    path: "perps[0].entryPrice",
    rule: "at most 12 decimal places",
  },
  {
    name: "joint loss past 2^117 µUSD",
    file: "portfolio",
    before: (d) => {
      portfolioMargin(d);
      // BTC at 0: the perp's notional and PnL are 0, its scenario loss is not
      d.market.prices.BTC = "0";
      d.market.scenarios.perps["BTC-PERP"][0] = "100000000000";
      // whole units, so that a 64-bit size reaches 1.8e19 BTC
      d.policy.perps["BTC-PERP"].sizeDecimals = 0;
    },
    edit: (j) =>
      (j.perps[1] = { instrument: "BTC-PERP", size: "18000000000000000000", entryPrice: "0" }),
    path: "$",
    rule: 'joint loss in scenario "down" exceeds the circuit\'s 117-bit µUSD range',
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
    for (const [policyDir, marketDir, portfolioDir] of [
      ["desk", "desk", "desk"],
      ["desk", "desk", "shortfall"],
      ["small", "small", "small"],
      ["portfolio", "portfolio", "portfolio"],
      ["desk", "portfolio", "portfolio"],
      ["portfolio", "portfolio", "desk"],
    ]) {
      it(`loads ${portfolioDir}/portfolio.json with ${policyDir}/policy.json and ${marketDir}/market.json`, () => {
        const files = {
          policy: path.join(EXAMPLES, policyDir, "policy.json"),
          market: path.join(EXAMPLES, marketDir, "market.json"),
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
      expect(market.prices.get("WETH")).to.equal(3012_550000000000n);
      expect(market.scenarios).to.equal(null);
      expect(market.options.get("ETH-26JUN26-3000-C")?.riskArrayMicroUsd[7]).to.equal(-540_200000n);
      const portfolio = loadPortfolio(path.join(EXAMPLES, "desk", "portfolio.json"), policy);
      expect(portfolio.collateral.get("WETH")).to.equal(150_250000000000000000n);
      expect(portfolio.perps.get("ETH-PERP")).to.deep.equal({
        size: -2_000_000n,
        entryPrice: 3150_000000000000n,
      });
      expect(portfolio.options.get("ETH-26JUN26-3000-C")).to.equal(-50n);
      // model v2 defaults: a file without "margin" and "concentration"
      expect(policy.margin).to.equal("standard");
      expect(policy.concentration).to.deep.equal([]);
    });

    it("parses the portfolio example's margin kind, groups and scenario set", () => {
      const policy = loadPolicy(path.join(EXAMPLES, "portfolio", "policy.json"));
      expect(policy.margin).to.equal("portfolio");
      expect(policy.concentration).to.deep.equal([
        { assets: ["WETH", "wstETH"], maxSharePpm: 750_000n },
        { assets: ["USDT"], maxSharePpm: 250_000n },
      ]);
      const market = loadMarket(path.join(EXAMPLES, "portfolio", "market.json"));
      const set = market.scenarios;
      expect(set?.labels).to.have.length(8);
      expect(set?.labels[6]).to.equal("crash: ETH -25% BTC -20%");
      expect([...(set?.assets.keys() ?? [])]).to.deep.equal(policy.assets.map((a) => a.symbol));
      expect([...(set?.perps.keys() ?? [])]).to.deep.equal(["ETH-PERP", "BTC-PERP"]);
      expect(set?.assets.get("WETH")?.[6]).to.equal(753_137500000000n);
      expect(set?.assets.get("USDC")?.[6]).to.equal(4_999750000n);
      expect(set?.perps.get("ETH-PERP")?.[7]).to.equal(-753_137500000000n);
    });

    it("reads 12-decimal prices exactly (SHIB/PEPE-like tokens)", () => {
      const docs = structuredClone(base);
      docs.market.prices.WETH = "0.000012345678";
      docs.market.prices.BTC = "0.000000000001";
      const market = parseMarket(docs.market, FILES.market);
      expect(market.prices.get("WETH")).to.equal(12_345_678n);
      expect(market.prices.get("BTC")).to.equal(1n);
      docs.portfolio.perps[0].entryPrice = "0.000000987654";
      const policy = parsePolicy(docs.policy, FILES.policy);
      const portfolio = parsePortfolio(docs.portfolio, FILES.portfolio, policy);
      expect(portfolio.perps.get("ETH-PERP")?.entryPrice).to.equal(987_654n);
    });

    it("accepts a perp size of 2^64 - 1 units and a sizeDecimals of 12", () => {
      const docs = structuredClone(base);
      docs.portfolio.perps[1].size = "-184467440737095.51615";
      const policy = parsePolicy(docs.policy, FILES.policy);
      const portfolio = parsePortfolio(docs.portfolio, FILES.portfolio, policy);
      expect(portfolio.perps.get("BTC-PERP")?.size).to.equal(-((1n << 64n) - 1n));
      docs.policy.perps["BTC-PERP"].sizeDecimals = 12;
      expect(parsePolicy(docs.policy, FILES.policy).perps[1].sizeDecimals).to.equal(12);
    });

    it("a standard policy accepts a scenario set without an asset's or perp's array", () => {
      expect(() =>
        parseEdited(
          "market",
          (j) => {
            delete j.scenarios.assets.WBTC;
            delete j.scenarios.perps;
          },
          (d) => withScenarios(d.market),
        ),
      ).not.to.throw();
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
        const error = caught(() => parseEdited(c.file, c.edit, c.before));
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
      const oversized = new Map(portfolio.perps);
      oversized.set("BTC-PERP", { size: -(1n << 64n), entryPrice: 1n });
      expect(check(policy, market, { ...portfolio, perps: oversized })).to.deep.include({
        path: "perps[1].size",
        rule: "magnitude must be below 2^64 units of 10^-sizeDecimals",
      });
      const pnl = new Map(portfolio.perps);
      pnl.set("ETH-PERP", { size: 1_000_000n, entryPrice: (1n << 80n) - 1n });
      expect(check(policy, market, { ...portfolio, perps: pnl })).to.deep.include({
        file: FILES.portfolio,
        path: "perps[0].size",
        rule: "unrealized PnL exceeds the circuit's 60-bit µUSD range",
      });
    });

    it("refuses an in-memory round whose scenario set breaks the market rules", () => {
      const docs = structuredClone(base);
      portfolioMargin(docs);
      const p = parsePolicy(docs.policy, FILES.policy);
      const m = parseMarket(docs.market, FILES.market);
      const q = parsePortfolio(docs.portfolio, FILES.portfolio, p);
      const set = m.scenarios!;
      expect(() => checkConsistency(p, m, q, FILES)).not.to.throw();
      expect(
        check(p, { ...m, scenarios: { ...set, labels: ["a", "b", "a", "c"] } }, q),
      ).to.deep.include({
        file: FILES.market,
        path: "scenarios.labels[2]",
        rule: 'labels must be unique (got "a", also labels[0])',
      });
      expect(check(p, { ...m, scenarios: { ...set, labels: ["a", "b", "c"] } }, q)).to.deep.include(
        {
          path: "options.ETH-26JUN26-3000-C.riskArray",
          rule: "must have 3 entries, one per scenario label (got 4)",
        },
      );
      const wide = new Map(set.assets);
      wide.set("WETH", [0n, 1n << 79n, 0n, 0n]);
      expect(check(p, { ...m, scenarios: { ...set, assets: wide } }, q)).to.deep.include({
        path: "scenarios.assets.WETH[1]",
        rule: "must be at least -2^79 and below 2^79 x 1e-12 USD (got 604462909807.314587353088)",
      });
      expect(check(p, { ...m, scenarios: null }, q)).to.deep.include({
        path: "scenarios",
        rule: 'missing: the portfolio-margin policy "small-initial-v1" needs the round\'s joint scenario set',
      });
      const standard = { ...p, margin: "standard" as const };
      expect(() => checkConsistency(standard, { ...m, scenarios: null }, q, FILES)).not.to.throw();
      const prices = new Map(m.prices);
      prices.set("WETH", 1n << 80n);
      expect(check(p, { ...m, prices }, q)).to.deep.include({
        path: "prices.WETH",
        rule: "must be below 2^80 x 1e-12 USD (got 1208925819614.629174706176)",
      });
    });

    it("lists every broken concentration rule of an in-memory policy", () => {
      const p = parsePolicy(base.policy, FILES.policy);
      const broken: Policy = {
        ...p,
        margin: "cross" as Policy["margin"],
        concentration: [
          { assets: [], maxSharePpm: 0n },
          { assets: ["WETH", "DOGE", "WETH"], maxSharePpm: 1_000_001n },
          { assets: ["USDC", "WETH"], maxSharePpm: -1n },
        ],
      };
      expect(policyProblems(broken)).to.deep.equal([
        { path: "margin", rule: 'must be one of "standard", "portfolio" (got "cross")' },
        { path: "concentration[0].assets", rule: "must list at least one asset" },
        {
          path: "concentration[1].assets[1]",
          rule: 'unknown asset "DOGE" (not in the policy)',
        },
        { path: "concentration[1].assets[2]", rule: '"WETH" is listed twice in this group' },
        { path: "concentration[1].maxShare", rule: "must be between 0 and 1 (got 1.000001)" },
        {
          path: "concentration[2].assets[1]",
          rule: '"WETH" is already in concentration[1] (an asset may be in one group only)',
        },
        { path: "concentration[2].maxShare", rule: "must be between 0 and 1 (got -0.000001)" },
      ]);
      expect(
        policyProblems({ ...p, concentration: [{ assets: ["WETH"], maxSharePpm: 0n }] }),
      ).to.deep.equal([]);
    });

    it("parses every generated triple back from its JSON form @property", () => {
      const dims = {
        assets: 6,
        perps: 3,
        options: 2,
        scenarios: 8,
        tiers: 3,
        groups: 2,
        joint: 1 as const,
        pledges: 1,
      };
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
