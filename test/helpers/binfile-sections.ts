/** Finding sections in the bytes of an iden3 binary file (.zkey, .wtns, .r1cs, .ptau) in tests. */

/**
 * Where section `type`'s bytes start and how many there are, in an iden3 binary file's bytes
 * (magic, version, section count, then each section's type u32, length u64 and bytes); throws
 * when the file has no such section.
 */
export function section(bytes: Uint8Array, type: number): { offset: number; length: number } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  for (let i = 0; i < view.readUInt32LE(8); i++) {
    const length = Number(view.readBigUInt64LE(at + 4));
    if (view.readUInt32LE(at) === type) return { offset: at + 12, length };
    at += 12 + length;
  }
  throw new Error(`no section ${type}`);
}
