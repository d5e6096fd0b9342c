/** Reading a contract's decoded events in a block range. */
import type { BaseContract, ContractEventName, EventLog } from "ethers";

/** A block range: from the first block (default 0) to the last (default "latest"). */
export interface BlockRange {
  fromBlock?: number;
  toBlock?: number | string;
}

/** The decoded logs of `event` (a name or filter) emitted by `contract` in `range`. */
export async function queryEvents(
  contract: BaseContract,
  event: ContractEventName,
  range: BlockRange = {},
): Promise<EventLog[]> {
  const logs = await contract.queryFilter(event, range.fromBlock ?? 0, range.toBlock ?? "latest");
  return logs.filter((log): log is EventLog => "args" in log);
}
