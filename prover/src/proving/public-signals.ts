/**
 * The circuit's public signals, `[accountNonce, marketCommitment, policyCommitment,
 * portfolioCommitment_1 .. portfolioCommitment_C]` (circuits/README.md; C the instance's pledge
 * slots, 1 for v2's four signals), as snarkjs writes them (decimal strings) and decoded;
 * `accountNonce = account + nonce * 2^160`. The layout of the list is `statementSignals`'s
 * (inspect/signals.ts), the one place that says it.
 */
import { getAddress } from "ethers";
import { InputError } from "../errors";
import { UINT_DECIMAL } from "./proof-files";
import {
  ACCOUNT_BITS,
  MAX_PLEDGES,
  ROUND_BITS,
  SNARK_SCALAR_FIELD,
  bound,
  fitsBits,
} from "../encoding/widths";
import { LEADING_SIGNALS, publicSignalNames, statementSignals } from "../inspect/signals";

/** The public signals' names of a one-portfolio instance (C = 1), in the circuit's order. */
export const PUBLIC_SIGNAL_NAMES = publicSignalNames(1);

/** The public signals of a margin proof, decoded. */
export interface DecodedPublicSignals {
  /** EIP-55 checksummed address of the account the proof is bound to. */
  account: string;
  nonce: bigint;
  marketCommitment: bigint;
  policyCommitment: bigint;
  /**
   * One per pledge slot, in slot order: a used slot's sub-portfolio commitment (non-zero), then
   * 0 for every unused slot.
   */
  portfolioCommitments: bigint[];
}

/**
 * Checks and decodes the public signals (`public.json`): 3 + C canonical decimal field elements
 * (1 <= C <= MAX_PLEDGES), the first below 2^224 (a 160-bit account and a 64-bit nonce), the
 * portfolio commitments non-zero in a prefix of at least one slot and 0 after it (as the circuit
 * proves them). `source` names the input in errors.
 */
export function decodePublicSignals(
  publicSignals: unknown,
  source = "publicSignals",
): DecodedPublicSignals {
  const least = LEADING_SIGNALS.length + 1;
  const most = LEADING_SIGNALS.length + MAX_PLEDGES;
  if (
    !Array.isArray(publicSignals) ||
    publicSignals.length < least ||
    publicSignals.length > most
  ) {
    throw new InputError(
      source,
      "$",
      `must be an array of ${least} to ${most} signals (account and nonce, market, policy, then one portfolio commitment per pledge slot)`,
    );
  }
  const names = publicSignalNames(publicSignals.length - LEADING_SIGNALS.length);
  const values = publicSignals.map((signal: unknown, i) => {
    const where = `[${i}]`;
    if (typeof signal !== "string" || !UINT_DECIMAL.test(signal)) {
      throw new InputError(source, where, `${names[i]}: must be a decimal string`);
    }
    const value = BigInt(signal);
    if (value >= SNARK_SCALAR_FIELD) {
      throw new InputError(source, where, `${names[i]}: must be below the field modulus`);
    }
    return value;
  });
  const [accountNonce, marketCommitment, policyCommitment, ...portfolioCommitments] = values;
  if (!fitsBits(accountNonce, ACCOUNT_BITS + ROUND_BITS)) {
    throw new InputError(
      source,
      "[0]",
      `accountNonce: must fit in ${ACCOUNT_BITS + ROUND_BITS} bits (160-bit account, 64-bit nonce)`,
    );
  }
  portfolioCommitments.forEach((commitment, k) => {
    const where = `[${LEADING_SIGNALS.length + k}]`;
    if (k === 0 && commitment === 0n) {
      throw new InputError(
        source,
        where,
        `${names[LEADING_SIGNALS.length]}: slot 1 is always used, so it cannot be 0`,
      );
    }
    if (k > 0 && commitment !== 0n && portfolioCommitments[k - 1] === 0n) {
      throw new InputError(
        source,
        where,
        `${names[LEADING_SIGNALS.length + k]}: used pledge slots form a prefix, but slot ${k} is unused (0)`,
      );
    }
  });
  const account = accountNonce % bound(ACCOUNT_BITS);
  return {
    account: getAddress("0x" + account.toString(16).padStart(40, "0")),
    nonce: accountNonce >> BigInt(ACCOUNT_BITS),
    marketCommitment,
    policyCommitment,
    portfolioCommitments,
  };
}

/** The public signals in circuit order, as the decimal strings snarkjs uses. */
export function encodePublicSignals(decoded: DecodedPublicSignals): string[] {
  return statementSignals(decoded).map((v) => v.toString());
}

/** The used pledge slots' commitments (the non-zero prefix). */
export function usedCommitments(decoded: DecodedPublicSignals): bigint[] {
  return decoded.portfolioCommitments.filter((c) => c !== 0n);
}

/**
 * The one portfolio commitment of a proof that uses one pledge slot (the others 0), for the code
 * that handles one portfolio per proof; throws when the proof sums several sub-portfolios.
 */
export function singlePortfolioCommitment(decoded: DecodedPublicSignals): bigint {
  const used = usedCommitments(decoded);
  if (used.length !== 1) {
    throw new RangeError(
      `the proof sums ${used.length} sub-portfolios; this step handles a proof of one portfolio`,
    );
  }
  return used[0];
}
