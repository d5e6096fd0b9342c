/** Proving and verifying margin proofs, their files, and the commitment opening. */
export {
  generateProof,
  ProofVerificationError,
  type ArtifactSource,
  type GenerateProofArgs,
  type MarginProof,
  type WitnessSource,
} from "./generate-proof";
export { verifyProof } from "./verify-proof";
export {
  chooseProver,
  defaultProverName,
  PROVER_NAMES,
  ProverUnavailableError,
  sharedNativeProver,
  snarkjsProver,
  type Groth16Prover,
  type Groth16Result,
  type ProverName,
} from "./groth16";
export {
  decodePublicSignals,
  encodePublicSignals,
  PUBLIC_SIGNAL_NAMES,
  singlePortfolioCommitment,
  usedCommitments,
  type DecodedPublicSignals,
} from "./public-signals";
export { parseProof, parseVerificationKey } from "./proof-files";
export { toVerifierCalldata, type VerifierCalldata } from "./calldata";
export { chooseInstance, setUpInstances } from "./instance-choice";
export {
  checkOpening,
  checkOpeningSignals,
  openingSignals,
  OPENING_VERSION,
  parseOpening,
  portfolioDifferences,
  portfolioToJson,
  type Opening,
  type OpeningFiles,
  type PortfolioJson,
} from "./opening";
export { holdCurve, releaseCurve, type Groth16Proof, type VerificationKey } from "./snarkjs";
export {
  parsePledgeFile,
  pledgeFileSchema,
  pledgeOpening,
  pledgeOpeningHoldings,
  signedPledgeOf,
  type PledgeArgs,
  type PledgeFile,
} from "./attest";
