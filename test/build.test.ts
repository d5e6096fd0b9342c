/**
 * The build that the package and the CLI run (scripts/build.js, prover/load.js), on a scratch
 * copy of the layout with a two-module "SDK", so the checkout's own prover/dist is never touched:
 * what counts as fresh, `--if-stale`, a failed build, a deleted source, and what `load` runs in a
 * checkout and in an installed package.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..");

/** The scratch layout: ROOT/{scripts/build.js, prover/load.js, prover/src, tsconfig*.json}. */
function scratchCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-build-"));
  for (const file of ["scripts/build.js", "prover/load.js", "tsconfig.build.json"]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "commonjs", strict: true, types: [] },
    }),
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  fs.mkdirSync(path.join(dir, "prover", "src", "cli"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "prover", "src", "index.ts"),
    'export const from: string = "src";\n',
  );
  fs.writeFileSync(path.join(dir, "prover", "src", "cli", "main.ts"), "export const cli = 1;\n");
  return dir;
}

/** Runs scratch/scripts/build.js with `args`. */
function build(dir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(dir, "scripts", "build.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 300_000,
  });
  if (run.error) throw run.error;
  return run;
}

/** What scratch/prover/load.js's `load("index")` returns, in a new process. */
function loaded(dir: string, env: Record<string, string> = {}) {
  const script = `process.stdout.write(JSON.stringify(require("./prover/load").load("index")))`;
  const run = spawnSync(process.execPath, ["-e", script], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, ZKMARGIN_SOURCES: "", ZKMARGIN_REQUIRE_BUILD: "", ...env },
  });
  if (run.error) throw run.error;
  return {
    status: run.status,
    value: run.stdout === "" ? null : JSON.parse(run.stdout),
    stderr: run.stderr,
  };
}

/** The configurations the build depends on, besides prover/src. */
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

/** `file` and, for a folder, everything under it. */
function walk(file: string): string[] {
  if (!fs.statSync(file).isDirectory()) return [file];
  return [file, ...fs.readdirSync(file).flatMap((name) => walk(path.join(file, name)))];
}

/** Marks `file` (under the scratch checkout) as changed now, after the build. */
function touch(dir: string, file: string): void {
  const now = new Date();
  fs.utimesSync(path.join(dir, file), now, now);
}

/** The scratch build's state as prover/load.js judges it. */
function state(dir: string): { fresh: boolean; reason: string } {
  const script = `process.stdout.write(JSON.stringify(require("./prover/load").buildState()))`;
  const run = spawnSync(process.execPath, ["-e", script], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(run.stdout) as { fresh: boolean; reason: string };
}

describe("build: prover/dist and what runs it", function () {
  /** A scratch checkout built once; each test gets a copy. */
  let built: string;
  let dir: string;

  before(() => {
    built = scratchCheckout();
    const run = build(built);
    if (run.status !== 0) throw new Error(`the scratch build failed:\n${run.stderr}`);
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkmargin-build-"));
    fs.cpSync(built, dir, { recursive: true, verbatimSymlinks: true });
    // The copy's files are all new: date its sources a minute back and its build half a
    // minute back, so the copy is as fresh as the original.
    const back = (seconds: number) => new Date(Date.now() - seconds * 1000);
    const sources = [path.join(dir, "prover", "src"), ...CONFIGS.map((f) => path.join(dir, f))];
    for (const file of sources.flatMap(walk)) fs.utimesSync(file, back(60), back(60));
    fs.utimesSync(path.join(dir, "prover", "dist", ".build-stamp"), back(30), back(30));
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  after(() => fs.rmSync(built, { recursive: true, force: true }));

  it("compiles JavaScript and declarations into prover/dist, at the sources' depth, with a stamp", () => {
    fs.rmSync(path.join(dir, "prover", "dist"), { recursive: true });
    expect(state(dir)).to.deep.equal({ fresh: false, reason: "prover/dist is not built" });
    const run = build(dir);
    expect(run.status, run.stderr).to.equal(0);
    const dist = path.join(dir, "prover", "dist");
    for (const file of ["index.js", "index.d.ts", "cli/main.js", "cli/main.d.ts", ".build-stamp"]) {
      expect(fs.existsSync(path.join(dist, file)), file).to.equal(true);
    }
    expect(state(dir).fresh).to.equal(true);
    // No scratch folder is left beside it.
    expect(fs.readdirSync(path.join(dir, "prover")).sort()).to.deep.equal([
      "dist",
      "load.js",
      "src",
    ]);
  });

  it("--if-stale does nothing while the build is fresh, and rebuilds after an edit", () => {
    const index = path.join(dir, "prover", "dist", "index.js");
    const builtAt = fs.statSync(index).mtimeMs;
    const idle = build(dir, "--if-stale");
    expect(idle.status).to.equal(0);
    expect(idle.stderr).to.equal("");
    expect(fs.statSync(index).mtimeMs).to.equal(builtAt);

    fs.writeFileSync(
      path.join(dir, "prover", "src", "index.ts"),
      'export const from: string = "edited";\n',
    );
    expect(state(dir)).to.deep.equal({
      fresh: false,
      reason: "prover/src changed after prover/dist was built",
    });
    const rebuilt = build(dir, "--if-stale");
    expect(rebuilt.status, rebuilt.stderr).to.equal(0);
    expect(rebuilt.stderr).to.include("prover/src changed after prover/dist was built");
    expect(fs.readFileSync(index, "utf8")).to.include('"edited"');
    expect(state(dir).fresh).to.equal(true);
  });

  it("a changed tsconfig makes the build stale", () => {
    expect(state(dir).fresh).to.equal(true);
    touch(dir, "tsconfig.build.json");
    expect(state(dir).fresh).to.equal(false);
  });

  it("a deleted source makes the build stale, and the rebuild leaves nothing of it", () => {
    fs.rmSync(path.join(dir, "prover", "src", "cli", "main.ts"));
    expect(state(dir).fresh).to.equal(false);
    expect(build(dir, "--if-stale").status).to.equal(0);
    expect(fs.existsSync(path.join(dir, "prover", "dist", "cli", "main.js"))).to.equal(false);
  });

  it("a failed build (a type error) keeps the previous prover/dist, which stays stale", () => {
    fs.writeFileSync(
      path.join(dir, "prover", "src", "index.ts"),
      "export const from: number = 'src';\n",
    );
    const failed = build(dir);
    expect(failed.status).to.equal(1);
    expect(failed.stderr).to.include("tsc -p tsconfig.build.json failed");
    expect(fs.readFileSync(path.join(dir, "prover", "dist", "index.js"), "utf8")).to.include(
      '"src"',
    );
    expect(state(dir).fresh).to.equal(false);
    expect(fs.readdirSync(path.join(dir, "prover")).sort()).to.deep.equal([
      "dist",
      "load.js",
      "src",
    ]);
  });

  it("load runs prover/dist while it is fresh, the sources through tsx once they changed", () => {
    // Tell the two apart: the compiled module says "dist".
    const compiled = path.join(dir, "prover", "dist", "index.js");
    fs.writeFileSync(compiled, fs.readFileSync(compiled, "utf8").replace('"src"', '"dist"'));
    expect(loaded(dir).value).to.deep.equal({ from: "dist" });
    expect(loaded(dir, { ZKMARGIN_SOURCES: "1" }).value).to.deep.equal({ from: "src" });

    touch(dir, "prover/src/index.ts");
    expect(loaded(dir).value).to.deep.equal({ from: "src" });
    const strict = loaded(dir, { ZKMARGIN_REQUIRE_BUILD: "1" });
    expect(strict.status).to.equal(1);
    expect(strict.stderr).to.include(
      "prover/src changed after prover/dist was built: run `npm run build` (ZKMARGIN_REQUIRE_BUILD=1)",
    );
  });

  it("an installed package (no tsconfig.build.json) always runs prover/dist", () => {
    const compiled = path.join(dir, "prover", "dist", "index.js");
    fs.writeFileSync(compiled, fs.readFileSync(compiled, "utf8").replace('"src"', '"dist"'));
    touch(dir, "prover/src/index.ts");
    fs.rmSync(path.join(dir, "tsconfig.build.json"));
    expect(loaded(dir).value).to.deep.equal({ from: "dist" });
    expect(loaded(dir, { ZKMARGIN_SOURCES: "1" }).value).to.deep.equal({ from: "dist" });
  });
});
