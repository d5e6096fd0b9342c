/**
 * Builds the verify page (`web/`) into a folder of plain files: the TypeScript bundled by esbuild
 * with snarkjs, circomlibjs' Poseidon, ethers and the SDK modules it uses; the page and its styles;
 * the verification key of every instance in build/manifest.json (each checked against the
 * manifest's sha256 and vkeyHash before it is copied); the manifest itself; and the ABIs of the
 * contracts it reads. Nothing is loaded from elsewhere at run time.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { loadArtifact } from "../chain/artifacts";
import { COMMAND_LINE } from "../cli/options";
import { InputError } from "../errors";
import { REPORT_CSS } from "../report/html";
import { ArtifactIntegrityError, checkArtifact, readManifest, vkeyHash } from "../setup/manifest";
import { PROJECT_ROOT, setupPaths } from "../setup/paths";
import {
  SITE_CONTRACTS,
  SITE_CONTRACTS_FILE,
  SITE_INDEX,
  type SiteContracts,
  type SiteIndex,
  type SiteKey,
} from "./site";

/** The page's sources. */
export const WEB_DIR = path.join(PROJECT_ROOT, "web");
/** Where `zkmargin web` and `npm run build:web` put the page by default. */
export const DEFAULT_SITE_DIR = path.join(PROJECT_ROOT, "build", "web");
/** Records the inputs' fingerprint, so an unchanged page is not rebuilt. */
const BUILD_INFO = "build-info.json";

/** Options of {@link buildSite}. */
export interface BuildSiteOptions {
  /** Output folder (default build/web). */
  out?: string;
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
  /** Rebuild even when nothing changed. */
  force?: boolean;
  /** Block explorers by chain id, for the page's transaction links (see `SiteIndex.explorers`). */
  explorers?: Record<string, string>;
}

/** A built page. */
export interface BuiltSite {
  dir: string;
  /** False when the folder was already up to date. */
  rebuilt: boolean;
  index: SiteIndex;
}

/** A refused `--explorer` value. */
function bad(value: string, rule: string): InputError {
  return new InputError(COMMAND_LINE, `--explorer ${value}`, rule);
}

/**
 * Parses `--explorer` values, `<chainId>=<url>` each (an http(s) base URL), into
 * `SiteIndex.explorers`; a bad one is an error naming the option and the rule.
 */
export function parseExplorers(values: readonly string[]): Record<string, string> {
  const explorers: Record<string, string> = {};
  for (const value of values) {
    const match = /^(\d+)=(.+)$/.exec(value.trim());
    if (match === null) {
      throw bad(value, "must be <chainId>=<url>, e.g. 1=https://etherscan.io");
    }
    const [, chainId, url] = match;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw bad(value, `"${url}" is not a URL`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw bad(value, "the URL must start with https:// or http://");
    }
    if (parsed.search !== "" || parsed.hash !== "") {
      throw bad(value, "a base URL has no query or fragment");
    }
    const id = BigInt(chainId).toString();
    if (id in explorers) throw bad(value, `chain ${id} is given twice`);
    explorers[id] = url.replace(/\/+$/, "");
  }
  return explorers;
}

/** Every file under `dir`, recursively, sorted (paths relative to `dir`). */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** The keys to carry: each instance's verification key, checked against the manifest. */
async function checkedKeys(root?: string): Promise<{ key: SiteKey; bytes: Buffer }[]> {
  const paths = setupPaths(root);
  const manifest = readManifest(paths);
  const names = Object.keys(manifest.instances).sort();
  if (names.length === 0) {
    throw new Error(
      `${paths.manifest}: no set-up circuit instance, so no verification key for the page: ` +
        "run `zkmargin setup --instance <name>` first",
    );
  }
  const keys: { key: SiteKey; bytes: Buffer }[] = [];
  for (const instance of names) {
    const entry = manifest.instances[instance];
    const file = await checkArtifact(paths, entry.artifacts.vkey);
    const bytes = fs.readFileSync(file);
    if (
      vkeyHash(JSON.parse(bytes.toString("utf8")) as Record<string, unknown>) !== entry.vkeyHash
    ) {
      throw new ArtifactIntegrityError(
        file,
        `canonical hash does not match the manifest's vkeyHash ${entry.vkeyHash}`,
      );
    }
    keys.push({
      bytes,
      key: {
        instance,
        file: `keys/${instance}/verification_key.json`,
        sha256: entry.artifacts.vkey.sha256,
        vkeyHash: entry.vkeyHash,
        kind: entry.kind,
        ptau: { name: entry.ptau.name, source: entry.ptau.source },
        params: entry.params,
        constraints: entry.constraints,
        nPublic: entry.nPublic,
      },
    });
  }
  return keys;
}

/** The ABIs the page reads the chain with, compiling the contracts first when needed. */
async function contractAbis(): Promise<SiteContracts> {
  const read = () =>
    Object.fromEntries(
      SITE_CONTRACTS.map((name) => [name, loadArtifact(name).abi]),
    ) as SiteContracts;
  try {
    return read();
  } catch {
    process.env.HARDHAT_CONFIG ??= path.join(PROJECT_ROOT, "hardhat.config.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const hre = require("hardhat") as { run(task: string, args: object): Promise<unknown> };
    await hre.run("compile", { quiet: true });
    return read();
  }
}

/**
 * sha256 over the page's sources, the SDK's sources, the locked dependency versions and the data
 * the page carries.
 */
function fingerprint(data: readonly (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  hash.update(`esbuild ${esbuild.version}\n`);
  const lock = path.join(PROJECT_ROOT, "package-lock.json");
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  for (const dir of [WEB_DIR, path.join(PROJECT_ROOT, "prover", "src")]) {
    for (const file of filesUnder(dir)) {
      hash.update(`${path.relative(PROJECT_ROOT, path.join(dir, file))}\n`);
      hash.update(fs.readFileSync(path.join(dir, file)));
    }
  }
  for (const item of data) hash.update(item);
  return hash.digest("hex");
}

/** Bundles web/src/main.ts for the browser, Node built-ins replaced by web/shims. */
async function bundle(outfile: string): Promise<void> {
  const modules = path.join(PROJECT_ROOT, "node_modules");
  await esbuild.build({
    entryPoints: [path.join(WEB_DIR, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    logLevel: "error",
    alias: {
      "node:fs": path.join(WEB_DIR, "shims", "fs.ts"),
      "node:crypto": path.join(WEB_DIR, "shims", "crypto.ts"),
      "node:async_hooks": path.join(WEB_DIR, "shims", "async-hooks.ts"),
      "node:path": path.join(modules, "path-browserify", "index.js"),
      "write-file-atomic": path.join(WEB_DIR, "shims", "write-file-atomic.ts"),
      // Only Poseidon: circomlibjs' index also pulls in its contract generators and ethers v5.
      circomlibjs: path.join(modules, "circomlibjs", "src", "poseidon_wasm.js"),
    },
    inject: [path.join(WEB_DIR, "shims", "buffer-global.ts")],
    define: { __dirname: '"/"' },
  });
}

/**
 * Builds the page into `out` (default build/web) unless it is already built from the same
 * sources, keys and ABIs. The folder is assembled beside `out` and swapped in whole, so a server
 * never sees half a page.
 */
export async function buildSite(options: BuildSiteOptions = {}): Promise<BuiltSite> {
  if (!fs.existsSync(path.join(WEB_DIR, "src", "main.ts"))) {
    throw new Error(
      `${WEB_DIR}: the verify page's sources are not here (the npm package does not ship them): ` +
        "build it from a checkout of the repository",
    );
  }
  const out = path.resolve(options.out ?? DEFAULT_SITE_DIR);
  const paths = setupPaths(options.root);
  const keys = await checkedKeys(options.root);
  const abis = await contractAbis();
  const manifestBytes = fs.readFileSync(paths.manifest);
  const abiText = `${JSON.stringify(abis)}\n`;
  const explorers = options.explorers ?? {};
  const print = fingerprint([
    manifestBytes,
    abiText,
    JSON.stringify(explorers),
    ...keys.map((k) => k.bytes),
  ]);

  const infoFile = path.join(out, BUILD_INFO);
  if (options.force !== true && fs.existsSync(infoFile)) {
    const info = JSON.parse(fs.readFileSync(infoFile, "utf8")) as { fingerprint?: string };
    if (info.fingerprint === print) {
      const index = JSON.parse(fs.readFileSync(path.join(out, SITE_INDEX), "utf8")) as SiteIndex;
      return { dir: out, rebuilt: false, index };
    }
  }

  const index: SiteIndex = {
    version: 2,
    builtAt: new Date().toISOString(),
    manifestSha256: createHash("sha256").update(manifestBytes).digest("hex"),
    keys: keys.map((k) => k.key),
    contracts: SITE_CONTRACTS_FILE,
    explorers,
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const temp = `${out}.tmp-${randomBytes(4).toString("hex")}`;
  try {
    fs.mkdirSync(temp);
    await bundle(path.join(temp, "app.js"));
    for (const file of ["index.html", "styles.css"]) {
      fs.copyFileSync(path.join(WEB_DIR, file), path.join(temp, file));
    }
    fs.writeFileSync(path.join(temp, "report.css"), REPORT_CSS.trimStart());
    fs.writeFileSync(path.join(temp, "manifest.json"), manifestBytes);
    for (const { key, bytes } of keys) {
      fs.mkdirSync(path.dirname(path.join(temp, key.file)), { recursive: true });
      fs.writeFileSync(path.join(temp, key.file), bytes);
    }
    fs.writeFileSync(path.join(temp, SITE_CONTRACTS_FILE), abiText);
    fs.writeFileSync(path.join(temp, SITE_INDEX), `${JSON.stringify(index, null, 2)}\n`);
    fs.writeFileSync(path.join(temp, BUILD_INFO), `${JSON.stringify({ fingerprint: print })}\n`);
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(temp, out);
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return { dir: out, rebuilt: true, index };
}
