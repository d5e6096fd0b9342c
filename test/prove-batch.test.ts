/**
 * MarginRegistry.proveBatch with real Groth16 proofs of the `small` instance (one pledge slot,
 * one custodian's pledge per account, as the demo policy has): valid batches of different
 * accounts accepted and counting, an invalid proof (or one valid for other inputs) reverting the
 * call, items refused for any other reason skipped with their event, a batch of one deciding as
 * `proveFor`, and, for random mixes, the accepted set equal to what single `proveFor` calls
 * accept from the same state.
 *
 * The suite runs the development setup of the instance first (a no-op when its keys and
 * generated verifier are up to date) and makes its proofs once.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import type { Contract, Interface, Signer, TypedDataDomain } from "ethers";
import {
  batchItemOf,
  batchOutcomes,
  batchWeights,
  deployVerifier,
  isMarginSufficient,
  policyIdOf,
  PROVE_REQUEST_TYPES,
  postRound,
  proofCoordinates,
  proveRequestOf,
  readMarginRegistryDomain,
  readPledgeTerms,
  registerPolicy,
  revokePledges,
  signPledge,
  signProveRequest,
  submitProofBatch,
  submitProofFor,
  toBatchCalldata,
  toSolidityProof,
  type BatchItemOutcome,
  type RelayedSubmission,
  type SignedPledge,
  type SolidityProof,
} from "../prover/src/chain";
import { publicCommitments } from "../prover/src/commitments";
import { exampleFor } from "../prover/src/bench/examples";
import { deployVenue, nextRound, type DemoVenue } from "../prover/src/demo/deployment";
import { loadInstances } from "../prover/src/encoding/instances";
import type { Market } from "../prover/src/inputs";
import {
  decodePublicSignals,
  generateProof,
  singlePortfolioCommitment,
} from "../prover/src/proving";
import { WarmProver } from "../prover/src/queue/prover";
import { readManifest } from "../prover/src/setup/manifest";
import { releaseCurve } from "../prover/src/setup/snarkjs";
import {
  compileContracts,
  expectRevert,
  hre,
  now,
  revertAfterEachTest,
  setNextTimestamp,
  snapshot,
} from "./contracts.fixture";
import { awaitSharedKeys } from "./helpers/shared-keys";

const INSTANCE = "small";
const MAX_ROUND_AGE = 3600n;
const GRACE = 600n;
const DAY = 86_400n;
/** Accounts with a proof of nonce 1 on the first round. */
const ACCOUNTS = 6;
/** Of those, accounts with a proof of nonce 1 on the second round too. */
const SECOND_ROUND_ACCOUNTS = 2;
/** The second round is posted this long after the first: the first is stale then. */
const SECOND_ROUND_AFTER = MAX_ROUND_AGE + 100n;
const EC_ADD = "0x0000000000000000000000000000000000000006";

/** A real proof of one account's margin, with what it was made for. */
interface Proven {
  account: Wallet;
  round: bigint;
  nonce: bigint;
  proof: SolidityProof;
  publicSignals: bigint[];
  portfolioCommitments: bigint[];
  portfolioCommitment: bigint;
}

/** What an item may change from its proof's statement (the attacks and refusals below). */
interface ItemOptions {
  policyId?: string;
  nonce?: bigint;
  proof?: SolidityProof;
  /** Signs the request instead of the account. */
  signer?: Wallet;
  /** The pledge's expiry (default: a day after now). */
  validUntil?: bigint;
  deadline?: bigint;
}

describe("MarginRegistry.proveBatch (real proofs, small instance)", function () {
  let venue: DemoVenue;
  let registry: Contract;
  let relayer: Signer;
  let custodian: Signer;
  let domain: TypedDataDomain;
  let errors: Interface[];
  /** ACCOUNTS proofs on the first round, then SECOND_ROUND_ACCOUNTS on the second. */
  let first: Proven[];
  let second: Proven[];
  let secondMarket: Market;
  /** A policy of the same commitment and feed on another verifier (same code, new address). */
  let otherVerifierPolicy: string;

  const address = (p: Proven) => p.account.address;

  /** A custodian's pledge of `p`'s commitment under the chain's current terms. */
  async function pledgeFor(p: Proven, validUntil?: bigint): Promise<SignedPledge> {
    const custodianAddress = await custodian.getAddress();
    const issuedAt = await now();
    return signPledge(custodian, domain, {
      custodian: custodianAddress,
      ...(await readPledgeTerms(registry, custodianAddress, address(p), venue.venue)),
      account: address(p),
      venue: venue.venue,
      portfolioCommitment: p.portfolioCommitment,
      issuedAt,
      validUntil: validUntil ?? issuedAt + DAY,
    });
  }

  /** `p` as a relayed submission, its request signed by the account (or `options.signer`). */
  async function item(p: Proven, options: ItemOptions = {}): Promise<RelayedSubmission> {
    const submission = {
      account: address(p),
      policyId: options.policyId ?? venue.policyId,
      round: p.round,
      nonce: options.nonce ?? p.nonce,
      deadline: options.deadline ?? (await now()) + DAY,
      portfolioCommitments: p.portfolioCommitments,
      proof: options.proof ?? p.proof,
      pledges: [await pledgeFor(p, options.validUntil)],
    };
    const message = proveRequestOf(submission, venue.venue);
    const accountSignature =
      options.signer === undefined
        ? await signProveRequest(p.account, domain, message)
        : await options.signer.signTypedData(domain, PROVE_REQUEST_TYPES, message);
    return { ...submission, accountSignature };
  }

  const sufficient = (p: Proven) =>
    isMarginSufficient(registry, address(p), venue.policyId, MAX_ROUND_AGE);

  const lastNonce = async (p: Proven, policyId = venue.policyId) =>
    (await registry.getFunction("lastNonce")(address(p), policyId)) as bigint;

  const batch = (items: readonly RelayedSubmission[]) => submitProofBatch(registry, items);

  /** The outcomes' refusal names, index by index ("accepted" for an accepted item). */
  const verdicts = (outcomes: readonly BatchItemOutcome[]) =>
    outcomes.map((o) => (o.accepted ? "accepted" : o.refusal.name));

  before(async function () {
    await awaitSharedKeys(this, INSTANCE);
    await compileContracts();
    const signers = await hre.ethers.getSigners();
    const [admin, operator] = signers;
    [custodian, relayer] = signers.slice(2);
    const dims = loadInstances()[INSTANCE];
    const example = exampleFor(dims);
    if (example === undefined) throw new Error(`no example fits the ${INSTANCE} instance`);
    const market: Market = { ...example.market, timestamp: (await now()) - 60n };
    venue = await deployVenue(
      {
        admin,
        publisher: operator,
        policyAdmin: operator,
        custodianAdmin: operator,
        custodian,
        stranger: operator,
      },
      {
        policy: example.policy,
        market,
        instance: INSTANCE,
        dims,
        verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
        maxRoundAge: MAX_ROUND_AGE,
        supersededGrace: GRACE,
      },
    );
    registry = venue.registryAs(relayer);
    domain = await readMarginRegistryDomain(registry);
    errors = [registry.interface];
    // The same verifier code at a second address (its code hash is approved already), under a
    // second policy of the same commitment and feed: every proof here is valid for it too.
    const otherVerifier = await deployVerifier(admin, INSTANCE);
    otherVerifierPolicy = policyIdOf(`${example.policy.id} on another verifier`);
    const published = await publicCommitments({ policy: example.policy, market, instance: dims });
    await registerPolicy(venue.policyRegistry.contract.connect(operator) as Contract, {
      policyId: otherVerifierPolicy,
      commitment: published.policy,
      mode: example.policy.mode,
      verifier: otherVerifier.address,
      verificationKeyHash: readManifest().instances[INSTANCE].vkeyHash,
      feed: venue.feed,
      venue: venue.venue,
      maxRoundAge: MAX_ROUND_AGE,
      supersededGrace: GRACE,
    });
    // The second round's market is fixed now (its timestamp too), so its proofs can be made
    // before it is posted.
    secondMarket = nextRound(market, -10_000n, market.timestamp + SECOND_ROUND_AFTER);
    const prover = new WarmProver();
    const prove = async (account: Wallet, m: Market): Promise<Proven> => {
      const made = await generateProof({
        policy: example.policy,
        market: m,
        portfolio: { ...example.portfolio, account: account.address },
        nonce: 1n,
        instance: INSTANCE,
        artifacts: prover.artifacts,
        witness: prover.witness,
      });
      const decoded = decodePublicSignals(made.publicSignals);
      return {
        account,
        round: m.round,
        nonce: 1n,
        proof: toSolidityProof(made.proof),
        publicSignals: made.publicSignals.map(BigInt),
        portfolioCommitments: decoded.portfolioCommitments,
        portfolioCommitment: singlePortfolioCommitment(decoded),
      };
    };
    try {
      const accounts = Array.from(
        { length: ACCOUNTS },
        (_, i) => new Wallet(keccak256(toUtf8Bytes(`zkmargin batch account ${i}`))),
      );
      first = [];
      for (const account of accounts) first.push(await prove(account, market));
      second = [];
      for (const account of accounts.slice(0, SECOND_ROUND_ACCOUNTS)) {
        second.push(await prove(account, secondMarket));
      }
    } finally {
      await prover.close();
    }
  });

  after(async function () {
    await releaseCurve();
  });

  revertAfterEachTest();

  it("accepts a batch of valid proofs of different accounts, and every status counts", async function () {
    for (const p of first) expect(await sufficient(p)).to.equal(false);
    const items = await Promise.all(first.map((p) => item(p)));
    // The call returns how many it accepted.
    expect(await registry.getFunction("proveBatch").staticCall(items.map(batchItemOf))).to.equal(
      BigInt(first.length),
    );
    const { receipt, outcomes } = await batch(items);
    expect(verdicts(outcomes)).to.deep.equal(first.map(() => "accepted"));
    expect(outcomes.map((o) => o.account)).to.deep.equal(first.map(address));
    for (const p of first) {
      expect(await sufficient(p), address(p)).to.equal(true);
      expect(await lastNonce(p)).to.equal(1n);
    }
    // One MarginProved per item, in order, as proveFor emits it.
    const proved = receipt.logs
      .map((log) => registry.interface.parseLog(log))
      .filter((parsed) => parsed?.name === "MarginProved");
    expect(proved.map((e) => e?.args.account as string)).to.deep.equal(first.map(address));
    expect(proved.map((e) => e?.args.round as bigint)).to.deep.equal(first.map((p) => p.round));
    expect(proved.map((e) => [...(e?.args.portfolioCommitments as bigint[])])).to.deep.equal(
      first.map((p) => p.portfolioCommitments),
    );
  });
});
