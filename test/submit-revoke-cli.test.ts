/**
 * `zkmargin submit` and `zkmargin revoke` as their users run them, against a real `hardhat node`:
 * the institution submits a proof made by `zkmargin prove` with the custodian's pledge (refused in
 * words, exit 1, for a missing, mismatched, tampered or other venue's pledge and for another
 * account's key; accepted, status counting, exit 0); the custodian revokes at another venue (the
 * status still counts), at the policy's venue with its ledger (the status stops counting, the
 * pledge leaves the ledger, a new proof with the old pledge is refused as revoked), and
 * account-wide. Keys come from `ZKMARGIN_*_KEY`.
 */
import path from "node:path";
import { expect } from "chai";
import { isMarginSufficient, policyIdOf, venueIdOf } from "../prover/src/chain";
import { deployedContracts, readDeployment } from "../prover/src/deployment";
import { loadMarket, loadPolicy, loadPortfolio } from "../prover/src/inputs";
import { readJsonFile, writeJsonFile } from "../prover/src/io";
import { generateProof } from "../prover/src/proving";
import { compileContracts } from "./contracts.fixture";
import { runCli, type CliResult } from "./helpers/cli";
import { nodeWallet, startRpcNode, type RpcNode } from "./helpers/hardhat-node";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLE = path.join(ROOT, "examples", "small");
const POLICY = "small-initial-v1";
/** A second policy of the same document and feed, at another venue. */
const POLICY_B = "small-initial-venue-b";

describe("zkmargin submit and revoke (CLI, hardhat node)", function () {
  let node: RpcNode;
  let dir: string;
  let deploymentFile: string;
  const [deployer, , publisher, policyAdmin, custodianAdmin, custodian, venue, holder] = [
    0, 1, 2, 3, 4, 5, 6, 7,
  ].map(nodeWallet);
  const keys = {
    ZKMARGIN_DEPLOYER_KEY: deployer.privateKey,
    ZKMARGIN_PUBLISHER_KEY: publisher.privateKey,
    ZKMARGIN_POLICY_ADMIN_KEY: policyAdmin.privateKey,
    ZKMARGIN_CUSTODIAN_ADMIN_KEY: custodianAdmin.privateKey,
    ZKMARGIN_ADMIN_KEY: deployer.privateKey,
    ZKMARGIN_CUSTODIAN_KEY: custodian.privateKey,
    ZKMARGIN_ACCOUNT_KEY: holder.privateKey,
  };
  const cli = (args: string[], env: Record<string, string> = {}): CliResult =>
    runCli(args, { env: { ...keys, ...env } });
  const ok = (args: string[]): string => {
    const result = cli(args);
    expect(result.status, `${args.join(" ")}\n${result.stdout}\n${result.stderr}`).to.equal(0);
    return result.stdout;
  };
  /** A refusal: exit 1, nothing on stdout, one line on stderr (returned). */
  const refused = (args: string[], env: Record<string, string> = {}): string => {
    const result = cli(args, env);
    expect(result.status, `${result.stdout}\n${result.stderr}`).to.equal(1);
    expect(result.stdout).to.equal("");
    expect(result.stderr.trim().split("\n")).to.have.length(1);
    return result.stderr;
  };
  const file = (name: string) => path.join(dir, name);
  const onChain = (verb: string, ...rest: string[]) => [
    verb,
    "--deployment",
    deploymentFile,
    "--rpc",
    node.url,
    ...rest,
  ];
  const submitArgs = (proofDir: string, ...pledges: string[]) =>
    onChain(
      "submit",
      "--policy-id",
      POLICY,
      "--dir",
      proofDir,
      ...pledges.flatMap((p) => ["--pledge", p]),
    );
  const statusOf = (policy = POLICY) =>
    cli(onChain("status", "--policy-id", policy, "--account", holder.address));
  const deployPolicyArgs = (policyFile: string, venueName: string) => [
    ...["deploy", "policy", "--deployment", deploymentFile, "--rpc", node.url],
    ...["--policy", policyFile],
    ...["--instance", "small", "--venue-id", venueName, "--custodian", custodian.address],
    ...["--max-round-age", "86400", "--superseded-grace", "300"],
  ];
  const attestArgs = (out: string, ledger: string, ...rest: string[]) => [
    ...onChain("attest", "--opening", file("out/opening.json"), "--records"),
    ...[file("portfolio.json"), "--out", out, "--ledger", ledger, ...rest],
  ];
  /** A copy of pledge-a.json with `edit` applied. */
  const editedPledge = (name: string, edit: (p: Record<string, string>) => void): string => {
    const pledge = { ...(readJsonFile(file("pledge-a.json")) as Record<string, string>) };
    edit(pledge);
    writeJsonFile(file(name), pledge);
    return file(name);
  };

  before(sharedKeysHook("small"));
  before(async function () {
    this.timeout(600_000);
    await compileContracts();
    node = await startRpcNode();
    dir = buildScratchDir("submit-revoke-cli-");
    deploymentFile = file("deployment.json");
    const portfolio = readJsonFile(path.join(EXAMPLE, "portfolio.json")) as object;
    writeJsonFile(file("portfolio.json"), { ...portfolio, account: holder.address });
    const policy = readJsonFile(path.join(EXAMPLE, "policy.json")) as object;
    writeJsonFile(file("policy-b.json"), { ...policy, id: POLICY_B });
  });

  after(async function () {
    await node?.stop();
  });

  it("deploys two venues' policies, publishes a round, proves and gets pledges for both venues", async function () {
    this.timeout(600_000);
    ok([
      ...["deploy", "contracts", "--rpc", node.url, "--instance", "small"],
      ...["--approval-delay", "60", "--policy-admin", policyAdmin.address],
      ...["--custodian-admin", custodianAdmin.address, "--out", deploymentFile],
    ]);
    await node.send("evm_increaseTime", [60]);
    await node.send("evm_mine");
    ok([
      ...deployPolicyArgs(path.join(EXAMPLE, "policy.json"), "venue A"),
      ...["--publisher", publisher.address],
    ]);
    ok(deployPolicyArgs(file("policy-b.json"), "venue B"));
    const block = await node.provider.getBlock("latest");
    const market = {
      ...(readJsonFile(path.join(EXAMPLE, "market.json")) as Record<string, unknown>),
      round: 1,
      timestamp: block!.timestamp,
    };
    writeJsonFile(file("market-1.json"), market);
    ok(onChain("publish", "--policy-id", POLICY, "--market", file("market-1.json")));
    ok([
      ...["prove", "--policy", path.join(EXAMPLE, "policy.json"), "--market"],
      ...[file("market-1.json"), "--portfolio", file("portfolio.json")],
      ...["--out", file("out"), "--nonce", "1"],
    ]);
    ok(attestArgs(file("pledge-a.json"), file("ledger.json")));
    // The same holdings pledged to venue B too: the custodian's one ledger would refuse that (it
    // is the double pledge the ledger exists to stop), so this pledge is kept in a ledger of its own.
    ok(attestArgs(file("pledge-b.json"), file("ledger-b.json"), "--venue-id", "venue B"));
  });

  it("refuses in words, with exit status 1 and nothing recorded: no pledge, a pledge of another commitment, a tampered pledge, another venue's pledge, another account's key", function () {
    this.timeout(300_000);
    expect(refused(submitArgs(file("out")))).to.include(
      `zkmargin: ${file("out/public.json")}: portfolioCommitments: the policy requires a custodian's pledge`,
    );
    const other = editedPledge("pledge-other.json", (p) => (p.portfolioCommitment = "1"));
    expect(refused(submitArgs(file("out"), other))).to.equal(
      `zkmargin: ${other}: portfolioCommitment: is not the proof's slot 1 commitment: the pledge is ` +
        "of another opening (prove from the pledged opening, so the salt is the same, and give the " +
        "pledges in slot order)\n",
    );
    const tampered = editedPledge("pledge-tampered.json", (p) => {
      p.validUntil = (BigInt(p.validUntil) + 1n).toString();
    });
    expect(refused(submitArgs(file("out"), tampered))).to.match(
      /: prove: refused: InvalidPledgeSignature\(0\): pledge 0's signature is not its custodian's over this account, venue/,
    );
    expect(refused(submitArgs(file("out"), file("pledge-b.json")))).to.match(
      /: prove: refused: PledgeForOtherVenue\(0, 0x[0-9a-f]{64}, 0x[0-9a-f]{64}\): pledge 0 is to venue 0x[0-9a-f]{64}, and the policy is venue 0x[0-9a-f]{64}'s: a pledge counts only at the venue it names/,
    );
    expect(
      refused(submitArgs(file("out"), file("pledge-a.json")), {
        ZKMARGIN_ACCOUNT_KEY: venue.privateKey,
      }),
    ).to.include(
      `[0]: the proof is for account ${holder.address} and the signing key is ${venue.address}'s`,
    );
    const none = statusOf();
    expect(none.status).to.equal(2);
    expect(none.stdout).to.include("no status");
  });

  it("submits with the pledge: transaction, gas and a status that counts; the same proof again is refused as a replay", function () {
    this.timeout(300_000);
    const out = ok(submitArgs(file("out"), file("pledge-a.json")));
    expect(out).to.match(
      new RegExp(
        `^submitted the proof of ${holder.address} under ${POLICY} on round 1 \\(nonce 1, 1 pledge\\(s\\)\\): ` +
          "transaction 0x[0-9a-f]{64} \\(block \\d+, \\d+ gas\\); status COUNTS until \\d+ \\(\\S+Z\\)\n$",
      ),
    );
    for (const secret of ["salt", "opening"]) expect(out).to.not.include(secret);
    expect(statusOf().status).to.equal(0);
    expect(refused(submitArgs(file("out"), file("pledge-a.json")))).to.include(
      "nonce 1 is not above the account's last accepted nonce 1 under this policy",
    );
  });

  it("revokes at another venue (the status counts on), at the policy's venue with the ledger (it stops; the old pledge is refused as revoked), and account-wide", async function () {
    this.timeout(600_000);
    const deployment = readDeployment(deploymentFile);
    const registry = deployedContracts(deployment, node.provider).marginRegistry;
    const sufficient = () =>
      isMarginSufficient(registry, holder.address, policyIdOf(POLICY), 86400n);

    const atB = ok(onChain("revoke", "--account", holder.address, "--venue-id", "venue B"));
    expect(atB).to.equal(
      `revoked every pledge custodian ${custodian.address} signed for ${holder.address} at venue ` +
        `venue B (${venueIdOf("venue B")}) before now: statuses resting on them no longer count; ` +
        `new epoch 1 (venue ${venueIdOf("venue B")}); transaction ${/transaction (0x[0-9a-f]{64})/.exec(atB)?.[1]} ` +
        `(block ${/block (\d+)/.exec(atB)?.[1]}, ${/(\d+) gas/.exec(atB)?.[1]} gas)\n`,
    );
    expect(await sufficient()).to.equal(true);
    expect(statusOf().status).to.equal(0);

    const atA = ok(
      onChain(
        "revoke",
        ...["--account", holder.address, "--venue-id", "venue A", "--ledger", file("ledger.json")],
      ),
    );
    expect(atA).to.include(`new epoch 1 (venue ${venueIdOf("venue A")})`);
    expect(atA).to.include(
      `removed 1 revoked pledge(s) of ${holder.address} at venue venue A (${venueIdOf("venue A")}) from ${file("ledger.json")}`,
    );
    expect((readJsonFile(file("ledger.json")) as { pledges: unknown[] }).pledges).to.deep.equal([]);
    // The other venue's ledger is not this revocation's.
    expect((readJsonFile(file("ledger-b.json")) as { pledges: unknown[] }).pledges).to.have.length(
      1,
    );
    expect(await sufficient()).to.equal(false);
    const stopped = statusOf();
    expect(stopped.status).to.equal(2);
    expect(stopped.stdout).to.include("a pledge was revoked");

    // A new proof of the same opening (same commitment, next nonce) with the old pledge.
    const policy = loadPolicy(path.join(EXAMPLE, "policy.json"));
    const opening = readJsonFile(file("out/opening.json")) as { salt: string };
    const again = await generateProof({
      policy,
      market: loadMarket(file("market-1.json")),
      portfolio: loadPortfolio(file("portfolio.json"), policy),
      nonce: 2n,
      salt: BigInt(opening.salt),
      instance: "small",
    });
    writeJsonFile(file("out-2/proof.json"), again.proof);
    writeJsonFile(file("out-2/public.json"), again.publicSignals);
    expect(refused(submitArgs(file("out-2"), file("pledge-a.json")))).to.match(
      /: prove: refused: PledgeRevoked\(0, 0, [1-9]\d*\): the custodian revoked pledge 0: it was signed under epoch 0, and the custodian's epoch for the account and venue is now [1-9]\d*; have it pledge the current holdings again\n$/,
    );

    const everywhere = ok(onChain("revoke", "--account", holder.address));
    expect(everywhere).to.match(
      new RegExp(
        `^revoked every pledge custodian ${custodian.address} signed for ${holder.address} before now: .*; ` +
          "new epoch 1 \\(account-wide\\); transaction 0x",
      ),
    );
  });

  it("refuses, before sending, a proof on a round the feed has left behind and one of another policy", function () {
    this.timeout(300_000);
    const next = (policy: string) =>
      ok(
        onChain(
          "publish",
          ...["--policy-id", policy, "--market", file("market-1.json")],
          ...["--round", "next", "--timestamp", "now"],
        ),
      );
    next(POLICY);
    next(POLICY);
    // out-2's proof is of round 1 (nonce 2, never recorded); rounds 2 and 3 are posted since.
    expect(refused(submitArgs(file("out-2"), file("pledge-a.json")))).to.equal(
      `zkmargin: ${file("out-2/public.json")}: [1]: marketCommitment: is not the market commitment ` +
        "of the feed's latest round 3 nor of round 2 before it: the proof was made on an older " +
        "round or another market file; prove on round 3\n",
    );
    const otherPolicy = readJsonFile(file("out-2/public.json")) as string[];
    otherPolicy[2] = "1";
    writeJsonFile(file("out-3/public.json"), otherPolicy);
    expect(
      refused([
        ...submitArgs(file("out-2"), file("pledge-a.json")),
        ...["--public", file("out-3/public.json")],
      ]),
    ).to.include(
      `${file("out-3/public.json")}: [2]: policyCommitment: is not the commitment of policy ${policyIdOf(POLICY)}`,
    );
  });

  it("refuses a revocation without a custodian's key, naming the variable and never a secret", function () {
    const result = cli(onChain("revoke", "--account", holder.address), {
      ZKMARGIN_CUSTODIAN_KEY: "",
    });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.equal(
      "zkmargin: environment: ZKMARGIN_CUSTODIAN_KEY: must hold the custodian's private key (or use --keystore)\n",
    );
  });
});
