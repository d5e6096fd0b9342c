/** The chain's clock: what `block.timestamp` checks are judged against. */
import type { Provider } from "ethers";

/** The latest block's timestamp (Unix seconds). */
export async function latestBlockTime(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the chain has no latest block");
  return BigInt(block.timestamp);
}
