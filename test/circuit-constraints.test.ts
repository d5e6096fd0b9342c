/**
 * Constraint counts pinned per instance (circuits/constraints.snapshot.json), so that growth is a
 * reviewed change. small and demo always; standard and large (slow to compile with the WASM
 * compiler) only with ZKMARGIN_ALL_INSTANCES=1. Update the snapshot from `npm run constraints`.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileInstance } from "../prover/src/build/compile";
import { loadInstances } from "../prover/src/encoding/instances";

const SNAPSHOT = path.resolve(__dirname, "../circuits/constraints.snapshot.json");
const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>;
const ALWAYS = ["small", "demo"];
const LIMITS: Record<string, number> = { small: 1 << 13, demo: 1 << 14 };

describe("circuit: constraint counts", function () {
  it("pins every instance of circuits/instances.json", function () {
    expect(Object.keys(snapshot).sort()).to.deep.equal(Object.keys(loadInstances()).sort());
  });

  for (const name of Object.keys(loadInstances())) {
    const run = ALWAYS.includes(name) || process.env.ZKMARGIN_ALL_INSTANCES === "1";
    (run ? it : it.skip)(`${name} has exactly ${snapshot[name]} constraints`, async function () {
      const { constraints } = await compileInstance(name);
      expect(constraints).to.equal(snapshot[name]);
      if (name in LIMITS) expect(constraints).to.be.at.most(LIMITS[name]);
    });
  }
});
