/**
 * `generateProof`: from a policy, a market round and a private portfolio to a locally verified
 * Groth16 margin proof, its Solidity calldata and the opening the holder keeps.
 */
import { randomSalt, withCommitments } from "../commitments";
import { encodeCircuitInput } from "../encoding/circuit-input";
import { ROUND_BITS, SNARK_SCALAR_FIELD, fitsBits } from "../encoding/widths";
import { InputError, ShortfallError } from "../errors";
import {
  checkConsistency,
  type InputFiles,
  type Market,
  type Policy,
  type Portfolio,
} from "../inputs";
import { computeMargin } from "../model";
import type { MarginReport } from "../model";
import { loadArtifacts, type LoadedArtifacts } from "../setup/manifest";
import { bn128 } from "../setup/snarkjs";
import { step, type ProgressListener } from "../setup/progress";
import { chooseInstance } from "./instance-choice";
import { toVerifierCalldata, type VerifierCalldata } from "./calldata";
import { OPENING_VERSION, portfolioToJson, type Opening } from "./opening";
import { encodePublicSignals } from "./public-signals";
import { chooseProver, nativeGroth16Check, type Groth16Prover, type ProverName } from "./groth16";
import { snarkjs, usingCurve, type Groth16Proof } from "./snarkjs";
import { verifyProof } from "./verify-proof";

/** Arguments of {@link generateProof}. */
export interface GenerateProofArgs {
  policy: Policy;
  market: Market;
  portfolio: Portfolio;
  /** Single-use submission nonce, 0 <= nonce < 2^64 (above the account's last one on-chain). */
  nonce: bigint;
  /** Hiding salt, a field element; a fresh uniformly random one by default. Keep it secret. */
  salt?: bigint;
  /** Circuit instance to use; default: the smallest set-up instance that fits. */
  instance?: string;
  /** Receives the start and end of the witness, proving and verification steps. */
  onProgress?: ProgressListener;
  /** File names used in error messages (default `policy.json`, `market.json`, `portfolio.json`). */
  files?: InputFiles;
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
  /** `[account, nonce, marketCommitment, policyCommitment, portfolioCommitment]`, decimal strings. */
  publicSignals: string[];
  /** The generated Solidity verifier's `verifyProof` arguments. */
  calldata: VerifierCalldata;
  /** The commitment opening (private: portfolio and salt); never log it. */
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

const defaultArtifacts: ArtifactSource = (instance, root) => loadArtifacts(instance, { root });

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
 * Proves that `portfolio` meets `policy` at `market`'s round. In order, and before any witness
 * work: checks the three inputs together, the nonce and the salt ({@link InputError}), picks the
 * circuit instance, and refuses an insufficient portfolio with a {@link ShortfallError}. Then it
 * computes the witness in memory, proves with the manifest-checked zkey, verifies the proof with
 * the manifest-checked verification key and checks its public signals, and throws a
 * {@link ProofVerificationError} if either fails. Nothing is written to disk.
 */
export async function generateProof(args: GenerateProofArgs): Promise<MarginProof> {
  const { policy, market, portfolio, nonce } = args;
  const files = args.files ?? DEFAULT_FILES;
  const progress: ProgressListener = args.onProgress ?? (() => undefined);

  checkConsistency(policy, market, portfolio, files);
  if (!fitsBits(nonce, ROUND_BITS)) {
    throw new InputError("arguments", "nonce", `must be an integer in [0, 2^${ROUND_BITS})`);
  }
  const salt = args.salt ?? randomSalt();
  if (salt < 0n || salt >= SNARK_SCALAR_FIELD) {
    throw new InputError("arguments", "salt", "must be a field element (0 <= salt < r)");
  }
  const instance = chooseInstance(policy, market, files.policy, args.instance, args.root);
  const report = computeMargin(policy, market, portfolio);
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
      const artifacts = await (args.artifacts ?? defaultArtifacts)(instance.name, args.root);
      const signals = await withCommitments(
        encodeCircuitInput({ policy, market, portfolio, salt, nonce, instance: instance.dims }),
      );
      let witness: Uint8Array | undefined = await step(progress, "witness", undefined, () =>
        (args.witness ?? defaultWitness)(artifacts, { ...signals }),
      );
      const made = await step(progress, "proving", undefined, () =>
        prover.prove(artifacts, witness as Uint8Array),
      );
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
  const expected = encodePublicSignals({
    account: portfolio.account,
    nonce,
    marketCommitment: signals.marketCommitment,
    policyCommitment: signals.policyCommitment,
    portfolioCommitment: signals.portfolioCommitment,
  });
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

  const opening: Opening = {
    version: OPENING_VERSION,
    account: portfolio.account,
    policyId: policy.id,
    round: market.round.toString(),
    instance: instance.name,
    nonce: nonce.toString(),
    salt: salt.toString(),
    portfolio: portfolioToJson(policy, portfolio),
    commitments: {
      portfolio: signals.portfolioCommitment.toString(),
      market: signals.marketCommitment.toString(),
      policy: signals.policyCommitment.toString(),
    },
  };
  return {
    proof,
    publicSignals,
    calldata: toVerifierCalldata(proof, publicSignals),
    opening,
    instance: instance.name,
    prover: prover.name,
    report,
  };
}
