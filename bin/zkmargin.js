#!/usr/bin/env node
// Entry point of the `zkmargin` CLI: the compiled JavaScript in prover/dist (in a development
// checkout whose build is stale, the TypeScript sources through tsx; see prover/load.js).
const { load } = require("../prover/load");

try {
  load("cli/main");
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`zkmargin: ${message}\n`);
  if (process.env.ZKMARGIN_DEBUG === "1" && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exitCode = 1;
}
