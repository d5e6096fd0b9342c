// Hardhat 2 configuration for the zkmargin contracts.
//
// The machines that build this project have no network, so Hardhat cannot download solc. The
// compiler is the solcjs build shipped in the `solc` npm package (pinned to 0.8.30 in
// package.json); the subtask below hands it to Hardhat instead of a downloaded native binary.
require("@nomicfoundation/hardhat-ethers");

const path = require("node:path");
const { subtask } = require("hardhat/config");
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require("hardhat/builtin-tasks/task-names");

const SOLC_VERSION = "0.8.30";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper(args);
  }
  const solc = require("solc");
  const longVersion = solc.version().replace(/\.Emscripten\.clang$/, "");
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  };
});

/** @type {import("hardhat/config").HardhatUserConfig} */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
      // The IR pipeline: about 1,900 gas less per MarginRegistry.prove (npm run gas), which keeps
      // a first proof under the 300,000 target with the v2 checks (feeds, revocation).
      viaIR: true,
    },
  },
  paths: {
    root: __dirname,
    sources: path.join(__dirname, "verifier-contracts", "contracts"),
    tests: path.join(__dirname, "test"),
    cache: path.join(__dirname, "build", "hardhat", "cache"),
    artifacts: path.join(__dirname, "build", "hardhat", "artifacts"),
  },
  mocha: { timeout: 600_000 },
};
