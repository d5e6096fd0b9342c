/**
 * The circuit's five public signals, `[account, nonce, marketCommitment, policyCommitment,
 * portfolioCommitment]` (circuits/README.md), as snarkjs writes them (decimal strings) and decoded.
 */
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { UINT_DECIMAL } from "./proof-files";
import { ACCOUNT_BITS, ROUND_BITS, SNARK_SCALAR_FIELD, fitsBits } from "../encoding/widths";

/** The public signals' names, in the circuit's order. */
export const PUBLIC_SIGNAL_NAMES = [
  "account",
  "nonce",
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
 * Checks and decodes the public signals (`public.json`): exactly five canonical decimal field
 * elements, the account below 2^160 and the nonce below 2^64. `source` names the input in errors.
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
  const [account, nonce, marketCommitment, policyCommitment, portfolioCommitment] = values;
  if (!fitsBits(account, ACCOUNT_BITS)) {
    throw new InputError(source, "[0]", `account: must fit in ${ACCOUNT_BITS} bits`);
  }
  if (!fitsBits(nonce, ROUND_BITS)) {
    throw new InputError(source, "[1]", `nonce: must fit in ${ROUND_BITS} bits`);
  }
  return {
    account: getAddress("0x" + account.toString(16).padStart(40, "0")),
    nonce,
    marketCommitment,
    policyCommitment,
    portfolioCommitment,
  };
}

/** The public signals in circuit order, as the decimal strings snarkjs uses. */
export function encodePublicSignals(decoded: DecodedPublicSignals): string[] {
  return [
    BigInt(getAddress(decoded.account)),
    decoded.nonce,
    decoded.marketCommitment,
    decoded.policyCommitment,
    decoded.portfolioCommitment,
  ].map((v) => v.toString());
}
