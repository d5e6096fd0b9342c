/**
 * The circuit's four public signals, `[accountNonce, marketCommitment, policyCommitment,
 * portfolioCommitment]` (circuits/README.md), as snarkjs writes them (decimal strings) and decoded;
 * `accountNonce = account + nonce * 2^160`.
 */
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { UINT_DECIMAL } from "./proof-files";
import { accountNonceOf } from "../encoding/circuit-input";
import { ACCOUNT_BITS, ROUND_BITS, SNARK_SCALAR_FIELD, bound, fitsBits } from "../encoding/widths";

/** The public signals' names, in the circuit's order. */
export const PUBLIC_SIGNAL_NAMES = [
  "accountNonce",
  "marketCommitment",
  "policyCommitment",
  "portfolioCommitment",
] as const;

/** The public signals of a margin proof, decoded. */
export interface DecodedPublicSignals {
  /** EIP-55 checksummed address of the account the proof is bound to. */
  account: string;
  nonce: bigint;
  marketCommitment: bigint;
  policyCommitment: bigint;
  portfolioCommitment: bigint;
}

/**
 * Checks and decodes the public signals (`public.json`): exactly four canonical decimal field
 * elements, the first below 2^224 (a 160-bit account and a 64-bit nonce). `source` names the
 * input in errors.
 */
export function decodePublicSignals(
  publicSignals: unknown,
  source = "publicSignals",
): DecodedPublicSignals {
  if (!Array.isArray(publicSignals) || publicSignals.length !== PUBLIC_SIGNAL_NAMES.length) {
    throw new InputError(source, "$", `must be an array of ${PUBLIC_SIGNAL_NAMES.length} signals`);
  }
  const values = publicSignals.map((signal: unknown, i) => {
    const where = `[${i}]`;
    if (typeof signal !== "string" || !UINT_DECIMAL.test(signal)) {
      throw new InputError(source, where, `${PUBLIC_SIGNAL_NAMES[i]}: must be a decimal string`);
    }
    const value = BigInt(signal);
    if (value >= SNARK_SCALAR_FIELD) {
      throw new InputError(
        source,
        where,
        `${PUBLIC_SIGNAL_NAMES[i]}: must be below the field modulus`,
      );
    }
    return value;
  });
  const [accountNonce, marketCommitment, policyCommitment, portfolioCommitment] = values;
  if (!fitsBits(accountNonce, ACCOUNT_BITS + ROUND_BITS)) {
    throw new InputError(
      source,
      "[0]",
      `accountNonce: must fit in ${ACCOUNT_BITS + ROUND_BITS} bits (160-bit account, 64-bit nonce)`,
    );
  }
  const account = accountNonce % bound(ACCOUNT_BITS);
  return {
    account: getAddress("0x" + account.toString(16).padStart(40, "0")),
    nonce: accountNonce >> BigInt(ACCOUNT_BITS),
    marketCommitment,
    policyCommitment,
    portfolioCommitment,
  };
}

/** The public signals in circuit order, as the decimal strings snarkjs uses. */
export function encodePublicSignals(decoded: DecodedPublicSignals): string[] {
  return [
    accountNonceOf(decoded.account, decoded.nonce),
    decoded.marketCommitment,
    decoded.policyCommitment,
    decoded.portfolioCommitment,
  ].map((v) => v.toString());
}
