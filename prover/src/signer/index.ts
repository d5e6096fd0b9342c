/**
 * Where a CLI verb gets its signing key: an encrypted JSON keystore (`--keystore FILE`, made by
 * `zkmargin keystore`, password from `ZKMARGIN_KEYSTORE_PASSWORD` or asked on the terminal) or the
 * role's environment variable (`ZKMARGIN_<ROLE>_KEY`), never the command line. Secrets are never
 * echoed, also not in errors.
 */
import * as fs from "node:fs";
import { Wallet, type HDNodeWallet } from "ethers";
import { InputError } from "../errors";
import { KEYSTORE_PASSWORD_ENV, passwordToOpen } from "./password";

export * from "./keystore";
export * from "./password";

/** The roles a key can be asked for, each with its own environment variable. */
export type KeyRole =
  | "custodian"
  | "deployer"
  | "admin"
  | "publisher"
  | "policy-admin"
  | "custodian-admin"
  | "venue"
  | "account"
  | "relayer";

/** The environment variable holding `role`'s private key, e.g. `ZKMARGIN_POLICY_ADMIN_KEY`. */
export function keyEnvOf(role: KeyRole): string {
  return `ZKMARGIN_${role.toUpperCase().replace(/-/g, "_")}_KEY`;
}

/** Decrypts a JSON keystore with the password from the environment (or asked for). */
async function fromKeystore(file: string, env: NodeJS.ProcessEnv): Promise<Wallet | HDNodeWallet> {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch {
    throw new InputError(file, "$", "cannot read the keystore file");
  }
  const password = await passwordToOpen(file, env);
  try {
    return await Wallet.fromEncryptedJson(json, password);
  } catch {
    throw new InputError(
      file,
      "$",
      `cannot decrypt (not a JSON keystore, or a wrong password: ${KEYSTORE_PASSWORD_ENV} or the one typed)`,
    );
  }
}

/**
 * The wallet of `role`: from `keystore` when given, else from `ZKMARGIN_<ROLE>_KEY`. Not yet
 * connected to a provider (`wallet.connect(provider)`).
 */
export async function loadWallet(
  role: KeyRole,
  keystore?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Wallet | HDNodeWallet> {
  if (keystore !== undefined) return fromKeystore(keystore, env);
  const name = keyEnvOf(role);
  const key = env[name];
  if (key === undefined || key === "") {
    throw new InputError(
      "environment",
      name,
      `must hold the ${role}'s private key (or use --keystore)`,
    );
  }
  try {
    return new Wallet(key);
  } catch {
    throw new InputError("environment", name, "must be a 32-byte hex private key");
  }
}

/** Whether `role`'s key is available without a keystore. */
export function hasKeyInEnv(role: KeyRole, env: NodeJS.ProcessEnv = process.env): boolean {
  const key = env[keyEnvOf(role)];
  return key !== undefined && key !== "";
}
