/** `zkmargin verify`: checks a proof against its public signals with a verification key. */
import type { Command } from "commander";
import { InputError } from "../../errors";
import { readJsonFile } from "../../io/json";
import {
  decodePublicSignals,
  parseProof,
  parseVerificationKey,
  verifyProof,
  type VerificationKey,
} from "../../proving";
import { loadArtifacts } from "../../setup/manifest";
import { COMMAND_LINE, PUBLIC_FILE_HELP, examples } from "../options";

interface VerifyOptions {
  proof: string;
  public: string;
  vkey?: string;
  instance?: string;
}

/** The verification key from `--vkey` or, manifest-checked, from `--instance`; and its label. */
async function verificationKey(opts: VerifyOptions): Promise<[VerificationKey, string]> {
  if ((opts.vkey === undefined) === (opts.instance === undefined)) {
    throw new InputError(COMMAND_LINE, "--vkey/--instance", "give exactly one of the two");
  }
  if (opts.vkey !== undefined) {
    return [parseVerificationKey(readJsonFile(opts.vkey), opts.vkey), opts.vkey];
  }
  const instance = opts.instance as string;
  const artifacts = await loadArtifacts(instance);
  return [artifacts.vkey, `instance ${instance} (${artifacts.entry.kind} keys, manifest-checked)`];
}

/** Registers `zkmargin verify`. */
export function register(program: Command): void {
  program
    .command("verify")
    .description("verify a Groth16 margin proof; exit status 0 when it verifies, 1 otherwise")
    .requiredOption("--proof <file>", "proof.json")
    .requiredOption("--public <file>", PUBLIC_FILE_HELP)
    .option("--vkey <file>", "verification_key.json to verify with")
    .option(
      "--instance <name>",
      "use the set-up instance's key, checked against build/manifest.json",
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin verify --proof out/proof.json --public out/public.json --instance small",
        "zkmargin verify --proof proof.json --public public.json --vkey verification_key.json",
      ),
    )
    .action(async (opts: VerifyOptions) => {
      const proof = parseProof(readJsonFile(opts.proof), opts.proof);
      const publicSignals = readJsonFile(opts.public);
      const decoded = decodePublicSignals(publicSignals, opts.public);
      const [vkey, label] = await verificationKey(opts);
      if (!(await verifyProof(proof, publicSignals as string[], vkey))) {
        throw new InputError(opts.proof, "$", `does not verify for ${opts.public} with ${label}`);
      }
      process.stdout.write(
        `valid: the proof verifies with ${label} (account ${decoded.account}, nonce ${decoded.nonce})\n`,
      );
    });
}
