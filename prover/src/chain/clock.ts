/** The chain's clock: what `block.timestamp` checks are judged against. */
import type { Provider } from "ethers";

/** The latest block's timestamp (Unix seconds). */
export async function latestBlockTime(provider: Provider): Promise<bigint> {
  const block = await provider.getBlock("latest");
  if (!block) throw new Error("the chain has no latest block");
  return BigInt(block.timestamp);
}

/**
 * The earliest time the next block can carry: the latest block's time, or this machine's clock
 * when it is later. A node that mines only for transactions (`npx hardhat node`) stamps the next
 * block with the wall clock, however old its latest block is; a chain that lags this clock
 * refuses a transaction judged too early with the contract's own error.
 */
export async function nextBlockTime(provider: Provider, now = Date.now()): Promise<bigint> {
  const latest = await latestBlockTime(provider);
  const wall = BigInt(Math.floor(now / 1000));
  return wall > latest ? wall : latest;
}
