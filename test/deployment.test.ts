/**
 * `zkmargin deploy` in the SDK against a real `hardhat node`: the Ignition modules deploy and wire
 * the contracts with separate role holders and propose the verifier; `deploy policy` refuses
 * before the approval delay has passed (saying when), then approves the verifier, registers a
 * policy with its custodian, venue and feed publisher, writes a deployment file the other verbs
 * read, and everything resumes from the journal without sending again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { publisherRoleOf, venueRoleOf } from "../prover/src/chain";
import {
  VerifierApprovalPendingError,
  checkDeploymentChain,
  deployContracts,
  deployPolicy,
  deployedContracts,
  feedLayoutOf,
  readDeployment,
  verifierApprovals,
  writeDeployment,
  type Deployment,
} from "../prover/src/deployment";
import { loadPolicy } from "../prover/src/inputs";
import { readJsonFile } from "../prover/src/io";
import { compileContracts } from "./contracts.fixture";
import { refusal } from "./helpers/refusal";
import { nodeWallet, startRpcNode, type RpcNode } from "./helpers/hardhat-node";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const POLICY_FILE = path.join(ROOT, "examples", "small", "policy.json");
const role = (name: string) => keccak256(toUtf8Bytes(`zkmargin.${name}`));
const APPROVAL_DELAY = 600n;

describe("deployment (Ignition modules, hardhat node)", function () {
  let node: RpcNode;
  let dir: string;
  let deployment: Deployment;
  const [deployer, admin, publisher, policyAdmin, custodianAdmin, custodian, venue] = [
    0, 1, 2, 3, 4, 5, 6,
  ].map(nodeWallet);

  /** The contracts module's options: each role its own holder, a final admin to hand over to. */
  const contractsOptions = () => ({
    rpc: node.url,
    deployer,
    instances: ["small"],
    admin: admin.address,
    adminDelay: 3600n,
    verifierApprovalDelay: APPROVAL_DELAY,
    policyAdmins: [policyAdmin.address],
    custodianAdmins: [custodianAdmin.address],
    journalDir: path.join(dir, "journal"),
  });

  /** `deployPolicy`'s options for the small example policy, with `overrides`. */
  const policyOptions = (overrides: Partial<Parameters<typeof deployPolicy>[0]> = {}) => ({
    rpc: node.url,
    deployment,
    file: path.join(dir, "deployment.json"),
    policy: loadPolicy(POLICY_FILE),
    document: readJsonFile(POLICY_FILE),
    instance: "small",
    maxRoundAge: 3600n,
    supersededGrace: 300n,
    cureWindow: 900n,
    requiresAttestation: true,
    custodians: [],
    venues: [],
    signers: { policyAdmin, admin: deployer },
    journalDir: path.join(dir, "journal"),
    ...overrides,
  });

  before(sharedKeysHook("small"));
  before(async function () {
    await compileContracts();
    node = await startRpcNode();
    dir = buildScratchDir("deployment-");
  });

  after(async function () {
    await node?.stop();
  });

  it("deploys the contracts and the verifier, grants each role to its own holder, proposes the verifier", async function () {
    deployment = await deployContracts(contractsOptions());
    const c = deployedContracts(deployment, node.provider);
    // Publishers are per feed: granted with the policies that name the feeds.
    expect(deployment.roles.publishers).to.deep.equal({});
    expect(
      await c.policyRegistry.getFunction("hasRole")(role("POLICY_ADMIN_ROLE"), policyAdmin.address),
    ).to.equal(true);
    expect(
      await c.policyRegistry.getFunction("hasRole")(
        role("CUSTODIAN_ADMIN_ROLE"),
        custodianAdmin.address,
      ),
    ).to.equal(true);
    // The deployer holds no operational role, and hands the admin over (two steps, delayed).
    expect(await c.policyRegistry.getFunction("operationalRoleCount")(deployer.address)).to.equal(
      0n,
    );
    for (const contract of [c.marketBook, c.policyRegistry]) {
      const [pending] = await contract.getFunction("pendingDefaultAdmin")();
      expect(pending).to.equal(admin.address);
      expect(await contract.getFunction("defaultAdminDelay")()).to.equal(3600n);
    }
    // Proposed, not approved: approvable APPROVAL_DELAY after the proposal.
    const verifier = deployment.verifiers.small;
    const codeHash = keccak256(await node.provider.getCode(verifier.address));
    expect(await c.policyRegistry.getFunction("approvedKeyHash")(codeHash)).to.equal(ZeroHash);
    const [approval] = await verifierApprovals(node.url, deployment);
    expect(approval.codeHash).to.equal(codeHash);
    expect(approval.approved).to.equal(false);
    expect(Number(approval.effectiveAt - approval.chainTime)).to.be.within(
      Number(APPROVAL_DELAY) - 30,
      Number(APPROVAL_DELAY),
    );
    expect((await c.policyRegistry.getFunction("verifierApproval")(codeHash)).keyHash).to.equal(
      verifier.verificationKeyHash,
    );
    expect(deployment.chainId).to.equal("31337");
    await checkDeploymentChain(deployment, node.provider, "deployment.json");
  });

  it("resumes from the journal: a second run sends nothing and returns the same addresses", async function () {
    const before = await node.provider.getTransactionCount(deployer.address);
    const again = await deployContracts(contractsOptions());
    expect(again.contracts).to.deep.equal(deployment.contracts);
    expect(await node.provider.getTransactionCount(deployer.address)).to.equal(before);
  });

  it("refuses to register a policy before the verifier's approval delay has passed, saying when", async function () {
    const [approval] = await verifierApprovals(node.url, deployment);
    const error = await refusal(deployPolicy(policyOptions()));
    expect(error).to.be.instanceOf(VerifierApprovalPendingError);
    expect((error as VerifierApprovalPendingError).effectiveAt).to.equal(approval.effectiveAt);
    expect(error.message).to.match(
      new RegExp(`can be approved from ${approval.effectiveAt} \\(.*Z\\) by the chain's clock`),
    );
  });

  it("approves the verifier after the delay, registers a policy signed by the policy admin, its custodian by the custodian admin, its venue and publisher by the admin", async function () {
    // The admin accepts the transfer after the delay (the deployer's grants are already made);
    // the verifier's approval delay has passed too.
    await node.send("evm_increaseTime", [3601]);
    await node.send("evm_mine");
    const c = deployedContracts(deployment, admin.connect(node.provider));
    for (const contract of [c.marketBook, c.policyRegistry]) {
      await (await contract.getFunction("acceptDefaultAdminTransfer")()).wait();
    }
    const file = path.join(dir, "deployment.json");
    const policy = loadPolicy(POLICY_FILE);
    deployment = await deployPolicy(
      policyOptions({
        custodians: [custodian.address],
        venues: [venue.address],
        publishers: [publisher.address],
        signers: { policyAdmin, custodianAdmin, admin },
      }),
    );
    writeDeployment(file, deployment);
    const read = readDeployment(file);
    expect(read).to.deep.equal(deployment);
    const entry = read.policies[policy.id];
    const registered = await c.policyRegistry.getFunction("getPolicy")(entry.policyId);
    expect([registered.commitment, registered.feed, registered.cureWindow]).to.deep.equal([
      BigInt(entry.commitment),
      entry.feed,
      900n,
    ]);
    expect(
      await c.policyRegistry.getFunction("isCustodian")(entry.policyId, custodian.address),
    ).to.equal(true);
    expect(
      await c.policyRegistry.getFunction("hasRole")(venueRoleOf(entry.policyId), venue.address),
    ).to.equal(true);
    // The verifier was approved on the way; the feed's publisher role is granted and recorded.
    expect((await verifierApprovals(node.url, read))[0].approved).to.equal(true);
    expect(
      await c.marketBook.getFunction("hasRole")(publisherRoleOf(entry.feed), publisher.address),
    ).to.equal(true);
    expect(read.roles.publishers).to.deep.equal({ [entry.feed]: [publisher.address] });
    // The layout is rebuilt from the file alone.
    const layout = feedLayoutOf(read, policy.id, file);
    expect(layout.feed).to.equal(entry.feed);
    expect(layout.feed).to.not.equal(ZeroHash);
    expect(feedLayoutOf(read, entry.policyId, file).policy.id).to.equal(policy.id);
  });

  it("refuses a malformed deployment file, an unknown policy, and a node on another chain", async function () {
    const file = path.join(dir, "deployment.json");
    const json = JSON.parse(readFileSync(file, "utf8")) as { contracts: object };
    const bad = path.join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ ...json, contracts: { ...json.contracts, marketBook: "0x1234" } }),
    );
    expect(() => readDeployment(bad)).to.throw(
      `${bad}: contracts.marketBook: must be an EIP-55 checksummed address`,
    );
    expect(() => feedLayoutOf(deployment, "no-such-policy", file)).to.throw(
      `${file}: policies: has no policy "no-such-policy"`,
    );
    const error = await refusal(
      checkDeploymentChain({ ...deployment, chainId: "1" }, node.provider, file),
    );
    expect(error.message).to.equal(`${file}: chainId: is 1 but the node's chain is 31337`);
  });
});
