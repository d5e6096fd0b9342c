/**
 * The whole zkmargin story in one run: development keys, the institution's plaintext report, a
 * proof, an EVM chain (in-process Hardhat, or any JSON-RPC node), a custodian's attestation, the
 * submission, what a counterparty sees, a refused replay and a refused shortfall.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Interface, Provider } from "ethers";
import {
  addCustodian,
  deployVerifier,
  deployZkMargin,
  isMarginSufficient,
  marginProvedEvents,
  policyIdOf,
  postRound,
  readMarginRegistryDomain,
  registerPolicy,
  decodeRevert,
  signAttestation,
  submitProof,
  toSolidityProof,
} from "../chain";
import { publicCommitments } from "../commitments";
import { ShortfallError } from "../errors";
import { loadMarket, loadPolicy, loadPortfolio, type Market } from "../inputs";
import { computeMargin, formatReport } from "../model";
import { decodePublicSignals, generateProof } from "../proving";
import { setupInstance } from "../setup/dev-setup";
import { terminalProgress } from "../setup/progress";
import { formatUnits } from "../decimal";
import { connectChain } from "./chain";

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
  shortfallRefused: boolean;
}

const ROOT = path.resolve(__dirname, "..", "..", "..");
const MAX_ROUND_AGE = 3600n;

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
  const setup = await setupInstance(instance, { onProgress: terminalProgress(), log: print });
  const constraints = setup.entry.constraints;
  print(`${constraints} constraints; keys ${setup.status === "created" ? "made" : "cached"}.`);

  heading("2. The institution's files (private portfolio, public market round and policy)");
  const policy = loadPolicy(files.policy);
  const portfolio = loadPortfolio(files.portfolio, policy);
  const chain = await connectChain(options.rpc);
  try {
    const [admin, , custodian, stranger] = chain.signers;
    const holder = await chain.signerFor(portfolio.account);
    // The oracle publishes the example's prices as a fresh round, stamped with the chain's clock.
    const market: Market = {
      ...loadMarket(files.market),
      timestamp: BigInt((await latestTimestamp(chain.provider)) + 1),
    };
    print(
      `policy ${policy.id} (${policy.mode}), round ${market.round}, account ${portfolio.account}`,
    );

    heading("3. Plaintext margin report (what only the institution sees)");
    print(formatReport(computeMargin(policy, market, portfolio)));

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
    const verifier = await deployVerifier(admin, instance);
    const { marketBook, policyRegistry, marginRegistry } = await deployZkMargin(admin, {
      publishers: [await admin.getAddress()],
    });
    const registry = marginRegistry.contract;
    // The publisher and governance compute their commitments from the public files alone.
    const published = await publicCommitments({ policy, market, instance: setup.entry.params });
    await postRound(marketBook.contract, {
      round: market.round,
      timestamp: market.timestamp,
      commitment: published.market,
    });
    const policyId = policyIdOf(policy.id);
    await registerPolicy(policyRegistry.contract, {
      policyId,
      commitment: published.policy,
      mode: policy.mode,
      verifier: verifier.address,
      verificationKeyHash: setup.entry.vkeyHash,
      maxRoundAge: MAX_ROUND_AGE,
    });
    await addCustodian(policyRegistry.contract, policyId, await custodian.getAddress());
    print(
      `deployed verifier ${verifier.address}, MarketBook ${marketBook.address}, ` +
        `PolicyRegistry ${policyRegistry.address}, MarginRegistry ${marginRegistry.address}`,
    );
    print(
      `round ${market.round} published; policy registered with max round age ${MAX_ROUND_AGE} s`,
    );

    const domain = await readMarginRegistryDomain(registry);
    const attestation = await signAttestation(custodian, domain, {
      account: portfolio.account,
      portfolioCommitment: signals.portfolioCommitment,
      validUntil: market.timestamp + 86_400n,
    });
    print(`custodian ${attestation.custodian} attested the portfolio commitment for 24 h`);

    const sufficientBefore = await isMarginSufficient(
      registry,
      portfolio.account,
      policyId,
      MAX_ROUND_AGE,
    );
    print(`isMarginSufficient before: ${sufficientBefore}`);
    const submission = {
      policyId,
      round: market.round,
      portfolioCommitment: signals.portfolioCommitment,
      nonce: signals.nonce,
      proof: toSolidityProof(proved.proof),
      attestation,
    };
    const receipt = await submitProof(registry.connect(holder) as typeof registry, submission);
    const sufficientAfter = await isMarginSufficient(
      registry,
      portfolio.account,
      policyId,
      MAX_ROUND_AGE,
    );
    print(
      `MarginRegistry.prove used ${receipt.gasUsed} gas; isMarginSufficient after: ${sufficientAfter}`,
    );

    heading("5. What a counterparty sees on-chain");
    const [event] = await marginProvedEvents(registry, { account: portfolio.account, policyId });
    print(
      `MarginProved(account ${event.account}, policy ${event.policyId}, round ${event.round}, ` +
        `nonce ${event.nonce}, portfolioCommitment ${event.portfolioCommitment})`,
    );
    print(`public signals: ${proved.publicSignals.join(", ")}`);
    print("no balance, no position, no price of the holder's entries: only commitments.");
    const replayRefusedWith = await refusal(registry.interface, () =>
      submitProof(registry.connect(stranger) as typeof registry, submission),
    );
    print(
      `the same proof and attestation sent from ${await stranger.getAddress()}: ` +
        `refused (${replayRefusedWith})`,
    );
    const resubmitRefusedWith = await refusal(registry.interface, () =>
      submitProof(registry.connect(holder) as typeof registry, submission),
    );
    print(`the same proof sent again by the holder: refused (${resubmitRefusedWith})`);

    heading("6. A portfolio that falls short is refused before any proving");
    const shortfallRefused = await refusesShortfall(
      options.shortfallPortfolio ?? path.join(ROOT, "examples", "shortfall", "portfolio.json"),
      { policy, market, instance, print },
    );

    heading("Summary");
    print(`circuit ${instance}: ${constraints} constraints`);
    print(
      `proving time (witness + Groth16 + local verification): ${(provingMs / 1000).toFixed(1)} s`,
    );
    print(`on-chain prove (verification, attestation, status): ${receipt.gasUsed} gas`);
    print(
      `margin excess: ${`${formatUnits(proved.report.excessMicroUsd, 6)} USD`} (known only to the holder)`,
    );
    if (!sufficientAfter || sufficientBefore || !shortfallRefused) {
      throw new Error("the demo did not behave as expected");
    }
    return {
      instance,
      constraints,
      provingMs,
      proveGas: receipt.gasUsed,
      sufficientBefore,
      sufficientAfter,
      replayRefusedWith,
      resubmitRefusedWith,
      shortfallRefused,
    };
  } finally {
    await chain.close();
  }
}

async function latestTimestamp(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the chain has no latest block");
  return block.timestamp;
}

/** Runs a transaction expected to revert and returns the custom error's name. */
async function refusal(iface: Interface, send: () => Promise<unknown>): Promise<string> {
  try {
    await send();
  } catch (error) {
    const decoded = decodeRevert(error, [iface]);
    if (decoded) return decoded.name;
    throw error;
  }
  throw new Error("a replayed proof was accepted");
}

async function refusesShortfall(
  file: string,
  ctx: {
    policy: ReturnType<typeof loadPolicy>;
    market: Market;
    instance: string;
    print: (l: string) => void;
  },
): Promise<boolean> {
  const portfolio = loadPortfolio(file, ctx.policy);
  try {
    await generateProof({
      ...ctx,
      portfolio,
      nonce: 1n,
      files: { policy: "policy.json", market: "market.json", portfolio: file },
    });
  } catch (error) {
    if (error instanceof ShortfallError) {
      ctx.print(`${path.relative(ROOT, file)}: ${error.message}`);
      return true;
    }
    throw error;
  }
  return false;
}
