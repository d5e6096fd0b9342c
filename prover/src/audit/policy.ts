/**
 * `audit policy`: is a policy.json well formed, what layout id and commitment it has on a circuit
 * instance, and (given a chain) is the policy registered under that id with exactly that
 * commitment, on its layout's feed, with a verifier whose key hash is the registered one and the
 * local manifest's. Governance runs it before registering; an auditor runs it on what is live.
 */
import { getAddress, type Provider } from "ethers";
import { attach } from "../chain/deploy";
import { parsePolicyId, policyIdOf, readPolicy, readVerifierKeyHash } from "../chain/policy";
import { policyCommitmentOf } from "../commitments";
import { loadInstances, misfits, type InstanceDims } from "../encoding/instances";
import { parsePolicySchema, policyProblems, type Policy } from "../inputs";
import { feedIdOf } from "../layout";
import { readManifest } from "../setup/manifest";
import { setupPaths } from "../setup/paths";
import { Checklist, noteDevelopmentSetup, type AuditResult } from "./checklist";

/** What to audit. */
export interface PolicyAuditInput {
  /** The parsed JSON of policy.json. */
  json: unknown;
  /** Its file name, for messages. */
  file: string;
  /** The circuit instance the policy is laid out for. */
  instance: string;
  /** A chain to compare with: a MarginRegistry (its PolicyRegistry is read from it). */
  chain?: { provider: Provider; registry: string; policyId?: string };
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
}

/** What a policy audit established. */
export interface PolicyAuditData {
  policyId?: string;
  layoutId?: bigint;
  feed?: string;
  commitment?: bigint;
  problems: { path: string; rule: string }[];
}

/** The slots a policy alone needs (scenarios are the round's, so none are asked for here). */
function policyDims(policy: Policy): InstanceDims {
  const tiers = [...policy.assets, ...policy.perps].reduce(
    (m, s) => Math.max(m, s.tiers.length),
    1,
  );
  return {
    assets: policy.assets.length,
    perps: policy.perps.length,
    options: policy.options.length,
    scenarios: 0,
    tiers,
    groups: policy.concentration.length,
    joint: policy.margin === "portfolio" ? 1 : 0,
    pledges: 1,
  };
}

/** Audits a policy; see the module comment. Never throws for a failed check. */
export async function auditPolicy(input: PolicyAuditInput): Promise<AuditResult<PolicyAuditData>> {
  const list = new Checklist();
  const data: PolicyAuditData = { problems: [] };
  const done = () => list.result("policy", `${input.file} on instance ${input.instance}`, data);

  const policy = await list.attempt(
    `${input.file} follows the policy.json schema`,
    () => parsePolicySchema(input.json, input.file),
    (p) =>
      `id ${p.id}, ${p.assets.length} assets, ${p.perps.length} perps, ${p.options.length} options`,
  );
  if (!policy) return done();
  data.policyId = policyIdOf(policy.id);

  data.problems = policyProblems(policy);
  if (data.problems.length === 0) {
    list.add(
      "pass",
      "the policy is well formed",
      "minRatio > 0; weights and rates in [0, 1]; weights non-increasing, rates non-decreasing; " +
        "upTo strictly increasing, null on the last tier only; decimals 0..18 (perp sizeDecimals 0..12); unique slots",
    );
  }
  for (const problem of data.problems) {
    list.add("fail", `the policy is well formed: ${problem.path}`, problem.rule);
  }

  const dims = await list.attempt(
    `the policy fits circuit instance ${input.instance}`,
    () => {
      const instance = loadInstances()[input.instance];
      if (instance === undefined) throw new Error(`unknown circuit instance "${input.instance}"`);
      const problems = misfits(policyDims(policy), instance);
      if (problems.length > 0) throw new Error(problems.join(", "));
      return instance;
    },
    (d) => `${d.assets}/${d.perps}/${d.options}/${d.scenarios}/${d.tiers}/${d.groups}/${d.joint}`,
  );
  const title = `layout id and policy commitment computed on instance ${input.instance}`;
  if (!dims || data.problems.length > 0) {
    list.skip(title, "a malformed policy gets no commitment");
  } else {
    const computed = await list.attempt(
      title,
      () => policyCommitmentOf(policy, dims),
      (c) => `feed ${feedIdOf(c.layoutId)}, commitment ${c.policy}`,
    );
    if (computed) {
      data.layoutId = computed.layoutId;
      data.feed = feedIdOf(computed.layoutId);
      data.commitment = computed.policy;
    }
  }
  if (input.chain) await auditRegistration(list, input, data);
  return done();
}

/** The policy's registration against what was computed and the local manifest. */
async function auditRegistration(
  list: Checklist,
  input: PolicyAuditInput,
  data: PolicyAuditData,
): Promise<void> {
  const chain = input.chain!;
  const policyId = chain.policyId === undefined ? data.policyId : parsePolicyId(chain.policyId);
  const registered = await list.attempt(
    `policy ${policyId ?? "(unknown id)"} is registered in the MarginRegistry's PolicyRegistry`,
    async () => {
      if (policyId === undefined) throw new Error("no policy id (the policy file did not parse)");
      const registry = attach("MarginRegistry", getAddress(chain.registry), chain.provider);
      const address = (await registry.getFunction("policyRegistry")()) as string;
      const policies = attach("PolicyRegistry", address, chain.provider);
      const registered = await readPolicy(policies, policyId);
      if (registered === null) throw new Error(`${policyId} is not registered`);
      return registered;
    },
    (p) =>
      `verifier ${p.verifier}, max round age ${p.maxRoundAge} s, grace ${p.supersededGrace} s` +
      (p.retired ? ", RETIRED" : ""),
  );
  if (!registered) return;
  const computedTitle = "the registered commitment is the one computed from the file";
  if (data.commitment === undefined) list.skip(computedTitle, "no commitment was computed");
  else {
    list.expect(
      computedTitle,
      registered.commitment === data.commitment,
      `${data.commitment}`,
      `registered ${registered.commitment}, computed ${data.commitment}`,
    );
  }
  const feedTitle = "the registered feed is the policy's layout";
  if (data.feed === undefined) list.skip(feedTitle, "no layout id was computed");
  else {
    list.expect(
      feedTitle,
      registered.feed.toLowerCase() === data.feed.toLowerCase(),
      data.feed,
      `registered ${registered.feed}, the layout's ${data.feed}`,
    );
  }
  const hash = registered.verificationKeyHash.toLowerCase();
  await list.attempt(
    "the verifier's verificationKeyHash() is the registered hash",
    async () => {
      const answer = await readVerifierKeyHash(chain.provider, registered.verifier);
      if (answer !== hash) throw new Error(`verifier answers ${answer}, registered ${hash}`);
      return answer;
    },
    (h) => h,
  );
  const entry = readManifest(setupPaths(input.root)).instances[input.instance];
  if (entry?.vkeyHash === hash) noteDevelopmentSetup(list, input.instance, entry, true);
  list.expect(
    `the registered hash is the local manifest's for instance ${input.instance}`,
    entry?.vkeyHash === hash,
    hash,
    entry === undefined
      ? `instance ${input.instance} is not in the local manifest`
      : `registered ${hash}, manifest ${entry.vkeyHash}`,
  );
  if (!registered.requiresPledges) {
    list.add(
      "warn",
      "the policy requires no custodian pledge",
      "its proofs show knowledge of some sufficient portfolio, not that the account holds it",
    );
  }
  if (registered.retired) list.add("info", "the policy is retired: proofs are refused");
}
