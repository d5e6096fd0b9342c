/**
 * snarkjs's `zkey new` in native code (native/src/zkey_new.cpp): the same file, byte for byte, in
 * a fraction of the time (snarkjs computes every point sum in WebAssembly; `large` took it over
 * half an hour). One quirk is kept by asking snarkjs's own curve code: for a domain above 2^14,
 * snarkjs's circuit hash covers one H-point difference more than there are, read past the ptau's
 * section 2 when the ptau has the circuit's power; {@link snarkjsHashTail} computes those 64
 * bytes exactly as snarkjs does.
 */
import * as fs from "node:fs";
import type { NativeAddon } from "../native/addon";
import { readPtauHeader, readR1csHeader, withBinFile } from "./binfile";
import { bn128 } from "./snarkjs";

/** The power of the domain snarkjs's `zkey new` gives a circuit: 2^power > constraints + public. */
export async function circuitPower(r1cs: string): Promise<number> {
  const { nConstraints, nPublic } = await readR1csHeader(r1cs);
  let power = 1;
  while (2 ** power <= nConstraints + nPublic) power += 1;
  return power;
}

/** The thread manager of ffjavascript's curve (what snarkjs queues its WebAssembly work on). */
interface ThreadManager {
  queueAction(task: unknown[]): Promise<Uint8Array[]>;
}

/**
 * The last 64 bytes snarkjs 0.7.6 hashes into the circuit hash for the H points of a domain of
 * 2^power over `ptau`: the uncompressed affine difference of the 64 bytes at point 2n - 1 of
 * section 2 and point n - 1, by the same WebAssembly calls (g1m_subAffine, g1m_batchToAffine,
 * g1m_batchLEMtoU) on snarkjs's curve.
 */
export async function snarkjsHashTail(ptau: string, power: number): Promise<Uint8Array> {
  const n = 2 ** power;
  const tau = await withBinFile(ptau, "ptau", async (bin) => bin.offset(2));
  // Point 2n - 1 is past section 2 when the ptau has the circuit's power: the file's raw bytes.
  const read = (position: number): Buffer => {
    const fd = fs.openSync(ptau, "r");
    try {
      const bytes = Buffer.alloc(64);
      if (fs.readSync(fd, bytes, 0, 64, position) !== 64) {
        throw new Error(`${ptau}: not a valid ptau file (truncated)`);
      }
      return bytes;
    } finally {
      fs.closeSync(fd);
    }
  };
  const beyond = read(tau + (2 * n - 1) * 64);
  const last = read(tau + (n - 1) * 64);
  const curve = (await bn128()) as unknown as { tm: ThreadManager };
  const [tail] = await curve.tm.queueAction([
    { cmd: "ALLOCSET", var: 0, buff: new Uint8Array(beyond) },
    { cmd: "ALLOCSET", var: 1, buff: new Uint8Array(last) },
    { cmd: "ALLOC", var: 2, len: 96 },
    { cmd: "CALL", fnName: "g1m_subAffine", params: [{ var: 0 }, { var: 1 }, { var: 2 }] },
    { cmd: "CALL", fnName: "g1m_batchToAffine", params: [{ var: 2 }, { val: 1 }, { var: 2 }] },
    { cmd: "CALL", fnName: "g1m_batchLEMtoU", params: [{ var: 2 }, { val: 1 }, { var: 2 }] },
    { cmd: "GET", out: 0, var: 2, len: 64 },
  ]);
  return tail;
}

/**
 * Writes the initial zkey of `r1cs` over `ptau` to `zkey` (which must not exist) natively;
 * returns the circuit hash (hex), as snarkjs's `zKey.newZKey` does.
 */
export async function newZkeyNative(
  addon: NativeAddon,
  r1cs: string,
  ptau: string,
  zkey: string,
): Promise<string> {
  const power = await circuitPower(r1cs);
  const ptauPower = (await readPtauHeader(ptau)).power;
  const tail = power > 14 && power === ptauPower ? await snarkjsHashTail(ptau, power) : undefined;
  return (await addon.newZkey(r1cs, ptau, zkey, tail)).circuitHash;
}
