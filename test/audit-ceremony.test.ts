/**
 * `audit ceremony` (and `audit keys` on ceremony keys) on a real small-instance ceremony: one
 * contribution and a beacon, installed into a private project root.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { auditCeremony, auditKeys, type AuditResult } from "../prover/src/audit";
import {
  applyBeacon,
  contribute,
  finalizeCeremony,
  initCeremony,
  readTranscript,
} from "../prover/src/setup/ceremony";
import { PROJECT_ROOT } from "../prover/src/setup/paths";
import { bn128, releaseCurve } from "../prover/src/setup/snarkjs";
import { withoutDescriptorLeak } from "./helpers/open-files";
import { buildScratchDir } from "./helpers/scratch";

const quiet = { log: () => undefined };

function failures(result: AuditResult<unknown>): string {
  return result.checks
    .filter((c) => c.status === "fail" || c.status === "skip")
    .map((c) => `${c.status} ${c.title}: ${c.detail}`)
    .join("\n");
}

describe("zkmargin audit ceremony (small instance)", function () {
  let work: string;
  let dir: string;
  let root: string;

  before(async function () {
    work = buildScratchDir("tmp-audit-ceremony-");
    dir = path.join(work, "ceremony");
    root = path.join(work, "root");
    fs.mkdirSync(root);
    for (const shared of ["circuits", "node_modules"]) {
      fs.symlinkSync(path.join(PROJECT_ROOT, shared), path.join(root, shared));
    }
    await initCeremony(dir, "small", quiet);
    await contribute(dir, "alice");
    await applyBeacon(dir, "0c1e24f0a5d3b7c9", 10);
    await finalizeCeremony(dir, { root, ...quiet });
    await bn128(); // its worker threads hold descriptors: open them before any count
  });

  after(async function () {
    await releaseCurve();
    if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
  });

  it("passes for a closed, installed ceremony, one line per contributor and the beacon, leaving no file open", async function () {
    const result = await withoutDescriptorLeak("auditCeremony", () => auditCeremony(dir, { root }));
    expect(failures(result)).to.equal("");
    expect(result.ok).to.equal(true);
    expect(result.data.contributors?.map((c) => [c.name, c.type])).to.deep.equal([
      ["alice", "contribution"],
      ["beacon", "beacon"],
    ]);
    const titles = result.checks.map((c) => `${c.status} ${c.title}`).join("\n");
    expect(titles).to.match(/pass #1 contribution "alice": contribution hash/);
    expect(titles).to.match(/pass a public random beacon closes the ceremony/);
    expect(titles).to.match(/pass the manifest's final zkey is the ceremony's/);
    expect(titles).to.match(/warn ptau: DEVELOPMENT/);
    // A ceremony on a development ptau is still a development setup, and its verdict says so.
    expect(result.development).to.deep.equal([`development ptau ${readTranscript(dir).ptau.name}`]);
  });

  it("audit keys accepts the installed ceremony keys and matches them to the transcript, leaving no file open", async function () {
    const result = await withoutDescriptorLeak("auditKeys", () => auditKeys("small", { root }));
    expect(failures(result)).to.equal("");
    expect(result.data.kind).to.equal("ceremony");
    const titles = result.checks.map((c) => `${c.status} ${c.title}`).join("\n");
    expect(titles).to.match(/pass setup kind: multi-party ceremony/);
    expect(titles).to.match(/pass the zkey's contributions are exactly the ceremony transcript's/);
    // Ceremony keys, but on the development ptau: not development keys, still a development setup.
    expect(result.development).to.have.length(1);
    expect(result.development[0]).to.match(/^development ptau /);
  });

  it("fails, naming the file, when a recorded zkey is tampered with", async function () {
    const first = readTranscript(dir).contributions[0].zkey.file;
    const file = path.join(dir, first);
    const original = fs.readFileSync(file);
    const bytes = Buffer.from(original);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(file, bytes);
    try {
      const result = await auditCeremony(dir, { root });
      expect(result.ok).to.equal(false);
      const failed = result.checks.filter((c) => c.status === "fail");
      expect(failed[0].title).to.match(/zkey after #1 "alice": sha256 matches the transcript/);
      expect(failed[0].detail).to.contain(file);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it("fails when the project's manifest does not install this ceremony's keys", async function () {
    const elsewhere = path.join(work, "empty-root");
    fs.mkdirSync(elsewhere, { recursive: true });
    const result = await auditCeremony(dir, { root: elsewhere });
    expect(result.ok).to.equal(false);
    expect(failures(result)).to.match(/the manifest installs ceremony keys for instance small/);
  });
});
