/**
 * Roles of MarketBook and PolicyRegistry: the fixed ones by name, and the scoped ones (a feed's
 * publishers, a policy's venues), each `keccak256(abi.encode(tag, scope))` as the contracts derive
 * them. Every role is granted by the contract's default admin, which can hold none of them.
 */
import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import type { BaseContract, ContractTransactionReceipt } from "ethers";
import { sendAndWait } from "./send";

/** A zkmargin role constant: `keccak256("zkmargin.<NAME>")`. */
export function roleId(name: string): string {
  return keccak256(toUtf8Bytes(`zkmargin.${name}`));
}

/** A scoped role: `keccak256(abi.encode(tag, scope))` (a feed's publishers, a policy's venues). */
export function scopedRole(tag: string, scope: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32"], [tag, scope]));
}

/** Grants `role` of `contract` to `account`; the signer needs the contract's default admin role. */
export function grantRoleId(
  contract: BaseContract,
  role: string,
  account: string,
): Promise<ContractTransactionReceipt> {
  return sendAndWait(contract, "grantRole", [role, account]);
}
