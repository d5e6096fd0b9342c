// The zkmargin SDK for plain Node.js (`require("zkmargin")`): loads the TypeScript sources through
// tsx, no build step. TypeScript users get the types from prover/src/index.ts.
require("tsx/cjs");
module.exports = require("./src/index.ts");
