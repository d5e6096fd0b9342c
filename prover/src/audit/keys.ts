/**
 * `audit keys`: are an instance's keys what the manifest says, and do they belong together? Every
 * artifact's sha256 against the manifest; the circuit sources against the fingerprint the r1cs was
 * built from; the ptau (for a production ptau its published hash, for a development one its
 * sections against each other where the native addon is built); the zkey verified against
 * the r1cs and the ptau; the verification key and both Solidity verifiers re-exported from the
 * zkey and compared byte for byte; the setup kind, with development keys flagged loudly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { publicSignalNames } from "../inspect/signals";
import { nativeAddon } from "../native/addon";
import { readPtauHeader, readR1csHeader } from "../setup/binfile";
import { sourceFingerprint } from "../setup/circuit";
import { readTranscript } from "../setup/ceremony";
import { renderVerifier } from "../setup/export-keys";
import { sha256File } from "../setup/hash";
import {
  ARTIFACT_KINDS,
  checkArtifact,
  readManifest,
  vkeyHash,
  type ArtifactKind,
  type InstanceEntry,
} from "../setup/manifest";
import { setupPaths, verifierContractName, type SetupPaths } from "../setup/paths";
import { checkProductionPtau, requiredPower } from "../setup/ptau";
import { snarkjs, type VerificationKey } from "../setup/snarkjs";
import { Checklist, noteDevelopmentSetup, type AuditResult } from "./checklist";
import { verifyZkey, type HashedFile } from "./zkey";

/** Options of {@link auditKeys}. */
export interface KeysAuditOptions {
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
  /** The ptau to verify the zkey with (default: the one the manifest lists); must be the same file. */
  ptau?: string;
  /** Fail, rather than warn, on development keys or a development ptau. */
  requireProduction?: boolean;
}

/** What a keys audit established. */
export interface KeysAuditData {
  instance: string;
  kind?: InstanceEntry["kind"];
  /** The verification-key hash a protocol records on-chain (re-derived from the zkey when it verified). */
  vkeyHash?: string;
  contract?: string;
  constraints?: number;
  ptau?: { name: string; source: "development" | "production"; power: number };
  /** The zkey's phase-2 contributions as snarkjs reports them. */
  contributions?: { name: string; hash: string; beacon: boolean }[];
}

const LABEL: Record<ArtifactKind | "transcript", string> = {
  r1cs: "constraint system (r1cs)",
  wasm: "witness generator (wasm)",
  zkey: "proving key (zkey)",
  vkey: "verification key",
  verifier: "Solidity verifier (keys folder)",
  generatedVerifier: "Solidity verifier (verifier-contracts/contracts/generated)",
  transcript: "ceremony transcript",
};

const rel = (paths: SetupPaths, file: string) => path.relative(paths.root, file) || file;

/** Audits the keys of `instance`; see the module comment. Never throws for a failed check. */
export async function auditKeys(
  instance: string,
  options: KeysAuditOptions = {},
): Promise<AuditResult<KeysAuditData>> {
  const paths = setupPaths(options.root);
  const list = new Checklist();
  const data: KeysAuditData = { instance };
  const subject = `instance "${instance}" (${paths.manifest})`;

  const entry = await list.attempt(
    "the manifest lists the instance",
    () => {
      const found = readManifest(paths).instances[instance];
      if (!found) throw new Error(`${paths.manifest}: no entry for instance "${instance}"`);
      return found;
    },
    (e) => `${e.kind} keys, ${e.constraints} constraints, created ${e.createdAt}`,
  );
  if (!entry) return list.result("keys", subject, data);
  Object.assign(data, {
    kind: entry.kind,
    contract: entry.contract,
    constraints: entry.constraints,
    ptau: { name: entry.ptau.name, source: entry.ptau.source, power: entry.ptau.power },
  });

  // Setup kind first: it decides how much every other line is worth.
  noteDevelopmentSetup(list, instance, entry);
  if (entry.kind === "development") {
    list.add(
      options.requireProduction ? "fail" : "warn",
      "setup kind: DEVELOPMENT KEYS, NOT FOR PRODUCTION",
      "one local random contribution and no ceremony: whoever controlled the setup machine can forge proofs",
    );
  } else {
    list.add(
      "pass",
      "setup kind: multi-party ceremony",
      "check its transcript with `zkmargin audit ceremony`",
    );
  }

  // Every file against the manifest.
  const intact = {} as Partial<Record<ArtifactKind, HashedFile>>;
  const records = [
    ...ARTIFACT_KINDS.map((kind) => [kind, entry.artifacts[kind]] as const),
    ...(entry.artifacts.transcript ? [["transcript", entry.artifacts.transcript] as const] : []),
  ];
  for (const [kind, record] of records) {
    const file = await list.attempt(
      `${LABEL[kind]}: sha256 matches the manifest`,
      () => checkArtifact(paths, record),
      (f) => `${rel(paths, f)} ${record.sha256}`,
    );
    if (file !== undefined && kind !== "transcript") intact[kind] = { file, sha256: record.sha256 };
  }

  await list.attempt(
    "circuit sources unchanged since the r1cs was compiled (source fingerprint)",
    async () => {
      const now = await sourceFingerprint(paths, instance);
      if (now !== entry.sourceFingerprint) {
        throw new Error(
          `circuits/, circuits/instances.json or the circomlib/circom2 versions changed: fingerprint ${now.slice(0, 16)}... ` +
            `is not the manifest's ${entry.sourceFingerprint.slice(0, 16)}...; these keys are for other sources`,
        );
      }
      return now;
    },
    (f) => f,
  );

  if (intact.r1cs) {
    const r1cs = intact.r1cs.file;
    // One portfolio commitment per pledge slot of the instance.
    const names = publicSignalNames(entry.params.pledges);
    await list.attempt(
      `the r1cs has the manifest's constraint count and ${names.length} public inputs`,
      async () => {
        const header = await readR1csHeader(r1cs);
        if (header.nConstraints !== entry.constraints || header.nPublic !== entry.nPublic) {
          throw new Error(
            `${r1cs}: ${header.nConstraints} constraints and ${header.nPublic} public signals, manifest says ${entry.constraints} and ${entry.nPublic}`,
          );
        }
        if (header.nPublic !== names.length) {
          throw new Error(
            `${r1cs}: ${header.nPublic} public signals, the protocol has ${names.length} for ${entry.params.pledges} pledge slot(s)`,
          );
        }
        return header;
      },
      (h) => `${h.nConstraints} constraints, public [${names.join(", ")}]`,
    );
  }

  const ptau = await auditPtau(list, paths, entry, options);
  const zkeyReady = intact.r1cs && intact.zkey && ptau;
  let report: Awaited<ReturnType<typeof verifyZkey>> | undefined;
  const zkeyTitle =
    "the zkey is a valid proving key of the r1cs over the ptau (snarkjs zkey verify)";
  if (zkeyReady) {
    report = await list.attempt(
      zkeyTitle,
      () => verifyZkey(intact.r1cs as HashedFile, ptau, intact.zkey as HashedFile),
      (r) =>
        `circuit hash ${r.circuitHash.slice(0, 16)}..., ${r.contributions.length} phase-2 contribution(s)`,
    );
  } else {
    list.skip(zkeyTitle, "the r1cs, the zkey or the ptau is not the manifest's");
  }
  if (report) {
    data.contributions = report.contributions.map((c) => ({
      name: c.name,
      hash: c.hash,
      beacon: c.beacon !== undefined,
    }));
    if (entry.kind === "ceremony" && entry.artifacts.transcript) {
      const transcriptFile = path.resolve(paths.root, entry.artifacts.transcript.path);
      await list.attempt(
        "the zkey's contributions are exactly the ceremony transcript's",
        () => {
          const transcript = readTranscript(path.dirname(transcriptFile));
          const expected = transcript.contributions.map((c) => c.contributionHash).join();
          if (report?.contributions.map((c) => c.hash).join() !== expected) {
            throw new Error(`${transcriptFile}: lists other contributions than the zkey carries`);
          }
          return transcript.contributions.length;
        },
        (n) =>
          `${n} contribution(s), last one a beacon: ${report?.contributions.at(-1)?.beacon !== undefined}`,
      );
    }
  }

  // Re-export from the (verified) zkey and compare.
  const exportTitle = "the verification key equals a fresh export from the zkey";
  if (!intact.zkey) {
    list.skip(exportTitle, "the zkey is not the manifest's");
    return list.result("keys", subject, data);
  }
  const zkey = intact.zkey.file;
  const exported = await list.attempt(
    exportTitle,
    async () => {
      const fresh = await snarkjs.zKey.exportVerificationKey(zkey);
      const vkeyFile = path.resolve(paths.root, entry.artifacts.vkey.path);
      let onDisk: VerificationKey;
      try {
        onDisk = JSON.parse(fs.readFileSync(vkeyFile, "utf8")) as VerificationKey;
      } catch (error) {
        throw new Error(`${vkeyFile}: unreadable verification key (${(error as Error).message})`);
      }
      if (vkeyHash(onDisk) !== vkeyHash(fresh)) {
        throw new Error(`${vkeyFile}: differs from the verification key exported from ${zkey}`);
      }
      return fresh;
    },
    (v) => `nPublic ${v.nPublic}, curve ${v.curve}`,
  );
  if (!exported) {
    list.skip(
      "the manifest's vkeyHash is the hash of the zkey's verification key",
      "no verification key to hash",
    );
    list.skip("the Solidity verifiers equal a fresh export from the zkey", "no verification key");
    return list.result("keys", subject, data);
  }
  const hash = vkeyHash(exported);
  if (
    list.expect(
      "the manifest's vkeyHash is the hash of the zkey's verification key (what PolicyRegistry records)",
      hash === entry.vkeyHash,
      hash,
      `the zkey's key hashes to ${hash}, the manifest says ${entry.vkeyHash}`,
    )
  ) {
    data.vkeyHash = hash;
  }
  list.expect(
    "the manifest's contract name is the instance's",
    entry.contract === verifierContractName(instance),
    entry.contract,
    `manifest says ${entry.contract}, expected ${verifierContractName(instance)}`,
  );
  const solidity = await list.attempt(
    "a fresh Solidity export from the zkey renders",
    () => renderVerifier(zkey, instance, entry.kind, hash),
    (s) => `${s.length} bytes, contract ${verifierContractName(instance)}`,
  );
  for (const kind of ["verifier", "generatedVerifier"] as const) {
    const file = path.resolve(paths.root, entry.artifacts[kind].path);
    const title = `${LABEL[kind]} equals a fresh export from the zkey`;
    if (solidity === undefined || !fs.existsSync(file)) {
      list.skip(title, solidity === undefined ? "no fresh export" : `${file} is missing`);
      continue;
    }
    list.expect(
      title,
      fs.readFileSync(file, "utf8") === solidity,
      rel(paths, file),
      `${file}: differs from the verifier snarkjs exports from ${zkey} (edited or for another key)`,
    );
  }
  return list.result("keys", subject, data);
}

/**
 * Checks the ptau: the manifest's file (or `options.ptau`, which must be byte-identical), and for
 * a production ptau its published blake2b hash. Returns it when it can be used to verify the zkey.
 */
async function auditPtau(
  list: Checklist,
  paths: SetupPaths,
  entry: InstanceEntry,
  options: KeysAuditOptions,
): Promise<HashedFile | undefined> {
  const record = entry.ptau;
  const file = await list.attempt(
    `ptau ${record.name}: sha256 matches the manifest`,
    async () => {
      if (options.ptau === undefined) return checkArtifact(paths, record);
      const given = path.resolve(options.ptau);
      if (!fs.existsSync(given)) throw new Error(`${given}: ptau file not found`);
      const actual = await sha256File(given);
      if (actual !== record.sha256) {
        throw new Error(
          `${given}: sha256 ${actual} is not the manifest's ptau (${record.sha256}, ${record.name})`,
        );
      }
      return given;
    },
    (f) => `${rel(paths, f)}, power ${record.power}, ${record.source}`,
  );
  if (file === undefined) return undefined;
  if (record.source === "production") {
    const ok = await list.attempt(
      `ptau is the published ${record.name} (blake2b-512 of the Hermez/PPoT file)`,
      () => checkProductionPtau(file, requiredPower(entry.constraints, entry.nPublic)),
      (p) => `power ${p.power}, prepared for phase 2`,
    );
    if (ok === undefined) return undefined;
  } else {
    const native = (await readPtauHeader(file)).contributions === 0;
    list.add(
      options.requireProduction ? "fail" : "warn",
      "ptau: DEVELOPMENT powers of tau, NOT FOR PRODUCTION",
      native
        ? "computed natively from one local secret (drawn and wiped in memory, never written): it has no " +
            "contribution transcript, so `snarkjs powersoftau verify` refuses it by design; use a published ptau for production keys"
        : "phase 1 has a single local contributor; use a published ptau for production keys",
    );
    await checkPtauSections(list, file);
  }
  return { file, sha256: record.sha256 };
}

/**
 * The development ptau's sections checked against each other (native pairing checks: one tau,
 * alpha and beta throughout, the phase-2 sections their Lagrange form), where the addon is built;
 * an INFO line otherwise.
 */
async function checkPtauSections(list: Checklist, file: string): Promise<void> {
  const title =
    "ptau: its powers are of one tau, alpha and beta and its phase-2 sections their Lagrange form (pairing checks)";
  const status = nativeAddon();
  if (status.addon === undefined) {
    list.add("info", title, `not checked: the native addon is not available (${status.reason})`);
    return;
  }
  const addon = status.addon;
  await list.attempt(
    title,
    () => addon.checkPtau(file),
    (r) => `power ${r.power}, ${r.contributions} contribution(s) recorded`,
  );
}
