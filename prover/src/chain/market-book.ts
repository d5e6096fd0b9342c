/**
 * Publishing market rounds in MarketBook.
 */
import type { BaseContract, ContractTransactionReceipt } from "ethers";

/** What {@link postRound} publishes: a round, its timestamp and its market commitment. */
export interface RoundPosting {
  round: bigint;
  timestamp: bigint;
  /** The round's market commitment (`commitments(...).market`). */
  commitment: bigint;
}

/** Posts a market round; the signer needs PUBLISHER_ROLE. */
export async function postRound(
  marketBook: BaseContract,
  posting: RoundPosting,
): Promise<ContractTransactionReceipt> {
  const tx = await marketBook.getFunction("postRound")(
    posting.round,
    posting.timestamp,
    posting.commitment,
  );
  return (await tx.wait()) as ContractTransactionReceipt;
}
