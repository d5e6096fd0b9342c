/**
 * The artifact manifest, `build/manifest.json`: per circuit instance, its parameters, the sha256
 * of every artifact (r1cs, wasm, zkey, verification key, generated verifier, ptau), the ptau's
 * power and source, and whether the keys come from a development setup or a ceremony.
 * {@link loadArtifacts} is how the prover and the auditor open artifacts: every hash is checked
 * and a mismatch is refused with an error naming the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../io/atomic-write";
import { canonicalJson } from "../io/canonical-json";
import { sha256File, sha256Hex } from "./hash";
import { withLock } from "./lock";
import { setupPaths, type SetupPaths } from "./paths";
import type { VerificationKey } from "./snarkjs";

export const MANIFEST_VERSION = 3;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase hex sha256");

/** A file listed in the manifest: path relative to the project root, and its sha256. */
const artifactSchema = z.object({ path: z.string().min(1), sha256: hex64 }).strict();
export type ArtifactRecord = z.infer<typeof artifactSchema>;

export const instanceParamsSchema = z
  .object({
    assets: z.number().int().positive(),
    perps: z.number().int().positive(),
    options: z.number().int().positive(),
    scenarios: z.number().int().positive(),
    tiers: z.number().int().positive(),
    groups: z.number().int().positive(),
    joint: z.union([z.literal(0), z.literal(1)]),
    pledges: z.number().int().positive(),
  })
  .strict();
export type InstanceParams = z.infer<typeof instanceParamsSchema>;

const ptauRecordSchema = artifactSchema
  .extend({
    power: z.number().int().min(1).max(28),
    source: z.enum(["development", "production"]),
    /** The published file name (production) or the cache name (development). */
    name: z.string().min(1),
  })
  .strict();
export type PtauRecord = z.infer<typeof ptauRecordSchema>;

/** The kinds of artifact checked by {@link loadArtifacts}. */
export const ARTIFACT_KINDS = [
  "r1cs",
  "wasm",
  "zkey",
  "vkey",
  "verifier",
  "generatedVerifier",
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const instanceEntrySchema = z
  .object({
    params: instanceParamsSchema,
    constraints: z.number().int().nonnegative(),
    nPublic: z.number().int().nonnegative(),
    kind: z.enum(["development", "ceremony"]),
    /** sha256 over the circuit sources the r1cs was compiled from (decides whether a rerun is needed). */
    sourceFingerprint: hex64,
    ptau: ptauRecordSchema,
    artifacts: z.object({
      r1cs: artifactSchema,
      wasm: artifactSchema,
      zkey: artifactSchema,
      vkey: artifactSchema,
      verifier: artifactSchema,
      generatedVerifier: artifactSchema,
      /** The ceremony transcript (kind "ceremony" only). */
      transcript: artifactSchema.optional(),
    }),
    /** {@link vkeyHash} of the verification key, 0x-prefixed: what a protocol records on-chain. */
    vkeyHash: z.string().regex(/^0x[0-9a-f]{64}$/),
    contract: z.string().min(1),
    createdAt: z.string().datetime(),
  })
  .strict();
export type InstanceEntry = z.infer<typeof instanceEntrySchema>;

const manifestSchema = z
  .object({ version: z.literal(MANIFEST_VERSION), instances: z.record(instanceEntrySchema) })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

/**
 * The bytes32 that identifies a verification key on-chain: sha256 of its canonical JSON (keys
 * sorted, no whitespace), 0x-prefixed. `build/keys/<instance>/verification_key.json` is written
 * in exactly that form, so `sha256sum verification_key.json` gives the same value.
 */
export function vkeyHash(vkey: VerificationKey | Record<string, unknown>): string {
  return `0x${sha256Hex(canonicalJson(vkey))}`;
}

/**
 * Reads and validates the manifest; an absent file, or one of an older manifest version (keys
 * of another circuit generation, which setup rebuilds), is an empty manifest.
 */
export function readManifest(paths: SetupPaths = setupPaths()): Manifest {
  const empty: Manifest = { version: MANIFEST_VERSION, instances: {} };
  if (!fs.existsSync(paths.manifest)) return empty;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(paths.manifest, "utf8"));
  } catch (error) {
    throw new Error(`${paths.manifest}: not valid JSON (${(error as Error).message})`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === "number" && version < MANIFEST_VERSION) return empty;
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${paths.manifest}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * This process's manifest writes, one after another: the lock refuses a second holder in the same
 * process, and two setups of different instances may finish together.
 */
let pendingManifestWrite: Promise<unknown> = Promise.resolve();

/** Sets (or replaces) one instance's entry, under a lock so concurrent setups do not lose entries. */
export async function writeManifestEntry(
  instance: string,
  entry: InstanceEntry,
  paths: SetupPaths = setupPaths(),
): Promise<void> {
  instanceEntrySchema.parse(entry);
  const write = pendingManifestWrite.then(() => writeLocked(instance, entry, paths));
  pendingManifestWrite = write.catch(() => undefined);
  await write;
}

/** The read-merge-write of {@link writeManifestEntry}, under the manifest's cross-process lock. */
async function writeLocked(instance: string, entry: InstanceEntry, paths: SetupPaths) {
  const lockOptions = { purpose: `writing ${instance} into the manifest`, waitMs: 10 * 60_000 };
  await withLock(
    paths.manifest,
    async () => {
      const manifest = readManifest(paths);
      manifest.instances[instance] = entry;
      const sorted = Object.fromEntries(
        Object.entries(manifest.instances).sort(([a], [b]) => a.localeCompare(b)),
      );
      writeFileAtomic(
        paths.manifest,
        `${JSON.stringify({ ...manifest, instances: sorted }, null, 2)}\n`,
      );
    },
    lockOptions,
  );
}

/** The manifest record of a file: its path relative to the root and its sha256. */
export async function recordArtifact(paths: SetupPaths, file: string): Promise<ArtifactRecord> {
  return {
    path: path.relative(paths.root, file).split(path.sep).join("/"),
    sha256: await sha256File(file),
  };
}

/** Thrown when an artifact is missing or its bytes differ from the manifest. */
export class ArtifactIntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "ArtifactIntegrityError";
  }
}

/** Checks one recorded file against its hash; returns its absolute path. */
export async function checkArtifact(paths: SetupPaths, record: ArtifactRecord): Promise<string> {
  const file = path.resolve(paths.root, record.path);
  if (!fs.existsSync(file))
    throw new ArtifactIntegrityError(file, "missing (listed in the manifest)");
  checkDigest(file, await sha256File(file), record);
  return file;
}

/** Refuses `file` when `actual`, the sha256 of its bytes as read, is not the manifest's. */
export function checkDigest(file: string, actual: string, record: ArtifactRecord): void {
  if (actual !== record.sha256) {
    throw new ArtifactIntegrityError(
      file,
      `sha256 ${actual} does not match the manifest (${record.sha256}); rebuild with \`zkmargin setup\` or restore the file`,
    );
  }
}

/** The checked artifacts of one instance. */
export interface LoadedArtifacts {
  instance: string;
  entry: InstanceEntry;
  r1cs: string;
  wasm: string;
  zkey: string;
  vkeyPath: string;
  vkey: VerificationKey;
  verifier: string;
  /** The ptau path, present when `checkPtau` was set. */
  ptau?: string;
}

/** Options of {@link loadArtifacts}. */
export interface LoadArtifactsOptions {
  /** Project root holding `build/manifest.json` (default: this checkout). */
  root?: string;
  /** Also check the ptau file (can be large; the auditor sets this). */
  checkPtau?: boolean;
  /**
   * Leave the zkey's hash to the caller, which checks the bytes it reads against
   * `entry.artifacts.zkey` itself before using them (the native prover: one read serves the hash
   * and the key); its path is still given.
   */
  zkeyCheckedByCaller?: boolean;
}

/**
 * Opens an instance's artifacts through the manifest, verifying the sha256 of the r1cs, wasm,
 * zkey (unless the caller checks it), verification key and both copies of the generated verifier
 * (and the ptau when asked). Throws {@link ArtifactIntegrityError} naming the first file that is
 * missing or differs.
 */
export async function loadArtifacts(
  instance: string,
  options: LoadArtifactsOptions = {},
): Promise<LoadedArtifacts> {
  const paths = setupPaths(options.root);
  const entry = readManifest(paths).instances[instance];
  if (!entry) {
    throw new Error(
      `${paths.manifest}: no entry for instance "${instance}"; run \`zkmargin setup --instance ${instance}\``,
    );
  }
  const checked = {} as Record<ArtifactKind, string>;
  for (const kind of ARTIFACT_KINDS) {
    checked[kind] =
      kind === "zkey" && options.zkeyCheckedByCaller === true
        ? path.resolve(paths.root, entry.artifacts.zkey.path)
        : await checkArtifact(paths, entry.artifacts[kind]);
  }
  if (entry.artifacts.transcript) await checkArtifact(paths, entry.artifacts.transcript);
  const vkey = JSON.parse(fs.readFileSync(checked.vkey, "utf8")) as VerificationKey;
  if (vkeyHash(vkey) !== entry.vkeyHash) {
    throw new ArtifactIntegrityError(
      checked.vkey,
      `canonical hash does not match the manifest's vkeyHash ${entry.vkeyHash}`,
    );
  }
  const ptau = options.checkPtau ? await checkArtifact(paths, entry.ptau) : undefined;
  return {
    instance,
    entry,
    r1cs: checked.r1cs,
    wasm: checked.wasm,
    zkey: checked.zkey,
    vkeyPath: checked.vkey,
    vkey,
    verifier: checked.verifier,
    ...(ptau ? { ptau } : {}),
  };
}
