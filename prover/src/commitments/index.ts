/** Poseidon commitments to the portfolio, the market round and the policy. */
export { CHUNK_SIZE, poseidon, tagToField, vectorHash } from "./vector-hash";
export {
  MARKET_TAG,
  POLICY_TAG,
  PORTFOLIO_TAG,
  commitMarket,
  commitPolicy,
  commitPortfolio,
  commitments,
  publicCommitments,
  policyCommitmentOf,
  dimsOf,
  randomSalt,
  withCommitments,
  type Commitments,
  type PublicCommitments,
} from "./commit";
