/**
 * Single circom templates in small test mains (compiled under build/circuits/unit-*): the decimal
 * normalizer, the one-sided divisions, the tier line, concentration limits, packing and the
 * vector hash against the TypeScript side.
 */
import { expect } from "chai";
import fc from "fast-check";
import { vectorHash } from "../prover/src/commitments";
import { packItems } from "../prover/src/encoding";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { ceilDiv, floorDiv } from "../prover/src/model";
import { bracketSum } from "../prover/src/model/brackets";
import { CircuitTester } from "./helpers/circuit";

const p = SNARK_SCALAR_FIELD;

describe("circuit templates", function () {
  const D = 10n ** 24n;
  /** A field element standing for the signed integer x. */
  const field = (x: bigint): bigint => ((x % p) + p) % p;

  describe("DecimalNormalizer()", function () {
    let t: CircuitTester;
    before(async () => {
      t = await CircuitTester.main("unit-normalizer", "lib/arith.circom", "DecimalNormalizer()");
    });
    const bitsOf = (d: number): bigint[] => [0, 1, 2, 3, 4].map((i) => BigInt((d >> i) & 1));
    it("gives 10^(18 - decimals) for decimals 0..18", async () => {
      for (let d = 0; d <= 18; d++) {
        const w = await t.expectPass({ bits: bitsOf(d) });
        expect(t.signal(w, "main.factor"), `decimals ${d}`).to.equal(10n ** BigInt(18 - d));
      }
    });
    it("refuses decimals 19..31", async () => {
      for (let d = 19; d <= 31; d++) await t.expectFail({ bits: bitsOf(d) }, /DecimalNormalizer/);
    });
  });

  describe("DivideDown / DivideUp (by 10^24) and FloorPpm / CeilPpm", function () {
    let down: CircuitTester;
    let up: CircuitTester;
    let floorPpm: CircuitTester;
    let ceilPpm: CircuitTester;
    before(async () => {
      down = await CircuitTester.main("unit-dividedown", "lib/arith.circom", "DivideDown()");
      up = await CircuitTester.main("unit-divideup", "lib/arith.circom", "DivideUp()");
      floorPpm = await CircuitTester.main("unit-floorppm", "lib/arith.circom", "FloorPpm()");
      ceilPpm = await CircuitTester.main("unit-ceilppm", "lib/arith.circom", "CeilPpm()");
    });
    it("give the model's floor and ceiling in honest witnesses @property", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: -(1n << 236n), max: 1n << 236n }),
          fc.bigInt({ min: 0n, max: ((1n << 60n) - 1n) * 1_000_000n }),
          async (num, small) => {
            const w1 = await down.expectPass({ num: field(num) });
            expect(down.signal(w1, "main.out")).to.equal(floorDiv(num, D));
            const n = num < 0n ? -num : num;
            const w2 = await up.expectPass({ num: n });
            expect(up.signal(w2, "main.out")).to.equal(ceilDiv(n, D));
            const w3 = await floorPpm.expectPass({ num: small });
            expect(floorPpm.signal(w3, "main.out")).to.equal(small / 1_000_000n);
            const w4 = await ceilPpm.expectPass({ num: small });
            expect(ceilPpm.signal(w4, "main.out")).to.equal(ceilDiv(small, 1_000_000n));
          },
        ),
        { numRuns: 30, seed: 7 },
      );
    });
    it("allow only the rounding that hurts the holder: one less for a floor, one more for a ceiling", async () => {
      const num = 7n * D + 3n;
      // floor 7: 6 is allowed (a smaller value), 8 and 5 are not.
      await down.expectTamperFails({ num }, "main.out", (q) => q + 1n);
      await down.expectTamperFails({ num }, "main.out", (q) => q - 2n);
      // ceil 8: 9 is allowed (a larger notional), 7 and 10 are not.
      await up.expectTamperFails({ num }, "main.out", (q) => q - 1n);
      await up.expectTamperFails({ num }, "main.out", (q) => q + 2n);
      await floorPpm.expectTamperFails({ num: 5_000_001n }, "main.out", (q) => q + 1n);
      await ceilPpm.expectTamperFails({ num: 5_000_001n }, "main.out", (q) => q - 1n);
    });
    it("refuse a quotient past 2^60 for FloorPpm / CeilPpm (no witness)", async () => {
      await floorPpm.expectFail({ num: (1n << 60n) * 1_000_000n }, /FloorPpm/);
      await ceilPpm.expectFail({ num: (1n << 60n) * 1_000_000n }, /CeilPpm/);
      await floorPpm.expectPass({ num: ((1n << 60n) - 1n) * 1_000_000n });
    });
  });

  describe("TierLine(3) and TierLineAt(3)", function () {
    let t: CircuitTester;
    let at: CircuitTester;
    before(async () => {
      t = await CircuitTester.main("unit-tierline", "tiers.circom", "TierLine(3)");
      at = await CircuitTester.main("unit-tierlineat", "tiers.circom", "TierLineAt(3)");
    });
    /** Three tiers with bounds u1 < u2 (whole USD), the last open. */
    const tiersArb = fc
      .tuple(
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 3, maxLength: 3 }),
      )
      .map(([a, b, slopes]) => ({ bounds: [a, a + b], slopes }));
    it("is the bracket sum of x, whatever the slopes' order @property", async () => {
      await fc.assert(
        fc.asyncProperty(
          tiersArb,
          fc.bigInt({ min: 0n, max: 3_000_000n * 1_000_000n }),
          async ({ bounds, slopes }, x) => {
            const w = await t.expectPass({
              x,
              slope: slopes,
              upTo: bounds,
            });
            const expected = bracketSum(x, [
              { upToUsd: bounds[0], ppm: slopes[0] },
              { upToUsd: bounds[1], ppm: slopes[1] },
              { upToUsd: null, ppm: slopes[2] },
            ]);
            expect(t.signal(w, "main.line")).to.equal(expected);
          },
        ),
        { numRuns: 30, seed: 19 },
      );
    });
    it("refuses a pick of another tier than x's (its line would pay more), and x past 2^60", async () => {
      const base = {
        slope: [900_000n, 800_000n, 700_000n],
        upTo: [1_000_000n, 2_000_000n],
      };
      const x = 5_000_000n * 1_000_000n; // in the last tier, whose line is the lowest
      const w = await at.expectPass({ ...base, x, pick: [0n, 0n, 1n] });
      expect(at.signal(w, "main.line")).to.equal(
        bracketSum(x, [
          { upToUsd: 1_000_000n, ppm: 900_000n },
          { upToUsd: 2_000_000n, ppm: 800_000n },
          { upToUsd: null, ppm: 700_000n },
        ]),
      );
      await at.expectFail({ ...base, x, pick: [1n, 0n, 0n] }, /TierLineAt/);
      await at.expectFail({ ...base, x, pick: [0n, 1n, 0n] }, /TierLineAt/);
      await at.expectFail({ ...base, x, pick: [0n, 0n, 0n] }, /TierLineAt/);
      await at.expectFail({ ...base, x, pick: [1n, 0n, 1n] }, /TierLineAt/);
      await t.expectFail({ ...base, x: (1n << 60n) + 1n }, /TierLineAt/);
      await t.expectPass({ ...base, x: 1n << 60n });
    });
    it("trusts its bounds to rise: with a falling bound the larger line of two tiers passes (MarginProof commits rises)", async () => {
      // WETH at 4,217,570 USD with tiers 0.9 up to 10M, 0.5 "up to 1M", 0.5 above: x lies in
      // tier 1 and in tier 3. Tier 1 gives the model's bracket sum; tier 3 pays 2.31M USD more.
      const input = {
        slope: [900_000n, 500_000n, 500_000n],
        upTo: [10_000_000n, 1_000_000n],
        x: 4_217_570n * 1_000_000n,
      };
      const honest = await at.expectPass({ ...input, pick: [1n, 0n, 0n] });
      const model = bracketSum(input.x, [
        { upToUsd: 10_000_000n, ppm: 900_000n },
        { upToUsd: 1_000_000n, ppm: 500_000n },
        { upToUsd: null, ppm: 500_000n },
      ]);
      expect(at.signal(honest, "main.line")).to.equal(model);
      const larger = await at.expectPass({ ...input, pick: [0n, 0n, 1n] });
      expect(at.signal(larger, "main.line") - model).to.equal(2_312_972n * 10n ** 12n);
      await at.expectFail({ ...input, pick: [0n, 1n, 0n] }, /TierLineAt/); // the empty tier
    });
    it("equal neighbouring bounds are harmless: every tier that holds x gives the bracket sum", async () => {
      const slope = [900_000n, 600_000n, 500_000n];
      const u = 2_000_000n;
      const brackets = [
        { upToUsd: u, ppm: slope[0] },
        { upToUsd: u, ppm: slope[1] },
        { upToUsd: null, ppm: slope[2] },
      ];
      const x = u * 1_000_000n; // on the bound: all three tiers hold it
      for (const pick of [
        [1n, 0n, 0n],
        [0n, 1n, 0n],
        [0n, 0n, 1n],
      ]) {
        const w = await at.expectPass({ x, slope, upTo: [u, u], pick });
        expect(at.signal(w, "main.line")).to.equal(bracketSum(x, brackets));
      }
      for (const beside of [x - 1n, x + 1n]) {
        const w = await t.expectPass({ x: beside, slope, upTo: [u, u] });
        expect(t.signal(w, "main.line")).to.equal(bracketSum(beside, brackets));
      }
      await at.expectFail({ x: x + 1n, slope, upTo: [u, u], pick: [0n, 1n, 0n] }, /TierLineAt/);
    });
    it("reads an open or padded bound 2^32 - 1 as the last tier's region", async () => {
      const open = (1n << 32n) - 1n;
      // Two real tiers padded to three: the padded tier repeats the last slope.
      const input = { slope: [900_000n, 800_000n, 800_000n], upTo: [1_000_000n, open] };
      for (const x of [0n, 999_999n * 1_000_000n, 7_000_000n * 1_000_000n, 1n << 60n]) {
        const w = await t.expectPass({ ...input, x });
        expect(t.signal(w, "main.line")).to.equal(
          bracketSum(x, [
            { upToUsd: 1_000_000n, ppm: 900_000n },
            { upToUsd: null, ppm: 800_000n },
          ]),
        );
      }
    });
  });

  describe("Concentration(3, 2)", function () {
    let t: CircuitTester;
    before(async () => {
      t = await CircuitTester.main(
        "unit-concentration",
        "concentration.circom",
        "Concentration(3, 2)",
      );
    });
    /** The model's excess: max(0, S_g - floor(share * T / 1e6)), summed over groups. */
    function excessOf(haircut: bigint[], member: bigint[][], share: bigint[]): bigint {
      const total = haircut.reduce((a, b) => a + b, 0n);
      return share.reduce((sum, s, g) => {
        const group = haircut.reduce((a, h, i) => a + member[i][g] * h, 0n);
        const cap = (s * total) / 1_000_000n;
        return sum + (group > cap ? group - cap : 0n);
      }, 0n);
    }
    it("takes off exactly the excess over each group's cap @property", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.bigInt({ min: 0n, max: 1n << 50n }), { minLength: 3, maxLength: 3 }),
          fc.array(fc.constantFrom(0, 1, 2), { minLength: 3, maxLength: 3 }),
          fc.array(fc.bigInt({ min: 0n, max: 1_000_000n }), { minLength: 2, maxLength: 2 }),
          async (haircut, groupOf, share) => {
            // Each asset in at most one group (2 = none).
            const member = groupOf.map((g) => [g === 0 ? 1n : 0n, g === 1 ? 1n : 0n]);
            const w = await t.expectPass({ haircut, member, maxShare: share });
            expect(t.signal(w, "main.excess")).to.equal(excessOf(haircut, member, share));
          },
        ),
        { numRuns: 30, seed: 23 },
      );
    });
    it("refuses an excess below the model's (a larger one only hurts the holder)", async () => {
      const input = {
        haircut: [600n, 300n, 100n],
        member: [
          [1n, 0n],
          [0n, 1n],
          [0n, 0n],
        ],
        maxShare: [400_000n, 1_000_000n],
      };
      const w = await t.expectPass(input);
      expect(t.signal(w, "main.excess")).to.equal(200n); // 600 - floor(0.4 * 1000)
      await t.expectTamperFails(input, "main.groupExcess[0]", (x) => x - 1n);
    });
    it("refuses an asset in two groups: the overlap that let H one below its floor gain 1 µUSD", async () => {
      // Asset 0 in both groups, both caps binding: floor(0.4 T) and floor(0.3 T) stay 400 and
      // 300 for T = 1002 and 1001, so lowering H_0 by 1 (the rounding slack FloorPpm allows)
      // lowers both groups' excess by 1 and raises H - excess by 1.
      const member = [
        [1n, 1n],
        [1n, 0n],
        [0n, 0n],
      ];
      const maxShare = [400_000n, 300_000n];
      const floor = [602n, 300n, 100n];
      const slack = [601n, 300n, 100n];
      const net = (h: bigint[], m: bigint[][]): bigint =>
        h.reduce((a, b) => a + b, 0n) - excessOf(h, m, maxShare);
      expect(net(slack, member) - net(floor, member)).to.equal(1n); // the gain the model lacks
      for (const haircut of [floor, slack]) {
        await t.expectFail({ haircut, member, maxShare }, /Concentration/);
      }
      // One group per asset: the slack never helps the holder.
      const single = [
        [1n, 0n],
        [1n, 0n],
        [0n, 1n],
      ];
      for (const haircut of [floor, slack])
        await t.expectPass({ haircut, member: single, maxShare });
      expect(net(slack, single) - net(floor, single)).to.equal(0n);
    });
  });

  describe("NetSigned(3, 48): the net of three signed pieces as sign and magnitude", function () {
    let net: CircuitTester;
    before(async () => {
      net = await CircuitTester.main("unit-netsigned", "pledges.circom", "NetSigned(3, 48)");
    });
    const top = (1n << 48n) - 1n;
    const pieceArb = fc.tuple(
      fc.boolean(),
      fc.oneof(fc.bigInt({ min: 0n, max: top }), fc.constantFrom(0n, top)),
    );

    it("gives |s| and its sign for any pieces below 2^48 @property", async () => {
      await fc.assert(
        fc.asyncProperty(fc.tuple(pieceArb, pieceArb, pieceArb), async (pieces) => {
          const neg = pieces.map(([n]) => (n ? 1n : 0n));
          const abs = pieces.map(([, a]) => a);
          const s = abs.reduce((sum, a, k) => sum + (neg[k] === 1n ? -a : a), 0n);
          const w = await net.expectPass({ neg, abs });
          expect(net.signal(w, "main.netAbs")).to.equal(s < 0n ? -s : s);
          if (s !== 0n) expect(net.signal(w, "main.netNeg")).to.equal(s < 0n ? 1n : 0n);
          abs.forEach((a, k) =>
            expect(net.signal(w, `main.signedPart[${k}]`)).to.equal(neg[k] === 1n ? -a : a),
          );
        }),
        { numRuns: 40, seed: 19 },
      );
      // the widest net, 3 x (2^48 - 1), fits its 48 + 2 bits
      const w = await net.expectPass({ neg: [0n, 0n, 0n], abs: [top, top, top] });
      expect(net.signal(w, "main.netAbs")).to.equal(3n * top);
    });

    it("refuses a net short called long: only the magnitude's range check objects", async () => {
      // -5 + 2 - 1 = -4. The lie: sign 0 and magnitude s itself (p - 4), its bits the low 50 of it.
      const input = { neg: [1n, 0n, 1n], abs: [5n, 2n, 1n] };
      const w = await net.expectPass(input);
      expect([net.signal(w, "main.netNeg"), net.signal(w, "main.netAbs")]).to.deep.equal([1n, 4n]);
      const lie = p - 4n;
      const [bits] = [
        ...new Set(
          net.signalNames(/^main\.Num2Bits_\d+_\d+\.out\[0\]$/).map((n) => n.split(".out[")[0]),
        ),
      ];
      const index = await net.expectTamperAllFails(input, {
        "main.netNeg": () => 0n,
        "main.netAbs": () => lie,
        ...net.bitEdits(bits, lie & ((1n << 50n) - 1n)),
      });
      expect(
        net.constraintSignals(index).some((n) => n.startsWith(`${bits}.`)),
        "the violated constraint is the range check's",
      ).to.equal(true);
    });
  });

  describe("PledgeSlots(3)", function () {
    let slots: CircuitTester;
    before(async () => {
      slots = await CircuitTester.main("unit-pledgeslots", "pledges.circom", "PledgeSlots(3)");
    });
    const hash = [11n, 22n, 33n];

    it("accepts used slots as a prefix with their hashes, and unused slots empty at 0", async () => {
      await slots.expectPass({ commitment: [11n, 22n, 33n], hash, total: [5n, 0n, 7n] });
      await slots.expectPass({ commitment: [11n, 22n, 0n], hash, total: [0n, 1n, 0n] });
      await slots.expectPass({ commitment: [11n, 0n, 0n], hash, total: [5n, 0n, 0n] });
    });

    it("refuses a wrong hash, holdings behind a 0, a gap and an unused first slot", async () => {
      await slots.expectFail({ commitment: [12n, 22n, 0n], hash, total: [0n, 0n, 0n] });
      await slots.expectFail({ commitment: [11n, 23n, 0n], hash, total: [0n, 0n, 0n] });
      await slots.expectFail({ commitment: [11n, 22n, 0n], hash, total: [0n, 0n, 1n] });
      await slots.expectFail({ commitment: [11n, 0n, 33n], hash, total: [0n, 0n, 0n] });
      await slots.expectFail({ commitment: [0n, 0n, 0n], hash, total: [0n, 0n, 0n] });
    });
  });

  describe("PackItems and VectorHash vs the TypeScript encoder", function () {
    const widths = [96, 1, 64, 200, 5, 248, 63];
    let pack: CircuitTester;
    let hash: CircuitTester;
    before(async () => {
      pack = await CircuitTester.main(
        "unit-pack",
        "lib/pack.circom",
        `PackItems(${widths.length}, [${widths.join(", ")}])`,
      );
      // "zkmargin/market/v3" as a big-endian integer, 17 elements: two chunks, the last padded.
      hash = await CircuitTester.main(
        "unit-vectorhash",
        "commitments.circom",
        "VectorHash(MARKET_TAG(), 17)",
      );
    });
    it("packs exactly like packItems @property", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(...widths.map((w) => fc.bigInt({ min: 0n, max: (1n << BigInt(w)) - 1n }))),
          async (values) => {
            const w = await pack.expectPass({ in: values });
            const expected = packItems(values.map((value, i) => ({ value, bits: widths[i] })));
            expected.forEach((e, k) =>
              expect(
                pack.signal(w, `main.out[${k}]`) === e ||
                  pack.signal(w, `main.out[${k}]`) === e - p,
              ).to.equal(true),
            );
          },
        ),
        { numRuns: 20, seed: 11 },
      );
    });
    it("range-checks every item to its width", async () => {
      const fitting = widths.map((w) => (1n << BigInt(w)) - 1n);
      await pack.expectPass({ in: fitting });
      for (let i = 0; i < widths.length; i++) {
        const over = [...fitting];
        over[i] = 1n << BigInt(widths[i]);
        await pack.expectFail({ in: over }, /Num2Bits/);
      }
    });
    it("hashes exactly like vectorHash", async () => {
      const elements = Array.from({ length: 17 }, (_, i) => (BigInt(i) * 0x1234567890abcdefn) % p);
      const w = await hash.expectPass({ in: elements });
      const out = hash.signal(w, "main.out");
      expect((out + p) % p).to.equal(await vectorHash("zkmargin/market/v3", elements));
    });
  });
});
