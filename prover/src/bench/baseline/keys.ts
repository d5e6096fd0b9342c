/**
 * Groth16 keys of the baseline circuit, for the benchmark only: compiled for an instance's slot
 * counts, phase 2 over the instance's own ptau (or a cached development ptau that fits), one
 * random contribution, kept under build/bench/baseline/<instance>/ and reused while the r1cs and
 * the zkey are unchanged. Not listed in the manifest: nothing but the benchmark uses them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { InstanceDims } from "../../encoding/instances";
import { writeFileAtomic } from "../../io/atomic-write";
import { readR1csHeader } from "../../setup/binfile";
import { sha256File } from "../../setup/hash";
import { withLock } from "../../setup/lock";
import { readManifest } from "../../setup/manifest";
import { PROJECT_ROOT, setupPaths } from "../../setup/paths";
import { contributeRandom, newZkey, tempSibling } from "../../setup/phase2";
import { ensureDevPtau, requiredPower } from "../../setup/ptau";
import { snarkjs, type VerificationKey } from "../../setup/snarkjs";
import { compileBaseline } from "./circuit";

/** The baseline's artifacts for one instance. */
export interface BaselineKeys {
  r1cs: string;
  wasm: string;
  zkey: string;
  vkey: VerificationKey;
  constraints: number;
  /** Public signals (its one output plus its public inputs): the verifier's N. */
  nPublic: number;
}

const recordSchema = z
  .object({ r1csSha256: z.string(), zkeySha256: z.string(), ptau: z.string() })
  .strict();

/** The folder of an instance's baseline keys. */
export function baselineKeysDir(instance: string, root = PROJECT_ROOT): string {
  return path.join(setupPaths(root).build, "bench", "baseline", instance);
}

/** A ptau of at least `power`: the instance's own when it fits, else a cached development one. */
async function ptauFor(instance: string, power: number): Promise<string> {
  const entry = readManifest().instances[instance];
  if (entry && entry.ptau.power >= power) return path.resolve(PROJECT_ROOT, entry.ptau.path);
  return (await ensureDevPtau(power)).file;
}

/**
 * The baseline's keys for `instance` (slot counts `dims`): reused when build/bench/baseline/
 * <instance>/ holds keys made from the current r1cs, otherwise made anew (compile, phase 2, one
 * random contribution, verification key).
 */
export async function ensureBaselineKeys(
  instance: string,
  dims: InstanceDims,
  log: (message: string) => void = () => undefined,
): Promise<BaselineKeys> {
  const compiled = await compileBaseline(instance, dims, (line) => log(`  circom: ${line}`));
  const { nConstraints, nPublic } = await readR1csHeader(compiled.r1cs);
  const dir = baselineKeysDir(instance);
  const files = {
    zkey: path.join(dir, "baseline.zkey"),
    vkey: path.join(dir, "verification_key.json"),
    record: path.join(dir, "keys.json"),
  };
  return withLock(dir, async () => {
    const r1csSha256 = await sha256File(compiled.r1cs);
    const previous = fs.existsSync(files.record)
      ? recordSchema.safeParse(JSON.parse(fs.readFileSync(files.record, "utf8")))
      : undefined;
    const reusable =
      previous?.success === true &&
      previous.data.r1csSha256 === r1csSha256 &&
      fs.existsSync(files.zkey) &&
      fs.existsSync(files.vkey) &&
      previous.data.zkeySha256 === (await sha256File(files.zkey));
    if (!reusable) {
      const ptau = await ptauFor(instance, requiredPower(nConstraints, nPublic));
      log(`baseline keys for ${instance}: phase 2 over ${path.basename(ptau)}`);
      const init = tempSibling(files.zkey);
      try {
        await newZkey(compiled.r1cs, ptau, init);
        await contributeRandom(init, files.zkey, "zkmargin baseline (benchmark only)");
      } finally {
        fs.rmSync(init, { force: true });
      }
      const vkey = await snarkjs.zKey.exportVerificationKey(files.zkey);
      writeFileAtomic(files.vkey, `${JSON.stringify(vkey, null, 2)}\n`);
      const record = {
        r1csSha256,
        zkeySha256: await sha256File(files.zkey),
        ptau: path.relative(PROJECT_ROOT, ptau),
      };
      writeFileAtomic(files.record, `${JSON.stringify(record, null, 2)}\n`);
    }
    return {
      r1cs: compiled.r1cs,
      wasm: compiled.wasm,
      zkey: files.zkey,
      vkey: JSON.parse(fs.readFileSync(files.vkey, "utf8")) as VerificationKey,
      constraints: nConstraints,
      nPublic,
    };
  });
}
