/** `zkmargin watch`: continuous margin for one account under one policy. */
export * from "./alerts";
export * from "./holder";
export * from "./shares";
export * from "./state";
export * from "./state-lock";
export * from "./stress";
export * from "./watcher";
