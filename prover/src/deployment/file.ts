/**
 * The deployment file (`deployment.json`): what `zkmargin deploy` wrote and what `publish`,
 * `watch`, `attest` and `audit chain` read with `--deployment FILE`: the chain, the contracts and
 * the block they were deployed at, the role holders, each verifier with its verification-key hash,
 * and each registered policy with its document (public), instance, feed and parameters. Written
 * atomically; every refusal names the file, the field and the rule.
 */
import { getAddress } from "ethers";
import { z } from "zod";
import { InputError } from "../errors";
import { formatPath, parsePolicy, type Policy } from "../inputs";
import { readJsonFile, writeJsonFile } from "../io/json";
import { loadInstances } from "../encoding/instances";
import type { FeedLayout } from "../market-data";

/**
 * The format version written in `version`: 3 since policies belong to a venue (`venue`) whose
 * custodians pledge to it (`requiresPledges`, `custodians` registered at the venue); 2 had
 * publishers per feed (`roles.publishers` keyed by feed), as MarketBook's publisher roles are.
 */
export const DEPLOYMENT_FILE_VERSION = 3;

const address = z.string().refine((s) => {
  try {
    return getAddress(s) === s;
  } catch {
    return false;
  }
}, "must be an EIP-55 checksummed address");
const bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, "must be 0x and 64 lower-case hex digits");
const uint = z.string().regex(/^(0|[1-9][0-9]*)$/, "must be a decimal integer string");

const policyEntry = z
  .object({
    policyId: bytes32,
    instance: z.string().min(1),
    feed: bytes32,
    commitment: uint,
    mode: z.enum(["initial", "maintenance"]),
    verifier: address,
    verificationKeyHash: bytes32,
    maxRoundAge: uint,
    supersededGrace: uint,
    cureWindow: uint,
    /** The policy's venue id: its custodians are registered there, and pledge to it. */
    venue: bytes32,
    requiresPledges: z.boolean(),
    /** The custodians registered at the venue when the policy was deployed. */
    custodians: z.array(address),
    /** The holders of the policy's venue role (margin calls). */
    venues: z.array(address),
    /** The policy.json document (public), so the layout can be rebuilt from this file alone. */
    document: z.unknown(),
  })
  .strict();

const schema = z
  .object({
    version: z.literal(DEPLOYMENT_FILE_VERSION),
    chainId: uint,
    /** The block the contracts were deployed at: event queries start there. */
    startBlock: z.number().int().nonnegative(),
    contracts: z
      .object({ marketBook: address, policyRegistry: address, marginRegistry: address })
      .strict(),
    roles: z
      .object({
        /** The default admin of MarketBook and PolicyRegistry (after any pending transfer). */
        admin: address,
        /** Per feed (bytes32), the holders of MarketBook's `publisherRole(feed)`. */
        publishers: z.record(bytes32, z.array(address)),
        policyAdmins: z.array(address),
        custodianAdmins: z.array(address),
      })
      .strict(),
    verifiers: z.record(z.string(), z.object({ address, verificationKeyHash: bytes32 }).strict()),
    policies: z.record(z.string(), policyEntry),
  })
  .strict();

export type Deployment = z.infer<typeof schema>;
export type DeployedPolicy = z.infer<typeof policyEntry>;

/** Validates a deployment object; errors name `file`. */
export function parseDeployment(json: unknown, file: string): Deployment {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(file, formatPath(issue.path) || "$", issue.message);
  }
  const deployment = parsed.data;
  for (const [name, entry] of Object.entries(deployment.policies)) {
    if (deployment.verifiers[entry.instance] === undefined) {
      throw new InputError(
        file,
        `policies.${name}.instance`,
        `names no verifier of this deployment`,
      );
    }
  }
  return deployment;
}

/** Reads and validates a deployment file. */
export function readDeployment(file: string): Deployment {
  return parseDeployment(readJsonFile(file), file);
}

/** Writes a deployment file atomically (replacing it). */
export function writeDeployment(file: string, deployment: Deployment): void {
  writeJsonFile(file, parseDeployment(deployment, file), { overwrite: true });
}

/**
 * A registered policy of the deployment, by its policy.json id or its on-chain id (bytes32), with
 * its parsed document.
 */
export function deployedPolicy(
  deployment: Deployment,
  nameOrId: string,
  file: string,
): { name: string; entry: DeployedPolicy; policy: Policy } {
  const found = Object.entries(deployment.policies).find(
    ([name, entry]) => name === nameOrId || entry.policyId === nameOrId.toLowerCase(),
  );
  if (found === undefined) {
    const known = Object.keys(deployment.policies);
    throw new InputError(
      file,
      "policies",
      `has no policy "${nameOrId}" (registered: ${known.length === 0 ? "none" : known.join(", ")})`,
    );
  }
  const [name, entry] = found;
  return { name, entry, policy: parsePolicy(entry.document, `${file}: policies.${name}.document`) };
}

/** The feed layout of a registered policy (for checking and fetching its market files). */
export function feedLayoutOf(deployment: Deployment, nameOrId: string, file: string): FeedLayout {
  const { name, entry, policy } = deployedPolicy(deployment, nameOrId, file);
  const dims = loadInstances()[entry.instance];
  if (dims === undefined) {
    throw new InputError(
      file,
      `policies.${name}.instance`,
      `"${entry.instance}" is not a circuit instance of this build`,
    );
  }
  return { feed: entry.feed, policy, instance: entry.instance, dims };
}

/**
 * The feed layouts of every registered policy on `feed`. They share one slot layout, but not the
 * market rules: a portfolio-margin policy needs the round's joint scenario set, a standard one
 * does not. A round for the feed is published only if it serves them all.
 */
export function feedLayoutsOf(deployment: Deployment, feed: string, file: string): FeedLayout[] {
  return Object.entries(deployment.policies)
    .filter(([, entry]) => entry.feed.toLowerCase() === feed.toLowerCase())
    .map(([name]) => feedLayoutOf(deployment, name, file));
}
