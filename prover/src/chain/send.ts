/** Sending a contract transaction and waiting for its receipt (browser-safe: ethers only). */
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse } from "ethers";

/** Called with a transaction's hash once it is sent, before its receipt is awaited. */
export type OnSent = (transactionHash: string) => void | Promise<void>;

/** Calls `method(...args)` as the contract's runner and waits for the receipt. */
export async function sendAndWait(
  contract: BaseContract,
  method: string,
  args: unknown[],
  onSent?: OnSent,
): Promise<ContractTransactionReceipt> {
  const tx = (await contract.getFunction(method)(...args)) as ContractTransactionResponse;
  await onSent?.(tx.hash);
  return (await tx.wait()) as ContractTransactionReceipt;
}
