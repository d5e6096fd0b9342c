/**
 * The contracts compile without a single solc warning: a shadowed name, an unused variable or an
 * unreachable branch is a bug waiting, and `npm start` prints every warning to the user.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { compileContracts, hre } from "./contracts.fixture";

interface SolcMessage {
  severity: string;
  formattedMessage?: string;
  message: string;
  sourceLocation?: { file: string };
}

/** Every file below `dir` whose name ends with `suffix`. */
function filesBelow(dir: string, suffix: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesBelow(file, suffix);
    return entry.name.endsWith(suffix) ? [file] : [];
  });
}

/**
 * The solc warnings and errors about the project's sources, each from the compilation behind that
 * source's current artifacts (an older compilation that other artifacts still point to may hold
 * messages about a source that has been fixed since), deduplicated.
 */
function compilerMessages(): SolcMessage[] {
  const { artifacts, root, sources } = hre.config.paths;
  const ours = path.relative(root, sources);
  // Each source's artifacts sit in artifacts/<source path>/; their debug files name the build.
  const buildOf = new Map<string, string>();
  for (const debug of filesBelow(path.join(artifacts, ours), ".dbg.json")) {
    const { buildInfo } = JSON.parse(fs.readFileSync(debug, "utf8")) as { buildInfo: string };
    buildOf.set(
      path.relative(artifacts, path.dirname(debug)),
      path.resolve(path.dirname(debug), buildInfo),
    );
  }
  expect(buildOf.size, "no build info behind the artifacts").to.be.greaterThan(0);
  const seen = new Map<string, SolcMessage>();
  for (const [source, file] of buildOf) {
    const { output } = JSON.parse(fs.readFileSync(file, "utf8")) as {
      output: { errors?: SolcMessage[] };
    };
    for (const message of output.errors ?? []) {
      const about = message.sourceLocation?.file;
      if (message.severity === "info" || (about !== undefined && about !== source)) continue;
      seen.set(message.formattedMessage ?? message.message, message);
    }
  }
  return [...seen.values()];
}

describe("contracts: compiler output", function () {
  this.timeout(300_000);

  it("compiles the project's contracts without a solc warning", async () => {
    await compileContracts();
    const messages = compilerMessages().map((m) => m.formattedMessage ?? m.message);
    expect(messages.join("\n")).to.equal("");
  });
});
