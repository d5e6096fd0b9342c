/**
 * The verification the page runs on the given files, with the SDK's own functions: the proof and
 * public signals shape-checked and decoded, the Groth16 proof verified with each of the page's
 * verification keys, and the policy and market files recomputed into the proof's commitments.
 */
import { toSolidityProof, type SolidityProof } from "../../prover/src/chain/calldata";
import { matchPublicFiles, type PublicFilesMatch } from "../../prover/src/inspect/match";
import { signalValues } from "../../prover/src/inspect/signals";
import { parseMarket } from "../../prover/src/inputs/market";
import { parsePolicy } from "../../prover/src/inputs/policy";
import type { Market, Policy } from "../../prover/src/inputs/types";
import { parseProof } from "../../prover/src/proving/proof-files";
import {
  decodePublicSignals,
  type DecodedPublicSignals,
} from "../../prover/src/proving/public-signals";
import { verifyProof } from "../../prover/src/proving/verify-proof";
import type { GivenFile } from "./files";
import type { LoadedKey } from "./site";
import { message } from "./message";

/** The verdict on the proof. */
export type Verdict =
  | { status: "incomplete"; missing: string[] }
  | { status: "valid"; key: LoadedKey }
  | { status: "invalid"; reason: string };

/** What the policy and market files say against the proof's commitments. */
export interface FilesCheck {
  policy?: Policy;
  market?: Market;
  /** Set when both files parsed. */
  match?: PublicFilesMatch;
  /** A file that could not be read as what it claims to be. */
  errors: string[];
}

/** Everything the page shows about a proof. */
export interface ProofCheck {
  verdict: Verdict;
  decoded?: DecodedPublicSignals;
  /** The public signals as public.json lists them (set with `decoded`). */
  signals?: bigint[];
  /** The proof's points in the registry's layout, to find its very submission on-chain. */
  proof?: SolidityProof;
  files: FilesCheck;
}

/**
 * What makes the setup of the key a proof verified with a development one (its keys, its ptau),
 * one phrase each; empty for ceremony keys on a published ptau.
 */
export function developmentSetup(key: LoadedKey): string[] {
  return [
    ...(key.kind === "development" ? ["development keys (no ceremony)"] : []),
    ...(key.ptau.source === "development" ? [`a development ptau (${key.ptau.name})`] : []),
  ];
}

/** The files of a check, by role. */
export interface ProofFiles {
  proof?: GivenFile;
  public?: GivenFile;
  policy?: GivenFile;
  market?: GivenFile;
}

/** Verifies with every intact key of the right size; the first that accepts the proof wins. */
async function verifyWithKeys(
  proofFile: GivenFile,
  publicFile: GivenFile,
  keys: readonly LoadedKey[],
): Promise<Verdict> {
  const proof = parseProof(proofFile.json, proofFile.name);
  const signals = publicFile.json as string[];
  const usable = keys.filter((k) => k.intact && k.vkey && k.nPublic === signals.length);
  if (usable.length === 0) {
    return {
      status: "invalid",
      reason: `no verification key in this page takes ${signals.length} public signals (${keys.map((k) => `${k.instance}: ${k.nPublic}`).join(", ") || "no keys"})`,
    };
  }
  for (const key of usable) {
    try {
      if (await verifyProof(proof, signals, key.vkey!)) return { status: "valid", key };
    } catch (error) {
      return {
        status: "invalid",
        reason: `${proofFile.name}: the proof is not made of valid curve points (${message(error)})`,
      };
    }
  }
  const tried = usable.map((k) => `instance ${k.instance} (vkey hash ${k.vkeyHash})`).join(", ");
  return {
    status: "invalid",
    reason:
      `the proof does not verify with the verification key of ${tried}: ` +
      "a public signal or the proof was changed, or the proof was made with other keys",
  };
}

/** Parses the policy and market files and, with the decoded signals, matches the commitments. */
async function checkFiles(
  files: ProofFiles,
  decoded: DecodedPublicSignals | undefined,
  keys: readonly LoadedKey[],
  preferred: string | undefined,
): Promise<FilesCheck> {
  const check: FilesCheck = { errors: [] };
  const attempt = <T>(work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      check.errors.push(message(error));
      return undefined;
    }
  };
  if (files.policy)
    check.policy = attempt(() => parsePolicy(files.policy!.json, files.policy!.name));
  if (files.market)
    check.market = attempt(() => parseMarket(files.market!.json, files.market!.name));
  if (decoded && check.policy && check.market) {
    // The verifying key's instance first: its layout is the one the proof was made for.
    const ordered = [...keys].sort(
      (a, b) => Number(b.instance === preferred) - Number(a.instance === preferred),
    );
    const instances = Object.fromEntries(
      ordered.filter((k) => k.intact).map((k) => [k.instance, k.params]),
    );
    const { policy, market } = check;
    try {
      check.match = await matchPublicFiles(decoded, policy, market, instances);
    } catch (error) {
      check.errors.push(`${files.policy!.name} with ${files.market!.name}: ${message(error)}`);
    }
  }
  return check;
}

/** The verdict: a public.json that does not decode is invalid even before the proof is given. */
async function judge(
  files: ProofFiles,
  keys: readonly LoadedKey[],
  decodeError: string | undefined,
): Promise<Verdict> {
  if (decodeError !== undefined) return { status: "invalid", reason: decodeError };
  if (!files.proof || !files.public) {
    const missing = [
      ...(files.proof ? [] : ["proof.json"]),
      ...(files.public ? [] : ["public.json"]),
    ];
    return { status: "incomplete", missing };
  }
  try {
    return await verifyWithKeys(files.proof, files.public, keys);
  } catch (error) {
    return { status: "invalid", reason: message(error) };
  }
}

/** The proof's points as the registry takes them; undefined when they are not affine points. */
function solidityProofOf(file: GivenFile): SolidityProof | undefined {
  try {
    return toSolidityProof(parseProof(file.json, file.name), file.name);
  } catch {
    return undefined;
  }
}

/** Runs every check the given files allow. */
export async function checkProof(
  files: ProofFiles,
  keys: readonly LoadedKey[],
): Promise<ProofCheck> {
  let decoded: DecodedPublicSignals | undefined;
  let decodeError: string | undefined;
  if (files.public) {
    try {
      decoded = decodePublicSignals(files.public.json, files.public.name);
    } catch (error) {
      decodeError = message(error);
    }
  }
  const verdict = await judge(files, keys, decodeError);
  const preferred = verdict.status === "valid" ? verdict.key.instance : undefined;
  const proof = verdict.status === "valid" ? solidityProofOf(files.proof!) : undefined;
  return {
    verdict,
    ...(decoded ? { decoded, signals: signalValues(files.public!.json as string[]) } : {}),
    ...(proof ? { proof } : {}),
    files: await checkFiles(files, decoded, keys, preferred),
  };
}
