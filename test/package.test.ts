/**
 * The npm package as a new project gets it: `npm pack` (its prepack: a clean build of prover/dist
 * and the contract artifacts), the tarball installed into a fresh project from npm's cache
 * (`--prefer-offline`), and from that project: `require("zkmargin")` computes the margin report
 * and the commitments of the example files, ESM named imports, a TypeScript file type-checked by
 * tsc against the package's declarations, the contract ABIs by their export, and the installed
 * `zkmargin` binary. Every figure is compared with the same computation on the sources.
 *
 * About a minute on a quiet machine (more when Hardhat has not compiled the contracts yet).
 * `npm run test:package` also sets up keys, proves and verifies from the installed package.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { loadArtifact } from "../prover/src/chain/artifacts";
import { commitments } from "../prover/src/commitments";
import { loadInstances, smallestFittingInstance } from "../prover/src/encoding";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";

const ROOT = path.resolve(__dirname, "..");
const DESK = path.join(ROOT, "examples", "desk");
const OUR_PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
};
/** Also set up keys, prove and verify from the installed package (minutes): `npm run test:package`. */
const PROVE = process.env.ZKMARGIN_PACKAGE_PROVE === "1";
/** The salt of the commitments both sides compute. */
const SALT = 4242n;

/** JSON with bigints as decimal strings (the same on both sides). */
const CONSUMER_JSON =
  "(value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))";
const toJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));

/** What the consumer's CommonJS script prints: report, commitments, version, ABIs. */
const SDK_SCRIPT = `
const zk = require("zkmargin");
const json = ${CONSUMER_JSON};
const example = (file) => require.resolve("zkmargin/examples/desk/" + file);
(async () => {
  const policy = zk.loadPolicy(example("policy.json"));
  const market = zk.loadMarket(example("market.json"));
  const portfolio = zk.loadPortfolio(example("portfolio.json"), policy);
  const instance = zk.smallestFittingInstance(policy, market);
  const commitments = await zk.commitments({
    policy, market, portfolio, salt: ${SALT}n, instance: zk.loadInstances()[instance],
  });
  process.stdout.write(json({
    entry: require.resolve("zkmargin"),
    version: zk.TOOL_VERSION,
    report: zk.computeMargin(policy, market, portfolio),
    instance,
    commitments,
    exportedAbi: require("zkmargin/artifacts/MarginRegistry.json").abi,
    loadedAbi: zk.loadArtifact("MarginRegistry").abi,
  }));
})();
`;

/** An ES module with named imports (Node's CommonJS named-export detection). */
const ESM_SCRIPT = `
import { computeMargin, loadMarket, loadPolicy, loadPortfolio, TOOL_VERSION } from "zkmargin";
import { createRequire } from "node:module";
const example = createRequire(import.meta.url).resolve;
const policy = loadPolicy(example("zkmargin/examples/desk/policy.json"));
const report = computeMargin(
  policy,
  loadMarket(example("zkmargin/examples/desk/market.json")),
  loadPortfolio(example("zkmargin/examples/desk/portfolio.json"), policy),
);
process.stdout.write(JSON.stringify({ version: TOOL_VERSION, excess: report.excessMicroUsd.toString() }));
`;

/** A TypeScript consumer: the declarations must type it (the expect-error fails under `any`). */
const TS_SOURCE = `
import { computeMargin, loadMarket, loadPolicy, loadPortfolio, type MarginReport, type Policy } from "zkmargin";

const example = (file: string): string => require.resolve(\`zkmargin/examples/desk/\${file}\`);
const policy: Policy = loadPolicy(example("policy.json"));
const report: MarginReport = computeMargin(
  policy,
  loadMarket(example("market.json")),
  loadPortfolio(example("portfolio.json"), policy),
);
// @ts-expect-error the declarations type the report: equity is a bigint, not a string
const wrong: string = report.equityMicroUsd;
void wrong;
const equity: bigint = report.equityMicroUsd;
process.stdout.write(JSON.stringify({ sufficient: report.sufficient, equity: equity.toString() }));
`;

const TS_CONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "node16",
    moduleResolution: "node16",
    strict: true,
    types: ["node"],
    outDir: "out",
  },
  files: ["typed.ts"],
};

/** Runs a command with a time bound; throws with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, CI: "true" },
  });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

describe("npm package: pack, install in a new project, use", function () {
  let scratch: string;
  let project: string;
  let installed: string;
  let files: string[];

  before(function () {
    this.timeout(30 * 60_000); // each command below has its own bound
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-package-"));
    const packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT, 20 * 60_000),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0].files.map((f) => f.path).sort();

    project = path.join(scratch, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, "package.json"),
      `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`,
    );
    const typescript = `typescript@${OUR_PACKAGE.devDependencies.typescript}`;
    const nodeTypes = `@types/node@${OUR_PACKAGE.devDependencies["@types/node"]}`;
    const tarball = path.join(scratch, packed[0].filename);
    const install = ["install", "--prefer-offline", "--no-audit", "--no-fund"];
    run("npm", [...install, tarball, typescript, nodeTypes], project, 10 * 60_000);
    installed = path.join(project, "node_modules", "zkmargin");
  });

  after(() => {
    if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("the tarball holds the compiled SDK, the circuits, the contracts and examples, and nothing else", () => {
    const allowed = [
      /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|hardhat\.config\.js)$/,
      /^bin\/zkmargin\.js$/,
      /^prover\/load\.js$/,
      /^prover\/dist\/.+\.(js|d\.ts)$/,
      /^circuits\/(lib\/)?[a-z-]+\.circom$/,
      /^circuits\/(instances\.json|README\.md)$/,
      /^verifier-contracts\/README\.md$/,
      /^verifier-contracts\/contracts\/(interfaces\/)?\w+\.sol$/,
      /^verifier-contracts\/artifacts\/\w+\.json$/,
      /^examples\/.+\.(json|csv|md)$/,
      // The native prover's sources: the package's install script builds them (native/build.js).
      /^native\/(binding\.gyp|build\.js|src\/\w+\.(cpp|hpp))$/,
    ];
    for (const file of files) {
      expect(
        allowed.some((pattern) => pattern.test(file)),
        file,
      ).to.equal(true);
    }
    // Every module of the SDK, compiled with its declarations (bench/ and gas/ are the
    // checkout's measuring tools, which the SDK does not import).
    const sources = path.join(ROOT, "prover", "src");
    const modules = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return modules(full);
        return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
      });
    for (const source of modules(sources)) {
      const base = path.relative(sources, source).replace(/\.ts$/, "");
      if (/^(bench|gas)\//.test(base)) continue;
      expect(files, source).to.include.members([
        `prover/dist/${base}.js`,
        `prover/dist/${base}.d.ts`,
      ]);
    }
    expect(files).to.include.members([
      "LICENSE",
      "README.md",
      "circuits/instances.json",
      "circuits/margin.circom",
      "examples/desk/policy.json",
      "hardhat.config.js", // zkmargin demo compiles the contracts with Hardhat
      "verifier-contracts/contracts/MarginRegistry.sol",
    ]);
    // Every hand-written contract's artifact, as Hardhat compiled it (not the test fixtures).
    for (const name of ["MarginRegistry", "MarketBook", "PolicyRegistry"]) {
      expect(files).to.include(`verifier-contracts/artifacts/${name}.json`);
    }
    expect(files.filter((f) => /(^|\/)(test|generated)\//.test(f))).to.deep.equal([]);
    // postpack removed the copies: the checkout reads Hardhat's own output again.
    expect(fs.existsSync(path.join(ROOT, "verifier-contracts", "artifacts"))).to.equal(false);
  });

  it("installs as a public package with an exports map, and without tsx", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as {
      private?: boolean;
      exports: Record<string, unknown>;
      types: string;
    };
    expect(manifest.private).to.equal(undefined);
    expect(manifest.exports["."]).to.deep.equal({
      types: "./prover/dist/index.d.ts",
      require: "./prover/dist/index.js",
      default: "./prover/dist/index.js",
    });
    expect(fs.existsSync(path.join(installed, manifest.types))).to.equal(true);
    // tsx is a devDependency: nothing the package runs can need it.
    expect(fs.existsSync(path.join(project, "node_modules", "tsx"))).to.equal(false);
  });

  it('require("zkmargin") computes the example\'s margin report and commitments, as the sources do', async () => {
    fs.writeFileSync(path.join(project, "sdk.js"), SDK_SCRIPT);
    const got = JSON.parse(run(process.execPath, ["sdk.js"], project, 120_000)) as Record<
      string,
      unknown
    >;
    const policy = loadPolicy(path.join(DESK, "policy.json"));
    const market = loadMarket(path.join(DESK, "market.json"));
    const portfolio = loadPortfolio(path.join(DESK, "portfolio.json"), policy);
    const instance = smallestFittingInstance(policy, market);
    const expected = await commitments({
      policy,
      market,
      portfolio,
      salt: SALT,
      instance: loadInstances()[instance],
    });
    expect(got.entry).to.equal(path.join(fs.realpathSync(installed), "prover", "dist", "index.js"));
    expect(got.version).to.equal(OUR_PACKAGE.version);
    expect(got.report).to.deep.equal(toJson(computeMargin(policy, market, portfolio)));
    expect(got.instance).to.equal(instance);
    expect(got.commitments).to.deep.equal(toJson(expected));
    const abi = toJson(loadArtifact("MarginRegistry").abi);
    expect(got.exportedAbi).to.deep.equal(abi);
    expect(got.loadedAbi).to.deep.equal(abi);
  });

  it("an ES module imports the SDK by name", () => {
    fs.writeFileSync(path.join(project, "esm.mjs"), ESM_SCRIPT);
    const got = JSON.parse(run(process.execPath, ["esm.mjs"], project, 120_000)) as unknown;
    const policy = loadPolicy(path.join(DESK, "policy.json"));
    const report = computeMargin(
      policy,
      loadMarket(path.join(DESK, "market.json")),
      loadPortfolio(path.join(DESK, "portfolio.json"), policy),
    );
    expect(got).to.deep.equal({
      version: OUR_PACKAGE.version,
      excess: report.excessMicroUsd.toString(),
    });
  });

  it("a TypeScript file type-checks against the declarations (strict, node16) and runs", () => {
    fs.writeFileSync(path.join(project, "typed.ts"), TS_SOURCE);
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TS_CONFIG, null, 2));
    const tsc = path.join(project, "node_modules", "typescript", "bin", "tsc");
    run(process.execPath, [tsc, "-p", "tsconfig.json"], project, 5 * 60_000);
    const got = JSON.parse(
      run(process.execPath, [path.join("out", "typed.js")], project, 120_000),
    ) as unknown;
    const policy = loadPolicy(path.join(DESK, "policy.json"));
    const report = computeMargin(
      policy,
      loadMarket(path.join(DESK, "market.json")),
      loadPortfolio(path.join(DESK, "portfolio.json"), policy),
    );
    expect(got).to.deep.equal({
      sufficient: report.sufficient,
      equity: report.equityMicroUsd.toString(),
    });
  });

  it("the installed zkmargin binary runs the compiled CLI: --version, margin, a clear refusal", () => {
    const bin = path.join(project, "node_modules", ".bin", "zkmargin");
    expect(run(bin, ["--version"], project, 120_000).trim()).to.equal(OUR_PACKAGE.version);
    const example = (file: string) => path.join(installed, "examples", "desk", file);
    const margin = JSON.parse(
      run(
        bin,
        [
          "margin",
          "--policy",
          example("policy.json"),
          "--market",
          example("market.json"),
          "--portfolio",
          example("portfolio.json"),
          "--json",
        ],
        project,
        120_000,
      ),
    ) as Record<string, unknown>;
    const policy = loadPolicy(path.join(DESK, "policy.json"));
    const report = computeMargin(
      policy,
      loadMarket(path.join(DESK, "market.json")),
      loadPortfolio(path.join(DESK, "portfolio.json"), policy),
    );
    expect(margin.equityMicroUsd).to.equal(report.equityMicroUsd.toString());
    expect(margin.excessMicroUsd).to.equal(report.excessMicroUsd.toString());
    expect(margin.sufficient).to.equal(report.sufficient);
    // The verify page is built from a checkout: the package says so instead of failing obscurely.
    const web = spawnSync(bin, ["web", "--build-only"], {
      cwd: project,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(web.status).to.equal(1);
    expect(web.stderr).to.include("the npm package does not ship them");
  });

  // Minutes (the circuit compiles, phase 2 runs): `npm run test:package` sets the flag.
  (PROVE ? it : it.skip)(
    "from the installed package: setup compiles the circuit and makes keys, prove and verify use them",
    function () {
      this.timeout(30 * 60_000); // each command has its own bound
      const bin = path.join(project, "node_modules", ".bin", "zkmargin");
      const example = (file: string) => path.join(installed, "examples", "small", file);
      run(bin, ["setup", "--instance", "small"], project, 20 * 60_000);
      expect(fs.existsSync(path.join(installed, "build", "manifest.json"))).to.equal(true);
      const out = path.join(project, "out");
      const proving = ["--policy", example("policy.json"), "--market", example("market.json")];
      run(
        bin,
        [
          "prove",
          ...proving,
          "--portfolio",
          example("portfolio.json"),
          "--instance",
          "small",
        ].concat(["--nonce", "1", "--out", out]),
        project,
        5 * 60_000,
      );
      const verify = ["verify", "--proof", path.join(out, "proof.json")];
      verify.push("--public", path.join(out, "public.json"), "--instance", "small");
      expect(run(bin, verify, project, 5 * 60_000)).to.include("valid");
    },
  );
});
