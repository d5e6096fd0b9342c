/**
 * The pledge.json type, apart from the code that writes and validates it (proving/attest.ts) and the
 * custodian's ledger that records it (pledges/ledger.ts), so that the ledger needs no import of
 * attest.ts, which imports the ledger.
 */

/** pledge.json: what the holder passes to `MarginRegistry.prove` for the opening's slot. */
export interface PledgeFile {
  account: string;
  /** The venue id (bytes32) the pledge serves. */
  venue: string;
  /** Decimal string. */
  portfolioCommitment: string;
  /** Address of the signing custodian. */
  custodian: string;
  /** The custodian's registration id at the venue, decimal string. */
  registration: string;
  /** The custodian's epoch for the account and venue, decimal string. */
  epoch: string;
  /** Unix seconds, decimal string: when the custodian checked the holdings. */
  issuedAt: string;
  /** Unix seconds, decimal string: the last second at which the pledge counts. */
  validUntil: string;
  /** The EIP-712 signature, 0x-hex. */
  signature: string;
}
