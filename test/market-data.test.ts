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
  marketDocumentOf,
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
