/** Encoding of inputs into circuit signals, instance fitting and commitment packing. */
export * from "./widths";
export {
  DIMENSIONS,
  INSTANCES_FILE,
  InstanceFitError,
  assertFits,
  fits,
  loadInstances,
  misfits,
  requiredDims,
  smallestFittingInstance,
  type InstanceDims,
} from "./instances";
export { packItems, type PackItem } from "./pack";
export {
  accountNonceOf,
  accountToField,
  encodeCircuitInput,
  encodeLayoutId,
  encodeMarketSignals,
  encodePiecesSignals,
  encodePolicySignals,
  encodePortfolioSignals,
  marketElements,
  pieceOf,
  policyItems,
  portfolioItems,
  stackPieces,
  type CircuitInput,
  type CircuitSignals,
  type EncodeArgs,
  type MarketSignals,
  type PiecesSignals,
  type PolicySignals,
  type PortfolioSignals,
} from "./circuit-input";
