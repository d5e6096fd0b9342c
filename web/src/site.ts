/**
 * The page's own data, loaded from the folder it was served from: the site index, each
 * verification key (its sha256 checked against the manifest's before use) and the contract ABIs.
 */
import { sha256 } from "ethers";
import { parseVerificationKey } from "../../prover/src/proving/proof-files";
import type { VerificationKey } from "../../prover/src/proving/snarkjs";
import {
  SITE_INDEX,
  type SiteContracts,
  type SiteIndex,
  type SiteKey,
} from "../../prover/src/web/site";

/** A verification key as the page loaded it. */
export interface LoadedKey extends SiteKey {
  /** sha256 of the bytes the page fetched (hex, no 0x). */
  actualSha256: string;
  /** True when `actualSha256` is the manifest's sha256; only intact keys verify proofs. */
  intact: boolean;
  vkey?: VerificationKey;
  /** Why the key cannot be used, when it cannot. */
  problem?: string;
}

/** Everything the page loaded from its folder. */
export interface LoadedSite {
  index: SiteIndex;
  keys: LoadedKey[];
  contracts: SiteContracts;
}

async function fetchBytes(file: string): Promise<Uint8Array> {
  const response = await fetch(new URL(file, document.baseURI), { cache: "no-store" });
  if (!response.ok) throw new Error(`${file}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchJson<T>(file: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(file))) as T;
}

async function loadKey(key: SiteKey): Promise<LoadedKey> {
  try {
    const bytes = await fetchBytes(key.file);
    const actualSha256 = sha256(bytes).slice(2);
    if (actualSha256 !== key.sha256) {
      return {
        ...key,
        actualSha256,
        intact: false,
        problem: `${key.file}: sha256 ${actualSha256} differs from the manifest's ${key.sha256}`,
      };
    }
    const vkey = parseVerificationKey(JSON.parse(new TextDecoder().decode(bytes)), key.file);
    return { ...key, actualSha256, intact: true, vkey };
  } catch (error) {
    return { ...key, actualSha256: "", intact: false, problem: (error as Error).message };
  }
}

/** Loads the site index, every key and the ABIs. */
export async function loadSite(): Promise<LoadedSite> {
  const index = await fetchJson<SiteIndex>(SITE_INDEX);
  const keys = await Promise.all(index.keys.map(loadKey));
  const contracts = await fetchJson<SiteContracts>(index.contracts);
  return { index, keys, contracts };
}
