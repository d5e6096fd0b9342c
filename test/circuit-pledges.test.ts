/**
 * MarginProof with several pledge slots (DESIGN.md "Several custodians in one proof"): the small
 * instance's dimensions with C = 3 sub-portfolios, against the reference model of their sum. The
 * witness exists iff the model says the sum is sufficient, the per-slot figures are the sum's,
 * a perp's pieces at different entry prices give one exact PnL, and the slot rules hold: an
 * unused slot (commitment 0) carries nothing, a used slot's holdings are its commitment's, used
 * slots form a prefix, and a net position cannot lie about its sign.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as path from "node:path";
import { withCommitments } from "../prover/src/commitments";
import { encodeCircuitInput, type CircuitSignals } from "../prover/src/encoding/circuit-input";
import { loadInstances, type InstanceDims } from "../prover/src/encoding/instances";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { loadMarket, loadPolicy, loadPortfolio, type Portfolio } from "../prover/src/inputs";
import { computeMargin, floorDiv } from "../prover/src/model";
import { expectAgreesWithModel, totalOf } from "./helpers/agreement";
import { saltArb, splitAtBoundary, splitTripleArb, type Split } from "./helpers/arbitraries";
import { CircuitTester, type WitnessInput } from "./helpers/circuit";

const small = loadInstances().small;
/** The small instance's slots with three pledge slots. */
const dims: InstanceDims = { ...small, pledges: 3 };
const examples = path.resolve(__dirname, "../examples/small");
const policy = loadPolicy(path.join(examples, "policy.json"));
const market = loadMarket(path.join(examples, "market.json"));
const whole = loadPortfolio(path.join(examples, "portfolio.json"), policy);
const NONCE = 7n;
const SALTS = [101n, 202n, 303n];
/** 3012.55 USD in 1e-12 USD: the example round's ETH price. */
const ETH = 3012_550000000000n;

/** A sub-portfolio of the example's account. */
function piece(parts: Partial<Omit<Portfolio, "account">>): Portfolio {
  return {
    account: whole.account,
    collateral: new Map(),
    perps: new Map(),
    options: new Map(),
    ...parts,
  };
}

/**
 * The example split between a custodian (the collateral) and the venue (the positions): its sum
 * is the example portfolio.
 */
const custodian = piece({ collateral: whole.collateral });
const venue = piece({ perps: whole.perps, options: whole.options });

/** The full witness input of `pieces` (the first `used` slots committed; default all given). */
function signalsFor(
  split: Split,
  used = split.pieces.length,
  salts = SALTS.slice(0, split.pieces.length),
): Promise<CircuitSignals> {
  const input = encodeCircuitInput({
    policy: split.policy,
    market: split.market,
    portfolio: split.pieces,
    salt: salts,
    nonce: NONCE,
    instance: dims,
  });
  return withCommitments(input, used);
}

function asInput(signals: CircuitSignals): WitnessInput {
  return { ...signals };
}

/** `rows` with row `k`'s entry `i` replaced by `value`. */
function withEntry(rows: bigint[][], k: number, i: number, value: bigint): bigint[][] {
  return rows.map((row, r) => (r === k ? row.map((x, c) => (c === i ? value : x)) : [...row]));
}

describe("circuit: MarginProof with three pledge slots vs the model of the sum", function () {
  let tester: CircuitTester;
  let smallTester: CircuitTester;

  before(async function () {
    tester = await CircuitTester.custom("small-pledges-3", dims);
    smallTester = await CircuitTester.instance("small");
  });

  it("has 3 + C public inputs, the portfolio commitments last in slot order, and no outputs", function () {
    expect(tester.r1cs.nPublicOutputs).to.equal(0);
    expect(tester.r1cs.nPublicInputs).to.equal(6);
    const names = [
      "accountNonce",
      "marketCommitment",
      "policyCommitment",
      "portfolioCommitment[0]",
      "portfolioCommitment[1]",
      "portfolioCommitment[2]",
    ];
    names.forEach((name, k) => expect(tester.wire(`main.${name}`)).to.equal(k + 1));
  });

  it("costs one pledge slot's range checks, hash and rules per extra slot, plus the netting", function () {
    // Each extra slot: its holdings' range checks (3 x 96 + 2 x 145 + 2 x 49 = 676), one
    // Poseidon chunk, 3 or 4 slot rules; the netting (C >= 2) sign-and-magnitude checks.
    const extra = tester.r1cs.nConstraints - smallTester.r1cs.nConstraints;
    expect(extra).to.be.above(2 * 676);
    expect(extra).to.be.below(2 * 676 + 2 * 700 + 500);
  });

  it("proves the example split between a custodian and the venue, as the whole", async function () {
    const split = { policy, market, pieces: [custodian, venue] };
    const sum = totalOf(computeMargin(policy, market, split.pieces));
    const alone = totalOf(computeMargin(policy, market, whole));
    expect(sum).to.deep.equal(alone); // same entries: the sum is the example portfolio
    const signals = await signalsFor(split);
    expect(signals.portfolioCommitment[2]).to.equal(0n);
    const witness = await tester.expectPass(asInput(signals));
    expectAgreesWithModel(tester, witness, policy, market, split.pieces);
  });

  describe("a long at one custodian and a short at another, at different entry prices", function () {
    // A: long 10.0002 ETH-PERP (sizeDecimals 4) entered 0.0025 USD below the mark: 25,000.5 µUSD.
    // B: short 4 ETH-PERP entered 1.25e-7 USD above the mark: 0.5 µUSD. Rounded once, the PnL is
    // 25,001 µUSD; each piece rounded on its own would give 25,000.
    const a = piece({
      collateral: new Map([["USDC", 100_000_000000n]]),
      perps: new Map([["ETH-PERP", { size: 100_002n, entryPrice: ETH - 2_500_000_000n }]]),
    });
    const b = piece({
      perps: new Map([["ETH-PERP", { size: -40_000n, entryPrice: ETH + 125_000n }]]),
    });
    const split: Split = { policy, market, pieces: [a, b] };

    it("nets them into one position with one exact PnL, as the model does", async function () {
      const report = computeMargin(policy, market, split.pieces);
      const eth = report.perps[0];
      expect(eth.size).to.equal(60_002n);
      expect(eth.pnlMicroUsd).to.equal(25_001n);
      const scale = 10n ** 10n;
      const perPiece = split.pieces.map((p) => {
        const x = p.perps.get("ETH-PERP")!;
        return floorDiv(x.size * (ETH - x.entryPrice), scale);
      });
      expect(perPiece).to.deep.equal([25_000n, 0n]);
      const witness = await tester.expectPass(asInput(await signalsFor(split)));
      expectAgreesWithModel(tester, witness, policy, market, split.pieces);
      expect(tester.signal(witness, "main.perp[0].pnl")).to.equal(25_001n);
      // The notional is the net size's: 6.0002 ETH at 3012.55.
      expect(tester.signal(witness, "main.perp[0].notional")).to.equal(eth.notionalMicroUsd);
      expect(tester.signal(witness, "main.perp[0].position")).to.equal(60_002n * 10n ** 14n);
    });

    it("passes exactly at the requirement and fails one µUSD short", async function () {
      const at = splitAtBoundary(split, 0n)!;
      const short = splitAtBoundary(split, 1n)!;
      expect(computeMargin(at.policy, at.market, at.pieces).excessMicroUsd).to.equal(0n);
      await tester.expectPass(asInput(await signalsFor(at)));
      await tester.expectFail(asInput(await signalsFor(short)), /MarginStatement/);
    });

    it("refuses a PnL one µUSD above the exact one (the sum's floor)", async function () {
      await tester.expectTamperFails(
        asInput(await signalsFor(split)),
        "main.perp[0].pnl",
        (x) => x + 1n,
      );
    });
  });

  describe("the pledge slots' rules", function () {
    const split: Split = { policy, market, pieces: [custodian, venue] };
    let valid: CircuitSignals;
    before(async function () {
      valid = await signalsFor(split);
    });

    it("an unused slot (commitment 0) cannot carry holdings", async function () {
      // 1M USDC in slot 3, which the proof says is unused: commitment 0.
      const amount = withEntry(valid.amount, 2, 0, 1_000_000_000000n);
      const stuffed = { ...valid, amount, salt: [...valid.salt.slice(0, 2), 99n] };
      expect(stuffed.portfolioCommitment[2]).to.equal(0n);
      await tester.expectFail(asInput(stuffed), /PledgeSlots/);
      // Control: committed as a used slot, the same holdings make a witness.
      const committed = await withCommitments(stuffed, 3);
      expect(committed.portfolioCommitment[2]).to.not.equal(0n);
      await tester.expectPass(asInput(committed));
    });

    it("an unused slot cannot be marked used behind a commitment of 0", async function () {
      const empty = await signalsFor({ ...split, pieces: [custodian, venue] }, 2);
      await tester.expectTamperFails(asInput(empty), "main.slots.used[2]", () => 1n);
    });

    it("a sub-portfolio changed under its commitment fails", async function () {
      const amount = withEntry(valid.amount, 0, 0, valid.amount[0][0] + 1n);
      await tester.expectFail(asInput({ ...valid, amount }), /PledgeSlots/);
      const optionQtyAbs = withEntry(valid.optionQtyAbs, 1, 0, valid.optionQtyAbs[1][0] - 1n);
      await tester.expectFail(asInput({ ...valid, optionQtyAbs }), /PledgeSlots/);
    });

    it("a slot's commitment replaced by another slot's fails", async function () {
      const [first] = valid.portfolioCommitment;
      const portfolioCommitment = [first, first, 0n];
      await tester.expectFail(asInput({ ...valid, portfolioCommitment }), /PledgeSlots/);
    });

    it("used slots form a prefix: slot 3 used after an unused slot 2 fails", async function () {
      const gap = await signalsFor({ ...split, pieces: [custodian, piece({}), venue] }, 3);
      // Control: slot 2 committed (an empty sub-portfolio pledged), the witness exists.
      await tester.expectPass(asInput(gap));
      const portfolioCommitment = [gap.portfolioCommitment[0], 0n, gap.portfolioCommitment[2]];
      await tester.expectFail(asInput({ ...gap, portfolioCommitment }), /PledgeSlots/);
    });

    it("slot 1 is always used: a commitment of 0 there fails", async function () {
      const portfolioCommitment = [0n, ...valid.portfolioCommitment.slice(1)];
      await tester.expectFail(asInput({ ...valid, portfolioCommitment }), /PledgeSlots/);
    });

    it("a padded slot holds nothing in any sub-portfolio", async function () {
      // Deactivate option 1 in the policy; the venue's sub-portfolio (slot 2) still holds it.
      const optionActive = [valid.optionActive[0], 0n];
      const lying = await withCommitments({ ...valid, optionActive }, 2);
      await tester.expectFail(asInput(lying), /ZeroUnlessActive/);
    });

    it("a net short cannot be called long (the net's range check)", async function () {
      // ETH-PERP is short 60 in the venue's slot: the net is negative.
      const witness = await tester.expectPass(asInput(valid));
      expect(tester.signal(witness, "main.perp[0].net.netNeg")).to.equal(1n);
      const net = tester.signal(witness, "main.perp[0].net.netAbs");
      await tester.expectTamperAllFails(asInput(valid), {
        "main.perp[0].net.netNeg": () => 0n,
        "main.perp[0].net.netAbs": () => SNARK_SCALAR_FIELD - net,
      });
      // The short call's net quantity likewise (the short-option minimum rests on it; the
      // compiler merged NetSigned's outputs into the book's inputs).
      expect(tester.signal(witness, "main.book.qtyNeg[0]")).to.equal(1n);
      await tester.expectTamperAllFails(asInput(valid), {
        "main.book.qtyNeg[0]": () => 0n,
        "main.book.qtyAbs[0]": (x) => SNARK_SCALAR_FIELD - x,
      });
    });
  });

  it("agrees with the model on random splits of random books @property", async function () {
    let sufficient = 0;
    await fc.assert(
      fc.asyncProperty(splitTripleArb(dims), saltArb, async (split, salt) => {
        const report = computeMargin(split.policy, split.market, split.pieces);
        const salts = split.pieces.map((_, k) => salt - BigInt(k) * 7n);
        fc.pre(salts.every((s) => s >= 0n));
        const input = asInput(await signalsFor(split, split.pieces.length, salts));
        if (report.sufficient) {
          sufficient++;
          const witness = await tester.witness(input);
          expect(tester.violated(witness)).to.equal(-1);
          expectAgreesWithModel(tester, witness, split.policy, split.market, split.pieces);
        } else {
          await tester.expectFail(input, /MarginStatement/);
        }
      }),
      { numRuns: 120, seed: 20261919 },
    );
    expect(sufficient, "both verdicts must be exercised").to.be.greaterThan(10);
    expect(sufficient).to.be.lessThan(110);
  });

  it("passes at the boundary and fails one µUSD short on random splits @property", async function () {
    await fc.assert(
      fc.asyncProperty(splitTripleArb(dims), async (split) => {
        const at = splitAtBoundary(split, 0n);
        const short = splitAtBoundary(split, 1n);
        fc.pre(at !== null && short !== null);
        const witness = await tester.expectPass(asInput(await signalsFor(at!)));
        expectAgreesWithModel(tester, witness, at!.policy, at!.market, at!.pieces);
        await tester.expectFail(asInput(await signalsFor(short!)), /MarginStatement/);
      }),
      { numRuns: 20, seed: 19191919 },
    );
  });
});
