/**
 * `node:fs` in the browser bundle. The SDK modules the page bundles import fs only for reading
 * files by path (e.g. the default instance table), which the page never does: it hands the SDK
 * parsed documents instead. A call here is a bug in the page, so it fails loudly.
 */
function noFileSystem(name: string): never {
  throw new Error(`fs.${name}: there is no file system in the browser`);
}

export const readFileSync = (): never => noFileSystem("readFileSync");
export const existsSync = (): never => noFileSystem("existsSync");
export const writeFileSync = (): never => noFileSystem("writeFileSync");
export const createReadStream = (): never => noFileSystem("createReadStream");

export default { readFileSync, existsSync, writeFileSync, createReadStream };
