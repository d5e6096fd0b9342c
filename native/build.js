#!/usr/bin/env node
/**
 * Builds the native Groth16 prover (native/build/Release/zkmargin_native.node) at `npm ci`, or
 * on demand with `npm run build:native`. It generates BN254's Fq and Fr field code with ffiasm,
 * assembles it with nasm and compiles the addon with node-gyp against the headers installed with
 * Node (never downloading any). Where that is impossible (no compiler, no nasm, another CPU or
 * OS) it prints one line saying so and how to get the fast path, and exits 0: zkmargin then
 * proves with snarkjs.
 */
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const HERE = __dirname;
const GEN = path.join(HERE, "gen");
const ADDON = path.join(HERE, "build", "Release", "zkmargin_native.node");
const FIELDS = {
  fq: ["Fq", "21888242871839275222246405745257275088696311157297823662689037894645226208583"],
  fr: ["Fr", "21888242871839275222246405745257275088548364400416034343698204186575808495617"],
};
const FAST_PATH = "apt-get install -y g++ make python3 nasm, then npm run build:native";

class Skip extends Error {}

function has(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-15);
    throw new Error(`${path.basename(command)} ${args[0] ?? ""} failed:\n${output.join("\n")}`);
  }
}

/** The prefix Node was installed in, when it holds Node's headers (include/node/node_api.h). */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.dirname(path.dirname(process.execPath))];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, "include", "node", "node_api.h"))) return dir;
  }
  throw new Skip("Node's headers (include/node) are not installed beside node");
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for lifecycle scripts). */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  ];
  for (const file of candidates) if (file && fs.existsSync(file)) return file;
  throw new Skip("node-gyp (bundled with npm) was not found");
}

function checkPlatform() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Skip(`it needs Linux on x86-64 (this is ${process.platform}/${process.arch})`);
  }
  const flags =
    fs
      .readFileSync("/proc/cpuinfo", "utf8")
      .match(/^flags\s*:(.*)$/m)?.[1]
      .split(/\s+/) ?? [];
  if (!flags.includes("bmi2") || !flags.includes("adx")) throw new Skip("this CPU lacks BMI2/ADX");
  for (const tool of ["g++", "make", "python3", "nasm"]) {
    if (!has(tool)) throw new Skip(`${tool} is not installed`);
  }
}

async function generateFields() {
  fs.mkdirSync(GEN, { recursive: true });
  const buildZqField = require("ffiasm").buildZqField;
  for (const [file, [name, prime]] of Object.entries(FIELDS)) {
    const { asm } = await buildZqField(prime, name);
    const source = path.join(GEN, `${file}.asm`);
    // Position-independent (RIP-relative) addressing for a shared object, and symbols hidden
    // inside it so that no other library loaded in the process can clash with them.
    // The GNU-stack note marks the object as needing no executable stack.
    const hidden = asm.replace(/^(\s*global \w+)\s*$/gm, "$1:hidden");
    fs.writeFileSync(
      source,
      `default rel\n${hidden}\nsection .note.GNU-stack noalloc noexec nowrite progbits\n`,
    );
    run("nasm", ["-felf64", source, "-o", path.join(GEN, `${file}.o`)]);
  }
}

async function main() {
  const started = Date.now();
  try {
    checkPlatform();
    const gyp = nodeGyp();
    const nodedir = nodeDir();
    await generateFields();
    const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    for (const step of [["configure"], ["build", "--jobs", jobs]]) {
      run(process.execPath, [gyp, ...step, `--nodedir=${nodedir}`], { cwd: HERE });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`zkmargin: native Groth16 prover built in ${seconds} s\n`);
  } catch (error) {
    const reason = error instanceof Skip ? error.message : `the build failed: ${error.message}`;
    process.stdout.write(
      `zkmargin: native prover not built (${reason.split("\n")[0]}); proofs use snarkjs. For the fast path: ${FAST_PATH}\n`,
    );
    if (!(error instanceof Skip)) {
      process.stderr.write(`${error.message}\n`);
      // A failed build leaves no addon of older sources behind.
      fs.rmSync(ADDON, { force: true });
    }
  }
}

main();
