/**
 * The proving-service tests' world on real processes: a `redis-server` and a `hardhat node`
 * started side by side ({@link startRedisAndChain}: a stuck start fails clearly, redis-server
 * after 60 s and the node after 120 s; a failed start stops what did start), the small example's
 * venue deployed on the node with rounds posted at the chain's clock ({@link startRedisVenue}),
 * and an earlier round's openings of a batch of accounts, each pledged by the custodian to the
 * venue ({@link pledgeEarlierOpenings}), as a prime broker would run it. Shared by
 * test/queue-redis.test.ts and test/relay-redis.test.ts.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Contract, JsonRpcProvider } from "ethers";
import {
  marginProvedEvents,
  readMarginRegistryDomain,
  readPledgeTerms,
} from "../../prover/src/chain";
import { connectChain, type DemoChain } from "../../prover/src/demo/chain";
import {
  deployVenue,
  publishRound,
  type DemoRoles,
  type DemoVenue,
} from "../../prover/src/demo/deployment";
import type { InstanceDims } from "../../prover/src/encoding/instances";
import { loadMarket, loadPolicy, parsePortfolio } from "../../prover/src/inputs";
import { readJsonFile } from "../../prover/src/io/json";
import { parseOpening, pledgeOpening, type PledgeFile } from "../../prover/src/proving";
import { runBatch } from "../../prover/src/queue";
import { SMALL_EXAMPLES, tempDir } from "./cli";
import { startHardhatNode, stopHardhatNode } from "./hardhat-node";
import { freePort } from "./ports";
import { writePortfolios } from "./queue";
import { startRedisServer, type RedisServer } from "./redis-server";
import { sharedKeys } from "./shared-keys";

/** The venue's policy.json (the small example's). */
export const REDIS_VENUE_POLICY = path.join(SMALL_EXAMPLES, "policy.json");
const policy = loadPolicy(REDIS_VENUE_POLICY);
/** How long the node may take to exit once told to, before it is killed. */
const NODE_STOP_MS = 30_000;

/** A redis-server and a hardhat node, and the node's unlocked accounts. */
export interface RedisAndChain {
  redis: RedisServer;
  /** The node's JSON-RPC URL. */
  rpcUrl: string;
  chain: DemoChain;
  /** Closes the chain's provider, then stops the node (waiting for it to exit) and redis-server. */
  stop(): Promise<void>;
}

/** Stops a node started by `startHardhatNode` and waits for it to exit (killed if it lingers). */
async function stopNode(node: ChildProcess): Promise<void> {
  if (node.exitCode !== null || node.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.once("exit", () => resolve()));
  stopHardhatNode(node);
  const timer = setTimeout(() => {
    if (node.pid !== undefined) process.kill(-node.pid, "SIGKILL");
  }, NODE_STOP_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts redis-server and a hardhat node side by side and connects to the node. */
export async function startRedisAndChain(): Promise<RedisAndChain> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const [redisStart, nodeStart] = await Promise.allSettled([
    startRedisServer(),
    startHardhatNode(port),
  ]);
  const redis = redisStart.status === "fulfilled" ? redisStart.value : undefined;
  const node = nodeStart.status === "fulfilled" ? nodeStart.value : undefined;
  const stopProcesses = async () => {
    if (node) await stopNode(node);
    await redis?.stop();
  };
  if (redis === undefined || node === undefined) {
    await stopProcesses();
    const failed = [redisStart, nodeStart].flatMap((s) => (s.status === "rejected" ? [s] : []));
    throw new Error(
      `could not start redis-server and hardhat node: ${failed.map((s) => String(s.reason)).join("; ")}`,
    );
  }
  let chain: DemoChain;
  try {
    chain = await connectChain(rpcUrl);
  } catch (error) {
    await stopProcesses();
    throw error;
  }
  return {
    redis,
    rpcUrl,
    chain,
    async stop() {
      await chain.close();
      await stopProcesses();
    },
  };
}

/** The small example's venue on {@link RedisAndChain}'s node. */
export interface RedisVenue extends RedisAndChain {
  /**
   * The node's accounts by role: admin 0, publisher 12, policy admin 13, custodian admin 14,
   * stranger 15, custodian 19 (accounts 1 to 11 and 16 to 18 are the tests' own).
   */
  roles: DemoRoles;
  venue: DemoVenue;
  registry: Contract;
  dims: InstanceDims;
  /** Round 1's market file, posted with the venue's deployment. */
  firstMarket: string;
  /** The timestamp of the chain's latest block. */
  chainTime(): Promise<bigint>;
  /**
   * market.json of round `round` (the example's), stamped with the chain's clock, moved on by a
   * second at least since the last one (the node mines a block at that time).
   */
  marketFile(round: number): Promise<string>;
  /** Posts round `round` to the venue's feed as the publisher; returns its market file. */
  publish(round: number): Promise<string>;
  /** MarginProved events of `round`, by account. */
  proofsOnChain(round: number): Promise<Map<string, number>>;
}

/**
 * Starts {@link startRedisAndChain} and deploys the venue on the small instance (rounds up to
 * `maxRoundAge` old, a superseded round counting for an hour), round 1 with it.
 */
export async function startRedisVenue(maxRoundAge: bigint): Promise<RedisVenue> {
  const setup = await sharedKeys("small");
  const dims = setup.entry.params;
  const started = await startRedisAndChain();
  try {
    const { chain } = started;
    const s = chain.signers;
    const roles: DemoRoles = {
      admin: s[0],
      publisher: s[12],
      policyAdmin: s[13],
      custodianAdmin: s[14],
      stranger: s[15],
      custodian: s[19],
    };
    const chainTime = async () => BigInt((await chain.provider.getBlock("latest"))?.timestamp ?? 0);
    let lastTimestamp = 0;
    const marketFile = async (round: number): Promise<string> => {
      const latest = Number(await chainTime());
      const timestamp = Math.max(latest, lastTimestamp + 1);
      if (timestamp > latest) {
        await (chain.provider as JsonRpcProvider).send("evm_mine", [timestamp]);
      }
      lastTimestamp = timestamp;
      const json = readJsonFile(path.join(SMALL_EXAMPLES, "market.json")) as object;
      const file = path.join(tempDir(), `market-${round}.json`);
      fs.writeFileSync(file, JSON.stringify({ ...json, round, timestamp }, null, 2));
      return file;
    };
    const firstMarket = await marketFile(1);
    const venue = await deployVenue(roles, {
      policy,
      market: loadMarket(firstMarket),
      instance: "small",
      dims,
      verificationKeyHash: setup.entry.vkeyHash,
      maxRoundAge,
      supersededGrace: 3600n,
    });
    const registry = venue.marginRegistry.contract;
    return {
      ...started,
      roles,
      venue,
      registry,
      dims,
      firstMarket,
      chainTime,
      marketFile,
      async publish(round) {
        const file = await marketFile(round);
        await publishRound(venue, roles.publisher, policy, loadMarket(file), dims);
        return file;
      },
      async proofsOnChain(round) {
        const counts = new Map<string, number>();
        for (const event of await marginProvedEvents(registry, { policyId: venue.policyId })) {
          if (event.round === BigInt(round)) {
            counts.set(event.account, (counts.get(event.account) ?? 0) + 1);
          }
        }
        return counts;
      },
    };
  } catch (error) {
    await started.stop();
    throw error;
  }
}

/** The pledged openings of {@link pledgeEarlierOpenings}. */
export interface PledgedOpenings {
  /** How many of the earlier round's proofs were made (one per account when all went well). */
  proved: number;
  /** Folder of NAME.json (the opening) and NAME.pledge.json, one pair per account. */
  dir: string;
  /** The custodian's pledge of `account`'s opening, issued at `issuedAt`, valid 30 days. */
  attest(account: string, issuedAt: bigint): Promise<PledgeFile>;
  /** A new batch folder with the pledged openings of `who`. */
  folderOf(who: readonly string[]): string;
}

/**
 * Proves round 1 for `accounts` in-process (the example's portfolio each, `writePortfolios`),
 * then has the custodian check each opening against its records and pledge it to the venue,
 * issued at the chain's clock (after its registration, as MarginRegistry requires).
 */
export async function pledgeEarlierOpenings(
  v: RedisVenue,
  accounts: readonly string[],
): Promise<PledgedOpenings> {
  const plain = tempDir();
  const records = writePortfolios(plain, "small", accounts);
  const earlier = await runBatch({
    policy: REDIS_VENUE_POLICY,
    market: v.firstMarket,
    portfolios: plain,
    results: tempDir(),
  });
  const domain = await readMarginRegistryDomain(v.registry);
  const custodian = await v.roles.custodian.getAddress();
  const openings = new Map<string, { opening: string; records: string }>();
  for (const [i, outcome] of earlier.outcomes.entries()) {
    const opening = path.join(outcome.resultDir, "proof", "opening.json");
    openings.set(outcome.account, { opening, records: records[i] });
  }
  const attest = async (account: string, issuedAt: bigint): Promise<PledgeFile> => {
    const files = { ...openings.get(account)!, policy: REDIS_VENUE_POLICY, market: v.firstMarket };
    return pledgeOpening({
      opening: parseOpening(readJsonFile(files.opening), files.opening),
      records: parsePortfolio(readJsonFile(files.records), files.records, policy),
      policy,
      market: loadMarket(v.firstMarket),
      signer: v.roles.custodian,
      domain,
      venue: v.venue.venue,
      terms: await readPledgeTerms(v.registry, custodian, account, v.venue.venue),
      issuedAt,
      validUntil: issuedAt + 30n * 24n * 3600n,
      files,
    });
  };
  const issuedAt = await v.chainTime();
  const dir = tempDir();
  for (const [account, files] of openings) {
    const name = path.basename(files.records, ".json");
    fs.copyFileSync(files.opening, path.join(dir, `${name}.json`));
    fs.writeFileSync(
      path.join(dir, `${name}.pledge.json`),
      JSON.stringify(await attest(account, issuedAt)),
    );
  }
  return {
    proved: earlier.tally.proved,
    dir,
    attest,
    folderOf(who) {
      const folder = tempDir();
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name.replace(".pledge", ""));
        const account = (readJsonFile(file) as { account: string }).account;
        if (who.includes(account)) fs.copyFileSync(path.join(dir, name), path.join(folder, name));
      }
      return folder;
    },
  };
}
