/** Streaming file digests: sha256 for the manifest, blake2b-512 for published ptau hashes. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";

/** Hex digest of a file's bytes, read in chunks so large ptau/zkey files are never held whole. */
export async function fileDigest(
  file: string,
  algorithm: "sha256" | "blake2b512",
): Promise<string> {
  const hash = createHash(algorithm);
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 22 });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Hex sha256 of a file. */
export function sha256File(file: string): Promise<string> {
  return fileDigest(file, "sha256");
}

/** Hex sha256 of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
