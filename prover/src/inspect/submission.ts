/**
 * What a transaction submitted to MarginRegistry, read back from its calldata: the account, the
 * policy, the round, the nonce, the portfolio commitments, the custodians' pledges and the
 * Groth16 proof points of each `prove` or `proveFor` call, and of every item of a `proveBatch`
 * call (with its index). With the round's and the policy's commitments from chain state, this
 * rebuilds the exact public signals the registry verified ({@link submittedStatement}). Shared by
 * the verify page ("was this very proof accepted?"), `audit chain` (re-verify every proof) and
 * `zkmargin inspect --tx`.
 */
import { getAddress, type Interface, type Result } from "ethers";
import { proofCoordinates, type SolidityProof } from "../chain/calldata";
import { signedPledgeFromCalldata, type PledgeCalldata, type SignedPledge } from "../chain/eip712";
import type { Groth16Proof } from "../proving/snarkjs";
import type { Statement } from "./signals";

/** The registry functions that submit proofs. */
export type SubmitMethod = "prove" | "proveFor" | "proveBatch";

/** One proof submitted by a transaction, as its calldata has it. */
export interface Submission {
  /** The registry function called. */
  method: SubmitMethod;
  /**
   * For an item of a `proveBatch` call: its index among the items of all its groups, in order
   * (from 0; the index of its `ProofSkipped`), and the batch's number of items.
   */
  batch?: { index: number; size: number };
  /**
   * The account the proof is for: the sender of `prove`, the `account` argument of `proveFor`
   * and of a batch item.
   */
  account: string;
  /** The policy id, lower-case bytes32. */
  policyId: string;
  round: bigint;
  nonce: bigint;
  /** The portfolio commitments, in slot order (zero in unused slots). */
  portfolioCommitments: bigint[];
  proof: SolidityProof;
  /**
   * The custodians' pledges, one per used slot in slot order (none for a policy that requires
   * none); signed for the policy's venue, the account and the slot's commitment.
   */
  pledges: SignedPledge[];
}

/** The parts of a transaction that {@link decodeSubmissions} reads. */
export interface SubmittedTransaction {
  from: string;
  to: string | null;
  data: string;
  value: bigint;
}

/** The Proof struct as ethers decodes it. */
interface DecodedProof {
  a: readonly bigint[];
  b: readonly (readonly bigint[])[];
  c: readonly bigint[];
}

function solidityProof(p: DecodedProof): SolidityProof {
  return {
    a: [p.a[0], p.a[1]],
    b: [
      [p.b[0][0], p.b[0][1]],
      [p.b[1][0], p.b[1][1]],
    ],
    c: [p.c[0], p.c[1]],
  };
}

/**
 * The arguments every submission carries (of `prove`, `proveFor` or a batch item), decoded; a
 * batch item's policy id and round are its group's (`shared`).
 */
function submissionOf(
  method: SubmitMethod,
  account: string,
  args: Result,
  shared: Result = args,
): Omit<Submission, "batch"> {
  return {
    method,
    account: getAddress(account),
    policyId: (shared.getValue("policyId") as string).toLowerCase(),
    round: shared.getValue("round") as bigint,
    nonce: args.getValue("nonce") as bigint,
    portfolioCommitments: [...(args.getValue("portfolioCommitments") as readonly bigint[])],
    proof: solidityProof(args.getValue("proof") as DecodedProof),
    pledges: (args.getValue("pledges") as readonly PledgeCalldata[]).map((p) =>
      signedPledgeFromCalldata({ custodian: p.custodian, terms: p.terms, r: p.r, vs: p.vs }),
    ),
  };
}

/**
 * The proofs a transaction submitted to the registry at `registry`, whose ABI is `abi`: one for
 * `prove` and `proveFor`, one per item (in item order, with its index) for `proveBatch`. A batch
 * item is what the account signed and the relayer sent; whether the registry accepted it or
 * skipped it is in the transaction's logs (`MarginProved`, `ProofSkipped`). Empty when the
 * transaction did not call one of these on the registry directly (e.g. it went through a wallet
 * contract, whose inner call the calldata does not show).
 */
export function decodeSubmissions(
  tx: SubmittedTransaction,
  registry: string,
  abi: Interface,
): Submission[] {
  if (tx.to === null || getAddress(tx.to) !== getAddress(registry)) return [];
  let parsed: ReturnType<Interface["parseTransaction"]>;
  try {
    parsed = abi.parseTransaction({ data: tx.data, value: tx.value });
  } catch {
    return [];
  }
  if (parsed === null) return [];
  const args = parsed.args;
  switch (parsed.name) {
    case "prove":
      return [submissionOf("prove", tx.from, args)];
    case "proveFor":
      return [submissionOf("proveFor", args.getValue("account") as string, args)];
    case "proveBatch": {
      // The items of every group, in order: their indices are the registry's (ProofSkipped).
      const items = (args.getValue("groups") as readonly Result[]).flatMap((group) =>
        (group.getValue("items") as readonly Result[]).map((item) =>
          submissionOf("proveBatch", item.getValue("account") as string, item, group),
        ),
      );
      return items.map((item, index) => ({ ...item, batch: { index, size: items.length } }));
    }
    default:
      return [];
  }
}

/**
 * The submission of a transaction that a `MarginProved` event records: the one with the event's
 * account, policy, round, nonce and portfolio commitments. In a batch, an item with all of these
 * can repeat another (the registry skips the second: its nonce is no longer above the last), or
 * be skipped for a pledge while a later one with the same statement is accepted; `skipped` (the
 * indices of the transaction's `ProofSkipped` events) sets those apart. Undefined when none is.
 */
export function submissionOfEvent(
  submissions: readonly Submission[],
  event: {
    account: string;
    policyId: string;
    round: bigint;
    nonce: bigint;
    portfolioCommitments: readonly bigint[];
  },
  skipped: ReadonlySet<number> = new Set(),
): Submission | undefined {
  const account = getAddress(event.account);
  const policyId = event.policyId.toLowerCase();
  return submissions.find(
    (s) =>
      (s.batch === undefined || !skipped.has(s.batch.index)) &&
      s.account === account &&
      s.policyId === policyId &&
      s.round === event.round &&
      s.nonce === event.nonce &&
      s.portfolioCommitments.length === event.portfolioCommitments.length &&
      s.portfolioCommitments.every((c, i) => c === event.portfolioCommitments[i]),
  );
}

/** Where a submission sits in its transaction, in words: "" or " (item 3 of a batch of 8)". */
export function batchPlace(s: Pick<Submission, "batch">): string {
  return s.batch === undefined ? "" : ` (item ${s.batch.index} of a batch of ${s.batch.size})`;
}

/**
 * The statement the registry verified a submission against: its account, nonce and portfolio
 * commitments with the round's market commitment (from the policy's feed in MarketBook) and the
 * policy's registered commitment.
 */
export function submittedStatement(
  s: Submission,
  chain: { marketCommitment: bigint; policyCommitment: bigint },
): Statement {
  return {
    account: s.account,
    nonce: s.nonce,
    marketCommitment: chain.marketCommitment,
    policyCommitment: chain.policyCommitment,
    portfolioCommitments: s.portfolioCommitments,
  };
}

/** True when two proofs have the same eight coordinates. */
export function sameProof(a: SolidityProof, b: SolidityProof): boolean {
  const [x, y] = [proofCoordinates(a), proofCoordinates(b)];
  return x.every((v, i) => v === y[i]);
}

/** The inverse of `toSolidityProof`: affine points back in snarkjs's layout (G2 as [real, imaginary]). */
export function snarkjsProof(p: SolidityProof): Groth16Proof {
  const s = (v: bigint) => v.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), "1"],
    pi_b: [
      [s(p.b[0][1]), s(p.b[0][0])],
      [s(p.b[1][1]), s(p.b[1][0])],
      ["1", "0"],
    ],
    pi_c: [s(p.c[0]), s(p.c[1]), "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}
