/**
 * Whether the public policy and market files are the ones a proof's commitments were made from:
 * shared by `zkmargin inspect` and the verify page (which passes the instances it has keys for).
 */
import { publicCommitments } from "../commitments/commit";
import { fits, type InstanceDims } from "../encoding/instances";
import type { Market, Policy } from "../inputs/types";

/** Which of the two commitments the files reproduce, and under which instance layout. */
export interface PublicFilesMatch {
  policy: boolean;
  market: boolean;
  /** The instance whose slot layout reproduces both commitments, if any. */
  instance: string | null;
  /**
   * The policy's slot layout: the first instance under which the policy commitment matches and the
   * layout id there (the first element of every commitment; its feed is `feedIdOf(layoutId)`).
   */
  layout: { instance: string; layoutId: bigint } | null;
}

/**
 * Recomputes the policy and market commitments under every instance the files fit (they depend on
 * the instance's padding) and compares them with the proof's.
 */
export async function matchPublicFiles(
  commitments: { policyCommitment: bigint; marketCommitment: bigint },
  policy: Policy,
  market: Market,
  instances: Record<string, InstanceDims>,
): Promise<PublicFilesMatch> {
  const found: PublicFilesMatch = { policy: false, market: false, instance: null, layout: null };
  for (const [name, dims] of Object.entries(instances)) {
    if (!fits(policy, market, dims)) continue;
    const c = await publicCommitments({ policy, market, instance: dims });
    const policyMatches = c.policy === commitments.policyCommitment;
    const marketMatches = c.market === commitments.marketCommitment;
    if (policyMatches && found.layout === null) {
      found.layout = { instance: name, layoutId: c.layoutId };
    }
    found.policy ||= policyMatches;
    found.market ||= marketMatches;
    if (policyMatches && marketMatches) {
      return {
        policy: true,
        market: true,
        instance: name,
        layout: { instance: name, layoutId: c.layoutId },
      };
    }
  }
  return found;
}
