/**
 * The chain that the `zkmargin watch` tests watch: a `hardhat node` on a free port, the contracts
 * deployed (verifier approved once its delay passed), one pledged policy of an example on its
 * feed, the publisher's rounds of the example's market stamped with the chain's clock, and a
 * custodian's pledge of the holder's opening as the watcher asks for it ({@link startWatchedChain});
 * a watcher run until stopped ({@link runWatcher}); and the watcher's event lines and passes, with
 * waits that end in a clear failure ({@link WatchLog}). Shared by test/watch.test.ts and
 * test/watch-pieces.test.ts.
 */
import path from "node:path";
import type { Contract, JsonRpcProvider, Signer } from "ethers";
import { marginRegistryDomain, readPledgeTerms } from "../../prover/src/chain";
import {
  deployContracts,
  deployPolicy,
  deployedContracts,
  deploymentProvider,
  feedLayoutOf,
  type Deployment,
} from "../../prover/src/deployment";
import { loadMarket, loadPolicy, parseMarket, parsePortfolio } from "../../prover/src/inputs";
import type { Market } from "../../prover/src/inputs";
import { readJsonFile, writeJsonFile } from "../../prover/src/io";
import {
  fetchRound,
  marketDocumentOf,
  publishMarket,
  type FeedLayout,
} from "../../prover/src/market-data";
import { parseOpening, pledgeOpening, type Opening } from "../../prover/src/proving";
import { Watcher, type WatchEvent, type WatchOptions } from "../../prover/src/watch";
import { compileContracts } from "../contracts.fixture";
import { nodeWallet, startRpcNode, type RpcNode } from "./hardhat-node";
import { buildScratchDir } from "./scratch";

const DAY = 86_400n;
/** How long a wait on the watcher may take before it fails, naming what it waited for. */
const WAIT_MS = 180_000;

/**
 * The node's accounts in the roles the chain gives them; accounts 1, 5, 6 and 8 on are the
 * tests' own (custodians, a venue, a relayer, a second holder).
 */
export const WATCH_ROLES = {
  deployer: nodeWallet(0),
  publisher: nodeWallet(2),
  policyAdmin: nodeWallet(3),
  custodianAdmin: nodeWallet(4),
  /** The watched account. */
  holder: nodeWallet(7),
};

/** What the watched chain is made of. */
export interface WatchedChainOptions {
  /** The instance the policy is proven on (its keys must be built: `sharedKeysHook`). */
  instance: "small" | "demo";
  /** The example folder whose policy.json is deployed and whose market.json is posted. */
  example: string;
  /** The policy's venue (bytes32). */
  venue: string;
  cureWindow: bigint;
  /** The custodians registered at the venue, and the venues that may call margins. */
  custodians: readonly string[];
  venues: readonly string[];
  /** The scratch folder's prefix (under build/). */
  scratchPrefix: string;
}

/** Files of one holder (or sub-portfolio) as the watcher reads and writes them. */
export interface PledgedFiles {
  portfolio: string;
  opening: string;
  pledge: string;
}

/** A running watched chain; {@link WatchedChain.stop} ends it. */
export interface WatchedChain {
  node: RpcNode;
  /** Scratch folder: deployment.json, the journal, the tests' files. */
  dir: string;
  deploymentFile: string;
  deployment: Deployment;
  layout: FeedLayout;
  /** The deployed policy's on-chain id. */
  policyId: string;
  /** A provider for the tests' calls (polling, no cache). */
  provider: JsonRpcProvider;
  book: Contract;
  registry: Contract;
  /** The example's market: the quotes every posted round starts from. */
  base: Market;
  /** The market posted last by {@link WatchedChain.publish}. */
  lastPublished: Market | undefined;
  latestTimestamp(): Promise<bigint>;
  /**
   * The next round's market document: `from`'s quotes with prices multiplied by `moves` (by
   * symbol, to a thousandth), numbered after the feed's head and stamped with the chain's clock.
   */
  nextDocument(moves?: Record<string, number>, from?: Market): Promise<Record<string, unknown>>;
  /** The publisher posts {@link nextDocument} (market file in the event), checked for `forLayout`. */
  publish(moves?: Record<string, number>, from?: Market, forLayout?: FeedLayout): Promise<bigint>;
  /** Writes the portfolio file `source` to `target` as the holder's. */
  writeHolderPortfolio(source: string, target: string, account?: string): void;
  /**
   * `custodian` checks the opening in `files` against the portfolio in `files` (its records) and
   * the round fetched from the chain alone, and writes its pledge, issued at the chain's clock and
   * valid for `validFor` seconds. Returns the opening.
   */
  pledge(files: PledgedFiles, custodian: Signer, validFor?: bigint): Promise<Opening>;
  /**
   * The options every test's watcher shares: this chain's provider and deployment, the holder's
   * key, quick polling and back-off, its lines and passes into `log`.
   */
  watcherOptions(
    log: WatchLog,
  ): Pick<
    WatchOptions,
    | "provider"
    | "signer"
    | "deployment"
    | "deploymentFile"
    | "pollMs"
    | "maxBackoffMs"
    | "write"
    | "hooks"
  >;
  /** Destroys the provider and stops the node. */
  stop(): Promise<void>;
}

/** Starts the node and deploys the chain of `options` (see the module comment). */
export async function startWatchedChain(options: WatchedChainOptions): Promise<WatchedChain> {
  const { deployer, publisher, policyAdmin, custodianAdmin, holder } = WATCH_ROLES;
  await compileContracts();
  const node = await startRpcNode();
  try {
    const dir = buildScratchDir(options.scratchPrefix);
    const deploymentFile = path.join(dir, "deployment.json");
    const journalDir = path.join(dir, "journal");
    let deployment = await deployContracts({
      rpc: node.url,
      deployer,
      instances: [options.instance],
      verifierApprovalDelay: 60n,
      policyAdmins: [policyAdmin.address],
      custodianAdmins: [custodianAdmin.address],
      journalDir,
    });
    // The verifier's approval delay passes before the policy is registered.
    await node.send("evm_increaseTime", [60]);
    await node.send("evm_mine");
    const policyFile = path.join(options.example, "policy.json");
    const policy = loadPolicy(policyFile);
    deployment = await deployPolicy({
      rpc: node.url,
      deployment,
      file: deploymentFile,
      policy,
      document: readJsonFile(policyFile),
      instance: options.instance,
      maxRoundAge: DAY,
      supersededGrace: 300n,
      cureWindow: options.cureWindow,
      venue: options.venue,
      requiresPledges: true,
      custodians: [...options.custodians],
      venues: [...options.venues],
      publishers: [publisher.address],
      signers: { policyAdmin, custodianAdmin, admin: deployer },
      journalDir,
    });
    writeJsonFile(deploymentFile, deployment);
    const layout = feedLayoutOf(deployment, policy.id, "deployment.json");
    const provider = deploymentProvider(node.url, deployment, 1_500);
    const { marketBook: book, marginRegistry: registry } = deployedContracts(deployment, provider);
    const base = loadMarket(path.join(options.example, "market.json"));
    const latestTimestamp = async () => BigInt((await provider.getBlock("latest"))!.timestamp);

    const chain: WatchedChain = {
      node,
      dir,
      deploymentFile,
      deployment,
      layout,
      policyId: deployment.policies[policy.id].policyId,
      provider,
      book,
      registry,
      base,
      lastPublished: undefined,
      latestTimestamp,
      async nextDocument(moves = {}, from = base) {
        const head = (await book.getFunction("feedHead")(layout.feed)) as { latestRound: bigint };
        const prices = new Map(
          [...from.prices].map(([symbol, price]) => [
            symbol,
            (price * BigInt(Math.round((moves[symbol] ?? 1) * 1000))) / 1000n,
          ]),
        );
        return marketDocumentOf({
          ...from,
          prices,
          round: head.latestRound + 1n,
          timestamp: await latestTimestamp(),
        });
      },
      async publish(moves = {}, from = base, forLayout = layout) {
        const document = await chain.nextDocument(moves, from);
        const posted = await publishMarket(
          book.connect(publisher.connect(provider)) as Contract,
          forLayout,
          document,
          "market.json",
        );
        chain.lastPublished = parseMarket(document, "market.json");
        return posted.round;
      },
      writeHolderPortfolio(source, target, account = holder.address) {
        writeJsonFile(target, { ...(readJsonFile(source) as object), account });
      },
      async pledge(files, custodian, validFor = 7n * DAY) {
        const opening = parseOpening(readJsonFile(files.opening), files.opening);
        const fetched = await fetchRound(book, layout, BigInt(opening.round), {
          fromBlock: deployment.startBlock,
        });
        const now = await latestTimestamp();
        const pledge = await pledgeOpening({
          opening,
          records: parsePortfolio(readJsonFile(files.portfolio), "records.json", layout.policy),
          policy: layout.policy,
          market: fetched.market,
          signer: custodian,
          domain: marginRegistryDomain(31337n, deployment.contracts.marginRegistry),
          venue: options.venue,
          terms: await readPledgeTerms(
            registry,
            await custodian.getAddress(),
            holder.address,
            options.venue,
          ),
          issuedAt: now,
          validUntil: now + validFor,
          files: { opening: files.opening, records: "records.json" },
        });
        writeJsonFile(files.pledge, pledge);
        return opening;
      },
      watcherOptions: (log) => ({
        provider,
        signer: holder.connect(provider),
        deployment,
        deploymentFile,
        pollMs: 100,
        maxBackoffMs: 1_000,
        write: log.write,
        hooks: { afterTick: log.afterTick },
      }),
      async stop() {
        provider.destroy();
        await node.stop();
      },
    };
    return chain;
  } catch (error) {
    await node.stop();
    throw error;
  }
}

/** The watcher's event lines and completed passes, as its `write` and `afterTick` give them. */
export class WatchLog {
  readonly events: WatchEvent[] = [];
  /** Completed passes, and the block the last one read. */
  passes = 0;
  head = 0;
  /** The watcher's `write` option. */
  readonly write = (line: string): void => void this.events.push(JSON.parse(line) as WatchEvent);
  /** The watcher's `hooks.afterTick`. */
  readonly afterTick = (head: number): void => {
    this.passes += 1;
    this.head = head;
  };

  /** Resolves with the first event (from index `from` on) matching `match`; fails after 3 minutes. */
  async waitForEvent(
    match: (e: WatchEvent) => boolean,
    from = 0,
    what = "an event",
  ): Promise<WatchEvent> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        const lines = this.events.map((e) => JSON.stringify(e)).join("\n");
        throw new Error(`no ${what}; events:\n${lines}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resolves once the watcher completed a pass that read block `head` or later; fails after 3 minutes. */
  async waitForPass(head: number): Promise<void> {
    const start = this.passes;
    const deadline = Date.now() + WAIT_MS;
    while (!(this.passes > start && this.head >= head)) {
      if (Date.now() > deadline) throw new Error(`the watcher did not pass block ${head}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Every event line so far, one JSON object a line. */
  text(): string {
    return this.events.map((e) => JSON.stringify(e)).join("\n");
  }
}

/** A watcher running until {@link RunningWatcher.stop}. */
export interface RunningWatcher {
  /** Settles when the watcher's run ends (rejects with what ended it). */
  done: Promise<void>;
  /** Aborts the run, waits for it to end and closes the watcher (releases its state file). */
  stop(): Promise<void>;
}

/** Starts a watcher of `options`. */
export function runWatcher(options: WatchOptions): RunningWatcher {
  const watcher = new Watcher(options);
  const controller = new AbortController();
  const done = watcher.run(controller.signal);
  return {
    done,
    stop: async () => {
      controller.abort();
      await done.catch(() => undefined);
      await watcher.close();
    },
  };
}
