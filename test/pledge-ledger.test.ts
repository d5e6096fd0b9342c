/**
 * The custodian's pledge ledger (prover/src/pledges/ledger.ts): what the account's live pledges
 * to other venues hold, the refusal of a pledge they would leave uncovered by the records (an
 * asset split between venues is fine, the same unit twice is not; positions go whole to one
 * venue), and the ledger file (0600, the custodian's own, nothing added when signing fails). The
 * verb on the command line: test/cli.test.ts ("attest").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { venueIdOf } from "../prover/src/chain/policy";
import { InputError } from "../prover/src/errors";
import { loadPolicy, loadPortfolio, type Portfolio } from "../prover/src/inputs";
import {
  emptyLedger,
  ledgerEntry,
  pledgedElsewhere,
  pledgeShortfalls,
  readLedger,
  withPledgeLedger,
  type PledgeLedger,
} from "../prover/src/pledges/ledger";
import type { PledgeFile } from "../prover/src/proving";
import { SMALL_EXAMPLES, removeTempDirs, tempDir } from "./helpers/cli";

const CUSTODIAN = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const A = venueIdOf("venue A");
const B = venueIdOf("venue B");
const policy = loadPolicy(path.join(SMALL_EXAMPLES, "policy.json"));
const whole = loadPortfolio(path.join(SMALL_EXAMPLES, "portfolio.json"), policy);
const collateralOnly: Portfolio = { ...whole, perps: new Map(), options: new Map() };
/** `collateralOnly` with every amount scaled by num/den. */
const scaled = (num: bigint, den: bigint): Portfolio => ({
  ...collateralOnly,
  collateral: new Map([...whole.collateral].map(([k, v]) => [k, (v * num) / den])),
});

function pledgeFile(venue: string, validUntil: bigint, account = whole.account): PledgeFile {
  return {
    account,
    venue,
    portfolioCommitment: "1",
    custodian: CUSTODIAN,
    registration: "1",
    epoch: "0",
    issuedAt: "100",
    validUntil: validUntil.toString(),
    signature: "0x",
  };
}

function ledgerOf(...entries: [PledgeFile, Portfolio][]): PledgeLedger {
  const ledger = emptyLedger(CUSTODIAN);
  for (const [pledge, pledged] of entries) ledger.pledges.push(ledgerEntry(pledge, pledged));
  return ledger;
}

describe("the custodian's pledge ledger", function () {
  after(removeTempDirs);

  it("sums the account's pledges to other venues that are live (validUntil inclusive)", function () {
    const ledger = ledgerOf(
      [pledgeFile(A, 1_000n), scaled(1n, 2n)],
      [pledgeFile(A, 999n), scaled(1n, 4n)],
      [pledgeFile(B, 5_000n), scaled(1n, 3n)],
      [pledgeFile(A, 5_000n, "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), whole],
    );
    const atB = pledgedElsewhere(ledger, whole.account, B, 1_000n);
    expect(atB.count).to.equal(1);
    expect(atB.collateral).to.deep.equal(scaled(1n, 2n).collateral);
    const atA = pledgedElsewhere(ledger, whole.account, A, 1_000n);
    expect([atA.count, atA.collateral]).to.deep.equal([1, scaled(1n, 3n).collateral]);
    expect(pledgedElsewhere(ledger, whole.account, B, 1_001n).count).to.equal(0);
    // A venue id in any case is the same venue.
    expect(pledgedElsewhere(ledger, whole.account, A.toUpperCase(), 1_000n).count).to.equal(1);
  });

  it("lets an asset be split between venues, never pledged twice", function () {
    const records = whole;
    const half = pledgedElsewhere(
      ledgerOf([pledgeFile(A, 10n), scaled(1n, 2n)]),
      whole.account,
      B,
      1n,
    );
    expect(pledgeShortfalls(policy, scaled(1n, 2n), collateralOnly, half)).to.deep.equal([]);
    expect(pledgeShortfalls(policy, scaled(1n, 2n), records, half)).to.deep.equal([
      "perps.ETH-PERP.size",
      "perps.ETH-PERP.entryPrice",
      "perps.BTC-PERP.size",
      "perps.BTC-PERP.entryPrice",
      "options.ETH-26JUN26-3000-C.quantity",
      "options.ETH-26JUN26-2600-P.quantity",
    ]); // positions are pledged whole: the records' must be in the pledge
    const over: Portfolio = {
      ...scaled(1n, 2n),
      collateral: new Map(
        [...scaled(1n, 2n).collateral].map(([k, v]) => [k, k === "WETH" ? v + 1n : v]),
      ),
    };
    expect(pledgeShortfalls(policy, over, collateralOnly, half)).to.deep.equal(["collateral.WETH"]);
    // Nothing elsewhere: anything up to the records.
    const none = pledgedElsewhere(emptyLedger(CUSTODIAN), whole.account, B, 1n);
    expect(pledgeShortfalls(policy, collateralOnly, collateralOnly, none)).to.deep.equal([]);
    expect(pledgeShortfalls(policy, scaled(1n, 3n), collateralOnly, none)).to.deep.equal([]);
    expect(pledgeShortfalls(policy, scaled(2n, 1n), collateralOnly, none)).to.deep.equal([
      "collateral.USDC",
      "collateral.WETH",
      "collateral.WBTC",
    ]);
  });

  it("pledges positions to one venue at a time, and names another account", function () {
    const positions = pledgedElsewhere(ledgerOf([pledgeFile(A, 10n), whole]), whole.account, B, 1n);
    expect(pledgeShortfalls(policy, whole, whole, positions)).to.include.members([
      "perps.ETH-PERP.size",
      "options.ETH-26JUN26-2600-P.quantity",
    ]);
    const none = pledgedElsewhere(emptyLedger(CUSTODIAN), whole.account, B, 1n);
    expect(pledgeShortfalls(policy, whole, whole, none)).to.deep.equal([]);
    const other = { ...whole, account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" };
    expect(pledgeShortfalls(policy, whole, other, none)).to.deep.equal(["account"]);
  });

  it("reads a missing ledger as empty; refuses another custodian's and a malformed one, naming the file", function () {
    const dir = tempDir();
    const file = path.join(dir, "ledger.json");
    expect(readLedger(file, CUSTODIAN)).to.deep.equal(emptyLedger(CUSTODIAN));
    fs.writeFileSync(
      file,
      JSON.stringify(emptyLedger("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")),
    );
    expect(() => readLedger(file, CUSTODIAN))
      .to.throw(InputError, /not the signing custodian/)
      .with.property("file", file);
    fs.writeFileSync(
      file,
      JSON.stringify({ ...emptyLedger(CUSTODIAN), pledges: [{ account: 1 }] }),
    );
    expect(() => readLedger(file, CUSTODIAN))
      .to.throw(InputError)
      .with.property("file", file);
  });

  it("adds each signed pledge under the lock, 0600, and nothing when signing fails", async function () {
    const file = path.join(tempDir(), "ledger.json");
    const subject = { account: whole.account, venue: B, now: 1n };
    await withPledgeLedger(file, CUSTODIAN, subject, async (elsewhere) => {
      expect(elsewhere.count).to.equal(0);
      return { pledge: pledgeFile(A, 10n), pledged: scaled(1n, 2n) };
    });
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    let failed: unknown;
    try {
      await withPledgeLedger(file, CUSTODIAN, subject, async (elsewhere) => {
        expect(elsewhere.count).to.equal(1);
        throw new Error("refused");
      });
    } catch (e) {
      failed = e;
    }
    expect(String(failed)).to.contain("refused");
    const ledger = readLedger(file, CUSTODIAN);
    expect(ledger.pledges).to.have.length(1);
    expect(ledger.pledges[0]).to.deep.include({ venue: A.toLowerCase(), validUntil: "10" });
    expect(fs.existsSync(`${file}.lock`)).to.equal(false);
  });
});
