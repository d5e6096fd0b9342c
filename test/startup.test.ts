/**
 * What the CLI leaves out of its start-up, and that leaving it out breaks nothing: circomlibjs
 * (about 0.3 s to load) is not loaded to start (in Node, Poseidon is computed without it), and a
 * first hash must not lose the bn128 curve that snarkjs cached, or its worker threads would keep
 * the process from exiting. Each check runs in a new process (the sources, through tsx), bounded
 * in time.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..");

/** Runs `script` in a new Node process with tsx, from the root; its stdout. */
function runScript(script: string, timeoutMs = 120_000) {
  const run = spawnSync(process.execPath, ["-r", "tsx/cjs", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  // A timeout is reported by the caller's checks (the signal that ended the process).
  if (run.error && (run.error as NodeJS.ErrnoException).code !== "ETIMEDOUT") throw run.error;
  return run;
}

describe("CLI start-up: what loads lazily", function () {
  it("loading the CLI (every verb registered) does not load circomlibjs", () => {
    const run = runScript(
      'require("./prover/src/cli/main").buildProgram();' +
        "const loaded = Object.keys(require.cache).filter((file) => file.includes('/circomlibjs/'));" +
        "process.stdout.write(JSON.stringify(loaded));",
    );
    expect(run.status, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal([]);
  });

  it("a run of one verb registers and loads that verb alone; no verb named registers every verb", () => {
    const run = runScript(
      'const { buildProgram } = require("./prover/src/cli/main");' +
        "const commands = () => Object.keys(require.cache).filter((f) => f.includes('/cli/commands/'));" +
        'const one = buildProgram(["node", "zkmargin", "prove", "--help"]).commands.map((c) => c.name());' +
        "const loaded = commands().map((f) => f.split('/').pop());" +
        "const all = buildProgram().commands.map((c) => c.name());" +
        "process.stdout.write(JSON.stringify({ one, loaded, all, after: commands().length }));",
    );
    expect(run.status, run.stderr).to.equal(0);
    const { one, loaded, all, after } = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(one).to.deep.equal(["prove"]);
    expect(loaded).to.deep.equal(["prove.ts"]);
    expect(all).to.include.members(["prove", "margin", "submit", "deploy", "audit", "demo"]);
    expect(all).to.have.length(after as number);
  });

  it("a first hash after snarkjs built its curve keeps the curve releasable, so the process exits", () => {
    const run = runScript(
      'const { bn128, releaseCurve } = require("./prover/src/setup/snarkjs");' +
        'const { vectorHash } = require("./prover/src/commitments/vector-hash");' +
        "(async () => {" +
        "  await bn128();" + // snarkjs's cached curve, with its worker threads
        '  const hash = await vectorHash("zkmargin/test", [1n, 2n]);' + // the first hash
        "  await releaseCurve();" +
        "  process.stdout.write(String(hash));" +
        "})();",
      60_000,
    );
    // A curve whose threads were not stopped keeps the process alive until the bound kills it.
    expect(run.signal, "the process did not exit by itself").to.equal(null);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^\d+$/);
  });
});
