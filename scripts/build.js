#!/usr/bin/env node
// `npm run build`: compiles prover/src into prover/dist (JavaScript and .d.ts declarations, same
// folder depth, so every `__dirname`-relative path finds the repository root) with
// tsconfig.build.json. With `--if-stale` it builds only when prover/dist is missing or older than
// the sources: `npm ci` (prepare), `npm start`, `npm test` and `npm run bench` run that first.
//
// tsc writes into a scratch folder beside prover/dist, which replaces it whole once tsc has
// succeeded: a reader never sees half a build, a source deleted from prover/src leaves nothing
// behind, and a failed build (a type error) keeps no stamp, so prover/load.js runs the sources.
"use strict";

const { spawnSync } = require("node:child_process");
const { randomBytes } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { DIST, ROOT, BUILD_CONFIG, STAMP, buildState } = require("../prover/load");

function log(line) {
  process.stderr.write(`build: ${line}\n`);
}

/** tsc of the checkout's TypeScript (a devDependency). */
function tscPath() {
  try {
    return require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  } catch {
    throw new Error("TypeScript is not installed (a devDependency): run `npm ci` first");
  }
}

/** Puts `scratch` in place of prover/dist with two renames; a concurrent build may win. */
function swapIn(scratch) {
  const old = `${DIST}.old-${randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(DIST, old);
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  try {
    fs.renameSync(scratch, DIST);
  } catch (error) {
    // Another build put its own (as fresh) prover/dist in place between the two renames.
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  fs.rmSync(old, { recursive: true, force: true });
}

function build() {
  const started = new Date();
  const scratch = `${DIST}.tmp-${randomBytes(4).toString("hex")}`;
  try {
    const tsc = spawnSync(process.execPath, [tscPath(), "-p", BUILD_CONFIG, "--outDir", scratch], {
      cwd: ROOT,
      stdio: "inherit",
    });
    if (tsc.status !== 0) {
      throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
    }
    // The stamp carries the build's start time: a source saved while tsc ran makes it stale.
    const stamp = path.join(scratch, path.basename(STAMP));
    fs.writeFileSync(stamp, `${started.toISOString()}\n`);
    fs.utimesSync(stamp, started, started);
    swapIn(scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = ((Date.now() - started.getTime()) / 1000).toFixed(1);
  log(`built ${path.relative(process.cwd(), DIST) || "."} in ${seconds} s`);
}

function main() {
  if (process.argv.includes("--if-stale")) {
    const state = buildState();
    if (state.fresh) return;
    log(`${state.reason}: compiling it (tsc -p tsconfig.build.json)`);
  } else {
    log("compiling prover/src into prover/dist (tsc -p tsconfig.build.json)");
  }
  build();
}

try {
  main();
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
