/**
 * Every command in README.md is exercised: `npx zkmargin` lines without placeholders run as
 * written (in a scratch folder holding a link to examples/) and must succeed; lines with
 * `<placeholders>` stand for values only the reader has, so their verb and every option they use
 * must exist in the CLI's `--help` (their real flows are exercised by the ceremony, attest and
 * audit tests). The walkthrough (the block that starts with `npx hardhat node`) runs as written,
 * line after line, on a real `hardhat node`: `export` lines set the environment, the line ending
 * in `&` runs in the background (the watcher), and a line whose comment starts with "once" waits
 * for the watcher (it is retried until it succeeds, with a timeout). Every `npm` command must name
 * a script of package.json; `npm start` and `npm test` themselves are the demo test and this suite.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { compileContracts } from "./contracts.fixture";
import { startRpcNode, type RpcNode } from "./helpers/hardhat-node";
import { awaitSharedKeys, sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "bin", "zkmargin.js");

/** A shell line of the README: the command (continuations joined) and its comment. */
interface ShellLine {
  command: string;
  comment: string;
}

/** The README's ```sh blocks, each as its shell lines (empty and comment-only lines dropped). */
function readmeShellBlocks(): ShellLine[][] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => {
        const comment = /\s+#\s*(.*)$/.exec(line);
        return {
          command: (comment ? line.slice(0, comment.index) : line).trim(),
          comment: comment?.[1] ?? "",
        };
      })
      .filter((line) => line.command.length > 0 && !line.command.startsWith("#")),
  );
}

/** Splits a command line into words, expanding `$P`-style variables set earlier in the README. */
function words(line: string, vars: Map<string, string>): string[] {
  const expanded = line.replace(/\$([A-Z]+)/g, (_, name: string) => vars.get(name) ?? "");
  return expanded.split(/\s+/).filter((w) => w.length > 0);
}

const blocks = readmeShellBlocks();
/** The walkthrough on a local chain: the block that starts the node. */
const walkthrough = blocks.find((b) => b[0]?.command === "npx hardhat node") ?? [];
const lines = blocks.filter((b) => b !== walkthrough).flatMap((b) => b.map((l) => l.command));
const vars = new Map<string, string>();
for (const line of lines) {
  const assignment = /^([A-Z]+)="(.*)"$/.exec(line);
  if (assignment) vars.set(assignment[1], assignment[2]);
}
const zkmarginLines = lines.filter((line) => line.startsWith("npx zkmargin "));
const npmLines = lines.flatMap((line) => line.split("&&").map((part) => part.trim()));

describe("README commands", function () {
  let scratch: string;

  before(sharedKeysHook("demo"));
  before(async function () {
    scratch = mkdtempSync(path.join(tmpdir(), "zkmargin-readme-"));
    symlinkSync(path.join(ROOT, "examples"), path.join(scratch, "examples"));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("the README has commands for every user", () => {
    const all = [...zkmarginLines, ...walkthrough.map((l) => l.command)];
    for (const verb of [
      "setup",
      "margin",
      "prove",
      "verify",
      "inspect",
      "attest",
      "submit",
      "revoke",
      "audit",
      "ceremony",
      "deploy",
      "publish",
      "watch",
      "status",
      "margin-call",
      "keystore",
    ]) {
      expect(
        all.some((l) => l.startsWith(`npx zkmargin ${verb} `)),
        verb,
      ).to.equal(true);
    }
  });

  it("every npm command names a script of package.json", () => {
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const npm = npmLines.filter((l) => l.startsWith("npm "));
    expect(npm).to.include.members(["npm ci", "npm start", "npm test"]);
    for (const line of npm) {
      const [, verb, name] = line.split(/\s+/);
      if (verb === "run") expect(scripts, line).to.have.property(name);
      if (verb === "start" || verb === "test") expect(scripts, line).to.have.property(verb);
    }
  });

  // The package entry (prover/dist/index.js) is compiled from prover/src/index.ts; the installed
  // package's own entry is checked by test/package.test.ts.
  it("the SDK example's imports are exported by the SDK's index", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const imported = /import \{([^}]*)\} from "zkmargin"/.exec(example)?.[1] ?? "";
    const names = imported
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    expect(names.length).to.be.above(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require("../prover/src") as Record<string, unknown>;
    for (const name of names) expect(sdk[name], name).to.be.a("function");
  });

  // In README order: setup, margin, prove, then verify, inspect and the audits of what prove wrote.
  for (const line of zkmarginLines.filter((l) => !l.includes("<"))) {
    it(`runs: ${line}`, function () {
      const args = words(line, vars).slice(2);
      const run = spawnSync(process.execPath, [CLI, ...args], {
        cwd: scratch,
        env: { ...process.env, CI: "true" },
        encoding: "utf8",
      });
      expect(run.status, `${line}\n${run.stdout}\n${run.stderr}`).to.equal(0);
    });
  }

  for (const line of zkmarginLines.filter((l) => l.includes("<"))) {
    it(`knows the verb and options of: ${line}`, function () {
      const args = words(line.replace(/<[^>]*>/g, "X"), vars).slice(2);
      const verbs = args.slice(
        0,
        args.findIndex((a) => a.startsWith("--")),
      );
      const help = execFileSync(process.execPath, [CLI, ...verbs, "--help"], { encoding: "utf8" });
      for (const option of args.filter((a) => a.startsWith("--"))) {
        expect(help, `${verbs.join(" ")} ${option}`).to.include(`${option} `);
      }
    });
  }
});

describe("README walkthrough on a hardhat node, as written", function () {
  /** How long a line that waits for the watcher is retried. */
  const WAIT_MS = 600_000;
  let node: RpcNode;
  let scratch: string;
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  const chainVars = new Map<string, string>();
  const background: { line: string; child: ChildProcess; output: () => string }[] = [];

  before(async function () {
    expect(walkthrough.length, "a ```sh block that starts with npx hardhat node").to.be.above(5);
    await awaitSharedKeys(this, "demo");
    await compileContracts();
    node = await startRpcNode();
    scratch = mkdtempSync(path.join(tmpdir(), "zkmargin-walkthrough-"));
    symlinkSync(path.join(ROOT, "examples"), path.join(scratch, "examples"));
  });

  after(async function () {
    for (const b of background) if (b.child.exitCode === null) b.child.kill("SIGKILL");
    await node?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs one zkmargin line in the scratch folder. */
  const run = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], { cwd: scratch, env, encoding: "utf8" });

  for (const { command, comment } of walkthrough) {
    if (command === "npx hardhat node") continue; // the test's own node stands for it
    it(`${comment.startsWith("once") ? "waits, then runs" : "runs"}: ${command}`, async function () {
      const assignment = /^([A-Z]+)="(.*)"$/.exec(command);
      if (assignment) {
        // The README's node is on 8545; the test's on a free port.
        chainVars.set(assignment[1], assignment[1] === "RPC" ? node.url : assignment[2]);
        return;
      }
      if (command.startsWith("export ")) {
        for (const pair of command.slice("export ".length).trim().split(/\s+/)) {
          const [name, value] = pair.split("=");
          env[name] = value;
        }
        return;
      }
      expect(command.startsWith("npx zkmargin "), command).to.equal(true);
      const inBackground = command.endsWith("&");
      const args = words(command.replace(/&$/, ""), chainVars).slice(2);
      if (inBackground) {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: scratch, env });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        background.push({ line: command, child, output: () => output });
        return;
      }
      const deadline = Date.now() + (comment.startsWith("once") ? WAIT_MS : 0);
      for (;;) {
        const result = run(args);
        if (result.status === 0) return;
        if (Date.now() >= deadline) {
          const logs = background.map((b) => `${b.line}:\n${b.output()}`).join("\n");
          expect.fail(`${command}\n${result.stdout}\n${result.stderr}\n${logs}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    });
  }

  it("the watcher proved both rounds, answered the margin call, and stops on SIGTERM", async function () {
    const watcher = background.find((b) => b.line.startsWith("npx zkmargin watch "));
    expect(watcher, "the walkthrough runs the watcher").to.not.equal(undefined);
    const deadline = Date.now() + WAIT_MS;
    while (!/"type":"margin-call-cured"/.test(watcher!.output()) && Date.now() < deadline) {
      if (watcher!.child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const events = watcher!
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; round?: string; level: string });
    const proved = events.filter((e) => e.type === "proved").map((e) => e.round);
    expect(proved, watcher!.output()).to.deep.equal(["1042", "1043"]);
    expect(events.map((e) => e.type)).to.include("margin-call-cured");
    expect(
      events.filter((e) => e.level === "error"),
      watcher!.output(),
    ).to.deep.equal([]);
    const exited = new Promise<number | null>((resolve) => watcher!.child.once("exit", resolve));
    watcher!.child.kill("SIGTERM");
    expect(await exited).to.equal(0);
  });
});
