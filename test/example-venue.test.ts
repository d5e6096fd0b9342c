/**
 * The example venue (verifier-contracts/contracts/examples/ExamplePerpVenue.sol) on IMarginOracle,
 * over a stand-in verifier (no proving): an account opens or increases a position only while its
 * margin is proven sufficient and no call is pending, and always reduces; the operator calls
 * margin through the registry and withdraws calls; a keeper liquidates only after a call's
 * deadline has passed uncured. Each rule is performed refused and honored, with its edges (a call
 * cured in time, a status that expires, a withdrawn call). Also: IMarginOracle's ABI is the
 * stable consumer API, and MarginRegistry answers it.
 */
import { expect } from "chai";
import { Contract, Interface, ZeroAddress } from "ethers";
import type { Signer } from "ethers";
import {
  deployArtifact,
  grantVenue,
  isMarginSufficient,
  loadArtifact,
  readMarginCall,
} from "../prover/src/chain";
import { deployStandIn, type StandInDeployment } from "../prover/src/gas";
import {
  blockTimestamp,
  compileContracts,
  eventArgs,
  expectRevert,
  hre,
  mineAt,
  now,
  revertAfterEachTest,
  setNextTimestamp,
} from "./contracts.fixture";

const CURE_WINDOW = 900n;
const GRACE = 3600n;
const MAX_ROUND_AGE = 24n * 3600n;
/** The venue's freshness: shorter than the policy's maximum round age. */
const VENUE_MAX_AGE = 3600n;
/** IMarginOracle.MarginCallState, as ethers decodes it. */
const STATE = { None: 0n, Pending: 1n, Cured: 2n, Expired: 3n } as const;

describe("example venue on IMarginOracle (test verifier)", function () {
  let operator: Signer, alice: Signer, bob: Signer, keeper: Signer;
  let d: StandInDeployment;
  let venue: Contract;
  let errors: Interface[];
  let aliceAddress: string;

  const as = (signer: Signer) => venue.connect(signer) as Contract;
  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
  const increase = (signer: Signer, amount: bigint) =>
    send(as(signer).getFunction("increasePosition")(amount));
  const reduce = (signer: Signer, amount: bigint) =>
    send(as(signer).getFunction("reducePosition")(amount));
  const liquidate = (account: string) => send(as(keeper).getFunction("liquidate")(account));
  const callMargin = (account: string, caller = operator) =>
    send(as(caller).getFunction("callMargin")(account));
  const withdrawCall = (account: string, caller = operator) =>
    send(as(caller).getFunction("withdrawCall")(account));
  /** Expects a keeper's liquidation of alice refused, her call standing at `state`. */
  const expectNotLiquidated = (state: bigint) =>
    expectRevert(liquidate(aliceAddress), errors, "MarginCallNotExpired", [aliceAddress, state]);
  const positionOf = async (account: string) =>
    (await venue.getFunction("positionOf")(account)) as bigint;

  /**
   * The operator calls margin on alice, then the next round is posted at `postedAt`: the deadline
   * is `postedAt + CURE_WINDOW`. Returns the deadline.
   */
  async function callThenPost(postedAt?: bigint): Promise<bigint> {
    await callMargin(aliceAddress);
    const at = postedAt ?? (await now()) + 10n;
    await setNextTimestamp(at);
    await d.postNextRound(at);
    const { deadline } = await readMarginCall(d.registry, aliceAddress, d.policyId);
    expect(deadline).to.equal(at + CURE_WINDOW);
    return deadline;
  }

  before(async function () {
    await compileContracts();
    const signers = await hre.ethers.getSigners();
    const [admin, publisher, policyAdmin, custodianAdmin, custodian] = signers;
    [operator, alice, bob, keeper] = signers.slice(5);
    d = await deployStandIn(
      { admin, publisher, policyAdmin, custodianAdmin, custodian },
      {
        name: "example-venue",
        requiresAttestation: true,
        cureWindow: CURE_WINDOW,
        maxRoundAge: MAX_ROUND_AGE,
        supersededGrace: GRACE,
      },
    );
    venue = (
      await deployArtifact(admin, loadArtifact("ExamplePerpVenue"), [
        await d.registry.getAddress(),
        d.policyId,
        VENUE_MAX_AGE,
        await operator.getAddress(),
      ])
    ).contract;
    await grantVenue(d.policyRegistry, d.policyId, await venue.getAddress());
    errors = [venue.interface, d.registry.interface, d.policyRegistry.interface];
    aliceAddress = await alice.getAddress();
    await d.prove(alice);
  });

  revertAfterEachTest();

  describe("IMarginOracle", function () {
    it("is the stable consumer API: these functions and return shapes, no more", async function () {
      const artifact = await hre.artifacts.readArtifact("IMarginOracle");
      const functions: string[] = [];
      new Interface(artifact.abi).forEachFunction((fn) => functions.push(fn.format("minimal")));
      expect(functions.sort()).to.deep.equal([
        "function callMargin(address,bytes32)",
        "function isMarginSufficient(address,bytes32,uint256) view returns (bool)",
        "function lastNonce(address,bytes32) view returns (uint64)",
        // MarginCallView: state (MarginCallState), round, calledAt, cureWindow, deadline.
        "function marginCallOf(address,bytes32) view returns ((uint8,uint64,uint64,uint32,uint64))",
        "function settleMarginCall(address,bytes32) returns (uint8)",
        "function withdrawMarginCall(address,bytes32)",
      ]);
    });

    it("is what MarginRegistry answers: the same selectors, and a view through it reads the registry", async function () {
      const artifact = await hre.artifacts.readArtifact("IMarginOracle");
      const oracle = new Contract(await d.registry.getAddress(), artifact.abi, hre.ethers.provider);
      oracle.interface.forEachFunction((fn) => {
        expect(d.registry.interface.getFunction(fn.format())?.selector, fn.name).to.equal(
          fn.selector,
        );
      });
      expect(
        await oracle.getFunction("isMarginSufficient")(aliceAddress, d.policyId, 60n),
      ).to.equal(true);
      expect(await oracle.getFunction("lastNonce")(aliceAddress, d.policyId)).to.equal(1n);
      expect((await oracle.getFunction("marginCallOf")(aliceAddress, d.policyId)).state).to.equal(
        STATE.None,
      );
    });
  });

  describe("construction", function () {
    it("refuses a zero oracle or operator, and exposes what it was given", async function () {
      const [admin] = await hre.ethers.getSigners();
      const artifact = loadArtifact("ExamplePerpVenue");
      const registry = await d.registry.getAddress();
      const op = await operator.getAddress();
      for (const args of [
        [ZeroAddress, d.policyId, VENUE_MAX_AGE, op],
        [registry, d.policyId, VENUE_MAX_AGE, ZeroAddress],
      ]) {
        await expectRevert(deployArtifact(admin, artifact, args), errors, "ZeroAddress");
      }
      expect(await venue.getFunction("ORACLE")()).to.equal(registry);
      expect(await venue.getFunction("POLICY_ID")()).to.equal(d.policyId);
      expect(await venue.getFunction("MAX_AGE")()).to.equal(VENUE_MAX_AGE);
      expect(await venue.getFunction("OPERATOR")()).to.equal(op);
    });
  });

  describe("opening and increasing", function () {
    it("opens and increases while the margin is proven sufficient, and emits PositionIncreased", async function () {
      await increase(alice, 5n);
      const receipt = await (await as(alice).getFunction("increasePosition")(3n)).wait();
      expect(eventArgs(venue, receipt, "PositionIncreased")).to.deep.equal([aliceAddress, 3n, 8n]);
      expect(await positionOf(aliceAddress)).to.equal(8n);
    });

    it("refuses an account that never proved, and a zero amount", async function () {
      const bobAddress = await bob.getAddress();
      await expectRevert(increase(bob, 1n), errors, "MarginNotProven", [bobAddress]);
      await expectRevert(increase(alice, 0n), errors, "ZeroAmount", []);
    });

    it("refuses once the proven round is older than the venue's maximum age, and opens again after a fresh proof", async function () {
      const { roundTimestamp } = await roundOfStatus();
      await setNextTimestamp(roundTimestamp + VENUE_MAX_AGE);
      await increase(alice, 1n); // exactly the maximum age: still fresh
      await setNextTimestamp(roundTimestamp + VENUE_MAX_AGE + 1n);
      await expectRevert(increase(alice, 1n), errors, "MarginNotProven", [aliceAddress]);
      await d.postNextRound();
      await d.prove(alice);
      await increase(alice, 1n);
      expect(await positionOf(aliceAddress)).to.equal(2n);
    });

    it("refuses once the status's attestation has expired (a status that stops counting), but still lets the account reduce", async function () {
      const validUntil = (await now()) + 100n;
      await d.prove(alice, { validUntil });
      await increase(alice, 4n);
      await mineAt(validUntil + 1n);
      expect(
        await isMarginSufficient(d.registry, aliceAddress, d.policyId, VENUE_MAX_AGE),
      ).to.equal(false);
      await expectRevert(increase(alice, 1n), errors, "MarginNotProven", [aliceAddress]);
      await reduce(alice, 4n);
      expect(await positionOf(aliceAddress)).to.equal(0n);
    });

    it("refuses while a margin call is pending (before the next round and while the deadline runs), and opens again once it is cured", async function () {
      await increase(alice, 2n);
      await callMargin(aliceAddress);
      // No round after the call yet: the deadline is not running (zero).
      await expectRevert(increase(alice, 1n), errors, "UnderMarginCall", [aliceAddress, 0n]);
      const at = (await now()) + 10n;
      await setNextTimestamp(at);
      await d.postNextRound(at);
      await expectRevert(increase(alice, 1n), errors, "UnderMarginCall", [
        aliceAddress,
        at + CURE_WINDOW,
      ]);
      await d.prove(alice);
      await increase(alice, 1n);
      expect(await positionOf(aliceAddress)).to.equal(3n);
    });
  });

  describe("reducing", function () {
    it("reduces whatever the margin stands at (a pending call, an expired call), and emits PositionReduced", async function () {
      await increase(alice, 10n);
      const deadline = await callThenPost();
      let receipt = await (await as(alice).getFunction("reducePosition")(3n)).wait();
      expect(eventArgs(venue, receipt, "PositionReduced")).to.deep.equal([aliceAddress, 3n, 7n]);
      await mineAt(deadline);
      expect((await readMarginCall(d.registry, aliceAddress, d.policyId)).state).to.equal(
        "expired",
      );
      receipt = await (await as(alice).getFunction("reducePosition")(7n)).wait();
      expect(eventArgs(venue, receipt, "PositionReduced")).to.deep.equal([aliceAddress, 7n, 0n]);
    });

    it("refuses more than the position, and a zero amount", async function () {
      await increase(alice, 2n);
      await expectRevert(reduce(alice, 3n), errors, "ReduceExceedsPosition", [2n, 3n]);
      await expectRevert(reduce(alice, 0n), errors, "ZeroAmount", []);
      await expectRevert(reduce(bob, 1n), errors, "ReduceExceedsPosition", [0n, 1n]);
    });
  });

  describe("margin calls through the venue", function () {
    it("the operator calls margin through the registry, as the venue", async function () {
      await increase(alice, 1n);
      const receipt = await (await as(operator).getFunction("callMargin")(aliceAddress)).wait();
      const [account, policyId, caller] = eventArgs(d.registry, receipt, "MarginCalled");
      expect([account, policyId, caller]).to.deep.equal([
        aliceAddress,
        d.policyId,
        await venue.getAddress(),
      ]);
      expect((await readMarginCall(d.registry, aliceAddress, d.policyId)).state).to.equal(
        "pending",
      );
    });

    it("refuses a caller other than the operator, an account without a position, and passes the registry's refusals through", async function () {
      await increase(alice, 1n);
      const keeperAddress = await keeper.getAddress();
      await expectRevert(callMargin(aliceAddress, keeper), errors, "NotOperator", [keeperAddress]);
      const bobAddress = await bob.getAddress();
      await expectRevert(callMargin(bobAddress), errors, "NoPosition", [bobAddress]);
      await callMargin(aliceAddress);
      await expectRevert(callMargin(aliceAddress), errors, "MarginCallOpen");
    });

    it("a venue contract without the policy's venue role is refused by the registry (NotVenue)", async function () {
      const [admin] = await hre.ethers.getSigners();
      const unauthorized = (
        await deployArtifact(admin, loadArtifact("ExamplePerpVenue"), [
          await d.registry.getAddress(),
          d.policyId,
          VENUE_MAX_AGE,
          await operator.getAddress(),
        ])
      ).contract;
      await send((unauthorized.connect(alice) as Contract).getFunction("increasePosition")(1n));
      await expectRevert(
        send((unauthorized.connect(operator) as Contract).getFunction("callMargin")(aliceAddress)),
        errors,
        "NotVenue",
        [d.policyId, await unauthorized.getAddress()],
      );
    });

    it("withdrawCall: the operator only, a call must exist, and the registry records the withdrawal", async function () {
      await increase(alice, 1n);
      await expectRevert(withdrawCall(aliceAddress), errors, "NoMarginCall", [
        aliceAddress,
        d.policyId,
      ]);
      await callMargin(aliceAddress);
      await expectRevert(withdrawCall(aliceAddress, alice), errors, "NotOperator", [aliceAddress]);
      const receipt = await (await as(operator).getFunction("withdrawCall")(aliceAddress)).wait();
      expect(eventArgs(d.registry, receipt, "MarginCallWithdrawn")).to.deep.equal([
        aliceAddress,
        d.policyId,
        await venue.getAddress(),
      ]);
      expect((await readMarginCall(d.registry, aliceAddress, d.policyId)).state).to.equal("none");
    });
  });

  describe("liquidation by a keeper", function () {
    it("refuses without a call, while the call is pending (no round after it, and up to the second before the deadline)", async function () {
      await increase(alice, 5n);
      await expectNotLiquidated(STATE.None);
      await callMargin(aliceAddress);
      await expectNotLiquidated(STATE.Pending);
      const at = (await now()) + 10n;
      await setNextTimestamp(at);
      await d.postNextRound(at);
      await setNextTimestamp(at + CURE_WINDOW - 1n);
      await expectNotLiquidated(STATE.Pending);
      expect(await positionOf(aliceAddress)).to.equal(5n);
    });

    it("liquidates from the deadline on, uncured: the position is closed, Liquidated names the keeper, and the account opens again only after it cures", async function () {
      await increase(alice, 5n);
      const deadline = await callThenPost();
      await setNextTimestamp(deadline);
      const receipt = await (await as(keeper).getFunction("liquidate")(aliceAddress)).wait();
      expect(await blockTimestamp(receipt)).to.equal(deadline);
      expect(eventArgs(venue, receipt, "Liquidated")).to.deep.equal([
        aliceAddress,
        await keeper.getAddress(),
        5n,
      ]);
      expect(await positionOf(aliceAddress)).to.equal(0n);
      await expectRevert(liquidate(aliceAddress), errors, "NoPosition", [aliceAddress]);
      await expectRevert(increase(alice, 1n), errors, "MarginNotProven", [aliceAddress]);
      // A late cure: a proof on the round posted after the call.
      await d.prove(alice);
      await increase(alice, 1n);
      expect(await positionOf(aliceAddress)).to.equal(1n);
    });

    it("a call cured in time cannot be liquidated, before or after its deadline", async function () {
      await increase(alice, 5n);
      const deadline = await callThenPost();
      await setNextTimestamp(deadline - 1n);
      await d.prove(alice);
      await expectNotLiquidated(STATE.Cured);
      await mineAt(deadline + CURE_WINDOW);
      await expectNotLiquidated(STATE.Cured);
      expect(await positionOf(aliceAddress)).to.equal(5n);
    });

    it("a withdrawn call cannot be liquidated, even past its deadline, and the account may open again", async function () {
      await increase(alice, 5n);
      const deadline = await callThenPost();
      await mineAt(deadline);
      expect((await readMarginCall(d.registry, aliceAddress, d.policyId)).state).to.equal(
        "expired",
      );
      await withdrawCall(aliceAddress);
      await expectNotLiquidated(STATE.None);
      await increase(alice, 1n);
      expect(await positionOf(aliceAddress)).to.equal(6n);
    });

    it("refuses an account without a position, even with an expired call", async function () {
      await increase(alice, 1n);
      const deadline = await callThenPost();
      await reduce(alice, 1n);
      await mineAt(deadline);
      await expectRevert(liquidate(aliceAddress), errors, "NoPosition", [aliceAddress]);
    });
  });

  /** Alice's status's round timestamp, from MarginRegistry.statusOf. */
  async function roundOfStatus(): Promise<{ roundTimestamp: bigint }> {
    const status = (await d.registry.getFunction("statusOf")(aliceAddress, d.policyId)) as {
      roundTimestamp: bigint;
    };
    return { roundTimestamp: status.roundTimestamp };
  }
});
