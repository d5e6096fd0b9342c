/**
 * The relayer's chain (see ./chain): one JSON-RPC node, the accounts' keys (or the node's
 * unlocked accounts) to sign their ProveRequests, and the relayer account that sends
 * `proveBatch` and pays for it.
 */
import type { Contract, JsonRpcProvider, Signer, TypedDataDomain } from "ethers";
import {
  attach,
  marginProvedEvents,
  nextNonce,
  readMarginRegistryDomain,
  readPolicy,
  readRound,
  signProveRequest,
  type ProveRequestMessage,
  type RelayedSubmission,
} from "../chain";
import { submitProofBatch } from "../chain/prove-batch";
import { connectNode, type SubmitterOptions } from "../queue/submit";
import type { AccountSigners } from "./accounts";
import type { PolicyOnChain, RecordedProof, RelayChain, SentBatch } from "./chain";

/** Options of {@link RegistryRelayChain.connect}. */
export interface RelayChainOptions extends SubmitterOptions {
  /**
   * The relayer account: a signer (a key), or the address of an account the node holds unlocked.
   */
  relayer: Signer | string;
}

/** {@link RelayChain} on a node; call `close()` when done. */
export class RegistryRelayChain implements RelayChain {
  private readonly contracts = new Map<string, Contract>();
  private readonly domains = new Map<string, Promise<TypedDataDomain>>();

  private constructor(
    private readonly provider: JsonRpcProvider,
    readonly chainId: bigint,
    private readonly accounts: AccountSigners,
    private readonly relayer: Signer,
  ) {}

  /** Connects to the node; the relayer account must be unlocked there or given as a key. */
  static async connect(options: RelayChainOptions): Promise<RegistryRelayChain> {
    const node = await connectNode(options);
    try {
      const relayer =
        typeof options.relayer === "string"
          ? await node.provider.getSigner(options.relayer)
          : options.relayer.connect(node.provider);
      return new RegistryRelayChain(node.provider, node.chainId, node.accounts, relayer);
    } catch (error) {
      node.provider.destroy();
      throw error;
    }
  }

  /** The relayer account's address. */
  relayerAddress(): Promise<string> {
    return this.relayer.getAddress();
  }

  private registry(address: string): Contract {
    let contract = this.contracts.get(address);
    if (contract === undefined) {
      contract = attach("MarginRegistry", address, this.relayer);
      this.contracts.set(address, contract);
    }
    return contract;
  }

  private async policyRegistry(registry: string): Promise<Contract> {
    const address = (await this.registry(registry).getFunction("policyRegistry")()) as string;
    return attach("PolicyRegistry", address, this.provider);
  }

  async policy(registry: string, policyId: string): Promise<PolicyOnChain | undefined> {
    const policy = await readPolicy(await this.policyRegistry(registry), policyId);
    return policy === null
      ? undefined
      : {
          policyCommitment: policy.commitment,
          verificationKeyHash: policy.verificationKeyHash,
          venue: policy.venue,
        };
  }

  async marketCommitment(registry: string, policyId: string, round: bigint): Promise<bigint> {
    const policy = await readPolicy(await this.policyRegistry(registry), policyId);
    if (policy === null) return 0n;
    const address = (await this.registry(registry).getFunction("marketBook")()) as string;
    const record = await readRound(
      attach("MarketBook", address, this.provider),
      policy.feed,
      round,
    );
    return record.commitment;
  }

  async lastNonce(registry: string, account: string, policyId: string): Promise<bigint> {
    return (await nextNonce(this.registry(registry), account, policyId)) - 1n;
  }

  async recorded(
    registry: string,
    account: string,
    policyId: string,
    round: bigint,
    nonce: bigint,
  ): Promise<RecordedProof | undefined> {
    const events = await marginProvedEvents(this.registry(registry), { account, policyId });
    const event = events.find((e) => e.nonce === nonce && e.round === round);
    return event && { transactionHash: event.transactionHash, blockNumber: event.blockNumber };
  }

  async deadline(ttlSeconds: bigint): Promise<bigint> {
    const block = await this.provider.getBlock("latest");
    return BigInt(block?.timestamp ?? Math.floor(Date.now() / 1000)) + ttlSeconds;
  }

  async signRequest(registry: string, message: ProveRequestMessage): Promise<string> {
    let domain = this.domains.get(registry);
    if (domain === undefined) {
      domain = readMarginRegistryDomain(this.registry(registry));
      domain.catch(() => this.domains.delete(registry));
      this.domains.set(registry, domain);
    }
    const signer = await this.accounts.signerFor(message.account);
    return signProveRequest(signer, await domain, message);
  }

  async sendBatch(registry: string, items: RelayedSubmission[]): Promise<SentBatch> {
    const { receipt, outcomes } = await submitProofBatch(this.registry(registry), items);
    const byIndex = new Map(outcomes.map((o) => [o.index, o]));
    return {
      transactionHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      outcomes: items.map((_, i) => {
        const o = byIndex.get(i);
        if (o === undefined) {
          return {
            accepted: false,
            refusal: { name: "NoOutcome" },
            reason: `the receipt of ${receipt.hash} has no MarginProved or ProofSkipped for item ${i}`,
          };
        }
        return o.accepted
          ? { accepted: true }
          : { accepted: false, refusal: { name: o.refusal.name }, reason: o.reason };
      }),
    };
  }

  close(): void {
    this.provider.destroy();
  }
}
