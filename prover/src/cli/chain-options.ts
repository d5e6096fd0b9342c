/** Options shared by the verbs that talk to a deployment: `--deployment`, `--rpc`, addresses, keys. */
import type { Command } from "commander";
import {
  getAddress,
  type HDNodeWallet,
  type Interface,
  type JsonRpcProvider,
  type Wallet,
} from "ethers";
import { explainRevert, refusalText } from "../chain/refusals";
import {
  checkDeploymentChain,
  deploymentProvider,
  readDeployment,
  type Deployment,
} from "../deployment";
import { InputError } from "../errors";
import { KEYSTORE_PASSWORD_ENV, keyEnvOf, loadWallet, type KeyRole } from "../signer";
import { COMMAND_LINE } from "./options";

/** Commander collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** An address option, EIP-55 checked. */
export function parseAddress(text: string, option: string): string {
  try {
    return getAddress(text);
  } catch {
    throw new InputError(
      COMMAND_LINE,
      option,
      `"${text}" is not an address with a valid EIP-55 checksum`,
    );
  }
}

/** Adds `--deployment FILE --rpc URL`. */
export function withDeployment(command: Command): Command {
  return command
    .requiredOption("--deployment <file>", "deployment.json written by `zkmargin deploy`")
    .requiredOption("--rpc <url>", "JSON-RPC endpoint of the deployment's chain");
}

/**
 * Adds `--policy-id ID`: a policy registered in the deployment, by its policy.json id or its
 * bytes32 on-chain id. (`--policy FILE` is a policy.json file in every verb.)
 */
export function withPolicyId(
  command: Command,
  what = "a policy registered in the deployment",
): Command {
  return command.requiredOption(
    "--policy-id <id>",
    `${what}: its policy.json id (e.g. desk-maintenance-v1) or its bytes32 id`,
  );
}

/** Adds `--keystore FILE` for `role`'s key (else `ZKMARGIN_<ROLE>_KEY`). */
export function withKey(command: Command, role: KeyRole): Command {
  return command.option(
    "--keystore <file>",
    `encrypted JSON keystore of the ${role} (password from $${KEYSTORE_PASSWORD_ENV}; default: $${keyEnvOf(role)})`,
  );
}

/** The deployment file, a provider on its chain (checked), and a closer. */
export async function openDeployment(
  file: string,
  rpc: string,
): Promise<{ deployment: Deployment; provider: JsonRpcProvider }> {
  const deployment = readDeployment(file);
  const provider = deploymentProvider(rpc, deployment);
  try {
    await checkDeploymentChain(deployment, provider, file);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return { deployment, provider };
}

/** `role`'s wallet connected to `provider`. */
export async function connectedWallet(
  role: KeyRole,
  keystore: string | undefined,
  provider: JsonRpcProvider,
): Promise<Wallet | HDNodeWallet> {
  return (await loadWallet(role, keystore)).connect(provider);
}

/**
 * Runs a chain action; a revert with a known custom error becomes a one-line refusal that names
 * the error and says in words what it means (prover/src/chain/refusals.ts).
 */
export async function refusedAs<T>(
  contract: { interface: Interface; target: unknown },
  what: string,
  action: () => Promise<T>,
  others: readonly Interface[] = [],
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const refusal = explainRevert(error, [contract.interface, ...others]);
    if (refusal === undefined) throw error;
    throw new InputError(
      `contract ${String(contract.target)}`,
      what,
      `refused: ${refusalText(refusal)}`,
    );
  }
}
