/**
 * `zkmargin inspect --tx`: what a transaction submitted to MarginRegistry, submission by
 * submission (every item of a `proveBatch` call, with its index): the account, the policy, the
 * round and nonce, what the registry did with it (accepted, or skipped and why), and each pledge
 * slot's commitment, custodian and venue with whether its registration and epoch still hold.
 */
import type { Contract, Interface, Provider } from "ethers";
import { readPolicy } from "../chain/policy";
import { submissionOutcomes } from "./outcomes";
import {
  pledgeTermsOf,
  slotPledges,
  pledgeTermsReader,
  slotRows,
  withPledgesOnChain,
  type SlotPledge,
} from "./pledges";
import { decodeSubmissions, type SubmitMethod } from "./submission";
import { keyValueTable } from "../io/table";

/** One submission of an inspected transaction. */
export interface InspectedSubmission {
  method: SubmitMethod;
  /** Its index in a `proveBatch` call's items. */
  index?: number;
  account: string;
  policyId: string;
  /** The policy's name (its policy.json id) when the deployment names it. */
  policyName?: string;
  round: bigint;
  nonce: bigint;
  /** accepted: a MarginProved records it; skipped: a ProofSkipped; none: neither (reverted). */
  outcome: "accepted" | "skipped" | "none";
  /** Why a skipped item was skipped: the refusal and its words. */
  skipReason?: string;
  /** Its pledge slots (commitment, custodian, venue, on-chain state). */
  slots: SlotPledge[];
}

/** An inspected transaction. */
export interface InspectedTransaction {
  hash: string;
  blockNumber?: number;
  /** The transaction succeeded (a reverted one records nothing). */
  succeeded: boolean;
  /** The registry function called; undefined when it is none that submits proofs. */
  method?: SubmitMethod;
  submissions: InspectedSubmission[];
}

/** The contracts a transaction is inspected against. */
export interface InspectContracts {
  marginRegistry: Contract;
  policyRegistry: Contract;
  /** Interfaces whose errors a skip reason may carry (the registry's is always tried). */
  errors?: readonly Interface[];
}

/**
 * Names from a deployment file (a policy or a venue has none on-chain): policies by on-chain id,
 * venues by id ("the venue of policy desk-maintenance-v1").
 */
export interface DeploymentNames {
  policies: ReadonlyMap<string, string>;
  venues: ReadonlyMap<string, string>;
}

/** The names of a deployment's policies and of their venues. */
export function deploymentNames(
  policies: Readonly<Record<string, { policyId: string; venue: string }>>,
): DeploymentNames {
  const byVenue = new Map<string, string[]>();
  for (const [name, p] of Object.entries(policies)) {
    byVenue.set(p.venue, [...(byVenue.get(p.venue) ?? []), name]);
  }
  return {
    policies: new Map(Object.entries(policies).map(([name, p]) => [p.policyId, name])),
    venues: new Map(
      [...byVenue].map(([venue, names]) => [
        venue,
        `the venue of ${names.length === 1 ? "policy" : "policies"} ${names.join(", ")}`,
      ]),
    ),
  };
}

/** Reads and decodes a transaction; throws when the node does not know it. */
export async function inspectTransaction(
  provider: Provider,
  contracts: InspectContracts,
  hash: string,
  names: DeploymentNames = { policies: new Map(), venues: new Map() },
): Promise<InspectedTransaction> {
  const tx = await provider.getTransaction(hash);
  if (tx === null) throw new Error(`transaction ${hash}: the node does not know it`);
  const registry = contracts.marginRegistry;
  const submissions = decodeSubmissions(tx, String(registry.target), registry.interface);
  const receipt = await provider.getTransactionReceipt(hash);
  const outcomes = submissionOutcomes(registry, receipt, submissions, [
    registry.interface,
    ...(contracts.errors ?? []),
  ]);
  const reader = pledgeTermsReader(registry, provider);
  const venues = new Map<string, string | undefined>();
  const inspected: InspectedSubmission[] = [];
  for (const { submission: s, ...outcome } of outcomes) {
    if (!venues.has(s.policyId)) {
      venues.set(s.policyId, (await readPolicy(contracts.policyRegistry, s.policyId))?.venue);
    }
    const venue = venues.get(s.policyId);
    const slots = slotPledges(
      s.portfolioCommitments,
      s.pledges.map(pledgeTermsOf),
      venue === undefined ? undefined : { id: venue, name: names.venues.get(venue) },
    );
    const policyName = names.policies.get(s.policyId);
    inspected.push({
      method: s.method,
      ...(s.batch === undefined ? {} : { index: s.batch.index }),
      account: s.account,
      policyId: s.policyId,
      ...(policyName === undefined ? {} : { policyName }),
      round: s.round,
      nonce: s.nonce,
      outcome: outcome.accepted ? "accepted" : outcome.skipped ? "skipped" : "none",
      ...(outcome.accepted || !outcome.skipped ? {} : { skipReason: outcome.skipped.refusal }),
      slots: await withPledgesOnChain(slots, s.account, reader),
    });
  }
  return {
    hash: tx.hash,
    ...(receipt === null ? {} : { blockNumber: receipt.blockNumber }),
    succeeded: receipt?.status === 1,
    ...(submissions[0] === undefined ? {} : { method: submissions[0].method }),
    submissions: inspected,
  };
}

/** The text of an inspected transaction: its submissions, each with its pledge slots. */
export function inspectedTransactionText(t: InspectedTransaction): string {
  const rows: [string, string][] = [
    ["transaction", t.hash],
    ["block", t.blockNumber === undefined ? "not mined" : String(t.blockNumber)],
    ["status", t.succeeded ? "succeeded" : "REVERTED (records nothing)"],
    [
      "call",
      t.method === undefined
        ? "not a prove, proveFor or proveBatch call to the registry (e.g. through a wallet contract)"
        : t.method === "proveBatch"
          ? `proveBatch of ${t.submissions.length} item(s): ` +
            `${t.submissions.filter((s) => s.outcome === "accepted").length} accepted, ` +
            `${t.submissions.filter((s) => s.outcome === "skipped").length} skipped`
          : t.method,
    ],
  ];
  const blocks = t.submissions.map((s) => {
    const head = s.index === undefined ? "submission" : `item ${s.index}`;
    const outcome =
      s.outcome === "accepted"
        ? "ACCEPTED (MarginProved)"
        : s.outcome === "skipped"
          ? `SKIPPED, not accepted: ${s.skipReason ?? ""}`
          : "not recorded";
    return keyValueTable([
      [head, outcome],
      ["account", s.account],
      ["policy", `${s.policyId}${s.policyName === undefined ? "" : ` (${s.policyName})`}`],
      ["round", s.round.toString()],
      ["nonce", s.nonce.toString()],
      ...s.slots.flatMap(slotRows),
    ]).join("\n");
  });
  return [keyValueTable(rows).join("\n"), ...blocks].join("\n\n") + "\n";
}
