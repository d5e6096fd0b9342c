/**
 * The npm package as a new project gets it. Two levels:
 *
 * - Always (about half a minute): the checkout's build through the package's own `exports` map.
 *   `npm pack --dry-run` lists what the tarball would hold; every module the compiled code
 *   requires is a dependency (not a devDependency such as tsx); and from a folder inside the
 *   package (Node and TypeScript resolve a package's own name through its `exports`):
 *   `require("zkmargin")` computes the margin report and the commitments of the example files, ES
 *   modules import it by name, a TypeScript file type-checks against the declarations, and the
 *   `zkmargin` binary runs the compiled CLI.
 * - `npm run test:package` (ZKMARGIN_PACKAGE_INSTALL=1; minutes): `npm pack` for real (its
 *   prepack: a clean build of prover/dist and the contract artifacts), the tarball installed into
 *   a fresh project from npm's cache (`--prefer-offline`; its install script builds the native
 *   prover as `npm ci` does), the same checks from that project, then setup, prove and verify
 *   from the installed package.
 *
 * Every figure is compared with the same computation on the sources.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { loadArtifact } from "../prover/src/chain/artifacts";
import { commitments } from "../prover/src/commitments";
import { loadInstances, smallestFittingInstance } from "../prover/src/encoding";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { ADDON_FILE } from "../prover/src/native";
import { compileContracts } from "./contracts.fixture";

const ROOT = path.resolve(__dirname, "..");
const DESK = path.join(ROOT, "examples", "desk");
const OUR_PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Pack, install into a new project and prove from it (minutes): `npm run test:package`. */
const INSTALL = process.env.ZKMARGIN_PACKAGE_INSTALL === "1";
/** The salt of the commitments both sides compute. */
const SALT = 4242n;

/** JSON with bigints as decimal strings (the same on both sides). */
const CONSUMER_JSON =
  "(value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))";
const toJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));

/**
 * What the consumer's CommonJS script prints: report, commitments, version, ABIs (the packaged
 * artifact `zkmargin/artifacts/<Name>.json` only where `prepack` made it: in a packed tarball).
 */
const sdkScript = (packagedArtifacts: boolean) => `
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
    exportedAbi: ${packagedArtifacts ? 'require("zkmargin/artifacts/MarginRegistry.json").abi' : "null"},
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
    // Inside the package (the checkout's check), TypeScript needs it to resolve the package's
    // own name through its exports map.
    rootDir: ".",
    outDir: "out",
  },
  files: ["typed.ts"],
};

/** Runs a command with a time bound; throws with its output when it fails. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: Record<string, string> = {},
): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, CI: "true", ...env },
  });
  if (result.error) throw new Error(`${command} ${args.join(" ")}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The margin report of examples/desk, computed on the sources. */
function deskReport() {
  const policy = loadPolicy(path.join(DESK, "policy.json"));
  const market = loadMarket(path.join(DESK, "market.json"));
  const portfolio = loadPortfolio(path.join(DESK, "portfolio.json"), policy);
  return { policy, market, portfolio, report: computeMargin(policy, market, portfolio) };
}

/** The files of `npm pack --json` output (its last JSON document). */
function packedFiles(json: string): { filename: string; files: string[] } {
  const packed = JSON.parse(json) as { filename: string; files: { path: string }[] }[];
  return { filename: packed[0].filename, files: packed[0].files.map((f) => f.path).sort() };
}

/**
 * The tarball's files: nothing but the compiled SDK, the circuits, the contracts and examples;
 * every SDK module compiled with its declarations.
 */
function expectPackageFiles(files: string[]): void {
  const allowed = [
    /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|hardhat\.config\.js)$/,
    /^bin\/zkmargin\.js$/,
    /^prover\/load\.js$/,
    /^prover\/dist\/.+\.(js|d\.ts)$/,
    /^circuits\/(lib\/)?[a-z-]+\.circom$/,
    /^circuits\/(instances\.json|README\.md)$/,
    /^verifier-contracts\/README\.md$/,
    /^verifier-contracts\/contracts\/((interfaces|examples)\/)?\w+\.sol$/,
    /^verifier-contracts\/artifacts\/\w+\.json$/,
    /^examples\/.+\.(json|csv|md)$/,
    /^docs\/[\w-]+\.md$/, // the specification
    // The native prover's sources: the package's install script builds them (native/build.js).
    /^native\/(binding\.gyp|build\.js|src\/\w+\.(cpp|hpp))$/,
  ];
  for (const file of files) {
    expect(
      allowed.some((pattern) => pattern.test(file)),
      file,
    ).to.equal(true);
  }
  // Every module of the SDK, compiled with its declarations (bench/ and gas/ are the checkout's
  // measuring tools, which the SDK does not import).
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
    "docs/formats.md",
    "examples/desk/policy.json",
    "hardhat.config.js", // zkmargin demo compiles the contracts with Hardhat
    "native/binding.gyp",
    "native/build.js",
    "verifier-contracts/contracts/MarginRegistry.sol",
    "verifier-contracts/contracts/interfaces/IMarginOracle.sol", // what a consumer builds on
    "verifier-contracts/contracts/examples/ExamplePerpVenue.sol",
  ]);
  expect(files.filter((f) => /(^|\/)(test|generated)\//.test(f))).to.deep.equal([]);
}

/** Every `*.js` file under `dir`. */
function jsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}

/**
 * What a consumer does with the package, from `consumer()` (a folder where `require("zkmargin")`
 * finds it) with `bin()` (the command that runs its `zkmargin` binary); `installed()` is the
 * package's folder.
 */
function consumerChecks(
  consumer: () => string,
  installed: () => string,
  bin: () => { command: string; args: string[]; env: Record<string, string> },
  packagedArtifacts: boolean,
): void {
  it('require("zkmargin") computes the example\'s margin report and commitments, as the sources do', async () => {
    fs.writeFileSync(path.join(consumer(), "sdk.js"), sdkScript(packagedArtifacts));
    const got = JSON.parse(run(process.execPath, ["sdk.js"], consumer(), 120_000)) as Record<
      string,
      unknown
    >;
    const { policy, market, portfolio, report } = deskReport();
    const instance = smallestFittingInstance(policy, market);
    const expected = await commitments({
      policy,
      market,
      portfolio,
      salt: SALT,
      instance: loadInstances()[instance],
    });
    const entry = path.join(fs.realpathSync(installed()), "prover", "dist", "index.js");
    expect(got.entry).to.equal(entry);
    expect(got.version).to.equal(OUR_PACKAGE.version);
    expect(got.report).to.deep.equal(toJson(report));
    expect(got.instance).to.equal(instance);
    expect(got.commitments).to.deep.equal(toJson(expected));
    const abi = toJson(loadArtifact("MarginRegistry").abi);
    expect(got.exportedAbi).to.deep.equal(packagedArtifacts ? abi : null);
    expect(got.loadedAbi).to.deep.equal(abi);
  });

  it("an ES module imports the SDK by name", () => {
    fs.writeFileSync(path.join(consumer(), "esm.mjs"), ESM_SCRIPT);
    const got = JSON.parse(run(process.execPath, ["esm.mjs"], consumer(), 120_000)) as unknown;
    expect(got).to.deep.equal({
      version: OUR_PACKAGE.version,
      excess: deskReport().report.excessMicroUsd.toString(),
    });
  });

  it("a TypeScript file type-checks against the declarations (strict, node16) and runs", () => {
    fs.writeFileSync(path.join(consumer(), "typed.ts"), TS_SOURCE);
    fs.writeFileSync(path.join(consumer(), "tsconfig.json"), JSON.stringify(TS_CONFIG, null, 2));
    const tsc = require.resolve("typescript/bin/tsc", { paths: [consumer()] });
    run(process.execPath, [tsc, "-p", "tsconfig.json"], consumer(), 5 * 60_000);
    const got = JSON.parse(
      run(process.execPath, [path.join("out", "typed.js")], consumer(), 120_000),
    ) as unknown;
    const { report } = deskReport();
    expect(got).to.deep.equal({
      sufficient: report.sufficient,
      equity: report.equityMicroUsd.toString(),
    });
  });

  it("the zkmargin binary runs the compiled CLI: --version and margin", () => {
    const { command, args, env } = bin();
    const cli = (cliArgs: string[]) =>
      run(command, [...args, ...cliArgs], consumer(), 120_000, env);
    expect(cli(["--version"]).trim()).to.equal(OUR_PACKAGE.version);
    const example = (file: string) => path.join(installed(), "examples", "desk", file);
    const margin = JSON.parse(
      cli([
        "margin",
        "--policy",
        example("policy.json"),
        "--market",
        example("market.json"),
        "--portfolio",
        example("portfolio.json"),
        "--json",
      ]),
    ) as Record<string, unknown>;
    const { report } = deskReport();
    expect(margin.equityMicroUsd).to.equal(report.equityMicroUsd.toString());
    expect(margin.excessMicroUsd).to.equal(report.excessMicroUsd.toString());
    expect(margin.sufficient).to.equal(report.sufficient);
  });
}

describe("npm package: the checkout's build through its exports map", function () {
  let consumer: string;

  before(async function () {
    this.timeout(10 * 60_000); // each command below has its own bound
    // `npm test` built prover/dist already (pretest); a file run alone builds it here if stale.
    run(process.execPath, [path.join(ROOT, "scripts", "build.js"), "--if-stale"], ROOT, 5 * 60_000);
    await compileContracts(); // loadArtifact reads Hardhat's output in a checkout
    // Inside the package (build/ is git-ignored and not shipped), where its own name resolves.
    fs.mkdirSync(path.join(ROOT, "build"), { recursive: true });
    consumer = fs.mkdtempSync(path.join(ROOT, "build", "package-consumer-"));
  });

  after(() => {
    if (consumer !== undefined) fs.rmSync(consumer, { recursive: true, force: true });
  });

  it("npm pack would ship the compiled SDK, the circuits, the contracts and examples, and nothing else", () => {
    // --ignore-scripts: no prepack (its clean build and the contract artifacts are the
    // ZKMARGIN_PACKAGE_INSTALL run's); the list is of what is built now.
    const json = run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT, 120_000);
    expectPackageFiles(packedFiles(json).files);
  });

  it("is public with an exports map; every package the compiled code requires is a dependency", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      private?: boolean;
      exports: Record<string, unknown>;
      types: string;
      bin: Record<string, string>;
    };
    expect(manifest.private).to.equal(undefined);
    expect(manifest.exports["."]).to.deep.equal({
      types: "./prover/dist/index.d.ts",
      require: "./prover/dist/index.js",
      default: "./prover/dist/index.js",
    });
    expect(manifest.bin).to.deep.equal({ zkmargin: "bin/zkmargin.js" });
    expect(fs.existsSync(path.join(ROOT, manifest.types))).to.equal(true);
    // A package the compiled SDK requires but the package does not depend on (tsx, a
    // devDependency, say) would be missing from a consumer's install.
    const dist = path.join(ROOT, "prover", "dist");
    const missing = new Set<string>();
    for (const file of jsFiles(dist)) {
      for (const [, specifier] of fs
        .readFileSync(file, "utf8")
        .matchAll(/\brequire\("([^"]+)"\)/g)) {
        if (specifier.startsWith(".") || isBuiltin(specifier)) continue;
        const parts = specifier.split("/");
        const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
        if (OUR_PACKAGE.dependencies[name] === undefined) {
          missing.add(`${name} (${path.relative(ROOT, file)})`);
        }
      }
    }
    expect([...missing]).to.deep.equal([]);
    expect(OUR_PACKAGE.dependencies.tsx).to.equal(undefined);
  });

  consumerChecks(
    () => consumer,
    () => ROOT,
    // The compiled CLI, never the sources: a stale build is refused rather than run through tsx.
    () => ({
      command: process.execPath,
      args: [path.join(ROOT, "bin", "zkmargin.js")],
      env: { ZKMARGIN_REQUIRE_BUILD: "1" },
    }),
    false,
  );
});

// Minutes (pack, install with the native build, then a circuit compile and phase 2):
// `npm run test:package` sets the flag.
(INSTALL ? describe : describe.skip)(
  "npm package: pack, install in a new project, use",
  function () {
    let scratch: string;
    let project: string;
    let installed: string;
    let files: string[];

    before(function () {
      this.timeout(30 * 60_000); // each command below has its own bound
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-package-"));
      const packed = packedFiles(
        run("npm", ["pack", "--json", "--pack-destination", scratch], ROOT, 20 * 60_000),
      );
      files = packed.files;

      project = path.join(scratch, "project");
      fs.mkdirSync(project);
      fs.writeFileSync(
        path.join(project, "package.json"),
        `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`,
      );
      const typescript = `typescript@${OUR_PACKAGE.devDependencies.typescript}`;
      const nodeTypes = `@types/node@${OUR_PACKAGE.devDependencies["@types/node"]}`;
      const tarball = path.join(scratch, packed.filename);
      const install = ["install", "--prefer-offline", "--no-audit", "--no-fund"];
      run("npm", [...install, tarball, typescript, nodeTypes], project, 15 * 60_000);
      installed = path.join(project, "node_modules", "zkmargin");
    });

    after(() => {
      if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("the tarball holds the compiled SDK, the contract artifacts, and nothing else", () => {
      expectPackageFiles(files);
      // Every hand-written contract's artifact, as Hardhat compiled it (not the test fixtures).
      for (const name of [
        "MarginRegistry",
        "MarketBook",
        "PolicyRegistry",
        "IMarginOracle",
        "ExamplePerpVenue",
      ]) {
        expect(files).to.include(`verifier-contracts/artifacts/${name}.json`);
      }
      // postpack removed the copies: the checkout reads Hardhat's own output again.
      expect(fs.existsSync(path.join(ROOT, "verifier-contracts", "artifacts"))).to.equal(false);
    });

    it("installs without tsx, and builds the native prover where the checkout could", () => {
      // tsx is a devDependency: nothing the package runs can need it.
      expect(fs.existsSync(path.join(project, "node_modules", "tsx"))).to.equal(false);
      // The install script (native/build.js) builds the addon as `npm ci` does in a checkout.
      const addon = path.join(installed, path.relative(ROOT, ADDON_FILE));
      expect(fs.existsSync(addon), addon).to.equal(fs.existsSync(ADDON_FILE));
    });

    consumerChecks(
      () => project,
      () => installed,
      () => ({
        command: path.join(project, "node_modules", ".bin", "zkmargin"),
        args: [],
        env: {},
      }),
      true,
    );

    it("zkmargin web from the package says the page is built from a checkout", () => {
      // The verify page is built from a checkout: the package says so instead of failing obscurely.
      const web = spawnSync(
        path.join(project, "node_modules", ".bin", "zkmargin"),
        ["web", "--build-only"],
        {
          cwd: project,
          encoding: "utf8",
          timeout: 120_000,
        },
      );
      expect(web.status).to.equal(1);
      expect(web.stderr).to.include("the npm package does not ship them");
    });

    it("from the installed package: setup compiles the circuit and makes keys, prove and verify use them", function () {
      this.timeout(30 * 60_000); // each command has its own bound
      const bin = path.join(project, "node_modules", ".bin", "zkmargin");
      const example = (file: string) => path.join(installed, "examples", "small", file);
      run(bin, ["setup", "--instance", "small"], project, 20 * 60_000);
      expect(fs.existsSync(path.join(installed, "build", "manifest.json"))).to.equal(true);
      const out = path.join(project, "out");
      const proving = ["--policy", example("policy.json"), "--market", example("market.json")];
      proving.push("--portfolio", example("portfolio.json"), "--instance", "small");
      // The native prover when the install built it, so its path from the package is exercised.
      const prover = fs.existsSync(ADDON_FILE) ? "native" : "snarkjs";
      run(
        bin,
        ["prove", ...proving, "--nonce", "1", "--prover", prover, "--out", out],
        project,
        5 * 60_000,
      );
      const verify = ["verify", "--proof", path.join(out, "proof.json")];
      verify.push("--public", path.join(out, "public.json"), "--instance", "small");
      expect(run(bin, verify, project, 5 * 60_000)).to.include("valid");
    });
  },
);
