/**
 * The relayer's check of a proof before it goes into a batch: one bad proof would make the whole
 * `proveBatch` call revert (InvalidBatchProof), so every proof is verified here first, for the
 * statement the registry rebuilds on-chain: the job's account and nonce, the round's market
 * commitment and the policy's commitment as the chain holds them, under the instance's
 * verification key, which must be the policy verifier's.
 */
import { InputError } from "../errors";
import { verifyProof, type VerificationKey } from "../proving";
import { nativeGroth16Check } from "../proving/groth16";
import type { DecodedPublicSignals } from "../proving/public-signals";
import { loadArtifacts } from "../setup/manifest";
import type { StoredProof } from "../queue/results";
import type { PolicyOnChain } from "./chain";

/** A verification key and its hash (the manifest's `vkeyHash`). */
export interface InstanceKey {
  vkey: VerificationKey;
  vkeyHash: string;
}

/** Where the keys come from: by default the manifest-checked build of this checkout. */
export type InstanceKeys = (instance: string) => Promise<InstanceKey>;

/** Instance keys from the manifest under `root` (default: this checkout), loaded once each. */
export function manifestKeys(root?: string): InstanceKeys {
  const cache = new Map<string, Promise<InstanceKey>>();
  return (instance) => {
    let pending = cache.get(instance);
    if (pending === undefined) {
      pending = loadArtifacts(instance, { root }).then((a) => ({
        vkey: a.vkey,
        vkeyHash: a.entry.vkeyHash.toLowerCase(),
      }));
      pending.catch(() => cache.delete(instance)); // a failed load is tried again next time
      cache.set(instance, pending);
    }
    return pending;
  };
}

/** The statement the registry will check the proof against. */
export interface ExpectedStatement {
  account: string;
  nonce: bigint;
  marketCommitment: bigint;
  policy: PolicyOnChain;
}

/**
 * Why the stored proof must not be submitted, or undefined when it verifies for the statement.
 * Never throws for a bad proof (an unreadable key does throw: that is not the proof's fault).
 */
export async function localRefusal(
  stored: StoredProof,
  signals: DecodedPublicSignals,
  expected: ExpectedStatement,
  keys: InstanceKeys,
): Promise<string | undefined> {
  if (signals.account !== expected.account || signals.nonce !== expected.nonce) {
    return (
      `the stored proof is for account ${signals.account} nonce ${signals.nonce}, ` +
      `not the job's ${expected.account} nonce ${expected.nonce}`
    );
  }
  if (signals.policyCommitment !== expected.policy.policyCommitment) {
    return "the stored proof's policy commitment is not the registered policy's (proved with another policy.json)";
  }
  if (signals.marketCommitment !== expected.marketCommitment) {
    return "the stored proof's market commitment is not the posted round's (proved with another market.json)";
  }
  const key = await keys(stored.instance);
  if (key.vkeyHash !== expected.policy.verificationKeyHash.toLowerCase()) {
    return (
      `instance "${stored.instance}" has key hash ${key.vkeyHash} but the policy's verifier has ` +
      `${expected.policy.verificationKeyHash}`
    );
  }
  let valid: boolean;
  try {
    valid = await verifyProof(stored.proof, stored.publicSignals, key.vkey, nativeGroth16Check());
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return `the stored proof is malformed: ${error.message}`;
  }
  return valid
    ? undefined
    : `the stored proof does not verify with instance "${stored.instance}"'s verification key`;
}
