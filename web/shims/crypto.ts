/** `node:crypto` in the browser bundle: `randomBytes` from the Web Crypto CSPRNG. */
import { Buffer } from "buffer";

/** `n` bytes from `crypto.getRandomValues`, as a Buffer like Node's. */
export function randomBytes(n: number): Buffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}

export default { randomBytes };
