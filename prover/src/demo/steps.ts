/** Small steps the demo's chapters share: the chain's clock, expected refusals. */
import path from "node:path";
import type { Contract, Interface, Provider, Signer } from "ethers";
import {
  explainRevert,
  readMarginRegistryDomain,
  signAttestation,
  type Refusal,
  type SignedAttestation,
} from "../chain";
import { ShortfallError } from "../errors";
import { loadPortfolio, type Market, type Policy } from "../inputs";
import { generateProof } from "../proving";

/** The latest block's timestamp. */
export async function latestTimestamp(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the chain has no latest block");
  return block.timestamp;
}

/**
 * Moves a development chain's clock (Hardhat's in-process network, `npx hardhat node`, anvil)
 * `seconds` ahead and mines a block there.
 */
export async function advanceDevChainTime(provider: Provider, seconds: bigint): Promise<void> {
  const rpc = provider as unknown as {
    send?: (method: string, params: unknown[]) => Promise<unknown>;
  };
  if (typeof rpc.send !== "function") {
    throw new Error("advancing the clock needs a JSON-RPC development chain (evm_increaseTime)");
  }
  await rpc.send("evm_increaseTime", [Number(seconds)]);
  await rpc.send("evm_mine", []);
}

/** The custodian's attestation of `portfolioCommitment` for `account`, issued now, valid 24 h. */
export async function attestForADay(
  custodian: Signer,
  registry: Contract,
  provider: Provider,
  subject: { account: string; portfolioCommitment: bigint },
): Promise<SignedAttestation> {
  const domain = await readMarginRegistryDomain(registry);
  const now = BigInt(await latestTimestamp(provider));
  return signAttestation(custodian, domain, {
    ...subject,
    issuedAt: now,
    validUntil: now + 86_400n,
  });
}

/** Runs a transaction expected to revert and returns the refusal: its custom error and words. */
export async function refusal(iface: Interface, send: () => Promise<unknown>): Promise<Refusal> {
  try {
    await send();
  } catch (error) {
    const refused = explainRevert(error, [iface]);
    if (refused) return refused;
    throw error;
  }
  throw new Error("a submission the story expects refused was accepted");
}

/**
 * Tries to prove the portfolio in `file` under `policy`: true when the prover refuses it with its
 * shortfall before any witness work (printed, the file named relative to `root`).
 */
export async function refusesShortfall(
  file: string,
  ctx: {
    policy: Policy;
    market: Market;
    instance: string;
    root: string;
    print: (l: string) => void;
  },
): Promise<boolean> {
  const portfolio = loadPortfolio(file, ctx.policy);
  try {
    await generateProof({
      policy: ctx.policy,
      market: ctx.market,
      instance: ctx.instance,
      portfolio,
      nonce: 1n,
      files: { policy: "policy.json", market: "market.json", portfolio: file },
    });
  } catch (error) {
    if (error instanceof ShortfallError) {
      ctx.print(`${path.relative(ctx.root, file)}: ${error.message}`);
      return true;
    }
    throw error;
  }
  return false;
}
