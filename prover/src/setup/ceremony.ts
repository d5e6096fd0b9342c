/**
 * A multi-party phase-2 ceremony for one circuit instance, kept in a folder the user chooses:
 *
 *   transcript.json     instance, circuit and ptau hashes, every accepted contribution
 *                       (name, snarkjs contribution hash, zkey sha256, timestamp)
 *   circuit.r1cs/.wasm  the compiled circuit the keys are for
 *   zkeys/0000_init.zkey, 0001_<name>.zkey, ...   every accepted step
 *
 * Every contribution is verified on arrival (snarkjs `verifyFromInit` against the initial zkey,
 * plus: it extends the previous zkey's contributions by exactly one). A random beacon closes the
 * ceremony; `finalize` re-verifies from the r1cs and ptau (`verifyFromR1cs`) and installs the keys
 * with manifest kind "ceremony". Each contributor's secret randomness comes from the OS, is used
 * once inside snarkjs and is never written or logged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../io/atomic-write";
import { readR1csHeader } from "./binfile";
import { compileWithCircom, instanceParams, sourceFingerprint, type CompileFn } from "./circuit";
import { exportKeys } from "./export-keys";
import { sha256File } from "./hash";
import { withLock } from "./lock";
import {
  instanceParamsSchema,
  recordArtifact,
  writeManifestEntry,
  type InstanceEntry,
} from "./manifest";
import { circuitArtifactPaths, instanceKeyPaths, setupPaths } from "./paths";
import {
  contributeRandom,
  newZkey,
  parsePhase2Report,
  tempSibling,
  type Phase2Report,
} from "./phase2";
import { checkProductionPtau, ensureDevPtau, requiredPower, type PtauInfo } from "./ptau";
import { capturingLogger, snarkjs } from "./snarkjs";

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const hex128 = z.string().regex(/^[0-9a-f]{128}$/);
const fileRecord = z.object({ file: z.string().min(1), sha256: hex64 }).strict();

const contributionSchema = z
  .object({
    index: z.number().int().positive(),
    name: z.string(),
    type: z.enum(["contribution", "beacon"]),
    /** snarkjs's contribution hash (what a contributor publishes to attest their step). */
    contributionHash: hex128,
    zkey: fileRecord,
    timestamp: z.string().datetime(),
    beacon: z
      .object({ hash: z.string().regex(/^[0-9a-f]+$/), iterationsExp: z.number().int() })
      .strict()
      .optional(),
  })
  .strict();
export type TranscriptContribution = z.infer<typeof contributionSchema>;

const transcriptSchema = z
  .object({
    version: z.literal(1),
    instance: z.string().min(1),
    params: instanceParamsSchema,
    sourceFingerprint: hex64,
    constraints: z.number().int().nonnegative(),
    nPublic: z.number().int().nonnegative(),
    r1cs: fileRecord,
    wasm: fileRecord,
    ptau: z
      .object({
        path: z.string().min(1),
        name: z.string().min(1),
        power: z.number().int(),
        source: z.enum(["development", "production"]),
        sha256: hex64,
      })
      .strict(),
    /** snarkjs's circuit hash of the initial zkey. */
    circuitHash: hex128,
    init: fileRecord,
    contributions: z.array(contributionSchema),
    createdAt: z.string().datetime(),
  })
  .strict();
export type Transcript = z.infer<typeof transcriptSchema>;

const TRANSCRIPT = "transcript.json";

/** Reads and validates a ceremony's transcript. */
export function readTranscript(dir: string): Transcript {
  const file = path.join(dir, TRANSCRIPT);
  if (!fs.existsSync(file))
    throw new Error(`${file}: no ceremony here (run \`zkmargin ceremony init\`)`);
  const parsed = transcriptSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

function writeTranscript(dir: string, transcript: Transcript): void {
  writeFileAtomic(path.join(dir, TRANSCRIPT), `${JSON.stringify(transcript, null, 2)}\n`);
}

/** True once a beacon has closed the ceremony. */
export function isClosed(transcript: Transcript): boolean {
  return transcript.contributions.some((c) => c.type === "beacon");
}

function latestZkey(transcript: Transcript): { file: string; sha256: string } {
  const last = transcript.contributions.at(-1);
  return last ? last.zkey : transcript.init;
}

/** Checks a recorded file in the ceremony folder against its sha256; returns its path. */
async function checkRecorded(
  dir: string,
  record: { file: string; sha256: string },
): Promise<string> {
  const file = path.join(dir, record.file);
  if (!fs.existsSync(file)) throw new Error(`${file}: missing (listed in the transcript)`);
  const actual = await sha256File(file);
  if (actual !== record.sha256)
    throw new Error(`${file}: sha256 ${actual} does not match the transcript (${record.sha256})`);
  return file;
}

/** The ptau to verify with: `override` or the recorded path, checked against the recorded sha256. */
async function checkPtau(transcript: Transcript, override?: string): Promise<string> {
  const file = override ?? transcript.ptau.path;
  if (!fs.existsSync(file))
    throw new Error(`${file}: ptau not found (pass --ptau with the ceremony's ptau)`);
  const actual = await sha256File(file);
  if (actual !== transcript.ptau.sha256) {
    throw new Error(
      `${file}: refused, not the ceremony's ptau (sha256 ${actual.slice(0, 16)}..., expected ${transcript.ptau.sha256.slice(0, 16)}... = ${transcript.ptau.name})`,
    );
  }
  return file;
}

/** Options of {@link initCeremony}. */
export interface InitOptions {
  /** A production ptau (published hash checked); default: the cached development ptau, with a warning. */
  ptau?: string;
  root?: string;
  compile?: CompileFn;
  log?: (message: string) => void;
}

const defaultLog = (message: string) => void process.stderr.write(`${message}\n`);

/** Starts a ceremony for `instance` in `dir` (which must not hold one already). */
export async function initCeremony(
  dir: string,
  instance: string,
  options: InitOptions = {},
): Promise<Transcript> {
  const log = options.log ?? defaultLog;
  if (fs.existsSync(path.join(dir, TRANSCRIPT)))
    throw new Error(`${path.join(dir, TRANSCRIPT)}: a ceremony already exists here`);
  const paths = setupPaths(options.root);
  const params = instanceParams(paths, instance);
  const compiled = await (options.compile ?? compileWithCircom)(instance);
  const { nConstraints, nPublic } = await readR1csHeader(compiled.r1cs);
  const power = requiredPower(nConstraints, nPublic);
  let ptau: PtauInfo;
  if (options.ptau !== undefined) {
    ptau = await checkProductionPtau(path.resolve(options.ptau), power);
  } else {
    log(
      "WARNING: no --ptau given, using this machine's DEVELOPMENT ptau: phase 1 then has a single local " +
        "contributor, so the ceremony's keys are for testing only. Pass a published ptau for production.",
    );
    ptau = await ensureDevPtau(power);
  }
  fs.mkdirSync(path.join(dir, "zkeys"), { recursive: true });
  fs.copyFileSync(compiled.r1cs, path.join(dir, "circuit.r1cs"));
  fs.copyFileSync(compiled.wasm, path.join(dir, "circuit.wasm"));
  const initFile = path.join("zkeys", "0000_init.zkey");
  const circuitHash = await newZkey(
    path.join(dir, "circuit.r1cs"),
    ptau.file,
    path.join(dir, initFile),
  );
  const transcript: Transcript = {
    version: 1,
    instance,
    params,
    sourceFingerprint: await sourceFingerprint(paths, instance),
    constraints: nConstraints,
    nPublic,
    r1cs: { file: "circuit.r1cs", sha256: await sha256File(path.join(dir, "circuit.r1cs")) },
    wasm: { file: "circuit.wasm", sha256: await sha256File(path.join(dir, "circuit.wasm")) },
    ptau: {
      path: ptau.file,
      name: ptau.name,
      power: ptau.power,
      source: ptau.source,
      sha256: ptau.sha256,
    },
    circuitHash,
    init: { file: initFile, sha256: await sha256File(path.join(dir, initFile)) },
    contributions: [],
    createdAt: new Date().toISOString(),
  };
  writeTranscript(dir, transcript);
  return transcript;
}

/** Runs snarkjs `verifyFromInit(init, ptau, zkey)` and returns its parsed report; throws naming `zkey` if invalid. */
async function verifyAgainstInit(
  dir: string,
  transcript: Transcript,
  ptau: string,
  zkey: string,
): Promise<Phase2Report> {
  const init = await checkRecorded(dir, transcript.init);
  const logger = capturingLogger();
  let ok: boolean;
  try {
    ok = await snarkjs.zKey.verifyFromInit(init, ptau, zkey, logger);
  } catch (error) {
    throw new Error(
      `${zkey}: refused, not a valid zkey for this ceremony (${(error as Error).message})`,
    );
  }
  if (!ok) {
    throw new Error(
      `${zkey}: refused, verification failed (${logger.errors().join("; ") || "invalid contribution"})`,
    );
  }
  return parsePhase2Report(logger.lines);
}

/** Checks that `report` lists exactly the transcript's contributions plus `extra` new ones. */
function checkExtends(
  zkey: string,
  transcript: Transcript,
  report: Phase2Report,
  extra: number,
): void {
  const known = transcript.contributions;
  if (report.circuitHash !== transcript.circuitHash)
    throw new Error(`${zkey}: refused, built for another circuit`);
  if (report.contributions.length !== known.length + extra) {
    throw new Error(
      `${zkey}: refused, has ${report.contributions.length} contributions where ${known.length + extra} were expected ` +
        "(it must extend the latest accepted zkey by exactly one)",
    );
  }
  known.forEach((c, i) => {
    if (report.contributions[i].hash !== c.contributionHash) {
      throw new Error(
        `${zkey}: refused, contribution #${i + 1} differs from the accepted "${c.name}" (not built on the latest zkey)`,
      );
    }
  });
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 32) || "anonymous"
  );
}

/**
 * Verifies a new zkey `candidate` (made by whoever, e.g. `snarkjs zkey contribute` on another
 * machine) and, if it extends the latest accepted zkey by one contribution, copies it into the
 * ceremony and records it. Refuses with an error naming the file otherwise.
 */
export async function acceptContribution(
  dir: string,
  candidate: string,
  options: { ptau?: string } = {},
): Promise<TranscriptContribution> {
  return withLock(path.join(dir, TRANSCRIPT), async () => {
    const transcript = readTranscript(dir);
    if (isClosed(transcript))
      throw new Error(`${candidate}: refused, the ceremony in ${dir} is closed by its beacon`);
    const ptau = await checkPtau(transcript, options.ptau);
    const report = await verifyAgainstInit(dir, transcript, ptau, candidate);
    checkExtends(candidate, transcript, report, 1);
    const added = report.contributions[report.contributions.length - 1];
    const index = transcript.contributions.length + 1;
    const file = path.join(
      "zkeys",
      `${String(index).padStart(4, "0")}_${slug(added.beacon ? "beacon" : added.name)}.zkey`,
    );
    const target = path.join(dir, file);
    const temp = tempSibling(target);
    fs.copyFileSync(candidate, temp);
    fs.renameSync(temp, target);
    const entry: TranscriptContribution = {
      index,
      name: added.name,
      type: added.beacon ? "beacon" : "contribution",
      contributionHash: added.hash,
      zkey: { file, sha256: await sha256File(target) },
      timestamp: new Date().toISOString(),
      ...(added.beacon ? { beacon: added.beacon } : {}),
    };
    transcript.contributions.push(entry);
    writeTranscript(dir, transcript);
    return entry;
  });
}

function checkName(name: string): void {
  if (name.trim() === "" || Buffer.byteLength(name, "utf8") > 64 || /[\n\r:]/.test(name)) {
    throw new Error(`contributor name "${name}": must be 1 to 64 bytes, without newlines or ':'`);
  }
}

/** Adds a contribution made here, with fresh OS randomness, under `name`; verified before it is recorded. */
export async function contribute(
  dir: string,
  name: string,
  options: { ptau?: string } = {},
): Promise<TranscriptContribution> {
  checkName(name);
  const transcript = readTranscript(dir);
  if (isClosed(transcript)) throw new Error(`${dir}: the ceremony is closed by its beacon`);
  const previous = await checkRecorded(dir, latestZkey(transcript));
  const candidate = path.join(dir, `.candidate-${process.pid}.zkey`);
  try {
    await contributeRandom(previous, candidate, name);
    return await acceptContribution(dir, candidate, options);
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

/**
 * Closes the ceremony with a public random beacon (e.g. a future block hash, announced before it
 * is known): `beaconHash` in hex, `iterationsExp` in 10..63 (2^exp hash iterations).
 */
export async function applyBeacon(
  dir: string,
  beaconHash: string,
  iterationsExp = 10,
  options: { ptau?: string } = {},
): Promise<TranscriptContribution> {
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(beaconHash))
    throw new Error(`beacon "${beaconHash}": must be 1 to 255 bytes of hex`);
  if (!Number.isInteger(iterationsExp) || iterationsExp < 10 || iterationsExp > 63) {
    throw new Error(
      `beacon iterations exponent ${iterationsExp}: must be an integer from 10 to 63`,
    );
  }
  const transcript = readTranscript(dir);
  if (isClosed(transcript)) throw new Error(`${dir}: the ceremony is already closed by its beacon`);
  if (transcript.contributions.length === 0)
    throw new Error(`${dir}: no contribution yet; a beacon alone is no ceremony`);
  const previous = await checkRecorded(dir, latestZkey(transcript));
  const candidate = path.join(dir, `.beacon-${process.pid}.zkey`);
  try {
    const logger = capturingLogger();
    const hash = await snarkjs.zKey.beacon(
      previous,
      candidate,
      "beacon",
      beaconHash.toLowerCase(),
      iterationsExp,
      logger,
    );
    if (hash === false) throw new Error(`beacon refused by snarkjs: ${logger.errors().join("; ")}`);
    return await acceptContribution(dir, candidate, options);
  } finally {
    fs.rmSync(candidate, { force: true });
  }
}

/** The result of {@link verifyCeremony}. */
export interface CeremonyVerification {
  transcript: Transcript;
  report: Phase2Report;
  latestZkey: string;
}

/**
 * Verifies a whole ceremony: every recorded file's hash, then snarkjs `verifyFromR1cs` of the
 * latest zkey against the ceremony's r1cs and ptau, and that the zkey's contributions are exactly
 * the transcript's. Throws naming the first file at fault.
 */
export async function verifyCeremony(
  dir: string,
  options: { ptau?: string } = {},
): Promise<CeremonyVerification> {
  const transcript = readTranscript(dir);
  const r1cs = await checkRecorded(dir, transcript.r1cs);
  await checkRecorded(dir, transcript.wasm);
  for (const c of transcript.contributions) await checkRecorded(dir, c.zkey);
  const zkey = await checkRecorded(dir, latestZkey(transcript));
  const ptau = await checkPtau(transcript, options.ptau);
  const logger = capturingLogger();
  const ok = await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger);
  if (!ok)
    throw new Error(
      `${zkey}: refused, does not verify against ${r1cs} and ${ptau} (${logger.errors().join("; ")})`,
    );
  const report = parsePhase2Report(logger.lines);
  checkExtends(zkey, { ...transcript, contributions: [] }, report, transcript.contributions.length);
  transcript.contributions.forEach((c, i) => {
    if (
      report.contributions[i].hash !== c.contributionHash ||
      report.contributions[i].name !== c.name
    ) {
      throw new Error(
        `${zkey}: contribution #${i + 1} does not match the transcript's "${c.name}"`,
      );
    }
  });
  return { transcript, report, latestZkey: zkey };
}

/**
 * Verifies the closed ceremony and installs its keys for the instance: circuit (if the build has
 * none, else it must be identical), zkey, verification key, Solidity verifier, transcript, and a
 * manifest entry of kind "ceremony".
 */
export async function finalizeCeremony(
  dir: string,
  options: { root?: string; ptau?: string; log?: (message: string) => void } = {},
): Promise<InstanceEntry> {
  const log = options.log ?? defaultLog;
  const { transcript, latestZkey: zkey } = await verifyCeremony(dir, options);
  if (!isClosed(transcript))
    throw new Error(`${dir}: not closed yet; apply a beacon (\`zkmargin ceremony beacon\`) first`);
  const paths = setupPaths(options.root);
  const instance = transcript.instance;
  const circuit = circuitArtifactPaths(paths, instance);
  for (const [kind, target] of [
    ["r1cs", circuit.r1cs],
    ["wasm", circuit.wasm],
  ] as const) {
    const record = transcript[kind];
    if (fs.existsSync(target)) {
      if ((await sha256File(target)) !== record.sha256) {
        throw new Error(
          `${target}: differs from the ceremony's ${record.file}; the circuit changed since the ceremony began`,
        );
      }
    } else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(dir, record.file), target);
    }
  }
  const keys = instanceKeyPaths(paths, instance);
  return withLock(keys.dir, async () => {
    fs.mkdirSync(keys.dir, { recursive: true });
    const temp = tempSibling(keys.zkey);
    fs.copyFileSync(zkey, temp);
    fs.renameSync(temp, keys.zkey);
    const transcriptCopy = path.join(keys.dir, "transcript.json");
    writeFileAtomic(transcriptCopy, `${JSON.stringify(transcript, null, 2)}\n`);
    const exported = await exportKeys(keys.zkey, instance, "ceremony", paths);
    const ptauRecord = path.resolve(transcript.ptau.path).startsWith(paths.root + path.sep)
      ? await recordArtifact(paths, transcript.ptau.path)
      : { path: transcript.ptau.path, sha256: transcript.ptau.sha256 };
    const entry: InstanceEntry = {
      params: transcript.params,
      constraints: transcript.constraints,
      nPublic: transcript.nPublic,
      kind: "ceremony",
      sourceFingerprint: transcript.sourceFingerprint,
      ptau: {
        ...ptauRecord,
        power: transcript.ptau.power,
        source: transcript.ptau.source,
        name: transcript.ptau.name,
      },
      artifacts: {
        r1cs: await recordArtifact(paths, circuit.r1cs),
        wasm: await recordArtifact(paths, circuit.wasm),
        zkey: await recordArtifact(paths, keys.zkey),
        vkey: await recordArtifact(paths, exported.vkeyPath),
        verifier: await recordArtifact(paths, exported.verifierPath),
        generatedVerifier: await recordArtifact(paths, exported.generatedVerifierPath),
        transcript: await recordArtifact(paths, transcriptCopy),
      },
      vkeyHash: exported.vkeyHash,
      contract: exported.contract,
      createdAt: new Date().toISOString(),
    };
    await writeManifestEntry(instance, entry, paths);
    log(
      `${instance}: ceremony keys installed in ${path.relative(paths.root, keys.dir)} (vkeyHash ${exported.vkeyHash})`,
    );
    if (transcript.ptau.source === "development") {
      log(
        "WARNING: this ceremony used a DEVELOPMENT ptau (phase 1 from one machine): its keys are for testing only.",
      );
    }
    return entry;
  });
}
