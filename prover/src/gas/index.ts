/**
 * Gas measurements on Hardhat's in-process EVM, shared by `npm run gas` and `npm run bench`:
 * `MarginRegistry.prove` with real proofs, the generated verifiers' batch check (`verifyBatch`)
 * with real proofs and where its gas goes, generated Groth16 verifiers with any number of
 * public inputs, and what a consumer contract pays for each view of IMarginOracle (on a stand-in
 * deployment whose verifier accepts one expected proof, also what the example venue's tests use).
 */
export {
  batchAccount,
  calldataGas,
  measureBatchGas,
  proofCalldataGas,
  provenBatchItems,
  tracedCall,
  tracedTransaction,
  type BatchGas,
  type GasSplit,
} from "./batch-gas";
export {
  batchWallet,
  measureProveBatchGas,
  type FirstAndRepeat,
  type ProveBatchGas,
} from "./prove-batch-gas";
export {
  gasVenue,
  measureProveGas,
  measureSeveralPledgesGas,
  pledgedProof,
  pledgeOf,
  type ExampleTriple,
  type GasSigners,
  type PledgedProof,
  type PledgesGas,
  type ProveGas,
  type VenueRules,
} from "./prove-gas";
export {
  installZkMarginVerifier,
  keyAcceptingMoreSignals,
  measureVerifierGas,
  renderGroth16Verifier,
  withPublicInputs,
  zkMarginVerifierAbi,
  type Installed,
  type RpcProvider,
  type VerifierGas,
} from "./verifier-gas";
export {
  bytecodeSize,
  compileSolidity,
  GENERATED_SOURCE_UNIT,
  projectImport,
  projectSolc,
  MAX_RUNTIME_BYTES,
  type CompiledBytecode,
  type ProjectSolc,
} from "./solidity";
export {
  deployStandIn,
  type StandInDeployment,
  type StandInPolicy,
  type StandInRoles,
} from "./stand-in";
export { measureViewGas, type ViewGas, type ViewGasSigners } from "./view-gas";
