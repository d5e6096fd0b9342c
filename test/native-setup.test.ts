/**
 * The native code beside the prover: Groth16 verification (native/src/verify.cpp) decides as
 * snarkjs's groth16.verify on valid and tampered proofs; the development ptau
 * (native/src/ptau.cpp) is snarkjs's format (its phase-2 sections are byte for byte snarkjs's own
 * preparation of its powers, its powers pass snarkjs's pairing checks, snarkjs's zkey new takes
 * it and the key's proofs verify), the ptau check refuses corrupted files naming the section and
 * the rule, and a setup on a native ptau is recorded and audited as a development setup. Needs
 * the addon built (`npm run build:native`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { auditKeys } from "../prover/src/audit";
import { compileMain } from "../prover/src/build/compile";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { nativeAddon, verifyGroth16Native, type NativeAddon } from "../prover/src/native";
import { generateProof, ProofVerificationError } from "../prover/src/proving";
import { nativeGroth16Check, type Groth16Prover } from "../prover/src/proving/groth16";
import { snarkjs as proving, type Groth16Proof } from "../prover/src/proving/snarkjs";
import { verifyProof } from "../prover/src/proving/verify-proof";
import { readPtauHeader } from "../prover/src/setup/binfile";
import { setupInstance } from "../prover/src/setup/dev-setup";
import { loadArtifacts, readManifest, type LoadedArtifacts } from "../prover/src/setup/manifest";
import { setupPaths } from "../prover/src/setup/paths";
import { circuitPower, newZkeyNative } from "../prover/src/setup/native-zkey";
import { contributeRandom } from "../prover/src/setup/phase2";
import { cachedDevPtaus, devPtauName, ensureDevPtau } from "../prover/src/setup/ptau";
import { describePtauCache, formatPtauCache } from "../prover/src/setup/ptau-cache";
import type { SetupProgressEvent } from "../prover/src/setup/progress";
import { bn128, releaseCurve, snarkjs, type VerificationKey } from "../prover/src/setup/snarkjs";
import { section } from "./helpers/binfile-sections";
import { refusal } from "./helpers/refusal";
import { SMALL_EXAMPLES } from "./helpers/cli";
import { buildScratchDir } from "./helpers/scratch";
import { awaitSharedKeys } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const quiet = { log: () => undefined, onProgress: () => undefined };

function requireAddon(): NativeAddon {
  const status = nativeAddon();
  if (status.addon === undefined) {
    throw new Error(
      `the native addon is not available (${status.reason}); run npm run build:native`,
    );
  }
  return status.addon;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Byte offset of point `index` (of `size` bytes) of section `type`. */
function pointAt(bytes: Buffer, type: number, index: number, size: number): number {
  return section(bytes, type).offset + index * size;
}

/** The bits of snarkjs's bn128 curve these tests call (ffjavascript has no types). */
interface SnarkCurve {
  G1: SnarkGroup;
  G2: SnarkGroup;
  pairingEq(...points: Uint8Array[]): Promise<boolean>;
}
interface SnarkGroup {
  g: Uint8Array;
  fromRprLEM(bytes: Uint8Array, offset: number): Uint8Array;
  neg(p: Uint8Array): Uint8Array;
  eq(a: Uint8Array, b: Uint8Array): boolean;
}

describe("native Groth16 verification", function () {
  let addon: NativeAddon;
  let small: LoadedArtifacts;
  let proof: Groth16Proof;
  let signals: string[];
  let other: { proof: Groth16Proof; publicSignals: string[] };
  const policy = loadPolicy(path.join(SMALL_EXAMPLES, "policy.json"));
  const market = loadMarket(path.join(SMALL_EXAMPLES, "market.json"));
  const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);

  before(async function () {
    addon = requireAddon();
    await awaitSharedKeys(this, "small");
    small = await loadArtifacts("small");
    const made = await generateProof({ policy, market, portfolio, nonce: 7n, instance: "small" });
    proof = made.proof;
    signals = made.publicSignals;
    other = await generateProof({ policy, market, portfolio, nonce: 8n, instance: "small" });
  });

  after(releaseCurve);

  /** Native and snarkjs verdicts on one (proof, signals, key). */
  async function verdicts(p: Groth16Proof, s: string[], vkey: VerificationKey = small.vkey) {
    const native = verifyGroth16Native(addon, vkey, s, p);
    const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const reference = await proving.groth16.verify(vkey, s, p, silent);
    return { native, reference };
  }

  it("accepts what snarkjs accepts: fresh proofs of the small instance", async function () {
    for (const [p, s] of [
      [proof, signals],
      [other.proof, other.publicSignals],
    ] as const) {
      expect(await verdicts(p, s.slice())).to.deep.equal({ native: true, reference: true });
    }
  });

  const tampered: [string, (p: Groth16Proof, s: string[], k: VerificationKey) => void][] = [
    ["a public signal changed", (_p, s) => (s[3] = (BigInt(s[3]) + 1n).toString())],
    ["two public signals swapped", (_p, s) => ([s[0], s[2]] = [s[2], s[0]])],
    ["a public signal of r or more", (_p, s) => (s[1] = (BigInt(s[1]) + R).toString())],
    ["A and C swapped", (p) => ([p.pi_a, p.pi_c] = [p.pi_c, p.pi_a])],
    [
      "C negated (another point of the curve)",
      (p) => (p.pi_c[1] = (Q - BigInt(p.pi_c[1])).toString()),
    ],
    ["A off the curve", (p) => (p.pi_a[0] = ((BigInt(p.pi_a[0]) + 1n) % Q).toString())],
    [
      "B conjugated (off the twist)",
      (p) => {
        p.pi_b[0][1] = (Q - BigInt(p.pi_b[0][1])).toString();
        p.pi_b[1][1] = (Q - BigInt(p.pi_b[1][1])).toString();
      },
    ],
    [
      "the key's IC points swapped (another circuit's key)",
      (_p, _s, k) => {
        const ic = k.IC as unknown[];
        [ic[1], ic[2]] = [ic[2], ic[1]];
      },
    ],
  ];
  for (const [name, tamper] of tampered) {
    it(`refuses what snarkjs refuses: ${name}`, async function () {
      const p = clone(proof);
      const s = signals.slice();
      const k = clone(small.vkey);
      tamper(p, s, k);
      expect(await verdicts(p, s, k)).to.deep.equal({ native: false, reference: false });
    });
  }

  it("refuses a coordinate of q or more, as the EVM's precompiles do (snarkjs reduces it mod q)", async function () {
    const p = clone(proof);
    p.pi_a[1] = (BigInt(p.pi_a[1]) + Q).toString();
    expect(await verdicts(p, signals.slice())).to.deep.equal({ native: false, reference: true });
  });

  it("refuses A from another proof", async function () {
    const mixed = { ...clone(proof), pi_a: other.proof.pi_a };
    expect(await verdicts(mixed, signals.slice())).to.deep.equal({
      native: false,
      reference: false,
    });
  });

  it("leaves a projective proof (z other than 1) to snarkjs, and refuses a key off its curve", async function () {
    const projective = clone(proof);
    projective.pi_a[2] = "2";
    expect(verifyGroth16Native(addon, small.vkey, signals, projective)).to.equal(undefined);
    expect(await verifyProof(projective, signals, small.vkey, nativeGroth16Check())).to.equal(
      false,
    );
    const broken = { ...clone(small.vkey), vk_alpha_1: ["1", "3", "1"] };
    expect(() => verifyGroth16Native(addon, broken, signals, proof)).to.throw(
      /verification key: vk_alpha_1 is not a point of its group/,
    );
  });

  it("is what generateProof verifies with: snarkjs's curve is never built, and a lie is caught", async function () {
    const curveBuilt = () => (globalThis as { curve_bn128?: unknown }).curve_bn128 != null;
    await releaseCurve();
    const seen: boolean[] = [];
    const made = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 9n,
      instance: "small",
      onProgress: (e) => {
        if (e.phase === "end" && e.step === "verifying") seen.push(curveBuilt());
      },
    });
    expect(made.prover).to.equal("native");
    expect(seen).to.deep.equal([false]);
    const liar: Groth16Prover = {
      name: "native",
      prepare: () => Promise.resolve(),
      prove: () =>
        Promise.resolve({ proof: clone(other.proof), publicSignals: made.publicSignals }),
    };
    // `other` proves nonce 8, not 10: it does not verify for the public signals it comes with.
    const lying = await refusal(
      generateProof({ policy, market, portfolio, nonce: 10n, instance: "small", prover: liar }),
    );
    expect(lying).to.be.instanceOf(ProofVerificationError);
    expect(lying.message).to.match(/does not verify/);
  });
});

describe("native development ptau", function () {
  let addon: NativeAddon;
  let work: string;
  let ptau8: string;
  let bytes8: Buffer;

  before(async function () {
    addon = requireAddon();
    work = buildScratchDir("tmp-native-ptau-");
    ptau8 = path.join(work, "native8.ptau");
    await addon.generateDevPtau(8, ptau8);
    bytes8 = fs.readFileSync(ptau8);
  });

  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("writes snarkjs's format: snarkjs's own phase-2 preparation of its powers gives the same file, byte for byte", async function () {
    expect(await readPtauHeader(ptau8)).to.deep.equal({
      power: 8,
      ceremonyPower: 8,
      prepared: true,
      contributions: 0,
    });
    const prepared = path.join(work, "prepared-by-snarkjs.ptau");
    await snarkjs.powersOfTau.preparePhase2(ptau8, prepared);
    expect(Buffer.compare(fs.readFileSync(prepared), bytes8)).to.equal(0);
    expect(await addon.checkPtau(ptau8)).to.deep.equal({
      power: 8,
      ceremonyPower: 8,
      contributions: 0,
      prepared: true,
    });
  });

  it("holds successive powers of one tau (and alpha, beta) by snarkjs's pairings", async function () {
    const curve = (await bn128()) as unknown as SnarkCurve;
    const g1 = (type: number, i: number) =>
      curve.G1.fromRprLEM(bytes8, pointAt(bytes8, type, i, 64));
    const g2 = (type: number, i: number) =>
      curve.G2.fromRprLEM(bytes8, pointAt(bytes8, type, i, 128));
    expect(curve.G1.eq(g1(2, 0), curve.G1.g)).to.equal(true);
    expect(curve.G2.eq(g2(3, 0), curve.G2.g)).to.equal(true);
    const tau2 = g2(3, 1);
    for (const type of [2, 4, 5]) {
      for (const i of [0, 1, 7, 254]) {
        // e(P_(i+1), G2) = e(P_i, [tau]G2)
        const same = await curve.pairingEq(
          g1(type, i + 1),
          curve.G2.g,
          curve.G1.neg(g1(type, i)),
          tau2,
        );
        expect(same, `section ${type}, point ${i}`).to.equal(true);
      }
    }
    // tauG2: e([tau]G1, P_i) = e(G1, P_(i+1)); betaG2 is the beta of betaTauG1.
    expect(await curve.pairingEq(g1(2, 1), g2(3, 5), curve.G1.neg(curve.G1.g), g2(3, 6))).to.equal(
      true,
    );
    expect(
      await curve.pairingEq(g1(5, 0), curve.G2.g, curve.G1.neg(curve.G1.g), g2(6, 0)),
    ).to.equal(true);
    // And not by accident: a wrong pair is refused.
    expect(await curve.pairingEq(g1(2, 2), curve.G2.g, curve.G1.neg(g1(2, 0)), tau2)).to.equal(
      false,
    );
  });

  it("the check accepts a ptau snarkjs made (one recorded contribution)", async function () {
    const fresh = path.join(work, "snarkjs-0.ptau");
    const contributed = path.join(work, "snarkjs-1.ptau");
    const prepared = path.join(work, "snarkjs-2.ptau");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 6, fresh);
    await snarkjs.powersOfTau.contribute(fresh, contributed, "test", "some entropy");
    await snarkjs.powersOfTau.preparePhase2(contributed, prepared);
    expect(await addon.checkPtau(prepared)).to.deep.equal({
      power: 6,
      ceremonyPower: 6,
      contributions: 1,
      prepared: true,
    });
  });

  it("is taken by snarkjs's zkey new; the key's proofs verify (snarkjs and native)", async function () {
    const circuit = await compileMain(
      "native-ptau-cube",
      [
        "pragma circom 2.1.9;",
        "template Cube() { signal input x; signal output y; signal x2; x2 <== x * x; y <== x2 * x; }",
        "component main = Cube();",
        "",
      ].join("\n"),
    );
    const init = path.join(work, "cube-0.zkey");
    const zkey = path.join(work, "cube-1.zkey");
    // snarkjs's own zkey new (newZkey of setup/phase2 is native where the addon is built).
    expect(await snarkjs.zKey.newZKey(circuit.r1cs, ptau8, init)).to.be.instanceOf(Uint8Array);
    await contributeRandom(init, zkey, "test");
    const vkey = await snarkjs.zKey.exportVerificationKey(zkey);
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ x: 3 }, circuit.wasm, zkey);
    expect(publicSignals).to.deep.equal(["27"]);
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
    expect(
      verifyGroth16Native(addon, vkey, publicSignals, proof as unknown as Groth16Proof),
    ).to.equal(true);
    expect(verifyGroth16Native(addon, vkey, ["28"], proof as unknown as Groth16Proof)).to.equal(
      false,
    );
  });

  /** A copy of the power-8 ptau with `change` applied, checked. */
  async function checkChanged(name: string, change: (b: Buffer) => Buffer): Promise<Error> {
    const file = path.join(work, `${name}.ptau`);
    fs.writeFileSync(file, change(Buffer.from(bytes8)));
    return refusal(addon.checkPtau(file));
  }

  function swap(b: Buffer, type: number, i: number, j: number, size: number): Buffer {
    const a = pointAt(b, type, i, size);
    const c = pointAt(b, type, j, size);
    const first = Buffer.from(b.subarray(a, a + size));
    b.copy(b, a, c, c + size);
    first.copy(b, c);
    return b;
  }

  const corruptions: [string, (b: Buffer) => Buffer, RegExp][] = [
    [
      "a flipped byte",
      (b) => {
        b[pointAt(b, 2, 3, 64) + 5] ^= 1;
        return b;
      },
      /point 3 of section 2 \(tauG1\) is not a point of the curve/,
    ],
    [
      "two powers swapped",
      (b) => swap(b, 2, 3, 4, 64),
      /section 2 \(tauG1\) is not the powers of one tau/,
    ],
    [
      "an alpha power replaced by the one before",
      (b) => {
        b.copy(b, pointAt(b, 4, 2, 64), pointAt(b, 4, 1, 64), pointAt(b, 4, 2, 64));
        return b;
      },
      /section 4 \(alphaTauG1\) is not the powers of the tau of section 2/,
    ],
    [
      "two Lagrange points of G2 swapped",
      (b) => swap(b, 13, 40, 41, 128),
      /section 13 \(Lagrange tauG2\) is not the Lagrange form of section 3 \(tauG2\)/,
    ],
    [
      "a Lagrange point of beta replaced by one of alpha",
      (b) => {
        b.copy(b, pointAt(b, 15, 20, 64), pointAt(b, 14, 20, 64), pointAt(b, 14, 21, 64));
        return b;
      },
      /section 15 \(Lagrange betaTauG1\) is not the Lagrange form of section 5 \(betaTauG1\)/,
    ],
    [
      "betaG2 replaced by the generator",
      (b) => {
        b.copy(b, pointAt(b, 6, 0, 128), pointAt(b, 3, 0, 128), pointAt(b, 3, 1, 128));
        return b;
      },
      /section 6 \(betaG2\) is not the beta of section 5/,
    ],
    ["a truncated file", (b) => b.subarray(0, b.length - 100), /is truncated/],
    ["another file", () => Buffer.from("zkey and more bytes"), /is not a \.ptau file/],
  ];
  for (const [name, change, rule] of corruptions) {
    it(`the check refuses ${name}, naming the file, the section and the rule`, async function () {
      const e = await checkChanged(name.replace(/\W+/g, "-"), change);
      expect(e.message).to.contain(work).and.match(rule);
    });
  }

  it("ensureDevPtau generates natively, caches it by its own name, and prefers snarkjs's at one power", async function () {
    const cacheDir = path.join(work, "cache");
    fs.mkdirSync(cacheDir, { recursive: true });
    // An interrupted native build's file (its owner gone) is removed before the new build.
    const leftover = path.join(cacheDir, ".dev-pot08-native.ptau.999999999-0a1b2c3d4e5f.0.tmp");
    fs.writeFileSync(leftover, Buffer.alloc(100));
    const generated: string[] = [];
    const events: SetupProgressEvent[] = [];
    const first = await ensureDevPtau(8, {
      cacheDir,
      onGenerate: (power, seconds, generator) => generated.push(`${power} ${generator}`),
      progress: (e) => events.push(e),
    });
    expect(generated).to.deep.equal(["8 native"]);
    expect(fs.existsSync(leftover)).to.equal(false);
    expect(fs.readdirSync(cacheDir)).to.deep.equal(["dev-pot08-native.ptau"]);
    expect(events[0]).to.include({ phase: "start", step: "development ptau 2^8 (native)" });
    expect(events.at(-1)).to.include({ phase: "end", step: "development ptau 2^8 (native)" });
    expect(events.flatMap((e) => (e.phase === "detail" ? [e.message] : []))).to.deep.equal([
      "powers of tau (native)",
      "pairing check",
    ]);
    const listed = await describePtauCache(cacheDir);
    expect(listed.files.map((f) => [f.name, f.power, f.source])).to.deep.equal([
      ["dev-pot08-native.ptau", 8, "native development"],
    ]);
    expect(formatPtauCache(listed)[1]).to.match(
      /^ {2}dev-pot08-native\.ptau: power 8, \d+\.\d kB, development \(made natively from one secret/,
    );
    expect(first.name).to.equal(devPtauName(8, "native")).and.equal("dev-pot08-native.ptau");
    expect(first.source).to.equal("development");
    expect((await readPtauHeader(first.file)).contributions).to.equal(0);
    const again = await ensureDevPtau(8, { cacheDir, onGenerate: () => generated.push("again") });
    expect(again).to.deep.equal(first);
    expect(generated).to.have.length(1);
    // A snarkjs-made file of the same power comes first (it records its contribution).
    fs.copyFileSync(ptau8, path.join(cacheDir, devPtauName(8)));
    expect(cachedDevPtaus(cacheDir).map((c) => c.name)).to.deep.equal([
      "dev-pot08.ptau",
      "dev-pot08-native.ptau",
    ]);
  });
});

describe("native zkey new", function () {
  let addon: NativeAddon;
  let work: string;

  before(function () {
    addon = requireAddon();
    work = buildScratchDir("tmp-native-zkey-");
  });

  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Native and snarkjs zkey new of `r1cs` over `ptau`: their circuit hashes and files agree. */
  async function compare(name: string, r1cs: string, ptau: string): Promise<void> {
    const native = path.join(work, `${name}-native.zkey`);
    const reference = path.join(work, `${name}-snarkjs.zkey`);
    const hash = await newZkeyNative(addon, r1cs, ptau, native);
    const expected = Buffer.from(
      (await snarkjs.zKey.newZKey(r1cs, ptau, reference)) as Uint8Array,
    ).toString("hex");
    expect(hash).to.equal(expected);
    expect(Buffer.compare(fs.readFileSync(native), fs.readFileSync(reference))).to.equal(0);
  }

  it("writes snarkjs's zkey, byte for byte, for the small instance", async function () {
    await awaitSharedKeys(this, "small");
    const entry = readManifest().instances.small;
    await compare(
      "small",
      path.join(ROOT, entry.artifacts.r1cs.path),
      path.join(ROOT, entry.ptau.path),
    );
  });

  it("keeps snarkjs's circuit hash above 2^14, over a ptau of the circuit's power (the hash tail) and of a larger one", async function () {
    // 16,390 constraints and one output: a domain of 2^15.
    const chain = await compileMain(
      "native-zkey-chain",
      [
        "pragma circom 2.1.9;",
        "template Chain(n) { signal input x; signal output y; signal t[n]; t[0] <== x * x;",
        "  for (var i = 1; i < n; i++) { t[i] <== t[i - 1] * x + i; } y <== t[n - 1]; }",
        "component main = Chain(16390);",
        "",
      ].join("\n"),
    );
    expect(await circuitPower(chain.r1cs)).to.equal(15);
    for (const power of [15, 16]) {
      const ptau = path.join(work, `pot${power}.ptau`);
      await addon.generateDevPtau(power, ptau);
      await compare(`chain-${power}`, chain.r1cs, ptau);
    }
  });

  it("refuses a ptau too small for the circuit and a tail of the wrong size", async function () {
    const ptau = path.join(work, "pot8.ptau");
    await addon.generateDevPtau(8, ptau);
    const entry = readManifest().instances.small;
    const r1cs = path.join(ROOT, entry.artifacts.r1cs.path);
    const small = await refusal(addon.newZkey(r1cs, ptau, path.join(work, "too-small.zkey")));
    expect(small.message)
      .to.contain(ptau)
      .and.match(/has power 8, too small for .* \(it needs 13\)/);
    const tail = await refusal(
      addon.newZkey(
        r1cs,
        path.join(ROOT, entry.ptau.path),
        path.join(work, "tail.zkey"),
        new Uint8Array(3),
      ),
    );
    expect(tail.message).to.match(/the hash tail must be 64 bytes/);
  });
});

describe("native development setup", function () {
  let root: string;
  const savedCache = process.env.ZKMARGIN_CACHE;

  before(async function () {
    requireAddon();
    // A project root of its own (sources symlinked, the compiled small instance copied) and an
    // empty ptau cache, so that the setup makes a native ptau.
    await awaitSharedKeys(this, "small");
    const built = readManifest().instances.small;
    root = buildScratchDir("tmp-native-setup-");
    for (const shared of ["circuits", "node_modules"]) {
      fs.symlinkSync(path.join(ROOT, shared), path.join(root, shared));
    }
    const compiled = {
      r1cs: path.join(root, "build", "circuits", "small", "main.r1cs"),
      wasm: path.join(root, "build", "circuits", "small", "main_js", "main.wasm"),
    };
    fs.mkdirSync(path.dirname(compiled.wasm), { recursive: true });
    fs.copyFileSync(path.join(ROOT, built.artifacts.r1cs.path), compiled.r1cs);
    fs.copyFileSync(path.join(ROOT, built.artifacts.wasm.path), compiled.wasm);
    process.env.ZKMARGIN_CACHE = path.join(root, "cache");
    await setupInstance("small", { ...quiet, root, compile: () => compiled });
  });

  after(async function () {
    if (savedCache === undefined) delete process.env.ZKMARGIN_CACHE;
    else process.env.ZKMARGIN_CACHE = savedCache;
    await releaseCurve();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("records the native ptau in the manifest as a development ptau", function () {
    const native = readManifest(setupPaths(root)).instances.small;
    expect(native.kind).to.equal("development");
    expect(native.ptau).to.include({
      name: "dev-pot13-native.ptau",
      source: "development",
      power: 13,
      path: "build/ptau/dev-pot13-native.ptau",
    });
  });

  it("passes audit keys as a development setup that says it has no contribution transcript", async function () {
    const result = await auditKeys("small", { root });
    const failed = result.checks.filter((c) => c.status === "fail" || c.status === "skip");
    expect(failed, JSON.stringify(failed, null, 1)).to.deep.equal([]);
    expect(result.development).to.deep.equal([
      "development keys of instance small",
      "development ptau dev-pot13-native.ptau",
    ]);
    const ptauWarning = result.checks.find((c) => c.title.startsWith("ptau: DEVELOPMENT"));
    expect(ptauWarning?.status).to.equal("warn");
    expect(ptauWarning?.detail).to.match(/no contribution transcript/);
    const sections = result.checks.find((c) => /Lagrange form \(pairing checks\)/.test(c.title));
    expect(sections).to.include({ status: "pass", detail: "power 13, 0 contribution(s) recorded" });
  });
});
