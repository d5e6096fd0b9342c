/**
 * `generateProof`: from a policy, a market round and a private portfolio (or several
 * sub-portfolios, one per custodian) to a locally verified Groth16 margin proof, its Solidity
 * calldata and the openings the holder keeps, one per sub-portfolio.
 */
import { randomSalt, withCommitments } from "../commitments";
import { encodeCircuitInput } from "../encoding/circuit-input";
import { ROUND_BITS, SNARK_SCALAR_FIELD, fitsBits } from "../encoding/widths";
import { InputError, ShortfallError } from "../errors";
import {
  checkPiecesConsistency,
  piecesFiles,
  type InputFiles,
  type Market,
  type PiecesFiles,
  type Policy,
  type Portfolio,
} from "../inputs";
import { statementSignals } from "../inspect/signals";
import { computeMargin, piecesOf } from "../model";
import type { MarginReport } from "../model";
import { loadArtifacts, type LoadedArtifacts } from "../setup/manifest";
import { bn128 } from "../setup/snarkjs";
import { step, type ProgressListener } from "../setup/progress";
import { chooseInstance } from "./instance-choice";
import { toVerifierCalldata, type VerifierCalldata } from "./calldata";
import { OPENING_VERSION, portfolioToJson, type Opening } from "./opening";
import { chooseProver, nativeGroth16Check, type Groth16Prover, type ProverName } from "./groth16";
import { snarkjs, usingCurve, type Groth16Proof } from "./snarkjs";
import { verifyProof } from "./verify-proof";

/** Arguments of {@link generateProof}. */
export interface GenerateProofArgs {
  policy: Policy;
  market: Market;
  /**
   * The portfolio, or its sub-portfolios in pledge-slot order (one per custodian; at most the
   * instance's pledge slots), all naming the same account. The proof is of their sum.
   */
  portfolio: Portfolio | readonly Portfolio[];
  /** Single-use submission nonce, 0 <= nonce < 2^64 (above the account's last one on-chain). */
  nonce: bigint;
  /**
   * Hiding salt of each sub-portfolio's commitment (a bigint for one portfolio), field elements,
   * all different; fresh uniformly random ones by default. Keep them secret.
   */
  salt?: bigint | readonly bigint[];
  /** Circuit instance to use; default: the smallest set-up instance that fits. */
  instance?: string;
  /** Receives the start and end of the witness, proving and verification steps. */
  onProgress?: ProgressListener;
  /**
   * File names used in error messages (default `policy.json`, `market.json`, `portfolio.json`;
   * `portfolios`, one per sub-portfolio, when there are several).
   */
  files?: InputFiles | PiecesFiles;
  /** Project root holding build/manifest.json (default: this checkout). */
  root?: string;
  /**
   * Where the manifest-checked artifacts of the chosen instance come from; default
   * {@link loadArtifacts}, which re-reads and re-hashes them on every call. A long-lived prover
   * (a queue worker) passes a cache of `loadArtifacts` results so each proof skips that work.
   */
  artifacts?: ArtifactSource;
  /**
   * Computes the witness; default snarkjs's `wtns.calculate`, which compiles the instance's
   * WebAssembly on every call. A long-lived prover passes calculators it compiled once.
   */
  witness?: WitnessSource;
  /**
   * The Groth16 prover, by name or as a prover object (a warm worker passes its own); default
   * the native prover when it is built, else snarkjs (see {@link chooseProver}).
   */
  prover?: ProverName | Groth16Prover;
}

/** Gives the manifest-checked artifacts of a circuit instance (see {@link loadArtifacts}). */
export type ArtifactSource = (instance: string, root?: string) => Promise<LoadedArtifacts>;

/** Computes the witness of `input` (the `.wtns` bytes, kept in memory) with the instance's wasm. */
export type WitnessSource = (
  artifacts: LoadedArtifacts,
  input: Record<string, unknown>,
) => Promise<Uint8Array>;

/** A locally verified margin proof and what goes with it. */
export interface MarginProof {
  proof: Groth16Proof;
  /**
   * `[accountNonce, marketCommitment, policyCommitment, portfolioCommitment_1 .. _C]`, decimal
   * strings (C the instance's pledge slots; 0 for an unused slot).
   */
  publicSignals: string[];
  /** The generated Solidity verifier's `verifyProof` arguments. */
  calldata: VerifierCalldata;
  /**
   * One opening per sub-portfolio, in slot order (private: the sub-portfolio and its salt); give
   * each custodian only its own, never log them.
   */
  openings: Opening[];
  /** The first sub-portfolio's opening (`openings[0]`; the one opening of a one-portfolio proof). */
  opening: Opening;
  /** The circuit instance used. */
  instance: string;
  /** The Groth16 prover that made the proof. */
  prover: ProverName;
  /** The reference model's report the proof attests to (private figures; never log it). */
  report: MarginReport;
}

/** Thrown when a freshly made proof does not verify or proves other public values than intended. */
export class ProofVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProofVerificationError";
  }
}

/**
 * {@link loadArtifacts}, leaving the zkey's hash to a prover that checks the bytes it loads
 * itself (one read of the zkey, not two).
 */
const defaultArtifacts =
  (prover: Groth16Prover): ArtifactSource =>
  (instance, root) =>
    loadArtifacts(instance, { root, zkeyCheckedByCaller: prover.checksZkey === true });

const defaultWitness: WitnessSource = async (artifacts, input) => {
  const witness: { type: "mem"; data?: Uint8Array } = { type: "mem" };
  await snarkjs.wtns.calculate(input, artifacts.wasm, witness);
  if (witness.data === undefined) throw new Error("snarkjs wrote no witness");
  return witness.data;
};

const DEFAULT_FILES: InputFiles = {
  policy: "policy.json",
  market: "market.json",
  portfolio: "portfolio.json",
};

/**
 * One salt per sub-portfolio: the given ones (a bigint for one portfolio), checked to be field
 * elements and all different (two equal sub-portfolios with one salt would share a commitment,
 * which a registry refuses as a repeated pledge), else fresh random ones.
 */
function saltsFor(salt: GenerateProofArgs["salt"], count: number): bigint[] {
  if (salt === undefined) return Array.from({ length: count }, () => randomSalt());
  const salts = typeof salt === "bigint" ? [salt] : [...salt];
  const field = (k: number): string => (typeof salt === "bigint" ? "salt" : `salt[${k}]`);
  if (salts.length !== count) {
    throw new InputError("arguments", "salt", `${salts.length} salts for ${count} sub-portfolios`);
  }
  salts.forEach((s, k) => {
    if (s < 0n || s >= SNARK_SCALAR_FIELD) {
      throw new InputError("arguments", field(k), "must be a field element (0 <= salt < r)");
    }
    const first = salts.indexOf(s);
    if (first !== k) {
      throw new InputError(
        "arguments",
        field(k),
        `repeats salt[${first}]: each sub-portfolio needs its own salt`,
      );
    }
  });
  return salts;
}

/**
 * Proves that `portfolio` (one, or the sum of several sub-portfolios) meets `policy` at
 * `market`'s round. In order, and before any witness work: checks the inputs together (each
 * sub-portfolio about its own file, all of one account), the nonce and the salts
 * ({@link InputError}), picks a circuit instance with enough pledge slots, and refuses an
 * insufficient sum with a {@link ShortfallError}. Then it computes the witness in memory, proves
 * with the manifest-checked zkey, verifies the proof with the manifest-checked verification key
 * and checks its public signals, and throws a {@link ProofVerificationError} if either fails.
 * Nothing is written to disk.
 */
export async function generateProof(args: GenerateProofArgs): Promise<MarginProof> {
  const { policy, market, nonce } = args;
  const pieces = piecesOf(args.portfolio);
  const files = piecesFiles(args.files ?? DEFAULT_FILES, pieces.length);
  const progress: ProgressListener = args.onProgress ?? (() => undefined);

  checkPiecesConsistency(policy, market, pieces, files);
  if (!fitsBits(nonce, ROUND_BITS)) {
    throw new InputError("arguments", "nonce", `must be an integer in [0, 2^${ROUND_BITS})`);
  }
  const salts = saltsFor(args.salt, pieces.length);
  const instance = chooseInstance(
    policy,
    market,
    files.policy,
    args.instance,
    args.root,
    pieces.length,
  );
  const report = computeMargin(policy, market, pieces);
  if (!report.sufficient) throw new ShortfallError(report);

  const prover = typeof args.prover === "object" ? args.prover : chooseProver(args.prover);
  // Every proof, native or snarkjs, is verified before it is returned: natively when the addon
  // is loaded, else with snarkjs.
  const check = nativeGroth16Check();
  // The witness stays in memory (it holds every private value) and is dropped after proving.
  const { signals, proof, publicSignals, valid } = await usingCurve(async () => {
    // Without the native check, snarkjs's curve (which then verifies the proof) is built while
    // the artifacts are checked and the native prover works; if that fails here, the
    // verification builds it again and says why. It is awaited before leaving, so that
    // usingCurve can stop its threads whatever happens.
    const curve =
      prover.name === "native" && check === undefined ? bn128().catch(() => undefined) : undefined;
    try {
      const artifacts = await (args.artifacts ?? defaultArtifacts(prover))(
        instance.name,
        args.root,
      );
      // The prover loads its key (the native one: the zkey read, hashed and parsed off the main
      // thread) while the commitments and the witness are computed; proving waits for it.
      const ready = prover.prepare(artifacts);
      ready.catch(() => undefined); // awaited below; a failure is reported there
      const signals = await withCommitments(
        encodeCircuitInput({
          policy,
          market,
          portfolio: pieces,
          salt: salts,
          nonce,
          instance: instance.dims,
        }),
        pieces.length,
      );
      // The witness holds the main thread: the key's load must not wait on it. A zkey refused
      // (missing, or not the manifest's bytes) is reported here, before the witness.
      await prover.handedOff?.(artifacts);
      let witness: Uint8Array | undefined = await step(progress, "witness", undefined, () =>
        (args.witness ?? defaultWitness)(artifacts, { ...signals }),
      );
      const made = await step(progress, "proving", undefined, async () => {
        await ready;
        return prover.prove(artifacts, witness as Uint8Array);
      });
      witness = undefined;
      await curve;
      const verified = await step(progress, "verifying", undefined, () =>
        verifyProof(made.proof, made.publicSignals, artifacts.vkey, check),
      );
      return { signals, ...made, valid: verified };
    } finally {
      await curve;
    }
  });
  const expected = statementSignals({
    account: pieces[0].account,
    nonce,
    marketCommitment: signals.marketCommitment,
    policyCommitment: signals.policyCommitment,
    portfolioCommitments: signals.portfolioCommitment,
  }).map((s) => s.toString());
  if (!valid) {
    throw new ProofVerificationError(
      `the proof made with instance "${instance.name}" does not verify with its verification key`,
    );
  }
  if (publicSignals.join() !== expected.join()) {
    throw new ProofVerificationError(
      "the proof's public signals differ from the encoder's; circuit and encoder disagree",
    );
  }

  const portfolios = signals.portfolioCommitment.map((c) => c.toString());
  const openings: Opening[] = pieces.map((piece, k) => ({
    version: OPENING_VERSION,
    account: piece.account,
    policyId: policy.id,
    round: market.round.toString(),
    instance: instance.name,
    nonce: nonce.toString(),
    slot: k + 1,
    salt: salts[k].toString(),
    portfolio: portfolioToJson(policy, piece),
    commitments: {
      portfolio: portfolios[k],
      portfolios,
      market: signals.marketCommitment.toString(),
      policy: signals.policyCommitment.toString(),
    },
  }));
  return {
    proof,
    publicSignals,
    calldata: toVerifierCalldata(proof, publicSignals),
    openings,
    opening: openings[0],
    instance: instance.name,
    prover: prover.name,
    report,
  };
}
