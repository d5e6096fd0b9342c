/**
 * Compiles circom mains into build/circuits/<name>/ (r1cs, wasm, sym) with a native `circom` on
 * PATH when present, else the WASM `circom2` package, and reads constraint counts back.
 * Compilation happens in a scratch folder that is moved into place, so readers never see a
 * half-written build; a build is reused while it is newer than every .circom source and
 * circuits/instances.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadInstances, type InstanceDims } from "../encoding/instances";
import { readR1csHeader } from "./r1cs";

/**
 * Project root (holds circuits/ and build/; the compiler runs from here). circom2's sandbox sees
 * this folder and its parents.
 */
export const PROJECT_ROOT = path.resolve(__dirname, "../../..");
/** Where compiled circuits go. */
export const CIRCUITS_BUILD_DIR = path.join(PROJECT_ROOT, "build", "circuits");
const CIRCUITS_DIR = path.join(PROJECT_ROOT, "circuits");
const INSTANCES_FILE = path.join(CIRCUITS_DIR, "instances.json");

/** Paths of one compiled circuit. */
export interface CompiledArtifacts {
  dir: string;
  r1cs: string;
  wasm: string;
  sym: string;
  /** Number of R1CS constraints (after circom's --O2 simplification). */
  constraints: number;
}

/** Options of the compile functions. */
export interface CompileOptions {
  /** Recompile even when the build is up to date. */
  force?: boolean;
  /** Called with the compiler's output lines while it runs (it prints nothing for minutes on big instances). */
  onProgress?: (line: string) => void;
}

/** The `main.circom` of an instance of `MarginProof` (normative form: circuits/README.md). */
export function marginMainSource(dims: InstanceDims): string {
  const args = [
    dims.assets,
    dims.perps,
    dims.options,
    dims.scenarios,
    dims.tiers,
    dims.groups,
    dims.joint,
  ].join(", ");
  return [
    "pragma circom 2.1.9;",
    'include "../../../circuits/margin.circom";',
    "component main {public [accountNonce, marketCommitment, policyCommitment, portfolioCommitment]}",
    `    = MarginProof(${args});`,
    "",
  ].join("\n");
}

/** Compiles the instance `name` of circuits/instances.json. */
export async function compileInstance(name: string, opts: CompileOptions = {}): Promise<CompiledArtifacts> {
  const dims = loadInstances(INSTANCES_FILE)[name];
  if (!dims) throw new Error(`${INSTANCES_FILE}: unknown instance "${name}"`);
  return compileMain(name, marginMainSource(dims), opts);
}

/** Compiles `MarginProof` with arbitrary dimensions under build/circuits/<name>/ (e.g. to measure a slot's cost). */
export async function compileCustom(
  name: string,
  dims: InstanceDims,
  opts: CompileOptions = {},
): Promise<CompiledArtifacts> {
  return compileMain(name, marginMainSource(dims), opts);
}

/**
 * Compiles the main component `source` (a complete main.circom whose includes are relative to
 * build/circuits/<name>/) into build/circuits/<name>/. Used by the instance builds and by the
 * single-template test mains.
 */
export async function compileMain(
  name: string,
  source: string,
  opts: CompileOptions = {},
): Promise<CompiledArtifacts> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`invalid circuit build name "${name}"`);
  const dir = path.join(CIRCUITS_BUILD_DIR, name);
  const paths = artifactPaths(dir);
  if (!opts.force && isUpToDate(dir, source)) {
    return { ...paths, constraints: await constraintCount(paths.r1cs) };
  }

  fs.mkdirSync(CIRCUITS_BUILD_DIR, { recursive: true });
  const scratch = path.join(CIRCUITS_BUILD_DIR, `${name}.tmp-${randomBytes(6).toString("hex")}`);
  fs.mkdirSync(scratch);
  try {
    fs.writeFileSync(path.join(scratch, "main.circom"), source);
    await runCompiler(scratch, opts.onProgress);
    try {
      replaceDir(scratch, dir);
    } catch (error) {
      // Another process finished the same build first: keep its (equivalent) result.
      if (!isUpToDate(dir, source)) throw error;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { ...paths, constraints: await constraintCount(paths.r1cs) };
}

/** Number of constraints in an r1cs file (read from its header; snarkjs' reader would start curve threads). */
export async function constraintCount(r1csPath: string): Promise<number> {
  return readR1csHeader(r1csPath).nConstraints;
}

function artifactPaths(dir: string): Omit<CompiledArtifacts, "constraints"> {
  return {
    dir,
    r1cs: path.join(dir, "main.r1cs"),
    wasm: path.join(dir, "main_js", "main.wasm"),
    sym: path.join(dir, "main.sym"),
  };
}

/** Newest modification time among the .circom sources (recursively) and instances.json. */
function newestSourceTime(): number {
  let newest = fs.statSync(INSTANCES_FILE).mtimeMs;
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".circom")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  walk(CIRCUITS_DIR);
  return newest;
}

function isUpToDate(dir: string, source: string): boolean {
  const mainFile = path.join(dir, "main.circom");
  const outputs = Object.values(artifactPaths(dir)).filter((p) => p !== dir);
  if (!fs.existsSync(mainFile) || outputs.some((p) => !fs.existsSync(p))) return false;
  if (fs.readFileSync(mainFile, "utf8") !== source) return false;
  const oldest = Math.min(...outputs.map((p) => fs.statSync(p).mtimeMs));
  return oldest >= newestSourceTime();
}

/** Moves `from` onto `to`, replacing any previous build with two renames. */
function replaceDir(from: string, to: string): void {
  const old = `${to}.old-${randomBytes(6).toString("hex")}`;
  if (fs.existsSync(to)) fs.renameSync(to, old);
  fs.renameSync(from, to);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Where the compiler runs and where it finds circomlib. circom2's WebAssembly sandbox resolves
 * includes only inside its working folder, so that folder must hold both the project and the
 * `node_modules` with circomlib: the project root in a checkout; in an installed package (npm puts
 * circomlib beside it) the folder holding that `node_modules`.
 */
function compilerFolders(): { cwd: string; includes: string } {
  const includes = path.dirname(path.dirname(require.resolve("circomlib/package.json")));
  let cwd = PROJECT_ROOT;
  while (path.relative(cwd, includes).startsWith("..") && path.dirname(cwd) !== cwd) {
    cwd = path.dirname(cwd);
  }
  return { cwd, includes };
}

function hasNativeCircom(): boolean {
  return spawnSync("circom", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Runs the compiler on <dir>/main.circom, writing into dir (see {@link compilerFolders}). */
function runCompiler(dir: string, onProgress?: (line: string) => void): Promise<void> {
  const { cwd, includes } = compilerFolders();
  const relDir = path.relative(cwd, dir);
  const args = [path.join(relDir, "main.circom"), "--r1cs", "--wasm", "--sym", "--O2"];
  args.push("-l", path.relative(cwd, includes) || ".", "-o", relDir);
  const [command, commandArgs] = hasNativeCircom()
    ? ["circom", args]
    : [process.execPath, [require.resolve("circom2/cli.js"), ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) if (line.trim()) onProgress?.(line.trim());
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && !/error/i.test(stripAnsi(output).replace(/Everything went okay/g, ""))) resolve();
      else reject(new Error(`circom failed on ${relDir}/main.circom (exit ${code}):\n${stripAnsi(output)}`));
    });
  });
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
