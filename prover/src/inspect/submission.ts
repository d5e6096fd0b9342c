/**
 * What a transaction submitted to MarginRegistry, read back from its calldata: the account, the
 * policy, the round, the nonce, the portfolio commitments and the Groth16 proof points of each
 * `prove` or `proveFor` call. With the round's and the policy's commitments from chain state, this
 * rebuilds the exact public signals the registry verified ({@link submittedStatement}). Shared by
 * the verify page ("was this very proof accepted?") and `audit chain` (re-verify every proof).
 */
import { getAddress, type Interface } from "ethers";
import { proofCoordinates, type SolidityProof } from "../chain/calldata";
import type { Groth16Proof } from "../proving/snarkjs";
import type { Statement } from "./signals";

/** One proof submitted by a transaction, as its calldata has it. */
export interface Submission {
  /** The registry function called. */
  method: "prove" | "proveFor";
  /** The account the proof is for: the sender of `prove`, the `account` argument of `proveFor`. */
  account: string;
  /** The policy id, lower-case bytes32. */
  policyId: string;
  round: bigint;
  nonce: bigint;
  /** The portfolio commitments, in slot order (zero in unused slots). */
  portfolioCommitments: bigint[];
  proof: SolidityProof;
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
 * The proofs a transaction submitted to the registry at `registry`, whose ABI is `abi`. Empty when
 * the transaction did not call `prove` or `proveFor` on the registry directly (e.g. it went
 * through a wallet contract, whose inner call the calldata does not show).
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
  if (parsed === null || (parsed.name !== "prove" && parsed.name !== "proveFor")) return [];
  const args = parsed.args;
  return [
    {
      method: parsed.name,
      account: getAddress(parsed.name === "prove" ? tx.from : (args.getValue("account") as string)),
      policyId: (args.getValue("policyId") as string).toLowerCase(),
      round: args.getValue("round") as bigint,
      nonce: args.getValue("nonce") as bigint,
      portfolioCommitments: [...(args.getValue("portfolioCommitments") as readonly bigint[])],
      proof: solidityProof(args.getValue("proof") as DecodedProof),
    },
  ];
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
