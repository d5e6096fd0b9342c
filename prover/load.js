// Chooses the code that the SDK (`require("zkmargin")`) and the CLI (bin/zkmargin.js) run.
//
// - An installed package runs the compiled JavaScript in prover/dist, always.
// - A development checkout (it has tsconfig.build.json, which the package does not ship) runs
//   prover/dist while that build is fresh (`npm run build` wrote it after the last change to
//   prover/src and the tsconfigs), and otherwise the TypeScript sources through tsx, so an edit is
//   never run stale and `npx mocha test/x.test.ts` needs no build first. ZKMARGIN_SOURCES=1
//   forces the sources; ZKMARGIN_REQUIRE_BUILD=1 refuses to fall back (the benchmark times the
//   compiled CLI).
//
// Plain CommonJS: it runs before anything is compiled. scripts/build.js uses `buildState` too.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const SOURCES = path.join(__dirname, "src");
const DIST = path.join(__dirname, "dist");
/** Written by scripts/build.js after a successful build; its mtime is the build's start. */
const STAMP = path.join(DIST, ".build-stamp");
/** The build's configuration: present in a checkout, not in the package. */
const BUILD_CONFIG = path.join(ROOT, "tsconfig.build.json");
const CONFIGS = [BUILD_CONFIG, path.join(ROOT, "tsconfig.json")];

/** Whether this is a development checkout rather than an installed package. */
function isCheckout() {
  return fs.existsSync(BUILD_CONFIG);
}

/**
 * The newest mtime under `dir`, folders included (deleting or renaming a source changes its
 * folder's mtime).
 */
function newestUnder(dir) {
  let newest = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Whether prover/dist is a complete build of the current sources: `{ fresh, reason }`, the
 * reason saying what is stale when it is not.
 */
function buildState() {
  if (!fs.existsSync(STAMP)) return { fresh: false, reason: "prover/dist is not built" };
  const built = fs.statSync(STAMP).mtimeMs;
  const newest = Math.max(newestUnder(SOURCES), ...CONFIGS.map((f) => fs.statSync(f).mtimeMs));
  return newest > built
    ? { fresh: false, reason: "prover/src changed after prover/dist was built" }
    : { fresh: true, reason: "prover/dist is up to date" };
}

/**
 * Loads `module` (a path under prover/src without extension, e.g. "index" or "cli/main") from
 * prover/dist, or in a checkout whose build is stale, from the sources through tsx.
 */
function load(module) {
  if (!isCheckout()) return require(path.join(DIST, module));
  if (process.env.ZKMARGIN_SOURCES !== "1") {
    const state = buildState();
    if (state.fresh) return require(path.join(DIST, module));
    if (process.env.ZKMARGIN_REQUIRE_BUILD === "1") {
      throw new Error(`${state.reason}: run \`npm run build\` (ZKMARGIN_REQUIRE_BUILD=1)`);
    }
  }
  require("tsx/cjs"); // a devDependency: present in every checkout after `npm ci`
  return require(path.join(SOURCES, `${module}.ts`));
}

module.exports = { ROOT, SOURCES, DIST, STAMP, BUILD_CONFIG, buildState, isCheckout, load };
