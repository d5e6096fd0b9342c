import { expect } from "chai";
import { buildPoseidon, buildPoseidonReference } from "circomlibjs";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import {
  commitMarket,
  commitments,
  commitPolicy,
  commitPortfolio,
  commitPortfolios,
  policyCommitmentOf,
  poseidon,
  publicCommitments,
  randomSalt,
  tagToField,
  usedSlots,
  vectorHash,
  withCommitments,
} from "../prover/src/commitments";
import {
  encodeCircuitInput,
  loadInstances,
  pieceOf,
  packItems,
  type CircuitInput,
  type PackItem,
} from "../prover/src/encoding";
import { SNARK_SCALAR_FIELD } from "../prover/src/encoding/widths";
import { keccak256, toUtf8Bytes } from "ethers";
import { InputError } from "../prover/src/errors";
import {
  loadMarket,
  loadPolicy,
  loadPortfolio,
  type Market,
  type Policy,
  type Portfolio,
} from "../prover/src/inputs";
import { canonicalLayout, feedIdOf, layoutIdOf, layoutOf } from "../prover/src/layout";
import { withAssetOrder, withAssetRenamed, withPriceAlias } from "./helpers/layouts";
import { MARKET_SIGNALS, POLICY_SIGNALS, PORTFOLIO_SIGNALS } from "./helpers/signals";

const EXAMPLES = path.resolve(__dirname, "../examples/small");
const instance = loadInstances().small;
const SALT = 0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdefn;

function smallTriple(): { policy: Policy; market: Market; portfolio: Portfolio } {
  const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
  const market = loadMarket(path.join(EXAMPLES, "market.json"));
  const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
  return { policy, market, portfolio };
}

function smallInput(): CircuitInput {
  return encodeCircuitInput({ ...smallTriple(), salt: SALT, nonce: 5n, instance });
}

/** A joint scenario set of 4 scenarios covering every asset and perp of the small example. */
function completeSet(): NonNullable<Market["scenarios"]> {
  const { policy } = smallTriple();
  const row = (k: number): bigint[] =>
    [1n, -2n, 3n, -4n].map((x) => x * BigInt(k + 1) * 10n ** 12n);
  return {
    labels: ["a", "b", "c", "d"],
    assets: new Map(policy.assets.map((a, k) => [a.symbol, row(k)])),
    perps: new Map(policy.perps.map((p, k) => [p.instrument, row(k + 3)])),
  };
}

/** An independent Poseidon (circomlibjs' unoptimised reference implementation). */
let reference: ReturnType<typeof buildPoseidonReference> | undefined;
async function referencePoseidon(): Promise<(xs: bigint[]) => bigint> {
  reference ??= buildPoseidonReference();
  const p = await reference;
  return (xs) => p.F.toObject(p(xs));
}

/** VectorHash written out call by call for a vector of `L <= 45` elements. */
async function vectorHashByHand(tag: bigint, e: bigint[]): Promise<bigint> {
  const H = await referencePoseidon();
  const chunk = (k: number): bigint[] => Array.from({ length: 15 }, (_, i) => e[15 * k + i] ?? 0n);
  let s = H([tag, BigInt(e.length)]);
  if (e.length > 0) s = H([s, ...chunk(0)]);
  if (e.length > 15) s = H([s, ...chunk(1)]);
  if (e.length > 30) s = H([s, ...chunk(2)]);
  expect(e.length <= 45).to.equal(true);
  return s;
}

/** Perturbs one scalar or array entry of `input` (flipping bit 0 keeps it within its width). */
function perturbed(
  input: CircuitInput,
  key: keyof CircuitInput,
  i?: number,
  k?: number,
): CircuitInput {
  const copy = structuredClone(input);
  const value = copy[key] as bigint | bigint[] | bigint[][];
  if (typeof value === "bigint") (copy[key] as bigint) = value ^ 1n;
  else if (k === undefined) (value as bigint[])[i as number] ^= 1n;
  else (value as bigint[][])[i as number][k] ^= 1n;
  return copy;
}

/** Every (key, i, k) position of the given signals. */
function positions(
  input: CircuitInput,
  keys: (keyof CircuitInput)[],
): [keyof CircuitInput, number?, number?][] {
  return keys.flatMap((key): [keyof CircuitInput, number?, number?][] => {
    const value = input[key];
    if (typeof value === "bigint") return [[key]];
    return (value as (bigint | bigint[])[]).flatMap(
      (row, i): [keyof CircuitInput, number?, number?][] =>
        typeof row === "bigint"
          ? [[key, i]]
          : row.map((_, k): [keyof CircuitInput, number, number] => [key, i, k]),
    );
  });
}

describe("commitments", () => {
  describe("Poseidon", () => {
    it("matches circomlib's published test vector", async () => {
      const H = await poseidon();
      expect(H([1n, 2n])).to.equal(
        7853200120776062878684798364095072458815029376092732009249414926327459813530n,
      );
    });

    it("agrees with the reference implementation for 2 and 16 inputs", async () => {
      const [H, R] = [await poseidon(), await referencePoseidon()];
      const sixteen = Array.from({ length: 16 }, (_, i) => BigInt(i) * 0x1234567n);
      expect(H([3n, 4n])).to.equal(R([3n, 4n]));
      expect(H(sixteen)).to.equal(R(sixteen));
    });

    it("agrees with circomlibjs's WebAssembly Poseidon for 1 to 16 inputs, 0, r - 1 and random", async () => {
      const H = await poseidon();
      const wasm = await buildPoseidon();
      const W = (xs: bigint[]): bigint => wasm.F.toObject(wasm(xs));
      const random = (): bigint =>
        BigInt(`0x${randomBytes(32).toString("hex")}`) % SNARK_SCALAR_FIELD;
      for (let n = 1; n <= 16; n++) {
        const vectors = [
          Array.from({ length: n }, () => 0n),
          Array.from({ length: n }, () => SNARK_SCALAR_FIELD - 1n),
          Array.from({ length: n }, random),
          Array.from({ length: n }, random),
        ];
        for (const xs of vectors) expect(H(xs), `${n} inputs: ${xs.join(", ")}`).to.equal(W(xs));
      }
    });

    it("refuses no inputs and more than 16", async () => {
      const H = await poseidon();
      expect(() => H([])).to.throw(RangeError, /1 to 16 inputs/);
      expect(() => H(Array.from({ length: 17 }, () => 1n))).to.throw(RangeError, /1 to 16 inputs/);
    });
  });

  describe("vectorHash", () => {
    it("reads the tag as big-endian ASCII", () => {
      expect(tagToField("AB")).to.equal(0x4142n);
      expect(tagToField("zkmargin/portfolio/v1")).to.equal(
        BigInt("0x" + Buffer.from("zkmargin/portfolio/v1").toString("hex")),
      );
      expect(() => tagToField("")).to.throw(RangeError);
      expect(() => tagToField("é")).to.throw(RangeError);
      expect(() => tagToField("x".repeat(32))).to.throw("too long");
    });

    for (const length of [0, 1, 14, 15, 16, 30]) {
      it(`equals Poseidon(tag, L) then Poseidon(s, chunk of 15) for L = ${length}`, async () => {
        const elements = Array.from({ length }, (_, i) => (BigInt(i + 1) << 200n) + BigInt(i));
        expect(await vectorHash("t/v1", elements)).to.equal(
          await vectorHashByHand(tagToField("t/v1"), elements),
        );
      });
    }

    it("binds the length and the tag", async () => {
      const a = await vectorHash("t/v1", [1n]);
      expect(await vectorHash("t/v1", [1n, 0n])).not.to.equal(a); // same chunk after zero padding
      expect(await vectorHash("t/v2", [1n])).not.to.equal(a);
    });

    it("refuses non-field elements", async () => {
      let error: unknown;
      await vectorHash("t", [SNARK_SCALAR_FIELD]).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(RangeError);
    });
  });

  describe("the three commitments", () => {
    it("equal hand-packed vector hashes of the small example (known answers)", async () => {
      const input = smallInput();
      const H = await referencePoseidon();
      // portfolio items packed by hand (widths 96 96 | 96 1 64 80 1 | 64 80 1 48 1 48), from the
      // one pledge slot's sub-portfolio
      const piece = pieceOf(input, 0);
      const a = piece.amount;
      const e0 = a[0] + (a[1] << 96n);
      const e1 =
        a[2] +
        (piece.perpSizeNeg[0] << 96n) +
        (piece.perpSizeAbs[0] << 97n) +
        (piece.perpEntryPrice[0] << 161n) +
        (piece.perpSizeNeg[1] << 241n);
      const e2 =
        piece.perpSizeAbs[1] +
        (piece.perpEntryPrice[1] << 64n) +
        (piece.optionQtyNeg[0] << 144n) +
        (piece.optionQtyAbs[0] << 145n) +
        (piece.optionQtyNeg[1] << 193n) +
        (piece.optionQtyAbs[1] << 194n);
      const tag = tagToField("zkmargin/portfolio/v2");
      const L = input.layoutId;
      const byHand = H([H([tag, 5n]), L, e0, e1, e2, SALT, ...new Array<bigint>(10).fill(0n)]);
      const portfolio = await commitPortfolio({ ...piece, layoutId: L });
      expect(portfolio).to.equal(byHand);

      // market values whole, in spec order: 2 + 3 + 2 + 2 + 2*4 + 3*4 + 2*4 = 37 after the layout id
      expect(input.jointSetPresent).to.equal(0n); // the example round has no joint scenario set
      const m = [
        input.roundTimestamp,
        0n, // jointSetPresent
        ...input.price,
        ...input.perpMark,
        ...input.optionMark,
        ...input.riskArray[0],
        ...input.riskArray[1],
        ...input.assetRisk.flat(),
        ...input.perpRisk.flat(),
      ];
      expect(m).to.have.length(37);
      expect(input.roundTimestamp).to.equal(7n + (1764072000n << 64n));
      const market = await commitMarket(input);
      expect(market).to.equal(await vectorHashByHand(tagToField("zkmargin/market/v3"), [L, ...m]));
      // with a complete joint scenario set the flag is 1 (and the set's arrays are elements)
      const set = await withCommitments(
        encodeCircuitInput({
          ...smallTriple(),
          market: { ...smallTriple().market, scenarios: completeSet() },
          salt: SALT,
          nonce: 5n,
          instance,
        }),
      );
      expect(set.jointSetPresent).to.equal(1n);
      const withSet = [set.roundTimestamp, 1n, ...m.slice(2, 17), ...set.assetRisk.flat()];
      withSet.push(...set.perpRisk.flat());
      expect(set.marketCommitment).to.equal(
        await vectorHashByHand(tagToField("zkmargin/market/v3"), [L, ...withSet]),
      );

      // policy items packed by hand from examples/small/policy.json (T = 2: one bound per slot,
      // its rise over 0). Items are packed one by one, so a slot may straddle two elements.
      // Element 0: mode 1, margin 1, minRatio 24, buffer 60, SOM 40, group share 20 (bit 126),
      // USDC (active 1, decimals 5, weights 20 20, bound 32, group bit 1: bits 146..224), WETH's
      // active and decimals (225..230). Element 1: WETH's weights, bound and group bit (0..72),
      // WBTC (73..151), ETH-PERP (active, decimals, rates 20 20, bound 32: 152..229), BTC-PERP's
      // active and decimals (230..235). Element 2: BTC-PERP's rates and bound, two option bits.
      const OPEN = (1n << 32n) - 1n;
      const p0 =
        0n + // mode: initial
        (0n << 1n) + // margin: standard
        (1_250000n << 2n) +
        (10000_000000n << 26n) +
        (25_000000n << 86n) +
        (1_000000n << 126n) + // the unused group: 100 %
        (1n << 146n) + // USDC
        (6n << 147n) +
        (1_000000n << 152n) +
        (1_000000n << 172n) +
        (OPEN << 192n) +
        (0n << 224n) +
        (1n << 225n) + // WETH
        (18n << 226n);
      const p1 =
        900000n +
        (800000n << 20n) +
        (5000000n << 40n) +
        (0n << 72n) +
        (1n << 73n) + // WBTC
        (8n << 74n) +
        (900000n << 79n) +
        (800000n << 99n) +
        (5000000n << 119n) +
        (0n << 151n) +
        (1n << 152n) + // ETH-PERP
        (4n << 153n) +
        (30000n << 158n) +
        (60000n << 178n) +
        (2000000n << 198n) +
        (1n << 230n) + // BTC-PERP
        (5n << 231n);
      const p2 = 30000n + (50000n << 20n) + (2000000n << 40n) + (1n << 72n) + (1n << 73n);
      const policy = await commitPolicy(input);
      expect(policy).to.equal(
        await vectorHashByHand(tagToField("zkmargin/policy/v3"), [L, p0, p1, p2]),
      );
      // pinned after the check above, so that any change of encoding or packing is a reviewed change
      expect({ portfolio, market, policy }).to.deep.equal({
        portfolio: PINNED.portfolio,
        market: PINNED.market,
        policy: PINNED.policy,
      });
    });

    it("packs three-tier bounds as rises: the small example's policy on the demo instance", async () => {
      const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
      const demo = loadInstances().demo; // 3 tiers, 2 groups, 6 assets, 3 perps, 2 options
      const OPEN = (1n << 32n) - 1n;
      const bits = (...pairs: [bigint, number][]): PackItem[] =>
        pairs.map(([value, width]) => ({ value, bits: width }));
      // Items written from policy.json, in spec order; each bound after the first is its rise.
      const slot = (decimals: bigint, ppm: bigint[], rises: bigint[]): PackItem[] =>
        bits([1n, 1], [decimals, 5], ...ppm.map((x): [bigint, number] => [x, 20])).concat(
          bits(...rises.map((x): [bigint, number] => [x, 32])),
        );
      const padded = (groupBits: number): PackItem[] =>
        bits([0n, 1], [0n, 5], [0n, 20], [0n, 20], [0n, 20], [0n, 32], [0n, 32]).concat(
          bits(...Array.from({ length: groupBits }, (): [bigint, number] => [0n, 1])),
        );
      const noGroup = bits([0n, 1], [0n, 1]);
      const items = [
        ...bits([0n, 1], [0n, 1], [1_250000n, 24], [10000_000000n, 60], [25_000000n, 40]),
        ...bits([1_000000n, 20], [1_000000n, 20]), // two unused groups
        ...slot(6n, [1_000000n, 1_000000n, 1_000000n], [OPEN, 0n]), // USDC: open, padded
        ...noGroup,
        ...slot(18n, [900000n, 800000n, 800000n], [5000000n, OPEN - 5000000n]), // WETH
        ...noGroup,
        ...slot(8n, [900000n, 800000n, 800000n], [5000000n, OPEN - 5000000n]), // WBTC
        ...noGroup,
        ...padded(2),
        ...padded(2),
        ...padded(2),
        ...slot(4n, [30000n, 60000n, 60000n], [2000000n, OPEN - 2000000n]), // ETH-PERP
        ...slot(5n, [30000n, 50000n, 50000n], [2000000n, OPEN - 2000000n]), // BTC-PERP
        ...padded(0),
        ...bits([1n, 1], [1n, 1]),
      ];
      const { layoutId, policy: commitment } = await policyCommitmentOf(policy, demo);
      expect(commitment).to.equal(
        await vectorHash("zkmargin/policy/v3", [layoutId, ...packItems(items)]),
      );
    });

    it("commitments() and withCommitments() agree with the single commitments", async () => {
      const input = smallInput();
      const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
      const market = loadMarket(path.join(EXAMPLES, "market.json"));
      const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
      const c = await commitments({ policy, market, portfolio, salt: SALT, instance });
      expect(c).to.deep.equal({
        portfolio: PINNED.portfolio,
        market: PINNED.market,
        policy: PINNED.policy,
      });
      const signals = await withCommitments(input);
      expect(signals.portfolioCommitment).to.deep.equal([c.portfolio]);
      expect(signals.marketCommitment).to.equal(c.market);
      expect(signals.policyCommitment).to.equal(c.policy);
      expect(signals.accountNonce).to.equal(
        0x70997970c51812dc3a010c7d01b50e0d17dc79c8n + (5n << 160n),
      );
    });

    describe("pledge slots: one commitment per used slot, 0 for an unused one", () => {
      const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
      const market = loadMarket(path.join(EXAMPLES, "market.json"));
      const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
      const other: Portfolio = {
        ...portfolio,
        collateral: new Map([["USDC", 5_000_000000n]]),
        perps: new Map([["ETH-PERP", { size: 20_000n, entryPrice: 2_900_000000000000n }]]),
        options: new Map(),
      };
      const empty: Portfolio = {
        ...portfolio,
        collateral: new Map(),
        perps: new Map(),
        options: new Map(),
      };
      const three = { ...instance, pledges: 3 };
      const encode = (pieces: Portfolio[]): CircuitInput =>
        encodeCircuitInput({
          policy,
          market,
          portfolio: pieces,
          salt: pieces.map((_, k) => SALT + BigInt(k)),
          nonce: 5n,
          instance: three,
        });

      it("hashes each sub-portfolio on its own, whatever its slot, and leaves unused slots at 0", async () => {
        const signals = await withCommitments(encode([portfolio, other]));
        const alone = await commitments({
          policy,
          market,
          portfolio: other,
          salt: SALT + 1n,
          instance,
        });
        expect(signals.portfolioCommitment).to.deep.equal([PINNED.portfolio, alone.portfolio, 0n]);
        // the round's and the policy's commitments do not depend on the pledge slots
        expect([signals.marketCommitment, signals.policyCommitment]).to.deep.equal([
          PINNED.market,
          PINNED.policy,
        ]);
        expect(pieceOf(signals, 2)).to.deep.equal(pieceOf(encode([portfolio]), 2)); // all zero
      });

      it("counts used slots up to the last sub-portfolio that holds something, unless told", async () => {
        const withEmpty = encode([portfolio, empty]);
        expect(usedSlots(withEmpty)).to.equal(1);
        expect(usedSlots(encode([empty, other]))).to.equal(2);
        expect(await commitPortfolios(withEmpty)).to.deep.equal([PINNED.portfolio, 0n, 0n]);
        // a pledged empty sub-portfolio has a commitment of its own
        const pledged = await commitPortfolios(withEmpty, 2);
        expect(pledged[1]).to.not.equal(0n);
        expect(pledged[2]).to.equal(0n);
        for (const used of [0, 4, 1.5]) {
          let error: unknown;
          await commitPortfolios(withEmpty, used).catch((e: unknown) => (error = e));
          expect(error, `used ${used}`).to.be.instanceOf(RangeError);
        }
      });

      it("refuses more sub-portfolios than slots, a salt count that differs, and two accounts", () => {
        expect(() => encode([portfolio, other, other, portfolio])).to.throw(
          "instance too small: needs 4 pledge slots (one per sub-portfolio) but has 3",
        );
        expect(() =>
          encodeCircuitInput({
            policy,
            market,
            portfolio: [portfolio, other],
            salt: [SALT],
            nonce: 0n,
            instance: three,
          }),
        ).to.throw("2 sub-portfolios but 1 salts");
        const stranger = { ...other, account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" };
        expect(() => encode([portfolio, stranger])).to.throw(
          "sub-portfolio 2 names another account than sub-portfolio 1",
        );
      });
    });

    it("publicCommitments() gives the market and policy commitments without any portfolio", async () => {
      const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
      const market = loadMarket(path.join(EXAMPLES, "market.json"));
      expect(await publicCommitments({ policy, market, instance })).to.deep.equal({
        layoutId: SMALL_LAYOUT_ID,
        market: PINNED.market,
        policy: PINNED.policy,
      });
      const later = { ...market, round: market.round + 1n };
      const moved = await publicCommitments({ policy, market: later, instance });
      expect(moved.market).to.not.equal(PINNED.market);
      expect(moved.policy).to.equal(PINNED.policy);
    });

    const cases: [
      string,
      (i: CircuitInput) => Promise<bigint>,
      (keyof CircuitInput)[],
      (keyof CircuitInput)[],
    ][] = [
      [
        "portfolio",
        (i) => commitPortfolio({ ...pieceOf(i, 0), layoutId: i.layoutId }),
        [...PORTFOLIO_SIGNALS, "layoutId"],
        [...MARKET_SIGNALS, ...POLICY_SIGNALS],
      ],
      [
        "market",
        (i) => commitMarket(i),
        [...MARKET_SIGNALS, "layoutId"],
        [...PORTFOLIO_SIGNALS, ...POLICY_SIGNALS],
      ],
      [
        "policy",
        (i) => commitPolicy(i),
        [...POLICY_SIGNALS, "layoutId"],
        [...PORTFOLIO_SIGNALS, ...MARKET_SIGNALS],
      ],
    ];
    for (const [name, commit, bound, unrelated] of cases) {
      it(`the ${name} commitment changes when any one of its items changes, and only then`, async () => {
        const input = smallInput();
        const original = await commit(input);
        const seen = new Set<bigint>([original]);
        const bound_ = positions(input, bound);
        for (const [key, i, k] of bound_) {
          const changed = await commit(perturbed(input, key, i, k));
          expect(seen.has(changed), `${String(key)}[${i}][${k}]`).to.equal(false);
          seen.add(changed);
        }
        expect(seen.size).to.equal(bound_.length + 1);
        for (const [key, i, k] of positions(input, [...unrelated, "accountNonce"])) {
          expect(await commit(perturbed(input, key, i, k)), String(key)).to.equal(original);
        }
      });
    }
  });

  describe("layouts", () => {
    const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
    const market = loadMarket(path.join(EXAMPLES, "market.json"));
    const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);

    it("the layout id is keccak256 of the canonical layout, shifted to 248 bits", () => {
      expect(canonicalLayout(layoutOf(policy, instance))).to.equal(SMALL_LAYOUT);
      expect(layoutIdOf(layoutOf(policy, instance))).to.equal(SMALL_LAYOUT_ID);
      expect(SMALL_LAYOUT_ID < 1n << 248n).to.equal(true);
      expect(feedIdOf(SMALL_LAYOUT_ID)).to.equal(
        "0x00" + keccak256(toUtf8Bytes(SMALL_LAYOUT)).slice(2, 64),
      );
      expect(smallInput().layoutId).to.equal(SMALL_LAYOUT_ID);
    });

    /** All three commitments of the small example's holdings under `p` (with `m`, on `dims`). */
    async function allThree(p: Policy, m: Market = market, dims = instance): Promise<bigint[]> {
      const held: Portfolio = {
        ...portfolio,
        collateral: new Map(
          p.assets.map((a) => [a.symbol, portfolio.collateral.get(a.symbol) ?? 0n]),
        ),
      };
      const c = await commitments({
        policy: p,
        market: m,
        portfolio: held,
        salt: SALT,
        instance: dims,
      });
      return [c.portfolio, c.market, c.policy];
    }

    it("a renamed, reordered, re-tokened or re-sized universe changes all three commitments", async () => {
      const base = await allThree(policy);
      const variants: [string, Promise<bigint[]>][] = [
        [
          "renamed USDC -> USDT",
          (async () => {
            const renamed = withAssetRenamed(policy, "USDC", "USDT", policy.id);
            return allThree(renamed, withPriceAlias(market, "USDC", "USDT"));
          })(),
        ],
        ["reordered", allThree(withAssetOrder(policy, ["WBTC", "WETH", "USDC"], policy.id))],
        [
          "token address added",
          allThree({
            ...policy,
            assets: policy.assets.map((a, i) =>
              i === 0 ? { ...a, token: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" } : a,
            ),
          }),
        ],
        ["another instance", allThree(policy, market, loadInstances().demo)],
      ];
      // The pledge slots are not part of the layout: a sub-portfolio's commitment (and the
      // round's and the policy's) is the same on an instance that differs only in C.
      expect(await allThree(policy, market, { ...instance, pledges: 3 })).to.deep.equal(base);
      for (const [label, variant] of variants) {
        const other = await variant;
        ["portfolio", "market", "policy"].forEach((kind, k) =>
          expect(other[k], `${label}: ${kind}`).to.not.equal(base[k]),
        );
      }
    });

    it("refuses to commit to a malformed policy, naming the rule and the value", async () => {
      const bad: Policy = {
        ...policy,
        assets: policy.assets.map((a) =>
          a.symbol === "WETH"
            ? { ...a, tiers: [a.tiers[0], { ...a.tiers[1], weightPpm: 950_000n }] }
            : a,
        ),
      };
      let error: unknown;
      await publicCommitments({ policy: bad, market, instance }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(InputError);
      expect((error as Error).message).to.equal(
        "policy: assets.WETH.tiers[1].weight: weights must be non-increasing (got 0.95 after 0.9)",
      );
    });
  });

  describe("randomSalt", () => {
    it("draws distinct field elements that use the whole 254-bit range", () => {
      const salts = Array.from({ length: 400 }, randomSalt);
      expect(new Set(salts).size).to.equal(salts.length);
      for (const s of salts) expect(s >= 0n && s < SNARK_SCALAR_FIELD).to.equal(true);
      // P(no salt >= 2^253) = (1 - 0.43)^400: negligible; same for the lower half
      expect(salts.some((s) => s >= 1n << 253n)).to.equal(true);
      expect(salts.some((s) => s < 1n << 252n)).to.equal(true);
    });
  });
});

/** The canonical layout of examples/small on the small instance, written out by hand. */
const SMALL_LAYOUT =
  '{"assets":[{"decimals":6,"symbol":"USDC","token":null},{"decimals":18,"symbol":"WETH","token":null},' +
  '{"decimals":8,"symbol":"WBTC","token":null}],"instance":{"assets":3,"groups":1,"joint":1,' +
  '"options":2,"perps":2,"scenarios":4,"tiers":2},"options":[{"instrument":"ETH-26JUN26-3000-C","underlying":"ETH"},' +
  '{"instrument":"ETH-26JUN26-2600-P","underlying":"ETH"}],"perps":[{"instrument":"ETH-PERP",' +
  '"sizeDecimals":4,"underlying":"ETH"},{"instrument":"BTC-PERP","sizeDecimals":5,"underlying":"BTC"}],' +
  '"version":"zkmargin/layout/v2"}';
const SMALL_LAYOUT_ID = BigInt(keccak256(toUtf8Bytes(SMALL_LAYOUT))) >> 8n;

/** Commitments of examples/small in the small instance with SALT (checked by hand above). */
const PINNED = {
  portfolio: 15050651432521874739696113949663029709517159323856340070761735097031920485180n,
  market: 1484091704947856819039850007012019967216944797243233929758886075808109779168n,
  policy: 12546884688481291979404219013003749091213991361697391815060471729195509459691n,
};
