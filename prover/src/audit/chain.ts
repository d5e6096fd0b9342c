/**
 * `audit chain`: the on-chain history of a MarginRegistry. Lists its MarginProved events; for each
 * policy involved, compares the registered verification-key hash with the local manifest's and the
 * verifier's deployed runtime code with the locally compiled generated verifier (itself checked
 * to be compiled from the manifest's source), and reports retirement; for each event, checks that
 * MarketBook holds the round, re-verifies the proof from the transaction's calldata (the event's
 * own item of a `proveBatch` call) with the local verification key against public inputs rebuilt
 * from chain state, and checks that the registry's status of every account is its latest event.
 * Each `proveBatch` transaction is accounted for item by item: every item either has its
 * `MarginProved` (re-verified as above) or a `ProofSkipped` with its reason (listed, never counted
 * as accepted), and no item has both.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Contract, getAddress, type Interface, type Provider } from "ethers";
import { ARTIFACTS_DIR, loadVerifierArtifact, verifierSourceName } from "../chain/artifacts";
import { attach } from "../chain/deploy";
import { readMarginRegistryDomain } from "../chain/eip712";
import { readRound } from "../chain/market-book";
import {
  parsePolicyId,
  readPolicy,
  readVerifierKeyHash,
  type RegisteredPolicy,
} from "../chain/policy";
import {
  isMarginSufficient,
  marginProvedEvents,
  readStatus,
  type MarginProvedEvent,
} from "../chain/registry";
import { queryEvents } from "../chain/events";
import {
  skippedIndices,
  submissionOutcomes,
  type SkippedItem,
  type SubmissionOutcome,
} from "../inspect/outcomes";
import { statementSignals } from "../inspect/signals";
import {
  batchPlace,
  decodeSubmissions,
  snarkjsProof,
  submissionOfEvent,
  submittedStatement,
  type Submission,
} from "../inspect/submission";
import { verifyProof } from "../proving/verify-proof";
import { sha256Hex } from "../setup/hash";
import {
  MANIFEST_VERSION,
  loadArtifacts,
  readManifest,
  type LoadedArtifacts,
  type Manifest,
} from "../setup/manifest";
import { setupPaths } from "../setup/paths";
import { unixTime } from "../time";
import { Checklist, noteDevelopmentSetup, type AuditResult } from "./checklist";

/** Options of {@link auditChain}. */
export interface ChainAuditOptions {
  provider: Provider;
  /** MarginRegistry address. */
  registry: string;
  /** Only this policy: a 0x-prefixed bytes32 id or a policy.json `id` (hashed with keccak256). */
  policyId?: string;
  /** First block to read events from (default 0). */
  fromBlock?: number;
  /** The block the audit reads the chain at, events and statuses alike (default: the latest). */
  atBlock?: number;
  /** The local instance every policy should use (default: the one whose vkey hash or code matches). */
  instance?: string;
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
}

/** A registered policy as the audit saw it. */
export interface AuditedPolicy extends RegisteredPolicy {
  /** The local instance it was compared with. */
  instance?: string;
}

/** A MarginProved event with the MarketBook round it used. */
export interface AuditedEvent extends MarginProvedEvent {
  roundTimestamp?: bigint;
  marketCommitment?: bigint;
  /** The publisher later marked the round invalid. */
  roundInvalid?: boolean;
}

/** One pledge behind a current status: which custodian backs which account at which venue. */
export interface AuditedPledge {
  account: string;
  policyId: string;
  venue: string;
  custodian: string;
  registration: bigint;
  /** Whether the custodian's registration at the venue still counts. */
  active: boolean;
}

/** A batch item the registry skipped (`ProofSkipped`): never verified, never recorded. */
export interface AuditedSkip extends SkippedItem {
  blockNumber: number;
  transactionHash: string;
}

/** A `proveBatch` transaction, item by item. */
export interface AuditedBatch {
  blockNumber: number;
  transactionHash: string;
  items: number;
  /** The indices of the items with a `MarginProved` event. */
  accepted: number[];
  /** The indices of the items with a `ProofSkipped` event. */
  skipped: number[];
}

/** What a chain audit established. */
export interface ChainAuditData {
  registry: string;
  marketBook?: string;
  policyRegistry?: string;
  events: AuditedEvent[];
  /** The batch items the registry skipped, with their reasons. */
  skipped: AuditedSkip[];
  /** The `proveBatch` transactions, item by item. */
  batches: AuditedBatch[];
  policies: AuditedPolicy[];
  /** The pledges of the statuses read, in status and slot order. */
  pledges: AuditedPledge[];
}

const short = (id: string) => `${id.slice(0, 10)}...`;

/** A local instance's manifest-checked artifacts and compiled verifier, loaded once. */
interface LocalInstance {
  name: string;
  artifacts?: LoadedArtifacts;
  runtimeCode?: string;
}

/** Audits a MarginRegistry's history; see the module comment. Never throws for a failed check. */
export async function auditChain(options: ChainAuditOptions): Promise<AuditResult<ChainAuditData>> {
  const { provider } = options;
  const list = new Checklist();
  const data: ChainAuditData = {
    registry: options.registry,
    events: [],
    skipped: [],
    batches: [],
    policies: [],
    pledges: [],
  };
  const subject = `MarginRegistry ${options.registry}`;
  const done = () => list.result("chain", subject, data);

  const contracts = await list.attempt(
    "the address is a MarginRegistry v2 (EIP-712 domain) and names its MarketBook and PolicyRegistry",
    async () => {
      const address = getAddress(options.registry);
      if ((await provider.getCode(address)) === "0x")
        throw new Error(`${address}: no contract code`);
      const registry = attach("MarginRegistry", address, provider);
      await readMarginRegistryDomain(registry);
      const marketBook = attach(
        "MarketBook",
        (await registry.getFunction("marketBook")()) as string,
        provider,
      );
      const policies = attach(
        "PolicyRegistry",
        (await registry.getFunction("policyRegistry")()) as string,
        provider,
      );
      return { registry, marketBook, policies };
    },
    (c) => `MarketBook ${String(c.marketBook.target)}, PolicyRegistry ${String(c.policies.target)}`,
  );
  if (!contracts) return done();
  data.marketBook = String(contracts.marketBook.target);
  data.policyRegistry = String(contracts.policies.target);

  const filterId = options.policyId === undefined ? undefined : parsePolicyId(options.policyId);
  // Events and statuses are read at one block, so a proof landing mid-audit cannot set them apart.
  const atBlock = options.atBlock ?? (await provider.getBlockNumber());
  const events = await list.attempt(
    "MarginProved events read",
    () =>
      marginProvedEvents(contracts.registry, {
        ...(filterId ? { policyId: filterId } : {}),
        fromBlock: options.fromBlock ?? 0,
        toBlock: atBlock,
      }),
    (e) =>
      `${e.length} event(s) from block ${options.fromBlock ?? 0} to ${atBlock}${filterId ? ` for policy ${short(filterId)}` : ""}`,
  );
  if (!events) return done();

  const ids = [
    ...new Set([...(filterId ? [filterId] : []), ...events.map((e) => e.policyId.toLowerCase())]),
  ];
  const locals = new Map<string, LocalInstance>();
  const policyInstance = new Map<string, LocalInstance | undefined>();
  for (const id of ids) {
    const audited = await auditPolicy(list, contracts.policies, id, options, locals);
    if (audited) data.policies.push(audited.policy);
    policyInstance.set(id, audited?.local);
  }

  const policies = new Map(data.policies.map((p) => [p.policyId, p]));
  for (const event of events) {
    data.events.push(
      await auditEvent(
        list,
        contracts,
        event,
        policies.get(event.policyId.toLowerCase()),
        policyInstance.get(event.policyId.toLowerCase()),
        provider,
      ),
    );
  }
  await auditBatches(list, contracts, data, filterId, {
    fromBlock: options.fromBlock ?? 0,
    toBlock: atBlock,
  });
  data.pledges = await auditStatuses(list, contracts.registry, events, policies, atBlock);
  pledgesPerCustodianAndVenue(list, data.pledges);
  return done();
}

/** The policy's registration against the local manifest and compiled verifier. */
async function auditPolicy(
  list: Checklist,
  registry: Contract,
  policyId: string,
  options: ChainAuditOptions,
  locals: Map<string, LocalInstance>,
): Promise<{ policy: AuditedPolicy; local?: LocalInstance } | undefined> {
  const label = `policy ${short(policyId)}`;
  const policy = await list.attempt(
    `${label}: registered in PolicyRegistry`,
    async () => {
      const registered = await readPolicy(registry, policyId);
      if (registered === null) throw new Error(`${policyId} is not registered`);
      return registered;
    },
    (p) =>
      `verifier ${p.verifier}, feed ${short(p.feed)}, venue ${short(p.venue)}, ` +
      `${p.pledgeSlots} pledge slot${p.pledgeSlots === 1 ? "" : "s"}, ` +
      `max round age ${p.maxRoundAge} s, superseded grace ${p.supersededGrace} s`,
  );
  if (!policy) return undefined;
  list.add(
    "info",
    `${label}: ${policy.retired ? "RETIRED (new proofs refused, statuses no longer count)" : "active"}`,
  );
  if (!policy.requiresPledges) {
    list.add(
      "warn",
      `${label}: requires no custodian pledge`,
      "its proofs show knowledge of some sufficient portfolio, not that the account holds it",
    );
  }

  const code = (await options.provider.getCode(policy.verifier)).toLowerCase();
  let manifest: Manifest;
  try {
    manifest = readManifest(setupPaths(options.root));
  } catch (error) {
    list.add("fail", "the local manifest is readable", (error as Error).message);
    manifest = { version: MANIFEST_VERSION, instances: {} };
  }
  const names = Object.keys(manifest.instances);
  const local = async (name: string): Promise<LocalInstance> => {
    let found = locals.get(name);
    if (!found) {
      found = await loadLocal(list, name, options.root);
      locals.set(name, found);
    }
    return found;
  };
  let name =
    options.instance ??
    names.find((n) => manifest.instances[n].vkeyHash === policy.verificationKeyHash);
  if (name === undefined) {
    for (const n of names) if ((await local(n)).runtimeCode === code) name = n;
  }
  const instance = name === undefined ? undefined : await local(name);
  const entry = name === undefined ? undefined : manifest.instances[name];
  const expected = entry?.vkeyHash;
  if (name !== undefined && entry !== undefined && expected === policy.verificationKeyHash) {
    noteDevelopmentSetup(list, name, entry, true);
  }
  list.expect(
    `${label}: registered verification-key hash equals the local manifest's`,
    expected === policy.verificationKeyHash,
    `${policy.verificationKeyHash} (instance ${name})`,
    expected === undefined
      ? `registered ${policy.verificationKeyHash} matches no instance of the local manifest (${names.map((n) => `${n} ${manifest.instances[n].vkeyHash}`).join(", ") || "empty"})`
      : `registered ${policy.verificationKeyHash}, the manifest's instance ${name} has ${expected}`,
  );
  await list.attempt(
    `${label}: the verifier's verificationKeyHash() equals the registered hash`,
    async () => {
      const hash = await readVerifierKeyHash(options.provider, policy.verifier);
      if (hash !== policy.verificationKeyHash) {
        throw new Error(`the verifier answers ${hash}, registered ${policy.verificationKeyHash}`);
      }
      return hash;
    },
    (hash) => hash,
  );
  const codeTitle = `${label}: verifier's deployed runtime code equals the locally compiled ${name === undefined ? "verifier" : verifierSourceName(name)}`;
  if (instance?.runtimeCode === undefined) {
    list.skip(codeTitle, "no locally compiled verifier to compare with");
  } else {
    list.expect(
      codeTitle,
      code === instance.runtimeCode,
      `${policy.verifier}, ${(code.length - 2) / 2} bytes`,
      code === "0x"
        ? `${policy.verifier}: no code`
        : stripMetadata(code) === stripMetadata(instance.runtimeCode)
          ? `${policy.verifier}: same code but different metadata (other source text or compiler settings)`
          : `${policy.verifier}: runtime code differs from the local verifier`,
    );
  }
  return { policy: { ...policy, ...(name ? { instance: name } : {}) }, local: instance };
}

/** The Solidity CBOR metadata trailer removed (its length is the last two bytes). */
function stripMetadata(code: string): string {
  if (code.length < 6) return code;
  const length = parseInt(code.slice(-4), 16);
  return code.slice(0, code.length - 2 * (length + 2));
}

/** Loads an instance's manifest-checked artifacts and its compiled verifier, with checklist lines. */
async function loadLocal(list: Checklist, name: string, root?: string): Promise<LocalInstance> {
  const artifacts = await list.attempt(
    `local instance ${name}: every artifact matches the manifest`,
    () => loadArtifacts(name, { root }),
    (a) => `${a.entry.kind} keys, vkeyHash ${a.entry.vkeyHash}`,
  );
  const runtimeCode = await list.attempt(
    `local instance ${name}: the compiled verifier was built from the manifest's verifier source`,
    () => compiledVerifier(name, artifacts),
    () => `${path.relative(process.cwd(), path.join(ARTIFACTS_DIR, verifierSourceName(name)))}`,
  );
  return { name, ...(artifacts ? { artifacts } : {}), ...(runtimeCode ? { runtimeCode } : {}) };
}

/**
 * The runtime code of the Hardhat artifact of an instance's generated verifier, after checking
 * that the source it was compiled from (in its build-info) is the manifest's generated verifier.
 */
function compiledVerifier(name: string, artifacts: LoadedArtifacts | undefined): string {
  if (!artifacts) throw new Error(`the local artifacts of ${name} do not match the manifest`);
  const artifact = loadVerifierArtifact(name) as {
    contractName: string;
    deployedBytecode?: unknown;
  };
  const dir = path.join(ARTIFACTS_DIR, verifierSourceName(name));
  const dbg = JSON.parse(
    fs.readFileSync(path.join(dir, `${artifact.contractName}.dbg.json`), "utf8"),
  ) as { buildInfo: string };
  const buildInfo = path.resolve(dir, dbg.buildInfo);
  const info = JSON.parse(fs.readFileSync(buildInfo, "utf8")) as {
    input: { sources: Record<string, { content: string }> };
  };
  const source = info.input.sources[verifierSourceName(name)]?.content;
  if (
    source === undefined ||
    sha256Hex(source) !== artifacts.entry.artifacts.generatedVerifier.sha256
  ) {
    throw new Error(
      `${buildInfo}: compiled from another ${verifierSourceName(name)}; run \`npx hardhat compile\``,
    );
  }
  if (typeof artifact.deployedBytecode !== "string" || artifact.deployedBytecode.length <= 2) {
    throw new Error(`${dir}: artifact has no deployed bytecode`);
  }
  return artifact.deployedBytecode.toLowerCase();
}

/** One event: its round on MarketBook and its proof, re-verified from the transaction's calldata. */
async function auditEvent(
  list: Checklist,
  contracts: { registry: Contract; marketBook: Contract },
  event: MarginProvedEvent,
  policy: AuditedPolicy | undefined,
  local: LocalInstance | undefined,
  provider: Provider,
): Promise<AuditedEvent> {
  const label = `event block ${event.blockNumber} tx ${short(event.transactionHash)} (${event.account}, policy ${short(event.policyId)}, round ${event.round}, nonce ${event.nonce})`;
  const record =
    policy === undefined
      ? undefined
      : await readRound(contracts.marketBook, policy.feed, event.round);
  const marketCommitment = record?.commitment ?? 0n;
  list.expect(
    `${label}: MarketBook holds the round in the policy's feed`,
    marketCommitment !== 0n,
    `timestamp ${record === undefined ? "none" : unixTime(record.timestamp)}, marketCommitment ${marketCommitment}`,
    policy === undefined
      ? "the policy is not registered"
      : `round ${event.round} is not in feed ${short(policy.feed)} of MarketBook ${String(contracts.marketBook.target)}`,
  );
  if (record?.invalid) {
    list.add("warn", `${label}: the publisher later marked the round invalid`);
  }
  const audited: AuditedEvent = {
    ...event,
    roundTimestamp: record?.timestamp,
    marketCommitment,
    roundInvalid: record?.invalid,
  };
  const title = `${label}: the proof in the transaction verifies with the local key against public inputs rebuilt from chain state`;
  if (!policy || !local?.artifacts || marketCommitment === 0n) {
    list.skip(
      title,
      "no registered policy, local verification key or market round to rebuild it with",
    );
    return audited;
  }
  const submissions = await transactionSubmissions(contracts.registry, provider, event);
  if (submissions.length === 0) {
    list.add(
      "warn",
      title,
      "not a direct call to the registry (e.g. through a wallet contract): proof not re-verified",
    );
    return audited;
  }
  let skipped = new Set<number>();
  if (submissions.some((s) => s.batch !== undefined)) {
    const outcomes = await batchItemOutcomes(contracts.registry, provider, event, submissions);
    if (typeof outcomes === "string") {
      list.add("fail", title, `the batch's logs do not account for its items: ${outcomes}`);
      return audited;
    }
    skipped = skippedIndices(outcomes);
  }
  const own = submissionOfEvent(submissions, event, skipped);
  const submission: Submission = own ?? submissions[0];
  const calldataMatches = own !== undefined;
  const publicSignals = statementSignals(
    submittedStatement(submission, { marketCommitment, policyCommitment: policy.commitment }),
  ).map(String);
  const valid =
    calldataMatches &&
    (await verifyProof(snarkjsProof(submission.proof), publicSignals, local.artifacts.vkey));
  list.expect(
    title,
    valid,
    `instance ${local.name}${batchPlace(submission)}`,
    calldataMatches
      ? `the proof${batchPlace(submission)} does not verify with the local verification key`
      : `no ${submissions.length > 1 ? "unskipped item" : "call"} of the transaction has the event's arguments`,
  );
  return audited;
}

/** The submissions of an event's transaction (empty when it is not a direct call). */
async function transactionSubmissions(
  registry: Contract,
  provider: Provider,
  event: { transactionHash: string },
): Promise<Submission[]> {
  const tx = await provider.getTransaction(event.transactionHash);
  return tx === null ? [] : decodeSubmissions(tx, String(registry.target), registry.interface);
}

/** A batch transaction's item outcomes, or why its logs do not account for its items. */
async function batchItemOutcomes(
  registry: Contract,
  provider: Provider,
  event: { transactionHash: string },
  submissions: readonly Submission[],
  interfaces: readonly Interface[] = [registry.interface],
): Promise<SubmissionOutcome[] | string> {
  try {
    const receipt = await provider.getTransactionReceipt(event.transactionHash);
    return submissionOutcomes(registry, receipt, submissions, interfaces);
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The `proveBatch` transactions among the events' and the `ProofSkipped` events' (read over the
 * same blocks): their logs account for every item, accepted or skipped (`batchOutcomes`: never
 * both, never neither, nothing logged for another item), and the skipped ones are listed with
 * their reasons.
 */
async function auditBatches(
  list: Checklist,
  contracts: { registry: Contract; marketBook: Contract; policies: Contract },
  data: ChainAuditData,
  policyId: string | undefined,
  range: { fromBlock: number; toBlock: number },
): Promise<void> {
  const { registry } = contracts;
  const provider = registry.runner as Provider;
  const skipLogs = await queryEvents(
    registry,
    registry.filters.ProofSkipped(null, null, policyId ?? null),
    range,
  );
  const hashes = new Map<string, number>();
  for (const e of [...data.events, ...skipLogs]) hashes.set(e.transactionHash, e.blockNumber);
  const interfaces = [
    registry.interface,
    contracts.policies.interface,
    contracts.marketBook.interface,
  ];
  for (const [hash, blockNumber] of [...hashes].sort((a, b) => a[1] - b[1])) {
    const submissions = await transactionSubmissions(registry, provider, { transactionHash: hash });
    if (!submissions.some((s) => s.batch !== undefined)) continue;
    const label = `batch block ${blockNumber} tx ${short(hash)} (${submissions.length} item(s))`;
    const outcomes = await batchItemOutcomes(
      registry,
      provider,
      { transactionHash: hash },
      submissions,
      interfaces,
    );
    const title = `${label}: every item is either accepted (MarginProved) or skipped (ProofSkipped), never both`;
    if (typeof outcomes === "string") {
      list.add("fail", title, outcomes);
      continue;
    }
    const batch: AuditedBatch = {
      blockNumber,
      transactionHash: hash,
      items: submissions.length,
      accepted: outcomes.filter((o) => o.accepted).map((o) => o.submission.batch!.index),
      skipped: outcomes.flatMap((o) => (o.skipped ? [o.skipped.index] : [])),
    };
    data.batches.push(batch);
    list.add("pass", title, `${batch.accepted.length} accepted, ${batch.skipped.length} skipped`);
    for (const o of outcomes) {
      const s = o.skipped;
      if (s === undefined || (policyId !== undefined && s.policyId !== policyId)) continue;
      data.skipped.push({ ...s, blockNumber, transactionHash: hash });
      list.add(
        "info",
        `${label}: item ${s.index} skipped, not accepted (${s.account}, policy ${short(s.policyId)})`,
        s.refusal,
      );
    }
  }
}

/**
 * Per account and policy: nonces strictly increase, and the registry's status at `atBlock` (the
 * block the events were read up to) is the latest event.
 */
async function auditStatuses(
  list: Checklist,
  registry: Contract,
  events: readonly MarginProvedEvent[],
  policies: Map<string, AuditedPolicy>,
  atBlock: number,
): Promise<AuditedPledge[]> {
  const pledges: AuditedPledge[] = [];
  const byPair = new Map<string, MarginProvedEvent[]>();
  for (const e of events) {
    const key = `${getAddress(e.account)} ${e.policyId.toLowerCase()}`;
    byPair.set(key, [...(byPair.get(key) ?? []), e]);
  }
  for (const [key, history] of byPair) {
    const [account, policyId] = key.split(" ");
    const label = `status of ${account} under policy ${short(policyId)}`;
    const increasing = history.every((e, i) => i === 0 || e.nonce > history[i - 1].nonce);
    list.expect(
      `${label}: nonces strictly increase over its ${history.length} event(s)`,
      increasing,
      history.map((e) => e.nonce).join(", "),
      `nonces ${history.map((e) => e.nonce).join(", ")}`,
    );
    const latest = history[history.length - 1];
    const status = await readStatus(registry, account, policyId, atBlock);
    list.expect(
      `${label}: the registry's status is the latest event`,
      status.nonce !== 0n && status.round === latest.round && status.nonce === latest.nonce,
      `round ${status.round}, nonce ${status.nonce}`,
      `status round ${status.round} nonce ${status.nonce}, latest event round ${latest.round} nonce ${latest.nonce}`,
    );
    const policy = policies.get(policyId);
    for (const p of status.pledges) {
      pledges.push({
        account,
        policyId,
        venue: policy?.venue ?? "unknown",
        custodian: p.custodian,
        registration: p.registration,
        active: p.active,
      });
    }
    if (status.pledges.length > 0) {
      list.add(
        "info",
        `${label}: ${status.pledges.length} pledge(s) at venue ${short(policy?.venue ?? "unknown")}`,
        status.pledges
          .map(
            (p, slot) =>
              `slot ${slot + 1}: custodian ${p.custodian} (registration ${p.registration}, ` +
              `${p.active ? "active" : "REMOVED"})`,
          )
          .join("; ") + (status.revoked ? "; REVOKED since the proof" : ""),
      );
    }
    if (policy) {
      const sufficient = await isMarginSufficient(
        registry,
        account,
        policyId,
        policy.maxRoundAge,
        atBlock,
      );
      list.add(
        "info",
        `${label}: isMarginSufficient(maxAge = ${policy.maxRoundAge} s) is ${sufficient} at block ${atBlock}`,
      );
    }
  }
  return pledges;
}

/** The current statuses' pledges grouped by custodian and venue: how many accounts each backs. */
function pledgesPerCustodianAndVenue(list: Checklist, pledges: readonly AuditedPledge[]): void {
  if (pledges.length === 0) return;
  const groups = new Map<string, AuditedPledge[]>();
  for (const p of pledges) {
    const key = `${p.custodian} ${p.venue}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  list.add(
    "info",
    `pledges per custodian and venue (${groups.size} pair(s))`,
    [...groups.values()]
      .map((group) => {
        const accounts = new Set(group.map((p) => p.account)).size;
        const removed = group.filter((p) => !p.active).length;
        return (
          `custodian ${group[0].custodian} at venue ${short(group[0].venue)}: ${group.length} ` +
          `pledge(s), ${accounts} account(s)${removed > 0 ? `, ${removed} from a removed registration` : ""}`
        );
      })
      .join("; "),
  );
}
