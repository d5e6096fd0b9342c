/**
 * The continuous-margin verbs as their users run them, against a real `hardhat node`: the
 * deployer (`deploy contracts`), governance (`deploy policy`), the publisher (`publish`, which
 * refuses a round too old for the policy), the institution (`watch`, a child process killed with
 * SIGKILL mid-stream and restarted; a second one on its state file refused), the custodian
 * (`attest --deployment --rpc`, the round fetched from the chain), anyone (`status`, in words and
 * exit statuses), the venue (`margin-call`, its refusals in words) and the auditor (`audit chain
 * --deployment`). Keys come from `ZKMARGIN_*_KEY`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { expect } from "chai";
import { marginProvedEvents } from "../prover/src/chain";
import { deployedContracts, deploymentProvider, readDeployment } from "../prover/src/deployment";
import { parseMarket } from "../prover/src/inputs";
import { readJsonFile, writeJsonFile } from "../prover/src/io";
import { marketDocumentOf } from "../prover/src/market-data";
import type { WatchEvent } from "../prover/src/watch";
import { compileContracts } from "./contracts.fixture";
import { runCli, type CliResult } from "./helpers/cli";
import { nodeWallet, startRpcNode, type RpcNode } from "./helpers/hardhat-node";
import { withSmallJointSet } from "./helpers/joint-scenarios";
import { buildScratchDir } from "./helpers/scratch";
import { sharedKeysHook } from "./helpers/shared-keys";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin", "zkmargin.js");
const EXAMPLE = path.join(ROOT, "examples", "small");
const POLICY = "small-initial-v1";

describe("zkmargin deploy, publish, watch, attest, margin-call (CLI, hardhat node)", function () {
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
    ZKMARGIN_VENUE_KEY: venue.privateKey,
    ZKMARGIN_ACCOUNT_KEY: holder.privateKey,
  };
  const cli = (args: string[]): CliResult => runCli(args, { env: keys });
  const ok = (args: string[]): string => {
    const result = cli(args);
    expect(result.status, `${args.join(" ")}\n${result.stdout}\n${result.stderr}`).to.equal(0);
    return result.stdout;
  };
  const file = (name: string) => path.join(dir, name);
  /** A verb on the deployment file and the node, for a registered policy (`--policy-id`). */
  const onDeployment = (verb: string[], policyId: string, ...rest: string[]) => [
    ...verb,
    "--deployment",
    deploymentFile,
    "--rpc",
    node.url,
    "--policy-id",
    policyId,
    ...rest,
  ];
  /** `zkmargin publish` of a market file to the policy's feed. */
  const publishArgs = (market: string, ...rest: string[]) =>
    onDeployment(["publish"], POLICY, "--market", market, ...rest);
  /** `zkmargin status` of the holder under the policy. */
  const statusArgs = (...rest: string[]) =>
    onDeployment(["status"], POLICY, "--account", holder.address, ...rest);
  /** Governance's `zkmargin deploy policy` of a policy file on the small instance. */
  const deployPolicyArgs = (policyFile: string) => [
    ...["deploy", "policy", "--deployment", deploymentFile, "--rpc", node.url],
    ...["--policy", policyFile],
    "--instance",
    "small",
    "--venue-id",
    "cli venue",
    "--max-round-age",
    "86400",
    "--superseded-grace",
    "300",
  ];
  /** A venue's `zkmargin margin-call` on the holder. */
  const marginCallArgs = (...extra: string[]) =>
    onDeployment(["margin-call"], POLICY, "--account", holder.address, ...extra);

  /** Writes the example's market as the feed's next round, stamped with the chain's time. */
  async function marketFile(
    round: number,
    edit: (m: Record<string, unknown>) => void = () => undefined,
  ) {
    const block = await node.provider.getBlock("latest");
    const market = {
      ...(readJsonFile(path.join(EXAMPLE, "market.json")) as Record<string, unknown>),
      round,
      timestamp: block!.timestamp,
    };
    edit(market);
    writeJsonFile(file(`market-${round}.json`), market);
    return file(`market-${round}.json`);
  }

  /** A running `zkmargin watch` and its event lines. */
  interface WatchProcess {
    child: ChildProcess;
    events: WatchEvent[];
    waitFor(match: (e: WatchEvent) => boolean, what: string): Promise<WatchEvent>;
  }

  /** The watcher's command line. */
  const watchArgs = () => [
    "watch",
    "--deployment",
    deploymentFile,
    "--rpc",
    node.url,
    "--policy-id",
    POLICY,
    "--portfolio",
    file("portfolio.json"),
    "--opening",
    file("opening.json"),
    "--pledge",
    file("pledge.json"),
    "--state",
    file("state.json"),
    "--confirmations",
    "1",
    "--poll",
    "100",
  ];

  function startWatch(): WatchProcess {
    const child = spawn(process.execPath, [BIN, ...watchArgs()], {
      cwd: ROOT,
      env: { ...process.env, ...keys },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const events: WatchEvent[] = [];
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      events.push(JSON.parse(line) as WatchEvent);
    });
    return {
      child,
      events,
      async waitFor(match, what) {
        const deadline = Date.now() + 180_000;
        for (;;) {
          const found = events.find(match);
          if (found) return found;
          if (child.exitCode !== null || Date.now() > deadline) {
            throw new Error(
              `no ${what} from zkmargin watch:\n${events.map((e) => JSON.stringify(e)).join("\n")}\n${stderr}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    };
  }

  async function stopWatch(watch: WatchProcess, signal: NodeJS.Signals): Promise<void> {
    if (watch.child.exitCode !== null) return;
    const exited = new Promise((resolve) => watch.child.once("exit", resolve));
    watch.child.kill(signal);
    await exited;
  }

  let watch: WatchProcess | undefined;

  before(sharedKeysHook("small"));
  before(async function () {
    await compileContracts();
    node = await startRpcNode();
    dir = buildScratchDir("watch-cli-");
    deploymentFile = file("deployment.json");
    const portfolio = readJsonFile(path.join(EXAMPLE, "portfolio.json")) as object;
    writeJsonFile(file("portfolio.json"), { ...portfolio, account: holder.address });
  });

  after(async function () {
    if (watch) await stopWatch(watch, "SIGKILL");
    await node?.stop();
  });

  it("deploys the contracts and registers a policy, each signed by its role, into one deployment file", async function () {
    const deployContracts = ["deploy", "contracts", "--rpc", node.url, "--instance", "small"];
    const out = ok([
      ...deployContracts,
      "--approval-delay",
      "60",
      "--policy-admin",
      policyAdmin.address,
      "--custodian-admin",
      custodianAdmin.address,
      "--out",
      deploymentFile,
    ]);
    expect(out).to.match(/deployed on chain 31337: MarketBook 0x/);
    expect(out).to.match(
      /verifier small proposed \(code hash 0x[0-9a-f]{64}\): approvable from \d+ /,
    );
    // The deployment file is never overwritten.
    const again = cli([...deployContracts, "--out", deploymentFile]);
    expect(again.status).to.equal(1);
    expect(again.stderr).to.include(`${deploymentFile}: already exists`);
    // Before the approval delay: refused, saying from when it can be approved.
    const early = cli([...deployPolicyArgs(path.join(EXAMPLE, "policy.json"))]);
    expect(early.status).to.equal(1);
    expect(early.stderr).to.match(/verifier of instance "small" .* can be approved from \d+/);
    await node.send("evm_increaseTime", [60]);
    await node.send("evm_mine");
    ok([
      ...deployPolicyArgs(path.join(EXAMPLE, "policy.json")),
      "--cure-window",
      "600",
      "--custodian",
      custodian.address,
      "--venue",
      venue.address,
      "--publisher",
      publisher.address,
    ]);
    const deployment = readDeployment(deploymentFile);
    expect(deployment.policies[POLICY].custodians).to.deep.equal([custodian.address]);
    expect(deployment.policies[POLICY].cureWindow).to.equal("600");
  });

  it("publishes a market file, refusing one that does not fit the layout, is too old for the policy or is not the next round", async function () {
    // The shipped example is a year old: no proof under the policy (maxRoundAge a day) could use it.
    const shipped = path.join(EXAMPLE, "market.json");
    const old = cli(publishArgs(shipped));
    expect(old.status).to.equal(1);
    expect(old.stderr).to.match(
      new RegExp(
        `^zkmargin: ${shipped}: timestamp: too old to post: its timestamp 1764072000 \\(2025-11-25T12:00:00Z\\) ` +
          "is \\d+ s \\(\\d+ d(?: \\d+ h)?\\) before the chain's clock \\d+ \\(.*Z\\), more than the maxRoundAge of every " +
          "policy of the feed \\(small-initial-v1: 86400 s \\(1 d\\)\\), so no proof could use the round; post " +
          "fresh prices \\(--timestamp now posts this file's prices at the chain's clock\\), or --force\\n$",
      ),
    );
    const none = cli(statusArgs());
    expect(none.status, none.stderr).to.equal(2);
    expect(none.stdout).to.match(
      /^verdict +DOES NOT COUNT: isMarginSufficient\(account, policy, 86400 s \(1 d\)\) is false$/m,
    );
    expect(none.stdout).to.match(
      /^why +no status: the registry has accepted no proof of this account/m,
    );
    const unfit = await marketFile(1, (m) => {
      delete (m.prices as Record<string, string>).WBTC;
    });
    const refused = cli(publishArgs(unfit));
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.equal(
      `zkmargin: ${unfit}: prices.WBTC: missing: the policy's collateral asset "WBTC" needs a price\n`,
    );
    // Another key (here the venue's) does not hold the feed's publisher role: refused up front.
    const good = await marketFile(1);
    const stranger = runCli(publishArgs(good), {
      env: { ...keys, ZKMARGIN_PUBLISHER_KEY: venue.privateKey },
    });
    expect(stranger.status).to.equal(1);
    expect(stranger.stderr).to.match(
      new RegExp(
        `^zkmargin: contract 0x[0-9a-fA-F]{40}: publisherRole\\(0x[0-9a-f]{64}\\): is not held by ${venue.address}: `,
      ),
    );
    const posted = ok(publishArgs(good));
    expect(posted).to.match(
      /^posted round 1 to feed 0x[0-9a-f]{64}: timestamp \d+ \(20[0-9-]+T[0-9:]+Z\) \(\d+ s(?: \([^)]*\))? old\), market commitment \d+, \d+ bytes/,
    );
    const skipped = cli(publishArgs(await marketFile(3)));
    expect(skipped.status).to.equal(1);
    expect(skipped.stderr).to.include("round: must be 2: rounds of feed");
  });

  it("watches: asks for a pledge, which the custodian signs from the chain's round and terms; then proves", async function () {
    watch = startWatch();
    const asked = await watch.waitFor((e) => e.type === "pledge-needed", "pledge request");
    expect(asked.round).to.equal("1");
    const attested = ok([
      "attest",
      "--opening",
      file("opening.json"),
      "--records",
      file("portfolio.json"),
      "--deployment",
      deploymentFile,
      "--rpc",
      node.url,
      "--out",
      file("pledge.json"),
      "--ledger",
      file("pledge-ledger.json"),
    ]);
    expect(attested).to.include(`as custodian ${custodian.address}`);
    expect(attested).to.match(/ \(registration \d+, epoch 0\)/);
    expect(attested).to.match(/ issued at \d+ \(\S+Z\) \(the chain's clock\) /);
    await watch.waitFor((e) => e.type === "proved" && e.round === "1", "proof of round 1");

    const counts = cli(statusArgs("--json"));
    expect(counts.status, counts.stderr).to.equal(0);
    const verdict = JSON.parse(counts.stdout) as {
      counts: boolean;
      reasons: string[];
      status: { round: string; pledges: { custodian: string }[] };
      until: { what: string } | null;
    };
    expect(verdict.counts).to.equal(true);
    expect(verdict.reasons).to.deep.equal([]);
    expect(verdict.status.round).to.equal("1");
    expect(verdict.status.pledges.map((p) => p.custodian)).to.deep.equal([custodian.address]);
    expect(verdict.until?.what).to.be.a("string");
    // A venue that accepts only a round a second old: the same status does not count for it.
    await node.send("evm_mine", []);
    await node.send("evm_mine", []);
    const strict = cli(statusArgs("--max-age", "1"));
    expect(strict.status).to.equal(2);
    expect(strict.stdout, strict.stdout).to.match(
      // "N s old", or "N s (2 min 21 s) old" on a machine slow enough for a minute to pass.
      /^why +stale round: round 1's timestamp \d+ \(.*Z\) is \d+ s( \([^)]+\))? old, more than the max age of 1 s/m,
    );

    // A second watcher on the same state file is refused at once, naming the first.
    const second = cli(watchArgs());
    expect(second.status).to.equal(1);
    expect(second.stderr).to.equal(
      `zkmargin: ${file("state.json")}: $: is in use by zkmargin watch process ${watch.child.pid} on host ` +
        `${hostname()} (since ${/since (\S+)\)/.exec(second.stderr)?.[1]}): two watchers must not share a ` +
        `state file; stop that one, or give this one its own --state (if that process is gone, delete ` +
        `${file("state.json")}.lock)\n`,
    );
  });

  it("killed (SIGKILL) while handling a round and restarted, proves that round exactly once", async function () {
    ok(publishArgs(await marketFile(2)));
    await watch!.waitFor((e) => e.type === "round-confirmed" && e.round === "2", "round 2");
    await stopWatch(watch!, "SIGKILL");
    watch = startWatch();
    await watch.waitFor(
      (e) => (e.type === "proved" || e.type === "submission-recovered") && e.round === "2",
      "round 2 proven after the restart",
    );
    const deployment = readDeployment(deploymentFile);
    const provider = deploymentProvider(node.url, deployment);
    try {
      const { marginRegistry } = deployedContracts(deployment, provider);
      const proved = await marginProvedEvents(marginRegistry, { account: holder.address });
      expect(proved.map((e) => e.round)).to.deep.equal([1n, 2n]);
    } finally {
      provider.destroy();
    }
  });

  it("a venue's margin call is answered on the next round and settled; audit chain passes", async function () {
    const called = ok(marginCallArgs());
    expect(called).to.include(
      ": pending (prove on a round after 2 within 600 s (10 min) of the next round's posting)",
    );
    const again = cli(marginCallArgs());
    expect(again.status).to.equal(1);
    expect(again.stderr).to.match(
      /callMargin: refused: MarginCallOpen\(0x\w+, 0x\w+, \d+\): 0x\w+ already has an uncured margin call under this policy \(called at \d+ \(20.*Z\)\)/,
    );
    const pending = cli(statusArgs());
    expect(pending.status, pending.stderr).to.equal(0); // a pending call still counts
    expect(pending.stdout).to.match(
      /^note +margin call pending: called at \d+ \(.*Z\); the account must prove on a round after 2 within 600 s \(10 min\) of the next round's posting \(no round has followed the call yet/m,
    );
    await watch!.waitFor((e) => e.type === "margin-call", "margin-call alert");
    ok(publishArgs(await marketFile(3)));
    await watch!.waitFor((e) => e.type === "margin-call-cured", "cure");
    const settled = cli(marginCallArgs("--settle"));
    expect(settled.status).to.equal(1);
    expect(settled.stderr).to.match(
      /settleMarginCall: refused: NoMarginCall\(0x\w+, 0x\w+\): 0x\w+ has no margin call under policy 0x\w+: nothing to settle\n$/,
    );
    await stopWatch(watch!, "SIGTERM");
    expect(watch!.events.at(-1)?.type).to.equal("stopped");
    // The venue calls again and withdraws the call.
    ok(marginCallArgs());
    expect(ok(marginCallArgs("--withdraw"))).to.match(/: none; transaction 0x/);
    const audit = cli(["audit", "chain", "--rpc", node.url, "--deployment", deploymentFile]);
    expect(audit.status, audit.stdout + audit.stderr).to.equal(0);
    const state = JSON.parse(readFileSync(file("state.json"), "utf8")) as { lastRound: string };
    expect(state.lastRound).to.equal("3");
  });
  it("publishes only rounds that every policy of the feed can use: a portfolio-margin policy needs the joint set", async function () {
    const document = {
      ...(readJsonFile(path.join(EXAMPLE, "policy.json")) as object),
      id: "small-portfolio-v1",
      margin: "portfolio",
    };
    writeJsonFile(file("portfolio-policy.json"), document);
    ok(deployPolicyArgs(file("portfolio-policy.json")));
    const deployment = readDeployment(deploymentFile);
    expect(deployment.policies["small-portfolio-v1"].feed).to.equal(
      deployment.policies[POLICY].feed,
    );
    // Posted for the standard policy, the round must still serve the portfolio-margin one.
    const bare = await marketFile(4);
    const refused = cli(publishArgs(bare));
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.equal(
      `zkmargin: ${bare}: scenarios: missing: the portfolio-margin policy "small-portfolio-v1" needs the round's joint scenario set\n`,
    );
    const withSet = await marketFile(4, (m) => {
      const round = withSmallJointSet(parseMarket(m, "market.json"));
      m.scenarios = marketDocumentOf(round).scenarios;
    });
    expect(ok(publishArgs(withSet))).to.match(/^posted round 4 to feed /);
  });
});
