/**
 * Submitting a job's proof to MarginRegistry exactly once. Before sending, the registry's
 * `lastNonce` for the account and policy says whether the proof's nonce is still usable; when it
 * is not, the `MarginProved` event with that nonce and round says whether an earlier attempt (a
 * worker that died after sending) already recorded it, and that transaction is adopted. The
 * contract refuses a reused nonce, so two workers racing on one job cannot both be recorded.
 */
import * as fs from "node:fs";
import { JsonRpcProvider, Wallet, getAddress } from "ethers";
import {
  attach,
  explainRevert,
  marginProvedEvents,
  nextNonce,
  policyIdOf,
  refusalText,
  submitProof,
  toSolidityProof,
} from "../chain";
import { InputError } from "../errors";
import { readJsonFile } from "../io/json";
import { decodePublicSignals, signedPledgeOf, type PledgeFile } from "../proving";
import { AccountSigners } from "../relay/accounts";
import { pledgeMismatch } from "../submit";
import { PermanentJobError } from "./failures";
import type { ProofJob } from "./job";
import type { StoredProof, SubmissionRecord } from "./results";

/**
 * Refusals that may clear by themselves, retried rather than final: the round is not posted yet
 * (a node behind the publisher's).
 */
const TRANSIENT_REFUSALS = new Set(["UnknownRound"]);

/** How often to poll the node for a receipt. */
const POLLING_MS = 500;

/** Options of {@link connectSubmitter}. */
export interface SubmitterOptions {
  /** JSON-RPC URL of the node the registry lives on. */
  rpc: string;
  /**
   * A JSON file `{ "<account>": "<0x private key>", ... }` with owner-only permissions, for
   * accounts the node does not hold unlocked.
   */
  accountKeys?: string;
}

/** Reads an account-keys file; refuses one that others can read, or a key that is not its account's. */
export function readAccountKeys(file: string): Map<string, string> {
  const mode = fs.statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new InputError(
      file,
      "$",
      `holds private keys: must be owner-only (chmod 600), not ${mode.toString(8)}`,
    );
  }
  const json = readJsonFile(file);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InputError(file, "$", "must be an object of account address to private key");
  }
  const keys = new Map<string, string>();
  for (const [account, key] of Object.entries(json)) {
    let wallet: Wallet;
    try {
      wallet = new Wallet(String(key));
    } catch {
      throw new InputError(file, account, "must be a 32-byte 0x-hex private key");
    }
    let address: string;
    try {
      address = getAddress(account);
    } catch {
      throw new InputError(file, account, "must be an address with a valid EIP-55 checksum");
    }
    if (wallet.address !== address) {
      throw new InputError(file, account, "is not the address of its private key");
    }
    keys.set(address, wallet.privateKey);
  }
  return keys;
}

/** How a job's stored proof is recorded on-chain: one `prove` per proof, or the relayer's batches. */
export interface ProofSubmitter {
  /** Records the job's stored proof once; resolves with the transaction that holds it. */
  submit(job: ProofJob, stored: StoredProof): Promise<SubmissionRecord>;
}

/** Connects to the node: its provider, chain id, and the signers of the accounts held. */
export async function connectNode(
  options: SubmitterOptions,
): Promise<{ provider: JsonRpcProvider; chainId: bigint; accounts: AccountSigners }> {
  const keys = options.accountKeys
    ? readAccountKeys(options.accountKeys)
    : new Map<string, string>();
  const provider = new JsonRpcProvider(options.rpc, undefined, {
    staticNetwork: true,
    pollingInterval: POLLING_MS,
  });
  try {
    const network = await provider.getNetwork();
    return {
      provider,
      chainId: network.chainId,
      accounts: await AccountSigners.of(provider, keys),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

/**
 * Submits stored proofs one `prove` per proof, each from its own account (a key or an unlocked
 * node account): for registries without `proveBatch`, and accounts that send their own proofs.
 */
export class Submitter implements ProofSubmitter {
  private constructor(
    private readonly provider: JsonRpcProvider,
    readonly chainId: bigint,
    private readonly accounts: AccountSigners,
  ) {}

  /** Connects to the node and reads its chain id and unlocked accounts. */
  static async connect(options: SubmitterOptions): Promise<Submitter> {
    const node = await connectNode(options);
    return new Submitter(node.provider, node.chainId, node.accounts);
  }

  /** Records the job's stored proof on-chain once; returns the transaction that holds it. */
  async submit(job: ProofJob, stored: StoredProof): Promise<SubmissionRecord> {
    const target = job.submit;
    if (target === undefined) throw new Error("the job asks for no submission");
    if (BigInt(target.chainId) !== this.chainId) {
      throw new PermanentJobError(
        `the job submits on chain ${target.chainId} but the RPC node is on chain ${this.chainId}`,
      );
    }
    const signals = decodePublicSignals(stored.publicSignals, "public.json");
    const portfolioCommitments = signals.portfolioCommitments;
    const pledges = job.pledges ?? [];
    checkPledges(pledges, job.account, portfolioCommitments);
    const registry = attach(
      "MarginRegistry",
      target.registry,
      await this.accounts.signerFor(job.account),
    );
    const policyId = policyIdOf(job.policyId);
    const round = BigInt(job.round);
    const recorded = async (): Promise<SubmissionRecord | undefined> => {
      const events = await marginProvedEvents(registry, { account: job.account, policyId });
      const event = events.find((e) => e.nonce === signals.nonce && e.round === round);
      return (
        event && {
          ...target,
          transactionHash: event.transactionHash,
          blockNumber: event.blockNumber,
          found: true,
        }
      );
    };

    const last = (await nextNonce(registry, job.account, policyId)) - 1n;
    if (last >= signals.nonce) {
      const found = await recorded();
      if (found) return found;
      throw new PermanentJobError(
        `nonce ${signals.nonce} is not above the account's last nonce on-chain (${last}) for ` +
          `policy ${job.policyId}: a later proof was recorded first`,
      );
    }
    try {
      const receipt = await submitProof(registry, {
        policyId,
        round,
        portfolioCommitments,
        nonce: signals.nonce,
        proof: toSolidityProof(stored.proof),
        pledges: pledges.map(signedPledgeOf),
      });
      return {
        ...target,
        transactionHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        found: false,
      };
    } catch (error) {
      const refusal = explainRevert(error, [registry.interface]);
      if (refusal?.name === "NonceNotIncreasing") {
        const found = await recorded(); // another attempt's transaction got in first
        if (found) return found;
      }
      if (refusal === undefined) throw error;
      const reason = `MarginRegistry refused the proof: ${refusalText(refusal)}`;
      if (TRANSIENT_REFUSALS.has(refusal.name)) throw new Error(`${reason}; retried`);
      throw new PermanentJobError(reason);
    }
  }

  close(): void {
    this.provider.destroy();
  }
}

/** Refuses pledges for another account, or of other commitments than the proof's slots. */
function checkPledges(
  pledges: readonly PledgeFile[],
  account: string,
  commitments: readonly bigint[],
): void {
  const mismatch = pledgeMismatch(pledges, account, commitments);
  if (mismatch !== undefined) {
    throw new PermanentJobError(
      `the job's pledge ${mismatch.slot}: ${mismatch.field} ${mismatch.rule}`,
    );
  }
}
