import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { withCommitments } from "../prover/src/commitments";
import { encodeCircuitInput, loadInstances } from "../prover/src/encoding";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import {
  acceptContribution,
  applyBeacon,
  contribute,
  finalizeCeremony,
  initCeremony,
  readTranscript,
  verifyCeremony,
} from "../prover/src/setup/ceremony";
import { loadArtifacts } from "../prover/src/setup/manifest";
import { contributeRandom } from "../prover/src/setup/phase2";
import { bn128, releaseCurve, snarkjs } from "../prover/src/setup/snarkjs";
import { withoutDescriptorLeak } from "./helpers/open-files";
import { refusal } from "./helpers/refusal";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";
import { ContractFactory, type Contract, type InterfaceAbi } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersHelpers } from "@nomicfoundation/hardhat-ethers/types";
import { toVerifierCalldata } from "../prover/src/proving/calldata";
import type { Groth16Proof } from "../prover/src/proving";
import { GENERATED_SOURCE_UNIT, projectImport } from "../prover/src/gas";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc") as {
  compile(input: string, callbacks?: { import: typeof projectImport }): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hre = require("hardhat") as HardhatRuntimeEnvironment & { ethers: HardhatEthersHelpers };

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples", "small");

/** A copy of `file` with one byte flipped at `fraction` of its length. */
function tampered(file: string, fraction: number): string {
  const bytes = fs.readFileSync(file);
  bytes[Math.floor(bytes.length * fraction)] ^= 0x5a;
  const out = `${file}.tampered`;
  fs.writeFileSync(out, bytes);
  return out;
}

describe("setup: phase-2 ceremony on the small instance", function () {
  const quiet = { log: () => undefined };
  let work: string;
  let dir: string;
  let installRoot: string;

  // The shared keys' setup brings a ptau that fits `small` into the cache, with its own timeout.
  before(sharedKeysHook("small"));
  before(async function () {
    work = buildScratchDir("tmp-ceremony-");
    dir = path.join(work, "ceremony");
    installRoot = path.join(work, "root");
    await initCeremony(dir, "small", quiet);
    await bn128(); // its worker threads hold descriptors: open them before any count
  });
  after(async function () {
    await releaseCurve();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("records three verified contributions and a closing beacon, and verifies from the r1cs and ptau, leaving no file open", async function () {
    for (const name of ["alice", "bob", "carol"]) {
      const c = await withoutDescriptorLeak(`contribute ${name}`, () => contribute(dir, name));
      expect(c.name).to.equal(name);
      expect(c.contributionHash).to.match(/^[0-9a-f]{128}$/);
    }
    const beacon = await withoutDescriptorLeak("applyBeacon", () =>
      applyBeacon(dir, "a1b2c3d4e5f60718293a4b5c6d7e8f90", 10),
    );
    expect(beacon.type).to.equal("beacon");
    const { transcript, report } = await withoutDescriptorLeak("verifyCeremony", () =>
      verifyCeremony(dir),
    );
    expect(transcript.contributions.map((c) => c.name)).to.deep.equal([
      "alice",
      "bob",
      "carol",
      "beacon",
    ]);
    expect(report.contributions.map((c) => c.hash)).to.deep.equal(
      transcript.contributions.map((c) => c.contributionHash),
    );
    expect(report.contributions[3].beacon).to.deep.equal({
      hash: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      iterationsExp: 10,
    });
    await refusal(contribute(dir, "late")).then((e) => expect(e.message).to.contain("closed"));
  });

  it("refuses a tampered contribution and one that skips accepted contributions, naming the file", async function () {
    const side = path.join(work, "side");
    fs.mkdirSync(side);
    const transcript = readTranscript(dir);
    // A valid contribution, but built on the initial zkey instead of the latest: drops three contributions.
    const forked = path.join(side, "forked.zkey");
    await contributeRandom(path.join(dir, transcript.init.file), forked, "mallory");
    const copy = path.join(work, "copy");
    fs.cpSync(dir, copy, { recursive: true });
    const t = readTranscript(copy);
    fs.writeFileSync(
      path.join(copy, "transcript.json"),
      JSON.stringify({ ...t, contributions: t.contributions.slice(0, 2) }),
    );
    const skip = await refusal(acceptContribution(copy, forked));
    expect(skip.message).to.contain(forked).and.contain("contributions where 3 were expected");

    // A proper next contribution, then one byte of it flipped.
    const honest = path.join(side, "next.zkey");
    await contributeRandom(path.join(copy, t.contributions[1].zkey.file), honest, "dave");
    const bad = await refusal(acceptContribution(copy, tampered(honest, 0.6)));
    expect(bad.message).to.contain(`${honest}.tampered`).and.contain("refused");
    expect(readTranscript(copy).contributions).to.have.length(2);
    const good = await acceptContribution(copy, honest);
    expect(good.name).to.equal("dave");
  });

  it("refuses a tampered zkey and a wrong ptau", async function () {
    const transcript = readTranscript(dir);
    const latest = path.join(dir, transcript.contributions[3].zkey.file);
    const original = fs.readFileSync(latest);
    fs.copyFileSync(tampered(latest, 0.6), latest);
    try {
      const e = await refusal(verifyCeremony(dir));
      expect(e.message).to.contain(latest).and.contain("does not match the transcript");
    } finally {
      fs.writeFileSync(latest, original);
    }
    // Wrong ptaus made on the spot, whatever the machine's ptau cache holds: another setup's
    // (a fresh accumulator) and the ceremony's own with one byte changed.
    const other = path.join(work, "other.ptau");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), 8, other);
    const changed = path.join(work, "changed.ptau");
    fs.copyFileSync(transcript.ptau.path, changed);
    const bytes = fs.readFileSync(changed);
    bytes[bytes.length >> 1] ^= 0x5a;
    fs.writeFileSync(changed, bytes);
    for (const wrongPtau of [other, changed]) {
      const wrong = await refusal(verifyCeremony(dir, { ptau: wrongPtau }));
      expect(wrong.message).to.contain(wrongPtau).and.contain("not the ceremony's ptau");
    }
  });

  it("finalizes into keys whose proof verifies with the exported key and the generated Solidity verifier", async function () {
    fs.mkdirSync(path.join(installRoot, "circuits"), { recursive: true });
    const entry = await finalizeCeremony(dir, { root: installRoot, ...quiet });
    expect(entry.kind).to.equal("ceremony");
    expect(entry.artifacts.transcript).to.not.equal(undefined);
    const artifacts = await loadArtifacts("small", { root: installRoot });
    const verifier = fs.readFileSync(artifacts.verifier, "utf8");
    expect(verifier).to.contain("contract Groth16Verifier_small {").and.contain(entry.vkeyHash);

    const policy = loadPolicy(path.join(EXAMPLES, "policy.json"));
    const market = loadMarket(path.join(EXAMPLES, "market.json"));
    const portfolio = loadPortfolio(path.join(EXAMPLES, "portfolio.json"), policy);
    const input = await withCommitments(
      encodeCircuitInput({
        policy,
        market,
        portfolio,
        salt: 12345n,
        nonce: 1n,
        instance: loadInstances().small,
      }),
    );
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      input as unknown as Record<string, unknown>,
      artifacts.wasm,
      artifacts.zkey,
    );
    expect(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, proof)).to.equal(true);
    const forged = [...publicSignals];
    forged[1] = (BigInt(forged[1]) + 1n).toString();
    expect(await snarkjs.groth16.verify(artifacts.vkey, forged, proof)).to.equal(false);

    // The ceremony's generated Solidity verifier, compiled and deployed on an EVM, agrees.
    const verifierContract = await deploySolidity(verifier, "Groth16Verifier_small");
    const args = (signals: string[]) => {
      const c = toVerifierCalldata(proof as unknown as Groth16Proof, signals);
      return [c.pA, c.pB, c.pC, c.pubSignals] as const;
    };
    expect(await verifierContract.getFunction("verifyProof")(...args(publicSignals))).to.equal(
      true,
    );
    expect(await verifierContract.getFunction("verifyProof")(...args(forged))).to.equal(false);
  });
});

/**
 * Compiles one generated verifier with the project's solcjs (its `Groth16Batch.sol` import read
 * from this checkout) and deploys `name` on Hardhat's EVM.
 */
async function deploySolidity(source: string, name: string): Promise<Contract> {
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { [GENERATED_SOURCE_UNIT]: { content: source } },
        settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
      }),
      { import: projectImport },
    ),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<
      string,
      Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>
    >;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  expect(errors.map((e) => e.formattedMessage)).to.deep.equal([]);
  const compiled = output.contracts[GENERATED_SOURCE_UNIT][name];
  const [deployer] = await hre.ethers.getSigners();
  const factory = new ContractFactory(
    compiled.abi as InterfaceAbi,
    compiled.evm.bytecode.object,
    deployer,
  );
  const contract = await factory.deploy();
  await contract.waitForDeployment();
  return contract as unknown as Contract;
}
