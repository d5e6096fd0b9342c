/** Injected into the browser bundle: Node's `Buffer` global (used by the SDK's tag hashing). */
export { Buffer } from "buffer";
