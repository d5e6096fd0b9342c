/**
 * Market files as they travel on-chain (no node): a Market built in code written back as
 * market.json (`marketDocumentOf`) reads back to the same Market, 1e-12 USD prices and the joint
 * scenario set included; `marketData` v1 (0x01 + gzip of the canonical JSON) decodes to the
 * document it encoded, and malformed bytes are refused naming the source and the field.
 */
import path from "node:path";
import { gzipSync } from "node:zlib";
import { expect } from "chai";
import fc from "fast-check";
import { hexlify } from "ethers";
import { loadInstances } from "../prover/src/encoding/instances";
import { loadMarket, parseMarket, type Market } from "../prover/src/inputs";
import {
  decodeMarketData,
  encodeMarketData,
  judgeRoundAge,
  marketDocumentOf,
  MarketDataError,
  MAX_MARKET_DATA_BYTES,
} from "../prover/src/market-data";
import { tripleArb, tripleToJson } from "./helpers/arbitraries";

const EXAMPLES = path.resolve(__dirname, "../examples");

describe("market data: documents and the marketData encoding", function () {
  for (const folder of ["desk", "portfolio", "small"]) {
    it(`writes examples/${folder}/market.json back to the same round`, function () {
      const market = loadMarket(path.join(EXAMPLES, folder, "market.json"));
      expect(parseMarket(marketDocumentOf(market), "document")).to.deep.equal(market);
    });
  }

  it("keeps 12-decimal prices and the joint scenario set", function () {
    const market = loadMarket(path.join(EXAMPLES, "portfolio", "market.json"));
    const tiny: Market = {
      ...market,
      prices: new Map([...market.prices].map(([symbol, price]) => [symbol, price + 1n])),
    };
    const document = marketDocumentOf(tiny) as {
      prices: Record<string, string>;
      scenarios: { labels: string[] };
    };
    expect(document.prices.USDC).to.match(/\.\d{11}1$/);
    expect(document.scenarios.labels).to.deep.equal(market.scenarios!.labels);
    expect(parseMarket(document, "document")).to.deep.equal(tiny);
  });

  it("writes random rounds as the file format does (with and without a scenario set)", function () {
    const dims = loadInstances().small;
    fc.assert(
      fc.property(tripleArb(dims), (triple) => {
        const document = marketDocumentOf(triple.market);
        expect(document).to.deep.equal(tripleToJson(triple).market);
        expect(parseMarket(document, "document")).to.deep.equal(triple.market);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it("refuses a round or timestamp that JSON cannot carry exactly", function () {
    const market = loadMarket(path.join(EXAMPLES, "small", "market.json"));
    expect(() => marketDocumentOf({ ...market, round: 2n ** 53n })).to.throw(RangeError);
  });

  it("decodes marketData v1 to the document it encoded", function () {
    const document = marketDocumentOf(loadMarket(path.join(EXAMPLES, "portfolio", "market.json")));
    const data = encodeMarketData(document);
    expect(data.slice(0, 4)).to.equal("0x01");
    expect(decodeMarketData(data, "feed 0xab round 7")).to.deep.equal(document);
  });

  it("refuses empty, unknown-version, non-gzip, oversized and non-JSON market data", function () {
    const source = "feed 0xab round 7";
    const refused = (data: string, rule: RegExp) =>
      expect(() => decodeMarketData(data, source)).to.throw(
        new RegExp(`^${source}: marketData: ${rule.source}`),
      );
    refused("0x", /is empty/);
    refused("0x02" + "00".repeat(8), /has version byte 0x02/);
    refused("0x01" + "ff".repeat(8), /is not gzip data/);
    const bomb = gzipSync(Buffer.alloc(MAX_MARKET_DATA_BYTES + 1, 0x20));
    refused(hexlify(Buffer.concat([Buffer.from([1]), bomb])), /is not gzip data of at most/);
    const notJson = gzipSync(Buffer.from("{not json", "utf8"));
    refused(hexlify(Buffer.concat([Buffer.from([1]), notJson])), /does not decompress to JSON/);
  });
});

describe("market data: the age of a round at publication", function () {
  const HOUR = 3_600n;
  const DAY = 86_400n;
  const now = 1_800_000_000n;
  const rules = {
    maxRoundAges: [
      { policy: "desk-initial-v1", maxRoundAge: HOUR },
      { policy: "desk-maintenance-v1", maxRoundAge: DAY },
    ],
  };

  it("posts a fresh round without a word", function () {
    expect(judgeRoundAge(now - 60n, now, rules, "market.json")).to.deep.equal([]);
    expect(judgeRoundAge(now + 5n, now, rules, "market.json")).to.deep.equal([]); // MarketBook judges the future
  });

  it("warns of a policy that cannot use the round, and of one that can only briefly", function () {
    const warnings = judgeRoundAge(now - 2n * HOUR, now, rules, "market.json");
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(
      /^round too old for policy desk-initial-v1: its timestamp 1799992800 \(2027-01-15T\d\d:00:00Z\) is 7200 s \(2 h\) before the chain's clock 1800000000 \(.*\), more than its maxRoundAge of 3600 s \(1 h\); no proof under it can use the round$/,
    );
    const brief = judgeRoundAge(
      now - 20n * HOUR,
      now,
      { maxRoundAges: [rules.maxRoundAges[1]] },
      "m",
    );
    expect(brief).to.deep.equal([
      "the round counts under policy desk-maintenance-v1 for only 4 h more (until 1800014400 " +
        "(2027-01-15T12:00:00Z)): its timestamp 1799928000 (2027-01-14T12:00:00Z) is 72000 s (20 h) " +
        "before the chain's clock 1800000000 (2027-01-15T08:00:00Z)",
    ]);
  });

  it("refuses a round no policy of the feed can use, unless forced", function () {
    let refusal: unknown;
    try {
      judgeRoundAge(now - 2n * DAY, now, rules, "market.json");
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(MarketDataError);
    expect((refusal as MarketDataError).reason).to.equal("stale");
    expect(String((refusal as Error).message)).to.match(
      /^market\.json: timestamp: too old to post: .* more than the maxRoundAge of every policy of the feed \(desk-initial-v1: 3600 s \(1 h\), desk-maintenance-v1: 86400 s \(1 d\)\), so no proof could use the round; .* or --force$/,
    );
    const forced = judgeRoundAge(now - 2n * DAY, now, { ...rules, force: true }, "market.json");
    expect(forced.map((w) => /^round too old for policy (\S+):/.exec(w)?.[1])).to.deep.equal([
      "desk-initial-v1",
      "desk-maintenance-v1",
    ]);
  });
});
