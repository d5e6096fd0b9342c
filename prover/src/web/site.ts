/**
 * The data files of the built verify page, written by `buildSite` and read by the page: which
 * verification keys it carries (copied from build/manifest.json's entries, with the manifest's
 * sha256 of each) and where the contract ABIs are. Types only and constants: no Node imports, so
 * the browser bundle shares them.
 */
import type { InterfaceAbi } from "ethers";
import type { InstanceDims } from "../encoding/instances";

/** The site's index, `site.json`. */
export interface SiteIndex {
  version: 2;
  /** ISO time of the build. */
  builtAt: string;
  /** sha256 of the build/manifest.json the keys were taken from (copied as manifest.json). */
  manifestSha256: string;
  keys: SiteKey[];
  /** File holding the ABIs of MarginRegistry, PolicyRegistry and MarketBook. */
  contracts: string;
  /**
   * Block explorers by chain id (decimal): an Etherscan-style base URL, under which the page links
   * a transaction as `<url>/tx/<hash>` and an address as `<url>/address/<address>`. Set when the
   * page is built (`zkmargin web --explorer <chainId>=<url>`); empty by default.
   */
  explorers: Record<string, string>;
}

/** One instance's verification key in the site. */
export interface SiteKey {
  instance: string;
  /** Path of verification_key.json inside the site. */
  file: string;
  /** The manifest's sha256 of the file (checked by the page on load). */
  sha256: string;
  /** The manifest's vkeyHash: what PolicyRegistry records for policies using this key. */
  vkeyHash: string;
  kind: "development" | "ceremony";
  /** The ptau the keys were set up on (the manifest's): a development one makes a development setup. */
  ptau: { name: string; source: "development" | "production" };
  /** The instance's dimensions (the manifest's params), to lay the policy and market files out. */
  params: InstanceDims;
  constraints: number;
  nPublic: number;
}

/** The contracts whose ABIs the site carries. */
export const SITE_CONTRACTS = ["MarginRegistry", "PolicyRegistry", "MarketBook"] as const;
export type SiteContract = (typeof SITE_CONTRACTS)[number];

/** `contracts.json`: ABI by contract name. */
export type SiteContracts = Record<SiteContract, InterfaceAbi>;

/** A transaction's page on an explorer (`<base>/tx/<hash>`), the base URL's trailing slashes dropped. */
export function explorerTxUrl(base: string, hash: string): string {
  return `${base.replace(/\/+$/, "")}/tx/${hash}`;
}

/** An address's page on an explorer (`<base>/address/<address>`). */
export function explorerAddressUrl(base: string, address: string): string {
  return `${base.replace(/\/+$/, "")}/address/${address}`;
}

/** Names of the site's data files. */
export const SITE_INDEX = "site.json";
export const SITE_CONTRACTS_FILE = "contracts.json";
