/**
 * Every command in README.md is exercised: `npx zkmargin` lines without placeholders run as
 * written (in a scratch folder holding a link to examples/) and must succeed; lines with
 * `<placeholders>` stand for values only the reader has, so their verb and every option they use
 * must exist in the CLI's `--help` (their real flows are exercised by the ceremony, attest and
 * audit tests). Every `npm` command must name a script of package.json; `npm start` and `npm
 * test` themselves are the demo test and this suite.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "bin", "zkmargin.js");

/** The shell lines of the README's ```sh blocks, continuations joined, comments dropped. */
function readmeShellLines(): string[] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.length > 0);
}

/** Splits a command line into words, expanding `$P`-style variables set earlier in the README. */
function words(line: string, vars: Map<string, string>): string[] {
  const expanded = line.replace(/\$([A-Z]+)/g, (_, name: string) => vars.get(name) ?? "");
  return expanded.split(/\s+/).filter((w) => w.length > 0);
}

const lines = readmeShellLines();
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
    for (const verb of [
      "setup",
      "margin",
      "prove",
      "verify",
      "inspect",
      "attest",
      "audit",
      "ceremony",
    ]) {
      expect(
        zkmarginLines.some((l) => l.startsWith(`npx zkmargin ${verb} `)),
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

  it("the SDK example's imports are exported by the package entry", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const imported = /import \{([^}]*)\} from "zkmargin"/.exec(example)?.[1] ?? "";
    const names = imported
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    expect(names.length).to.be.above(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require(ROOT) as Record<string, unknown>;
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
