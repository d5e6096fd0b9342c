/**
 * `audit ceremony`: a phase-2 ceremony folder against its transcript and the installed keys.
 * Every recorded file's sha256; the ceremony module's own verification (snarkjs verifies the final
 * zkey against the ceremony's r1cs and ptau, which checks every contribution in its chain, and its
 * contributions must be exactly the transcript's, in order, with the same names); one line per
 * contributor; the closing beacon; and the manifest's installed keys are this ceremony's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isClosed, readTranscript, verifyCeremony, type Transcript } from "../setup/ceremony";
import { sha256File } from "../setup/hash";
import { readManifest, vkeyHash } from "../setup/manifest";
import { setupPaths } from "../setup/paths";
import { snarkjs } from "../setup/snarkjs";
import { Checklist, noteDevelopmentSetup, type AuditResult } from "./checklist";

/** Ceremonies verified in this process, by the sha256 of their transcript (and the ptau override). */
const verifiedCeremonies = new Map<string, ReturnType<typeof verifyCeremony>>();

/** Options of {@link auditCeremony}. */
export interface CeremonyAuditOptions {
  /** The ceremony's ptau, when it is not at the recorded path. */
  ptau?: string;
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
}

/** What a ceremony audit established. */
export interface CeremonyAuditData {
  instance?: string;
  contributors?: { index: number; name: string; type: "contribution" | "beacon"; hash: string }[];
  /** The vkey hash of the ceremony's final zkey. */
  vkeyHash?: string;
}

/** Audits the ceremony in `dir`; see the module comment. Never throws for a failed check. */
export async function auditCeremony(
  dir: string,
  options: CeremonyAuditOptions = {},
): Promise<AuditResult<CeremonyAuditData>> {
  const list = new Checklist();
  const data: CeremonyAuditData = {};
  const done = () => list.result("ceremony", dir, data);

  const transcript = await list.attempt(
    "transcript.json is a well-formed ceremony transcript",
    () => readTranscript(dir),
    (t) => `instance ${t.instance}, ${t.contributions.length} step(s), ptau ${t.ptau.name}`,
  );
  if (!transcript) return done();
  data.instance = transcript.instance;
  data.contributors = transcript.contributions.map((c) => ({
    index: c.index,
    name: c.name,
    type: c.type,
    hash: c.contributionHash,
  }));
  noteDevelopmentSetup(list, transcript.instance, { ptau: transcript.ptau });
  if (transcript.ptau.source === "development") {
    list.add(
      "warn",
      "ptau: DEVELOPMENT powers of tau, NOT FOR PRODUCTION",
      "phase 1 has a single local contributor, so the ceremony's keys are for testing only",
    );
  } else {
    list.add(
      "pass",
      `ptau: the published ${transcript.ptau.name}`,
      "hash checked at init and below",
    );
  }

  const files = [
    ["circuit (r1cs)", transcript.r1cs],
    ["witness generator (wasm)", transcript.wasm],
    ["initial zkey", transcript.init],
    ...transcript.contributions.map((c) => [`zkey after #${c.index} "${c.name}"`, c.zkey] as const),
  ] as const;
  for (const [label, record] of files) {
    await list.attempt(
      `${label}: sha256 matches the transcript`,
      async () => {
        const file = path.join(dir, record.file);
        if (!fs.existsSync(file)) throw new Error(`${file}: missing (listed in the transcript)`);
        const actual = await sha256File(file);
        if (actual !== record.sha256) {
          throw new Error(
            `${file}: sha256 ${actual} does not match the transcript (${record.sha256})`,
          );
        }
        return file;
      },
      () => record.file,
    );
  }

  const filesIntact = list.ok;
  const verified = await list.attempt(
    "the final zkey verifies against the ceremony's r1cs and ptau, carrying exactly the transcript's contributions",
    async () => {
      const ptau = options.ptau !== undefined ? { ptau: options.ptau } : {};
      if (!filesIntact) return verifyCeremony(dir, ptau);
      // Every file matched the transcript: the transcript's bytes (and the ptau) fix the verdict.
      const key = `${await sha256File(path.join(dir, "transcript.json"))}:${options.ptau ?? ""}`;
      let pending = verifiedCeremonies.get(key);
      if (pending === undefined) {
        pending = verifyCeremony(dir, ptau);
        verifiedCeremonies.set(key, pending);
        pending.catch(() => verifiedCeremonies.delete(key));
      }
      return pending;
    },
    (v) =>
      `circuit hash ${v.report.circuitHash.slice(0, 16)}..., ${v.report.contributions.length} contribution(s)`,
  );
  for (const c of transcript.contributions) {
    const title = `#${c.index} ${c.type} "${c.name}": contribution hash ${c.contributionHash.slice(0, 16)}... is in the verified zkey`;
    if (verified) list.add("pass", title, c.contributionHash);
    else list.skip(title, "the final zkey did not verify");
  }
  checkBeacon(list, transcript, verified?.report.contributions.at(-1)?.beacon);

  if (verified)
    await checkInstalled(list, transcript, verified.latestZkey, dir, data, options.root);
  else
    list.skip("the manifest's installed keys are this ceremony's", "the final zkey did not verify");
  return done();
}

/** A beacon closes the ceremony, after at least one contribution, with the recorded parameters. */
function checkBeacon(
  list: Checklist,
  transcript: Transcript,
  reported: { hash: string; iterationsExp: number } | undefined,
): void {
  const contributions = transcript.contributions.filter((c) => c.type === "contribution").length;
  list.expect(
    "at least one contribution besides the beacon",
    contributions > 0,
    `${contributions} contribution(s)`,
    "no contribution: a beacon alone is no ceremony",
  );
  const last = transcript.contributions.at(-1);
  const recorded = last?.type === "beacon" ? last.beacon : undefined;
  list.expect(
    "a public random beacon closes the ceremony (last step), as the verified zkey reports it",
    isClosed(transcript) &&
      recorded !== undefined &&
      reported !== undefined &&
      recorded.hash === reported.hash &&
      recorded.iterationsExp === reported.iterationsExp,
    `beacon ${recorded?.hash ?? ""}, 2^${recorded?.iterationsExp ?? 0} iterations`,
    isClosed(transcript)
      ? "the beacon is not the last step or differs from what the zkey carries"
      : "no beacon: the ceremony is not closed",
  );
}

/** The manifest's entry for the instance is this ceremony's: kind, zkey, circuit, transcript, vkey. */
async function checkInstalled(
  list: Checklist,
  transcript: Transcript,
  finalZkey: string,
  dir: string,
  data: CeremonyAuditData,
  root?: string,
): Promise<void> {
  const paths = setupPaths(root);
  const vkey = await snarkjs.zKey.exportVerificationKey(finalZkey);
  data.vkeyHash = vkeyHash(vkey);
  const entry = readManifest(paths).instances[transcript.instance];
  if (
    !list.expect(
      `the manifest installs ceremony keys for instance ${transcript.instance}`,
      entry?.kind === "ceremony",
      paths.manifest,
      `${paths.manifest}: ${entry ? `instance ${transcript.instance} has ${entry.kind} keys` : `no entry for ${transcript.instance}`}`,
    ) ||
    entry === undefined
  ) {
    return;
  }
  const zkeySha = await sha256File(finalZkey);
  const transcriptSha = await sha256File(path.join(dir, "transcript.json"));
  const pairs = [
    ["final zkey", entry.artifacts.zkey.sha256, zkeySha],
    ["r1cs", entry.artifacts.r1cs.sha256, transcript.r1cs.sha256],
    ["wasm", entry.artifacts.wasm.sha256, transcript.wasm.sha256],
    ["transcript", entry.artifacts.transcript?.sha256, transcriptSha],
  ] as const;
  for (const [label, installed, ceremony] of pairs) {
    list.expect(
      `the manifest's ${label} is the ceremony's`,
      installed === ceremony,
      ceremony,
      `${paths.manifest}: ${label} sha256 ${installed ?? "(none)"}, the ceremony's is ${ceremony}`,
    );
  }
  list.expect(
    "the manifest's vkeyHash is the hash of the final zkey's verification key",
    entry.vkeyHash === data.vkeyHash,
    data.vkeyHash,
    `${paths.manifest}: vkeyHash ${entry.vkeyHash}, the final zkey's is ${data.vkeyHash}`,
  );
}
