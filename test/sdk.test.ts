/**
 * The prover SDK on the `small` instance: proofs that snarkjs's own verifier accepts, refusals
 * before any witness work, unlinkable commitments, and the commitment opening.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { InputError, ShortfallError } from "../prover/src/errors";
import { formatUnits } from "../prover/src/decimal";
import { loadMarket, loadPolicy, loadPortfolio, parsePortfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { releaseCurve, snarkjs } from "../prover/src/proving/snarkjs";
import {
  checkOpening,
  decodePublicSignals,
  generateProof,
  portfolioDifferences,
  portfolioToJson,
  verifyProof,
  type MarginProof,
} from "../prover/src";
import { loadArtifacts } from "../prover/src/setup/manifest";
import { instanceKeyPaths, setupPaths } from "../prover/src/setup/paths";
import { BAD_INPUTS, SMALL_EXAMPLES, removeTempDirs, writeInputs } from "./helpers/cli";
import { refusal } from "./helpers/refusal";
import { sharedKeysHook } from "./helpers/shared-keys";
import { loadInputs } from "../prover/src/cli/options";

const files = {
  policy: path.join(SMALL_EXAMPLES, "policy.json"),
  market: path.join(SMALL_EXAMPLES, "market.json"),
  portfolio: path.join(SMALL_EXAMPLES, "portfolio.json"),
};
const OPENING = { ...files, opening: "o.json" };
const policy = loadPolicy(files.policy);
const market = loadMarket(files.market);
const portfolio = loadPortfolio(files.portfolio, policy);

describe("prover SDK (small instance)", function () {
  let first: MarginProof;
  let second: MarginProof;
  const steps: string[] = [];

  before(sharedKeysHook("small"));
  before(async function () {
    first = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 41n,
      instance: "small",
      files,
      onProgress: (e) => void (e.phase === "start" && steps.push(e.step)),
    });
    second = await generateProof({ policy, market, portfolio, nonce: 42n, files });
  });

  after(async () => {
    removeTempDirs();
    await releaseCurve(); // snarkjs.groth16.verify, called directly below, leaves workers running
  });

  it("makes a proof that snarkjs's own groth16.verify accepts with the instance's key", async () => {
    const vkey = JSON.parse(
      fs.readFileSync(instanceKeyPaths(setupPaths(), "small").vkey, "utf8"),
    ) as Parameters<typeof snarkjs.groth16.verify>[0];
    expect(await snarkjs.groth16.verify(vkey, first.publicSignals, first.proof)).to.equal(true);
    expect(await verifyProof(first.proof, first.publicSignals, vkey)).to.equal(true);
    expect(steps).to.deep.equal(["witness", "proving", "verifying"]);
  });

  it("binds the account and nonce and picks the smallest set-up instance that fits", () => {
    const decoded = decodePublicSignals(first.publicSignals);
    expect(decoded.account).to.equal(portfolio.account);
    expect(decoded.nonce).to.equal(41n);
    expect(second.instance).to.equal("small");
    expect(first.opening.commitments.portfolio).to.equal(decoded.portfolioCommitment.toString());
  });

  it("rejects a proof whose public signals were changed (nonce, account, commitment)", async () => {
    const key = (await loadArtifacts("small")).vkey;
    for (const index of [0, 1, 2, 3]) {
      const tampered = [...first.publicSignals];
      tampered[index] = (BigInt(tampered[index]) + 1n).toString();
      expect(await verifyProof(first.proof, tampered, key), `signal ${index}`).to.equal(false);
    }
  });

  it("makes two proofs of the same portfolio unlinkable through the salt", () => {
    const [a, b] = [first, second].map((p) => decodePublicSignals(p.publicSignals));
    expect(a.portfolioCommitment).to.not.equal(b.portfolioCommitment);
    expect(first.opening.salt).to.not.equal(second.opening.salt);
    // what is public anyway stays the same
    expect(a.policyCommitment).to.equal(b.policyCommitment);
    expect(a.marketCommitment).to.equal(b.marketCommitment);
  });

  it("returns verifier calldata that encodes the same proof and signals", () => {
    const { calldata, proof, publicSignals } = first;
    expect(calldata.pubSignals.map((h) => BigInt(h).toString())).to.deep.equal(publicSignals);
    expect(BigInt(calldata.pA[0]).toString()).to.equal(proof.pi_a[0]);
    // G2 coordinates in the EIP-197 order [imaginary, real]
    expect(BigInt(calldata.pB[0][0]).toString()).to.equal(proof.pi_b[0][1]);
    expect(BigInt(calldata.pB[0][1]).toString()).to.equal(proof.pi_b[0][0]);
    expect(BigInt(calldata.pC[1]).toString()).to.equal(proof.pi_c[1]);
    for (const word of [...calldata.pA, ...calldata.pB.flat(), ...calldata.pC]) {
      expect(word).to.match(/^0x[0-9a-f]{64}$/);
    }
  });

  it("returns an opening that recomputes every commitment and round-trips the portfolio", async () => {
    const reopened = await checkOpening(first.opening, policy, market, {
      ...files,
      opening: "opening.json",
    });
    expect(portfolioDifferences(policy, reopened, portfolio)).to.deep.equal([]);
    expect(first.opening.portfolio).to.deep.equal(portfolioToJson(policy, portfolio));
    expect(first.opening).to.include({
      policyId: policy.id,
      round: "7",
      instance: "small",
      nonce: "41",
    });
  });

  it("refuses an opening whose salt, portfolio, policy or market was changed", async () => {
    const salted = { ...first.opening, salt: second.opening.salt };
    await expectInputError(checkOpening(salted, policy, market, OPENING), "commitments.portfolio");
    const richer = {
      ...first.opening,
      portfolio: {
        ...first.opening.portfolio,
        collateral: { ...first.opening.portfolio.collateral, USDC: "250001" },
      },
    };
    await expectInputError(checkOpening(richer, policy, market, OPENING), "commitments.portfolio");
    const tooSmall = { ...first.opening, instance: "nonexistent" };
    await expectInputError(checkOpening(tooSmall, policy, market, OPENING), "instance");
    const otherRound = { ...market, round: 8n };
    await expectInputError(checkOpening(first.opening, policy, otherRound, OPENING), "round");
    const otherPrices = { ...market, prices: new Map([...market.prices, ["WETH", 1n]]) };
    await expectInputError(
      checkOpening(first.opening, policy, otherPrices, OPENING),
      "commitments.market",
    );
    const otherPolicy = { ...policy, bufferMicroUsd: policy.bufferMicroUsd + 1n };
    await expectInputError(
      checkOpening(first.opening, otherPolicy, market, OPENING),
      "commitments.policy",
    );
  });

  it("refuses an insufficient portfolio with its shortfall before any witness work", async () => {
    const poor = parsePortfolio(
      { ...portfolioToJson(policy, portfolio), collateral: { USDC: "1000" } },
      "poor.json",
      policy,
    );
    const report = computeMargin(policy, market, poor);
    expect(report.sufficient).to.equal(false);
    const seen: string[] = [];
    let caught: unknown;
    try {
      await generateProof({
        policy,
        market,
        portfolio: poor,
        nonce: 1n,
        onProgress: (e) => void seen.push(e.step),
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ShortfallError);
    expect((caught as Error).message).to.contain(formatUnits(-report.excessMicroUsd, 6));
    expect(seen).to.deep.equal([]);
  });

  it("refuses a portfolio policy on a round without a complete joint scenario set, before any artifact or witness work", async () => {
    const pm = { ...policy, id: "small-portfolio", margin: "portfolio" as const };
    const row = [1n, -1n, 2n, -2n].map((x) => x * 10n ** 12n);
    const set = {
      labels: ["a", "b", "c", "d"],
      assets: new Map(policy.assets.map((a) => [a.symbol, row])),
      perps: new Map([["ETH-PERP", row]]), // no array for BTC-PERP
    };
    const rounds: [typeof market, string, RegExp][] = [
      [market, "scenarios", /needs the round's joint scenario set/],
      [{ ...market, scenarios: set }, "scenarios.perps.BTC-PERP", /perp "BTC-PERP" needs a risk/],
    ];
    for (const [round, field, rule] of rounds) {
      const seen: string[] = [];
      let loaded = false;
      const error = await expectInputError(
        generateProof({
          policy: pm,
          market: round,
          portfolio,
          nonce: 1n,
          files,
          artifacts: () => {
            loaded = true;
            return loadArtifacts("small");
          },
          onProgress: (e) => void seen.push(e.step),
        }),
        field,
      );
      expect(error.file).to.equal(files.market);
      expect(error.rule).to.match(rule);
      expect([loaded, seen]).to.deep.equal([false, []]);
    }
  });

  it("refuses a nonce past 64 bits and a salt outside the field", async () => {
    const base = { policy, market, portfolio, files };
    await expectInputError(generateProof({ ...base, nonce: 2n ** 64n }), "nonce");
    await expectInputError(generateProof({ ...base, nonce: -1n }), "nonce");
    const r = SNARK_SCALAR_FIELD;
    await expectInputError(generateProof({ ...base, nonce: 1n, salt: r }), "salt");
    await expectInputError(generateProof({ ...base, nonce: 1n, salt: -1n }), "salt");
  });

  it("refuses a named instance that is not set up, saying which would fit", async () => {
    const error = await expectInputError(
      generateProof({ policy, market, portfolio, nonce: 1n, instance: "nonexistent", files }),
      "$",
    );
    expect(error.file).to.equal(files.policy);
    expect(error.rule).to.match(/"nonexistent" is not set up; instance "small" would fit/);
  });

  describe(`refuses ${BAD_INPUTS.length} bad inputs before proving, naming the exact file and field`, () => {
    for (const bad of BAD_INPUTS) {
      it(bad.name, async () => {
        const written = writeInputs(bad.mutate);
        const seen: string[] = [];
        let caught: unknown;
        try {
          const inputs = loadInputs(written);
          await generateProof({
            ...inputs,
            nonce: 1n,
            instance: "small",
            onProgress: (e) => void seen.push(e.step),
          });
        } catch (error) {
          caught = error;
        }
        expect(caught, "refused").to.be.instanceOf(InputError);
        const error = caught as InputError;
        expect(error.file).to.equal(written[bad.file]);
        expect(error.path).to.equal(bad.path);
        expect(error.rule).to.match(bad.rule);
        expect(seen).to.deep.equal([]);
      });
    }
  });
});

async function expectInputError(promise: Promise<unknown>, where: string): Promise<InputError> {
  const error = await refusal(promise, `an InputError at ${where}`);
  expect(error).to.be.instanceOf(InputError);
  expect((error as InputError).path).to.equal(where);
  return error as InputError;
}
