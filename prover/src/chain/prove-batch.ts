/**
 * Submitting relayed proofs in one `MarginRegistry.proveBatch` call and reading what became of
 * each item: accepted (`MarginProved`) or skipped (`ProofSkipped`, its refusal decoded by the
 * registry's interface and put in words). Browser-safe: ethers only.
 */
import type { AccessList, BaseContract, Interface, TransactionReceipt } from "ethers";
import { explainRevert, refusalText, type Refusal } from "./refusals";
import {
  registryCallAccessList,
  relayedCalldata,
  type RelayedCalldata,
  type RelayedSubmission,
  type SubmitOptions,
} from "./registry";
import { sendAndWait } from "./send";

/** One item of a batch as a relayer gathers it: a relayed submission (the `proveFor` arguments). */
export type BatchItemInput = RelayedSubmission;

/**
 * One item of a `proveBatch` group, as ethers encodes its `BatchItem` struct: the `proveFor`
 * arguments but its group's policy id, round and deadline.
 */
export type BatchItemCalldata = Omit<RelayedCalldata, "policyId" | "round" | "deadline">;

/** One group of `proveBatch`, as ethers encodes its `BatchGroup` struct. */
export interface BatchGroupCalldata {
  policyId: string;
  round: bigint;
  deadline: bigint;
  /** At least one. */
  items: BatchItemCalldata[];
}

/** What became of one item of a batch. */
export type BatchItemOutcome =
  | { index: number; account: string; accepted: true }
  | {
      index: number;
      account: string;
      accepted: false;
      /** The refusal `proveFor` would have reverted with (or `BatchVerifierMismatch`). */
      refusal: Refusal;
      /** `refusalText(refusal)`: "Name(args): sentence". */
      reason: string;
    };

/** A relayed submission as one `BatchItem` of a `proveBatch` group (the group has the rest). */
export function batchItemOf(s: BatchItemInput): BatchItemCalldata {
  const { account, nonce, portfolioCommitments, proof, pledges, accountSignature } =
    relayedCalldata(s);
  return { account, nonce, portfolioCommitments, proof, pledges, accountSignature };
}

/**
 * The `proveBatch` groups of a flat list of relayed submissions: each run of consecutive items
 * of one policy id, round and deadline is one group, in order, so the registry's item indices
 * (`ProofSkipped`, counted over the groups in order) are the list's. Items of the same policy
 * and round with different deadlines simply form separate groups; an empty list, no group.
 */
export function batchGroupsOf(items: readonly BatchItemInput[]): BatchGroupCalldata[] {
  const groups: BatchGroupCalldata[] = [];
  for (const s of items) {
    const last = groups.at(-1);
    if (
      last !== undefined &&
      last.policyId.toLowerCase() === s.policyId.toLowerCase() &&
      last.round === s.round &&
      last.deadline === s.deadline
    ) {
      last.items.push(batchItemOf(s));
    } else {
      groups.push({
        policyId: s.policyId,
        round: s.round,
        deadline: s.deadline,
        items: [batchItemOf(s)],
      });
    }
  }
  return groups;
}

/**
 * Calls `proveBatch` as the registry's runner (any relayer) with `items` in groups
 * ({@link batchGroupsOf}) and reads each item's outcome from the receipt (in the order of
 * `items`). Refuses an empty batch before sending (the registry would revert
 * `EmptyBatch`). The call reverts (`InvalidBatchProof`) when an admitted proof is invalid, so
 * verify each proof locally first; items refused for any other reason are skipped, not fatal.
 */
export async function submitProofBatch(
  registry: BaseContract,
  items: readonly BatchItemInput[],
  options: SubmitOptions = {},
): Promise<{ receipt: TransactionReceipt; outcomes: BatchItemOutcome[] }> {
  if (items.length === 0) throw new RangeError("a batch has at least one item");
  const overrides = options.accessList ? [{ type: 1, accessList: options.accessList }] : [];
  const receipt = await sendAndWait(
    registry,
    "proveBatch",
    [batchGroupsOf(items), ...overrides],
    options.onSent,
  );
  return { receipt, outcomes: batchOutcomes(registry, receipt, items) };
}

/**
 * The EIP-2930 access list of `proveBatch` of `items` (in groups) sent by `from`, read from the node's trace of
 * the call (`traceAccessList`): PolicyRegistry, MarketBook and the verifier with the slots read
 * there, and the registry's own slots (each item's status and its custodians' epochs), 100 gas
 * less each than at their cold first touch. Pass it as `options.accessList` of
 * {@link submitProofBatch}. Throws when the node has no debug API or the call would revert.
 */
export function proveBatchAccessList(
  registry: BaseContract,
  items: readonly BatchItemInput[],
  from: string,
): Promise<AccessList> {
  return registryCallAccessList(registry, "proveBatch", [batchGroupsOf(items)], from);
}

/**
 * Each item's outcome in a successful `proveBatch` receipt: skipped where the registry logged
 * `ProofSkipped(index, ...)` (its reason decoded with `interfaces`, by default the registry's),
 * accepted otherwise. Throws when the logs are not those of this batch: a skip beyond the items
 * or naming another account, or `MarginProved` logs that are not the accepted items' in order.
 */
export function batchOutcomes(
  registry: BaseContract,
  receipt: TransactionReceipt,
  items: readonly Pick<RelayedSubmission, "account" | "policyId" | "nonce">[],
  interfaces: readonly Interface[] = [registry.interface],
): BatchItemOutcome[] {
  if (receipt.status !== 1) throw new Error(`proveBatch transaction ${receipt.hash} reverted`);
  const registryAddress = String(registry.target).toLowerCase();
  const skipped = new Map<number, string>();
  const proved: { account: string; policyId: string; nonce: bigint }[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== registryAddress) continue;
    const parsed = registry.interface.parseLog(log);
    if (parsed?.name === "ProofSkipped") {
      const index = Number(parsed.args.index as bigint);
      const item = items[index] as (typeof items)[number] | undefined;
      if (item === undefined || !sameAddress(item.account, parsed.args.account as string)) {
        throw new Error(`ProofSkipped(${index}) of ${receipt.hash} is not an item of this batch`);
      }
      skipped.set(index, parsed.args.reason as string);
    } else if (parsed?.name === "MarginProved") {
      proved.push({
        account: parsed.args.account as string,
        policyId: parsed.args.policyId as string,
        nonce: parsed.args.nonce as bigint,
      });
    }
  }
  const outcomes = items.map((item, index): BatchItemOutcome => {
    const reason = skipped.get(index);
    if (reason === undefined) return { index, account: item.account, accepted: true };
    const refusal = decodedRefusal(reason, interfaces);
    return { index, account: item.account, accepted: false, refusal, reason: refusalText(refusal) };
  });
  const accepted = items.filter((_, index) => !skipped.has(index));
  const matches =
    accepted.length === proved.length &&
    accepted.every(
      (item, k) =>
        sameAddress(item.account, proved[k].account) &&
        item.policyId.toLowerCase() === proved[k].policyId.toLowerCase() &&
        item.nonce === proved[k].nonce,
    );
  if (!matches) {
    throw new Error(
      `the MarginProved logs of ${receipt.hash} are not this batch's accepted items ` +
        `(${proved.length} logged, ${accepted.length} not skipped)`,
    );
  }
  return outcomes;
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A skipped item's reason (a custom error's ABI encoding) decoded and in words. */
function decodedRefusal(reason: string, interfaces: readonly Interface[]): Refusal {
  const refusal = explainRevert({ data: reason }, interfaces);
  if (refusal !== undefined) return refusal;
  return {
    name: "UnknownRefusal",
    args: [reason],
    values: { data: reason },
    call: `UnknownRefusal(${reason})`,
    sentence: "a refusal this version of zkmargin has no words for (its encoding is the argument)",
  };
}
