/**
 * The development setup of one circuit instance: compile, ptau (cached dev ptau or a checked
 * production one), phase 2 with one random contribution, verification key, Solidity verifier and
 * manifest entry. DEVELOPMENT ONLY: whoever controls this machine could forge proofs. Production
 * keys come from `zkmargin ceremony`.
 *
 * A rerun with nothing changed (same sources, same ptau choice, every artifact matching the
 * manifest) does no work and returns status "unchanged".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readR1csHeader } from "./binfile";
import { compileWithCircom, instanceParams, sourceFingerprint, type CompileFn } from "./circuit";
import { exportKeys } from "./export-keys";
import {
  ARTIFACT_KINDS,
  checkArtifact,
  readManifest,
  recordArtifact,
  writeManifestEntry,
  type InstanceEntry,
} from "./manifest";
import { describeHolder, withLock } from "./lock";
import { contributeRandom, newZkey, phase2EstimateSeconds, tempSibling } from "./phase2";
import { instanceKeyPaths, setupPaths, type SetupPaths } from "./paths";
import { setupProgress, formatDuration, step, type ProgressListener } from "./progress";
import {
  checkProductionPtau,
  ensureDevPtau,
  linkIntoBuild,
  requiredPower,
  type PtauInfo,
} from "./ptau";

/** Printed on every run of the development setup. */
export const DEVELOPMENT_WARNING =
  "WARNING: these keys are for DEVELOPMENT ONLY (one local random contribution, no ceremony): " +
  "anyone with access to this machine during setup could forge proofs. Use `zkmargin ceremony` for production keys.";

/** Options of {@link setupInstance}. */
export interface SetupOptions {
  /** A production ptau (its published hash is checked); default: a cached development ptau. */
  ptau?: string;
  /** Redo everything even when nothing changed; also needed to replace ceremony keys. */
  force?: boolean;
  /**
   * Progress of long steps (compile, ptau, phase 2); default {@link setupProgress}: a bar on an
   * interactive terminal, else a line per step with a heartbeat on stderr.
   */
  onProgress?: ProgressListener;
  /** Plain messages (the development warning, the outcome); default: stderr. */
  log?: (message: string) => void;
  /** Project root (tests); default: this checkout. */
  root?: string;
  /** The compiler (tests); default: `compileInstance` from `prover/src/build/compile.ts`. */
  compile?: CompileFn;
  /**
   * Longest wait for another process that sets up the same instance (or builds the ptau it
   * needs); default {@link SETUP_LOCK_WAIT_MS}.
   */
  lockWaitMs?: number;
}

/**
 * How long a setup waits for another process that sets up the same instance: that process may be
 * building a ptau and phase 2 on a busy machine.
 */
export const SETUP_LOCK_WAIT_MS = 2 * 60 * 60_000;

/** What {@link setupInstance} did. */
export interface SetupResult {
  status: "created" | "unchanged";
  instance: string;
  entry: InstanceEntry;
}

const defaultLog = (message: string) => void process.stderr.write(`${message}\n`);

/** True when the manifest entry still describes the artifacts on disk for the requested setup. */
async function upToDate(
  paths: SetupPaths,
  entry: InstanceEntry | undefined,
  fingerprint: string,
  options: SetupOptions,
): Promise<boolean> {
  if (!entry || entry.kind !== "development" || entry.sourceFingerprint !== fingerprint)
    return false;
  if (options.ptau !== undefined) {
    // A production ptau is identified by its path here; its hash was checked when it was used.
    if (
      entry.ptau.source !== "production" ||
      path.resolve(options.ptau) !== path.resolve(paths.root, entry.ptau.path)
    ) {
      return false;
    }
  } else if (entry.ptau.source !== "development") {
    return false;
  }
  try {
    for (const kind of ARTIFACT_KINDS) await checkArtifact(paths, entry.artifacts[kind]);
    if (entry.ptau.source === "development") await checkArtifact(paths, entry.ptau);
  } catch {
    return false;
  }
  return true;
}

/** The dev ptau the previous setup used, when it is still in the build folder, intact and big enough. */
async function previousDevPtau(
  paths: SetupPaths,
  entry: InstanceEntry | undefined,
  power: number,
): Promise<PtauInfo | undefined> {
  if (!entry || entry.ptau.source !== "development" || entry.ptau.power < power) return undefined;
  try {
    const file = await checkArtifact(paths, entry.ptau);
    return {
      file,
      power: entry.ptau.power,
      source: "development",
      name: entry.ptau.name,
      sha256: entry.ptau.sha256,
    };
  } catch {
    return undefined;
  }
}

/**
 * Sets up development keys for `instance` (see the module comment). Concurrent runs for the same
 * instance are serialised by a lock; the manifest entry is written last, so an interrupted run is
 * redone on the next call.
 */
export async function setupInstance(
  instance: string,
  options: SetupOptions = {},
): Promise<SetupResult> {
  const paths = setupPaths(options.root);
  const log = options.log ?? defaultLog;
  const progress = options.onProgress ?? setupProgress();
  const compile = options.compile ?? compileWithCircom;
  log(DEVELOPMENT_WARNING);
  const params = instanceParams(paths, instance);
  const keys = instanceKeyPaths(paths, instance);

  return withLock(
    keys.dir,
    async () => {
      const fingerprint = await sourceFingerprint(paths, instance);
      const previous = readManifest(paths).instances[instance];
      if (previous?.kind === "ceremony" && !options.force) {
        throw new Error(
          `${paths.manifest}: instance "${instance}" has ceremony keys; refusing to replace them with development keys (use --force)`,
        );
      }
      if (!options.force && (await upToDate(paths, previous, fingerprint, options))) {
        log(
          `${instance}: development keys up to date (${path.relative(paths.root, keys.dir)}), nothing to do`,
        );
        return { status: "unchanged", instance, entry: previous as InstanceEntry };
      }

      const compiled = await step(progress, `compile ${instance}`, undefined, async () =>
        compile(instance),
      );
      const { nConstraints, nPublic } = await readR1csHeader(compiled.r1cs);
      const power = requiredPower(nConstraints, nPublic);

      let ptau: PtauInfo;
      if (options.ptau !== undefined) {
        const file = options.ptau;
        ptau = await step(progress, `check ${path.basename(file)}`, undefined, () =>
          checkProductionPtau(file, power),
        );
      } else {
        const reused = options.force ? undefined : await previousDevPtau(paths, previous, power);
        const cached =
          reused ??
          (await ensureDevPtau(power, {
            onGenerate: (p, estimate, generator) =>
              log(
                generator === "native"
                  ? `generating a development ptau of power ${p} natively, from one secret drawn and wiped in memory ` +
                      `(no contribution transcript; cached for this machine; about ${formatDuration(estimate)} on 2 cores)`
                  : `generating a development ptau of power ${p} (cached for this machine; about ${formatDuration(estimate)} on 2 cores)`,
              ),
            onWait: (holder, waited) =>
              log(
                `waiting for ${describeHolder(holder)}, which generates the same ptau (${formatDuration(waited / 1000)} so far)`,
              ),
            progress,
            ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
          }));
        ptau = { ...cached, file: linkIntoBuild(cached, paths.ptauDir) };
      }

      const zkeyInit = tempSibling(keys.zkey);
      try {
        await step(
          progress,
          `phase 2 for ${instance} (2^${power})`,
          2 * phase2EstimateSeconds(ptau.power),
          async (detail) => {
            await newZkey(compiled.r1cs, ptau.file, zkeyInit, (m) => detail(`new zkey: ${m}`));
            await contributeRandom(zkeyInit, keys.zkey, "zkmargin development", (m) =>
              detail(`contribution: ${m}`),
            );
          },
        );
      } finally {
        fs.rmSync(zkeyInit, { force: true });
      }
      const exported = await step(progress, "export verification key and verifier", undefined, () =>
        exportKeys(keys.zkey, instance, "development", paths),
      );

      const entry: InstanceEntry = {
        params,
        constraints: nConstraints,
        nPublic,
        kind: "development",
        sourceFingerprint: fingerprint,
        ptau: {
          ...(await recordArtifact(paths, ptau.file)),
          power: ptau.power,
          source: ptau.source,
          name: ptau.name,
        },
        artifacts: {
          r1cs: await recordArtifact(paths, compiled.r1cs),
          wasm: await recordArtifact(paths, compiled.wasm),
          zkey: await recordArtifact(paths, keys.zkey),
          vkey: await recordArtifact(paths, exported.vkeyPath),
          verifier: await recordArtifact(paths, exported.verifierPath),
          generatedVerifier: await recordArtifact(paths, exported.generatedVerifierPath),
        },
        vkeyHash: exported.vkeyHash,
        contract: exported.contract,
        createdAt: new Date().toISOString(),
      };
      await writeManifestEntry(instance, entry, paths);
      log(
        `${instance}: development keys written to ${path.relative(paths.root, keys.dir)} (vkeyHash ${exported.vkeyHash})`,
      );
      return { status: "created", instance, entry };
    },
    {
      purpose: `setting up ${instance}`,
      waitMs: options.lockWaitMs ?? SETUP_LOCK_WAIT_MS,
      onWait: (holder, waited) =>
        log(
          `waiting for ${describeHolder(holder)}, which sets up ${instance} (${formatDuration(waited / 1000)} so far)`,
        ),
    },
  );
}
