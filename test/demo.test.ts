/**
 * The main job (`npm start` = `zkmargin demo`) end to end, in-process and against a JSON-RPC node
 * (`npx hardhat node` on a local port), as the README tells users to run it.
 */
import path from "node:path";
import { expect } from "chai";
import { runDemo } from "../prover/src/demo/run-demo";
import { startHardhatNode, stopHardhatNode } from "./helpers/hardhat-node";
import { freePort } from "./helpers/ports";

const ROOT = path.resolve(__dirname, "..");

describe("zkmargin demo (the main job)", function () {
  it("tells the whole story on the in-process chain with the demo instance", async () => {
    const lines: string[] = [];
    const result = await runDemo({ print: (line) => lines.push(line) });
    const out = lines.join("\n");
    expect(result.sufficientBefore).to.equal(false);
    expect(result.sufficientAfter).to.equal(true);
    // Another account fails the pledge (made out to the holder) before the proof's account.
    expect(result.replayRefusedWith).to.equal("InvalidPledgeSignature");
    expect(result.resubmitRefusedWith).to.equal("NonceNotIncreasing");
    expect(result.shortfallRefused).to.equal(true);
    expect(result.constraints).to.be.at.most(1 << 14);
    // The 300,000 target is for one pledge slot (small, `npm run gas`); the demo instance has two,
    // and its verifier pays for the second slot's public input (about 6,800 gas).
    expect(Number(result.proveGas)).to.be.below(310_000);
    // The hedged book: refused under the desk's standard policy, proved under portfolio margin.
    expect(result.hedged?.refusedUnderStandard).to.equal(true);
    expect(result.hedged?.sufficientUnderPortfolio).to.equal(true);
    expect(Number(result.hedged?.proveGas)).to.be.below(310_000);
    for (const section of [
      "10. Portfolio margin",
      "The same book under 2 policies",
      "report",
      "isMarginSufficient after: true",
      "MarginProved(",
      "Summary",
    ]) {
      expect(out).to.include(section);
    }
    expect(out).to.include("DEVELOPMENT ONLY");
    // Continuous margin: three rounds proven by the watcher, its alert on the fall, a margin call
    // answered and cured.
    expect(result.continuous.proved).to.have.length(3);
    expect(result.continuous.alerts).to.include.members(["low-excess", "margin-call"]);
    expect(result.continuous.alerts).to.not.include("shortfall");
    expect([result.continuous.callStateAfterCall, result.continuous.callStateAtEnd]).to.deep.equal([
      "pending",
      "none",
    ]);
    expect(result.continuous.sufficientAtEnd).to.equal(true);
    expect(out).to.include("margin-call-cured");
    // Two custodians: each short alone, sufficient together, proved and accepted with both
    // pledges; the same pledges refused at a second venue, and the ledger refuses a second pledge.
    const two = result.twoCustodians!;
    expect(two.shortAlone).to.deep.equal([true, true]);
    expect([two.sufficientTogether, two.sufficientAfter]).to.deep.equal([true, true]);
    expect(two.otherVenueRefusedWith).to.equal("PledgeForOtherVenue");
    expect(two.ledgerRefused).to.deep.equal(["collateral.USDC"]);
    expect(out).to.include("11. Two custodians, one proof");
    expect(out).to.match(/Sub-portfolios \(USD\): each one's share/);
    expect(out).to.match(
      /refused: PledgeForOtherVenue\(0, 0x[0-9a-f]{64}, 0x[0-9a-f]{64}\): pledge 0 is to venue/,
    );
  });

  it("runs against a JSON-RPC node with --rpc", async () => {
    const port = await freePort();
    const node = await startHardhatNode(port);
    try {
      const lines: string[] = [];
      const result = await runDemo({
        rpc: `http://127.0.0.1:${port}`,
        instance: "small",
        example: path.join(ROOT, "examples", "small"),
        shortfallPortfolio: path.join(ROOT, "examples", "small", "shortfall-portfolio.json"),
        portfolioMargin: false, // the hedged book needs the demo instance
        print: (line) => lines.push(line),
      });
      expect(result.sufficientAfter).to.equal(true);
      expect(result.replayRefusedWith).to.equal("InvalidPledgeSignature");
      expect(result.resubmitRefusedWith).to.equal("NonceNotIncreasing");
      expect(result.continuous.callStateAtEnd).to.equal("none");
      expect(result.twoCustodians).to.equal(null); // small has one pledge slot
    } finally {
      stopHardhatNode(node);
    }
  });
});
