/**
 * MarginProof (demo instance: 3 tiers, 2 concentration groups) refuses the two malformed policy
 * shapes on which it and the reference model would disagree, even when governance registers the
 * malformed policy's commitment: tier bounds that fall (the prover could pick the tier with the
 * larger line) and an asset in two concentration groups (the haircut's rounding slack would gain
 * the holder equity). The tooling refuses both; these tests show the circuit does too. Equal
 * neighbouring bounds are harmless and still prove.
 */
import { expect } from "chai";
import * as path from "node:path";
import { withCommitments } from "../prover/src/commitments";
import {
  encodeCircuitInput,
  loadInstances,
  packItems,
  policyItems,
  type CircuitInput,
} from "../prover/src/encoding";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import {
  loadMarket,
  loadPolicy,
  loadPortfolio,
  type HaircutTier,
  type Policy,
  type Portfolio,
} from "../prover/src/inputs";
import { computeMargin } from "../prover/src/model";
import { vectorHash } from "../prover/src/commitments/vector-hash";
import { POLICY_TAG } from "../prover/src/commitments/commit";
import { atBoundary, type Triple } from "./helpers/arbitraries";
import { CircuitTester } from "./helpers/circuit";

const dims = loadInstances().demo;
const examples = path.resolve(__dirname, "../examples/small");
const policy = loadPolicy(path.join(examples, "policy.json"));
const market = loadMarket(path.join(examples, "market.json"));
const example = loadPortfolio(path.join(examples, "portfolio.json"), policy);
const SALT = 987654321n;
const NONCE = 3n;
const p = SNARK_SCALAR_FIELD;

/** The witness input of a triple on the demo instance (the encoder refuses malformed policies). */
function encode(triple: Triple): CircuitInput {
  return encodeCircuitInput({ ...triple, salt: SALT, nonce: NONCE, instance: dims });
}

/**
 * The policy commitment of `input` as governance would compute it for bounds that need not rise:
 * the packing is linear in each item, so the rise `upTo[1] - upTo[0]` of asset `i` enters its
 * element as a field element (negative when the bound falls), like the circuit's packer sums it.
 */
async function registeredPolicyCommitment(input: CircuitInput, i: number): Promise<bigint> {
  const [first, second] = input.assetUpTo[i];
  const packedWithRise = (rise: bigint): bigint[] => {
    const assetUpTo = input.assetUpTo.map((row, k) => (k === i ? [first, first + rise] : row));
    return packItems(policyItems({ ...input, assetUpTo }, dims));
  };
  const [zero, one] = [packedWithRise(0n), packedWithRise(1n)];
  const rise = second - first;
  const elements = zero.map((e, k) => (((e + rise * (one[k] - e)) % p) + p) % p);
  return vectorHash(POLICY_TAG, [input.layoutId, ...elements]);
}

describe("circuit: malformed policies have no witness (demo instance)", function () {
  let tester: CircuitTester;

  before(async function () {
    tester = await CircuitTester.instance("demo");
  });

  describe("tier bounds that fall", function () {
    /** WETH's tiers: 0.9 up to `first` USD, 0.5 up to `second`, 0.5 above. */
    const wethTiers = (first: bigint, second: bigint): HaircutTier[] => [
      { upToUsd: first, weightPpm: 900_000n },
      { upToUsd: second, weightPpm: 500_000n },
      { upToUsd: null, weightPpm: 500_000n },
    ];
    const withWeth = (first: bigint, second: bigint, id: string): Policy => ({
      ...policy,
      id,
      minRatioPpm: 1_000_000n,
      bufferMicroUsd: 5_000_000_000000n, // a 5M USD requirement
      assets: policy.assets.map((a) =>
        a.symbol === "WETH" ? { ...a, tiers: wethTiers(first, second) } : a,
      ),
    });
    // 1,400 WETH (4,217,570 USD) and nothing else.
    const book: Portfolio = {
      account: example.account,
      collateral: new Map([["WETH", 1400n * 10n ** 18n]]),
      perps: new Map(),
      options: new Map(),
    };

    it("the issue's attack: a bound that falls lets two tiers hold the value, and the circuit refuses the policy", async function () {
      const falling = withWeth(10_000_000n, 1_000_000n, "falling");
      // The model: 0.9 x 4,217,570 = 3,795,813 USD of haircut value, short of 5M. The larger
      // line on the overlap [1M, 10M], 0.5 x + 0.4 x 10M = 6,108,785 USD, would cover it (see
      // circuit-templates.test.ts, TierLineAt; in the issue, 7.03M against the model's 3.77M).
      const report = computeMargin(falling, market, book);
      expect(report.assets[1].haircutValueMicroUsd).to.equal(3_795_813_000000n);
      expect(report.sufficient).to.equal(false);
      expect(() => encode({ policy: falling, market, portfolio: book })).to.throw(
        "assets.WETH.tiers[1].upTo: upTo must be strictly increasing (got 1000000 after 10000000)",
      );
      // What governance would register for it: its well-formed twin's signals with the bounds
      // swapped, and the policy commitment over those bounds.
      const twinPolicy = withWeth(1_000_000n, 10_000_000n, "falling");
      const twin = await withCommitments(encode({ policy: twinPolicy, market, portfolio: book }));
      expect(await registeredPolicyCommitment(twin, 1)).to.equal(twin.policyCommitment);
      const assetUpTo = twin.assetUpTo.map((row, i) => (i === 1 ? [10_000_000n, 1_000_000n] : row));
      const signals = {
        ...twin,
        assetUpTo,
        policyCommitment: await registeredPolicyCommitment({ ...twin, assetUpTo }, 1),
      };
      // The bound's rise, 1M - 10M, is a field negative: the packer's 32-bit check refuses it.
      await tester.expectFail({ ...signals }, /PackItems/);
    });

    it("equal neighbouring bounds are harmless: the witness exists and agrees with the model", async function () {
      const twin = { ...withWeth(5_000_000n, 6_000_000n, "equal"), bufferMicroUsd: 0n };
      const equal = { ...withWeth(5_000_000n, 5_000_000n, "equal"), bufferMicroUsd: 0n };
      for (const whole of [1000n, 2000n]) {
        // 3.0M USD (below the bound) and 6.0M USD (above it)
        const portfolio = { ...book, collateral: new Map([["WETH", whole * 10n ** 18n]]) };
        const input = encode({ policy: twin, market, portfolio });
        const signals = await withCommitments({
          ...input,
          assetUpTo: input.assetUpTo.map((row, i) => (i === 1 ? [5_000_000n, 5_000_000n] : row)),
        });
        const witness = await tester.expectPass({ ...signals });
        const report = computeMargin(equal, market, portfolio);
        expect(tester.signal(witness, "main.collateral[1].haircut")).to.equal(
          report.assets[1].haircutValueMicroUsd,
        );
      }
    });
  });

  describe("an asset in two concentration groups", function () {
    const groups = (second: string): Policy["concentration"] => [
      { assets: ["WETH", "WBTC"], maxSharePpm: 400_000n },
      { assets: [second], maxSharePpm: 200_000n },
    ];
    // WETH in both groups; both caps bind on the example portfolio.
    const overlap: Policy = { ...policy, id: "overlap", concentration: groups("WETH") };
    const twin: Policy = { ...policy, id: "overlap", concentration: groups("USDC") };

    /**
     * The signals of the overlap policy `triple.policy` with the commitment governance would
     * register for it: its twin's (USDC in group 1), with USDC's and WETH's group bits changed.
     */
    async function overlapSignals(triple: Triple): Promise<CircuitInput> {
      const input = encode({
        ...triple,
        policy: { ...triple.policy, concentration: groups("USDC") },
      });
      const assetGroup = input.assetGroup.map((row, i) =>
        i === 0 ? [0n, 0n] : i === 1 ? [1n, 1n] : row,
      );
      return withCommitments({ ...input, assetGroup });
    }

    it("the issue's attack: the policy's commitment makes no witness, at the requirement or one µUSD short", async function () {
      const report = computeMargin(overlap, market, example);
      expect(report.concentration.map((g) => g.excessMicroUsd > 0n)).to.deep.equal([true, true]);
      expect(() => encode({ policy: overlap, market, portfolio: example })).to.throw(
        '"WETH" is already in concentration[0]',
      );
      const at = atBoundary({ policy: overlap, market, portfolio: example }, 0n);
      const short = atBoundary({ policy: overlap, market, portfolio: example }, 1n);
      if (!at || !short) throw new Error("the example cannot be moved to the boundary");
      // One µUSD short is what WETH's haircut one below its floor would have made up: H - 1
      // lowers both groups' excess by 1 (circuit-templates.test.ts, Concentration).
      for (const triple of [at, short]) {
        const signals = await overlapSignals(triple);
        expect(signals.assetGroup[1]).to.deep.equal([1n, 1n]);
        await tester.expectFail({ ...signals }, /Concentration/);
      }
      // Control: the twin (WETH in one group) at its own requirement proves.
      const twinAt = atBoundary({ policy: twin, market, portfolio: example }, 0n);
      if (!twinAt) throw new Error("the twin cannot be moved to the boundary");
      await tester.expectPass({ ...(await withCommitments(encode(twinAt))) });
    });
  });
});
