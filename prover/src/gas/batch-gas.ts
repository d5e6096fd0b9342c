/**
 * Gas of the generated verifier's batch check (`verifyBatch`, Groth16Batch.sol) with real proofs,
 * beside snarkjs's `verifyProof` and the array-signal `verifyOne`, and where it goes: each call is
 * sent as a transaction and traced (`debug_traceTransaction`), so the pairing, ecMul and ecAdd
 * precompile calls and the keccak of the weights are measured, not computed from a price list.
 */
import { concat, Contract, dataSlice, getAddress, keccak256, toBeHex } from "ethers";
import type { AccessList } from "ethers";
import {
  proofCoordinates,
  toBatchCalldata,
  toSolidityProof,
  type BatchItem,
  type SolidityProof,
} from "../chain";
import { generateProof } from "../proving";
import { WarmProver } from "../queue/prover";
import type { ExampleTriple } from "./prove-gas";
import type { RpcProvider } from "./verifier-gas";

/** Largest gas a transaction may use since Osaka (EIP-7825); a batch of 64 stays far below. */
const TX_GAS_LIMIT = 16_777_216n;

/** The account of item `index` of a measurement batch: a fixed, random-looking address. */
export function batchAccount(index: number): string {
  return getAddress(dataSlice(keccak256(toBeHex(BigInt(index) + 1n, 32)), 12));
}

/**
 * `count` real proofs of `example` under `instance`, one per account ({@link batchAccount}),
 * each with nonce 1 and its own random salt: what a relayer gathers from distinct accounts.
 * `onProof` is told after each proof (the measurement prints progress).
 */
export async function provenBatchItems(
  instance: string,
  example: ExampleTriple,
  count: number,
  onProof: (done: number) => void = () => undefined,
): Promise<BatchItem[]> {
  const items: BatchItem[] = [];
  // Artifacts checked, the witness calculator compiled and the curve built once for all proofs.
  const prover = new WarmProver();
  try {
    for (let i = 0; i < count; i++) {
      const made = await generateProof({
        policy: example.policy,
        market: example.market,
        portfolio: { ...example.portfolio, account: batchAccount(i) },
        nonce: 1n,
        instance,
        artifacts: prover.artifacts,
        witness: prover.witness,
      });
      items.push({ proof: toSolidityProof(made.proof), publicSignals: made.publicSignals });
      onProof(i + 1);
    }
  } finally {
    await prover.close();
  }
  return items;
}

/** Where the gas of one traced call went. */
export interface GasSplit {
  /** Transaction gas (receipt). */
  total: bigint;
  /** 21,000 plus the calldata's 4 gas per zero byte and 16 per other byte (EIP-2028). */
  intrinsic: bigint;
  /** Bytes of calldata. */
  calldataBytes: number;
  /** The access list's intrinsic gas (EIP-2930; 0 without one), not in `intrinsic`. */
  accessList: bigint;
  /** Gas of the calls to the pairing precompile (0x08), with their count. */
  pairing: bigint;
  /** Pairs (G1, G2) the pairing precompile checked. */
  pairs: number;
  /** Gas of the calls to ecMul (0x07), with their count. */
  ecMul: bigint;
  ecMuls: number;
  /** Gas of the calls to ecAdd (0x06), with their count. */
  ecAdd: bigint;
  ecAdds: number;
  /** Gas of the KECCAK256 operations (the seed and the weights; EIP-712 hashes in the registry). */
  keccak: bigint;
  keccaks: number;
  /** Gas of the calls to ecrecover (0x01): signatures, with their count. */
  ecrecover: bigint;
  ecrecovers: number;
  /** Gas of SLOAD and SSTORE (cold and warm, as charged), in every contract called. */
  storage: bigint;
  /** Gas of the LOG operations (events). */
  logs: bigint;
  /** The rest: ABI decoding, the key in memory, field checks, loops, copies, calls' overhead. */
  other: bigint;
}

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
}

interface Trace {
  failed: boolean;
  gas: number;
  returnValue: string;
  structLogs: StructLog[];
}

/** Calldata gas as EIP-2028 prices it: 4 per zero byte, 16 per other byte. */
export function calldataGas(data: string): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/** A precompile call's price over the warm access every call pays (EIP-2929: 100). */
const WARM_ACCESS = 100n;
/** The pairing check's price (EIP-1108): 45,000 plus 34,000 per pair. */
const PAIRING_BASE = 45_000n;
const PAIRING_PER_PAIR = 34_000n;
/** The fixed prices of ecrecover (0x01), ecAdd (0x06) and ecMul (0x07), EIP-1108's for BN254. */
const FIXED_PRICES = new Map<bigint, "ecrecover" | "ecAdd" | "ecMul">([
  [3_000n + WARM_ACCESS, "ecrecover"],
  [150n + WARM_ACCESS, "ecAdd"],
  [6_000n + WARM_ACCESS, "ecMul"],
]);

/**
 * Which precompile a successful call into no code was, from what it cost: every precompile the
 * contracts call has a price no other one shares (the pairing's by its count of pairs). The
 * trace is taken without the stack (a batch of 64 has millions of stack entries), so the
 * target's address is not in it. Undefined for any other cost (a call to an account without
 * code).
 */
function precompileOf(cost: bigint): "ecrecover" | "ecAdd" | "ecMul" | "pairing" | undefined {
  const fixed = FIXED_PRICES.get(cost);
  if (fixed !== undefined) return fixed;
  const pairs = cost - WARM_ACCESS - PAIRING_BASE;
  return pairs > 0n && pairs % PAIRING_PER_PAIR === 0n ? "pairing" : undefined;
}

/** A trace's return value (hex, with or without 0x) as a number. */
function word(hex: string): bigint {
  return BigInt(hex.startsWith("0x") ? hex : `0x${hex}`);
}

/** Calldata gas of a proof's eight words (what a transaction carrying it pays for it). */
export function proofCalldataGas(proof: SolidityProof): bigint {
  return calldataGas(concat(proofCoordinates(proof).map((w) => toBeHex(w, 32))));
}

/** EIP-2930's intrinsic price of an access list's address and of each of its storage keys. */
const ACCESS_LIST_ADDRESS = 2_400n;
const ACCESS_LIST_SLOT = 1_900n;

/**
 * Splits a traced call's gas by where it went (precompile calls measured from the trace);
 * `accessList` is the intrinsic gas of the transaction's access list (0 without one).
 */
function splitTrace(trace: Trace, data: string, total: bigint, accessList = 0n): GasSplit {
  const split: GasSplit = {
    total,
    intrinsic: 21_000n + calldataGas(data),
    accessList,
    calldataBytes: (data.length - 2) / 2,
    pairing: 0n,
    pairs: 0,
    ecMul: 0n,
    ecMuls: 0,
    ecAdd: 0n,
    ecAdds: 0,
    keccak: 0n,
    keccaks: 0,
    ecrecover: 0n,
    ecrecovers: 0,
    storage: 0n,
    logs: 0n,
    other: 0n,
  };
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i];
    if (log.op === "KECCAK256" || log.op === "SHA3") {
      split.keccak += BigInt(log.gasCost);
      split.keccaks++;
    }
    if (log.op === "SLOAD" || log.op === "SSTORE") split.storage += BigInt(log.gasCost);
    if (log.op.startsWith("LOG")) split.logs += BigInt(log.gasCost);
    if (log.op !== "STATICCALL") continue;
    const next = logs[i + 1];
    if (next === undefined || next.depth !== log.depth) continue; // a call into code, not ours
    const cost = BigInt(log.gas - next.gas);
    const precompile = precompileOf(cost);
    if (precompile === "pairing") {
      split.pairing += cost;
      split.pairs += Number((cost - WARM_ACCESS - PAIRING_BASE) / PAIRING_PER_PAIR);
    } else if (precompile === "ecMul") {
      split.ecMul += cost;
      split.ecMuls++;
    } else if (precompile === "ecAdd") {
      split.ecAdd += cost;
      split.ecAdds++;
    } else if (precompile === "ecrecover") {
      split.ecrecover += cost;
      split.ecrecovers++;
    }
  }
  split.other =
    total -
    split.intrinsic -
    split.accessList -
    split.pairing -
    split.ecMul -
    split.ecAdd -
    split.keccak -
    split.ecrecover -
    split.storage -
    split.logs;
  return split;
}

/**
 * Sends `contract.<method>(...args)` as a transaction (from the contract's runner), with
 * `accessList` when given (EIP-2930: its 2,400 per address and 1,900 per slot are in the
 * intrinsic figure, the warm accesses it buys in storage and the rest), checks that it
 * succeeded, and splits its gas from the trace; also returns the first word it returned (0 when
 * none).
 */
export async function tracedTransaction(
  contract: Contract,
  provider: RpcProvider,
  method: string,
  args: readonly unknown[],
  accessList?: AccessList,
): Promise<{ gas: GasSplit; returned: bigint }> {
  const overrides = accessList === undefined ? {} : { accessList };
  const tx = await contract
    .getFunction(method)
    .send(...args, { gasLimit: TX_GAS_LIMIT, ...overrides });
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${method} transaction failed`);
  // Memory, stack and storage snapshots at every step would take gigabytes for a batch of 64.
  const trace = (await provider.send("debug_traceTransaction", [
    receipt.hash,
    { disableMemory: true, disableStack: true, disableStorage: true },
  ])) as Trace;
  if (trace.failed) throw new Error(`${method} failed in its traced transaction`);
  const returned = trace.returnValue.replace(/^0x/, "").slice(0, 64);
  const listed = (accessList ?? []).reduce(
    (gas, entry) => gas + ACCESS_LIST_ADDRESS + ACCESS_LIST_SLOT * BigInt(entry.storageKeys.length),
    0n,
  );
  return {
    gas: splitTrace(trace, tx.data, receipt.gasUsed, listed),
    returned: returned === "" ? 0n : word(returned),
  };
}

/**
 * Sends `verifier.<method>(...args)` as a transaction, checks that it returned true, and splits
 * its gas from the trace.
 */
export async function tracedCall(
  verifier: Contract,
  provider: RpcProvider,
  method: string,
  args: readonly unknown[],
): Promise<GasSplit> {
  if ((await verifier.getFunction(method).staticCall(...args)) !== true) {
    throw new Error(`${method} refused the measured proofs`);
  }
  const { gas, returned } = await tracedTransaction(verifier, provider, method, args);
  if (returned !== 1n) throw new Error(`${method} did not return true in its traced transaction`);
  return gas;
}

/** What {@link measureBatchGas} measured. */
export interface BatchGas {
  /** snarkjs's `verifyProof` of the first item (fixed-size arrays). */
  verifyProof: GasSplit;
  /** `verifyOne` of the first item (uint256[8] proof, uint256[] signals). */
  verifyOne: GasSplit;
  /** `verifyBatch` of the first B items, per batch size. */
  batches: { size: number; gas: GasSplit }[];
}

/**
 * Measures, on `verifier` (a deployed generated verifier), snarkjs's `verifyProof` and
 * `verifyOne` of the first item, and `verifyBatch` of the first B items for each of `sizes`.
 */
export async function measureBatchGas(
  verifier: Contract,
  provider: RpcProvider,
  items: readonly BatchItem[],
  sizes: readonly number[],
): Promise<BatchGas> {
  const largest = Math.max(...sizes);
  if (items.length < largest) {
    throw new Error(`${items.length} proofs for a batch of ${largest}`);
  }
  const [first] = items;
  const signals = first.publicSignals.map((s) => BigInt(s));
  const verifyProof = await tracedCall(verifier, provider, "verifyProof", [
    first.proof.a,
    first.proof.b,
    first.proof.c,
    signals,
  ]);
  const one = toBatchCalldata([first]);
  const verifyOne = await tracedCall(verifier, provider, "verifyOne", [one.proofs[0], signals]);
  const batches: BatchGas["batches"] = [];
  for (const size of sizes) {
    const calldata = toBatchCalldata(items.slice(0, size));
    const gas = await tracedCall(verifier, provider, "verifyBatch", [
      calldata.proofs,
      calldata.pubSignals,
    ]);
    batches.push({ size, gas });
  }
  return { verifyProof, verifyOne, batches };
}
