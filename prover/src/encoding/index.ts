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
  accountToField,
  encodeCircuitInput,
  marketItems,
  policyItems,
  portfolioItems,
  type CircuitInput,
  type CircuitSignals,
  type EncodeArgs,
} from "./circuit-input";
