/**
 * Powers of tau: the size a circuit needs, the published hashes of the Hermez/Polygon
 * `powersOfTau28_hez_final_NN.ptau` files (checked before a production ptau is used), and a
 * locally generated development ptau cached per machine.
 *
 * A development ptau comes from one secret on this machine: whoever ran it knows nothing more than
 * anyone else only if the machine was honest. It is for development and tests only. Where the
 * native addon is built, it is computed natively (`dev-potNN-native.ptau`: tau, alpha and beta
 * from the OS CSPRNG, wiped in memory, never written; no contribution transcript, and seconds
 * where snarkjs takes hours at power 19); elsewhere snarkjs makes it with one recorded random
 * contribution (`dev-potNN.ptau`). Both are snarkjs's format, prepared for phase 2.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { nativeAddon } from "../native/addon";
import { readPtauHeader } from "./binfile";
import { fileDigest, sha256File } from "./hash";
import { withLock, type LockHolder } from "./lock";
import { ptauCacheDir } from "./paths";
import { step, type ProgressListener } from "./progress";
import {
  devPtauName,
  devPtauTempStem,
  removeOrphanTemps,
  removeTempsOf,
  type DevPtauGenerator,
} from "./ptau-cache";
import { bn128, capturingLogger, snarkjs } from "./snarkjs";

export { devPtauName, type DevPtauGenerator } from "./ptau-cache";

/** Largest power a bn128 ptau can have (the scalar field's 2-adicity is 28). */
export const MAX_POWER = 28;
/** Smallest power we generate for development (the published files also start at 8). */
export const MIN_DEV_POWER = 8;

/**
 * blake2b-512 of each published prepared ptau, by power, as listed in snarkjs's README ("Prepared
 * (phase2) Ptau files for bn128 with 54 contributions and a beacon"). Power 28 is the full file
 * `powersOfTau28_hez_final.ptau`; the others are `powersOfTau28_hez_final_NN.ptau`.
 */
export const PUBLISHED_PTAU_BLAKE2B: Readonly<Record<number, string>> = {
  8: "d6a8fb3a04feb600096c3b791f936a578c4e664d262e4aa24beed1b7a9a96aa5eb72864d628db247e9293384b74b36ffb52ca8d148d6e1b8b51e279fdf57b583",
  9: "94f108a80e81b5d932d8e8c9e8fd7f46cf32457e31462deeeef37af1b71c2c1b3c71fb0d9b59c654ec266b042735f50311f9fd1d4cadce47ab234ad163157cb5",
  10: "6cfeb8cda92453099d20120bdd0e8a5c4e7706c2da9a8f09ccc157ed2464d921fd0437fb70db42104769efd7d6f3c1f964bcf448c455eab6f6c7d863e88a5849",
  11: "47c282116b892e5ac92ca238578006e31a47e7c7e70f0baa8b687f0a5203e28ea07bbbec765a98dcd654bad618475d4661bfaec3bd9ad2ed12e7abc251d94d33",
  12: "ded2694169b7b08e898f736d5de95af87c3f1a64594013351b1a796dbee393bd825f88f9468c84505ddd11eb0b1465ac9b43b9064aa8ec97f2b73e04758b8a4a",
  13: "58efc8bf2834d04768a3d7ffcd8e1e23d461561729beaac4e3e7a47829a1c9066d5320241e124a1a8e8aa6c75be0ba66f65bc8239a0542ed38e11276f6fdb4d9",
  14: "eeefbcf7c3803b523c94112023c7ff89558f9b8e0cf5d6cdcba3ade60f168af4a181c9c21774b94fbae6c90411995f7d854d02ebd93fb66043dbb06f17a831c1",
  15: "982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e",
  16: "6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125",
  17: "6247a3433948b35fbfae414fa5a9355bfb45f56efa7ab4929e669264a0258976741dfbe3288bfb49828e5df02c2e633df38d2245e30162ae7e3bcca5b8b49345",
  18: "7e6a9c2e5f05179ddfc923f38f917c9e6831d16922a902b0b4758b8e79c2ab8a81bb5f29952e16ee6c5067ed044d7857b5de120a90704c1d3b637fd94b95b13e",
  19: "bca9d8b04242f175189872c42ceaa21e2951e0f0f272a0cc54fc37193ff6648600eaf1c555c70cdedfaf9fb74927de7aa1d33dc1e2a7f1a50619484989da0887",
  20: "89a66eb5590a1c94e3f1ee0e72acf49b1669e050bb5f93c73b066b564dca4e0c7556a52b323178269d64af325d8fdddb33da3a27c34409b821de82aa2bf1a27b",
  21: "9aef0573cef4ded9c4a75f148709056bf989f80dad96876aadeb6f1c6d062391f07a394a9e756d16f7eb233198d5b69407cca44594c763ab4a5b67ae73254678",
  22: "0d64f63dba1a6f11139df765cb690da69d9b2f469a1ddd0de5e4aa628abb28f787f04c6a5fb84a235ec5ea7f41d0548746653ecab0559add658a83502d1cb21b",
  23: "3063a0bd81d68711197c8820a92466d51aeac93e915f5136d74f63c394ee6d88c5e8016231ea6580bec02e25d491f319d92e77f5c7f46a9caa8f3b53c0ea544f",
  24: "fa404d140d5819d39984833ca5ec3632cd4995f81e82db402371a4de7c2eae8687c62bc632a95b0c6aadba3fb02680a94e09174b7233ccd26d78baca2647c733",
  25: "0377d860cdb09a8a31ea1b0b8c04335614c8206357181573bf294c25d5ca7dff72387224fbd868897e6769f7805b3dab02854aec6d69d7492883b5e4e5f35eeb",
  26: "418dee4a74b9592198bd8fd02ad1aea76f9cf3085f206dfd7d594c9e264ae919611b1459a1cc920c2f143417744ba9edd7b8d51e44be9452344a225ff7eead19",
  27: "10ffd99837c512ef99752436a54b9810d1ac8878d368fb4b806267bdd664b4abf276c9cd3c4b9039a1fa4315a0c326c0e8e9e8fe0eb588ffd4f9021bf7eae1a1",
  28: "55c77ce8562366c91e7cda394cf7b7c15a06c12d8c905e8b36ba9cf5e13eb37d1a429c589e8eaba4c591bc4b88a0e2828745a53e170eac300236f5c1a326f41a",
};

/** The published file name for a power (for messages). */
export function publishedPtauName(power: number): string {
  return power === 28
    ? "powersOfTau28_hez_final.ptau"
    : `powersOfTau28_hez_final_${String(power).padStart(2, "0")}.ptau`;
}

/**
 * The smallest ptau power that fits a circuit. snarkjs 0.7.6 `zKey.newZKey` uses the domain
 * `2^cirPower` with `cirPower = floor(log2(nConstraints + nPublic)) + 1`, where nPublic counts
 * public inputs and outputs, and refuses a ptau whose power is below cirPower; that is, it needs
 * `2^power > nConstraints + nPublic`. The result is at least {@link MIN_DEV_POWER}.
 */
export function requiredPower(nConstraints: number, nPublic: number): number {
  if (
    !Number.isSafeInteger(nConstraints) ||
    nConstraints < 0 ||
    !Number.isSafeInteger(nPublic) ||
    nPublic < 0
  ) {
    throw new RangeError(
      `requiredPower: counts must be non-negative integers (${nConstraints}, ${nPublic})`,
    );
  }
  const rows = nConstraints + nPublic;
  let power = MIN_DEV_POWER;
  while (2 ** power <= rows) power += 1;
  if (power > MAX_POWER) {
    throw new RangeError(
      `a circuit with ${nConstraints} constraints needs 2^${power} > 2^${MAX_POWER} (the bn128 limit)`,
    );
  }
  return power;
}

/** A ptau chosen for a setup, as recorded in the manifest. */
export interface PtauInfo {
  file: string;
  power: number;
  source: "development" | "production";
  /** The published file name for production; `dev-potNN.ptau` for development. */
  name: string;
  sha256: string;
}

/**
 * Checks a production ptau given by path: its power must be one we know a published hash for, its
 * blake2b-512 must equal that hash, it must be prepared for phase 2, and it must fit `neededPower`.
 * Throws an error naming the file otherwise.
 */
export async function checkProductionPtau(file: string, neededPower: number): Promise<PtauInfo> {
  if (!fs.existsSync(file)) throw new Error(`${file}: ptau file not found`);
  const header = await readPtauHeader(file);
  const expected = PUBLISHED_PTAU_BLAKE2B[header.power];
  if (expected === undefined) {
    throw new Error(
      `${file}: refused, power ${header.power} has no published hash (known powers: 8..28, the Hermez files)`,
    );
  }
  const actual = await fileDigest(file, "blake2b512");
  if (actual !== expected) {
    throw new Error(
      `${file}: refused, blake2b-512 ${actual.slice(0, 16)}... does not match the published hash of ` +
        `${publishedPtauName(header.power)} (${expected.slice(0, 16)}...)`,
    );
  }
  if (!header.prepared) throw new Error(`${file}: refused, not prepared for phase 2`);
  if (header.power < neededPower) {
    throw new Error(
      `${file}: refused, power ${header.power} is too small for this circuit (needs ${neededPower})`,
    );
  }
  return {
    file,
    power: header.power,
    source: "production",
    name: publishedPtauName(header.power),
    sha256: await sha256File(file),
  };
}

/**
 * Honest wall-clock estimate, in seconds, for generating a development ptau on 2 cores. snarkjs
 * 0.7.6 (new accumulator, one contribution, phase-2 preparation): measured about 2 minutes at
 * power 13 and 18 minutes at power 16, so time grows about 2.1x per power. Native (generation
 * and pairing check, measured on the shared machine at load average 7 to 9): 5.6 s at power 14,
 * 24 s at power 16, so also about 2.1x per power (power 19: 7.7 min at load average 10 to 12).
 */
export function devPtauEstimateSeconds(
  power: number,
  generator: DevPtauGenerator = "snarkjs",
): number {
  if (generator === "native") return Math.max(1, Math.round(5.6 * 2 ** ((power - 14) * 1.07)));
  return Math.round(120 * 2 ** ((power - 13) * 1.057));
}

/**
 * How long to wait for another process that builds the same development ptau: ten times the
 * estimate (a machine shared with other work was measured five times slower), and at least 30
 * minutes.
 */
export function devPtauWaitMs(power: number): number {
  return Math.max(30 * 60_000, 10 * devPtauEstimateSeconds(power) * 1000);
}

/** Options of {@link ensureDevPtau}. */
export interface DevPtauOptions {
  cacheDir?: string;
  /**
   * What generates a missing ptau; default native where the addon is loaded, else snarkjs.
   * Either kind already cached is used.
   */
  generator?: DevPtauGenerator;
  /** Called when a new ptau must be generated, before the work starts. */
  onGenerate?: (power: number, estimateSeconds: number, generator: DevPtauGenerator) => void;
  /** Called when another process is generating the same file, then every 30 s while we wait. */
  onWait?: (holder: LockHolder | undefined, waitedMs: number) => void;
  /** Progress of the generation (one step, with what snarkjs is doing); default none. */
  progress?: ProgressListener;
  /** Longest wait for another process generating the same file; default {@link devPtauWaitMs}. */
  waitMs?: number;
}

/** A development ptau in the cache. */
export interface CachedDevPtau {
  power: number;
  generator: DevPtauGenerator;
  name: string;
}

/**
 * The development ptau files present in the cache, by power; at one power, snarkjs's (which
 * records its contribution) before the native one.
 */
export function cachedDevPtaus(cacheDir: string = ptauCacheDir()): CachedDevPtau[] {
  if (!fs.existsSync(cacheDir)) return [];
  return fs
    .readdirSync(cacheDir)
    .map((name) => /^dev-pot(\d{2})(-native)?\.ptau$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      power: Number(m[1]),
      generator: (m[2] ? "native" : "snarkjs") as DevPtauGenerator,
      name: m[0],
    }))
    .sort((a, b) => a.power - b.power || (a.generator === "snarkjs" ? -1 : 1));
}

/** Powers of the development ptau files present in the cache. */
export function cachedDevPowers(cacheDir: string = ptauCacheDir()): number[] {
  return [...new Set(cachedDevPtaus(cacheDir).map((c) => c.power))];
}

/** The generator used for a new development ptau when none is asked for. */
export function defaultDevPtauGenerator(): DevPtauGenerator {
  return nativeAddon().addon ? "native" : "snarkjs";
}

/**
 * A development ptau of at least `minPower` from the per-machine cache: the smallest cached one
 * that fits, else a new one of exactly `minPower`, generated under a lock and moved into place
 * only when complete. Temporary files that interrupted builds left in the cache are removed first.
 */
export async function ensureDevPtau(
  minPower: number,
  options: DevPtauOptions = {},
): Promise<PtauInfo> {
  const cacheDir = options.cacheDir ?? ptauCacheDir();
  await removeOrphanTemps(cacheDir);
  const fitting = cachedDevPtaus(cacheDir).find((c) => c.power >= minPower);
  const generator = fitting?.generator ?? options.generator ?? defaultDevPtauGenerator();
  const power = fitting?.power ?? minPower;
  const name = devPtauName(power, generator);
  const file = path.join(cacheDir, name);
  if (!fs.existsSync(file)) {
    await withLock(
      file,
      async () => {
        if (fs.existsSync(file)) return; // another process finished it while we waited
        removeTempsOf(file); // we hold the lock: any left are an interrupted build's
        const estimate = devPtauEstimateSeconds(power, generator);
        options.onGenerate?.(power, estimate, generator);
        await step(
          options.progress ?? (() => undefined),
          `development ptau 2^${power}${generator === "native" ? " (native)" : ""}`,
          estimate,
          (detail) =>
            generator === "native"
              ? generateNativeDevPtau(power, file, detail)
              : generateDevPtau(power, file, detail),
        );
      },
      {
        purpose: `generating ${name}`,
        waitMs: options.waitMs ?? devPtauWaitMs(power),
        onWait: options.onWait,
      },
    );
  }
  return { file, power, source: "development", name, sha256: await sha256File(file) };
}

/**
 * Generates a prepared development ptau natively (native/src/ptau.cpp), atomically at `file`:
 * written to a temporary sibling, checked (its sections against each other, with pairings), then
 * moved into place.
 */
async function generateNativeDevPtau(
  power: number,
  file: string,
  detail: (message: string) => void,
): Promise<void> {
  const addon = nativeAddon().addon;
  if (addon === undefined) throw new Error("the native addon is not loaded");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${devPtauTempStem(file)}.0.tmp`;
  try {
    detail("powers of tau (native)");
    await addon.generateDevPtau(power, temp);
    detail("pairing check");
    await addon.checkPtau(temp);
    fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Generates a prepared development ptau with one random contribution, atomically at `file`;
 * `detail` hears what snarkjs is doing. Its temporary files carry this process's pid, so a later
 * run can tell an interrupted build's files from a running one's.
 */
async function generateDevPtau(
  power: number,
  file: string,
  detail: (message: string) => void,
): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stem = devPtauTempStem(file);
  const fresh = `${stem}.0.tmp`;
  const contributed = `${stem}.1.tmp`;
  const prepared = `${stem}.2.tmp`;
  const stage = (name: string) => capturingLogger((message) => detail(`${name}: ${message}`));
  try {
    detail("new accumulator");
    await snarkjs.powersOfTau.newAccumulator(await bn128(), power, fresh, stage("new accumulator"));
    detail("contribution");
    await snarkjs.powersOfTau.contribute(
      fresh,
      contributed,
      "zkmargin development",
      randomBytes(64).toString("hex"),
      stage("contribution"),
    );
    fs.rmSync(fresh, { force: true });
    detail("phase-2 preparation");
    await snarkjs.powersOfTau.preparePhase2(contributed, prepared, stage("phase-2 preparation"));
    fs.renameSync(prepared, file);
  } finally {
    for (const temp of [fresh, contributed, prepared]) fs.rmSync(temp, { force: true });
  }
}

/**
 * Puts `ptau.file` under `buildPtauDir` (a hard link when on the same file system, else a copy
 * written atomically) and returns the in-build path.
 */
export function linkIntoBuild(ptau: PtauInfo, buildPtauDir: string): string {
  const target = path.join(buildPtauDir, ptau.name);
  if (path.resolve(target) === path.resolve(ptau.file)) return target;
  fs.mkdirSync(buildPtauDir, { recursive: true });
  const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    fs.linkSync(ptau.file, temp);
  } catch {
    fs.copyFileSync(ptau.file, temp);
  }
  fs.renameSync(temp, target);
  // rename(2) does nothing when both names are already links to one file (a second set-up with
  // the same cached ptau): the temporary name is then still there, and is removed.
  fs.rmSync(temp, { force: true });
  return target;
}
