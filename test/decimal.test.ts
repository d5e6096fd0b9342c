import { expect } from "chai";
import fc from "fast-check";
import { formatUnits, parseDecimal, tryParseDecimal } from "../prover/src/decimal";
import { InputError } from "../prover/src/errors";

const ctx = { file: "f.json", path: "a.b" };

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    const e = error as InputError;
    expect(e.file).to.equal("f.json");
    expect(e.path).to.equal("a.b");
    expect(e.message).to.equal(`f.json: a.b: ${e.rule}`);
    return e.rule;
  }
  throw new Error("expected an InputError");
}

describe("decimal", () => {
  describe("parseDecimal", () => {
    const good: [string, number, bigint][] = [
      ["3012.55", 8, 301255000000n],
      ["0", 0, 0n],
      ["0", 18, 0n],
      ["1", 6, 1000000n],
      ["0.000001", 6, 1n],
      ["1.0", 1, 10n],
      ["123456789012345678901234567890", 0, 123456789012345678901234567890n],
      ["0.123456789012345678", 18, 123456789012345678n],
      ["10", 2, 1000n],
    ];
    for (const [text, decimals, expected] of good) {
      it(`parses "${text}" with ${decimals} decimals exactly`, () => {
        expect(parseDecimal(text, decimals, ctx)).to.equal(expected);
      });
    }

    it("parses negatives only when signed", () => {
      expect(parseDecimal("-120.5", 6, ctx, { signed: true })).to.equal(-120500000n);
      expect(parseDecimal("-0", 2, ctx, { signed: true })).to.equal(0n);
      expect(ruleOf(() => parseDecimal("-1", 6, ctx))).to.equal("must not be negative");
    });

    const bad: [unknown, number, string][] = [
      [3012.55, 8, "must be a decimal string, not a JSON number"],
      [1, 8, "must be a decimal string, not a JSON number"],
      [null, 8, "must be a decimal string"],
      [true, 8, "must be a decimal string"],
      [["1"], 8, "must be a decimal string"],
      ["+1", 8, "leading '+' is not allowed"],
      ["1e3", 8, "exponent notation is not allowed"],
      ["1E-3", 8, "exponent notation is not allowed"],
      ["1.001", 2, "at most 2 decimal places"],
      ["1.5", 0, "at most 0 decimal places"],
      ["1.10", 1, "at most 1 decimal places"],
      ["", 8, 'must be a plain decimal such as "12.50"'],
      [".5", 8, 'must be a plain decimal such as "12.50"'],
      ["5.", 8, 'must be a plain decimal such as "12.50"'],
      ["01", 8, 'must be a plain decimal such as "12.50"'],
      [" 1", 8, 'must be a plain decimal such as "12.50"'],
      ["1 ", 8, 'must be a plain decimal such as "12.50"'],
      ["1,5", 8, 'must be a plain decimal such as "12.50"'],
      ["0x10", 8, 'must be a plain decimal such as "12.50"'],
      ["Infinity", 8, 'must be a plain decimal such as "12.50"'],
      ["NaN", 8, 'must be a plain decimal such as "12.50"'],
      ["--1", 8, 'must be a plain decimal such as "12.50"'],
      ["1_000", 8, 'must be a plain decimal such as "12.50"'],
      ["١", 8, 'must be a plain decimal such as "12.50"'],
    ];
    for (const [value, decimals, rule] of bad) {
      it(`refuses ${JSON.stringify(value)} (${rule})`, () => {
        expect(ruleOf(() => parseDecimal(value, decimals, ctx, { signed: true }))).to.equal(rule);
      });
    }

    it("refuses a bad decimals argument as a programming error", () => {
      expect(() => tryParseDecimal("1", -1)).to.throw(RangeError);
      expect(() => tryParseDecimal("1", 1.5)).to.throw(RangeError);
    });
  });

  describe("formatUnits", () => {
    const cases: [bigint, number, string][] = [
      [301255000000n, 8, "3012.55"],
      [0n, 6, "0"],
      [1n, 6, "0.000001"],
      [-1n, 6, "-0.000001"],
      [-1500000n, 6, "-1.5"],
      [1000000n, 6, "1"],
      [42n, 0, "42"],
      [123456789n, 3, "123456.789"],
    ];
    for (const [value, decimals, text] of cases) {
      it(`formats ${value} with ${decimals} decimals as "${text}"`, () => {
        expect(formatUnits(value, decimals)).to.equal(text);
      });
    }

    it("round-trips with parseDecimal @property", () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }),
          fc.integer({ min: 0, max: 30 }),
          (value, decimals) => {
            const text = formatUnits(value, decimals);
            expect(parseDecimal(text, decimals, ctx, { signed: true })).to.equal(value);
          },
        ),
        { seed: 1, numRuns: 500 },
      );
    });
  });
});
