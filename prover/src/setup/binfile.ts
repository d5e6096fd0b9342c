/**
 * Readers for the iden3 binary containers (`ptau`, `r1cs`, `zkey`) through @iden3/binfileutils,
 * the library snarkjs reads them with: a 4-byte magic, a version, then sections of (type u32,
 * length u64, bytes). Only the bytes asked for are read, so even very large files are inspected
 * in constant time. Every error names the file.
 */
import { readBinFile, readSection } from "@iden3/binfileutils";
import * as fs from "node:fs";

/** The highest container version snarkjs 0.7.6 writes (and reads) for each format. */
const MAX_VERSION = 1;

/** An open container: which sections it has and a bounded reader of one. */
export interface BinFile {
  file: string;
  /** True when the file has section `id`. */
  has(id: number): boolean;
  /** Byte length of section `id`; throws naming the file when it is missing. */
  size(id: number): number;
  /** Where section `id`'s bytes start in the file; throws naming the file when it is missing. */
  offset(id: number): number;
  /** `length` bytes of section `id` from `offset` (default: the rest of the section). */
  read(id: number, offset?: number, length?: number): Promise<Buffer>;
}

/**
 * Checks the magic and version of `file` before the library opens it: @iden3/binfileutils throws
 * on a bad one without closing the file (Node.js then warns when it closes it at garbage
 * collection).
 */
function checkPreamble(file: string, type: string): void {
  const preamble = Buffer.alloc(8);
  const fd = fs.openSync(file, "r");
  let read: number;
  try {
    read = fs.readSync(fd, preamble, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < 4 || preamble.toString("latin1", 0, 4) !== type) {
    throw new Error(`${file}: not a ${type} file (bad magic)`);
  }
  if (read < 8) throw new Error(`${file}: not a valid ${type} file (truncated)`);
  const version = preamble.readUInt32LE(4);
  if (version > MAX_VERSION) {
    throw new Error(
      `${file}: ${type} version ${version} is not supported (at most ${MAX_VERSION})`,
    );
  }
}

/**
 * Opens `file`, checks its magic (`type`), its version and that no section runs past its end, and
 * passes it to `fn`; the file is closed afterwards.
 */
export async function withBinFile<T>(
  file: string,
  type: string,
  fn: (bin: BinFile) => Promise<T>,
): Promise<T> {
  checkPreamble(file, type);
  let opened: Awaited<ReturnType<typeof readBinFile>>;
  try {
    opened = await readBinFile(file, type, MAX_VERSION);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${file}: not a valid ${type} file (${reason})`);
  }
  const { fd, sections } = opened;
  try {
    const entries = sections.flatMap((list) => list ?? []);
    if (entries.some((s) => s.p + s.size > fd.totalSize)) {
      throw new Error(`${file}: not a valid ${type} file (truncated)`);
    }
    const only = (id: number) => {
      const list = sections[id];
      if (list === undefined || list.length === 0) throw new Error(`${file}: no section ${id}`);
      if (list.length > 1) throw new Error(`${file}: section ${id} appears ${list.length} times`);
      return list[0];
    };
    return await fn({
      file,
      has: (id) => (sections[id]?.length ?? 0) > 0,
      size: (id) => only(id).size,
      offset: (id) => only(id).p,
      read: async (id, offset = 0, length) => {
        const section = only(id);
        const bytes = await readSection(fd, sections, id, offset, length ?? section.size - offset);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
    });
  } finally {
    await fd.close();
  }
}

/** The header fields of a ptau file. */
export interface PtauHeader {
  power: number;
  ceremonyPower: number;
  /** True when phase-2 preparation was done (section 12, the Lagrange bases, is present). */
  prepared: boolean;
  /** Phase-1 contributions recorded (section 7's count; 0 for a native development ptau). */
  contributions: number;
}

/** Reads a ptau header (section 1: n8, q, power, ceremonyPower) and its contribution count. */
export function readPtauHeader(file: string): Promise<PtauHeader> {
  return withBinFile(file, "ptau", async (bin) => {
    const n8 = (await bin.read(1, 0, 4)).readUInt32LE(0);
    const fields = await bin.read(1, 4 + n8, 8);
    if (!bin.has(7) || bin.size(7) < 4) throw new Error(`${file}: no contributions section (7)`);
    return {
      power: fields.readUInt32LE(0),
      ceremonyPower: fields.readUInt32LE(4),
      prepared: bin.has(12),
      contributions: (await bin.read(7, 0, 4)).readUInt32LE(0),
    };
  });
}

/** The header fields of an r1cs file that the setup needs. */
export interface R1csHeader {
  nConstraints: number;
  /** Public outputs plus public inputs (what snarkjs calls nPublic). */
  nPublic: number;
}

/** Reads an r1cs header (section 1: n8, prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels, nConstraints). */
export function readR1csHeader(file: string): Promise<R1csHeader> {
  return withBinFile(file, "r1cs", async (bin) => {
    const n8 = (await bin.read(1, 0, 4)).readUInt32LE(0);
    const fields = await bin.read(1, 4 + n8, 28);
    const nPubOut = fields.readUInt32LE(4);
    const nPubIn = fields.readUInt32LE(8);
    return { nConstraints: fields.readUInt32LE(24), nPublic: nPubOut + nPubIn };
  });
}
