/**
 * A thin circuit tester over snarkjs and the project's r1cs reader: compile once per build name,
 * compute witnesses from the compiled wasm, check them exactly against the r1cs, read signals by
 * name through the .sym file, and tamper with a valid witness to show that a lie fails the
 * constraint check (circomkit's editWitness + expectConstraintFail, without circomkit).
 */
import { expect } from "chai";
import * as fs from "node:fs";
import type { InstanceDims } from "../../prover/src/encoding/instances";
import {
  compileCustom,
  compileInstance,
  compileMain,
  type CompiledArtifacts,
} from "../../prover/src/build/compile";
import {
  firstViolatedConstraint,
  parseWtns,
  readR1cs,
  type R1cs,
} from "../../prover/src/build/r1cs";

/** A witness input: signal name -> value, array or nested array of values. */
export type WitnessInput = Record<string, unknown>;

interface MemFile {
  type: "mem";
  data?: Uint8Array;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const snarkjs = require("snarkjs") as {
  wtns: { calculate(input: unknown, wasm: string, out: MemFile): Promise<void> };
};

const cache = new Map<string, Promise<CircuitTester>>();

/** Compiled circuit plus helpers; get one with {@link CircuitTester.instance} or {@link CircuitTester.main}. */
export class CircuitTester {
  private readonly wires: Map<string, number>;

  private constructor(
    readonly artifacts: CompiledArtifacts,
    readonly r1cs: R1cs,
  ) {
    this.wires = new Map();
    for (const line of fs.readFileSync(artifacts.sym, "utf8").split("\n")) {
      const parts = line.split(",");
      if (parts.length >= 4) this.wires.set(parts.slice(3).join(","), Number(parts[1]));
    }
  }

  /** The instance `name` of circuits/instances.json, compiled once per process. */
  static instance(name: string): Promise<CircuitTester> {
    return CircuitTester.cached(`instance:${name}`, () => compileInstance(name));
  }

  /** `MarginProof` with dimensions of the test's own, compiled once per process under `name`. */
  static custom(name: string, dims: InstanceDims): Promise<CircuitTester> {
    return CircuitTester.cached(`custom:${name}`, () => compileCustom(name, dims));
  }

  /**
   * A single-template test main, compiled once per process into build/circuits/<name>/.
   * `include` is relative to circuits/ (e.g. "lib/arith.circom"), `component` e.g. "FloorDiv(8, 8)".
   */
  static main(name: string, include: string, component: string): Promise<CircuitTester> {
    const source = [
      "pragma circom 2.1.9;",
      `include "../../../circuits/${include}";`,
      `component main = ${component};`,
      "",
    ].join("\n");
    return CircuitTester.cached(`main:${name}`, () => compileMain(name, source));
  }

  /** Any other compiled circuit (e.g. the benchmark's baseline), compiled once per process under `key`. */
  static of(key: string, compile: () => Promise<CompiledArtifacts>): Promise<CircuitTester> {
    return CircuitTester.cached(`custom:${key}`, compile);
  }

  private static cached(
    key: string,
    compile: () => Promise<CompiledArtifacts>,
  ): Promise<CircuitTester> {
    let tester = cache.get(key);
    if (!tester) {
      tester = compile().then(
        (artifacts) => new CircuitTester(artifacts, readR1cs(artifacts.r1cs)),
      );
      cache.set(key, tester);
    }
    return tester;
  }

  /** Computes the witness; throws (with circom's "Assert Failed ... template" message) when a constraint fails. */
  async witness(input: WitnessInput): Promise<bigint[]> {
    const out: MemFile = { type: "mem" };
    await snarkjs.wtns.calculate(input, this.artifacts.wasm, out);
    if (!out.data) throw new Error("snarkjs wrote no witness");
    return parseWtns(out.data);
  }

  /** Index of the first constraint the witness violates, or -1. */
  violated(witness: readonly bigint[]): number {
    return firstViolatedConstraint(this.r1cs, witness);
  }

  /** The witness exists and satisfies every constraint; returns it. */
  async expectPass(input: WitnessInput): Promise<bigint[]> {
    const witness = await this.witness(input);
    expect(this.violated(witness), "violated constraint").to.equal(-1);
    return witness;
  }

  /** Witness computation fails; the error message matches `pattern` when given. */
  async expectFail(input: WitnessInput, pattern?: RegExp): Promise<void> {
    let error: unknown;
    // circom's witness calculator prints every failed assert to stderr before throwing.
    const printError = console.error;
    console.error = (): void => undefined;
    try {
      await this.witness(input);
    } catch (e) {
      error = e;
    } finally {
      console.error = printError;
    }
    expect(error, "witness computation should fail").to.be.instanceOf(Error);
    if (pattern) expect((error as Error).message).to.match(pattern);
  }

  /** Wire index of a signal by its full name (e.g. "main.amount[0]"); throws if unknown or optimised away. */
  wire(name: string): number {
    const wire = this.wires.get(name);
    if (wire === undefined) throw new Error(`unknown signal ${name}`);
    if (wire < 0) throw new Error(`signal ${name} was optimised away (no wire)`);
    return wire;
  }

  /** Edits that set the bits `<prefix>.out[i]` of a Num2Bits component to those of `value`. */
  bitEdits(prefix: string, value: bigint): Record<string, () => bigint> {
    const edits: Record<string, () => bigint> = {};
    for (const name of this.signalNames(/\.out\[\d+\]$/)) {
      const bit = /^(.*)\.out\[(\d+)\]$/.exec(name);
      if (bit && bit[1] === prefix) edits[name] = () => (value >> BigInt(bit[2])) & 1n;
    }
    return edits;
  }

  /** Names of the signals whose wires appear in constraint `index`. */
  constraintSignals(index: number): string[] {
    const { a, b, c } = this.r1cs.constraints[index];
    const wires = new Set([...a.keys(), ...b.keys(), ...c.keys()]);
    return [...this.wires].filter(([, w]) => wires.has(w)).map(([n]) => n);
  }

  /** Names of all signals (with a wire) whose name matches `pattern`. */
  signalNames(pattern: RegExp): string[] {
    return [...this.wires].filter(([n, w]) => w >= 0 && pattern.test(n)).map(([n]) => n);
  }

  /** Value of a signal in a witness, as a signed integer (values above p/2 are negatives). */
  signal(witness: readonly bigint[], name: string): bigint {
    const value = witness[this.wire(name)];
    return value > this.r1cs.prime / 2n ? value - this.r1cs.prime : value;
  }

  /**
   * Computes a valid witness for `input`, replaces signal `name` by `edit(old)` (mod p) and
   * expects the constraint check to fail. Returns the violated constraint's index.
   */
  async expectTamperFails(
    input: WitnessInput,
    name: string,
    edit: (old: bigint) => bigint,
  ): Promise<number> {
    return this.expectTamperAllFails(input, { [name]: edit });
  }

  /**
   * Like {@link expectTamperFails} with several signals changed at once, so that a lie can be
   * made consistent with every constraint but the one under test (e.g. quotient and remainder
   * moved together so that only `rem < den` can catch them).
   */
  async expectTamperAllFails(
    input: WitnessInput,
    edits: Record<string, (old: bigint) => bigint>,
  ): Promise<number> {
    const witness = await this.expectPass(input);
    const p = this.r1cs.prime;
    const tampered = [...witness];
    for (const [name, edit] of Object.entries(edits)) {
      const wire = this.wire(name);
      tampered[wire] = ((edit(witness[wire]) % p) + p) % p;
    }
    expect(tampered, "the edits must change the witness").to.not.deep.equal(witness);
    const index = this.violated(tampered);
    const names = Object.keys(edits).join(", ");
    expect(index, `tampered ${names} should violate a constraint`).to.not.equal(-1);
    return index;
  }
}
