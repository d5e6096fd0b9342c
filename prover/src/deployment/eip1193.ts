/**
 * An EIP-1193 provider over a JSON-RPC URL, for Hardhat Ignition's core: it forwards every call to
 * the node, except that transactions from the local wallets it holds are signed here and sent raw
 * (as Hardhat's own local-accounts provider does), and `eth_accounts` lists those wallets.
 */
import { Transaction, getAddress, type HDNodeWallet, type Wallet } from "ethers";

/** The request shape Ignition uses. */
export interface RequestArguments {
  method: string;
  params?: unknown[] | object;
}

/** A JSON-RPC error as EIP-1193 surfaces it (Ignition reads `data` for revert reasons). */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

/** The EIP-1193 provider Ignition's `deploy` takes. */
export interface SigningProvider {
  request(args: RequestArguments): Promise<unknown>;
  /** The addresses of the local wallets (the accounts Ignition may send from). */
  accounts: string[];
}

type AnyWallet = Wallet | HDNodeWallet;

/** Builds the provider; `timeoutMs` bounds each HTTP request. */
export function signingProvider(
  url: string,
  wallets: readonly AnyWallet[],
  timeoutMs = 30_000,
): SigningProvider {
  const byAddress = new Map(wallets.map((w) => [getAddress(w.address), w]));
  let id = 0;
  const rpc = async (method: string, params: unknown): Promise<unknown> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as {
      result?: unknown;
      error?: { code: number; message: string; data?: unknown };
    };
    if (body.error !== undefined) {
      throw new RpcError(body.error.message, body.error.code, body.error.data);
    }
    return body.result;
  };
  let chainId: bigint | undefined;
  const sendTransaction = async (tx: Record<string, string | undefined>): Promise<unknown> => {
    const wallet = byAddress.get(getAddress(String(tx.from)));
    if (wallet === undefined) return rpc("eth_sendTransaction", [tx]);
    chainId ??= BigInt(String(await rpc("eth_chainId", [])));
    const quantity = (v: string | undefined) => (v === undefined ? undefined : BigInt(v));
    const unsigned = Transaction.from({
      type: tx.gasPrice !== undefined ? 0 : 2,
      chainId,
      to: tx.to ?? null,
      data: tx.data ?? "0x",
      value: quantity(tx.value) ?? 0n,
      nonce: Number(quantity(tx.nonce) ?? 0n),
      gasLimit: quantity(tx.gas) ?? 0n,
      ...(tx.gasPrice !== undefined
        ? { gasPrice: quantity(tx.gasPrice) }
        : {
            maxFeePerGas: quantity(tx.maxFeePerGas),
            maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas),
          }),
    });
    const raw = await wallet.signTransaction(unsigned);
    return rpc("eth_sendRawTransaction", [raw]);
  };
  return {
    accounts: [...byAddress.keys()],
    async request({ method, params }: RequestArguments): Promise<unknown> {
      if (method === "eth_accounts" && byAddress.size > 0) return [...byAddress.keys()];
      if (method === "eth_sendTransaction" && Array.isArray(params)) {
        return sendTransaction(params[0] as Record<string, string | undefined>);
      }
      return rpc(method, params);
    },
  };
}
