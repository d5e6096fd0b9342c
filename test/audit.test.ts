/**
 * The auditor's side on the `small` instance: keys (on a private copy of the build folder, so
 * tampering never touches the shared one), a disclosed opening against a real proof, and the
 * on-chain history of a real submission on Hardhat's in-process network.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { auditKeys, type AuditResult, type Check } from "../prover/src/audit";
import { setupInstance } from "../prover/src/setup/dev-setup";
import { readManifest } from "../prover/src/setup/manifest";
import { PROJECT_ROOT } from "../prover/src/setup/paths";
import { removeTempDirs, tempDir } from "./helpers/cli";

const INSTANCE = "small";
const quiet = { log: () => undefined, onProgress: () => undefined };

/** The checks of an audit with a given status. */
function withStatus(result: AuditResult<unknown>, status: Check["status"]): Check[] {
  return result.checks.filter((c) => c.status === status);
}

/**
 * A project root of its own holding copies of the instance's manifest entry and artifacts; the
 * ptau, the circuit sources and node_modules are symlinked (read only, never tampered with).
 */
function copyRoot(): string {
  const root = tempDir("zkmargin-audit-");
  const entry = readManifest().instances[INSTANCE];
  for (const record of Object.values(entry.artifacts)) {
    if (record === undefined) continue;
    const target = path.join(root, record.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, record.path), target);
  }
  const ptau = path.join(root, entry.ptau.path);
  fs.mkdirSync(path.dirname(ptau), { recursive: true });
  fs.symlinkSync(path.resolve(PROJECT_ROOT, entry.ptau.path), ptau);
  for (const shared of ["circuits", "node_modules"]) {
    fs.symlinkSync(path.join(PROJECT_ROOT, shared), path.join(root, shared));
  }
  const manifest = { version: 1, instances: { [INSTANCE]: entry } };
  fs.writeFileSync(path.join(root, "build", "manifest.json"), JSON.stringify(manifest, null, 2));
  return root;
}

/** Flips one byte in the middle of `file`. */
function tamper(file: string): void {
  const bytes = fs.readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] ^= 0x01;
  fs.writeFileSync(file, bytes);
}

describe("zkmargin audit", function () {
  before(async function () {
    await setupInstance(INSTANCE, quiet);
  });

  after(removeTempDirs);

  describe("keys", function () {
    let root: string;
    let fresh: Awaited<ReturnType<typeof auditKeys>>;

    before(async function () {
      root = copyRoot();
      fresh = await auditKeys(INSTANCE, { root });
    });

    it("passes on a fresh setup, with development keys flagged and the vkey hash reported", function () {
      expect(withStatus(fresh, "fail"), JSON.stringify(fresh.checks, null, 1)).to.deep.equal([]);
      expect(withStatus(fresh, "skip")).to.deep.equal([]);
      expect(fresh.ok).to.equal(true);
      const warnings = withStatus(fresh, "warn").map((c) => c.title);
      expect(warnings.join("\n")).to.match(/DEVELOPMENT KEYS, NOT FOR PRODUCTION/);
      expect(fresh.data.vkeyHash).to.equal(readManifest().instances[INSTANCE].vkeyHash);
      expect(fresh.data.contributions?.map((c) => c.name)).to.deep.equal(["zkmargin development"]);
      const titles = fresh.checks.map((c) => c.title).join("\n");
      expect(titles).to.match(/zkey is a valid proving key/);
      expect(titles).to.match(/verification key equals a fresh export/);
      expect(titles).to.match(/generated\) equals a fresh export/);
    });

    it("fails with --require-production on development keys", async function () {
      const strict = await auditKeys(INSTANCE, { root, requireProduction: true });
      expect(strict.ok).to.equal(false);
      expect(
        withStatus(strict, "fail")
          .map((c) => c.title)
          .join("\n"),
      ).to.match(/DEVELOPMENT/);
    });

    for (const kind of ["zkey", "wasm", "vkey"] as const) {
      it(`fails, naming the file, after the ${kind} is tampered with`, async function () {
        const copy = copyRoot();
        const record = readManifest().instances[INSTANCE].artifacts[kind];
        const file = path.join(copy, record.path);
        tamper(file);
        const result = await auditKeys(INSTANCE, { root: copy });
        expect(result.ok).to.equal(false);
        const failed = withStatus(result, "fail");
        expect(failed.length).to.be.greaterThan(0);
        for (const check of failed) expect(check.detail).to.contain(file);
        expect(failed[0].title).to.match(/sha256 matches the manifest/);
        if (kind === "zkey") {
          expect(
            withStatus(result, "skip")
              .map((c) => c.title)
              .join("\n"),
          ).to.match(/valid proving key/);
        }
        if (kind === "vkey") {
          expect(failed.map((c) => c.title).join("\n")).to.match(
            /verification key equals a fresh export/,
          );
        }
      });
    }
  });
});
