/**
 * The `marketData` bytes of `MarketBook.postRound` / `RoundPosted`: how a round's market file
 * travels on-chain so that anyone can fetch it from its feed and round alone.
 *
 * Version 1 (the only one): one byte `0x01`, then the gzip (RFC 1952) of the canonical JSON
 * (`prover/src/io/canonical-json.ts`: keys sorted, no whitespace, UTF-8) of the market.json
 * document. The bytes are not what is trusted: a reader decodes them, validates the document as a
 * market.json, and recomputes the round's market commitment for the feed's layout, which must
 * equal the posted one.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { getBytes, hexlify } from "ethers";
import { InputError } from "../errors";
import { canonicalJson } from "../io/canonical-json";

/** The first byte of version-1 market data. */
export const MARKET_DATA_V1 = 0x01;

/** The largest decoded market file accepted (a guard against a decompression bomb). */
export const MAX_MARKET_DATA_BYTES = 8 * 1024 * 1024;

/** Encodes a market.json document as version-1 market data (hex string, 0x-prefixed). */
export function encodeMarketData(document: unknown): string {
  const json = Buffer.from(canonicalJson(document), "utf8");
  const packed = gzipSync(json, { level: 9 });
  return hexlify(Buffer.concat([Buffer.from([MARKET_DATA_V1]), packed]));
}

/**
 * Decodes market data back to the market.json document (not yet validated). Refusals are
 * InputErrors naming `source` (e.g. "feed 0x.. round 7") and the field `marketData`.
 */
export function decodeMarketData(data: string | Uint8Array, source: string): unknown {
  const bytes = typeof data === "string" ? getBytes(data) : data;
  if (bytes.length === 0) {
    throw new InputError(source, "marketData", "is empty: the publisher posted no market file");
  }
  if (bytes[0] !== MARKET_DATA_V1) {
    throw new InputError(
      source,
      "marketData",
      `has version byte 0x${bytes[0].toString(16).padStart(2, "0")}; only 0x01 (gzip of canonical JSON) is known`,
    );
  }
  let json: Buffer;
  try {
    json = gunzipSync(bytes.subarray(1), { maxOutputLength: MAX_MARKET_DATA_BYTES });
  } catch {
    throw new InputError(
      source,
      "marketData",
      `is not gzip data of at most ${MAX_MARKET_DATA_BYTES} bytes`,
    );
  }
  try {
    return JSON.parse(json.toString("utf8")) as unknown;
  } catch {
    throw new InputError(source, "marketData", "does not decompress to JSON");
  }
}
