/** Poseidon commitments to the portfolio, the market round and the policy. */
export { CHUNK_SIZE, poseidon, tagToField, vectorHash } from "./vector-hash";
export {
  MARKET_TAG,
  POLICY_TAG,
  PORTFOLIO_TAG,
  commitMarket,
  commitPolicy,
  commitPortfolio,
  commitPortfolios,
  commitments,
  publicCommitments,
  policyCommitmentOf,
  dimsOf,
  randomSalt,
  usedSlots,
  withCommitments,
  type Commitments,
  type PublicCommitments,
} from "./commit";
