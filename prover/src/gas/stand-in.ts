/**
 * A deployment whose policy is verified by the test-only `ExpectedInputsVerifier` (it accepts the
 * one proof and public signals it is told to expect), so a status can be recorded without a
 * circuit: what consumer-side measurements (`npm run gas`, the views) and the example venue's
 * tests build on. Every other check of `prove` (round, nonce, pledge) runs as usual.
 */
import { AbiCoder, keccak256 } from "ethers";
import type { Contract, ContractTransactionReceipt, Signer } from "ethers";
import {
  addCustodian,
  deployArtifact,
  deployZkMargin,
  latestBlockTime,
  loadArtifact,
  policyIdOf,
  postRound,
  proofFromCoordinates,
  readFeedHead,
  readMarginRegistryDomain,
  readPledgeTerms,
  registerPolicy,
  signPledge,
  submitProof,
  venueIdOf,
  type SignedPledge,
  type SolidityProof,
} from "../chain";
import { approveVerifierOnDevChain } from "../demo/deployment";
import { feedIdOf } from "../layout";
import { encodePublicSignals } from "../proving/public-signals";

/** Who does what: one signer per role (the admin may hold no operational role). */
export interface StandInRoles {
  admin: Signer;
  publisher: Signer;
  policyAdmin: Signer;
  custodianAdmin: Signer;
  custodian: Signer;
}

/** The policy's parameters. */
export interface StandInPolicy {
  /** Its policy.json id (hashed into the policy id). */
  name: string;
  requiresPledges: boolean;
  cureWindow: bigint;
  maxRoundAge: bigint;
  supersededGrace: bigint;
}

/** A deployed stand-in venue. */
export interface StandInDeployment {
  registry: Contract;
  marketBook: Contract;
  policyRegistry: Contract;
  policyId: string;
  feed: string;
  /** Posts the feed's next round (timestamp: the latest block's unless given); returns it. */
  postNextRound(timestamp?: bigint): Promise<bigint>;
  /**
   * `account` proves on `round` (the feed's latest by default) with its next nonce and, when the
   * policy requires one, the custodian's pledge to the venue issued now and valid until `validUntil` (default:
   * the policy's maximum round age from now).
   */
  prove(
    account: Signer,
    options?: { round?: bigint; validUntil?: bigint },
  ): Promise<ContractTransactionReceipt>;
}

/** The venue of the stand-in policy. */
export const STAND_IN_VENUE = venueIdOf("stand-in venue");
const POLICY_COMMITMENT = 0x4242n;
const PORTFOLIO_COMMITMENT = 0x7777n;
const PROOF = proofFromCoordinates([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
const PROOF_HASH = standInProofHash(PROOF);

/** What `ExpectedInputsVerifier` keys an expected proof by: keccak256 of its eight words. */
export function standInProofHash(proof: SolidityProof): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["uint256[2]", "uint256[2][2]", "uint256[2]"],
      [proof.a, proof.b, proof.c],
    ),
  );
}

/** The market commitment posted for `round` (distinct per round, below the field modulus). */
function marketCommitmentOf(round: bigint): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint64"], [round]))) >> 8n;
}

/** The latest block's timestamp, through the signer's provider. */
function latestTimestamp(signer: Signer): Promise<bigint> {
  if (!signer.provider) throw new Error("the signer has no provider");
  return latestBlockTime(signer.provider);
}

/**
 * Deploys the contracts, the stand-in verifier (approved), a feed with its first round, and one
 * policy on it at the stand-in venue (with `roles.custodian` registered there when the policy
 * requires pledges). The verifier takes four public signals (one pledge slot).
 */
export async function deployStandIn(
  roles: StandInRoles,
  policy: StandInPolicy,
): Promise<StandInDeployment> {
  const { admin, publisher, policyAdmin, custodianAdmin, custodian } = roles;
  const feed = feedIdOf(0x5e1dn);
  const policyId = policyIdOf(policy.name);
  const d = await deployZkMargin(admin, {
    roles: {
      publishers: { [feed]: [await publisher.getAddress()] },
      policyAdmins: [await policyAdmin.getAddress()],
      custodianAdmins: [await custodianAdmin.getAddress()],
    },
  });
  const registry = d.marginRegistry.contract;
  const marketBook = d.marketBook.contract;
  const policyRegistry = d.policyRegistry.contract;
  const verifier = (await deployArtifact(admin, loadArtifact("ExpectedInputsVerifier"), [4n]))
    .contract;
  await approveVerifierOnDevChain(policyRegistry, await verifier.getAddress());
  await registerPolicy(policyRegistry.connect(policyAdmin) as Contract, {
    policyId,
    commitment: POLICY_COMMITMENT,
    mode: "maintenance",
    verifier: await verifier.getAddress(),
    verificationKeyHash: (await verifier.getFunction("verificationKeyHash")()) as string,
    feed,
    venue: STAND_IN_VENUE,
    maxRoundAge: policy.maxRoundAge,
    supersededGrace: policy.supersededGrace,
    requiresPledges: policy.requiresPledges,
    cureWindow: policy.cureWindow,
  });
  if (policy.requiresPledges) {
    await addCustodian(
      policyRegistry.connect(custodianAdmin) as Contract,
      STAND_IN_VENUE,
      await custodian.getAddress(),
    );
  }
  const domain = await readMarginRegistryDomain(registry);

  const postNextRound = async (timestamp?: bigint): Promise<bigint> => {
    const round = (await readFeedHead(marketBook, feed)).latestRound + 1n;
    await postRound(marketBook.connect(publisher) as Contract, {
      feed,
      round,
      timestamp: timestamp ?? (await latestTimestamp(admin)),
      commitment: marketCommitmentOf(round),
    });
    return round;
  };

  const prove: StandInDeployment["prove"] = async (signer, options = {}) => {
    const account = await signer.getAddress();
    const round = options.round ?? (await readFeedHead(marketBook, feed)).latestRound;
    const nonce = ((await registry.getFunction("lastNonce")(account, policyId)) as bigint) + 1n;
    const signals = encodePublicSignals({
      account,
      nonce,
      marketCommitment: marketCommitmentOf(round),
      policyCommitment: POLICY_COMMITMENT,
      portfolioCommitments: [PORTFOLIO_COMMITMENT],
    }).map(BigInt);
    await (await verifier.getFunction("expect")(PROOF_HASH, signals)).wait();
    const pledges: SignedPledge[] = [];
    if (policy.requiresPledges) {
      const issuedAt = await latestTimestamp(admin);
      const address = await custodian.getAddress();
      pledges.push(
        await signPledge(custodian, domain, {
          custodian: address,
          ...(await readPledgeTerms(registry, address, account, STAND_IN_VENUE)),
          account,
          venue: STAND_IN_VENUE,
          portfolioCommitment: PORTFOLIO_COMMITMENT,
          issuedAt,
          validUntil: options.validUntil ?? issuedAt + policy.maxRoundAge,
        }),
      );
    }
    return submitProof(registry.connect(signer) as Contract, {
      policyId,
      round,
      portfolioCommitments: [PORTFOLIO_COMMITMENT],
      nonce,
      proof: PROOF,
      pledges,
    });
  };

  await postNextRound();
  return { registry, marketBook, policyRegistry, policyId, feed, postNextRound, prove };
}
