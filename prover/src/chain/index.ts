/** The on-chain side of the SDK: deployment, EIP-712 signing, calldata, submission, reads. */
export * from "./access-list";
export * from "./artifacts";
export * from "./batch";
export * from "./calldata";
export * from "./clock";
export * from "./deploy";
export * from "./eip712";
export * from "./events";
export * from "./margin-calls";
export * from "./market-book";
export * from "./policy";
export * from "./prove-batch";
export * from "./refusals";
export * from "./registry";
export * from "./revert";
export * from "./roles";
export * from "./send";
