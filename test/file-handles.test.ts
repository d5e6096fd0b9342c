/**
 * snarkjs calls made through the setup's facade close the files they open, on success, on a
 * failed verification and on a refused file (snarkjs 0.7.6 itself leaks on all three).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { closingFileHandles } from "../prover/src/setup/file-handles";
import { readManifest } from "../prover/src/setup/manifest";
import { PROJECT_ROOT } from "../prover/src/setup/paths";
import { newZkey } from "../prover/src/setup/phase2";
import { bn128, capturingLogger, releaseCurve, snarkjs } from "../prover/src/setup/snarkjs";
import { section } from "./helpers/binfile-sections";
import { openFiles, withoutDescriptorLeak } from "./helpers/open-files";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

describe("setup: snarkjs calls close the files they open", function () {
  let work: string;
  let r1cs: string;
  let ptau: string;
  let zkey: string;
  let init: string;

  before(sharedKeysHook("small"));
  before(async function () {
    work = buildScratchDir("tmp-file-handles-");
    const entry = readManifest().instances.small;
    r1cs = path.resolve(PROJECT_ROOT, entry.artifacts.r1cs.path);
    zkey = path.resolve(PROJECT_ROOT, entry.artifacts.zkey.path);
    ptau = path.resolve(PROJECT_ROOT, entry.ptau.path);
    init = path.join(work, "init.zkey");
    await newZkey(r1cs, ptau, init);
    await bn128(); // its worker threads hold descriptors: open them before counting
  });
  after(async function () {
    await releaseCurve();
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
  });

  it("closingFileHandles closes what its call left open, even when it throws, and nothing else", async function () {
    const outside = await fs.promises.open(r1cs, "r");
    try {
      let leaked: fs.promises.FileHandle | undefined;
      const before = openFiles().get(r1cs) ?? 0;
      const thrown = await closingFileHandles(async () => {
        leaked = await fs.promises.open(r1cs, "r");
        throw new Error("refused");
      }).catch((e: Error) => e);
      expect(thrown).to.be.instanceOf(Error);
      expect(leaked?.fd).to.equal(-1);
      expect(openFiles().get(r1cs) ?? 0).to.equal(before);
      expect(outside.fd).to.not.equal(-1);
      expect((await outside.stat()).size).to.be.greaterThan(0);
    } finally {
      await outside.close();
    }
  });

  it("exportVerificationKey of a file that is no zkey refuses and closes it", async function () {
    await refusal(
      withoutDescriptorLeak("exportVerificationKey(r1cs)", () =>
        snarkjs.zKey.exportVerificationKey(r1cs),
      ),
    );
  });

  it("verifyFromInit that fails early (an altered circuit hash) closes the zkey", async function () {
    const altered = path.join(work, "altered.zkey");
    const bytes = fs.readFileSync(zkey);
    // Section 10 (MPC parameters) starts with the 64-byte circuit hash every transcript hashes.
    const at = section(bytes, 10).offset;
    bytes[at] ^= 0x01;
    fs.writeFileSync(altered, bytes);
    const logger = capturingLogger();
    const ok = await withoutDescriptorLeak("verifyFromInit(altered)", () =>
      snarkjs.zKey.verifyFromInit(init, ptau, altered, logger),
    );
    expect(ok).to.equal(false);
  });

  it("verifyFromInit that passes closes the zkeys and the ptau", async function () {
    const logger = capturingLogger();
    const ok = await withoutDescriptorLeak("verifyFromInit(main.zkey)", () =>
      snarkjs.zKey.verifyFromInit(init, ptau, zkey, logger),
    );
    expect(ok, logger.errors().join("; ")).to.equal(true);
  });
});
