/** File output and terminal progress for the SDK and the CLI. */
export { writeFileAtomic, FileExistsError, type AtomicWriteOptions } from "./atomic-write";
export { readJsonFile, toJson, writeJsonFile, WHOLE_FILE } from "./json";
export { progressEnabled } from "./progress";
export { readTextFile } from "./read-text";
