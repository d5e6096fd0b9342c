/**
 * Header readers for the iden3 binary containers (`ptau`, `r1cs`): a 4-byte magic, a version, a
 * section count, then sections of (type u32, length u64, bytes). Only headers are read, so even
 * very large files are inspected in constant time.
 */
import * as fs from "node:fs";

/** One section of a container: its type and where its bytes start. */
export interface Section {
  type: number;
  offset: number;
  length: number;
}

/** Opens `file`, checks its magic, and passes its section table and a bounded reader to `fn`. */
export function withContainer<T>(
  file: string,
  magic: string,
  fn: (sections: Section[], read: (position: number, length: number) => Buffer) => T,
): T {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const read = (position: number, length: number): Buffer => {
      if (position + length > size)
        throw new Error(`${file}: not a valid ${magic} file (truncated)`);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, position);
      return buffer;
    };
    if (read(0, 4).toString("latin1") !== magic)
      throw new Error(`${file}: not a ${magic} file (bad magic)`);
    const nSections = read(8, 4).readUInt32LE(0);
    const sections: Section[] = [];
    let position = 12;
    for (let i = 0; i < nSections; i += 1) {
      const head = read(position, 12);
      const length = Number(head.readBigUInt64LE(4));
      sections.push({ type: head.readUInt32LE(0), offset: position + 12, length });
      position += 12 + length;
    }
    if (position > size) throw new Error(`${file}: not a valid ${magic} file (truncated)`);
    return fn(sections, read);
  } finally {
    fs.closeSync(fd);
  }
}

function headerSection(file: string, sections: Section[]): Section {
  const header = sections.find((s) => s.type === 1);
  if (!header) throw new Error(`${file}: no header section`);
  return header;
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
export function readPtauHeader(file: string): PtauHeader {
  return withContainer(file, "ptau", (sections, read) => {
    const header = headerSection(file, sections);
    const n8 = read(header.offset, 4).readUInt32LE(0);
    const fields = read(header.offset + 4 + n8, 8);
    const contributions = sections.find((s) => s.type === 7);
    if (!contributions || contributions.length < 4) {
      throw new Error(`${file}: no contributions section (7)`);
    }
    return {
      power: fields.readUInt32LE(0),
      ceremonyPower: fields.readUInt32LE(4),
      prepared: sections.some((s) => s.type === 12),
      contributions: read(contributions.offset, 4).readUInt32LE(0),
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
export function readR1csHeader(file: string): R1csHeader {
  return withContainer(file, "r1cs", (sections, read) => {
    const header = headerSection(file, sections);
    const n8 = read(header.offset, 4).readUInt32LE(0);
    const fields = read(header.offset + 4 + n8, 28);
    const nPubOut = fields.readUInt32LE(4);
    const nPubIn = fields.readUInt32LE(8);
    return { nConstraints: fields.readUInt32LE(24), nPublic: nPubOut + nPubIn };
  });
}
