/** Deploying zkmargin with Hardhat Ignition, and the deployment file the other verbs read. */
export * from "./connect";
export * from "./deploy";
export * from "./eip1193";
export * from "./file";
export * from "./ignition";
