/**
 * The auditor's side on the `small` instance: keys (on a private copy of the build folder, so
 * tampering never touches the shared one), a disclosed opening against a real proof, and the
 * on-chain history of a real submission on Hardhat's in-process network.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { Contract, Signer } from "ethers";
import {
  auditChain,
  auditKeys,
  auditOpening,
  auditPolicy,
  formatAudit,
  type AuditResult,
  type Check,
  type OpeningAuditInput,
} from "../prover/src/audit";
import {
  addCustodian,
  deployVerifier,
  deployZkMargin,
  grantPublisher,
  policyIdOf,
  postRound,
  readMarginRegistryDomain,
  registerPolicy,
  readPledgeTerms,
  signPledge,
  venueIdOf,
  submitProof,
  toSolidityProof,
} from "../prover/src/chain";
import { publicCommitments, type PublicCommitments } from "../prover/src/commitments";
import { approveVerifierOnDevChain } from "../prover/src/demo/deployment";
import { feedIdOf } from "../prover/src/layout";
import { loadInstances } from "../prover/src/encoding/instances";
import { loadMarket, loadPolicy, loadPortfolio, type Market } from "../prover/src/inputs";
import { decodePublicSignals, generateProof, type MarginProof } from "../prover/src/proving";
import { MANIFEST_VERSION, readManifest } from "../prover/src/setup/manifest";
import { PROJECT_ROOT } from "../prover/src/setup/paths";
import { bn128, releaseCurve } from "../prover/src/setup/snarkjs";
import { isoTime } from "../prover/src/report/format";
import { compileContracts, hre, now, revertAfterEachTest } from "./contracts.fixture";
import { SMALL_EXAMPLES, removeTempDirs, runCli, tempDir } from "./helpers/cli";
import { withoutDescriptorLeak } from "./helpers/open-files";
import { sharedKeysHook } from "./helpers/shared-keys";

const INSTANCE = "small";
const policyFile = path.join(SMALL_EXAMPLES, "policy.json");
const marketFile = path.join(SMALL_EXAMPLES, "market.json");
const policy = loadPolicy(policyFile);
const exampleMarket = loadMarket(marketFile);
const portfolio = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
const FILES = {
  opening: "opening.json",
  public: "public.json",
  policy: policyFile,
  market: marketFile,
  proof: "proof.json",
};

/** A deep copy of a JSON value. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The titles of the failed checks, one per line. */
function failures(result: AuditResult<unknown>): string {
  return withStatus(result, "fail")
    .map((c) => `${c.title}: ${c.detail}`)
    .join("\n");
}

/** The checks of an audit with a given status. */
function withStatus(result: AuditResult<unknown>, status: Check["status"]): Check[] {
  return result.checks.filter((c) => c.status === status);
}

/**
 * A project root of its own holding copies of the instance's manifest entry and artifacts; the
 * ptau, the circuit sources and node_modules are symlinked (read only, never tampered with).
 */
function copyRoot(): string {
  const root = tempDir("zkmargin-audit-");
  const entry = readManifest().instances[INSTANCE];
  for (const record of Object.values(entry.artifacts)) {
    if (record === undefined) continue;
    const target = path.join(root, record.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, record.path), target);
  }
  const ptau = path.join(root, entry.ptau.path);
  fs.mkdirSync(path.dirname(ptau), { recursive: true });
  fs.symlinkSync(path.resolve(PROJECT_ROOT, entry.ptau.path), ptau);
  for (const shared of ["circuits", "node_modules"]) {
    fs.symlinkSync(path.join(PROJECT_ROOT, shared), path.join(root, shared));
  }
  const manifest = { version: MANIFEST_VERSION, instances: { [INSTANCE]: entry } };
  fs.writeFileSync(path.join(root, "build", "manifest.json"), JSON.stringify(manifest, null, 2));
  return root;
}

/** Flips one byte in the middle of `file`. */
function tamper(file: string): void {
  const bytes = fs.readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] ^= 0x01;
  fs.writeFileSync(file, bytes);
}

describe("zkmargin audit", function () {
  before(sharedKeysHook(INSTANCE));

  after(async function () {
    removeTempDirs();
    await releaseCurve(); // snarkjs keeps worker threads that would hold the process open
  });

  describe("keys", function () {
    let root: string;
    let fresh: Awaited<ReturnType<typeof auditKeys>>;

    before(async function () {
      root = copyRoot();
      await bn128(); // its worker threads hold descriptors: open them before the count
      fresh = await withoutDescriptorLeak("auditKeys", () => auditKeys(INSTANCE, { root }));
    });

    it("passes on a fresh setup, with development keys flagged and the vkey hash reported", function () {
      expect(withStatus(fresh, "fail"), JSON.stringify(fresh.checks, null, 1)).to.deep.equal([]);
      expect(withStatus(fresh, "skip")).to.deep.equal([]);
      expect(fresh.ok).to.equal(true);
      const warnings = withStatus(fresh, "warn").map((c) => c.title);
      expect(warnings.join("\n")).to.match(/DEVELOPMENT KEYS, NOT FOR PRODUCTION/);
      expect(fresh.data.vkeyHash).to.equal(readManifest().instances[INSTANCE].vkeyHash);
      expect(fresh.data.contributions?.map((c) => c.name)).to.deep.equal(["zkmargin development"]);
      const titles = fresh.checks.map((c) => c.title).join("\n");
      expect(titles).to.match(/zkey is a valid proving key/);
      expect(titles).to.match(/verification key equals a fresh export/);
      expect(titles).to.match(/generated\) equals a fresh export/);
      // A development setup never reads as a plain pass: its verdict names it, with a date and the tool.
      const ptau = readManifest().instances[INSTANCE].ptau.name;
      expect(fresh.development).to.deep.equal([
        `development keys of instance ${INSTANCE}`,
        `development ptau ${ptau}`,
      ]);
      const text = formatAudit(fresh);
      expect(text).to.match(/^AUDIT PASSED ON A DEVELOPMENT SETUP \(/m);
      expect(text).to.match(/^checked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by zkmargin \d+\.\d+\.\d+/m);
    });

    it("fails with --require-production on development keys", async function () {
      const strict = await auditKeys(INSTANCE, { root, requireProduction: true });
      expect(strict.ok).to.equal(false);
      expect(
        withStatus(strict, "fail")
          .map((c) => c.title)
          .join("\n"),
      ).to.match(/DEVELOPMENT/);
    });

    for (const kind of ["zkey", "wasm", "vkey"] as const) {
      it(`fails, naming the file, after the ${kind} is tampered with`, async function () {
        const copy = copyRoot();
        const record = readManifest().instances[INSTANCE].artifacts[kind];
        const file = path.join(copy, record.path);
        tamper(file);
        const result = await auditKeys(INSTANCE, { root: copy });
        expect(result.ok).to.equal(false);
        const failed = withStatus(result, "fail");
        expect(failed.length).to.be.greaterThan(0);
        for (const check of failed) expect(check.detail).to.contain(file);
        expect(failed[0].title).to.match(/sha256 matches the manifest/);
        if (kind === "zkey") {
          expect(
            withStatus(result, "skip")
              .map((c) => c.title)
              .join("\n"),
          ).to.match(/valid proving key/);
        }
        if (kind === "vkey") {
          expect(failed.map((c) => c.title).join("\n")).to.match(
            /verification key equals a fresh export/,
          );
        }
      });
    }
  });
  describe("opening", function () {
    let proved: MarginProof;
    let honest: OpeningAuditInput;

    before(async function () {
      proved = await generateProof({
        policy,
        market: exampleMarket,
        portfolio,
        nonce: 7n,
        instance: INSTANCE,
      });
      honest = {
        opening: clone(proved.opening),
        publicSignals: clone(proved.publicSignals),
        policy,
        market: exampleMarket,
        proof: clone(proved.proof),
        files: FILES,
      };
    });

    it("passes for a real opening, verifies the proof and reports the attested figures", async function () {
      const result = await auditOpening(honest);
      expect(failures(result)).to.equal("");
      expect(result.ok).to.equal(true);
      expect(result.data.report?.equityMicroUsd).to.equal(proved.report.equityMicroUsd);
      expect(result.data.nonce).to.equal(7n);
      const titles = result.checks.map((c) => c.title).join("\n");
      expect(titles).to.match(/portfolioCommitment: recomputed/);
      expect(titles).to.match(/the proof verifies/);
      const text = formatAudit(result);
      // The proof verified with development keys: the verdict says so.
      expect(text).to.match(/^AUDIT PASSED ON A DEVELOPMENT SETUP/m);
      expect(withStatus(result, "warn").map((c) => c.title)).to.deep.include(
        `development setup: ${result.development.join(", ")}`,
      );
      expect(text).to.not.contain(proved.opening.salt);
    });

    it("fails for a changed amount", async function () {
      const opening = clone(proved.opening);
      const [symbol, amount] = Object.entries(opening.portfolio.collateral)[0];
      opening.portfolio.collateral[symbol] = (BigInt(amount.split(".")[0]) + 1n).toString();
      const result = await auditOpening({ ...honest, opening });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(/portfolioCommitment: recomputed from portfolio \+ salt/);
      expect(failures(result)).to.not.match(/marketCommitment|policyCommitment/);
    });

    it("fails for a changed salt", async function () {
      const opening = clone(proved.opening);
      opening.salt = (BigInt(opening.salt) ^ 1n).toString();
      const result = await auditOpening({ ...honest, opening });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(/portfolioCommitment: recomputed/);
    });

    it("fails for a wrong market file", async function () {
      const prices = new Map(exampleMarket.prices);
      const [symbol, price] = [...prices.entries()][0];
      prices.set(symbol, price + 1n);
      const result = await auditOpening({ ...honest, market: { ...exampleMarket, prices } });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(/marketCommitment: recomputed/);
      expect(failures(result)).to.not.match(/portfolioCommitment|policyCommitment/);
    });

    it("fails for another proof's public signals (account or nonce)", async function () {
      const publicSignals = clone(proved.publicSignals);
      publicSignals[0] = (BigInt(publicSignals[0]) + (1n << 160n)).toString(); // the next nonce
      const result = await auditOpening({ ...honest, publicSignals });
      expect(failures(result)).to.match(/nonce: the opening's equals the proof's/);
      expect(failures(result)).to.match(/the proof verifies/);
    });
    it("CLI: prints the checklist and exits 0, or 1 with the failing line; --json for machines", function () {
      const dir = tempDir();
      const write = (name: string, value: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(value));
        return file;
      };
      const args = [
        "audit",
        "opening",
        "--opening",
        write("opening.json", proved.opening),
        "--public",
        write("public.json", proved.publicSignals),
        "--policy",
        policyFile,
        "--market",
        marketFile,
        "--proof",
        write("proof.json", proved.proof),
      ];
      const passed = runCli(args);
      expect(passed.status, passed.stderr).to.equal(0);
      expect(passed.stdout).to.match(/PASS {2}portfolioCommitment: recomputed/);
      expect(passed.stdout).to.match(/Margin report of the opened portfolio/);
      expect(passed.stdout).to.match(/AUDIT PASSED/);
      expect(passed.stdout).to.not.contain(proved.opening.salt);

      const salted = { ...proved.opening, salt: (BigInt(proved.opening.salt) + 1n).toString() };
      write("opening.json", salted);
      const failed = runCli([...args, "--json"]);
      expect(failed.status).to.equal(1);
      const json = JSON.parse(failed.stdout) as AuditResult<unknown> & {
        summary: { fail: number };
      };
      expect(json.ok).to.equal(false);
      expect(json.summary.fail).to.be.greaterThan(0);
      expect(json.checks.find((c) => c.status === "fail")?.title).to.match(/portfolioCommitment/);
      // For machines too: when, by which tool, and the development setup it met.
      expect(json.checkedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(json.tool).to.match(/^zkmargin \d+\.\d+\.\d+/);
      expect(json.development).to.include(`development keys of instance ${INSTANCE}`);
      expect(failed.stdout).to.not.contain(salted.salt);
    });
  });

  describe("chain and policy", function () {
    const AUDIT_VENUE = venueIdOf("audit venue");
    let registry: Contract;
    let policyRegistry: Contract;
    let verifierAddress: string;
    let market: Market;
    let venue: PublicCommitments;
    let admin: Signer;
    let alice: Signer;
    let custodian: Signer;
    /** Holds every operational role (the default admin may hold none). */
    let operator: Signer;

    /** Registers `id` on the example's feed, proves under it as alice, returns the policy id. */
    async function registerAndProve(id: string): Promise<string> {
      const policyId = policyIdOf(id);
      await registerPolicy(policyRegistry.connect(operator) as Contract, {
        policyId,
        commitment: venue.policy,
        mode: policy.mode,
        verifier: verifierAddress,
        verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
        feed: feedIdOf(venue.layoutId),
        venue: AUDIT_VENUE,
        maxRoundAge: 3600n,
      });
      const custodianAddress = await custodian.getAddress();
      if (!(await policyRegistry.getFunction("isCustodian")(AUDIT_VENUE, custodianAddress))) {
        await addCustodian(
          policyRegistry.connect(operator) as Contract,
          AUDIT_VENUE,
          custodianAddress,
        );
      }
      await proveAs(policyId, 1n);
      return policyId;
    }

    /** Proves the example portfolio as alice under `policyId` with `nonce`, pledged afresh. */
    async function proveAs(policyId: string, nonce: bigint): Promise<void> {
      const custodianAddress = await custodian.getAddress();
      const proved = await generateProof({
        policy,
        market,
        portfolio,
        nonce,
        instance: INSTANCE,
      });
      const [portfolioCommitment] = decodePublicSignals(proved.publicSignals).portfolioCommitments;
      const pledge = await signPledge(custodian, await readMarginRegistryDomain(registry), {
        custodian: custodianAddress,
        ...(await readPledgeTerms(registry, custodianAddress, portfolio.account, AUDIT_VENUE)),
        account: portfolio.account,
        venue: AUDIT_VENUE,
        portfolioCommitment,
        issuedAt: await now(),
        validUntil: market.timestamp + 86_400n,
      });
      await submitProof(registry.connect(alice) as Contract, {
        policyId,
        round: market.round,
        portfolioCommitments: [portfolioCommitment],
        nonce,
        proof: toSolidityProof(proved.proof),
        pledges: [pledge],
      });
    }

    before(async function () {
      await compileContracts();
      [admin, alice, custodian, operator] = await hre.ethers.getSigners();
      expect(await alice.getAddress()).to.equal(portfolio.account);
      // One account holds every operational role here: the audit reads the chain, whoever wrote it.
      const me = await operator.getAddress();
      const deployment = await deployZkMargin(admin, {
        roles: { policyAdmins: [me], custodianAdmins: [me] },
      });
      registry = deployment.marginRegistry.contract;
      policyRegistry = deployment.policyRegistry.contract;
      verifierAddress = (await deployVerifier(admin, INSTANCE)).address;
      await approveVerifierOnDevChain(policyRegistry, verifierAddress);
      market = { ...exampleMarket, timestamp: (await now()) - 60n };
      venue = await publicCommitments({ policy, market, instance: loadInstances()[INSTANCE] });
      await grantPublisher(deployment.marketBook.contract, feedIdOf(venue.layoutId), me);
      await postRound(deployment.marketBook.contract.connect(operator) as Contract, {
        feed: feedIdOf(venue.layoutId),
        round: market.round,
        timestamp: market.timestamp,
        commitment: venue.market,
      });
    });

    revertAfterEachTest();

    it("chain: passes after a real submission, re-verifying its proof from the calldata", async function () {
      const policyId = await registerAndProve(policy.id);
      const result = await auditChain({
        provider: hre.ethers.provider,
        registry: await registry.getAddress(),
      });
      expect(failures(result)).to.equal("");
      expect(withStatus(result, "skip")).to.deep.equal([]);
      expect(result.ok).to.equal(true);
      expect(result.data.events.map((e) => e.policyId)).to.deep.equal([policyId]);
      expect(result.data.policies[0].instance).to.equal(INSTANCE);
      expect(result.data.policies[0].feed).to.equal(feedIdOf(venue.layoutId));
      const titles = result.checks.map((c) => c.title).join("\n");
      expect(titles).to.match(/verifier's verificationKeyHash\(\) equals the registered hash/);
      expect(titles).to.match(/runtime code equals the locally compiled/);
      expect(titles).to.match(/MarketBook holds the round in the policy's feed/);
      expect(titles).to.match(/the proof in the transaction verifies/);
      expect(titles).to.match(/the registry's status is the latest event/);
      // The status's pledge, and the pledges per custodian and venue.
      expect(result.data.pledges).to.deep.equal([
        {
          account: await alice.getAddress(),
          policyId,
          venue: AUDIT_VENUE,
          custodian: await custodian.getAddress(),
          registration: await policyRegistry.getFunction("currentRegistrationAt")(
            AUDIT_VENUE,
            await custodian.getAddress(),
          ),
          active: true,
        },
      ]);
      const perPair = result.checks.find((c) => /pledges per custodian and venue/.test(c.title))!;
      expect(perPair.title).to.equal("pledges per custodian and venue (1 pair(s))");
      expect(perPair.detail).to.equal(
        `custodian ${await custodian.getAddress()} at venue ${AUDIT_VENUE.slice(0, 10)}...: 1 pledge(s), 1 account(s)`,
      );
      expect(titles).to.match(/: 1 pledge\(s\) at venue /);
      // The policy is registered with the local development keys: the verdict says so.
      expect(result.development).to.include(`development keys of instance ${INSTANCE}`);
      expect(formatAudit(result)).to.match(/^AUDIT PASSED ON A DEVELOPMENT SETUP/m);
      // The round's Unix timestamp is shown with its ISO time.
      expect(titles).to.match(/MarketBook holds the round/);
      const round = result.checks.find((c) => /MarketBook holds the round/.test(c.title))!;
      expect(round.detail).to.include(
        `timestamp ${market.timestamp} (${isoTime(market.timestamp)})`,
      );
    });

    it("chain: reads events and statuses at one block (a proof landing later is not set against them)", async function () {
      const policyId = await registerAndProve(policy.id);
      const atBlock = await hre.ethers.provider.getBlockNumber();
      await proveAs(policyId, 2n);
      const then = await auditChain({
        provider: hre.ethers.provider,
        registry: await registry.getAddress(),
        atBlock,
      });
      expect(failures(then)).to.equal("");
      expect(then.data.events.map((e) => e.nonce)).to.deep.equal([1n]);
      const now = await auditChain({
        provider: hre.ethers.provider,
        registry: await registry.getAddress(),
      });
      expect(failures(now)).to.equal("");
      expect(now.data.events.map((e) => e.nonce)).to.deep.equal([1n, 2n]);
    });

    it("chain: fails when the registered vkey hash differs from the auditor's manifest", async function () {
      await registerAndProve(policy.id);
      // The auditor's own build: the same artifacts, but a manifest naming another key.
      const root = copyRoot();
      const file = path.join(root, "build", "manifest.json");
      const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as {
        instances: Record<string, { vkeyHash: string }>;
      };
      manifest.instances[INSTANCE].vkeyHash = `0x${"11".repeat(32)}`;
      fs.writeFileSync(file, JSON.stringify(manifest));
      const result = await auditChain({
        provider: hre.ethers.provider,
        registry: await registry.getAddress(),
        policyId: policy.id,
        instance: INSTANCE,
        root,
      });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(
        /registered verification-key hash equals the local manifest's/,
      );
      expect(failures(result)).to.match(/0x1111/);
    });

    it("chain: fails for a policy id that was never registered", async function () {
      const result = await auditChain({
        provider: hre.ethers.provider,
        registry: await registry.getAddress(),
        policyId: "no-such-policy",
      });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(/registered in PolicyRegistry/);
    });

    it("policy: passes for the registered example, tying file, feed, verifier and manifest", async function () {
      await registerAndProve(policy.id);
      const result = await auditPolicy({
        json: JSON.parse(fs.readFileSync(policyFile, "utf8")),
        file: policyFile,
        instance: INSTANCE,
        chain: { provider: hre.ethers.provider, registry: await registry.getAddress() },
      });
      expect(failures(result)).to.equal("");
      expect(result.ok).to.equal(true);
      expect(result.data.commitment).to.equal(venue.policy);
      expect(result.data.feed).to.equal(feedIdOf(venue.layoutId));
      const titles = result.checks.map((c) => c.title).join("\n");
      expect(titles).to.match(/the registered commitment is the one computed from the file/);
      expect(titles).to.match(/the registered feed is the policy's layout/);
      expect(result.development).to.include(`development keys of instance ${INSTANCE}`);
    });

    it("policy: fails for a policy registered from another file (one weight changed)", async function () {
      await registerAndProve(policy.id);
      const json = JSON.parse(fs.readFileSync(policyFile, "utf8")) as {
        assets: { WETH: { tiers: { weight: string }[] } };
      };
      json.assets.WETH.tiers[1].weight = "0.79";
      const result = await auditPolicy({
        json,
        file: policyFile,
        instance: INSTANCE,
        chain: { provider: hre.ethers.provider, registry: await registry.getAddress() },
      });
      expect(result.ok).to.equal(false);
      expect(failures(result)).to.match(/the registered commitment is the one computed/);
    });

    it("policy: lists every broken rule of a malformed policy and computes no commitment", async function () {
      const json = JSON.parse(fs.readFileSync(policyFile, "utf8")) as {
        minRatio: string;
        assets: { WETH: { tiers: { weight: string; upTo: string | null }[] } };
        perps: { "ETH-PERP": { tiers: { rate: string }[] } };
      };
      json.assets.WETH.tiers[1].weight = "0.95";
      json.perps["ETH-PERP"].tiers[1].rate = "0.01";
      const result = await auditPolicy({ json, file: policyFile, instance: INSTANCE });
      expect(result.ok).to.equal(false);
      expect(failures(result).split("\n")).to.deep.equal([
        "the policy is well formed: assets.WETH.tiers[1].weight: weights must be non-increasing (got 0.95 after 0.9)",
        "the policy is well formed: perps.ETH-PERP.tiers[1].rate: rates must be non-decreasing (got 0.01 after 0.03)",
      ]);
      expect(result.data.commitment).to.equal(undefined);
      expect(withStatus(result, "skip").map((c) => c.title)).to.deep.equal([
        `layout id and policy commitment computed on instance ${INSTANCE}`,
      ]);
    });
  });
});
