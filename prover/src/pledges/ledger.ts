/**
 * The custodian's pledge ledger (`zkmargin attest --ledger`): every pledge the custodian signed
 * and what it pledged, so that it pledges each unit once. The contracts cannot see holdings: a
 * custodian that signs pledges of the same 40 WETH to two venues makes both believe they are
 * covered. Before signing, the ledger gives what the account's live pledges to other venues
 * already hold ({@link pledgedElsewhere}); the pledge must fit in the records less that
 * ({@link pledgeShortfalls}). A pledge to the same venue is not counted: a venue keeps one status
 * per account and policy, so a newer pledge there replaces the older one's use.
 *
 * "Live" is judged without the chain's revocations: a pledge counts until its `validUntil`
 * (revoked ones too, on the safe side), unless `zkmargin revoke --ledger` removed it once its
 * revocation was on-chain ({@link forgetRevokedPledges}). The file is private (the custodian's view of the
 * account's holdings): written atomically with mode 0600, under a lock while read and rewritten.
 */
import * as fs from "node:fs";
import { getAddress } from "ethers";
import { z } from "zod";
import { InputError } from "../errors";
import type { Policy, Portfolio } from "../inputs";
import { formatPath, toInputError } from "../inputs/issues";
import { readJsonFile, writeJsonFile } from "../io/json";
import { withLock } from "../setup/lock";
import type { PledgeFile } from "./pledge-file";

/** Version of the ledger file. */
export const LEDGER_VERSION = 1;

/** Non-zero amounts by slot name, base units as decimal strings (signed for positions). */
export type AmountsJson = Record<string, string>;

/** One signed pledge and what it pledged. */
export interface LedgerEntry {
  account: string;
  /** The venue id (bytes32, lower case). */
  venue: string;
  portfolioCommitment: string;
  registration: string;
  epoch: string;
  issuedAt: string;
  validUntil: string;
  /** Pledged collateral by asset symbol, base units. */
  collateral: AmountsJson;
  /** Pledged perp sizes by instrument, signed base units. */
  perps: AmountsJson;
  /** Pledged option quantities by instrument, signed. */
  options: AmountsJson;
}

/** The ledger file. */
export interface PledgeLedger {
  version: typeof LEDGER_VERSION;
  /** The custodian whose pledges these are. */
  custodian: string;
  pledges: LedgerEntry[];
}

/** What live pledges to other venues hold, summed (positions as absolute sizes). */
export interface PledgedHoldings {
  /** How many live pledges to other venues. */
  count: number;
  collateral: Map<string, bigint>;
  perps: Map<string, bigint>;
  options: Map<string, bigint>;
}

const integer = z.string().regex(/^-?(0|[1-9][0-9]*)$/, "must be a decimal integer");
const amounts = z.record(integer);
const ledgerSchema = z
  .object({
    version: z.literal(LEDGER_VERSION),
    custodian: z.string(),
    pledges: z.array(
      z
        .object({
          account: z.string(),
          venue: z.string(),
          portfolioCommitment: integer,
          registration: integer,
          epoch: integer,
          issuedAt: integer,
          validUntil: integer,
          collateral: amounts,
          perps: amounts,
          options: amounts,
        })
        .strict(),
    ),
  })
  .strict();

/** An empty ledger of `custodian`. */
export function emptyLedger(custodian: string): PledgeLedger {
  return { version: LEDGER_VERSION, custodian: getAddress(custodian), pledges: [] };
}

/**
 * Reads the ledger at `file` (an empty one when the file does not exist yet); refuses a ledger
 * of another custodian, naming the file.
 */
export function readLedger(file: string, custodian: string): PledgeLedger {
  if (!fs.existsSync(file)) return emptyLedger(custodian);
  const parsed = ledgerSchema.safeParse(readJsonFile(file));
  if (!parsed.success) throw toInputError(parsed.error, file);
  if (parsed.data.custodian !== getAddress(custodian)) {
    throw new InputError(
      file,
      "custodian",
      `is ${parsed.data.custodian}, not the signing custodian ${getAddress(custodian)}: each custodian keeps its own ledger`,
    );
  }
  return parsed.data as PledgeLedger;
}

const add = (map: Map<string, bigint>, key: string, value: bigint) =>
  map.set(key, (map.get(key) ?? 0n) + value);
const abs = (x: bigint) => (x < 0n ? -x : x);

/**
 * What the account's pledges to venues other than `venue` that are live at `now` (validUntil not
 * passed) hold together.
 */
export function pledgedElsewhere(
  ledger: PledgeLedger,
  account: string,
  venue: string,
  now: bigint,
): PledgedHoldings {
  const held: PledgedHoldings = {
    count: 0,
    collateral: new Map(),
    perps: new Map(),
    options: new Map(),
  };
  for (const entry of ledger.pledges) {
    if (entry.account !== account || entry.venue === venue.toLowerCase()) continue;
    if (BigInt(entry.validUntil) < now) continue;
    held.count += 1;
    for (const [k, v] of Object.entries(entry.collateral)) add(held.collateral, k, BigInt(v));
    for (const [k, v] of Object.entries(entry.perps)) add(held.perps, k, abs(BigInt(v)));
    for (const [k, v] of Object.entries(entry.options)) add(held.options, k, abs(BigInt(v)));
  }
  return held;
}

/**
 * The fields (portfolio.json paths) in which `pledged` (the holder's opening) is not covered by
 * the custodian's `records` given what is already pledged to other venues: the account; an
 * asset pledged beyond the records less its live pledges elsewhere; a position (perp size or
 * entry, option quantity) other than the records', or one already pledged to another venue
 * (positions are pledged whole, to one venue at a time). Values are never included.
 */
export function pledgeShortfalls(
  policy: Policy,
  pledged: Portfolio,
  records: Portfolio,
  elsewhere: PledgedHoldings,
): string[] {
  const fields: string[] = [];
  if (pledged.account !== records.account) fields.push("account");
  for (const { symbol } of policy.assets) {
    const amount = pledged.collateral.get(symbol) ?? 0n;
    const free = (records.collateral.get(symbol) ?? 0n) - (elsewhere.collateral.get(symbol) ?? 0n);
    if (amount > free) fields.push(formatPath(["collateral", symbol]));
  }
  for (const { instrument } of policy.perps) {
    const [p, r] = [pledged.perps.get(instrument), records.perps.get(instrument)];
    const size = p?.size ?? 0n;
    if (size !== (r?.size ?? 0n) || (size !== 0n && (elsewhere.perps.get(instrument) ?? 0n) > 0n)) {
      fields.push(formatPath(["perps", instrument, "size"]));
    }
    if ((p?.entryPrice ?? 0n) !== (r?.entryPrice ?? 0n)) {
      fields.push(formatPath(["perps", instrument, "entryPrice"]));
    }
  }
  for (const { instrument } of policy.options) {
    const quantity = pledged.options.get(instrument) ?? 0n;
    if (
      quantity !== (records.options.get(instrument) ?? 0n) ||
      (quantity !== 0n && (elsewhere.options.get(instrument) ?? 0n) > 0n)
    ) {
      fields.push(formatPath(["options", instrument, "quantity"]));
    }
  }
  return fields;
}

/** The ledger entry of a signed pledge of `pledged`. */
export function ledgerEntry(pledge: PledgeFile, pledged: Portfolio): LedgerEntry {
  const nonZero = (entries: Iterable<[string, bigint]>): AmountsJson =>
    Object.fromEntries([...entries].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()]));
  return {
    account: pledge.account,
    venue: pledge.venue.toLowerCase(),
    portfolioCommitment: pledge.portfolioCommitment,
    registration: pledge.registration,
    epoch: pledge.epoch,
    issuedAt: pledge.issuedAt,
    validUntil: pledge.validUntil,
    collateral: nonZero(pledged.collateral),
    perps: nonZero([...pledged.perps].map(([k, p]) => [k, p.size])),
    options: nonZero(pledged.options),
  };
}

/**
 * Runs `sign` with the ledger at `file` locked: it gets what the account's live pledges to other
 * venues hold, and returns the signed pledge with what it pledged, which is then added to the
 * ledger (written atomically, mode 0600) before the lock is released. Nothing is added when
 * `sign` throws.
 */
export async function withPledgeLedger<T extends { pledge: PledgeFile; pledged: Portfolio }>(
  file: string,
  custodian: string,
  subject: { account: string; venue: string; now: bigint },
  sign: (elsewhere: PledgedHoldings) => Promise<T>,
): Promise<T> {
  return withLock(
    file,
    async () => {
      const ledger = readLedger(file, custodian);
      const signed = await sign(
        pledgedElsewhere(ledger, subject.account, subject.venue, subject.now),
      );
      ledger.pledges.push(ledgerEntry(signed.pledge, signed.pledged));
      writeJsonFile(file, ledger, { mode: 0o600 });
      return signed;
    },
    { purpose: "the custodian's pledge ledger", waitMs: 60_000 },
  );
}

/**
 * After the custodian's revocation of `account`'s pledges (to `venue`, or to every venue when it
 * is undefined) is on-chain: removes those pledges from the ledger at `file` under its lock, since
 * none of them can count again, so what they held is free to pledge anew. Returns how many were
 * removed (0, and no file written, when there were none or the ledger does not exist yet).
 */
export async function forgetRevokedPledges(
  file: string,
  custodian: string,
  subject: { account: string; venue?: string },
): Promise<number> {
  return withLock(
    file,
    async () => {
      if (!fs.existsSync(file)) return 0;
      const ledger = readLedger(file, custodian);
      const account = getAddress(subject.account);
      const venue = subject.venue?.toLowerCase();
      const kept = ledger.pledges.filter(
        (entry) => entry.account !== account || (venue !== undefined && entry.venue !== venue),
      );
      const removed = ledger.pledges.length - kept.length;
      if (removed > 0) writeJsonFile(file, { ...ledger, pledges: kept }, { mode: 0o600 });
      return removed;
    },
    { purpose: "the custodian's pledge ledger", waitMs: 60_000 },
  );
}
