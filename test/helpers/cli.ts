/**
 * Helpers for CLI and SDK tests: run `node bin/zkmargin.js` as a user would (CI=true, so no
 * progress bars), and write mutated copies of the `small` examples to a temporary folder.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const BIN = path.join(ROOT, "bin", "zkmargin.js");
export const SMALL_EXAMPLES = path.join(ROOT, "examples", "small");

/** What a CLI run produced. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` in `cwd` (default: the project root), with CI=true and extra `env`. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
const created: string[] = [];
export function tempDir(prefix = "zkmargin-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir}. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** One of the three example documents. */
export type ExampleName = "policy" | "market" | "portfolio";

/** A deep copy of examples/small/<name>.json as a plain JSON value. */
export function example(name: ExampleName): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(SMALL_EXAMPLES, `${name}.json`), "utf8")) as Record<
    string,
    unknown
  >;
}

/** The three documents as loose JSON, for mutation by tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Docs = Record<ExampleName, Record<string, any>>;

/** Paths of the three input files in a folder. */
export interface InputPaths {
  policy: string;
  market: string;
  portfolio: string;
}

/**
 * Writes the three small examples into a new temporary folder, after `mutate` has changed the
 * parsed documents in place (or replaced a file's text, by returning it under that name).
 */
export function writeInputs(
  mutate: (docs: Docs) => Partial<Record<ExampleName, string>> | void = () => undefined,
): InputPaths {
  const dir = tempDir();
  const docs = {
    policy: example("policy"),
    market: example("market"),
    portfolio: example("portfolio"),
  };
  const raw = mutate(docs) ?? {};
  const files = {} as InputPaths;
  for (const name of ["policy", "market", "portfolio"] as const) {
    files[name] = path.join(dir, `${name}.json`);
    fs.writeFileSync(files[name], raw[name] ?? JSON.stringify(docs[name], null, 2));
  }
  return files;
}

/** `--policy A --market B --portfolio C`. */
export function inputArgs(files: InputPaths): string[] {
  return ["--policy", files.policy, "--market", files.market, "--portfolio", files.portfolio];
}

/** Every file (relative path) under `dir`, recursively; empty when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) =>
    fs.statSync(path.join(dir, f)).isFile(),
  );
}

// Bad inputs: each mutates the `small` example files and names the exact file and JSON path
// the refusal must point at. Used by the SDK test (in-process) and the CLI test (spawned).

/** One bad input. */
export interface BadInput {
  name: string;
  mutate: (docs: Docs) => Partial<Record<ExampleName, string>> | void;
  /** The file the error must name. */
  file: ExampleName;
  /** The exact JSON path the error must name. */
  path: string;
  /** A fragment of the rule. */
  rule: RegExp;
}

const WETH_TIERS = (d: Docs) => d.policy.assets.WETH.tiers;
const ETH_PERP_TIERS = (d: Docs) => d.policy.perps["ETH-PERP"].tiers;

export const BAD_INPUTS: BadInput[] = [
  // policy.json
  {
    name: "policy is not JSON",
    mutate: () => ({ policy: "{ id: " }),
    file: "policy",
    path: "$",
    rule: /JSON/,
  },
  {
    name: "minRatio as a JSON number",
    mutate: (d) => void (d.policy.minRatio = 1.25),
    file: "policy",
    path: "minRatio",
    rule: /number/,
  },
  {
    name: "minRatio zero",
    mutate: (d) => void (d.policy.minRatio = "0"),
    file: "policy",
    path: "minRatio",
    rule: /./,
  },
  {
    name: "negative buffer",
    mutate: (d) => void (d.policy.buffer = "-1"),
    file: "policy",
    path: "buffer",
    rule: /negative/,
  },
  {
    name: "shortOptionMinimum past µUSD precision",
    mutate: (d) => void (d.policy.shortOptionMinimum = "0.0000001"),
    file: "policy",
    path: "shortOptionMinimum",
    rule: /decimal places/,
  },
  {
    name: "unknown mode",
    mutate: (d) => void (d.policy.mode = "weekly"),
    file: "policy",
    path: "mode",
    rule: /initial/,
  },
  {
    name: "unknown policy key",
    mutate: (d) => void (d.policy.extra = 1),
    file: "policy",
    path: "extra",
    rule: /unknown key/,
  },
  {
    name: "missing policy id",
    mutate: (d) => void delete d.policy.id,
    file: "policy",
    path: "id",
    rule: /required/,
  },
  {
    name: "asset decimals above 18",
    mutate: (d) => void (d.policy.assets.WETH.decimals = 19),
    file: "policy",
    path: "assets.WETH.decimals",
    rule: /18/,
  },
  {
    name: "haircut weights increasing",
    mutate: (d) => void (WETH_TIERS(d)[1].weight = "0.95"),
    file: "policy",
    path: "assets.WETH.tiers[1].weight",
    rule: /increas/,
  },
  {
    name: "weight above 1",
    mutate: (d) => void (d.policy.assets.USDC.tiers[0].weight = "1.5"),
    file: "policy",
    path: "assets.USDC.tiers[0].weight",
    rule: /./,
  },
  {
    name: "unbounded tier before the last",
    mutate: (d) => void (WETH_TIERS(d)[0].upTo = null),
    file: "policy",
    path: "assets.WETH.tiers[0].upTo",
    rule: /./,
  },
  {
    name: "tier bound not whole USD",
    mutate: (d) => void (WETH_TIERS(d)[0].upTo = "5000000.5"),
    file: "policy",
    path: "assets.WETH.tiers[0].upTo",
    rule: /./,
  },
  {
    name: "perp rates decreasing",
    mutate: (d) => void (ETH_PERP_TIERS(d)[1].rate = "0.01"),
    file: "policy",
    path: "perps.ETH-PERP.tiers[1].rate",
    rule: /decreas/,
  },
  {
    name: "more assets than any set-up instance",
    mutate: (d) => {
      d.policy.assets.DAI = { decimals: 18, tiers: [{ upTo: null, weight: "1.0" }] };
      d.market.prices.DAI = "1.0";
    },
    file: "policy",
    path: "$",
    rule: /instance "demo" would fit/,
  },
  // market.json
  {
    name: "market is not JSON",
    mutate: () => ({ market: "[1, 2" }),
    file: "market",
    path: "$",
    rule: /JSON/,
  },
  {
    name: "round as a string",
    mutate: (d) => void (d.market.round = "7"),
    file: "market",
    path: "round",
    rule: /./,
  },
  {
    name: "negative timestamp",
    mutate: (d) => void (d.market.timestamp = -1),
    file: "market",
    path: "timestamp",
    rule: /./,
  },
  {
    name: "price in exponent notation",
    mutate: (d) => void (d.market.prices.WETH = "3e3"),
    file: "market",
    path: "prices.WETH",
    rule: /exponent/,
  },
  {
    name: "negative price",
    mutate: (d) => void (d.market.prices.WBTC = "-91250.4"),
    file: "market",
    path: "prices.WBTC",
    rule: /negative/,
  },
  {
    name: "price with 13 decimals",
    mutate: (d) => void (d.market.prices.USDC = "0.9999500000001"),
    file: "market",
    path: "prices.USDC",
    rule: /12 decimal places/,
  },
  {
    name: "asset without a price",
    mutate: (d) => void delete d.market.prices.WBTC,
    file: "market",
    path: "prices.WBTC",
    rule: /./,
  },
  {
    name: "perp underlying without a price",
    mutate: (d) => void delete d.market.prices.BTC,
    file: "market",
    path: "prices.BTC",
    rule: /./,
  },
  {
    name: "risk array of the wrong length",
    mutate: (d) => void d.market.options["ETH-26JUN26-2600-P"].riskArray.pop(),
    file: "market",
    path: "options.ETH-26JUN26-2600-P.riskArray",
    rule: /./,
  },
  {
    name: "option series without a quote",
    mutate: (d) => void delete d.market.options["ETH-26JUN26-3000-C"],
    file: "market",
    path: "options.ETH-26JUN26-3000-C",
    rule: /./,
  },
  // portfolio.json
  {
    name: "portfolio is not JSON",
    mutate: () => ({ portfolio: "" }),
    file: "portfolio",
    path: "$",
    rule: /JSON/,
  },
  {
    name: "account with a bad checksum",
    mutate: (d) => void (d.portfolio.account = "0x70997970c51812dc3A010C7d01b50e0d17dc79C8"),
    file: "portfolio",
    path: "account",
    rule: /checksum/,
  },
  {
    name: "negative collateral",
    mutate: (d) => void (d.portfolio.collateral.USDC = "-5"),
    file: "portfolio",
    path: "collateral.USDC",
    rule: /negative/,
  },
  {
    name: "unknown asset",
    mutate: (d) => void (d.portfolio.collateral.DOGE = "1"),
    file: "portfolio",
    path: "collateral.DOGE",
    rule: /unknown asset/,
  },
  {
    name: "WBTC amount with 9 decimals",
    mutate: (d) => void (d.portfolio.collateral.WBTC = "1.000000001"),
    file: "portfolio",
    path: "collateral.WBTC",
    rule: /8 decimal places/,
  },
  {
    name: "amount past 96 bits",
    mutate: (d) => void (d.portfolio.collateral.USDC = (2n ** 96n).toString()),
    file: "portfolio",
    path: "collateral.USDC",
    rule: /2\^96/,
  },
  {
    name: "amount as a JSON number",
    mutate: (d) => void (d.portfolio.collateral.WETH = 40.5),
    file: "portfolio",
    path: "collateral.WETH",
    rule: /number/,
  },
  {
    name: "unknown perp instrument",
    mutate: (d) => void (d.portfolio.perps[0].instrument = "SOL-PERP"),
    file: "portfolio",
    path: "perps[0].instrument",
    rule: /unknown/,
  },
  {
    name: "perp size past sizeDecimals",
    mutate: (d) => void (d.portfolio.perps[0].size = "-60.00001"),
    file: "portfolio",
    path: "perps[0].size",
    rule: /4 decimal places/,
  },
  {
    name: "duplicate perp position",
    mutate: (d) => void (d.portfolio.perps[1].instrument = "ETH-PERP"),
    file: "portfolio",
    path: "perps[1].instrument",
    rule: /duplicate/,
  },
  {
    name: "entry price as a JSON number",
    mutate: (d) => void (d.portfolio.perps[0].entryPrice = 3150),
    file: "portfolio",
    path: "perps[0].entryPrice",
    rule: /number/,
  },
  {
    name: "fractional option quantity",
    mutate: (d) => void (d.portfolio.options[0].quantity = "-20.5"),
    file: "portfolio",
    path: "options[0].quantity",
    rule: /decimal places/,
  },
  {
    name: "option quantity past 48 bits",
    mutate: (d) => void (d.portfolio.options[1].quantity = (2n ** 48n).toString()),
    file: "portfolio",
    path: "options[1].quantity",
    rule: /2\^48/,
  },
  {
    name: "unknown portfolio key",
    mutate: (d) => void (d.portfolio.note = "x"),
    file: "portfolio",
    path: "note",
    rule: /unknown key/,
  },
];
