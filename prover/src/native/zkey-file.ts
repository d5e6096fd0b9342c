/**
 * A zkey's bytes and their sha256 from one read, on a worker thread: a cold `zkmargin prove` reads
 * and hashes the 100 MiB of `standard`'s zkey beside the witness work on the main thread (inputs,
 * commitments, witness), rather than before or after it.
 */
import * as fs from "node:fs";
import { Worker } from "node:worker_threads";
import { ArtifactIntegrityError } from "../setup/manifest";

/** The file's bytes as read and the sha256 (hex) of exactly those bytes. */
export interface HashedFile {
  bytes: Uint8Array;
  sha256: string;
}

/**
 * The worker: reads `workerData` (a path) in chunks into one buffer, hashing each chunk as it
 * arrives, and posts the buffer (transferred, not copied) with its digest. Plain CommonJS, so it
 * runs the same from prover/dist and from the sources.
 */
const READ_AND_HASH = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { createHash } = require("node:crypto");
const CHUNK = 8 << 20;
const fd = fs.openSync(workerData, "r");
try {
  const size = fs.fstatSync(fd).size;
  const bytes = new Uint8Array(size);
  const hash = createHash("sha256");
  let at = 0;
  while (at < size) {
    const read = fs.readSync(fd, bytes, at, Math.min(CHUNK, size - at), at);
    if (read === 0) break;
    hash.update(bytes.subarray(at, at + read));
    at += read;
  }
  const out = bytes.subarray(0, at);
  parentPort.postMessage({ bytes: out, sha256: hash.digest("hex") }, [bytes.buffer]);
} finally {
  fs.closeSync(fd);
}
`;

/**
 * Reads `file` and hashes it on a worker thread. A missing file is an
 * {@link ArtifactIntegrityError} (as the manifest check reports it); a read error rejects with it.
 */
export function readAndHash(file: string): Promise<HashedFile> {
  if (!fs.existsSync(file)) {
    return Promise.reject(new ArtifactIntegrityError(file, "missing (listed in the manifest)"));
  }
  return new Promise<HashedFile>((resolve, reject) => {
    const worker = new Worker(READ_AND_HASH, { eval: true, workerData: file });
    worker.once("message", resolve);
    worker.once("error", reject);
    // Without a message or an error first (a settled promise ignores this).
    worker.once("exit", (code) =>
      reject(new Error(`${file}: the thread reading it stopped (exit code ${code})`)),
    );
  });
}
