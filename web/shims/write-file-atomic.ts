/**
 * `write-file-atomic` in the browser bundle. The SDK's file writers come along with the modules
 * the page bundles (through the JSON helpers), but the page never writes a file: a call here is a
 * bug in the page, so it fails loudly.
 */
function noFileSystem(): never {
  throw new Error("write-file-atomic: there is no file system in the browser");
}

const writeFileAtomic = Object.assign((): never => noFileSystem(), {
  sync: (): never => noFileSystem(),
});

export default writeFileAtomic;
