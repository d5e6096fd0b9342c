/**
 * One account's own proof through the relayer's path (`zkmargin watch --relayed`): the account
 * signs its ProveRequest, and a relayer account sends it in a `proveBatch` call (a batch of one),
 * paying for it. The outcome is the item's, as the relayer's batches give it.
 */
import type { BaseContract, Signer, TransactionReceipt } from "ethers";
import {
  proveRequestOf,
  readMarginRegistryDomain,
  signProveRequest,
  submitProofBatch,
  type BatchItemOutcome,
  type OnSent,
  type ProofSubmission,
} from "../chain";
import { DEFAULT_REQUEST_TTL_S } from "./relayer";

/** Options of {@link submitRelayedOne}. */
export interface RelayedOneOptions {
  /** The account, which signs the ProveRequest. */
  account: Signer;
  /** The policy's venue (bytes32), which the request's pledges name. */
  venue: string;
  /** The request's validity, seconds of chain time (default 3600). */
  requestTtlSeconds?: bigint;
  onSent?: OnSent;
}

/**
 * Sends `submission` for the account in `proveBatch` from the registry's runner (the relayer);
 * resolves with the receipt and the item's outcome (accepted, or skipped with the reason).
 */
export async function submitRelayedOne(
  registry: BaseContract,
  submission: ProofSubmission,
  options: RelayedOneOptions,
): Promise<{ receipt: TransactionReceipt; outcome: BatchItemOutcome }> {
  const provider = registry.runner?.provider;
  const latest = await provider?.getBlock("latest");
  const now = BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000));
  const request = {
    ...submission,
    account: await options.account.getAddress(),
    deadline: now + (options.requestTtlSeconds ?? DEFAULT_REQUEST_TTL_S),
  };
  const accountSignature = await signProveRequest(
    options.account,
    await readMarginRegistryDomain(registry),
    proveRequestOf(request, options.venue),
  );
  const { receipt, outcomes } = await submitProofBatch(
    registry,
    [{ ...request, accountSignature }],
    { onSent: options.onSent },
  );
  return { receipt, outcome: outcomes[0] };
}
