/**
 * Gas of `MarginRegistry.proveBatch` with real proofs (issue 20), beside single `prove` and
 * `proveFor` on the same venue: distinct accounts, each with one custodian's pledge (as the demo
 * policy has) and a signed ProveRequest, each batch's first proofs (status slots written from
 * zero) and then its repeat proofs (nonce 2), every transaction traced and split by where its gas
 * went (`GasSplit`: pairings, ecMul, ecAdd, ecrecover, storage, events, keccak, calldata).
 */
import { keccak256, toBeHex, Wallet } from "ethers";
import type { AccessList, Contract } from "ethers";
import {
  batchGroupsOf,
  proveBatchAccessList,
  proveArgs,
  proveForArgs,
  proveRequestOf,
  readMarginRegistryDomain,
  signProveRequest,
  type BatchItem,
  type RelayedSubmission,
} from "../chain";
import type { InstanceDims } from "../encoding/instances";
import { WarmProver } from "../queue/prover";
import { tracedTransaction, type GasSplit } from "./batch-gas";
import {
  gasVenue,
  pledgedProof,
  pledgeOf,
  rpcOf,
  type ExampleTriple,
  type GasSigners,
} from "./prove-gas";

/** The measured account `index`: a fixed key, so runs are comparable. */
export function batchWallet(index: number): Wallet {
  return new Wallet(keccak256(toBeHex(0x2a0000n + BigInt(index), 32)));
}

/** A first and a repeat gas figure. */
export interface FirstAndRepeat {
  /** The account's first proof (its status slot written from zero). */
  first: GasSplit;
  /** The next proof (nonce 2; the status slot rewritten). */
  repeat: GasSplit;
}

/** What {@link measureProveBatchGas} measured. */
export interface ProveBatchGas {
  /** `prove` by the first account itself. */
  prove: FirstAndRepeat;
  /** `proveFor` of the first account's signed request, by a relayer. */
  proveFor: FirstAndRepeat;
  /**
   * `proveBatch` of the first B accounts' requests, by a relayer, per batch size; for the sizes
   * asked, also sent with its EIP-2930 access list (`proveBatchAccessList`).
   */
  batches: ({ size: number; listed?: FirstAndRepeat } & FirstAndRepeat)[];
  /** The first proofs with their public signals (for the verifier's own batch measurement). */
  proofs: BatchItem[];
}

/**
 * Deploys a fresh venue for `example` on `instance` (its generated verifier), makes a first
 * (nonce 1) and a repeat (nonce 2) proof for each of `max(sizes)` accounts, and measures, each
 * from the same chain state (EVM snapshots): `prove` and `proveFor` of account 0, and
 * `proveBatch` of the first B accounts for each of `sizes`, first proofs then repeats, and again
 * with each transaction's access list for each of `listedSizes`. Every transaction is checked
 * (the batch accepts all its items) and split from its trace.
 */
export async function measureProveBatchGas(
  instance: string,
  dims: InstanceDims,
  example: ExampleTriple,
  signers: GasSigners,
  sizes: readonly number[],
  onProof: (done: number, total: number) => void = () => undefined,
  listedSizes: readonly number[] = [],
): Promise<ProveBatchGas> {
  const { venue, market } = await gasVenue(instance, dims, example, signers);
  const rpc = rpcOf(signers.admin);
  const relayer = venue.registryAs(signers.operator);
  const domain = await readMarginRegistryDomain(relayer);
  const count = Math.max(...sizes);
  const wallets = Array.from({ length: count }, (_, i) => batchWallet(i));

  const proofs: BatchItem[] = [];
  const submissions: { first: RelayedSubmission; repeat: RelayedSubmission }[] = [];
  const prover = new WarmProver();
  let made = 0;
  try {
    const submission = async (wallet: Wallet, nonce: bigint): Promise<RelayedSubmission> => {
      const proven = await pledgedProof(instance, example, market, wallet.address, nonce, prover);
      const { proof } = proven;
      if (nonce === 1n) proofs.push({ proof, publicSignals: proven.publicSignals });
      const pledge = await pledgeOf(
        venue,
        signers.custodian,
        wallet.address,
        proven.portfolioCommitment,
        market,
      );
      const s = {
        account: wallet.address,
        policyId: venue.policyId,
        round: market.round,
        nonce,
        deadline: market.timestamp + 86_400n,
        portfolioCommitments: proven.portfolioCommitments,
        proof,
        pledges: [pledge],
      };
      const accountSignature = await signProveRequest(
        wallet,
        domain,
        proveRequestOf(s, venue.venue),
      );
      onProof(++made, 2 * count);
      return { ...s, accountSignature };
    };
    for (const wallet of wallets) {
      submissions.push({
        first: await submission(wallet, 1n),
        repeat: await submission(wallet, 2n),
      });
    }
  } finally {
    await prover.close();
  }

  /** Runs `measure` from the current chain state and puts the chain back. */
  const fromHere = async <T>(measure: () => Promise<T>): Promise<T> => {
    const id = (await rpc.send("evm_snapshot", [])) as string;
    try {
      return await measure();
    } finally {
      await rpc.send("evm_revert", [id]);
    }
  };
  const send = async (
    contract: Contract,
    method: string,
    args: unknown[],
    accepted?: number,
    accessList?: AccessList,
  ) => {
    const { gas, returned } = await tracedTransaction(contract, rpc, method, args, accessList);
    if (accepted !== undefined && returned !== BigInt(accepted)) {
      throw new Error(`${method} accepted ${returned} of ${accepted} items`);
    }
    return gas;
  };
  const [own] = submissions;

  // `prove` from the account itself: the measured wallet gets funds to send it.
  await rpc.send("hardhat_setBalance", [wallets[0].address, toBeHex(10n ** 20n)]);
  const asAccount = venue.registryAs(wallets[0].connect(rpc));
  const prove = await fromHere(async () => ({
    first: await send(asAccount, "prove", proveArgs(own.first)),
    repeat: await send(asAccount, "prove", proveArgs(own.repeat)),
  }));
  const proveFor = await fromHere(async () => ({
    first: await send(relayer, "proveFor", proveForArgs(own.first)),
    repeat: await send(relayer, "proveFor", proveForArgs(own.repeat)),
  }));
  const relayerAddress = await signers.operator.getAddress();
  const batches: ProveBatchGas["batches"] = [];
  for (const size of sizes) {
    const chosen = submissions.slice(0, size);
    // One group: every request of one policy, round and deadline.
    const items = (kind: "first" | "repeat") => [batchGroupsOf(chosen.map((s) => s[kind]))];
    /** The batch of `kind` sent with the access list traced from the chain as it is. */
    const listed = async (kind: "first" | "repeat") => {
      const chosenOfKind = chosen.map((s) => s[kind]);
      const list = await proveBatchAccessList(relayer, chosenOfKind, relayerAddress);
      return send(relayer, "proveBatch", items(kind), size, list);
    };
    batches.push({
      size,
      ...(await fromHere(async () => ({
        first: await send(relayer, "proveBatch", items("first"), size),
        repeat: await send(relayer, "proveBatch", items("repeat"), size),
      }))),
      ...(listedSizes.includes(size)
        ? {
            listed: await fromHere(async () => ({
              first: await listed("first"),
              repeat: await listed("repeat"),
            })),
          }
        : {}),
    });
  }
  return { prove, proveFor, batches, proofs };
}
