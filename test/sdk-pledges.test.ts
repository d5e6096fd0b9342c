/**
 * The prover SDK with several sub-portfolios (DESIGN.md "Several custodians in one proof") on the
 * `demo` instance (two pledge slots): a proof of the sum with one commitment and one opening per
 * sub-portfolio, the one-portfolio call on a two-slot instance, each opening checked against the
 * proof's public signals, and the refusals that come before any witness work.
 */
import * as path from "node:path";
import { expect } from "chai";
import { InputError, ShortfallError } from "../prover/src/errors";
import { loadMarket, loadPolicy, loadPortfolio, type Portfolio } from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import {
  checkOpening,
  checkOpeningSignals,
  decodePublicSignals,
  generateProof,
  openingSignals,
  verifyProof,
  type MarginProof,
} from "../prover/src/proving";
import { releaseCurve } from "../prover/src/proving/snarkjs";
import { setupInstance } from "../prover/src/setup/dev-setup";
import { loadArtifacts } from "../prover/src/setup/manifest";
import { SMALL_EXAMPLES } from "./helpers/cli";
import { totalOf } from "./helpers/agreement";
import { refusal } from "./helpers/refusal";

const paths = {
  policy: path.join(SMALL_EXAMPLES, "policy.json"),
  market: path.join(SMALL_EXAMPLES, "market.json"),
};
const policy = loadPolicy(paths.policy);
const market = loadMarket(paths.market);
const whole = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
/** The example's collateral at a custodian, its positions at the venue. */
const custodian: Portfolio = { ...whole, perps: new Map(), options: new Map() };
const venue: Portfolio = { ...whole, collateral: new Map() };
const files = { ...paths, portfolios: ["custodian.json", "venue.json"] };

async function expectInputError(promise: Promise<unknown>, where: string): Promise<InputError> {
  const error = await refusal(promise, `an InputError at ${where}`);
  expect(error).to.be.instanceOf(InputError);
  expect((error as InputError).path).to.equal(where);
  return error as InputError;
}

describe("prover SDK with two sub-portfolios (demo instance)", function () {
  let split: MarginProof;
  let single: MarginProof;

  before(async function () {
    await setupInstance("small", { log: () => undefined, onProgress: () => undefined });
    await setupInstance("demo", { log: () => undefined, onProgress: () => undefined });
    split = await generateProof({
      policy,
      market,
      portfolio: [custodian, venue],
      salt: [11n, 12n],
      nonce: 3n,
      files,
    });
    single = await generateProof({ policy, market, portfolio: whole, nonce: 4n, instance: "demo" });
  });

  after(async () => {
    await releaseCurve();
  });

  it("proves the sum on the smallest set-up instance with enough pledge slots", async function () {
    expect(split.instance).to.equal("demo"); // small has one slot
    expect(split.publicSignals).to.have.length(5);
    const decoded = decodePublicSignals(split.publicSignals);
    expect(decoded.account).to.equal(whole.account);
    expect(decoded.portfolioCommitments).to.have.length(2);
    expect(decoded.portfolioCommitments.every((c) => c !== 0n)).to.equal(true);
    const key = (await loadArtifacts("demo")).vkey;
    expect(await verifyProof(split.proof, split.publicSignals, key)).to.equal(true);
    // every signal, slot 2's commitment included, is bound
    for (const index of [0, 3, 4]) {
      const tampered = [...split.publicSignals];
      tampered[index] = (BigInt(tampered[index]) + 1n).toString();
      expect(await verifyProof(split.proof, tampered, key), `signal ${index}`).to.equal(false);
    }
    // the report is the sum's, with each sub-portfolio's share
    const { pieces, ...sum } = split.report;
    const alone = totalOf(computeMargin(policy, market, whole));
    expect(sum).to.deep.equal(alone);
    expect(pieces).to.have.length(2);
    expect(pieces[0].totals.pnlMicroUsd).to.equal(0n);
    expect(pieces[1].totals.valueMicroUsd).to.equal(0n);
  });

  it("returns one opening per sub-portfolio, each with only its own holdings", async function () {
    expect(split.openings).to.have.length(2);
    expect(split.opening).to.equal(split.openings[0]);
    const decoded = decodePublicSignals(split.publicSignals);
    const commitments = decoded.portfolioCommitments.map(String);
    split.openings.forEach((opening, k) => {
      expect(opening).to.deep.include({ slot: k + 1, instance: "demo", nonce: "3" });
      expect(opening.commitments.portfolio).to.equal(commitments[k]);
      expect(opening.commitments.portfolios).to.deep.equal(commitments);
      expect(openingSignals(opening).map(String)).to.deep.equal(split.publicSignals);
    });
    expect(split.openings.map((o) => o.salt)).to.deep.equal(["11", "12"]);
    expect(split.openings[0].portfolio.perps).to.deep.equal([]);
    expect(split.openings[1].portfolio.collateral).to.deep.equal({});
    for (const [k, opening] of split.openings.entries()) {
      const own = await checkOpening(
        opening,
        policy,
        market,
        { ...paths, opening: `opening-${k + 1}.json` },
        undefined,
        split.publicSignals,
      );
      expect(own.collateral.size + own.perps.size + own.options.size).to.be.above(0);
    }
  });

  it("refuses an opening against another proof's signals or at another slot, naming the field", async function () {
    const [first, second] = split.openings;
    const names = { opening: "o.json", public: "public.json" };
    // another proof of the same book: other salts, so other portfolio commitments
    expect(() => checkOpeningSignals(first, single.publicSignals, names))
      .to.throw(InputError)
      .with.property("path", "account, nonce");
    const sameNonce = single.publicSignals.map((s, i) => (i === 0 ? split.publicSignals[0] : s));
    expect(() => checkOpeningSignals(first, sameNonce, names))
      .to.throw(InputError)
      .with.property("path", "commitments.portfolios[0]");
    // a sub-portfolio's opening that claims the other slot: the proof has another commitment there
    const moved = { ...second, slot: 1 };
    expect(() => checkOpeningSignals(moved, split.publicSignals, names))
      .to.throw(InputError)
      .with.property("path", "slot");
    const swapped = {
      ...first,
      commitments: {
        ...first.commitments,
        portfolios: [...first.commitments.portfolios].reverse(),
      },
    };
    expect(() => checkOpeningSignals(swapped, split.publicSignals, names))
      .to.throw(InputError)
      .with.property("path", "commitments.portfolios[0]");
    // an opening of a one-slot instance against a two-slot proof
    const oneSlot = {
      ...first,
      commitments: { ...first.commitments, portfolios: [first.commitments.portfolio] },
    };
    expect(() => checkOpeningSignals(oneSlot, split.publicSignals, names))
      .to.throw(InputError)
      .with.property("path", "commitments.portfolios");
    await expectInputError(
      checkOpening(oneSlot, policy, market, { ...paths, opening: "o.json" }),
      "commitments.portfolios",
    );
  });

  it("keeps the one-portfolio call: slot 1 used, slot 2 at 0", function () {
    const decoded = decodePublicSignals(single.publicSignals);
    expect(decoded.portfolioCommitments[1]).to.equal(0n);
    expect(single.openings).to.have.length(1);
    expect(single.opening.commitments.portfolios).to.deep.equal([
      decoded.portfolioCommitments[0].toString(),
      "0",
    ]);
  });

  describe("refuses before any witness work", function () {
    const attempt = (args: Partial<Parameters<typeof generateProof>[0]>) => {
      const seen: string[] = [];
      let loaded = false;
      return {
        seen,
        loaded: () => loaded,
        promise: generateProof({
          policy,
          market,
          portfolio: [custodian, venue],
          nonce: 1n,
          files,
          artifacts: (name) => {
            loaded = true;
            return loadArtifacts(name);
          },
          onProgress: (e) => void seen.push(e.step),
          ...args,
        }),
      };
    };

    it("sub-portfolios of two accounts, naming the files", async function () {
      const stranger = { ...venue, account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" };
      const run = attempt({ portfolio: [custodian, stranger] });
      const error = await expectInputError(run.promise, "account");
      expect(error.file).to.equal("venue.json");
      expect(error.rule).to.contain(
        "custodian.json names 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      );
      expect([run.loaded(), run.seen]).to.deep.equal([false, []]);
    });

    it("a repeated salt, or as many salts as sub-portfolios missing", async function () {
      await expectInputError(attempt({ salt: [5n, 5n] }).promise, "salt[1]");
      await expectInputError(attempt({ salt: [5n] }).promise, "salt");
      await expectInputError(attempt({ salt: 5n }).promise, "salt");
    });

    it("more sub-portfolios than the requested instance has pledge slots", async function () {
      const error = await expectInputError(attempt({ instance: "small" }).promise, "$");
      expect(error.rule).to.match(
        /needs 2 pledge slots \(one per sub-portfolio\) but has 1\); instance "demo" would fit/,
      );
    });

    it("a sum that does not cover its requirement, though one piece alone might", async function () {
      const poorVenue: Portfolio = {
        ...venue,
        perps: new Map([["ETH-PERP", { size: -20_000_000n, entryPrice: 1_000_000000000000n }]]),
      };
      expect(computeMargin(policy, market, [custodian, poorVenue]).sufficient).to.equal(false);
      const run = attempt({ portfolio: [custodian, poorVenue] });
      expect(await refusal(run.promise, "a shortfall")).to.be.instanceOf(ShortfallError);
      expect([run.loaded(), run.seen]).to.deep.equal([false, []]);
    });
  });
});
