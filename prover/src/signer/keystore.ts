/**
 * Encrypted JSON keystores (the Web3 Secret Storage format ethers writes: scrypt and AES-128-CTR)
 * for `--keystore`: made from a fresh random key or an imported one, written owner-only (0600)
 * and atomically, never over an existing file. The key never touches the command line, stdout or
 * an error.
 */
import * as fs from "node:fs";
import { getAddress, isKeystoreJson, Wallet } from "ethers";
import { InputError } from "../errors";
import { FileExistsError, writeFileAtomic } from "../io/atomic-write";
import { askSecret, type PromptStreams } from "./password";

/** Owner read/write only: the file is the key, behind its password. */
export const KEYSTORE_MODE = 0o600;

/**
 * Encrypts `privateKey` (default: a fresh random key) with `password` into `file`; returns the
 * account's address. Refuses an existing file.
 */
export async function createKeystore(
  file: string,
  password: string,
  privateKey?: string,
): Promise<string> {
  if (fs.existsSync(file)) {
    throw new InputError(file, "$", "already exists; a keystore is never overwritten");
  }
  const wallet = new Wallet(privateKey ?? Wallet.createRandom().privateKey);
  const json = await wallet.encrypt(password);
  try {
    writeFileAtomic(file, `${json}\n`, { mode: KEYSTORE_MODE, overwrite: false });
  } catch (error) {
    if (error instanceof FileExistsError) {
      throw new InputError(file, "$", "already exists; a keystore is never overwritten");
    }
    throw error;
  }
  return wallet.address;
}

/** The address a keystore file is for (read from the file; no password needed). */
export function keystoreAddress(file: string): string {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch {
    throw new InputError(file, "$", "cannot read the keystore file");
  }
  if (!isKeystoreJson(json)) throw new InputError(file, "$", "is not an encrypted JSON keystore");
  const address = (JSON.parse(json) as { address?: unknown }).address;
  try {
    return getAddress(`0x${String(address).replace(/^0x/i, "")}`);
  } catch {
    throw new InputError(file, "address", "must be the account's 20-byte address");
  }
}

/** A private key as 0x and 64 hex digits (accepted without the 0x). */
function parsePrivateKey(text: string, file: string, field: string): string {
  const key = text.trim();
  const hex = /^0x/i.test(key) ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InputError(file, field, "must be a 32-byte hex private key");
  }
  try {
    return new Wallet(hex).privateKey;
  } catch {
    throw new InputError(file, field, "is not a valid secp256k1 private key");
  }
}

/**
 * The private key to import: from the environment variable `keyEnv` when given, else asked on the
 * terminal without echo, else the first line of a piped stdin.
 */
export async function privateKeyToImport(
  keyEnv: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  streams: PromptStreams = { input: process.stdin, output: process.stderr },
): Promise<string> {
  if (keyEnv !== undefined) {
    const value = env[keyEnv];
    if (value === undefined || value === "") {
      throw new InputError("environment", keyEnv, "must hold the private key to import");
    }
    return parsePrivateKey(value, "environment", keyEnv);
  }
  if (streams.input.isTTY === true) {
    const typed = await askSecret(
      "private key to import (0x + 64 hex digits): ",
      streams,
      () => new InputError("prompt", "private key", "needs a terminal"),
    );
    return parsePrivateKey(typed, "prompt", "private key");
  }
  let piped = "";
  for await (const chunk of streams.input) piped += String(chunk);
  return parsePrivateKey(piped.split("\n")[0] ?? "", "stdin", "first line");
}
