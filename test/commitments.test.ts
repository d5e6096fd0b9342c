import { expect } from "chai";
import { buildPoseidonReference } from "circomlibjs";
import * as path from "node:path";
import {
  commitMarket,
  commitments,
  commitPolicy,
  commitPortfolio,
  poseidon,
  publicCommitments,
  randomSalt,
  tagToField,
  vectorHash,
  withCommitments,
} from "../prover/src/commitments";
import { encodeCircuitInput, loadInstances, type CircuitInput } from "../prover/src/encoding";
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

function smallInput(): CircuitInput {
  const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
  const market = loadMarket(path.join(EXAMPLES, "market.json"));
  const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
  return encodeCircuitInput({ policy, market, portfolio, salt: SALT, nonce: 5n, instance });
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
      // portfolio items packed by hand (widths 96 96 | 96 1 64 80 1 | 64 80 1 48 1 48)
      const a = input.amount;
      const e0 = a[0] + (a[1] << 96n);
      const e1 =
        a[2] +
        (input.perpSizeNeg[0] << 96n) +
        (input.perpSizeAbs[0] << 97n) +
        (input.perpEntryPrice[0] << 161n) +
        (input.perpSizeNeg[1] << 241n);
      const e2 =
        input.perpSizeAbs[1] +
        (input.perpEntryPrice[1] << 64n) +
        (input.optionQtyNeg[0] << 144n) +
        (input.optionQtyAbs[0] << 145n) +
        (input.optionQtyNeg[1] << 193n) +
        (input.optionQtyAbs[1] << 194n);
      const tag = tagToField("zkmargin/portfolio/v2");
      const L = input.layoutId;
      const byHand = H([H([tag, 5n]), L, e0, e1, e2, SALT, ...new Array<bigint>(10).fill(0n)]);
      const portfolio = await commitPortfolio(input);
      expect(portfolio).to.equal(byHand);

      // market values whole, in spec order: 1 + 3 + 2 + 2 + 2*4 + 3*4 + 2*4 = 36 after the layout id
      const m = [
        input.roundTimestamp,
        ...input.price,
        ...input.perpMark,
        ...input.optionMark,
        ...input.riskArray[0],
        ...input.riskArray[1],
        ...input.assetRisk.flat(),
        ...input.perpRisk.flat(),
      ];
      expect(m).to.have.length(36);
      expect(input.roundTimestamp).to.equal(7n + (1764072000n << 64n));
      const market = await commitMarket(input);
      expect(market).to.equal(await vectorHashByHand(tagToField("zkmargin/market/v2"), [L, ...m]));

      const policy = await commitPolicy(input);
      // pinned after the check above, so that any change of encoding or packing is a reviewed change
      expect({ portfolio, market, policy }).to.deep.equal({
        portfolio: PINNED.portfolio,
        market: PINNED.market,
        policy: PINNED.policy,
      });
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
      expect(signals.portfolioCommitment).to.equal(c.portfolio);
      expect(signals.marketCommitment).to.equal(c.market);
      expect(signals.policyCommitment).to.equal(c.policy);
      expect(signals.accountNonce).to.equal(
        0x70997970c51812dc3a010c7d01b50e0d17dc79c8n + (5n << 160n),
      );
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
        (i) => commitPortfolio(i),
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
  market: 13541043695938100788303460119766676805928638162829095312714757160148339626509n,
  policy: 4943590369332860315988639684468194579595569408578098142117793541888450868993n,
};
