/**
 * MarginProof (small instance) against the TypeScript reference model and the TS commitments,
 * under both margin models: the witness exists iff the model says sufficient, per-slot
 * intermediates, the scan risk and the concentration excess equal the model's, and tampered
 * witnesses (one signal changed) fail the constraint check.
 */
import { expect } from "chai";
import fc from "fast-check";
import * as path from "node:path";
import { withCommitments } from "../prover/src/commitments";
import {
  encodeCircuitInput,
  type CircuitInput,
  type CircuitSignals,
} from "../prover/src/encoding/circuit-input";
import { loadInstances } from "../prover/src/encoding/instances";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import {
  loadMarket,
  loadPolicy,
  loadPortfolio,
  type Market,
  type Policy,
  type Portfolio,
} from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { atBoundary, nonceArb, saltArb, tripleArb, type Triple } from "./helpers/arbitraries";
import { expectAgreesWithModel as expectAgreement } from "./helpers/agreement";
import { CircuitTester, type WitnessInput } from "./helpers/circuit";
import { withAssetOrder, withAssetRenamed, withPriceAlias } from "./helpers/layouts";
import { MARKET_SIGNALS, PORTFOLIO_SIGNALS } from "./helpers/signals";

/** The signals `names` of `from`. */
function pick(from: CircuitInput, names: readonly (keyof CircuitInput)[]): Partial<CircuitInput> {
  return Object.fromEntries(names.map((n) => [n, from[n]]));
}

const dims = loadInstances().small;
const examples = path.resolve(__dirname, "../examples/small");
const policy = loadPolicy(path.join(examples, "policy.json"));
const example: Triple = {
  policy,
  market: loadMarket(path.join(examples, "market.json")),
  portfolio: loadPortfolio(path.join(examples, "portfolio.json"), policy),
};
const SALT = 123456789n;
const NONCE = 7n;

/** `usdc` whole USDC against a short of `eth` ETH-PERP entered at the example round's mark. */
function shortEthPerpOn(usdc: bigint, eth: bigint): Portfolio {
  return {
    account: example.portfolio.account,
    collateral: new Map([["USDC", usdc * 10n ** 6n]]),
    perps: new Map([["ETH-PERP", { size: -eth * 10n ** 4n, entryPrice: 3012_550000000000n }]]),
    options: new Map(),
  };
}

async function signalsFor(triple: Triple, salt = SALT, nonce = NONCE): Promise<CircuitSignals> {
  return withCommitments(encodeCircuitInput({ ...triple, salt, nonce, instance: dims }));
}

/** Plain object for snarkjs (the encoder's arrays and bigints are accepted as they are). */
function asInput(signals: CircuitSignals): WitnessInput {
  return { ...signals };
}

/** Every per-slot intermediate read from the witness equals the model's. */
function expectAgreesWithModel(tester: CircuitTester, witness: bigint[], triple: Triple): void {
  expectAgreement(tester, witness, triple.policy, triple.market, triple.portfolio);
}

describe("circuit: MarginProof (small) vs the reference model", function () {
  let tester: CircuitTester;
  let valid: CircuitSignals;

  before(async function () {
    tester = await CircuitTester.instance("small");
    valid = await signalsFor(example);
  });

  it("has exactly the four public inputs and no outputs (one pledge slot)", function () {
    expect(tester.r1cs.nPublicOutputs).to.equal(0);
    expect(tester.r1cs.nPublicInputs).to.equal(4);
    // Wires 1..4 are the public signals in declaration order.
    const names = [
      "accountNonce",
      "marketCommitment",
      "policyCommitment",
      "portfolioCommitment[0]",
    ];
    names.forEach((name, k) => expect(tester.wire(`main.${name}`)).to.equal(k + 1));
  });

  it("accepts the example portfolio and agrees with the model slot by slot", async function () {
    expect(computeMargin(example.policy, example.market, example.portfolio).sufficient).to.equal(
      true,
    );
    const witness = await tester.expectPass(asInput(valid));
    expectAgreesWithModel(tester, witness, example);
  });

  it("passes exactly at the requirement and fails one µUSD short", async function () {
    const at = atBoundary(example, 0n);
    const short = atBoundary(example, 1n);
    if (!at || !short) throw new Error("example cannot be moved to the boundary");
    expect(computeMargin(at.policy, at.market, at.portfolio).excessMicroUsd).to.equal(0n);
    await tester.expectPass(asInput(await signalsFor(at)));
    await tester.expectFail(asInput(await signalsFor(short)), /MarginStatement/);
  });

  it("rejects a wrong commitment of each kind", async function () {
    for (const name of ["marketCommitment", "policyCommitment"] as const) {
      await tester.expectFail({ ...asInput(valid), [name]: valid[name] + 1n }, /MarginProof/);
    }
    const portfolioCommitment = [valid.portfolioCommitment[0] + 1n];
    await tester.expectFail({ ...asInput(valid), portfolioCommitment }, /PledgeSlots/);
    // Same holdings, another salt: another commitment.
    const resalted = await signalsFor(example, SALT + 1n);
    expect(resalted.portfolioCommitment).to.not.deep.equal(valid.portfolioCommitment);
    await tester.expectFail({ ...asInput(valid), salt: [SALT + 1n] }, /PledgeSlots/);
  });

  it("rejects a holding that does not match the committed one", async function () {
    const amount = [[valid.amount[0][0] + 1n, ...valid.amount[0].slice(1)]];
    await tester.expectFail({ ...asInput(valid), amount }, /PledgeSlots/);
  });

  it("range-checks inputs: field negatives and values past their width fail", async function () {
    const p = SNARK_SCALAR_FIELD;
    /** Row 0 (the one pledge slot) with its first entry replaced by `x`. */
    const first = (rows: bigint[][], x: bigint): bigint[][] => [[x, ...rows[0].slice(1)]];
    const cases: [string, (s: CircuitSignals) => WitnessInput][] = [
      ["amount as p - 1", (s) => ({ ...s, amount: first(s.amount, p - 1n) })],
      ["amount = 2^96", (s) => ({ ...s, amount: first(s.amount, 1n << 96n) })],
      ["perp size = 2^64", (s) => ({ ...s, perpSizeAbs: first(s.perpSizeAbs, 1n << 64n) })],
      ["entry price = 2^80", (s) => ({ ...s, perpEntryPrice: first(s.perpEntryPrice, 1n << 80n) })],
      ["sign bit = 2", (s) => ({ ...s, optionQtyNeg: first(s.optionQtyNeg, 2n) })],
      ["margin bit = 2", (s) => ({ ...s, portfolioMargin: 2n })],
      ["group bit = 2", (s) => ({ ...s, assetGroup: [[2n], ...s.assetGroup.slice(1)] })],
      ["accountNonce = 2^224", (s) => ({ ...s, accountNonce: 1n << 224n })],
      ["accountNonce = p - 1", (s) => ({ ...s, accountNonce: p - 1n })],
    ];
    for (const [, make] of cases) await tester.expectFail(make(valid));
    await tester.expectPass({ ...asInput(valid), accountNonce: (1n << 224n) - 1n });
  });

  it("a perp size past 64 bits cannot borrow from the entry price packed above it", async function () {
    // Perp 0's size (64 bits) sits right below its entry price in one packed element: size + 2^64
    // with entry - 1 packs to the same element, so the commitment still matches. Only the
    // packer's range check of the size stands in the way.
    const sizeAbs = valid.perpSizeAbs.map((row) => [...row]);
    const entry = valid.perpEntryPrice.map((row) => [...row]);
    sizeAbs[0][0] += 1n << 64n;
    entry[0][0] -= 1n;
    // Bits 97.. of the element (commitments.test.ts packs the small example by hand).
    const packed = (size: bigint, price: bigint): bigint => (size << 97n) + (price << 161n);
    expect(packed(sizeAbs[0][0], entry[0][0])).to.equal(
      packed(valid.perpSizeAbs[0][0], valid.perpEntryPrice[0][0]),
    );
    const aliased = { ...asInput(valid), perpSizeAbs: sizeAbs, perpEntryPrice: entry };
    await tester.expectFail(aliased, /PackItems/);
  });

  it("forces padded slots to zero holdings", async function () {
    // Deactivate asset 2, perp 1 and option 1 in the policy but keep their holdings.
    for (const [active, slot] of [
      ["assetActive", 2],
      ["perpActive", 1],
      ["optionActive", 1],
    ] as const) {
      const flags = [...valid[active]];
      flags[slot] = 0n;
      const lying = await withCommitments({ ...valid, [active]: flags });
      await tester.expectFail(asInput(lying), /ZeroUnlessActive/);
    }
  });

  describe("layout binding: the two forgeries across slot layouts of one instance fail", function () {
    // Two honest policies on the small instance: A (the example) and B, its assets reordered.
    const policyB = withAssetOrder(policy, ["WBTC", "WETH", "USDC"], "small-reordered");
    const layoutA = (): bigint => valid.layoutId;

    /** Commitments recomputed over `input` as it stands (a witness for *some* statement). */
    const recommitted = (input: CircuitInput): Promise<CircuitSignals> => withCommitments(input);

    it("round posted for layout A, used with policy B: the witness fails", async function () {
      // B's holder: 100k USDC against a large short ETH perp entered at the mark: short under B.
      const portfolioB = shortEthPerpOn(100_000n, 2000n);
      expect(computeMargin(policyB, example.market, portfolioB).sufficient).to.equal(false);
      const honestB = encodeCircuitInput({
        policy: policyB,
        market: example.market,
        portfolio: portfolioB,
        salt: SALT,
        nonce: NONCE,
        instance: dims,
      });
      expect(honestB.layoutId).to.not.equal(layoutA());
      // The lie: B's policy and portfolio with the prices of the round posted for layout A
      // (B's USDC slot priced at A's third slot, WBTC).
      const postedForA = await withCommitments(
        encodeCircuitInput({ ...example, salt: SALT, nonce: NONCE, instance: dims }),
      );
      const mixed: CircuitInput = { ...honestB, ...pick(postedForA, MARKET_SIGNALS) };
      // Control: with every commitment recomputed over one layout id the statement holds, so
      // only the commitments stand between this witness and a proof (v1 had no layout id, and
      // A's posted market commitment would have matched).
      await tester.expectPass(asInput(await recommitted(mixed)));
      const registeredB = await recommitted(honestB);
      for (const layoutId of [honestB.layoutId, layoutA()]) {
        await tester.expectFail(
          asInput({
            ...mixed,
            layoutId,
            marketCommitment: postedForA.marketCommitment,
            policyCommitment: registeredB.policyCommitment,
            portfolioCommitment: registeredB.portfolioCommitment,
          }),
          /MarginProof/,
        );
      }
    });

    it("portfolio commitment attested under layout A, used with policy B: the witness fails", async function () {
      // A's holder owns 0.001 WETH, attested under A; under B the WETH slot is WBTC's (8 decimals).
      const policyC = withAssetOrder(policy, ["USDC", "WBTC", "WETH"], "small-swapped");
      const portfolioA: Portfolio = {
        account: example.portfolio.account,
        collateral: new Map([["WETH", 10n ** 15n]]),
        perps: new Map(),
        options: new Map(),
      };
      const attestedA = await withCommitments(
        encodeCircuitInput({
          ...example,
          portfolio: portfolioA,
          salt: SALT,
          nonce: NONCE,
          instance: dims,
        }),
      );
      const honestC = await withCommitments(
        encodeCircuitInput({
          policy: policyC,
          market: example.market,
          portfolio: portfolioA,
          salt: SALT,
          nonce: NONCE,
          instance: dims,
        }),
      );
      // The lie: A's encoded holdings (10^15 base units in slot 1) under C, where slot 1 is WBTC.
      const mixed: CircuitInput = { ...honestC, ...pick(attestedA, PORTFOLIO_SIGNALS) };
      const control = await recommitted(mixed);
      await tester.expectPass(asInput(control)); // billions of dollars of "WBTC"
      expect(attestedA.portfolioCommitment).to.not.deep.equal(control.portfolioCommitment);
      for (const layoutId of [honestC.layoutId, layoutA()]) {
        await tester.expectFail(
          asInput({ ...control, layoutId, portfolioCommitment: attestedA.portfolioCommitment }),
          /MarginProof/,
        );
      }
    });

    it("a renamed asset is another layout: no commitment carries over", async function () {
      const renamed = withAssetRenamed(policy, "USDC", "USDT", "small-renamed");
      const market = withPriceAlias(example.market, "USDC", "USDT");
      const other = await withCommitments(
        encodeCircuitInput({
          policy: renamed,
          market,
          portfolio: { ...example.portfolio, collateral: new Map([["USDT", 1n]]) },
          salt: SALT,
          nonce: NONCE,
          instance: dims,
        }),
      );
      // Same slot values, another layout id: reusing A's commitments fails.
      for (const name of ["marketCommitment", "policyCommitment"] as const) {
        await tester.expectFail(asInput({ ...other, [name]: valid[name] }), /MarginProof/);
      }
    });
  });

  describe("portfolio margin (model v2): the joint scenario scan and concentration limits", function () {
    /** USD in 1e-12 units. */
    const usd = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 1_000_000n;
    // Joint moves of ETH and BTC: down, up, crash, rally; losses per whole token (long), signed.
    const eth = [usd(301.255), usd(-301.255), usd(753.1375), usd(-753.1375)];
    const btc = [usd(7300.032), usd(-7300.032), usd(18250.08), usd(-18250.08)];
    const pmPolicy: Policy = {
      ...policy,
      id: "small-portfolio",
      margin: "portfolio",
      concentration: [{ assets: ["WETH", "WBTC"], maxSharePpm: 400_000n }],
    };
    // Option risk arrays that follow the same moves (loss per long contract, µUSD).
    const pmMarket: Market = {
      ...example.market,
      options: new Map([
        [
          "ETH-26JUN26-3000-C",
          {
            markMicroUsd: 268_400000n,
            riskArrayMicroUsd: [120_000000n, -150_000000n, 230_000000n, -500_000000n],
          },
        ],
        [
          "ETH-26JUN26-2600-P",
          {
            markMicroUsd: 92_750000n,
            riskArrayMicroUsd: [-150_000000n, 60_000000n, -450_000000n, 90_000000n],
          },
        ],
      ]),
      scenarios: {
        labels: ["down", "up", "crash", "rally"],
        assets: new Map([
          ["USDC", [0n, 0n, 0n, 0n]],
          ["WETH", eth],
          ["WBTC", btc],
        ]),
        perps: new Map([
          ["ETH-PERP", eth],
          ["BTC-PERP", btc],
        ]),
      },
    };
    /**
     * 100 short puts hedged by a short of 30 ETH-PERP (entered at the mark), on 65,000 USDC: the
     * options' worst loss (crash, 45,000 USD) is partly offset by the perp's gain in the same
     * move, which only the joint scan sees.
     */
    const hedged: Portfolio = {
      account: example.portfolio.account,
      collateral: new Map([["USDC", 65_000n * 10n ** 6n]]),
      perps: new Map([["ETH-PERP", { size: -30n * 10n ** 4n, entryPrice: 3012_550000000000n }]]),
      options: new Map([["ETH-26JUN26-2600-P", -100n]]),
    };

    it("agrees with the model on the example book under a portfolio policy", async function () {
      const triple = { policy: pmPolicy, market: pmMarket, portfolio: example.portfolio };
      const report = computeMargin(triple.policy, triple.market, triple.portfolio);
      expect(report.margin).to.equal("portfolio");
      expect(report.concentration[0].excessMicroUsd > 0n, "the group cap binds").to.equal(true);
      const at = atBoundary(triple, 0n);
      const short = atBoundary(triple, 1n);
      if (!at || !short) throw new Error("example cannot be moved to the boundary");
      const witness = await tester.expectPass(asInput(await signalsFor(at)));
      expectAgreesWithModel(tester, witness, at);
      await tester.expectFail(asInput(await signalsFor(short)), /MarginStatement/);
    });

    it("credits a hedge that the standard model charges in full", async function () {
      const standard = computeMargin(policy, pmMarket, hedged);
      const portfolio = computeMargin(pmPolicy, pmMarket, hedged);
      expect(standard.sufficient, "standard: short").to.equal(false);
      expect(portfolio.sufficient, "portfolio: sufficient").to.equal(true);
      await tester.expectFail(
        asInput(await signalsFor({ policy, market: pmMarket, portfolio: hedged })),
        /MarginStatement/,
      );
      const witness = await tester.expectPass(
        asInput(await signalsFor({ policy: pmPolicy, market: pmMarket, portfolio: hedged })),
      );
      expectAgreesWithModel(tester, witness, {
        policy: pmPolicy,
        market: pmMarket,
        portfolio: hedged,
      });
    });

    it("refuses a scan risk below the binding joint loss", async function () {
      const triple = { policy: pmPolicy, market: pmMarket, portfolio: hedged };
      expect(computeMargin(pmPolicy, pmMarket, hedged).bindingScenario).to.not.equal(null);
      const signals = asInput(await signalsFor(triple));
      await tester.expectTamperFails(signals, "main.scan.requirement", (x) => x - 1n);
    });

    it("refuses a dropped scenario: the binding scenario's entries zeroed against the posted round", async function () {
      const triple = { policy: pmPolicy, market: pmMarket, portfolio: hedged };
      const k = computeMargin(pmPolicy, pmMarket, hedged).bindingScenario;
      if (k === null) throw new Error("the hedged book must have a binding scenario");
      const posted = await signalsFor(triple);
      const dropColumn = (rows: bigint[][]): bigint[][] =>
        rows.map((row) => row.map((entry, j) => (j === k ? 0n : entry)));
      const dropped: CircuitSignals = {
        ...posted,
        assetRisk: dropColumn(posted.assetRisk),
        perpRisk: dropColumn(posted.perpRisk),
        riskArray: dropColumn(posted.riskArray),
      };
      // Control: as a round of its own (commitments recomputed) the dropped set makes a witness,
      // so only the posted round's commitment (kept in `dropped`) refuses it.
      await tester.expectPass(asInput(await withCommitments(dropped)));
      await tester.expectFail(asInput(dropped), /MarginProof/);
    });

    it("refuses an excess below the group's, even with every other constraint consistent", async function () {
      const triple = { policy: pmPolicy, market: pmMarket, portfolio: example.portfolio };
      const excess = computeMargin(pmPolicy, pmMarket, example.portfolio).concentration[0]
        .excessMicroUsd;
      expect(excess > 0n).to.equal(true);
      // The excess and its 68 bits lowered together: only the cap inequality is left to object.
      // The group's two range checks: the excess's (68 bits) and the cap slack's (88 bits).
      const prefixes = (bit: number): string[] => [
        ...new Set(
          tester
            .signalNames(
              new RegExp(`^main\\.concentration\\.Num2Bits_\\d+_\\d+\\[0\\]\\.out\\[${bit}\\]$`),
            )
            .map((n) => n.split(".out[")[0]),
        ),
      ];
      const slackBits = prefixes(80);
      const excessBits = prefixes(60).filter((prefix) => !slackBits.includes(prefix));
      expect([excessBits.length, slackBits.length]).to.deep.equal([1, 1]);
      const index = await tester.expectTamperAllFails(asInput(await signalsFor(triple)), {
        "main.concentration.excess": (x) => x - 1n,
        ...tester.bitEdits(excessBits[0], excess - 1n),
      });
      expect(
        tester.constraintSignals(index).some((n) => n.startsWith(`${slackBits[0]}.`)),
        "the violated constraint is the cap inequality's",
      ).to.equal(true);
    });

    describe("a portfolio policy needs a round whose joint scenario set is complete", function () {
      // A portfolio policy whose perp add-ons are 0 (the scan carries the perps' risk), at 100 %.
      const scanOnly: Policy = {
        ...pmPolicy,
        id: "small-portfolio-scan",
        bufferMicroUsd: 0n,
        minRatioPpm: 1_000_000n,
        concentration: [],
        perps: policy.perps.map((p) => ({ ...p, tiers: [{ upToUsd: null, ratePpm: 0n }] })),
      };
      // The book: a 3,000 ETH-PERP short (entered at the mark) on 65,000 USDC.
      const bigShort = shortEthPerpOn(65_000n, 3000n);
      const setless: Market = { ...pmMarket, scenarios: null };
      const perps = new Map(pmMarket.scenarios!.perps);
      perps.delete("ETH-PERP");
      const withoutEthPerp: Market = {
        ...pmMarket,
        scenarios: { ...pmMarket.scenarios!, perps },
      };

      it("the model finds the book short on the complete set, and refuses the incomplete rounds", function () {
        const report = computeMargin(scanOnly, pmMarket, bigShort);
        expect(report.sufficient).to.equal(false);
        // the rally scenario: 3,000 x 753.1375 USD against about 65,000 USD of equity
        expect(report.options.requirementMicroUsd).to.equal(2_259_412_500000n);
        expect(() => computeMargin(scanOnly, setless, bigShort)).to.throw(
          'market.json: scenarios: missing: the portfolio-margin policy "small-portfolio-scan" needs the round\'s joint scenario set',
        );
        expect(() => computeMargin(scanOnly, withoutEthPerp, bigShort)).to.throw(
          "market.json: scenarios.perps.ETH-PERP: missing",
        );
      });

      for (const [label, round] of [
        ["a round without a joint scenario set", setless],
        ["a round whose set leaves out ETH-PERP's array", withoutEthPerp],
      ] as const) {
        it(`${label}: no witness, even hand-built with zero losses and the flag set`, async function () {
          const honest = await signalsFor({ policy: scanOnly, market: round, portfolio: bigShort });
          // What the publisher posts for the round: the flag is 0 and the missing losses are 0.
          expect(honest.jointSetPresent).to.equal(0n);
          expect(honest.perpRisk[0]).to.deep.equal([0n, 0n, 0n, 0n]);
          await tester.expectFail(asInput(honest), /JointSetRequired/);
          // Control: a round of its own with the flag set makes a witness whose scan reads the
          // missing losses as 0 (scan risk 0 on a 2.26M USD loss), so only the flag stops it.
          const flagged = await withCommitments({ ...honest, jointSetPresent: 1n });
          const witness = await tester.expectPass(asInput(flagged));
          expect(tester.signal(witness, "main.scan.requirement")).to.equal(0n);
          // The lie: the flag set against the posted round's commitment.
          expect(flagged.marketCommitment).to.not.equal(honest.marketCommitment);
          await tester.expectFail(
            asInput({ ...flagged, marketCommitment: honest.marketCommitment }),
            /MarginProof/,
          );
        });
      }

      it("the same rounds still serve a standard policy, and the complete set a portfolio one", async function () {
        const hedgedStandard = { policy, market: setless, portfolio: example.portfolio };
        const standard = await signalsFor(hedgedStandard);
        expect(standard.jointSetPresent).to.equal(0n);
        expectAgreesWithModel(tester, await tester.expectPass(asInput(standard)), hedgedStandard);
        const incomplete = await signalsFor({ ...hedgedStandard, market: withoutEthPerp });
        expect(incomplete.jointSetPresent).to.equal(0n);
        await tester.expectPass(asInput(incomplete));
        const complete = { policy: scanOnly, market: pmMarket, portfolio: hedged };
        expect(computeMargin(scanOnly, pmMarket, hedged).sufficient).to.equal(true);
        const signals = await signalsFor(complete);
        expect(signals.jointSetPresent).to.equal(1n);
        expectAgreesWithModel(tester, await tester.expectPass(asInput(signals)), complete);
      });
    });

    it("ignores the joint arrays under a standard policy (model v1), but still commits to them", async function () {
      const withSet = await signalsFor({
        ...example,
        market: { ...example.market, scenarios: pmMarket.scenarios },
      });
      const without = await signalsFor(example);
      expect(withSet.marketCommitment).to.not.equal(without.marketCommitment);
      const w1 = await tester.expectPass(asInput(withSet));
      const w2 = await tester.expectPass(asInput(without));
      for (const name of ["main.scan.requirement", "main.book.value"]) {
        expect(tester.signal(w1, name)).to.equal(tester.signal(w2, name));
      }
    });
  });

  describe("an instance without joint scenario arrays (joint: 0) proves standard policies only", function () {
    const classicDims = { ...dims, joint: 0 as const };
    let classic: CircuitTester;
    before(async function () {
      classic = await CircuitTester.custom("small-classic", classicDims);
    });

    it("agrees with the model on a standard policy, with fewer constraints", async function () {
      const signals = await withCommitments(
        encodeCircuitInput({ ...example, salt: SALT, nonce: NONCE, instance: classicDims }),
      );
      const witness = await classic.expectPass({ ...signals });
      expectAgreesWithModel(classic, witness, example);
      expect(classic.r1cs.nConstraints).to.be.below(tester.r1cs.nConstraints);
    });

    it("has no witness with the portfolio bit set, and the encoder refuses a portfolio policy", async function () {
      const portfolioPolicy: Policy = { ...policy, id: "small-pm", margin: "portfolio" };
      expect(() =>
        encodeCircuitInput({
          ...example,
          policy: portfolioPolicy,
          salt: SALT,
          nonce: NONCE,
          instance: classicDims,
        }),
      ).to.throw("needs joint scenario arrays");
      const input = encodeCircuitInput({
        ...example,
        salt: SALT,
        nonce: NONCE,
        instance: classicDims,
      });
      const lying = await withCommitments({ ...input, portfolioMargin: 1n });
      await classic.expectFail({ ...lying }, /MarginProof/);
    });
  });

  describe("tampered witnesses fail the constraint check", function () {
    const plusOne = (x: bigint): bigint => x + 1n;
    const minusOne = (x: bigint): bigint => x - 1n;
    const cases: [string, string | RegExp, (x: bigint) => bigint][] = [
      ["haircut value above its tier line", "main.collateral[1].haircut", plusOne],
      ["asset value above the floor", "main.collateral[1].value", plusOne],
      // One below the floor is allowed (it only lowers the holder's value); two below is not.
      ["asset value two below the floor", "main.collateral[1].value", (x) => x - 2n],
      ["perp requirement below its tier line", "main.perp[0].requirement", minusOne],
      ["perp notional below the ceiling", "main.perp[0].notional", minusOne],
      ["perp PnL above the floor", "main.perp[0].pnl", plusOne],
      ["asset position rescaled", "main.collateral[0].position", plusOne],
      ["scan risk below a scenario's loss", "main.scan.requirement", minusOne],
      ["option value raised", "main.book.value", plusOne],
      ["margin model switched", "main.portfolioMargin", plusOne],
      ["account and nonce past 224 bits", "main.accountNonce", (x) => x + (1n << 224n)],
      ["layout id", "main.layoutId", plusOne],
      ["portfolio commitment", "main.portfolioCommitment[0]", plusOne],
      ["market commitment", "main.marketCommitment", plusOne],
      ["policy commitment", "main.policyCommitment", plusOne],
      ["amount as a field negative", "main.amount[0][0]", (x) => SNARK_SCALAR_FIELD - x],
    ];
    for (const [label, signal, edit] of cases) {
      it(label, async function () {
        const name =
          typeof signal === "string" ? signal : (tester.signalNames(signal)[0] ?? String(signal));
        await tester.expectTamperFails(asInput(valid), name, edit);
      });
    }
  });

  it("agrees with the model on 200 random portfolios @property", async function () {
    let sufficient = 0;
    await fc.assert(
      fc.asyncProperty(tripleArb(dims), saltArb, nonceArb, async (triple, salt, nonce) => {
        const report = computeMargin(triple.policy, triple.market, triple.portfolio);
        const input = asInput(await signalsFor(triple, salt, nonce));
        if (report.sufficient) {
          sufficient++;
          const witness = await tester.witness(input);
          expectAgreesWithModel(tester, witness, triple);
        } else {
          await tester.expectFail(input, /MarginStatement/);
        }
      }),
      { numRuns: 200, seed: 20261125 },
    );
    expect(sufficient, "both verdicts must be exercised").to.be.greaterThan(20);
    expect(sufficient).to.be.lessThan(180);
  });

  it("passes at the boundary and fails one µUSD short on random portfolios @property", async function () {
    await fc.assert(
      fc.asyncProperty(tripleArb(dims), saltArb, async (triple, salt) => {
        const at = atBoundary(triple, 0n);
        const short = atBoundary(triple, 1n);
        fc.pre(at !== null && short !== null);
        const witness = await tester.expectPass(asInput(await signalsFor(at!, salt)));
        expectAgreesWithModel(tester, witness, at!);
        await tester.expectFail(asInput(await signalsFor(short!, salt)), /MarginStatement/);
      }),
      { numRuns: 25, seed: 424242 },
    );
  });
});
