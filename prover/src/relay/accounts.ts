/**
 * The keys a service signs with for the accounts it serves: an owner-only account-keys file
 * (`--account-keys`) or the accounts the node holds unlocked. Used by the per-proof submitter
 * (each account sends its own `prove`) and by the relayer (each account signs its ProveRequest).
 */
import { Wallet, getAddress, type JsonRpcProvider, type Signer } from "ethers";

/** Signers of the accounts whose keys are held, on one node. */
export class AccountSigners {
  private constructor(
    private readonly provider: JsonRpcProvider,
    private readonly unlocked: ReadonlySet<string>,
    private readonly keys: ReadonlyMap<string, string>,
  ) {}

  /** Reads the node's unlocked accounts (none when it refuses to list them). */
  static async of(
    provider: JsonRpcProvider,
    keys: ReadonlyMap<string, string>,
  ): Promise<AccountSigners> {
    // A public node may hold no accounts or refuse to list them: then only --account-keys sign.
    const accounts = ((await provider.send("eth_accounts", []).catch(() => [])) ?? []) as string[];
    return new AccountSigners(provider, new Set(accounts.map((a) => getAddress(a))), keys);
  }

  /** The account's signer; throws (a retryable error) when no key of it is held here. */
  async signerFor(account: string): Promise<Signer> {
    const key = this.keys.get(account);
    if (key !== undefined) return new Wallet(key, this.provider);
    if (this.unlocked.has(account)) return this.provider.getSigner(account);
    // Not final: another worker of the fleet may hold this account's key.
    throw new Error(
      `account ${account}: no key to sign with (not unlocked on the node, not in --account-keys)`,
    );
  }
}
