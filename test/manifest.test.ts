import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadInstances } from "../prover/src/encoding/instances";
import { canonicalJson } from "../prover/src/io/canonical-json";
import { setupInstance } from "../prover/src/setup/dev-setup";
import {
  ArtifactIntegrityError,
  loadArtifacts,
  readManifest,
  vkeyHash,
} from "../prover/src/setup/manifest";
import { setupPaths } from "../prover/src/setup/paths";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";

const ROOT = path.resolve(__dirname, "..");

/** A throw-away project root inside build/ (circom2 only sees the cwd) with a 2-constraint circuit. */
function tinyProject(): { root: string; compile: () => { r1cs: string; wasm: string } } {
  const root = buildScratchDir("tmp-manifest-");
  fs.mkdirSync(path.join(root, "circuits"));
  fs.copyFileSync(
    path.join(ROOT, "circuits", "instances.json"),
    path.join(root, "circuits", "instances.json"),
  );
  const source = path.join(root, "circuits", "tiny.circom");
  fs.writeFileSync(
    source,
    "pragma circom 2.1.9;\ntemplate T() { signal input a; signal input b; signal input c; signal ab <== a * b; c === ab * a; }\n" +
      "component main {public [c]} = T();\n",
  );
  const out = path.join(root, "out");
  fs.mkdirSync(out);
  const rel = (p: string) => path.relative(ROOT, p);
  execFileSync(
    "npx",
    ["circom2", rel(source), "--r1cs", "--wasm", "-l", "node_modules", "-o", rel(out)],
    { cwd: ROOT },
  );
  return {
    root,
    compile: () => ({
      r1cs: path.join(out, "tiny.r1cs"),
      wasm: path.join(out, "tiny_js", "tiny.wasm"),
    }),
  };
}

describe("setup: manifest", function () {
  let root: string;
  let compile: () => { r1cs: string; wasm: string };
  const quiet = { log: () => undefined, onProgress: () => undefined };

  before(async function () {
    ({ root, compile } = tinyProject());
    const result = await setupInstance("small", { root, compile, ...quiet });
    expect(result.status).to.equal("created");
  });
  after(async function () {
    await releaseCurve();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("lists every artifact with its sha256, the ptau and the setup kind", async function () {
    const entry = readManifest(paths(root)).instances.small;
    expect(entry.kind).to.equal("development");
    expect(entry.ptau.source).to.equal("development");
    expect(entry.params).to.deep.equal(loadInstances().small);
    for (const record of Object.values(entry.artifacts)) {
      const bytes = fs.readFileSync(path.join(root, record.path));
      expect(createHash("sha256").update(bytes).digest("hex")).to.equal(record.sha256);
    }
    const loaded = await loadArtifacts("small", { root, checkPtau: true });
    expect(loaded.zkey).to.equal(path.join(root, "build", "keys", "small", "main.zkey"));
  });

  it("vkeyHash is sha256 of the canonical JSON, which is the verification key file's bytes", async function () {
    const loaded = await loadArtifacts("small", { root });
    const bytes = fs.readFileSync(loaded.vkeyPath);
    expect(vkeyHash(loaded.vkey)).to.equal(`0x${createHash("sha256").update(bytes).digest("hex")}`);
    expect(canonicalJson({ b: [1, { d: "x", c: null }], a: true })).to.equal(
      '{"a":true,"b":[1,{"c":null,"d":"x"}]}',
    );
  });

  for (const kind of ["wasm", "zkey", "vkey", "generatedVerifier"] as const) {
    it(`refuses a changed ${kind}, naming the file`, async function () {
      const entry = readManifest(paths(root)).instances.small;
      const file = path.join(root, entry.artifacts[kind].path);
      const original = fs.readFileSync(file);
      const changed = Buffer.from(original);
      changed[changed.length >> 1] ^= 0x01;
      fs.writeFileSync(file, changed);
      try {
        const error = await refusal(loadArtifacts("small", { root }));
        expect(error).to.be.instanceOf(ArtifactIntegrityError);
        expect((error as ArtifactIntegrityError).file).to.equal(file);
        expect(error.message).to.contain(file).and.contain("does not match the manifest");
        if (kind === "zkey") {
          // A prover that checks the bytes it loads (the native one) takes the zkey unchecked.
          const left = await loadArtifacts("small", { root, zkeyCheckedByCaller: true });
          expect(left.zkey).to.equal(file);
        }
      } finally {
        fs.writeFileSync(file, original);
      }
      await loadArtifacts("small", { root }); // restored: accepted again
    });
  }

  it("refuses a missing artifact and an instance without an entry", async function () {
    const entry = readManifest(paths(root)).instances.small;
    const wasm = path.join(root, entry.artifacts.wasm.path);
    fs.renameSync(wasm, `${wasm}.away`);
    try {
      await expectReject(loadArtifacts("small", { root }), `${wasm}: missing`);
    } finally {
      fs.renameSync(`${wasm}.away`, wasm);
    }
    await expectReject(loadArtifacts("demo", { root }), 'no entry for instance "demo"');
  });

  it("a rerun with nothing changed does no work; a changed artifact makes it redo the setup", async function () {
    const noCompile = () => {
      throw new Error("compile must not run on a no-op rerun");
    };
    const again = await setupInstance("small", { root, compile: noCompile, ...quiet });
    expect(again.status).to.equal("unchanged");

    const entry = readManifest(paths(root)).instances.small;
    fs.appendFileSync(path.join(root, entry.artifacts.verifier.path), "// edited\n");
    const redone = await setupInstance("small", { root, compile, ...quiet });
    expect(redone.status).to.equal("created");
    expect(redone.entry.artifacts.zkey.sha256).to.not.equal(entry.artifacts.zkey.sha256); // fresh randomness
    await loadArtifacts("small", { root });
  });
});

function paths(root: string) {
  return setupPaths(root);
}

async function expectReject(promise: Promise<unknown>, fragment: string): Promise<void> {
  const error = await refusal(promise, `a refusal containing "${fragment}"`);
  expect(error.message).to.contain(fragment);
}
