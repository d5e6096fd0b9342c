/**
 * A proof's pledges slot by slot: each slot's portfolio commitment, the custodian that pledged it,
 * the venue it is pledged to (the policy's: a pledge counts only for its venue's policies), and,
 * where the chain is read, whether the custodian's registration at the venue and its epoch for the
 * account and venue are still the ones the pledge binds, and whether it has expired. Shared by
 * `zkmargin inspect` (text and JSON) and the verify page (browser-safe: ethers only).
 */
import type { Contract, Provider } from "ethers";
import type { SignedPledge } from "../chain/eip712";
import { readPledgeTerms } from "../chain/registry";
import { unixTime } from "../time";

/** The pledge of one slot, as a submission or a pledge file has it. */
export interface SlotPledgeTerms {
  custodian: string;
  registration: bigint;
  epoch: bigint;
  issuedAt: bigint;
  validUntil: bigint;
}

/** What the chain says of a slot's pledge now. */
export interface PledgeOnChain {
  /** The custodian's current registration at the venue (0n: not registered). */
  registration: bigint;
  /** The custodian's current epoch for the account and venue. */
  epoch: bigint;
  /** The pledge's registration is the custodian's current one (and it is registered). */
  registrationHolds: boolean;
  /** The pledge's epoch is the current one: no revocation since it was signed. */
  epochHolds: boolean;
  /** The chain's clock is past the pledge's `validUntil`. */
  expired: boolean;
  /** All three hold: the registry would take this pledge now. */
  holds: boolean;
}

/** One pledge slot of a proof. */
export interface SlotPledge {
  /** The slot, from 1. */
  slot: number;
  /** Its portfolio commitment (0n: an unused slot). */
  commitment: bigint;
  /** The venue id (bytes32) the pledge is for; undefined when not known. */
  venue?: string;
  /** A name for the venue (e.g. "venue of policy desk-maintenance-v1"), when one is known. */
  venueName?: string;
  /** Its pledge; undefined for an unused slot, or when none was given. */
  pledge?: SlotPledgeTerms;
  /** Read from the chain; undefined when the chain was not read. */
  onChain?: PledgeOnChain;
}

/** Reads a custodian's current terms (`readPledgeTerms`) and the chain's clock. */
export interface PledgeTermsReader {
  terms(
    custodian: string,
    account: string,
    venue: string,
  ): Promise<{ registration: bigint; epoch: bigint }>;
  /** The latest block's timestamp. */
  now(): Promise<bigint>;
}

/** A reader of pledge terms and the chain's clock on a registry. */
export function pledgeTermsReader(registry: Contract, provider: Provider): PledgeTermsReader {
  return {
    terms: (custodian, account, venue) => readPledgeTerms(registry, custodian, account, venue),
    now: async () => BigInt((await provider.getBlock("latest"))?.timestamp ?? 0),
  };
}

/** The terms of a signed pledge (its signature left out: a view shows who signed, not the bytes). */
export function pledgeTermsOf(p: SignedPledge): SlotPledgeTerms {
  return {
    custodian: p.custodian,
    registration: p.registration,
    epoch: p.epoch,
    issuedAt: p.issuedAt,
    validUntil: p.validUntil,
  };
}

/**
 * The slots of a proof with `commitments` (one per slot) and its `pledges` (one per used slot, in
 * slot order, as `prove` takes them), pledged to `venue` when it is known.
 */
export function slotPledges(
  commitments: readonly bigint[],
  pledges: readonly SlotPledgeTerms[],
  venue?: { id: string; name?: string | undefined },
): SlotPledge[] {
  let next = 0;
  return commitments.map((commitment, i) => {
    const pledge = commitment === 0n ? undefined : pledges[next++];
    return {
      slot: i + 1,
      commitment,
      ...(venue === undefined || commitment === 0n ? {} : { venue: venue.id }),
      ...(venue?.name === undefined || commitment === 0n ? {} : { venueName: venue.name }),
      ...(pledge === undefined ? {} : { pledge }),
    };
  });
}

/** Adds to each pledged slot with a known venue what the chain says of its pledge now. */
export async function withPledgesOnChain(
  slots: readonly SlotPledge[],
  account: string,
  reader: PledgeTermsReader,
): Promise<SlotPledge[]> {
  const now = await reader.now();
  const read: SlotPledge[] = [];
  for (const s of slots) {
    if (s.pledge === undefined || s.venue === undefined) {
      read.push(s);
      continue;
    }
    const current = await reader.terms(s.pledge.custodian, account, s.venue);
    const registrationHolds =
      current.registration !== 0n && current.registration === s.pledge.registration;
    const epochHolds = current.epoch === s.pledge.epoch;
    const expired = now > s.pledge.validUntil;
    read.push({
      ...s,
      onChain: {
        registration: current.registration,
        epoch: current.epoch,
        registrationHolds,
        epochHolds,
        expired,
        holds: registrationHolds && epochHolds && !expired,
      },
    });
  }
  return read;
}

/** Whether a slot's pledge still holds on-chain, in words (for text and the page). */
export function pledgeStateWords(s: SlotPledge): string {
  const c = s.onChain;
  if (s.pledge === undefined) return s.commitment === 0n ? "unused slot" : "no pledge given";
  if (c === undefined) return "not checked on-chain";
  const problems = [
    ...(c.registrationHolds
      ? []
      : [
          c.registration === 0n
            ? "the custodian is NOT REGISTERED at the venue"
            : `registration ${s.pledge.registration} ENDED (now ${c.registration}: removed and re-added)`,
        ]),
    ...(c.epochHolds ? [] : [`REVOKED (epoch ${s.pledge.epoch}, now ${c.epoch})`]),
    ...(c.expired ? ["EXPIRED"] : []),
  ];
  return problems.length === 0
    ? `holds: registration ${c.registration} and epoch ${c.epoch} are current, not expired`
    : problems.join("; ");
}

/** A slot's lines for a key-value table: commitment, custodian, venue, validity, on-chain state. */
export function slotRows(s: SlotPledge): [string, string][] {
  const at = `slot ${s.slot}`;
  if (s.commitment === 0n) return [[at, "unused (commitment 0)"]];
  const rows: [string, string][] = [[`${at} commitment`, s.commitment.toString()]];
  if (s.pledge === undefined) return [...rows, [`${at} pledge`, "none given"]];
  const p = s.pledge;
  rows.push(
    [`${at} custodian`, `${p.custodian} (registration ${p.registration}, epoch ${p.epoch})`],
    [
      `${at} venue`,
      s.venue === undefined
        ? "unknown (read the chain for the policy's venue)"
        : `${s.venue}${s.venueName === undefined ? "" : ` (${s.venueName})`}`,
    ],
    [`${at} pledged`, `issued ${unixTime(p.issuedAt)}, valid until ${unixTime(p.validUntil)}`],
    [`${at} on-chain`, pledgeStateWords(s)],
  );
  return rows;
}
