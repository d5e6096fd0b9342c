/** An account's margin status under a policy, read from the chain and told in words. */
export * from "./format";
export * from "./judge";
export * from "./read";
