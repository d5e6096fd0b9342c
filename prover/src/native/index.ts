/** The native Groth16 prover (C++ in native/, an N-API addon) and its loader. */
export {
  ADDON_FILE,
  FAST_PATH,
  nativeAddon,
  type NativeAddon,
  type NativeStatus,
  type RawPtauCheck,
} from "./addon";
export {
  NATIVE_MSMS,
  NativeKey,
  NativeProverError,
  type NativeMsm,
  type NativePhases,
  type NativeProof,
} from "./key";
export { NativeProver } from "./prover";
export { verifyGroth16Native } from "./verify";
