/**
 * Single circom templates in small test mains (compiled under build/circuits/unit-*): division and
 * remainder checks, the decimal scale, packing and the vector hash against the TypeScript side.
 */
import { expect } from "chai";
import fc from "fast-check";
import { vectorHash } from "../prover/src/commitments";
import { packItems } from "../prover/src/encoding";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { ceilDiv, floorDiv } from "../prover/src/model";
import { CircuitTester } from "./helpers/circuit";

const p = SNARK_SCALAR_FIELD;

describe("circuit templates", function () {
  describe("RemainderBelow(8)", function () {
    let t: CircuitTester;
    before(async () => {
      t = await CircuitTester.main("unit-remainder", "lib/arith.circom", "RemainderBelow(8)");
    });
    it("accepts 0 <= rem < den", async () => {
      await t.expectPass({ rem: 6n, den: 7n });
      await t.expectPass({ rem: 0n, den: 1n });
      await t.expectPass({ rem: 255n, den: 256n });
    });
    it("rejects a remainder not below its divisor, a zero divisor and a field negative", async () => {
      await t.expectFail({ rem: 7n, den: 7n }, /RemainderBelow/);
      await t.expectFail({ rem: 8n, den: 7n }, /RemainderBelow/);
      await t.expectFail({ rem: 0n, den: 0n }, /RemainderBelow/);
      await t.expectFail({ rem: p - 1n, den: 7n }, /RemainderBelow/);
    });
  });

  describe("FloorDiv / CeilDiv / SignedFloorDiv (8, 8)", function () {
    let floor: CircuitTester;
    let ceil: CircuitTester;
    let signed: CircuitTester;
    before(async () => {
      floor = await CircuitTester.main("unit-floordiv", "lib/arith.circom", "FloorDiv(8, 8)");
      ceil = await CircuitTester.main("unit-ceildiv", "lib/arith.circom", "CeilDiv(8, 8)");
      signed = await CircuitTester.main(
        "unit-signedfloordiv",
        "lib/arith.circom",
        "SignedFloorDiv(8, 8)",
      );
    });
    it("equal the model's floorDiv / ceilDiv @property", async () => {
      await fc.assert(
        fc.asyncProperty(
          // Quotients of every sign and size that fit 8 bits (255 * den; 256 * den - 1 if negative).
          fc
            .bigInt({ min: 1n, max: 255n })
            .chain((den) => fc.tuple(fc.bigInt({ min: 0n, max: 255n * den }), fc.constant(den))),
          fc.boolean(),
          async ([num, den], negative) => {
            const w1 = await floor.expectPass({ num, den });
            expect(floor.signal(w1, "main.quot")).to.equal(floorDiv(num, den));
            expect(floor.signal(w1, "main.rem")).to.equal(num - floorDiv(num, den) * den);
            const w2 = await ceil.expectPass({ num, den });
            expect(ceil.signal(w2, "main.quot")).to.equal(ceilDiv(num, den));
            const n = negative ? -num : num;
            const w3 = await signed.expectPass({ num: (n + p) % p, den });
            expect(signed.signal(w3, "main.quot")).to.equal(floorDiv(n, den));
          },
        ),
        { numRuns: 40, seed: 7 },
      );
    });
    it("has no witness when the quotient does not fit its width", async () => {
      await floor.expectFail({ num: 256n * 3n, den: 3n }, /FloorDiv/);
      await ceil.expectFail({ num: 255n * 3n + 1n, den: 3n }, /CeilDiv/);
      await signed.expectFail({ num: p - 257n * 3n, den: 3n }, /SignedFloorDiv/);
      await floor.expectPass({ num: 255n * 3n + 2n, den: 3n });
    });
    it("a remainder at the divisor fails the constraint check", async () => {
      // 20 = 2*7 + 6; the tampered remainder breaks `quot*den + rem == num` or `rem < den`.
      await floor.expectTamperFails({ num: 20n, den: 7n }, "main.rem", (r) => r + 7n);
    });
    it("a remainder not below the divisor fails even when every other constraint holds", async () => {
      // 20 = 1*7 + 13 satisfies quot*den + rem == num, and quot = 1 and rem = 13 get valid bit
      // decompositions below: only RemainderBelow's decomposition of den - 1 - rem (= -7, which
      // has none) is left to reject the lie, and the violated constraint is that one.
      const groups = [
        ...new Set(floor.signalNames(/\.out\[\d+\]$/).map((n) => n.split(".out[")[0])),
      ];
      const line = (prefix: string) => Number(/Num2Bits_(\d+)_\d+$/.exec(prefix)?.[1]);
      const quotBits = groups.find((g) => /^main\.Num2Bits_/.test(g));
      const [remBits, slackBits] = groups
        .filter((g) => g.startsWith("main.RemainderBelow_"))
        .sort((x, y) => line(x) - line(y));
      expect([quotBits, remBits, slackBits].every((g) => g !== undefined)).to.equal(true);
      const index = await floor.expectTamperAllFails(
        { num: 20n, den: 7n },
        {
          "main.quot": () => 1n,
          "main.rem": () => 13n,
          ...floor.bitEdits(quotBits!, 1n),
          ...floor.bitEdits(remBits, 13n),
        },
      );
      expect(floor.constraintSignals(index).some((n) => n.startsWith(`${slackBits}.`))).to.equal(
        true,
      );
    });
  });

  describe("DecimalScale()", function () {
    let t: CircuitTester;
    before(async () => {
      t = await CircuitTester.main("unit-decimalscale", "lib/arith.circom", "DecimalScale()");
    });
    const bitsOf = (d: number): bigint[] => [0, 1, 2, 3, 4].map((i) => BigInt((d >> i) & 1));
    it("gives 10^(decimals + 2) for decimals 0..18", async () => {
      for (let d = 0; d <= 18; d++) {
        const w = await t.expectPass({ bits: bitsOf(d) });
        expect(t.signal(w, "main.scale"), `decimals ${d}`).to.equal(10n ** BigInt(d + 2));
      }
    });
    it("refuses decimals 19..31", async () => {
      for (let d = 19; d <= 31; d++) await t.expectFail({ bits: bitsOf(d) }, /DecimalScale/);
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
      // "zkmargin/market/v1" as a big-endian integer, 17 elements: two chunks, the last padded.
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
      expect((out + p) % p).to.equal(await vectorHash("zkmargin/market/v2", elements));
    });
  });
});
