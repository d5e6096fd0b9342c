/**
 * The benchmark's naive baseline (bench/baseline/baseline.circom) on the small instance: it proves
 * the same statement as MarginProof under both margin models (per-slot figures, the scan risk and
 * the concentration excess equal the reference model's; the boundary passes, one µUSD short
 * fails), and on an instance without joint arrays standard policies only; it keeps the soundness
 * it claims (holdings range-checked, padded slots empty, a real portfolio commitment), exposes
 * exactly the public signals the benchmark counts, and its keys make proofs that its generated
 * verifier accepts on Hardhat's EVM and refuses with one public value changed.
 */
import { expect } from "chai";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  baselineInput,
  baselinePublicCount,
  baselinePublicInputs,
  baselinePublicValues,
  compileBaseline,
  type BaselineInput,
} from "../prover/src/bench/baseline/circuit";
import { measureBaseline } from "../prover/src/bench/baseline/measure";
import { loadExamples } from "../prover/src/bench/examples";
import { encodeExample } from "../prover/src/bench/witness";
import { loadVerifierArtifact, toSolidityProof, verifierSourceName } from "../prover/src/chain";
import { vectorHash } from "../prover/src/commitments";
import { loadInstances, type InstanceDims } from "../prover/src/encoding/instances";
import { compileSolidity, measureVerifierGas, MAX_RUNTIME_BYTES } from "../prover/src/gas";
import { computeMargin } from "../prover/src/model";
import { PROJECT_ROOT } from "../prover/src/setup/paths";
import { compileContracts, hre } from "./contracts.fixture";
import { atBoundary, tripleArb, type Triple } from "./helpers/arbitraries";
import { CircuitTester } from "./helpers/circuit";
import { sharedKeysHook } from "./helpers/shared-keys";

const INSTANCE = "small";
const dims = loadInstances()[INSTANCE];
const example = loadExamples().find((e) => e.name === "small");
if (!example) throw new Error("examples/small is missing");
/** The small instance's dimensions without joint scenario arrays (standard policies only). */
const standardOnly: InstanceDims = { ...dims, joint: 0 };

async function inputFor(triple: Triple, on: InstanceDims = dims): Promise<BaselineInput> {
  return baselineInput(await encodeExample({ name: "test", ...triple }, on));
}

/** Every per-slot figure, the scan risk and the concentration excess read from the witness equal the model's. */
function expectAgreesWithModel(tester: CircuitTester, witness: bigint[], triple: Triple): void {
  const report = computeMargin(triple.policy, triple.market, triple.portfolio);
  const expected: [string, bigint][] = [
    ...report.assets.flatMap((a, i): [string, bigint][] => [
      [`collateral[${i}].value`, a.valueMicroUsd],
      [`collateral[${i}].haircut`, a.haircutValueMicroUsd],
    ]),
    ...report.perps.flatMap((p, j): [string, bigint][] => [
      [`perp[${j}].notional`, p.notionalMicroUsd],
      [`perp[${j}].pnl`, p.pnlMicroUsd],
      [`perp[${j}].requirement`, p.requirementMicroUsd],
    ]),
    ["book.value", report.options.valueMicroUsd],
    ["scan.requirement", report.options.requirementMicroUsd],
    ["concentration.excess", report.concentration.reduce((sum, g) => sum + g.excessMicroUsd, 0n)],
  ];
  for (const [name, value] of expected) {
    expect(tester.signal(witness, `main.${name}`), name).to.equal(value);
  }
}

/** Random triples of both margin kinds, fixed by the seed (the same books on every run). */
const RANDOM_TRIPLES = fc.sample(tripleArb(dims), { seed: 20261127, numRuns: 16 });

describe("bench: the naive baseline circuit (small)", function () {
  let tester: CircuitTester;
  let valid: BaselineInput;

  before(async function () {
    tester = await CircuitTester.of(`baseline-${INSTANCE}`, () => compileBaseline(INSTANCE, dims));
    valid = await inputFor(example);
  });

  it("has one output and the public inputs the benchmark counts, in order", function () {
    expect(tester.r1cs.nPublicOutputs).to.equal(1);
    expect(tester.r1cs.nPublicOutputs + tester.r1cs.nPublicInputs).to.equal(
      baselinePublicCount(dims),
    );
    expect(tester.wire("main.portfolioCommitment")).to.equal(1);
    let wire = 2;
    for (const name of baselinePublicInputs(dims)) {
      // The first element of a signal, vector or matrix: main.x, main.x[0] or main.x[0][0].
      let first = `main.${name}`;
      for (let v: unknown = valid[name]; Array.isArray(v); v = v[0]) first += "[0]";
      expect(tester.wire(first), name).to.equal(wire);
      wire += [valid[name]].flat(2).length;
    }
    expect(wire - 1).to.equal(baselinePublicCount(dims));
    expect(baselinePublicValues(valid, dims)).to.have.length(baselinePublicCount(dims) - 1);
  });

  it("accepts the example and agrees with the reference model slot by slot", async function () {
    expect(computeMargin(example.policy, example.market, example.portfolio).sufficient).to.equal(
      true,
    );
    expectAgreesWithModel(tester, await tester.expectPass({ ...valid }), example);
  });

  it("passes exactly at the requirement and fails one µUSD short", async function () {
    const at = atBoundary(example, 0n);
    const short = atBoundary(example, 1n);
    if (!at || !short) throw new Error("example cannot be moved to the boundary");
    await tester.expectPass({ ...(await inputFor(at)) });
    await tester.expectFail({ ...(await inputFor(short)) }, /MarginStatement/);
  });

  it("agrees with the model on random books of both margin kinds, and at and one µUSD below the boundary", async function () {
    const verdicts = new Set<string>();
    const atTheBoundary = new Set<string>();
    for (const triple of RANDOM_TRIPLES) {
      const kind = triple.policy.margin;
      if (computeMargin(triple.policy, triple.market, triple.portfolio).sufficient) {
        const witness = await tester.expectPass({ ...(await inputFor(triple)) });
        expectAgreesWithModel(tester, witness, triple);
        verdicts.add(`${kind} sufficient`);
      } else {
        await tester.expectFail({ ...(await inputFor(triple)) }, /MarginStatement/);
        verdicts.add(`${kind} short`);
      }
      const at = atBoundary(triple, 0n);
      const short = atBoundary(triple, 1n);
      if (!at || !short) continue;
      expectAgreesWithModel(tester, await tester.expectPass({ ...(await inputFor(at)) }), at);
      await tester.expectFail({ ...(await inputFor(short)) }, /MarginStatement/);
      atTheBoundary.add(kind);
    }
    // The seed gives every case: both kinds, both verdicts, both kinds moved to the boundary.
    expect([...verdicts].sort()).to.deep.equal([
      "portfolio short",
      "portfolio sufficient",
      "standard short",
      "standard sufficient",
    ]);
    expect([...atTheBoundary].sort()).to.deep.equal(["portfolio", "standard"]);
  });

  it("outputs a salted commitment to every holding, under its own tag", async function () {
    const witness = await tester.expectPass({ ...valid });
    const items = [
      ...valid.amount,
      ...valid.perpSizeAbs.flatMap((abs, j) => [
        valid.perpSizeNeg[j],
        abs,
        valid.perpEntryPrice[j],
      ]),
      ...valid.optionQtyAbs.flatMap((abs, o) => [valid.optionQtyNeg[o], abs]),
      valid.salt,
    ];
    expect(witness[1]).to.equal(await vectorHash("zkmargin/baseline/v2", items));
    const resalted = await tester.expectPass({ ...valid, salt: valid.salt + 1n });
    expect(resalted[1]).to.not.equal(witness[1]);
  });

  it("range-checks accountNonce to 224 bits, as MarginProof does", async function () {
    await tester.expectPass({ ...valid, accountNonce: (1n << 224n) - 1n });
    await tester.expectFail({ ...valid, accountNonce: 1n << 224n });
  });

  it("range-checks the private holdings", async function () {
    const amount = [...valid.amount];
    amount[0] = 1n << 96n;
    await tester.expectFail({ ...valid, amount });
    const perpSizeNeg = [...valid.perpSizeNeg];
    perpSizeNeg[0] = 2n;
    await tester.expectFail({ ...valid, perpSizeNeg });
  });

  it("refuses a holding in a slot the verifier marks inactive", async function () {
    const held = valid.perpSizeAbs.findIndex((size) => size > 0n);
    expect(held, "the example holds a perp").to.be.at.least(0);
    const perpActive = [...valid.perpActive];
    perpActive[held] = 0n;
    await tester.expectFail({ ...valid, perpActive }, /ZeroUnlessActive/);
  });
});

describe("bench: the naive baseline without joint scenario arrays (small, joint 0)", function () {
  let tester: CircuitTester;

  before(async function () {
    tester = await CircuitTester.of(`baseline-${INSTANCE}-standard-only`, () =>
      compileBaseline(`${INSTANCE}-standard-only`, standardOnly),
    );
  });

  it("exposes neither joint arrays nor the margin kind, and agrees with the model on a standard policy", async function () {
    expect(baselinePublicInputs(standardOnly)).to.not.include.members([
      "assetRisk",
      "perpRisk",
      "portfolioMargin",
    ]);
    expect(tester.r1cs.nPublicOutputs + tester.r1cs.nPublicInputs).to.equal(
      baselinePublicCount(standardOnly),
    );
    expect(baselinePublicCount(dims) - baselinePublicCount(standardOnly)).to.equal(
      1 + (dims.assets + dims.perps) * dims.scenarios,
    );
    const input = await inputFor(example, standardOnly);
    expectAgreesWithModel(tester, await tester.expectPass({ ...input }), example);
  });

  it("has no witness with the portfolio bit set", async function () {
    const input = await inputFor(example, standardOnly);
    await tester.expectFail({ ...input, portfolioMargin: 1n }, /BaselineMargin/);
  });
});

/** Runtime code without solc's trailing CBOR metadata (its length is the last two bytes). */
function withoutMetadata(code: string): string {
  const metadataBytes = parseInt(code.slice(-4), 16);
  return code.slice(0, code.length - 2 * (metadataBytes + 2));
}

describe("bench: baseline keys, proofs and generated verifier (small)", function () {
  // The instance's keys bring the ptau the baseline's phase 2 reuses (no-op when up to date).
  before(sharedKeysHook(INSTANCE));

  it("compiles rendered verifiers exactly as Hardhat compiles the project's contracts", async function () {
    // The instance's generated verifier, compiled by compileSolidity and by Hardhat
    // (hardhat.config.js): the same code but for the metadata, which names the source file.
    await compileContracts();
    const source = readFileSync(path.join(PROJECT_ROOT, verifierSourceName(INSTANCE)), "utf8");
    const ours = compileSolidity(source);
    const artifact = loadVerifierArtifact(INSTANCE) as { deployedBytecode?: string };
    if (artifact.deployedBytecode === undefined) throw new Error("artifact has no runtime code");
    expect(withoutMetadata(ours.deployedBytecode)).to.equal(
      withoutMetadata(artifact.deployedBytecode),
    );
  });

  it("proves, verifies locally, and its N-input verifier accepts only the true inputs", async function () {
    const result = await measureBaseline(INSTANCE, dims, example, 1);
    expect(result.figures.nPublic).to.equal(baselinePublicCount(dims));
    expect(result.publicSignals).to.have.length(result.figures.nPublic);
    expect(result.figures.witness.runs).to.equal(1);

    const [deployer] = await hre.ethers.getSigners();
    const proof = toSolidityProof(result.proof);
    const measured = await measureVerifierGas(
      deployer,
      hre.ethers.provider,
      result.vkey,
      proof,
      result.publicSignals,
    );
    expect(measured.accepted).to.equal(true);
    expect(measured.nPublic).to.equal(result.figures.nPublic);
    expect(measured.runtimeBytes).to.be.at.most(MAX_RUNTIME_BYTES);
    expect(measured.deployGas).to.not.equal(null);

    // One public value changed at a time: a price, then a joint scenario entry.
    const publicInputs = baselinePublicInputs(dims);
    const input = await inputFor(example);
    const offsetOf = (name: (typeof publicInputs)[number]): number =>
      1 +
      publicInputs
        .slice(0, publicInputs.indexOf(name))
        .reduce((n, before) => n + [input[before]].flat(2).length, 0);
    for (const name of ["price", "assetRisk"] as const) {
      const lied = [...result.publicSignals];
      const at = offsetOf(name);
      expect(lied[at], name).to.equal(String([input[name]].flat(2)[0]));
      lied[at] = (BigInt(lied[at]) + 1n).toString();
      const refused = await measureVerifierGas(
        deployer,
        hre.ethers.provider,
        result.vkey,
        proof,
        lied,
      );
      expect(refused.accepted, name).to.equal(false);
    }
  });
});
