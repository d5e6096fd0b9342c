/**
 * The native Groth16 prover behind the {@link Groth16Prover} interface: each instance's zkey is
 * read once (on a worker thread, which also hashes those bytes), checked against the manifest's
 * sha256, and kept in native memory until the manifest names a different zkey (a new setup).
 */
import type { Groth16Prover, Groth16Result } from "../proving/groth16";
import { checkDigest, type LoadedArtifacts } from "../setup/manifest";
import type { NativeAddon } from "./addon";
import { NativeKey, type NativeProof } from "./key";
import { readAndHash } from "./zkey-file";

/** A zkey being loaded: the manifest's sha256, its checked bytes, the key parsed from them. */
interface KeyEntry {
  sha256: string;
  read: Promise<Uint8Array>;
  key: Promise<NativeKey>;
}

export class NativeProver implements Groth16Prover {
  readonly name = "native" as const;
  /** The key is checked against the manifest from the bytes loaded (see {@link key}). */
  readonly checksZkey = true;
  private readonly keys = new Map<string, KeyEntry>();

  constructor(private readonly addon: NativeAddon) {}

  /** Threads each proof uses. */
  get threads(): number {
    return this.addon.threads;
  }

  /**
   * The instance's zkey in native memory (read and hashed on a worker thread, checked against the
   * manifest's sha256, and parsed in native code, on first use); an ArtifactIntegrityError when
   * the file is missing or its bytes are not the manifest's.
   */
  key(artifacts: LoadedArtifacts): Promise<NativeKey> {
    return this.entry(artifacts).key;
  }

  private entry(artifacts: LoadedArtifacts): KeyEntry {
    const record = artifacts.entry.artifacts.zkey;
    const cached = this.keys.get(artifacts.zkey);
    if (cached && cached.sha256 === record.sha256) return cached;
    const read = readAndHash(artifacts.zkey).then(({ bytes, sha256 }) => {
      checkDigest(artifacts.zkey, sha256, record);
      return bytes;
    });
    const key = read.then((bytes) => NativeKey.load(this.addon, artifacts.zkey, bytes));
    const entry: KeyEntry = { sha256: record.sha256, read, key };
    this.keys.set(artifacts.zkey, entry);
    // A failed load is tried again on the next call.
    key.catch(() => {
      if (this.keys.get(artifacts.zkey) === entry) this.keys.delete(artifacts.zkey);
    });
    return entry;
  }

  async prepare(artifacts: LoadedArtifacts): Promise<void> {
    await this.key(artifacts);
  }

  /**
   * Resolves once the zkey's bytes are read and checked and its native parse has started (on a
   * thread of its own): from then on, the key loads while the main thread is busy. Rejects as the
   * load does when the file is missing or not the manifest's; resolves at once when no load of
   * the file was started.
   */
  async handedOff(artifacts: LoadedArtifacts): Promise<void> {
    await this.keys.get(artifacts.zkey)?.read;
  }

  /** A proof with its phase timings (not yet verified). */
  async proveTimed(artifacts: LoadedArtifacts, wtns: Uint8Array): Promise<NativeProof> {
    return (await this.key(artifacts)).prove(wtns);
  }

  async prove(artifacts: LoadedArtifacts, wtns: Uint8Array): Promise<Groth16Result> {
    const { proof, publicSignals } = await this.proveTimed(artifacts, wtns);
    return { proof, publicSignals };
  }

  /** Drops the keys (their native memory is freed once no proof uses them). */
  clear(): void {
    this.keys.clear();
  }
}
