/**
 * `zkmargin inspect` and `audit chain` on a `hardhat node` holding real two-pledge proofs (demo
 * instance, C = 2; test/helpers/two-pledges.ts): a `prove` transaction, and a `proveBatch` of
 * three items of which one is accepted and two skipped. inspect lists each slot's commitment,
 * custodian and venue (text and JSON, from pledge files and from a transaction) and whether the
 * pledge still holds on-chain; a batch transaction is read item by item; the audit re-verifies
 * the accepted proofs, lists the skipped items with their reasons, and fails where it should.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import { expect } from "chai";
import type { Contract } from "ethers";
import { auditChain, type AuditResult, type Check } from "../prover/src/audit";
import { revokePledges } from "../prover/src/chain";
import { connectChain, type DemoChain } from "../prover/src/demo/chain";
import { inspectTransaction, inspectedTransactionText } from "../prover/src/inspect/transaction";
import { decodeSubmissions } from "../prover/src/inspect/submission";
import { toJson } from "../prover/src/io/json";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import { removeTempDirs, runCli, tempDir } from "./helpers/cli";
import { startHardhatNode, stopHardhatNode } from "./helpers/hardhat-node";
import { freePort } from "./helpers/ports";
import { sharedKeysHook } from "./helpers/shared-keys";
import { twoPledgeStory, type TwoPledgeStory } from "./helpers/two-pledges";

/** The failed checks, one per line. */
const failures = (r: AuditResult<unknown>) =>
  r.checks
    .filter((c) => c.status === "fail")
    .map((c) => `${c.title}: ${c.detail}`)
    .join("\n");
const withStatus = (r: AuditResult<unknown>, status: Check["status"]) =>
  r.checks.filter((c) => c.status === status);

describe("inspect and audit chain: pledges per slot, batches item by item (demo instance, hardhat node)", function () {
  let node: ChildProcess | undefined;
  let chain: DemoChain | undefined;
  let rpc: string;
  let story: TwoPledgeStory;
  let dir: string;
  let registry: string;
  let custodianA: string;
  let custodianB: string;
  let account: string;

  before(sharedKeysHook("demo"));
  before(sharedKeysHook("small")); // the auditor's wrong key in the FAIL case
  before(async function () {
    const port = await freePort();
    node = await startHardhatNode(port);
    rpc = `http://127.0.0.1:${port}`;
    chain = await connectChain(rpc);
    story = await twoPledgeStory(chain.signers, chain.provider);
    registry = await story.venue.marginRegistry.contract.getAddress();
    custodianA = await story.custodians[0].getAddress();
    custodianB = await story.custodians[1].getAddress();
    account = await story.holder.getAddress();
    dir = tempDir("zkmargin-inspect-");
    fs.writeFileSync(path.join(dir, "public.json"), toJson(story.first.proved.publicSignals));
    story.first.files.forEach((f, i) =>
      fs.writeFileSync(path.join(dir, `pledge-${i + 1}.json`), toJson(f)),
    );
  });

  after(async function () {
    await chain?.close();
    if (node) stopHardhatNode(node);
    removeTempDirs();
    await releaseCurve();
  });

  const pledgeArgs = () => ["--pledge", "pledge-1.json", "--pledge", "pledge-2.json"];
  const cli = (...args: string[]) => runCli(["inspect", ...args], { cwd: dir });

  it("inspect --public with the two pledge files lists each slot's commitment, custodian and venue (text, JSON)", function () {
    const [c1, c2] = story.first.commitments;
    const text = cli("--public", "public.json", ...pledgeArgs());
    expect(text.status, text.stderr).to.equal(0);
    const line = (label: string) =>
      text.stdout.split("\n").find((l) => l.startsWith(`${label} `)) ?? "";
    expect(line("slot 1 commitment")).to.include(c1.toString());
    expect(line("slot 2 commitment")).to.include(c2.toString());
    expect(line("slot 1 custodian")).to.match(
      new RegExp(`${custodianA} \\(registration \\d+, epoch 0\\)`),
    );
    expect(line("slot 2 custodian")).to.include(custodianB);
    expect(line("slot 1 venue")).to.include(story.venue.venue);
    expect(line("slot 2 venue")).to.include(story.venue.venue);
    expect(line("slot 1 on-chain")).to.include("not checked on-chain");

    const json = cli("--public", "public.json", ...pledgeArgs(), "--json");
    expect(json.status, json.stderr).to.equal(0);
    const slots = (
      JSON.parse(json.stdout) as {
        slots: { slot: number; commitment: string; venue: string; pledge: { custodian: string } }[];
      }
    ).slots;
    expect(slots.map((s) => [s.slot, s.commitment, s.pledge.custodian, s.venue])).to.deep.equal([
      [1, c1.toString(), custodianA, story.venue.venue],
      [2, c2.toString(), custodianB, story.venue.venue],
    ]);

    // With the chain: both registrations and epochs are current, neither pledge expired.
    const read = cli(
      "--public",
      "public.json",
      ...pledgeArgs(),
      "--rpc",
      rpc,
      "--registry",
      registry,
    );
    expect(read.status, read.stderr).to.equal(0);
    expect(
      read.stdout.match(/^slot \d on-chain +holds: registration \d+ and epoch 0 are current/gm),
    ).to.have.length(2);
  });

  it("inspect --pledge refuses pledges out of slot order, naming the file and the field", function () {
    const swapped = cli(
      "--public",
      "public.json",
      "--pledge",
      "pledge-2.json",
      "--pledge",
      "pledge-1.json",
    );
    expect(swapped.status).to.equal(1);
    expect(swapped.stderr).to.match(
      /pledge-2\.json: portfolioCommitment: is not the proof's slot 1 commitment/,
    );
    const one = cli("--public", "public.json", "--pledge", "pledge-1.json");
    expect(one.status).to.equal(1);
    expect(one.stderr).to.match(/uses 2 pledge slot\(s\) and 1 pledge file\(s\) were given/);
  });

  it("inspect --tx of the prove transaction shows the submission with both custodians and the policy's venue", function () {
    const text = cli("--tx", story.proveTx, "--rpc", rpc, "--registry", registry);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/^call +prove$/m);
    expect(text.stdout).to.match(/^submission +ACCEPTED \(MarginProved\)$/m);
    expect(text.stdout).to.match(new RegExp(`^slot 1 custodian +${custodianA} `, "m"));
    expect(text.stdout).to.match(new RegExp(`^slot 2 custodian +${custodianB} `, "m"));
    expect(text.stdout).to.match(new RegExp(`^slot 2 venue +${story.venue.venue}$`, "m"));
    expect(text.stdout.match(/^slot \d on-chain +holds: /gm)).to.have.length(2);
    const json = JSON.parse(
      cli("--tx", story.proveTx, "--rpc", rpc, "--registry", registry, "--json").stdout,
    ) as {
      method: string;
      submissions: {
        outcome: string;
        nonce: string;
        slots: { pledge: { custodian: string }; venue: string; onChain: { holds: boolean } }[];
      }[];
    };
    expect(json.method).to.equal("prove");
    expect(json.submissions).to.have.length(1);
    expect(json.submissions[0].outcome).to.equal("accepted");
    expect(
      json.submissions[0].slots.map((s) => [s.pledge.custodian, s.venue, s.onChain.holds]),
    ).to.deep.equal([
      [custodianA, story.venue.venue, true],
      [custodianB, story.venue.venue, true],
    ]);
  });

  it("decodes the batch transaction item by item, and inspect --tx lists each: skipped with its reason or accepted", async function () {
    const tx = await chain!.provider.getTransaction(story.batchTx);
    const contract = story.venue.marginRegistry.contract;
    const items = decodeSubmissions(tx!, registry, contract.interface);
    expect(
      items.map((s) => [s.method, s.batch?.index, s.batch?.size, s.account, s.nonce]),
    ).to.deep.equal([
      ["proveBatch", 0, 3, account, 2n],
      ["proveBatch", 1, 3, account, 2n],
      ["proveBatch", 2, 3, account, 2n],
    ]);
    expect(items[1].pledges).to.deep.equal(story.second.pledges);
    expect(items[0].pledges[1]).to.deep.equal(story.second.pledges[1]);
    expect(items[0].pledges[0].validUntil < story.second.pledges[0].validUntil).to.equal(true);

    const inspected = await inspectTransaction(
      chain!.provider,
      {
        marginRegistry: contract as Contract,
        policyRegistry: story.venue.policyRegistry.contract as Contract,
      },
      story.batchTx,
    );
    expect(inspected.submissions.map((s) => [s.index, s.outcome])).to.deep.equal([
      [0, "skipped"],
      [1, "accepted"],
      [2, "skipped"],
    ]);
    expect(inspected.submissions[0].skipReason).to.match(/^PledgeExpired\(0, /);
    expect(inspected.submissions[2].skipReason).to.match(/^NonceNotIncreasing\(2, 2\)/);
    // The expired pledge is EXPIRED on-chain; the accepted item's two pledges hold.
    expect(inspected.submissions[0].slots[0].onChain).to.deep.include({
      expired: true,
      holds: false,
    });
    expect(inspected.submissions[1].slots.map((s) => s.onChain?.holds)).to.deep.equal([true, true]);
    expect(inspectedTransactionText(inspected)).to.match(/^slot 1 on-chain +EXPIRED$/m);

    const text = cli("--tx", story.batchTx, "--rpc", rpc, "--registry", registry);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/^call +proveBatch of 3 item\(s\): 1 accepted, 2 skipped$/m);
    expect(text.stdout).to.match(/^item 0 +SKIPPED, not accepted: PledgeExpired\(0, \d+\): /m);
    expect(text.stdout).to.match(/^item 1 +ACCEPTED \(MarginProved\)$/m);
    expect(text.stdout).to.match(/^item 2 +SKIPPED, not accepted: NonceNotIncreasing\(2, 2\): /m);
    const json = JSON.parse(
      cli("--tx", story.batchTx, "--rpc", rpc, "--registry", registry, "--json").stdout,
    ) as {
      submissions: { index: number; outcome: string; slots: { pledge: { custodian: string } }[] }[];
    };
    expect(
      json.submissions.map((s) => [s.index, s.outcome, s.slots[1].pledge.custodian]),
    ).to.deep.equal([
      [0, "skipped", custodianB],
      [1, "accepted", custodianB],
      [2, "skipped", custodianB],
    ]);
  });

  it("audit chain passes over the single and the batched submissions, and lists the skipped items with their reasons", async function () {
    const result = await auditChain({ provider: chain!.provider, registry });
    expect(failures(result)).to.equal("");
    expect(withStatus(result, "skip")).to.deep.equal([]);
    expect(result.ok).to.equal(true);
    // Two accepted proofs (nonce 1 by prove, nonce 2 as batch item 1), each re-verified.
    expect(result.data.events.map((e) => [e.nonce, e.transactionHash])).to.deep.equal([
      [1n, story.proveTx],
      [2n, story.batchTx],
    ]);
    const verified = result.checks.filter((c) =>
      /the proof in the transaction verifies/.test(c.title),
    );
    expect(verified.map((c) => [c.status, c.detail])).to.deep.equal([
      ["pass", "instance demo"],
      ["pass", "instance demo (item 1 of a batch of 3)"],
    ]);
    expect(result.data.batches).to.deep.equal([
      {
        blockNumber: result.data.events[1].blockNumber,
        transactionHash: story.batchTx,
        items: 3,
        accepted: [1],
        skipped: [0, 2],
      },
    ]);
    expect(result.data.skipped.map((s) => [s.index, s.error])).to.deep.equal([
      [0, "PledgeExpired"],
      [2, "NonceNotIncreasing"],
    ]);
    const skipped = result.checks.filter((c) => /skipped, not accepted/.test(c.title));
    expect(skipped.map((c) => c.status)).to.deep.equal(["info", "info"]);
    expect(skipped[1].detail).to.match(/^NonceNotIncreasing\(2, 2\): /);
    // The status's two pledges, per custodian and venue.
    expect(result.data.pledges.map((p) => [p.custodian, p.venue, p.active])).to.deep.equal([
      [custodianA, story.venue.venue, true],
      [custodianB, story.venue.venue, true],
    ]);
  });

  it("audit chain FAILS, item by item, when the proofs do not verify with the auditor's key", async function () {
    // The auditor takes the small instance's key for a policy proved on demo: nothing verifies.
    const result = await auditChain({ provider: chain!.provider, registry, instance: "small" });
    expect(result.ok).to.equal(false);
    const failed = failures(result);
    expect(failed).to.match(/registered verification-key hash equals the local manifest's/);
    expect(failed).to.match(
      /nonce 1\): the proof in the transaction verifies .*: the proof does not verify with the local verification key/,
    );
    expect(failed).to.match(
      /nonce 2\): the proof in the transaction verifies .*: the proof \(item 1 of a batch of 3\) does not verify with the local verification key/,
    );
    // The skipped items are still listed, never as accepted proofs.
    expect(result.data.skipped.map((s) => s.index)).to.deep.equal([0, 2]);
    expect(result.data.events.map((e) => e.nonce)).to.deep.equal([1n, 2n]);
  });

  it("inspect shows a pledge revoked by its custodian, slot by slot (runs last: it changes the chain)", async function () {
    await revokePledges(story.venue.registryAs(story.custodians[1]) as Contract, account);
    const text = cli("--tx", story.proveTx, "--rpc", rpc, "--registry", registry);
    expect(text.status, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/^slot 1 on-chain +holds: /m);
    expect(text.stdout).to.match(/^slot 2 on-chain +REVOKED \(epoch 0, now [1-9]\d*\)$/m);
  });
});
