#!/usr/bin/env node
// Entry point of the `zkmargin` CLI: runs the TypeScript sources through tsx, no build step.
require("tsx/cjs");
require("../prover/src/cli/main.ts");
