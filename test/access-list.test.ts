/**
 * EIP-2930 access lists read from a trace (`accessListFromTrace`): what is listed, and the rule
 * that lists the call's own target only when its slots pay for its entry (more than 24).
 */
import { expect } from "chai";
import { getAddress, toBeHex, zeroPadValue } from "ethers";
import { accessListFromTrace, type CallTrace, type TraceStep } from "../prover/src/chain";

const TARGET = getAddress("0x" + "11".repeat(20));
const CALLEE = getAddress("0x" + "22".repeat(20));

/** A step at depth 1 (the target) touching storage slot `slot`. */
const sload = (slot: number, depth = 1): TraceStep => ({
  op: "SLOAD",
  depth,
  stack: [toBeHex(slot)],
});

/** A STATICCALL from depth 1 into `to` (gas, to, ... with `to` second from the top). */
const call = (to: string): TraceStep => ({
  op: "STATICCALL",
  depth: 1,
  stack: ["0x0", "0x0", "0x0", "0x0", to, "0xffff"],
});

function trace(targetSlots: number): CallTrace {
  const steps: TraceStep[] = [];
  for (let i = 0; i < targetSlots; i++) steps.push(sload(i));
  steps.push(call(CALLEE), sload(7, 2), { op: "RETURN", depth: 2 });
  // A precompile (ecrecover) is never listed.
  steps.push(call("0x0000000000000000000000000000000000000001"), { op: "STOP", depth: 1 });
  return { failed: false, structLogs: steps };
}

describe("access lists from a trace", function () {
  it("lists the contracts called with their slots, and the target's slots only above 24", function () {
    const small = accessListFromTrace(trace(24), TARGET);
    expect(small).to.deep.equal([{ address: CALLEE, storageKeys: [zeroPadValue("0x07", 32)] }]);
    const large = accessListFromTrace(trace(25), TARGET);
    expect(large.map((entry) => entry.address)).to.deep.equal([TARGET, CALLEE]);
    expect(large[0].storageKeys).to.have.length(25);
  });

  it("refuses a failed call's trace", function () {
    expect(() => accessListFromTrace({ ...trace(1), failed: true }, TARGET)).to.throw(/failed/);
  });
});
