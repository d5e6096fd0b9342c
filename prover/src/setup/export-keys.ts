/**
 * Exports a final zkey's verification key (canonical JSON, so its sha256 is its {@link vkeyHash})
 * and its Solidity verifier, renamed per instance and marked as generated, into the instance's key
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
    "",
  ].join("\n");
}

/**
 * zkmargin's one edit inside the snarkjs contract (as Semaphore edits its verifier): the
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

/** Renders the Solidity verifier of `zkey` under the instance's contract name, with our header. */
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
  const contract = verifierContractName(instance);
  const renamed = source.replace(
    /^contract Groth16Verifier \{\n/m,
    `contract ${contract} {\n${keyHashFunction(hash)}`,
  );
  if (renamed === source)
    throw new Error("snarkjs verifier template changed: no `contract Groth16Verifier {` line");
  const body = renamed.replace(/^\/\/ SPDX-License-Identifier:[^\n]*\n/, "");
  return `${header(instance, kind, hash)}${body}`;
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
