/**
 * Submitting a proof made by `zkmargin prove` with its custodians' pledges: the files read and
 * checked against each other, then against chain state (the policy, the round, the nonce, the
 * signer) before anything is sent, each mismatch refused in words. What only the registry can
 * judge (pledge signatures, registrations, epochs, expiry, venue) it judges itself: ethers
 * estimates the call first, so its refusal comes back before a transaction is sent.
 */
import type { Contract, Provider } from "ethers";
import { toSolidityProof, type SolidityProof } from "../chain/calldata";
import { readFeedHead, readRound } from "../chain/market-book";
import { readPolicy, type RegisteredPolicy } from "../chain/policy";
import { nextNonce, type ProofSubmission } from "../chain/registry";
import { InputError } from "../errors";
import { readJsonFile } from "../io/json";
import { parsePledgeFile, signedPledgeOf, type PledgeFile } from "../proving/attest";
import { parseProof } from "../proving/proof-files";
import { decodePublicSignals, type DecodedPublicSignals } from "../proving/public-signals";
import { seconds, unixTime } from "../time";

/** The files of a submission: what `zkmargin prove` wrote, and one pledge file per used slot. */
export interface SubmissionFiles {
  proof: string;
  public: string;
  /** In slot order; none for a policy that requires no pledges. */
  pledges: readonly string[];
}

/** A submission's files, parsed and checked against each other. */
export interface LoadedSubmission {
  files: SubmissionFiles;
  signals: DecodedPublicSignals;
  proof: SolidityProof;
  pledges: PledgeFile[];
}

/**
 * Why pledges do not fit a proof (pledge k must be for the proof's account and pledge slot k's
 * commitment), or undefined when they fit. Shared by `zkmargin submit` and the queue's submitter.
 */
export function pledgeMismatch(
  pledges: readonly PledgeFile[],
  account: string,
  commitments: readonly bigint[],
): { slot: number; field: keyof PledgeFile; rule: string } | undefined {
  for (const [slot, pledge] of pledges.entries()) {
    if (pledge.account !== account) {
      return { slot, field: "account", rule: `is ${pledge.account}, not the proof's ${account}` };
    }
    if (BigInt(pledge.portfolioCommitment) !== (commitments[slot] ?? 0n)) {
      return {
        slot,
        field: "portfolioCommitment",
        rule:
          `is not the proof's slot ${slot + 1} commitment: the pledge is of another opening ` +
          "(prove from the pledged opening, so the salt is the same, and give the pledges in slot order)",
      };
    }
  }
  return undefined;
}

/**
 * Reads proof.json, public.json and the pledge files; refuses, naming the file and field, a
 * malformed one, a pledge count other than the proof's used slots, and a pledge that is not of
 * its slot's commitment or is for another account.
 */
export function loadSubmission(files: SubmissionFiles): LoadedSubmission {
  const proof = toSolidityProof(parseProof(readJsonFile(files.proof), files.proof), files.proof);
  const signals = decodePublicSignals(readJsonFile(files.public), files.public);
  const pledges = loadPledgeFiles(files.pledges, signals, files.public);
  return { files, signals, proof, pledges };
}

/**
 * Reads the pledge files of a proof (public.json at `publicFile`); refuses, naming the file and
 * field, a malformed one, a count other than the proof's used slots, and a pledge that is not of
 * its slot's commitment or is for another account. None given: none read.
 */
export function loadPledgeFiles(
  files: readonly string[],
  signals: DecodedPublicSignals,
  publicFile: string,
): PledgeFile[] {
  const pledges = files.map((file) => parsePledgeFile(readJsonFile(file), file));
  const used = signals.portfolioCommitments.filter((c) => c !== 0n).length;
  if (pledges.length > 0 && pledges.length !== used) {
    throw new InputError(
      publicFile,
      "portfolioCommitments",
      `the proof uses ${used} pledge slot(s) and ${pledges.length} pledge file(s) were given: ` +
        "give one pledge per used slot, in slot order",
    );
  }
  const mismatch = pledgeMismatch(pledges, signals.account, signals.portfolioCommitments);
  if (mismatch !== undefined) {
    throw new InputError(files[mismatch.slot], mismatch.field, mismatch.rule);
  }
  return pledges;
}

/** The contracts a submission is checked against. */
export interface SubmissionContracts {
  marginRegistry: Contract;
  marketBook: Contract;
  policyRegistry: Contract;
}

/** A submission that passed the local checks: the round it is for and the policy it is under. */
export interface CheckedSubmission {
  submission: ProofSubmission;
  round: bigint;
  policy: RegisteredPolicy;
}

/**
 * Checks a loaded submission against chain state at the latest block, and returns the
 * `MarginRegistry.prove` arguments. Refuses in words (an {@link InputError} naming the file whose
 * content does not fit): a policy not registered or retired; a proof of another policy; a proof
 * for another account than `sender`; pledges missing, or given to a policy that takes none; a
 * nonce not above the account's last; a proof whose market commitment is neither the feed's
 * latest round's nor (within the policy's superseded grace) the one before's; an invalidated or
 * stale round.
 */
export async function checkSubmission(
  contracts: SubmissionContracts,
  provider: Provider,
  loaded: LoadedSubmission,
  policyId: string,
  sender: string,
): Promise<CheckedSubmission> {
  const { signals, files, pledges } = loaded;
  const chain = `registry ${String(contracts.marginRegistry.target)}`;
  const policy = await readPolicy(contracts.policyRegistry, policyId);
  if (policy === null) {
    throw new InputError(chain, "policy", `${policyId} is not registered in the PolicyRegistry`);
  }
  if (policy.retired) {
    throw new InputError(chain, "policy", `${policyId} is retired: it takes no proofs`);
  }
  if (signals.policyCommitment !== policy.commitment) {
    throw new InputError(
      files.public,
      "[2]",
      `policyCommitment: is not the commitment of policy ${policyId} (${policy.commitment}): the ` +
        "proof was made for another policy document",
    );
  }
  if (signals.account !== sender) {
    throw new InputError(
      files.public,
      "[0]",
      `the proof is for account ${signals.account} and the signing key is ${sender}'s: an ` +
        "account submits its own proofs (sign with its key)",
    );
  }
  if (policy.requiresPledges && pledges.length === 0) {
    throw new InputError(
      files.public,
      "portfolioCommitments",
      "the policy requires a custodian's pledge per used slot and none was given (--pledge; the " +
        "custodian signs one with zkmargin attest)",
    );
  }
  if (!policy.requiresPledges && pledges.length > 0) {
    throw new InputError(
      files.pledges[0],
      "$",
      "the policy requires no pledges: submit the proof without them",
    );
  }
  const next = await nextNonce(contracts.marginRegistry, sender, policy.policyId);
  if (signals.nonce < next) {
    throw new InputError(
      files.public,
      "[0]",
      `nonce ${signals.nonce} is not above the account's last accepted nonce ${next - 1n} under ` +
        `this policy (a replay, or a proof made with an old nonce): prove again with --nonce ${next} or above`,
    );
  }
  const round = await provenRound(contracts.marketBook, provider, policy, loaded);
  return {
    submission: {
      policyId: policy.policyId,
      round,
      nonce: signals.nonce,
      portfolioCommitments: signals.portfolioCommitments,
      proof: loaded.proof,
      pledges: pledges.map(signedPledgeOf),
    },
    round,
    policy,
  };
}

/**
 * The round the proof was made on: the feed's latest round, or the one before it while the
 * policy's superseded grace lasts, whichever carries the proof's market commitment; refused when
 * neither does, or that round is invalidated or older than the policy's maxRoundAge.
 */
async function provenRound(
  marketBook: Contract,
  provider: Provider,
  policy: RegisteredPolicy,
  loaded: LoadedSubmission,
): Promise<bigint> {
  const where = { file: loaded.files.public, field: "[1]" };
  const head = await readFeedHead(marketBook, policy.feed);
  if (head.latestRound === 0n) {
    throw new InputError(
      where.file,
      where.field,
      `the policy's feed ${policy.feed} has no round yet`,
    );
  }
  const candidates =
    head.latestRound > head.firstRound
      ? [head.latestRound, head.latestRound - 1n]
      : [head.latestRound];
  const block = await provider.getBlock("latest");
  const now = BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000));
  for (const round of candidates) {
    const record = await readRound(marketBook, policy.feed, round);
    if (record.commitment !== loaded.signals.marketCommitment) continue;
    if (record.invalid) {
      throw new InputError(
        where.file,
        where.field,
        `marketCommitment: round ${round} was invalidated by the publisher: prove on the next round it posts`,
      );
    }
    if (round !== head.latestRound) {
      const graceEnd = record.supersededAt + policy.supersededGrace;
      if (now >= graceEnd) {
        throw new InputError(
          where.file,
          where.field,
          `marketCommitment: round ${round} is superseded by round ${head.latestRound} (posted at ` +
            `${unixTime(record.supersededAt)}) and the policy's grace of ${seconds(policy.supersededGrace)} ` +
            `ended at ${unixTime(graceEnd)}: prove on round ${head.latestRound}`,
        );
      }
    }
    if (now - record.timestamp > policy.maxRoundAge) {
      throw new InputError(
        where.file,
        where.field,
        `marketCommitment: round ${round} is stale: its timestamp ${unixTime(record.timestamp)} is ` +
          `more than the policy's maxRoundAge of ${seconds(policy.maxRoundAge)} before the chain's ` +
          "clock; the publisher must post a fresh round and the proof be made on it",
      );
    }
    return round;
  }
  throw new InputError(
    where.file,
    where.field,
    `marketCommitment: is not the market commitment of the feed's latest round ${head.latestRound}` +
      (candidates.length > 1 ? ` nor of round ${candidates[1]} before it` : "") +
      `: the proof was made on an older round or another market file; prove on round ${head.latestRound}`,
  );
}
