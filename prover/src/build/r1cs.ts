/**
 * Minimal readers for the iden3 binary formats that circom and snarkjs write: `.r1cs` (header and
 * constraints) and `.wtns` (witness), plus an exact bigint check of a witness against the
 * constraints. No curve or worker threads are involved, so callers exit promptly.
 */
import * as fs from "node:fs";

/** A linear combination: wire index -> coefficient (mod p). */
export type LinearCombination = Map<number, bigint>;

/** One R1CS constraint `A * B = C` (each side a linear combination of wires). */
export interface Constraint {
  a: LinearCombination;
  b: LinearCombination;
  c: LinearCombination;
}

/** The header of an r1cs file. */
export interface R1csHeader {
  prime: bigint;
  nWires: number;
  nPublicOutputs: number;
  nPublicInputs: number;
  nPrivateInputs: number;
  nConstraints: number;
}

/** A parsed r1cs file. */
export interface R1cs extends R1csHeader {
  constraints: Constraint[];
}

interface Section {
  type: number;
  start: number;
  size: number;
}

function readSections(buf: Buffer, magic: string, file: string): Section[] {
  if (buf.toString("ascii", 0, 4) !== magic) throw new Error(`${file}: not a ${magic} file`);
  const count = buf.readUInt32LE(8);
  const sections: Section[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    const type = buf.readUInt32LE(pos);
    const size = Number(buf.readBigUInt64LE(pos + 4));
    sections.push({ type, start: pos + 12, size });
    pos += 12 + size;
  }
  return sections;
}

function section(sections: Section[], type: number, file: string): Section {
  const found = sections.find((s) => s.type === type);
  if (!found) throw new Error(`${file}: missing section ${type}`);
  return found;
}

function readLe(buf: Buffer, start: number, n8: number): bigint {
  let value = 0n;
  for (let i = n8 - 1; i >= 0; i--) value = (value << 8n) | BigInt(buf[start + i]);
  return value;
}

function parseHeader(buf: Buffer, sections: Section[], file: string): R1csHeader & { n8: number } {
  let pos = section(sections, 1, file).start;
  const n8 = buf.readUInt32LE(pos);
  pos += 4;
  const prime = readLe(buf, pos, n8);
  pos += n8;
  const nWires = buf.readUInt32LE(pos);
  const nPublicOutputs = buf.readUInt32LE(pos + 4);
  const nPublicInputs = buf.readUInt32LE(pos + 8);
  const nPrivateInputs = buf.readUInt32LE(pos + 12);
  const nConstraints = buf.readUInt32LE(pos + 24); // after nLabels (u64)
  return { n8, prime, nWires, nPublicOutputs, nPublicInputs, nPrivateInputs, nConstraints };
}

/** Reads only the header of an r1cs file (cheap even for the largest instance). */
export function readR1csHeader(file: string): R1csHeader {
  const fd = fs.openSync(file, "r");
  try {
    const read = (pos: number, length: number): Buffer => {
      const out = Buffer.alloc(length);
      fs.readSync(fd, out, 0, length, pos);
      return out;
    };
    const preamble = read(0, 12);
    if (preamble.toString("ascii", 0, 4) !== "r1cs") throw new Error(`${file}: not a r1cs file`);
    const count = preamble.readUInt32LE(8);
    let pos = 12;
    for (let i = 0; i < count; i++) {
      const entry = read(pos, 12);
      const size = Number(entry.readBigUInt64LE(4));
      if (entry.readUInt32LE(0) === 1) {
        const body = read(pos + 12, size);
        const { n8, ...header } = parseHeader(body, [{ type: 1, start: 0, size }], file);
        if (n8 !== 32) throw new Error(`${file}: field elements of ${n8} bytes, expected 32 (BN254)`);
        return header;
      }
      pos += 12 + size;
    }
    throw new Error(`${file}: missing header section`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads an r1cs file with its constraints. */
export function readR1cs(file: string): R1cs {
  const buf = fs.readFileSync(file);
  const sections = readSections(buf, "r1cs", file);
  const { n8, ...header } = parseHeader(buf, sections, file);
  let pos = section(sections, 2, file).start;
  const readLc = (): LinearCombination => {
    const lc: LinearCombination = new Map();
    const terms = buf.readUInt32LE(pos);
    pos += 4;
    for (let t = 0; t < terms; t++) {
      const wire = buf.readUInt32LE(pos);
      lc.set(wire, readLe(buf, pos + 4, n8));
      pos += 4 + n8;
    }
    return lc;
  };
  const constraints: Constraint[] = [];
  for (let i = 0; i < header.nConstraints; i++) {
    constraints.push({ a: readLc(), b: readLc(), c: readLc() });
  }
  return { ...header, constraints };
}

/** Parses a `.wtns` file's bytes into the witness vector (wire 0 is the constant 1). */
export function parseWtns(bytes: Uint8Array): bigint[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections = readSections(buf, "wtns", "witness");
  const header = section(sections, 1, "witness");
  const n8 = buf.readUInt32LE(header.start);
  const count = buf.readUInt32LE(header.start + 4 + n8);
  const data = section(sections, 2, "witness").start;
  return Array.from({ length: count }, (_, i) => readLe(buf, data + i * n8, n8));
}

/** Index of the first constraint that `witness` violates, or -1 when it satisfies all. */
export function firstViolatedConstraint(r1cs: R1cs, witness: readonly bigint[]): number {
  const p = r1cs.prime;
  const evaluate = (lc: LinearCombination): bigint => {
    let sum = 0n;
    for (const [wire, coeff] of lc) sum += coeff * witness[wire];
    return sum % p;
  };
  for (let i = 0; i < r1cs.constraints.length; i++) {
    const { a, b, c } = r1cs.constraints[i];
    if ((((evaluate(a) * evaluate(b) - evaluate(c)) % p) + p) % p !== 0n) return i;
  }
  return -1;
}
