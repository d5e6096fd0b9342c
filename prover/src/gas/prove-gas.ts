/**
 * Gas of `MarginRegistry.prove` with real proofs: a fresh venue (the demo's `deployVenue`: the
 * contracts, a verifier approved, the first round on the policy's feed, the policy registered at
 * its venue with its custodians), then pledged submissions by one account: the first proof of the
 * account, the same with an EIP-2930 access list, and a repeat; and, with several custodians, a
 * first proof of C sub-portfolios each pledged by its own custodian.
 */
import { Contract } from "ethers";
import type { JsonRpcProvider, Signer } from "ethers";
import {
  loadVerifierArtifact,
  proveAccessList,
  readMarginRegistryDomain,
  readPledgeTerms,
  signPledge,
  submitProof,
  toSolidityProof,
  venueIdOf,
} from "../chain";
import type { ProofSubmission, SignedPledge, SolidityProof } from "../chain";
import { deployVenue, type DemoVenue } from "../demo/deployment";
import type { InstanceDims } from "../encoding/instances";
import type { Market, Policy, Portfolio } from "../inputs";
import { decodePublicSignals, generateProof, singlePortfolioCommitment } from "../proving";
import type { WarmProver } from "../queue/prover";
import { loadArtifacts, readManifest, vkeyHash } from "../setup/manifest";
import { installZkMarginVerifier, keyAcceptingMoreSignals } from "./verifier-gas";

/** An example triple (policy, market, portfolio) named after its folder. */
export interface ExampleTriple {
  name: string;
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
}

/** The roles of the measurement. */
export interface GasSigners {
  /** Deploys the contracts, approves the verifier and grants the roles. */
  admin: Signer;
  /**
   * Publishes rounds, registers the policy and adds the custodians (the admin may hold no
   * operational role; roles do not change prove's gas).
   */
  operator: Signer;
  /** The holder that submits the proofs. */
  account: Signer;
  custodian: Signer;
  /** Further custodians, for the proofs of several sub-portfolios. */
  moreCustodians?: readonly Signer[];
}

/** What {@link measureProveGas} measured. */
export interface ProveGas {
  instance: string;
  example: string;
  /** Gas of the account's first `prove` (its status slot written from zero). */
  firstProve: bigint;
  /** The same first `prove` sent with its EIP-2930 access list (`proveAccessList`). */
  firstProveWithAccessList: bigint;
  /** Addresses and storage keys in that access list. */
  accessListSize: { addresses: number; storageKeys: number };
  /** Gas of a repeat `prove` (status already stored). */
  repeatProve: bigint;
  /** Transaction gas of the instance verifier's `verifyProof` alone, for the first proof. */
  verifyOnly: bigint;
  /** The first proof, for further measurements. */
  proof: SolidityProof;
  publicSignals: string[];
}

/** What {@link measureSeveralPledgesGas} measured. */
export interface PledgesGas {
  /** Pledge slots C of the measured verifier, all used (one custodian each). */
  custodians: number;
  /** Gas of the account's first `prove` with C pledges. */
  firstProve: bigint;
  /** The same with its EIP-2930 access list. */
  firstProveWithAccessList: bigint;
  /** Transaction gas of the verifier's `verifyProof` alone (3 + C signals). */
  verifyOnly: bigint;
}

/** The venue of the measurements. */
const GAS_VENUE = venueIdOf("zkmargin gas venue");

/** Timestamp of the latest block, read through the signer's provider. */
async function latestTimestamp(signer: Signer): Promise<bigint> {
  const block = await signer.provider?.getBlock("latest");
  if (!block) throw new Error("the signer's provider has no latest block");
  return BigInt(block.timestamp);
}

/** The Hardhat provider behind `signer` (snapshots, traces). */
export function rpcOf(signer: Signer): JsonRpcProvider {
  const provider = signer.provider as JsonRpcProvider | null;
  if (typeof provider?.send !== "function") throw new Error("the signer has no JSON-RPC provider");
  return provider;
}

/** The round rules of a venue's policy (default: an hour's round age, five minutes' grace). */
export interface VenueRules {
  maxRoundAge: bigint;
  supersededGrace: bigint;
}

/**
 * A fresh venue for `example` on `instance` with `verifier` (default: the instance's): the
 * contracts, the verifier approved, the example's market posted as the first round (a minute
 * old), the policy registered with `rules` and the custodians added. Its proofs are pledged
 * with {@link pledgeOf} and made with {@link pledgedProof}.
 */
export async function gasVenue(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  signers: Pick<GasSigners, "admin" | "operator" | "custodian" | "moreCustodians">,
  verifier?: { address: string; keyHash: string },
  rules: VenueRules = { maxRoundAge: 3600n, supersededGrace: 300n },
): Promise<{ venue: DemoVenue; market: Market }> {
  const { admin, operator, custodian } = signers;
  const market: Market = { ...example.market, timestamp: (await latestTimestamp(admin)) - 60n };
  // One account holds every operational role: roles do not change prove's gas.
  const venue = await deployVenue(
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
      instance,
      dims,
      verificationKeyHash: verifier?.keyHash ?? readManifest().instances[instance].vkeyHash,
      maxRoundAge: rules.maxRoundAge,
      supersededGrace: rules.supersededGrace,
      venue: GAS_VENUE,
      ...(verifier !== undefined ? { verifier: verifier.address } : {}),
      ...(signers.moreCustodians !== undefined ? { moreCustodians: signers.moreCustodians } : {}),
    },
  );
  return { venue, market };
}

/**
 * `custodian`'s pledge of `portfolioCommitment` for `account` to the venue under the chain's
 * current terms, issued now and valid until `validUntil` (default: a day after the market's
 * round).
 */
export async function pledgeOf(
  venue: DemoVenue,
  custodian: Signer,
  account: string,
  portfolioCommitment: bigint,
  market: Market,
  validUntil: bigint = market.timestamp + 86_400n,
): Promise<SignedPledge> {
  const registry = venue.marginRegistry.contract;
  const address = await custodian.getAddress();
  return signPledge(custodian, await readMarginRegistryDomain(registry), {
    custodian: address,
    ...(await readPledgeTerms(registry, address, account, venue.venue)),
    account,
    venue: venue.venue,
    portfolioCommitment,
    issuedAt: await latestTimestamp(custodian),
    validUntil,
  });
}

/** A real proof of an example's portfolio, with what its pledge and its submission need. */
export interface PledgedProof {
  proof: SolidityProof;
  publicSignals: string[];
  /** The instance's C commitments: this one portfolio's in slot 0, zeros after it. */
  portfolioCommitments: bigint[];
  /** The one portfolio's commitment, which its custodian pledges. */
  portfolioCommitment: bigint;
}

/**
 * A real proof of `example`'s portfolio held by `account`, on `market`, with `nonce`; `prover`
 * keeps the artifacts and the curve warm across many proofs (default: loaded for this one).
 */
export async function pledgedProof(
  instance: string,
  example: ExampleTriple,
  market: Market,
  account: string,
  nonce: bigint,
  prover?: WarmProver,
): Promise<PledgedProof> {
  const made = await generateProof({
    policy: example.policy,
    market,
    portfolio: { ...example.portfolio, account },
    nonce,
    instance,
    ...(prover !== undefined ? { artifacts: prover.artifacts, witness: prover.witness } : {}),
  });
  const decoded = decodePublicSignals(made.publicSignals);
  return {
    proof: toSolidityProof(made.proof),
    publicSignals: made.publicSignals,
    portfolioCommitments: decoded.portfolioCommitments,
    portfolioCommitment: singlePortfolioCommitment(decoded),
  };
}

/**
 * Sends `s` twice from the same chain state: plain, then (the chain reverted to before it) with
 * its access list. Returns both gas figures; the chain is left after the plain one.
 */
async function withAndWithoutAccessList(
  registry: Contract,
  s: ProofSubmission,
  account: Signer,
): Promise<{ plain: bigint; listed: bigint; list: { addresses: number; storageKeys: number } }> {
  const rpc = rpcOf(account);
  const from = await account.getAddress();
  const accessList = await proveAccessList(registry, s, from);
  const before = (await rpc.send("evm_snapshot", [])) as string;
  const listed = (await submitProof(registry, s, { accessList })).gasUsed;
  await rpc.send("evm_revert", [before]);
  const plain = (await submitProof(registry, s)).gasUsed;
  return {
    plain,
    listed,
    list: {
      addresses: accessList.length,
      storageKeys: accessList.reduce((n, entry) => n + entry.storageKeys.length, 0),
    },
  };
}

/**
 * Deploys a fresh set of contracts for `instance` (set up, with its generated verifier compiled
 * by Hardhat) and measures `prove` with two real proofs of `example` by `signers.account`, each
 * pledged by the custodian; the first is also measured with its access list.
 */
export async function measureProveGas(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  signers: GasSigners,
): Promise<ProveGas> {
  const { admin, account, custodian } = signers;
  const accountAddress = await account.getAddress();
  const { venue, market } = await gasVenue(instance, dims, example, signers);
  const registry = venue.registryAs(account);
  const verifier = new Contract(venue.verifier, loadVerifierArtifact(instance).abi, admin);

  const submission = async (nonce: bigint) => {
    const made = await pledgedProof(instance, example, market, accountAddress, nonce);
    const { proof, portfolioCommitments, portfolioCommitment } = made;
    const verify = await verifier
      .getFunction("verifyProof")
      .estimateGas(proof.a, proof.b, proof.c, made.publicSignals);
    const pledge = await pledgeOf(venue, custodian, accountAddress, portfolioCommitment, market);
    const s: ProofSubmission = {
      policyId: venue.policyId,
      round: market.round,
      nonce,
      portfolioCommitments,
      proof,
      pledges: [pledge],
    };
    return { s, verify, proof, publicSignals: made.publicSignals };
  };
  const first = await submission(1n);
  const measured = await withAndWithoutAccessList(registry, first.s, account);
  const repeat = await submission(2n);
  const repeatGas = (await submitProof(registry, repeat.s)).gasUsed;
  return {
    instance,
    example: example.name,
    firstProve: measured.plain,
    firstProveWithAccessList: measured.listed,
    accessListSize: measured.list,
    repeatProve: repeatGas,
    verifyOnly: first.verify,
    proof: first.proof,
    publicSignals: first.publicSignals,
  };
}

/**
 * A first `prove` of C sub-portfolios, each pledged by its own custodian (`signers.custodian`
 * and `signers.moreCustodians`: C in all), with a real proof: the instance's proof of one
 * sub-portfolio, checked by a verifier of `3 + C` signals whose key accepts it with the other
 * C - 1 commitments added (`keyAcceptingMoreSignals`: the same pairings, one more ecMul and ecAdd
 * per signal, as a circuit of C slots). The verifier is snarkjs's template with zkmargin's edits,
 * approved like any other.
 */
export async function measureSeveralPledgesGas(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  signers: GasSigners,
): Promise<PledgesGas> {
  if (dims.pledges !== 1) {
    throw new RangeError(
      `${instance} has ${dims.pledges} pledge slots: the wider verifier appends commitments to a proof of one slot`,
    );
  }
  const custodians = [signers.custodian, ...(signers.moreCustodians ?? [])];
  const { admin, account } = signers;
  const accountAddress = await account.getAddress();
  // The other custodians' sub-portfolios: distinct commitments, fixed (any field element does).
  const more = custodians.slice(1).map((_, k) => 0x5eed0000n + BigInt(k + 1));
  const rpc = rpcOf(admin);
  const { vkey } = await loadArtifacts(instance);
  const key = await keyAcceptingMoreSignals(rpc, vkey, more);
  const wide = await installZkMarginVerifier(admin, rpc, key, `${instance}_c${custodians.length}`);
  const { venue, market } = await gasVenue(instance, dims, example, signers, {
    address: wide.address,
    keyHash: vkeyHash(key),
  });
  const made = await pledgedProof(instance, example, market, accountAddress, 1n);
  const { proof, portfolioCommitment } = made;
  const commitments = [portfolioCommitment, ...more];
  const signals = [...made.publicSignals.map(BigInt), ...more];
  const verifyOnly = await wide.contract
    .getFunction(`verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${signals.length}])`)
    .estimateGas(proof.a, proof.b, proof.c, signals);
  const pledges = await Promise.all(
    custodians.map((c, slot) => pledgeOf(venue, c, accountAddress, commitments[slot], market)),
  );
  const measured = await withAndWithoutAccessList(
    venue.registryAs(account),
    {
      policyId: venue.policyId,
      round: market.round,
      nonce: 1n,
      portfolioCommitments: commitments,
      proof,
      pledges,
    },
    account,
  );
  return {
    custodians: custodians.length,
    firstProve: measured.plain,
    firstProveWithAccessList: measured.listed,
    verifyOnly,
  };
}
