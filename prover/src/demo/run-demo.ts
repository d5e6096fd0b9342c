/**
 * The whole zkmargin story in one run: development keys, the institution's plaintext report, a
 * proof, an EVM chain (in-process Hardhat, or any JSON-RPC node) with every role on its own
 * account, a custodian's attestation, the submission, what a counterparty sees, a refused replay,
 * a superseded round refused, a revoked attestation refused, a refused shortfall, continuous
 * margin (the watcher proving each round, its alert when the price falls, a margin call and its
 * cure), and a hedged book short under a standard policy but proved under portfolio margin.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import {
  isMarginSufficient,
  marginProvedEvents,
  refusalText,
  revokeAttestations,
  submitProof,
  toSolidityProof,
} from "../chain";
import { loadMarket, loadPolicy, loadPortfolio, type Market } from "../inputs";
import { computeMargin, formatReport } from "../model";
import { decodePublicSignals, generateProof } from "../proving";
import { setupInstance } from "../setup/dev-setup";
import { setupProgress, terminalProgress } from "../setup/progress";
import { formatUnits } from "../decimal";
import { readJsonFile } from "../io/json";
import { connectChain } from "./chain";
import { continuousMargin, type ContinuousResult } from "./continuous";
import {
  assignRoles,
  DEMO_VERIFIER_APPROVAL_DELAY,
  deployVenue,
  nextRound,
  publishRound,
  venueDeployment,
} from "./deployment";
import { hedgedBookChapter, type HedgedBookResult } from "./hedged-book";
import { attestForADay, latestTimestamp, refusal, refusesShortfall } from "./steps";
import { unixTime } from "../time";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** A JSON-RPC node with unlocked accounts (e.g. `npx hardhat node`); default: in-process. */
  rpc?: string;
  /** Circuit instance (default `demo`). */
  instance?: string;
  /** Folder holding policy.json, market.json and portfolio.json (default examples/desk). */
  example?: string;
  /** Portfolio that falls short of the same policy (default examples/shortfall/portfolio.json). */
  shortfallPortfolio?: string;
  /**
   * Folder of the portfolio-margin chapter (policy, market with joint scenarios, a hedged book
   * that also fits the main example's policy; default examples/portfolio); false skips it.
   */
  portfolioMargin?: string | false;
  /** Where the story is told (default stdout). */
  print?: (line: string) => void;
}

/** Figures the demo measured, for its summary and for tests. */
export interface DemoResult {
  instance: string;
  constraints: number;
  provingMs: number;
  proveGas: bigint;
  sufficientBefore: boolean;
  sufficientAfter: boolean;
  /** The custom error refusing the proof sent from another account. */
  replayRefusedWith: string;
  /** The custom error refusing the proof sent again by the holder (same nonce). */
  resubmitRefusedWith: string;
  /** isMarginSufficient once two newer rounds are posted (the status's round is superseded). */
  sufficientAfterRounds: boolean;
  /** The custom error refusing a proof against the superseded round. */
  supersededRefusedWith: string;
  /** isMarginSufficient once the custodian revoked the attestation. */
  sufficientAfterRevoke: boolean;
  /** The custom error refusing a proof with the revoked attestation. */
  revokedRefusedWith: string;
  shortfallRefused: boolean;
  /** The continuous-margin chapter: the watcher's alerts and proofs, the margin call's states. */
  continuous: ContinuousResult;
  /** The portfolio-margin chapter, unless skipped. */
  hedged: HedgedBookResult | null;
}

const ROOT = path.resolve(__dirname, "..", "..", "..");
const MAX_ROUND_AGE = 3600n;
const SUPERSEDED_GRACE = 300n;
const CURE_WINDOW = 900n;

/** Runs the demo; resolves with its figures, rejects if any step does not behave as expected. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const instance = options.instance ?? "demo";
  const example = options.example ?? path.join(ROOT, "examples", "desk");
  const files = {
    policy: path.join(example, "policy.json"),
    market: path.join(example, "market.json"),
    portfolio: path.join(example, "portfolio.json"),
  };
  const heading = (title: string) => print(`\n== ${title} ==`);

  heading(`1. Circuit "${instance}" and its keys`);
  // A first run builds a ptau and keys for minutes: a bar on a terminal, else a line per step
  // with a heartbeat, told with the story.
  const setup = await setupInstance(instance, {
    onProgress: setupProgress({ write: print }),
    log: print,
  });
  const constraints = setup.entry.constraints;
  print(`${constraints} constraints; keys ${setup.status === "created" ? "made" : "cached"}.`);

  heading("2. The institution's files (private portfolio, public market round and policy)");
  const policy = loadPolicy(files.policy);
  const portfolio = loadPortfolio(files.portfolio, policy);
  const dims = setup.entry.params;
  const chain = await connectChain(options.rpc);
  try {
    const holder = await chain.signerFor(portfolio.account);
    const roles = await assignRoles(chain.signers, portfolio.account);
    // The oracle publishes the example's prices as a fresh round, stamped with the chain's clock.
    const market: Market = {
      ...loadMarket(files.market),
      timestamp: BigInt(await latestTimestamp(chain.provider)),
    };
    print(
      `policy ${policy.id} (${policy.mode}), round ${market.round}, account ${portfolio.account}`,
    );

    heading("3. Plaintext margin report (what only the institution sees)");
    print(formatReport(computeMargin(policy, market, portfolio), policy));

    heading("4. Proof, verified locally, then on-chain");
    const started = performance.now();
    const proved = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 1n,
      instance,
      files,
      onProgress: terminalProgress(),
    });
    const provingMs = performance.now() - started;
    print(`proof made and verified locally in ${(provingMs / 1000).toFixed(1)} s`);
    const signals = decodePublicSignals(proved.publicSignals);
    const venueOptions = {
      policy,
      market,
      instance,
      dims,
      verificationKeyHash: setup.entry.vkeyHash,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: SUPERSEDED_GRACE,
      cureWindow: CURE_WINDOW,
    };
    const venue = await deployVenue(roles, venueOptions);
    print(
      `deployed verifier ${venue.verifier}, MarketBook ${venue.marketBook.address}, ` +
        `PolicyRegistry ${venue.policyRegistry.address}, MarginRegistry ${venue.marginRegistry.address}`,
    );
    print(
      `verifier code proposed by the admin and approved after the approval delay ` +
        `(${DEMO_VERIFIER_APPROVAL_DELAY} s here, the chain's clock moved past it; 2 days by default)`,
    );
    print(
      `roles: admin ${await roles.admin.getAddress()} (2-day transfer delay, holds no other role), publisher of the feed ` +
        `${await roles.publisher.getAddress()}, policy admin ${await roles.policyAdmin.getAddress()}, ` +
        `custodian admin ${await roles.custodianAdmin.getAddress()}, venue ` +
        `${await roles.venue.getAddress()}`,
    );
    print(
      `round ${market.round} posted to feed ${venue.feed} (the layout id of the policy's slots); ` +
        `policy registered on it: max round age ${MAX_ROUND_AGE} s, superseded grace ${SUPERSEDED_GRACE} s, ` +
        `margin-call cure window ${CURE_WINDOW} s`,
    );
    const { policyId } = venue;
    const sufficient = () =>
      isMarginSufficient(venue.marginRegistry.contract, portfolio.account, policyId, MAX_ROUND_AGE);

    const attestation = await attestForADay(
      roles.custodian,
      venue.marginRegistry.contract,
      chain.provider,
      { account: portfolio.account, portfolioCommitment: signals.portfolioCommitment },
    );
    print(`custodian ${attestation.custodian} attested the portfolio commitment for 24 h`);

    const sufficientBefore = await sufficient();
    print(`isMarginSufficient before: ${sufficientBefore}`);
    const submission = {
      policyId,
      round: market.round,
      portfolioCommitment: signals.portfolioCommitment,
      nonce: signals.nonce,
      proof: toSolidityProof(proved.proof),
      attestation,
    };
    const receipt = await submitProof(venue.registryAs(holder), submission);
    const sufficientAfter = await sufficient();
    print(
      `MarginRegistry.prove used ${receipt.gasUsed} gas; isMarginSufficient after: ${sufficientAfter}`,
    );

    heading("5. What a counterparty sees on-chain");
    const [event] = await marginProvedEvents(venue.marginRegistry.contract, {
      account: portfolio.account,
      policyId,
    });
    print(
      `MarginProved(account ${event.account}, policy ${event.policyId}, round ${event.round}, ` +
        `nonce ${event.nonce}, portfolioCommitment ${event.portfolioCommitment})`,
    );
    print(`public signals: ${proved.publicSignals.join(", ")}`);
    print(
      "no balance, no position, no price of the holder's entries: only commitments " +
        "(and, in the calldata, the custodian and the attestation's times).",
    );
    const iface = venue.marginRegistry.contract.interface;
    const replayRefusal = await refusal(iface, () =>
      submitProof(venue.registryAs(roles.stranger), submission),
    );
    print(
      `the same proof and attestation sent from ${await roles.stranger.getAddress()}: ` +
        `refused: ${refusalText(replayRefusal)}`,
    );
    const resubmitRefusal = await refusal(iface, () =>
      submitProof(venue.registryAs(holder), submission),
    );
    print(`the same proof sent again by the holder: refused: ${refusalText(resubmitRefusal)}`);

    heading("6. Prices move on: only the latest round counts");
    const prepared = await generateProof({
      policy,
      market,
      portfolio,
      nonce: 2n,
      salt: BigInt(proved.opening.salt),
      instance,
      files,
    });
    let latest = market;
    for (const move of [-20_000n, -30_000n]) {
      latest = nextRound(latest, move, BigInt(await latestTimestamp(chain.provider)));
      await publishRound(venue, roles.publisher, policy, latest, dims);
      print(`publisher posted round ${latest.round} (prices ${Number(move) / 10_000} %)`);
    }
    const sufficientAfterRounds = await sufficient();
    print(`isMarginSufficient on the status of round ${market.round}: ${sufficientAfterRounds}`);
    const supersededRefusal = await refusal(iface, () =>
      submitProof(venue.registryAs(holder), {
        ...submission,
        nonce: 2n,
        proof: toSolidityProof(prepared.proof),
      }),
    );
    print(
      `a proof against round ${market.round}, made before the move: refused: ${refusalText(supersededRefusal)}`,
    );
    const reproved = await generateProof({
      policy,
      market: latest,
      portfolio,
      nonce: 3n,
      salt: BigInt(proved.opening.salt),
      instance,
      files,
    });
    const latestSubmission = {
      ...submission,
      round: latest.round,
      nonce: 3n,
      proof: toSolidityProof(reproved.proof),
    };
    await submitProof(venue.registryAs(holder), latestSubmission);
    print(
      `proved again on round ${latest.round} (same attested commitment: the portfolio did not ` +
        `change); isMarginSufficient: ${await sufficient()}`,
    );

    heading("7. A withdrawal: the custodian revokes before releasing the assets");
    const revokedAt = BigInt(await latestTimestamp(chain.provider));
    await revokeAttestations(venue.registryAs(roles.custodian), portfolio.account, revokedAt);
    const sufficientAfterRevoke = await sufficient();
    print(
      `custodian revoked the account's attestations issued before ${unixTime(revokedAt)}; ` +
        `isMarginSufficient: ${sufficientAfterRevoke}`,
    );
    const revokedRefusal = await refusal(iface, () =>
      submitProof(venue.registryAs(holder), { ...latestSubmission, nonce: 4n }),
    );
    print(`a proof with the revoked attestation: refused: ${refusalText(revokedRefusal)}`);

    heading("8. A portfolio that falls short is refused before any proving");
    const shortfallRefused = await refusesShortfall(
      options.shortfallPortfolio ?? path.join(ROOT, "examples", "shortfall", "portfolio.json"),
      { policy, market: latest, instance, root: ROOT, print },
    );

    heading("9. Continuous margin: the watcher, a price fall, a margin call, the cure");
    const continuous = await continuousMargin({
      provider: chain.provider,
      venue,
      roles,
      deployment: await venueDeployment(venue, roles, {
        ...venueOptions,
        document: readJsonFile(files.policy),
        chainId: (await chain.provider.getNetwork()).chainId,
      }),
      holder,
      policy,
      portfolio,
      portfolioFile: files.portfolio,
      opening: proved.opening,
      openingMarket: market,
      latest,
      maxRoundAge: MAX_ROUND_AGE,
      print,
    });

    const hedged =
      options.portfolioMargin === false
        ? null
        : await hedgedBookChapter({
            folder: options.portfolioMargin ?? path.join(ROOT, "examples", "portfolio"),
            standardPolicy: policy,
            instance,
            dims,
            verificationKeyHash: setup.entry.vkeyHash,
            roles,
            chain,
            root: ROOT,
            heading,
            print,
          });

    heading("Summary");
    print(`circuit ${instance}: ${constraints} constraints`);
    print(
      `proving time (witness + Groth16 + local verification): ${(provingMs / 1000).toFixed(1)} s`,
    );
    print(`on-chain prove (verification, attestation, status): ${receipt.gasUsed} gas`);
    print(
      `margin excess: ${`${formatUnits(proved.report.excessMicroUsd, 6)} USD`} (known only to the holder)`,
    );
    const result: DemoResult = {
      instance,
      constraints,
      provingMs,
      proveGas: receipt.gasUsed,
      sufficientBefore,
      sufficientAfter,
      replayRefusedWith: replayRefusal.name,
      resubmitRefusedWith: resubmitRefusal.name,
      sufficientAfterRounds,
      supersededRefusedWith: supersededRefusal.name,
      sufficientAfterRevoke,
      revokedRefusedWith: revokedRefusal.name,
      shortfallRefused,
      continuous,
      hedged,
    };
    assertStory(result);
    return result;
  } finally {
    await chain.close();
  }
}

/** Throws unless every chapter behaved as the story says. */
function assertStory(r: DemoResult): void {
  const expected: [keyof DemoResult, unknown][] = [
    ["sufficientBefore", false],
    ["sufficientAfter", true],
    ["sufficientAfterRounds", false],
    ["supersededRefusedWith", "RoundSuperseded"],
    ["sufficientAfterRevoke", false],
    ["revokedRefusedWith", "AttestationRevoked"],
    ["shortfallRefused", true],
  ];
  const wrong: string[] = expected.filter(([key, value]) => r[key] !== value).map(([key]) => key);
  const c = r.continuous;
  if (c.proved.length !== 3) wrong.push("continuous.proved");
  if (!c.alerts.includes("low-excess")) wrong.push("continuous.alerts (low-excess)");
  if (!c.alerts.includes("margin-call")) wrong.push("continuous.alerts (margin-call)");
  if (c.callStateAfterCall !== "pending" || c.callStateAtEnd !== "none")
    wrong.push("continuous.call");
  if (!c.sufficientAtEnd) wrong.push("continuous.sufficientAtEnd");
  if (r.hedged && !(r.hedged.refusedUnderStandard && r.hedged.sufficientUnderPortfolio)) {
    wrong.push("hedged");
  }
  if (wrong.length > 0) throw new Error(`the demo did not behave as expected: ${wrong.join(", ")}`);
}
