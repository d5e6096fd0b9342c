/**
 * The demo's continuous-margin chapter: the holder runs `zkmargin watch` (in-process) on the
 * venue's deployment; the publisher posts three rounds with their market files in the events;
 * the price falls and the watcher alerts; the venue calls margin; the watcher's proof on the next
 * round cures the call.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Contract, Provider, Signer } from "ethers";
import {
  callMargin,
  deadlineText,
  isMarginSufficient,
  readMarginCall,
  readMarginRegistryDomain,
} from "../chain";
import type { Deployment } from "../deployment";
import { feedLayoutOf } from "../deployment";
import type { Market, Policy, Portfolio } from "../inputs";
import { writeJsonFile } from "../io/json";
import { marketDocumentOf, publishMarket } from "../market-data";
import { attestOpening } from "../proving";
import type { Opening } from "../proving/opening";
import { Watcher, type WatchEvent } from "../watch";
import { seconds } from "../time";
import { nextRound, type DemoRoles, type DemoVenue } from "./deployment";

/** What the chapter needs from the story so far. */
export interface ContinuousContext {
  provider: Provider;
  venue: DemoVenue;
  roles: Required<DemoRoles>;
  deployment: Deployment;
  holder: Signer;
  policy: Policy;
  /** The holder's portfolio and its file (the custodian's records agree with it). */
  portfolio: Portfolio;
  portfolioFile: string;
  /** The opening of the proofs so far (its salt is attested), and the round it was made for. */
  opening: Opening;
  openingMarket: Market;
  /** The feed's latest round. */
  latest: Market;
  maxRoundAge: bigint;
  print: (line: string) => void;
}

/** What the chapter showed. */
export interface ContinuousResult {
  /** The alert types the watcher raised, in order. */
  alerts: string[];
  /** Rounds the watcher proved. */
  proved: bigint[];
  /** The call's state right after the venue made it, and at the end. */
  callStateAfterCall: string;
  callStateAtEnd: string;
  sufficientAtEnd: boolean;
}

/** The holder's own risk limit in the demo: keep equity above 18 times the requirement. */
const WARN_RATIO_PPM = 18_000_000n;

/** Runs the chapter. */
export async function continuousMargin(ctx: ContinuousContext): Promise<ContinuousResult> {
  const { venue, roles, deployment, print } = ctx;
  const policyName = Object.keys(deployment.policies)[0];
  const layout = feedLayoutOf(deployment, policyName, "demo deployment");
  const dir = mkdtempSync(path.join(tmpdir(), "zkmargin-watch-"));
  const files = {
    portfolio: ctx.portfolioFile,
    opening: path.join(dir, "opening.json"),
    attestation: path.join(dir, "attestation.json"),
    state: path.join(dir, "watch-state.json"),
  };
  const events: WatchEvent[] = [];
  const controller = new AbortController();
  let watcher: Watcher | undefined;
  let running: Promise<void> | undefined;
  try {
    // The holder keeps the salt of its earlier proofs; the custodian attests that commitment again
    // (the earlier attestation was revoked in chapter 7), issued now.
    writeJsonFile(files.opening, ctx.opening, { mode: 0o600 });
    const now = await latestTimestamp(ctx.provider);
    const account = await ctx.holder.getAddress();
    const attestation = await attestOpening({
      opening: ctx.opening,
      records: ctx.portfolio,
      policy: ctx.policy,
      market: ctx.openingMarket,
      signer: roles.custodian,
      domain: await readMarginRegistryDomain(venue.marginRegistry.contract),
      // Issued at the chain's clock, so a revocation at the chain's time covers it.
      chainTime: now,
      validUntil: now + 86_400n,
      files: { opening: files.opening, records: "custodian records" },
    });
    writeJsonFile(files.attestation, attestation);
    print(`custodian re-attested the holder's commitment (same salt as before) from ${now}`);

    watcher = new Watcher({
      provider: ctx.provider,
      signer: ctx.holder,
      deployment,
      deploymentFile: "demo deployment",
      policy: policyName,
      files,
      confirmations: 1,
      warnRatioPpm: WARN_RATIO_PPM,
      pollMs: 100,
      write: (line) => {
        const event = JSON.parse(line) as WatchEvent;
        events.push(event);
        if (event.type !== "started")
          print(`  watch ${event.level.padEnd(5)} ${event.type}: ${event.message}`);
      },
    });
    await watcher.start();
    running = watcher.run(controller.signal);
    print(`the holder runs zkmargin watch (warning level: equity under 18 x the requirement)`);

    const asPublisher = venue.marketBook.contract.connect(roles.publisher) as Contract;
    let latest = ctx.latest;
    const post = async (movePpm: bigint, what: string): Promise<bigint> => {
      latest = nextRound(latest, movePpm, await latestTimestamp(ctx.provider));
      const posted = await publishMarket(
        asPublisher,
        layout,
        marketDocumentOf(latest),
        "market.json",
      );
      print(
        `publisher posted round ${posted.round} (${what}) with its market file in the event ` +
          `(${posted.marketDataBytes} bytes, gzip of the canonical JSON)`,
      );
      return posted.round;
    };
    const proven = (round: bigint) =>
      waitFor(
        events,
        (e) => e.type === "proved" && e.round === round.toString(),
        `proof of round ${round}`,
      );

    const first = await post(0n, "prices steady");
    await proven(first);
    const second = await post(-100_000n, "prices fall 10 %");
    await waitFor(
      events,
      (e) => e.type === "low-excess" && e.round === second.toString(),
      "the alert",
    );
    await proven(second);

    await callMargin(venue.registryAs(roles.venue), account, venue.policyId);
    const call = await readMarginCall(venue.marginRegistry.contract, account, venue.policyId);
    print(
      `venue ${await roles.venue.getAddress()} called margin: prove on a round after ${call.round} ` +
        `${deadlineText(call)} (cure window ${seconds(call.cureWindow)})`,
    );
    await waitFor(events, (e) => e.type === "margin-call", "the margin-call alert");
    const third = await post(-20_000n, "prices fall 2 % more");
    await proven(third);
    await waitFor(events, (e) => e.type === "margin-call-cured", "the cure");
    const end = await readMarginCall(venue.marginRegistry.contract, account, venue.policyId);
    const sufficientAtEnd = await isMarginSufficient(
      venue.marginRegistry.contract,
      account,
      venue.policyId,
      ctx.maxRoundAge,
    );
    print(
      `margin call ${end.state === "none" ? "cured and settled" : end.state}; isMarginSufficient: ${sufficientAtEnd}`,
    );
    return {
      alerts: events.filter((e) => e.level !== "info").map((e) => e.type),
      proved: events.filter((e) => e.type === "proved").map((e) => BigInt(String(e.round))),
      callStateAfterCall: call.state,
      callStateAtEnd: end.state,
      sufficientAtEnd,
    };
  } finally {
    controller.abort();
    await running?.catch(() => undefined);
    await watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latestTimestamp(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the chain has no latest block");
  return BigInt(block.timestamp);
}

/** Waits for the watcher's event (it runs beside the demo); fails the demo after two minutes. */
async function waitFor(
  events: readonly WatchEvent[],
  match: (e: WatchEvent) => boolean,
  what: string,
): Promise<WatchEvent> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const found = events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`the demo's watcher did not show ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
