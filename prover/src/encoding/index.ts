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
  encodePolicySignals,
  encodePortfolioSignals,
  marketElements,
  policyItems,
  portfolioItems,
  type CircuitInput,
  type CircuitSignals,
  type EncodeArgs,
  type MarketSignals,
  type PolicySignals,
  type PortfolioSignals,
} from "./circuit-input";
