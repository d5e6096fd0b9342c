/**
 * The native Groth16 prover (native/, loaded by prover/src/native): its proofs verify with
 * snarkjs and with the generated Solidity verifier for every set-up instance and example, each
 * proof draws fresh randomness, its MSMs agree with snarkjs's, and a truncated or corrupted zkey,
 * the wrong zkey and a witness of the wrong length each give a clear error without crashing the
 * process. The suite needs the addon built (`npm run build:native`; `npm ci` builds it where g++
 * and nasm are installed, as .ci/run does).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { withCommitments } from "../prover/src/commitments";
import { encodeCircuitInput } from "../prover/src/encoding/circuit-input";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { loadInstances } from "../prover/src/encoding/instances";
import { fits } from "../prover/src/encoding/instances";
import { loadExamples, type Example } from "../prover/src/bench/examples";
import { scalarBytes } from "../prover/src/bench/msm-floor";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import {
  chooseProver,
  defaultProverName,
  generateProof,
  ProofVerificationError,
  sharedNativeProver,
  snarkjsProver,
  type Groth16Prover,
} from "../prover/src/proving";
import { deployVerifier } from "../prover/src/chain";
import { snarkjs, usingCurve } from "../prover/src/proving/snarkjs";
import {
  nativeAddon,
  NativeKey,
  NativeProver,
  NativeProverError,
  type NativeAddon,
  type NativeMsm,
} from "../prover/src/native";
import { WitnessCalculators } from "../prover/src/queue/witness";
import {
  ArtifactIntegrityError,
  loadArtifacts,
  readManifest,
  type LoadedArtifacts,
} from "../prover/src/setup/manifest";
import { bn128, releaseCurve, snarkjs as setupSnarkjs } from "../prover/src/setup/snarkjs";
import { compileContracts, hre } from "./contracts.fixture";
import { section } from "./helpers/binfile-sections";
import { SMALL_EXAMPLES, inputArgs, removeTempDirs, runCli, tempDir } from "./helpers/cli";
import { refusal } from "./helpers/refusal";
import { awaitSharedKeys } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");

/** The plain witness values of a .wtns (section 2, 32-byte little-endian values). */
function witnessValues(wtns: Uint8Array): bigint[] {
  const { offset, length } = section(wtns, 2);
  const out: bigint[] = [];
  for (let at = offset; at < offset + length; at += 32) {
    out.push(
      BigInt(
        `0x${Buffer.from(wtns.subarray(at, at + 32))
          .reverse()
          .toString("hex")}`,
      ),
    );
  }
  return out;
}

/** The sufficient example portfolios: each folder's triple and the batch funds on the desk. */
function provableExamples(): Example[] {
  const folders = loadExamples();
  const desk = folders.find((e) => e.name === "desk");
  if (!desk) throw new Error("examples/desk is missing");
  const batchDir = path.join(ROOT, "examples", "batch");
  const funds = fs
    .readdirSync(batchDir)
    .sort()
    .map((file) => ({
      ...desk,
      name: `batch/${file}`,
      portfolio: loadPortfolio(path.join(batchDir, file), desk.policy),
    }));
  return [...folders, ...funds].filter(
    (e) => computeMargin(e.policy, e.market, e.portfolio).sufficient,
  );
}

describe("native Groth16 prover", function () {
  let addon: NativeAddon;
  let native: Groth16Prover & { key(a: LoadedArtifacts): Promise<NativeKey> };
  let small: LoadedArtifacts;
  let zkeyBytes: Uint8Array;
  let wtns: Uint8Array;
  const policy = loadPolicy(path.join(SMALL_EXAMPLES, "policy.json"));
  const market = loadMarket(path.join(SMALL_EXAMPLES, "market.json"));
  const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);

  before(async function () {
    const status = nativeAddon();
    if (status.addon === undefined) {
      throw new Error(
        `the native prover is not available (${status.reason}); run npm run build:native`,
      );
    }
    addon = status.addon;
    const shared = sharedNativeProver();
    if (!shared) throw new Error("no shared native prover");
    native = shared;
    await awaitSharedKeys(this, "small");
    small = await loadArtifacts("small");
    zkeyBytes = fs.readFileSync(small.zkey);
    const made = await generateProof({ policy, market, portfolio, nonce: 7n, instance: "small" });
    expect(made.prover).to.equal("native");
    // A witness of the small example, for the direct calls below.
    const signals = await withCommitments(
      encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 12345n,
        nonce: 7n,
        instance: loadInstances().small,
      }),
    );
    wtns = await new WitnessCalculators().witness(small, { ...signals });
  });

  after(async () => {
    removeTempDirs();
    await releaseCurve();
  });

  it("is the default prover when built, and snarkjs stays available by name", () => {
    expect(defaultProverName()).to.equal("native");
    expect(chooseProver().name).to.equal("native");
    expect(chooseProver("native")).to.equal(native);
    expect(chooseProver("snarkjs")).to.equal(snarkjsProver);
    // ZKMARGIN_PROVER sets the default of a process (workers started by another).
    const saved = process.env.ZKMARGIN_PROVER;
    try {
      process.env.ZKMARGIN_PROVER = "snarkjs";
      expect(chooseProver()).to.equal(snarkjsProver);
      expect(defaultProverName()).to.equal("snarkjs");
      expect(chooseProver("native")).to.equal(native);
      process.env.ZKMARGIN_PROVER = "fast";
      expect(() => chooseProver()).to.throw(/ZKMARGIN_PROVER must be one of native, snarkjs/);
    } finally {
      if (saved === undefined) delete process.env.ZKMARGIN_PROVER;
      else process.env.ZKMARGIN_PROVER = saved;
    }
  });

  it("draws fresh r and s for every proof: two proofs of one witness differ and both verify", async () => {
    const key = await native.key(small);
    const first = await key.prove(wtns);
    const second = await key.prove(wtns);
    expect(first.publicSignals).to.deep.equal(second.publicSignals);
    expect(first.proof.pi_a).to.not.deep.equal(second.proof.pi_a);
    expect(first.proof.pi_b).to.not.deep.equal(second.proof.pi_b);
    expect(first.proof.pi_c).to.not.deep.equal(second.proof.pi_c);
    await usingCurve(async () => {
      for (const made of [first, second]) {
        expect(await snarkjs.groth16.verify(small.vkey, made.publicSignals, made.proof)).to.equal(
          true,
        );
      }
    });
    // The public signals are the witness's values 1 .. nPublic, as snarkjs returns them.
    const values = witnessValues(wtns);
    expect(first.publicSignals).to.deep.equal(
      values.slice(1, 1 + key.nPublic).map((v) => v.toString()),
    );
    expect(Object.keys(first.phases.msmEach)).to.deep.equal(["A", "B1", "B2", "C", "H"]);
  });

  it("computes each MSM as snarkjs does, for zero, one, small, negated small and random scalars", async () => {
    const key = await native.key(small);
    const curve = (await bn128()) as unknown as {
      G1: SnarkGroup;
      G2: SnarkGroup;
    };
    const zkey = section(zkeyBytes, 5);
    const kinds = (i: number): bigint => {
      switch (i % 5) {
        case 0:
          return 0n;
        case 1:
          return 1n;
        case 2:
          return BigInt(i * 7919);
        case 3:
          return SNARK_SCALAR_FIELD - BigInt(i);
        default:
          return BigInt(`0x${randomBytes(40).toString("hex")}`) % SNARK_SCALAR_FIELD;
      }
    };
    const cases: [NativeMsm, number, boolean][] = [
      ["A", 5, false],
      ["B2", 7, true],
      ["H", 9, false],
    ];
    for (const [name, type, g2] of cases) {
      const { offset, length } = type === 5 ? zkey : section(zkeyBytes, type);
      const count = length / (g2 ? 128 : 64);
      const scalars = scalarBytes(Array.from({ length: count }, (_, i) => kinds(i)));
      const mine = await key.multiExp(name, scalars);
      const group = g2 ? curve.G2 : curve.G1;
      const theirs = group.toObject(
        group.toAffine(
          await group.multiExpAffine(zkeyBytes.slice(offset, offset + length), scalars),
        ),
      );
      const expected = (g2 ? theirs.slice(0, 2).flat() : theirs.slice(0, 2)).map(String);
      expect(mine.point, name).to.deep.equal(expected);
    }
    await releaseCurve();
  });

  it("proves every example on every set-up instance it fits; snarkjs and the Solidity verifier accept", async function () {
    const instances = loadInstances();
    const setUp = Object.keys(readManifest().instances).filter((name) => name in instances);
    expect(setUp).to.include("small");
    await compileContracts();
    const [signer] = await hre.ethers.getSigners();
    let proved = 0;
    for (const instance of setUp) {
      const verifier = (await deployVerifier(signer, instance)).contract;
      for (const example of provableExamples()) {
        if (!fits(example.policy, example.market, instances[instance])) continue;
        const made = await generateProof({
          policy: example.policy,
          market: example.market,
          portfolio: example.portfolio,
          nonce: 9n,
          instance,
          prover: "native",
        });
        expect(made.prover).to.equal("native");
        const vkey = (await loadArtifacts(instance)).vkey;
        const accepted = await usingCurve(() =>
          snarkjs.groth16.verify(vkey, made.publicSignals, made.proof),
        );
        expect(accepted, `${example.name} on ${instance}: snarkjs`).to.equal(true);
        const { pA, pB, pC, pubSignals } = made.calldata;
        const onChain = (await verifier.getFunction("verifyProof")(
          pA,
          pB,
          pC,
          pubSignals,
        )) as boolean;
        expect(onChain, `${example.name} on ${instance}: Solidity verifier`).to.equal(true);
        // The verifier refuses the same proof for other public signals.
        const other = [...pubSignals];
        other[1] = `0x${(BigInt(other[1]) + 1n).toString(16).padStart(64, "0")}`;
        expect(await verifier.getFunction("verifyProof")(pA, pB, pC, other)).to.equal(false);
        proved += 1;
      }
    }
    expect(proved).to.be.greaterThan(0);
  });

  describe("faults: a clear error, and the process lives on", () => {
    async function loadError(bytes: Uint8Array): Promise<string> {
      const error = await refusal(NativeKey.load(addon, "bad.zkey", bytes), "the zkey refused");
      expect(error).to.be.instanceOf(NativeProverError);
      return error.message;
    }

    it("refuses a truncated zkey, naming the file and the section", async () => {
      const cut = zkeyBytes.subarray(0, section(zkeyBytes, 9).offset + 1000);
      expect(await loadError(cut)).to.match(/^bad\.zkey: zkey is truncated: section 9 declares/);
      expect(await loadError(zkeyBytes.subarray(0, 6))).to.match(/^bad\.zkey: zkey is truncated/);
      expect(await loadError(new Uint8Array(0))).to.match(/not a \.zkey file/);
    });

    it("refuses a corrupted zkey: a point off the curve, a bad header, an out-of-range coefficient", async () => {
      const h = section(zkeyBytes, 9);
      const offCurve = Uint8Array.from(zkeyBytes);
      offCurve[h.offset + 64 * 10 + 5] ^= 0x40;
      expect(await loadError(offCurve)).to.match(
        /zkey is corrupted: point 10 of H is not on the curve/,
      );

      const header = section(zkeyBytes, 2);
      const badDomain = Uint8Array.from(zkeyBytes);
      Buffer.from(badDomain.buffer).writeUInt32LE(12345, header.offset + 80);
      expect(await loadError(badDomain)).to.match(/domain size 12345 is not a power of two/);

      const badVars = Uint8Array.from(zkeyBytes);
      const nVars = Buffer.from(badVars.buffer).readUInt32LE(header.offset + 72);
      Buffer.from(badVars.buffer).writeUInt32LE(nVars + 1, header.offset + 72);
      expect(await loadError(badVars)).to.match(
        /section 5 \(A points\) holds \d+ bytes, the header implies/,
      );

      const coefficients = section(zkeyBytes, 4);
      const badSignal = Uint8Array.from(zkeyBytes);
      Buffer.from(badSignal.buffer).writeUInt32LE(0xffffffff, coefficients.offset + 4 + 8);
      expect(await loadError(badSignal)).to.match(
        /coefficient 0 has a matrix, constraint, signal or value out of range/,
      );

      const notGroth16 = Uint8Array.from(zkeyBytes);
      Buffer.from(notGroth16.buffer).writeUInt32LE(2, section(zkeyBytes, 1).offset);
      expect(await loadError(notGroth16)).to.match(/not a Groth16 key/);
    });

    it("checks the zkey file it reads against the manifest: a changed, truncated or missing one is refused", async () => {
      const dir = tempDir("zkmargin-native-");
      const prover = new NativeProver(addon);
      const refused = async (file: string): Promise<string> => {
        const error = await refusal(
          prover.prove({ ...small, zkey: file }, wtns),
          `${file} refused`,
        );
        expect(error).to.be.instanceOf(ArtifactIntegrityError);
        expect((error as ArtifactIntegrityError).file).to.equal(file);
        return error.message;
      };
      const changed = path.join(dir, "changed.zkey");
      const flipped = Uint8Array.from(zkeyBytes);
      flipped[flipped.length >> 1] ^= 0x01;
      fs.writeFileSync(changed, flipped);
      expect(await refused(changed)).to.match(/: sha256 [0-9a-f]{64} does not match the manifest/);
      const truncated = path.join(dir, "truncated.zkey");
      fs.writeFileSync(truncated, zkeyBytes.subarray(0, zkeyBytes.length - 4096));
      expect(await refused(truncated)).to.match(/does not match the manifest/);
      const missing = path.join(dir, "missing.zkey");
      expect(await refused(missing)).to.equal(`${missing}: missing (listed in the manifest)`);
      // generateProof reports the refusal before computing the witness.
      const error = await refusal(
        generateProof({
          policy,
          market,
          portfolio,
          nonce: 7n,
          instance: "small",
          artifacts: async () => ({ ...small, zkey: changed }),
          witness: () => Promise.reject(new Error("the witness was computed")),
          prover,
        }),
        "the changed zkey refused",
      );
      expect(error).to.be.instanceOf(ArtifactIntegrityError);
      expect(error.message).to.contain(changed).and.contain("does not match the manifest");
      // A failed load is not cached, and the process lives on: the real file proves.
      fs.writeFileSync(changed, zkeyBytes);
      const made = await prover.prove({ ...small, zkey: changed }, wtns);
      expect(made.publicSignals).to.have.length(small.vkey.nPublic);
    });

    it("gives a proof that fails verification for a zkey of another setup, and generateProof refuses it", async () => {
      // A second contribution gives a zkey for the same circuit that the instance's verification
      // key does not match: the witness fits it, the proof does not verify.
      const dir = tempDir("zkmargin-native-");
      const other = path.join(dir, "other.zkey");
      await setupSnarkjs.zKey.contribute(small.zkey, other, "other", "native test entropy");
      await releaseCurve();
      const otherKey = await NativeKey.read(addon, other);
      const wrong: Groth16Prover = {
        name: "native",
        prepare: async () => undefined,
        prove: async (_artifacts, witness) => otherKey.prove(witness),
      };
      const error = await refusal(
        generateProof({ policy, market, portfolio, nonce: 7n, instance: "small", prover: wrong }),
        "the other setup's proof refused",
      );
      expect(error).to.be.instanceOf(ProofVerificationError);
      expect(error.message).to.match(/does not verify with its verification key/);
    });

    it("refuses a witness of the wrong length or field, or a corrupted one", async () => {
      const key = await native.key(small);
      const header = section(wtns, 1);
      const values = section(wtns, 2);
      // One value fewer, consistently (a witness of another circuit).
      const shorter = Uint8Array.from(wtns.subarray(0, values.offset + values.length - 32));
      Buffer.from(shorter.buffer).writeUInt32LE(key.nVars - 1, header.offset + 36);
      Buffer.from(shorter.buffer).writeBigUInt64LE(BigInt(values.length - 32), values.offset - 8);
      await expectProveError(
        key,
        shorter,
        /witness has \d+ values, the zkey expects \d+: the witness is of another circuit or instance/,
      );
      // Its header says nVars but its values are cut short.
      const cut = Uint8Array.from(wtns);
      Buffer.from(cut.buffer).writeBigUInt64LE(BigInt(values.length - 32), values.offset - 8);
      await expectProveError(key, cut, /section 2 \(values\) holds \d+ bytes, the header implies/);
      await expectProveError(key, wtns.subarray(0, values.offset + 100), /witness is truncated/);
      const notReduced = Uint8Array.from(wtns);
      notReduced.fill(0xff, values.offset + 64, values.offset + 96);
      await expectProveError(key, notReduced, /witness value 2 is not a field element/);
      await expectProveError(key, zkeyBytes, /not a \.wtns file/);
      // The prover still works afterwards.
      expect((await key.prove(wtns)).publicSignals).to.have.length(key.nPublic);
    });
  });

  it("zkmargin prove --prover chooses; without the addon the CLI proves with snarkjs and says so in one line", function () {
    const files = {
      policy: path.join(SMALL_EXAMPLES, "policy.json"),
      market: path.join(SMALL_EXAMPLES, "market.json"),
      portfolio: path.join(SMALL_EXAMPLES, "portfolio.json"),
    };
    const chosen = runCli([
      "prove",
      ...inputArgs(files),
      "--out",
      tempDir(),
      "--nonce",
      "3",
      "--prover",
      "native",
    ]);
    expect(chosen.status, chosen.stderr).to.equal(0);
    expect(chosen.stdout).to.contain("prover native");

    const missing = { ZKMARGIN_NATIVE_ADDON: path.join(tempDir(), "missing.node") };
    const fallback = runCli(["prove", ...inputArgs(files), "--out", tempDir(), "--nonce", "3"], {
      env: missing,
    });
    expect(fallback.status, fallback.stderr).to.equal(0);
    expect(fallback.stdout).to.contain("prover snarkjs");
    const notice = fallback.stderr.split("\n").filter((line) => line.includes("native prover"));
    expect(notice).to.have.length(1);
    expect(notice[0]).to.match(
      /native prover not available .*proving with snarkjs\. For the fast path: apt-get install/,
    );

    const refused = runCli(
      ["prove", ...inputArgs(files), "--out", tempDir(), "--prover", "native"],
      {
        env: missing,
      },
    );
    expect(refused.status).to.not.equal(0);
    expect(refused.stderr).to.match(/the native prover is not available: it is not built/);
    // An addon built from older sources (here a module that lacks newZkey) is not used.
    const old = path.join(tempDir(), "old-addon.js");
    fs.writeFileSync(
      old,
      "module.exports = { cpuSupported: true, threads: 1, loadProvingKey() {}, verifyGroth16() {}, " +
        "generateDevPtau() {}, checkPtau() {} };\n",
    );
    const stale = runCli(["prove", ...inputArgs(files), "--out", tempDir(), "--prover", "native"], {
      env: { ZKMARGIN_NATIVE_ADDON: old },
    });
    expect(stale.status).to.not.equal(0);
    expect(stale.stderr).to.match(
      /the native prover is not available: it is built from older sources \(no newZkey\): run npm run build:native/,
    );
    const bad = runCli(["prove", ...inputArgs(files), "--out", tempDir(), "--prover", "fast"]);
    expect(bad.status).to.not.equal(0);
    expect(bad.stderr).to.match(/--prover.*native, snarkjs/);
  });
});

interface SnarkGroup {
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  toAffine(point: Uint8Array): Uint8Array;
  toObject(point: Uint8Array): (bigint | bigint[])[];
}

async function expectProveError(key: NativeKey, wtns: Uint8Array, pattern: RegExp): Promise<void> {
  const error = await refusal(key.prove(wtns), `the witness refused (${pattern})`);
  expect(error).to.be.instanceOf(NativeProverError);
  expect(error.message).to.match(pattern);
  expect(error.message.startsWith(key.file)).to.equal(true);
}
