/**
 * Exports a final zkey's verification key (canonical JSON, so its sha256 is its {@link vkeyHash})
 * and its Solidity verifier, renamed per instance, marked as generated and with zkmargin's two
 * marked edits (the key hash; the batch check through `Groth16Batch.sol`), into the instance's key
 * folder and into `verifier-contracts/contracts/generated/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../io/atomic-write";
import { canonicalJson } from "../io/canonical-json";
import { vkeyHash } from "./manifest";
import { instanceKeyPaths, verifierContractName, type SetupPaths } from "./paths";
import { snarkjs, snarkjsTemplatesDir, type VerificationKey } from "./snarkjs";

/** How the keys were made. */
export type SetupKind = "development" | "ceremony";

/** What {@link exportKeys} wrote. */
export interface ExportedKeys {
  vkey: VerificationKey;
  vkeyHash: string;
  vkeyPath: string;
  verifierPath: string;
  generatedVerifierPath: string;
  contract: string;
}

function header(instance: string, kind: SetupKind, hash: string): string {
  const origin =
    kind === "development"
      ? [
          "// from DEVELOPMENT keys: one local random contribution, no ceremony. Anyone who saw that",
          "// machine could forge proofs. Never deploy it where real value depends on it.",
        ]
      : [
          "// from the keys of a multi-party phase-2 ceremony (see the transcript listed in build/manifest.json).",
        ];
  return [
    "// SPDX-License-Identifier: GPL-3.0",
    "// GENERATED FILE - DO NOT EDIT. Regenerate with `zkmargin setup` or `zkmargin ceremony finalize`.",
    `// Groth16 verifier of the zkmargin circuit instance "${instance}", exported by snarkjs 0.7.6`,
    ...origin,
    `// Verification key hash (sha256 of its canonical JSON): ${hash}`,
    "// Compiles beside verifier-contracts/contracts/Groth16Batch.sol (imported as ../Groth16Batch.sol).",
    "",
  ].join("\n");
}

/**
 * zkmargin's first edit inside the snarkjs contract (as Semaphore edits its verifier): the
 * verification key's hash, which PolicyRegistry checks against the one registered with a policy.
 */
function keyHashFunction(hash: string): string {
  if (!/^0x[0-9a-f]{64}$/.test(hash)) throw new Error(`not a sha256 hex hash: ${hash}`);
  return [
    "    // zkmargin edit: sha256 of this verifier's canonical verification_key.json.",
    "    function verificationKeyHash() external pure returns (bytes32) {",
    `        return ${hash};`,
    "    }",
    "",
    "",
  ].join("\n");
}

/** The number of public signals of a rendered snarkjs verifier, read off its `verifyProof`. */
export function renderedPublicSignalCount(source: string): number {
  const signature = /uint\[(\d+)\] calldata _pubSignals\)/.exec(source);
  const icPoints = [...source.matchAll(/^\s*uint256 constant IC(\d+)x = /gm)].length;
  if (!signature || Number(signature[1]) + 1 !== icPoints) {
    throw new Error(
      "snarkjs verifier template changed: `verifyProof`'s public signals and the IC constants disagree",
    );
  }
  return Number(signature[1]);
}

/**
 * zkmargin's second edit (marked in the contract): the batch check and the single check with a
 * public-signal array of any length, both through the hand-written `Groth16Batch` library, over
 * the contract's own key constants (snarkjs's names). snarkjs's `verifyProof` is untouched.
 */
function batchFunctions(nPublic: number): string {
  // The key as Groth16Batch takes it (KEY_HEADER_WORDS, then the IC points), from the constants.
  const words = [
    "alphax",
    "alphay",
    ...["beta", "gamma", "delta"].flatMap((p) => [`${p}x1`, `${p}x2`, `${p}y1`, `${p}y2`]),
    ...Array.from({ length: nPublic + 1 }, (_, i) => [`IC${i}x`, `IC${i}y`]).flat(),
  ];
  const stores = words.map((name, i) => `            mstore(add(key, ${32 * (i + 1)}), ${name})`);
  return [
    "    // zkmargin edit: batch verification and a single check with uint256[] public signals, by",
    "    // Groth16Batch (verifier-contracts/contracts/Groth16Batch.sol) over this contract's key.",
    "    /// @notice Checks B proofs with one randomized pairing check (B + 3 pairings).",
    "    /// @param proofs Each proof as [A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y].",
    "    /// @param pubSignals Every proof's public signals, proof after proof (B * publicSignalCount()).",
    "    /// @return True iff every proof is valid for its signals (up to a 2^-128 chance).",
    "    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata pubSignals) external view returns (bool) {",
    "        return Groth16Batch.verifyBatch(_verifyingKey(), proofs, pubSignals);",
    "    }",
    "",
    "    /// @notice Checks one proof, with its public signals as an array (exactly verifyProof's check).",
    "    /// @param proof The proof as [A.x, A.y, B.x_im, B.x_re, B.y_im, B.y_re, C.x, C.y].",
    "    /// @param pubSignals Its public signals (publicSignalCount() words).",
    "    /// @return True iff the proof is valid for these signals.",
    "    function verifyOne(uint256[8] calldata proof, uint256[] calldata pubSignals) external view returns (bool) {",
    "        return Groth16Batch.verifyOne(_verifyingKey(), proof, pubSignals);",
    "    }",
    "",
    "    /// @notice The number of public signals of this circuit.",
    "    /// @return The count.",
    "    function publicSignalCount() external pure returns (uint256) {",
    `        return ${nPublic};`,
    "    }",
    "",
    "    function _verifyingKey() private pure returns (uint256[] memory key) {",
    `        key = new uint256[](${words.length});`,
    '        assembly ("memory-safe") {',
    ...stores,
    "        }",
    "    }",
    "",
    "",
  ].join("\n");
}

/** The import the second edit needs, after snarkjs's pragma. */
const BATCH_IMPORT = 'import {Groth16Batch} from "../Groth16Batch.sol";';

/**
 * zkmargin's edits of a verifier snarkjs rendered: the instance's contract name, our header, the
 * key-hash function and the batch functions (with their import).
 */
export function editVerifier(
  source: string,
  instance: string,
  kind: SetupKind,
  hash: string,
): string {
  const contract = verifierContractName(instance);
  const nPublic = renderedPublicSignalCount(source);
  const renamed = source.replace(
    /^contract Groth16Verifier \{\n/m,
    `contract ${contract} {\n${keyHashFunction(hash)}${batchFunctions(nPublic)}`,
  );
  if (renamed === source)
    throw new Error("snarkjs verifier template changed: no `contract Groth16Verifier {` line");
  const imported = renamed.replace(
    /^(pragma solidity [^\n]*\n)/m,
    `$1\n// zkmargin edit: the library of the batch check.\n${BATCH_IMPORT}\n`,
  );
  if (imported === renamed)
    throw new Error("snarkjs verifier template changed: no `pragma solidity` line");
  const body = imported.replace(/^\/\/ SPDX-License-Identifier:[^\n]*\n/, "");
  return `${header(instance, kind, hash)}${body}`;
}

/** Renders the Solidity verifier of `zkey` under the instance's contract name, with our edits. */
export async function renderVerifier(
  zkey: string,
  instance: string,
  kind: SetupKind,
  hash: string,
): Promise<string> {
  const template = fs.readFileSync(
    path.join(snarkjsTemplatesDir(), "verifier_groth16.sol.ejs"),
    "utf8",
  );
  const source = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template });
  return editVerifier(source, instance, kind, hash);
}

/** Writes the verification key and both copies of the verifier for `instance` from `zkey`. */
export async function exportKeys(
  zkey: string,
  instance: string,
  kind: SetupKind,
  paths: SetupPaths,
): Promise<ExportedKeys> {
  const target = instanceKeyPaths(paths, instance);
  const vkey = await snarkjs.zKey.exportVerificationKey(zkey);
  const hash = vkeyHash(vkey);
  writeFileAtomic(target.vkey, canonicalJson(vkey));
  const solidity = await renderVerifier(zkey, instance, kind, hash);
  writeFileAtomic(target.verifier, solidity);
  writeFileAtomic(target.generatedVerifier, solidity);
  return {
    vkey,
    vkeyHash: hash,
    vkeyPath: target.vkey,
    verifierPath: target.verifier,
    generatedVerifierPath: target.generatedVerifier,
    contract: verifierContractName(instance),
  };
}
