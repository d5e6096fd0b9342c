/** Market files on-chain: the `marketData` encoding, fetching a round, checking it for a feed. */
export * from "./document";
export * from "./encoding";
export * from "./feed";
export * from "./publish";
