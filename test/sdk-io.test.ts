/**
 * Unit tests of the SDK's file and format helpers: atomic writes, JSON, progress gating, public
 * signal decoding, proof/opening shape checks and the portfolio <-> JSON round trip.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import fc from "fast-check";
import { InputError } from "../prover/src/errors";
import { parsePortfolio } from "../prover/src/inputs";
import {
  FileExistsError,
  readJsonFile,
  toJson,
  writeFileAtomic,
  progressEnabled,
} from "../prover/src/io";
import {
  decodePublicSignals,
  encodePublicSignals,
  parseOpening,
  parseProof,
  portfolioDifferences,
  portfolioToJson,
} from "../prover/src/proving";
import { tripleArb } from "./helpers/arbitraries";
import { removeTempDirs, tempDir } from "./helpers/cli";

const R = SNARK_SCALAR_FIELD;
const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("SDK file and format helpers", () => {
  after(removeTempDirs);

  describe("writeFileAtomic", () => {
    it("writes with the requested mode whatever the umask, leaving no temporary file", () => {
      const dir = tempDir();
      const file = path.join(dir, "nested", "secret.json");
      const previous = process.umask(0o000);
      try {
        writeFileAtomic(file, "{}\n", { mode: 0o600 });
      } finally {
        process.umask(previous);
      }
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["secret.json"]);
    });

    it("refuses to replace an existing file when overwrite is false, and replaces it otherwise", () => {
      const file = path.join(tempDir(), "opening.json");
      writeFileAtomic(file, "first");
      expect(() => writeFileAtomic(file, "second", { overwrite: false })).to.throw(FileExistsError);
      expect(fs.readFileSync(file, "utf8")).to.equal("first");
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["opening.json"]);
      writeFileAtomic(file, "third");
      expect(fs.readFileSync(file, "utf8")).to.equal("third");
    });

    it("gives a replaced file the requested mode (0o644 by default), not the old file's, and writes bytes as given", () => {
      const file = path.join(tempDir(), "report.bin");
      writeFileAtomic(file, "secret", { mode: 0o600 });
      writeFileAtomic(file, new Uint8Array([0, 1, 2, 255]));
      expect(fs.statSync(file).mode & 0o777).to.equal(0o644);
      expect([...fs.readFileSync(file)]).to.deep.equal([0, 1, 2, 255]);
      writeFileAtomic(file, "owner only", { mode: 0o600 });
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["report.bin"]);
    });
  });

  describe("JSON helpers", () => {
    it("names the file and the rule for a missing or malformed file", () => {
      const dir = tempDir();
      const missing = path.join(dir, "nope.json");
      expect(inputError(() => readJsonFile(missing)).message).to.equal(
        `${missing}: $: file not found`,
      );
      const broken = path.join(dir, "broken.json");
      fs.writeFileSync(broken, "{");
      const error = inputError(() => readJsonFile(broken));
      expect([error.file, error.path]).to.deep.equal([broken, "$"]);
      expect(error.rule).to.match(/^malformed JSON/);
    });

    it("writes bigints as exact decimal strings", () => {
      const big = 2n ** 200n + 1n;
      expect(JSON.parse(toJson({ big, list: [-5n] }))).to.deep.equal({
        big: big.toString(),
        list: ["-5"],
      });
    });
  });

  it("draws progress only on a TTY outside CI", () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(progressEnabled(tty, {})).to.equal(true);
    expect(progressEnabled(tty, { CI: "true" })).to.equal(false);
    expect(progressEnabled(tty, { CI: "1" })).to.equal(false);
    expect(progressEnabled(tty, { CI: "false" })).to.equal(true);
    expect(progressEnabled(pipe, {})).to.equal(false);
  });

  describe("decodePublicSignals", () => {
    const accountNonce = BigInt(ACCOUNT) + (7n << 160n);
    const good = [accountNonce.toString(), "11", "12", "13"];

    it("decodes and re-encodes the four signals, account and nonce from the first", () => {
      const decoded = decodePublicSignals(good);
      expect(decoded).to.deep.equal({
        account: ACCOUNT,
        nonce: 7n,
        marketCommitment: 11n,
        policyCommitment: 12n,
        portfolioCommitment: 13n,
      });
      expect(encodePublicSignals(decoded)).to.deep.equal(good);
      const max = decodePublicSignals([((1n << 224n) - 1n).toString(), "1", "2", "3"]);
      expect(max.account).to.equal("0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF");
      expect(max.nonce).to.equal((1n << 64n) - 1n);
    });

    const bad: [string, unknown, string, RegExp][] = [
      ["three signals", good.slice(0, 3), "$", /array of 4/],
      ["five signals", [...good, "14"], "$", /array of 4/],
      ["a number", [...good.slice(0, 3), 13], "[3]", /decimal string/],
      ["a leading zero", [...good.slice(0, 3), "013"], "[3]", /decimal string/],
      [
        "the field modulus",
        [...good.slice(0, 2), R.toString(), ...good.slice(3)],
        "[2]",
        /modulus/,
      ],
      [
        "an account and nonce past 224 bits",
        [(2n ** 224n).toString(), ...good.slice(1)],
        "[0]",
        /224 bits/,
      ],
    ];
    for (const [name, signals, where, rule] of bad) {
      it(`refuses ${name}`, () => {
        const error = inputError(() => decodePublicSignals(signals, "public.json"));
        expect([error.file, error.path]).to.deep.equal(["public.json", where]);
        expect(error.rule).to.match(rule);
      });
    }
  });

  it("refuses malformed proofs naming the field", () => {
    const proof = {
      pi_a: ["1", "2", "1"],
      pi_b: [
        ["1", "2"],
        ["3", "4"],
        ["1", "0"],
      ],
      pi_c: ["5", "6", "1"],
      protocol: "groth16",
      curve: "bn128",
    };
    expect(parseProof(proof)).to.deep.equal(proof);
    expect(inputError(() => parseProof({ ...proof, pi_a: ["1", "2"] }, "p.json")).path).to.equal(
      "pi_a",
    );
    expect(inputError(() => parseProof({ ...proof, pi_c: ["5", "0x6", "1"] })).path).to.equal(
      "pi_c[1]",
    );
    expect(inputError(() => parseProof({ ...proof, protocol: "plonk" })).path).to.equal("protocol");
    expect(inputError(() => parseProof({ ...proof, extra: 1 })).path).to.equal("extra");
  });

  it("refuses malformed openings naming the field", () => {
    const opening = {
      version: 1,
      account: ACCOUNT,
      policyId: "p",
      round: "7",
      instance: "small",
      nonce: "1",
      salt: "5",
      portfolio: {},
      commitments: { portfolio: "1", market: "2", policy: "3" },
    };
    expect(parseOpening(opening, "o.json").salt).to.equal("5");
    const cases: [Record<string, unknown>, string][] = [
      [{ ...opening, salt: R.toString() }, "salt"],
      [{ ...opening, version: 2 }, "version"],
      [{ ...opening, round: "-1" }, "round"],
      [{ ...opening, commitments: { portfolio: "1", market: "2" } }, "commitments.policy"],
      [{ ...opening, note: "x" }, "note"],
    ];
    for (const [json, where] of cases) {
      expect(inputError(() => parseOpening(json, "o.json")).path).to.equal(where);
    }
  });

  it("@property writes any portfolio back as JSON that parses to the same portfolio", () => {
    fc.assert(
      fc.property(
        tripleArb({ assets: 3, perps: 2, options: 2, scenarios: 4, tiers: 2, groups: 1, joint: 1 }),
        ({ policy, portfolio }) => {
          const json = JSON.parse(JSON.stringify(portfolioToJson(policy, portfolio))) as unknown;
          const parsed = parsePortfolio(json, "opening.json", policy);
          expect(portfolioDifferences(policy, parsed, portfolio)).to.deep.equal([]);
          expect(parsed.account).to.equal(portfolio.account);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("lists differing slots by name, counting a missing slot as zero", () => {
    const policy = {
      id: "p",
      mode: "initial" as const,
      margin: "standard" as const,
      concentration: [],
      minRatioPpm: 1_000_000n,
      bufferMicroUsd: 0n,
      shortOptionMinimumMicroUsd: 0n,
      assets: [{ symbol: "USDC", decimals: 6, tiers: [{ upToUsd: null, weightPpm: 1_000_000n }] }],
      perps: [
        {
          instrument: "ETH-PERP",
          underlying: "ETH",
          sizeDecimals: 4,
          tiers: [{ upToUsd: null, ratePpm: 50_000n }],
        },
      ],
      options: [{ instrument: "ETH-C", underlying: "ETH" }],
    };
    const empty = {
      account: ACCOUNT,
      collateral: new Map<string, bigint>(),
      perps: new Map<string, { size: bigint; entryPrice: bigint }>(),
      options: new Map<string, bigint>(),
    };
    const zeros = {
      ...empty,
      collateral: new Map([["USDC", 0n]]),
      options: new Map([["ETH-C", 0n]]),
    };
    expect(portfolioDifferences(policy, empty, zeros)).to.deep.equal([]);
    const other = {
      ...empty,
      account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      perps: new Map([["ETH-PERP", { size: 0n, entryPrice: 1n }]]),
      options: new Map([["ETH-C", -1n]]),
    };
    expect(portfolioDifferences(policy, empty, other)).to.deep.equal([
      "account",
      "perps.ETH-PERP.entryPrice",
      "options.ETH-C.quantity",
    ]);
  });
});
