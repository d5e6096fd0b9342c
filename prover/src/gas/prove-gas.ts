/**
 * Gas of `MarginRegistry.prove` with real proofs: a fresh venue (the demo's `deployVenue`: the
 * contracts, the instance's generated verifier approved, the first round on the policy's feed, the
 * policy registered with a custodian), then two attested submissions by one account (the first
 * proof of the account, and a repeat).
 */
import { Contract } from "ethers";
import type { Signer } from "ethers";
import {
  loadVerifierArtifact,
  readMarginRegistryDomain,
  signAttestation,
  submitProof,
  toSolidityProof,
} from "../chain";
import type { SolidityProof } from "../chain";
import { deployVenue } from "../demo/deployment";
import type { InstanceDims } from "../encoding/instances";
import type { Market, Policy, Portfolio } from "../inputs";
import { decodePublicSignals, generateProof, singlePortfolioCommitment } from "../proving";
import { readManifest } from "../setup/manifest";

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
   * Publishes rounds, registers the policy and adds the custodian (the admin may hold no
   * operational role; roles do not change prove's gas).
   */
  operator: Signer;
  /** The holder that submits the proofs. */
  account: Signer;
  custodian: Signer;
}

/** What {@link measureProveGas} measured. */
export interface ProveGas {
  instance: string;
  example: string;
  /** Gas of the account's first `prove` (its status slot written from zero). */
  firstProve: bigint;
  /** Gas of a repeat `prove` (status already stored). */
  repeatProve: bigint;
  /** Transaction gas of the instance verifier's `verifyProof` alone, for the first proof. */
  verifyOnly: bigint;
  /** The first proof, for further measurements. */
  proof: SolidityProof;
  publicSignals: string[];
}

/** Timestamp of the latest block, read through the signer's provider. */
async function latestTimestamp(signer: Signer): Promise<bigint> {
  const block = await signer.provider?.getBlock("latest");
  if (!block) throw new Error("the signer's provider has no latest block");
  return BigInt(block.timestamp);
}

/**
 * Deploys a fresh set of contracts for `instance` (set up, with its generated verifier compiled
 * by Hardhat) and measures `prove` with two real proofs of `example` by `signers.account`.
 */
export async function measureProveGas(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  signers: GasSigners,
): Promise<ProveGas> {
  const { admin, operator, account, custodian } = signers;
  const accountAddress = await account.getAddress();
  const portfolio: Portfolio = { ...example.portfolio, account: accountAddress };
  const market: Market = { ...example.market, timestamp: (await latestTimestamp(admin)) - 60n };
  const policy = example.policy;

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
      policy,
      market,
      instance,
      dims,
      verificationKeyHash: readManifest().instances[instance].vkeyHash,
      maxRoundAge: 3600n,
      supersededGrace: 300n,
    },
  );
  const domain = await readMarginRegistryDomain(venue.marginRegistry.contract);
  const registry = venue.registryAs(account);
  const verifier = new Contract(venue.verifier, loadVerifierArtifact(instance).abi, admin);

  const submit = async (nonce: bigint) => {
    const made = await generateProof({ policy, market, portfolio, nonce, instance });
    const proof = toSolidityProof(made.proof);
    const portfolioCommitment = singlePortfolioCommitment(decodePublicSignals(made.publicSignals));
    const verify = await verifier
      .getFunction("verifyProof")
      .estimateGas(proof.a, proof.b, proof.c, made.publicSignals);
    const attestation = await signAttestation(custodian, domain, {
      account: accountAddress,
      portfolioCommitment,
      // Signed after the custodian was added, as the registry requires.
      issuedAt: await latestTimestamp(admin),
      validUntil: market.timestamp + 86_400n,
    });
    const receipt = await submitProof(registry, {
      policyId: venue.policyId,
      round: market.round,
      portfolioCommitment,
      nonce,
      proof,
      attestation,
    });
    return { gas: receipt.gasUsed, verify, proof, publicSignals: made.publicSignals };
  };
  const first = await submit(1n);
  const repeat = await submit(2n);
  return {
    instance,
    example: example.name,
    firstProve: first.gas,
    repeatProve: repeat.gas,
    verifyOnly: first.verify,
    proof: first.proof,
    publicSignals: first.publicSignals,
  };
}
