/** Slot layouts, their ids and the MarketBook feeds named by them. */
export * from "./layout";
