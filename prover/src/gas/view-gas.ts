/**
 * What a consumer contract (a venue, a lender) pays for each view of the margin oracle, cold (the
 * first read in a transaction) and warm (a repeat), measured by `OracleGasProbe` through
 * `eth_call` on a stand-in deployment (see `stand-in.ts`): the views' cost does not depend on the
 * circuit, only on the status and the margin call they read.
 */
import type { Contract, Signer } from "ethers";
import { callMargin, deployArtifact, grantVenue, loadArtifact } from "../chain";
import { deployStandIn } from "./stand-in";

/** One measured view in one situation. */
export interface ViewGas {
  /** The view, as a consumer calls it. */
  view: string;
  /** The account's situation. */
  situation: string;
  /** Gas of the first call in the transaction. */
  cold: bigint;
  /** Gas of a second, identical call. */
  warm: bigint;
}

/** The signers the measurement needs: the admin, five operational roles and the account. */
export interface ViewGasSigners {
  admin: Signer;
  publisher: Signer;
  policyAdmin: Signer;
  custodianAdmin: Signer;
  custodian: Signer;
  venue: Signer;
  account: Signer;
  /** An account that never proved. */
  stranger: Signer;
}

/** The policy's maximum round age, and the age consumers accept in the measurement. */
const MAX_AGE = 3600n;
/** `IMarginOracle.MarginCallState.None` and `.Pending`, as ethers decodes them. */
const CALL_NONE = 0n;
const CALL_PENDING = 1n;

/**
 * Deploys a stand-in venue whose policy requires custodian attestations (the costlier status to
 * judge: the custodian's registration and revocation are read too) and takes margin calls, and
 * measures each view of IMarginOracle, and MarginRegistry's `statusOf`, from a contract: for an
 * account that never proved, for one whose status counts, and for the same with a margin call
 * pending (its deadline running).
 */
export async function measureViewGas(signers: ViewGasSigners): Promise<ViewGas[]> {
  const d = await deployStandIn(signers, {
    name: "view-gas",
    requiresAttestation: true,
    cureWindow: 900n,
    maxRoundAge: MAX_AGE,
    supersededGrace: 300n,
  });
  await grantVenue(d.policyRegistry, d.policyId, await signers.venue.getAddress());
  await d.prove(signers.account);
  const probe = (await deployArtifact(signers.admin, loadArtifact("OracleGasProbe"))).contract;
  const oracle = await d.registry.getAddress();
  const account = await signers.account.getAddress();
  const stranger = await signers.stranger.getAddress();

  const rows: ViewGas[] = [];
  /** Measures every view for `who`, after checking the views say what `situation` says. */
  const measure = async (
    situation: string,
    who: string,
    expected: { sufficient: boolean; callState: bigint },
  ) => {
    const views: [string, string, unknown[], unknown][] = [
      [
        "isMarginSufficient",
        "isMarginSufficientGas",
        [oracle, who, d.policyId, MAX_AGE],
        expected.sufficient,
      ],
      ["marginCallOf", "marginCallOfGas", [oracle, who, d.policyId], expected.callState],
      ["lastNonce", "lastNonceGas", [oracle, who, d.policyId], undefined],
      ["statusOf (MarginRegistry only)", "statusOfGas", [oracle, who, d.policyId], undefined],
    ];
    for (const [view, probeFunction, args, answer] of views) {
      const [result, cold, warm] = (await probe.getFunction(probeFunction)(...args)) as [
        unknown,
        bigint,
        bigint,
      ];
      if (answer !== undefined && result !== answer) {
        throw new Error(`${view} answered ${String(result)} for "${situation}"`);
      }
      rows.push({ view, situation, cold, warm });
    }
  };
  await measure("no status", stranger, { sufficient: false, callState: CALL_NONE });
  await measure("status counts, no call", account, { sufficient: true, callState: CALL_NONE });
  await callMargin(d.registry.connect(signers.venue) as Contract, account, d.policyId);
  // A round after the call starts the deadline, which the views then read.
  await d.postNextRound();
  await measure("status counts, call pending", account, {
    sufficient: true,
    callState: CALL_PENDING,
  });
  return rows;
}
