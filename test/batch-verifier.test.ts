/**
 * The batch check of the generated verifier (`verifyBatch`, `verifyOne`; Groth16Batch.sol) with
 * real Groth16 proofs of the `small` instance: valid batches pass, one bad item fails the batch,
 * a batch of one decides exactly as snarkjs's `verifyProof`, the weights follow every item and
 * match the TypeScript reference, and errors that cancel under fixed weights are refused.
 *
 * The suite runs the development setup of the instance first (a no-op when its keys and
 * generated verifier are up to date).
 */
import { expect } from "chai";
import fc from "fast-check";
import { Interface, type Contract } from "ethers";
import {
  BN254_BASE_FIELD,
  batchSeed,
  batchWeights,
  deployVerifier,
  proofCoordinates,
  proofFromCoordinates,
  toBatchCalldata,
  toBatchVerifyingKey,
  WEIGHT_MODULUS,
  type BatchItem,
} from "../prover/src/chain";
import { exampleFor } from "../prover/src/bench/examples";
import { loadInstances } from "../prover/src/encoding/instances";
import { installZkMarginVerifier, provenBatchItems, withPublicInputs } from "../prover/src/gas";
import { loadArtifacts } from "../prover/src/setup/manifest";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import { SCALAR_FIELD, compileContracts, expectRevert, hre } from "./contracts.fixture";
import { G1, g1Add, g1Neg, withC } from "./helpers/g1";
import { awaitSharedKeys } from "./helpers/shared-keys";

const INSTANCE = "small";
/** Real proofs made once for the suite (distinct accounts, so distinct public signals). */
const POOL = 4;
const Q = BN254_BASE_FIELD;

/** One way to spoil a valid item that keeps every coordinate and signal in its field. */
type Spoil = "negatedC" | "shiftedC" | "offCurveC" | "swappedB" | "signal" | "otherSignals";
const SPOILS: readonly Spoil[] = [
  "negatedC",
  "shiftedC",
  "offCurveC",
  "swappedB",
  "signal",
  "otherSignals",
];

describe("batch verifier (real proofs, small instance)", function () {
  let verifier: Contract;
  let harness: Contract;
  let key: bigint[];
  let pool: BatchItem[];
  let errors: Interface[];

  /** Item `index` of the pool spoiled by `spoil` (still in field, no longer valid). */
  async function spoiled(index: number, spoil: Spoil): Promise<BatchItem> {
    const { proof, publicSignals } = pool[index];
    const signals = publicSignals.map((s) => BigInt(s));
    switch (spoil) {
      case "negatedC":
        return { proof: withC(proof, g1Neg(proof.c)), publicSignals: signals };
      case "shiftedC":
        return { proof: withC(proof, await g1Add(proof.c, G1)), publicSignals: signals };
      case "offCurveC":
        return { proof: withC(proof, [proof.c[0], (proof.c[1] + 1n) % Q]), publicSignals: signals };
      case "swappedB": {
        const [x, y] = proof.b;
        return { proof: { ...proof, b: [[x[1], x[0]], y] }, publicSignals: signals };
      }
      case "signal":
        return {
          proof,
          publicSignals: signals.map((s, k) => (k === 3 ? (s + 1n) % SCALAR_FIELD : s)),
        };
      case "otherSignals":
        return { proof, publicSignals: pool[(index + 1) % POOL].publicSignals };
    }
  }

  async function verifyProof(item: BatchItem): Promise<boolean> {
    const { a, b, c } = item.proof;
    return (await verifier.getFunction("verifyProof")(a, b, c, item.publicSignals)) as boolean;
  }

  async function verifyOne(item: BatchItem): Promise<boolean> {
    const words = proofCoordinates(item.proof);
    return (await verifier.getFunction("verifyOne")(words, item.publicSignals)) as boolean;
  }

  async function verifyBatch(items: readonly BatchItem[]): Promise<boolean> {
    const { proofs, pubSignals } = toBatchCalldata(items);
    return (await verifier.getFunction("verifyBatch")(proofs, pubSignals)) as boolean;
  }

  async function contractWeights(items: readonly BatchItem[]): Promise<bigint[]> {
    const { proofs, pubSignals } = toBatchCalldata(items);
    return [...((await harness.getFunction("weights")(proofs, pubSignals)) as bigint[])];
  }

  before(async function () {
    await awaitSharedKeys(this, INSTANCE);
    await compileContracts();
    const [admin] = await hre.ethers.getSigners();
    verifier = (await deployVerifier(admin, INSTANCE)).contract;
    harness = await (await hre.ethers.getContractFactory("Groth16BatchHarness", admin)).deploy();
    errors = [verifier.interface];
    key = toBatchVerifyingKey((await loadArtifacts(INSTANCE)).vkey);
    const example = exampleFor(loadInstances()[INSTANCE]);
    if (example === undefined) throw new Error(`no example fits the ${INSTANCE} instance`);
    pool = await provenBatchItems(INSTANCE, example, POOL);
  });

  after(async function () {
    await releaseCurve();
  });

  it("accepts batches of valid proofs of different accounts, of every size up to the pool", async function () {
    for (const item of pool) expect(await verifyProof(item)).to.equal(true);
    expect(await verifier.getFunction("publicSignalCount")()).to.equal(
      BigInt(pool[0].publicSignals.length),
    );
    for (let size = 1; size <= POOL; size++) {
      expect(await verifyBatch(pool.slice(0, size)), `batch of ${size}`).to.equal(true);
    }
    // The same proof twice, and the pool in another order.
    expect(await verifyBatch([pool[0], pool[0]])).to.equal(true);
    expect(await verifyBatch([...pool].reverse())).to.equal(true);
  });

  it("answers every function of IGroth16BatchVerifier and of IGroth16Verifier", async function () {
    let checked = 0;
    for (const name of ["IGroth16BatchVerifier", "IGroth16Verifier"]) {
      const iface = new Interface((await hre.artifacts.readArtifact(name)).abi);
      iface.forEachFunction((fragment) => {
        checked++;
        const own = verifier.interface.getFunction(fragment.format("sighash"));
        expect(own?.selector, `${name}.${fragment.format("sighash")}`).to.equal(fragment.selector);
        expect(own?.outputs.map((o) => o.type)).to.deep.equal(fragment.outputs.map((o) => o.type));
      });
    }
    expect(checked).to.equal(6);
  });

  it("refuses a batch with one invalid proof, wherever it stands and whatever is wrong with it", async function () {
    for (const spoil of SPOILS) {
      for (let position = 0; position < POOL; position++) {
        const bad = await spoiled(position, spoil);
        expect(await verifyProof(bad), `${spoil} alone`).to.equal(false);
        const batch = pool.map((item, i) => (i === position ? bad : item));
        expect(await verifyBatch(batch), `${spoil} at ${position}`).to.equal(false);
      }
    }
    // A proof valid for other inputs: two items with their proofs swapped.
    const swapped = [
      { proof: pool[1].proof, publicSignals: pool[0].publicSignals },
      { proof: pool[0].proof, publicSignals: pool[1].publicSignals },
    ];
    expect(await verifyBatch(swapped)).to.equal(false);
  });

  it("a batch of one (and verifyOne) accepts and refuses exactly what verifyProof does", async function () {
    const [item] = pool;
    const signals = item.publicSignals.map((s) => BigInt(s));
    const cases: [string, BatchItem][] = [["valid", item]];
    for (const spoil of SPOILS) cases.push([spoil, await spoiled(0, spoil)]);
    for (let k = 0; k < signals.length; k++) {
      const at = (value: bigint) => signals.map((s, i) => (i === k ? value : s));
      cases.push([
        `signal ${k} plus r (out of field)`,
        { ...item, publicSignals: at(signals[k] + SCALAR_FIELD) },
      ]);
      cases.push([`signal ${k} = r`, { ...item, publicSignals: at(SCALAR_FIELD) }]);
    }
    const words = proofCoordinates(item.proof);
    for (let k = 0; k < 8; k++) {
      const raised = words.map((w, i) => (i === k ? w + Q : w));
      cases.push([`coordinate ${k} plus q`, { ...item, proof: proofFromCoordinates(raised) }]);
    }
    cases.push(["A at infinity", { ...item, proof: { ...item.proof, a: [0n, 0n] } }]);
    cases.push(["C at infinity", { ...item, proof: withC(item.proof, [0n, 0n]) }]);
    for (const [label, c] of cases) {
      const expected = await verifyProof(c);
      expect(await verifyOne(c), `verifyOne, ${label}`).to.equal(expected);
      expect(await verifyBatch([c]), `batch of one, ${label}`).to.equal(expected);
    }
    expect(cases.filter(([label]) => label === "valid")).to.have.length(1);
  });

  it("refuses the out-of-field encodings of A.y that snarkjs's verifyProof accepts", async function () {
    // snarkjs negates A.y as (q - y) mod q in 256-bit arithmetic: for y >= q that wraps, and
    // y' = ((y + 2^256 mod q) mod q) + q is read as the negation of the valid A.y.
    const item = pool[0];
    const twoTo256 = (1n << 256n) % Q;
    const alias = ((item.proof.a[1] + twoTo256) % Q) + Q;
    expect(alias >= Q && alias < 1n << 256n).to.equal(true);
    const forged = {
      ...item,
      proof: { ...item.proof, a: [item.proof.a[0], alias] as [bigint, bigint] },
    };
    expect(await verifyProof(forged), "snarkjs 0.7.6 verifyProof").to.equal(true);
    expect(await verifyOne(forged)).to.equal(false);
    expect(await verifyBatch([forged])).to.equal(false);
    expect(await verifyBatch([pool[1], forged])).to.equal(false);
  });

  it("draws weights that change with every coordinate and every signal of every item", async function () {
    const batch = pool.slice(0, 3);
    const base = await contractWeights(batch);
    expect(base[0]).to.equal(1n);
    for (const w of base.slice(1)) expect(w >= 1n && w <= WEIGHT_MODULUS).to.equal(true);
    expect(new Set(base).size).to.equal(base.length);
    expect(base).to.deep.equal(batchWeights(toBatchCalldata(batch)));

    let variants = 0;
    for (let i = 0; i < batch.length; i++) {
      const words = proofCoordinates(batch[i].proof);
      const edits: BatchItem[] = words.map((_, k) => ({
        ...batch[i],
        proof: proofFromCoordinates(words.map((w, j) => (j === k ? w + 1n : w))),
      }));
      batch[i].publicSignals.forEach((_, k) =>
        edits.push({
          ...batch[i],
          publicSignals: batch[i].publicSignals.map((s, j) =>
            j === k ? BigInt(s) + 1n : BigInt(s),
          ),
        }),
      );
      for (const edited of edits) {
        const changed = batch.map((item, j) => (j === i ? edited : item));
        const weights = await contractWeights(changed);
        expect(weights).to.deep.equal(batchWeights(toBatchCalldata(changed)));
        expect(weights[0]).to.equal(1n);
        for (let j = 1; j < weights.length; j++) {
          expect(weights[j], `item ${i} edited: weight ${j}`).to.not.equal(base[j]);
        }
        variants++;
      }
    }
    expect(variants).to.equal(3 * (8 + pool[0].publicSignals.length));
  });

  it("the TypeScript reference gives the contract's seed and weights for every batch size", async function () {
    for (let size = 1; size <= POOL; size++) {
      const batch = pool.slice(0, size);
      const calldata = toBatchCalldata(batch);
      expect(await harness.getFunction("seed")(calldata.proofs, calldata.pubSignals)).to.equal(
        batchSeed(calldata),
      );
      expect(await contractWeights(batch)).to.deep.equal(batchWeights(calldata));
    }
    expect(batchWeights(toBatchCalldata(pool.slice(0, 1)))).to.deep.equal([1n]);
  });

  it("errors that cancel under fixed weights pass a fixed-weight check and fail the real batch", async function () {
    // C_0 + G and C_1 - G: each proof is invalid, but their C sum is the valid one.
    const [first, second] = pool;
    const attack: BatchItem[] = [
      { ...first, proof: withC(first.proof, await g1Add(first.proof.c, G1)) },
      { ...second, proof: withC(second.proof, await g1Add(second.proof.c, g1Neg(G1))) },
    ];
    expect(await verifyProof(attack[0])).to.equal(false);
    expect(await verifyProof(attack[1])).to.equal(false);
    const { proofs, pubSignals } = toBatchCalldata(attack);
    const fixed = harness.getFunction("verifyWithWeights");
    expect(await fixed(key, proofs, pubSignals, [1n, 1n]), "equal fixed weights").to.equal(true);
    expect(await fixed(key, proofs, pubSignals, [5n, 5n]), "other equal weights").to.equal(true);
    expect(await fixed(key, proofs, pubSignals, [1n, 2n])).to.equal(false);
    expect(await verifyBatch(attack), "generated verifier").to.equal(false);
    expect(await harness.getFunction("verifyBatch")(key, proofs, pubSignals)).to.equal(false);
    // Two valid proofs with their public signals swapped cancel out the same way.
    const swapped = toBatchCalldata([
      { proof: first.proof, publicSignals: second.publicSignals },
      { proof: second.proof, publicSignals: first.publicSignals },
    ]);
    expect(await fixed(key, swapped.proofs, swapped.pubSignals, [1n, 1n])).to.equal(true);
    expect(await verifier.getFunction("verifyBatch")(swapped.proofs, swapped.pubSignals)).to.equal(
      false,
    );
    // The harness checks under the exported key exactly as the generated verifier does.
    const valid = toBatchCalldata(pool);
    expect(await harness.getFunction("verifyBatch")(key, valid.proofs, valid.pubSignals)).to.equal(
      true,
    );
  });

  it("reverts on malformed shapes: an empty batch, signals of the wrong length", async function () {
    const n = pool[0].publicSignals.length;
    const batch = toBatchCalldata(pool.slice(0, 2));
    const call = verifier.getFunction("verifyBatch");
    await expectRevert(call.staticCall([], []), errors, "EmptyBatch", []);
    await expectRevert(
      call.staticCall(batch.proofs, batch.pubSignals.slice(1)),
      errors,
      "PublicSignalsLength",
      [BigInt(2 * n), BigInt(2 * n - 1)],
    );
    await expectRevert(
      call.staticCall(batch.proofs, [...batch.pubSignals, 1n]),
      errors,
      "PublicSignalsLength",
      [BigInt(2 * n), BigInt(2 * n + 1)],
    );
    await expectRevert(
      verifier
        .getFunction("verifyOne")
        .staticCall(batch.proofs[0], batch.pubSignals.slice(0, n - 1)),
      errors,
      "PublicSignalsLength",
      [BigInt(n), BigInt(n - 1)],
    );
    await expectRevert(
      harness
        .getFunction("verifyWithWeights")
        .staticCall(key, batch.proofs, batch.pubSignals, [1n]),
      [harness.interface],
      "WeightsLength",
      [2n, 1n],
    );
    await expectRevert(
      harness
        .getFunction("verifyBatch")
        .staticCall(key.slice(0, -2), batch.proofs, batch.pubSignals),
      [harness.interface],
      "PublicSignalsLength",
      [BigInt(2 * (n - 1)), BigInt(2 * n)],
    );
    await expectRevert(
      harness
        .getFunction("verifyBatch")
        .staticCall(key.slice(0, 15), batch.proofs, batch.pubSignals),
      [harness.interface],
      "MalformedVerifyingKey",
      [15n],
    );
  });

  it("serves any number of public signals: the same edits on a key with five more inputs", async function () {
    // A key whose extra IC points are real curve points: the real proofs verify under it with
    // the extra signals zero (they add nothing to L), and fail when one of them is not.
    const { vkey } = await loadArtifacts(INSTANCE);
    const extra = 5;
    const variant = withPublicInputs(vkey, vkey.nPublic + extra);
    const [admin] = await hre.ethers.getSigners();
    const installed = await installZkMarginVerifier(admin, hre.ethers.provider, variant, "wide");
    const wide = installed.contract;
    expect(await wide.getFunction("publicSignalCount")()).to.equal(BigInt(variant.nPublic));
    const padded = pool.map((item) => ({
      ...item,
      publicSignals: [
        ...item.publicSignals.map((s) => BigInt(s)),
        ...Array<bigint>(extra).fill(0n),
      ],
    }));
    const single = (item: BatchItem) =>
      wide.getFunction("verifyProof")(item.proof.a, item.proof.b, item.proof.c, item.publicSignals);
    const batch = (items: readonly BatchItem[]) => {
      const { proofs, pubSignals } = toBatchCalldata(items);
      return wide.getFunction("verifyBatch")(proofs, pubSignals);
    };
    for (const item of padded) {
      expect(await single(item)).to.equal(true);
      expect(
        await wide.getFunction("verifyOne")(proofCoordinates(item.proof), item.publicSignals),
      ).to.equal(true);
    }
    expect(await batch(padded)).to.equal(true);
    const lying = padded.map((item, i) =>
      i === 2
        ? { ...item, publicSignals: item.publicSignals.map((s, k) => (k === 6 ? 1n : BigInt(s))) }
        : item,
    );
    expect(await single(lying[2])).to.equal(false);
    expect(await batch(lying)).to.equal(false);
    // Four signals per item no longer fit this verifier.
    const narrow = toBatchCalldata(pool);
    await expectRevert(
      wide.getFunction("verifyBatch").staticCall(narrow.proofs, narrow.pubSignals),
      [wide.interface],
      "PublicSignalsLength",
      [BigInt(POOL * variant.nPublic), BigInt(POOL * vkey.nPublic)],
    );
  });

  it("accepts a random mix iff every item's own verifyProof accepts it @property", async function () {
    const cache = new Map<string, BatchItem>();
    const itemOf = async (index: number, spoil: Spoil | "none"): Promise<BatchItem> => {
      if (spoil === "none") return pool[index];
      const id = `${index}:${spoil}`;
      let item = cache.get(id);
      if (item === undefined) {
        item = await spoiled(index, spoil);
        cache.set(id, item);
      }
      return item;
    };
    const verdicts = { accepted: 0, refused: 0 };
    const entry = fc.record({
      index: fc.nat(POOL - 1),
      // Mostly valid items, so that whole-valid batches come up often.
      spoil: fc.oneof(
        { weight: 6, arbitrary: fc.constant("none" as const) },
        { weight: 1, arbitrary: fc.constantFrom(...SPOILS) },
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 6 }), async (entries) => {
        const items = await Promise.all(entries.map((e) => itemOf(e.index, e.spoil)));
        let expected = true;
        for (const item of items) expected = (await verifyProof(item)) && expected;
        const actual = await verifyBatch(items);
        verdicts[actual ? "accepted" : "refused"]++;
        expect(actual).to.equal(expected);
      }),
      { numRuns: 40, seed: 20261207 },
    );
    expect(verdicts.accepted, "both verdicts must be exercised").to.be.greaterThan(5);
    expect(verdicts.refused).to.be.greaterThan(5);
  });
});
