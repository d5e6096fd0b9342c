import { expect } from "chai";
import { PUBLIC_SIGNAL_NAMES } from "../prover/src/proving/public-signals";
import * as fs from "node:fs";
import * as path from "node:path";
import { readPtauHeader, readR1csHeader } from "../prover/src/setup/binfile";
import { DEVELOPMENT_WARNING, setupInstance } from "../prover/src/setup/dev-setup";
import { loadArtifacts } from "../prover/src/setup/manifest";
import {
  PUBLISHED_PTAU_BLAKE2B,
  checkProductionPtau,
  ensureDevPtau,
  publishedPtauName,
  requiredPower,
} from "../prover/src/setup/ptau";
import { bn128, releaseCurve, snarkjs } from "../prover/src/setup/snarkjs";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";

const ROOT = path.resolve(__dirname, "..");

describe("setup: ptau", function () {
  let work: string;
  before(() => (work = buildScratchDir("tmp-setup-")));
  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("picks the smallest power with 2^power > constraints + public signals (snarkjs newZKey's rule)", function () {
    expect(requiredPower(8186, 5)).to.equal(13); // 8191 rows fit the 8192 domain
    expect(requiredPower(8187, 5)).to.equal(14); // 8192 rows need the next one
    expect(requiredPower(3, 1)).to.equal(8); // never below the smallest published power
    expect(() => requiredPower(2 ** 28, 0)).to.throw(/bn128 limit/);
  });

  it("embeds the published blake2b-512 of every Hermez file from 2^8 to 2^28", function () {
    expect(Object.keys(PUBLISHED_PTAU_BLAKE2B).map(Number)).to.deep.equal(
      [...Array(21).keys()].map((i) => i + 8),
    );
    for (const hash of Object.values(PUBLISHED_PTAU_BLAKE2B))
      expect(hash).to.match(/^[0-9a-f]{128}$/);
    expect(publishedPtauName(16)).to.equal("powersOfTau28_hez_final_16.ptau");
    expect(publishedPtauName(28)).to.equal("powersOfTau28_hez_final.ptau");
  });

  it("refuses a --ptau whose hash is not the published one, naming the file", async function () {
    const dev = await ensureDevPtau(8);
    const copy = path.join(work, "powersOfTau28_hez_final_08.ptau");
    fs.copyFileSync(dev.file, copy);
    const e = await refusal(checkProductionPtau(copy, 8));
    expect(e.message).to.contain(copy).and.contain("does not match the published hash");
  });

  it("refuses a --ptau of a power without a published hash, and a file that is no ptau", async function () {
    const tiny = path.join(work, "pot5.ptau");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 5, tiny);
    expect(readPtauHeader(tiny)).to.deep.equal({
      power: 5,
      ceremonyPower: 5,
      prepared: false,
      contributions: 0,
    });
    const e = await refusal(checkProductionPtau(tiny, 5));
    expect(e.message).to.contain(tiny).and.contain("power 5 has no published hash");
    const text = path.join(work, "notes.ptau");
    fs.writeFileSync(text, "hello, this is not a ptau file");
    expect((await refusal(checkProductionPtau(text, 8))).message).to.contain(
      `${text}: not a ptau file`,
    );
  });
});

describe("setup: development setup of the small instance", function () {
  after(releaseCurve);

  it("sets up (or finds up to date) the small instance, prints the development warning, and reruns as a no-op", async function () {
    const logs: string[] = [];
    const first = await setupInstance("small", {
      log: (m) => logs.push(m),
      onProgress: () => undefined,
    });
    expect(logs[0]).to.equal(DEVELOPMENT_WARNING);
    expect(first.entry.kind).to.equal("development");
    const r1cs = readR1csHeader(path.join(ROOT, first.entry.artifacts.r1cs.path));
    expect(first.entry.constraints).to.equal(r1cs.nConstraints);
    expect(first.entry.nPublic).to.equal(PUBLIC_SIGNAL_NAMES.length);
    expect(first.entry.ptau.power).to.be.at.least(requiredPower(r1cs.nConstraints, r1cs.nPublic));

    const rerunLogs: string[] = [];
    const rerun = await setupInstance("small", {
      log: (m) => rerunLogs.push(m),
      onProgress: () => undefined,
      compile: () => {
        throw new Error("a rerun with nothing changed must not compile");
      },
    });
    expect(rerun.status).to.equal("unchanged");
    expect(rerun.entry).to.deep.equal(first.entry);
    expect(rerunLogs[0]).to.equal(DEVELOPMENT_WARNING);
    const artifacts = await loadArtifacts("small");
    expect(artifacts.vkey.nPublic).to.equal(PUBLIC_SIGNAL_NAMES.length);
  });
});
