/**
 * The `zkmargin` command line. Every expected refusal prints one line, `zkmargin: <file>: <path>:
 * <rule>`, to stderr and exits non-zero, without a stack trace; `ZKMARGIN_DEBUG=1` adds the stack
 * of unexpected errors.
 */
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { InputError, ShortfallError } from "../errors";
import { FileExistsError } from "../io/atomic-write";
import { ProofVerificationError, releaseCurve } from "../proving";
import { ArtifactIntegrityError } from "../setup/manifest";
import { TOOL_VERSION } from "../version";
import { register as registerAttest } from "./commands/attest";
import { register as registerAudit } from "./commands/audit";
import { register as registerBatch } from "./commands/batch";
import { register as registerCeremony } from "./commands/ceremony";
import { register as registerCommitments } from "./commands/commitments";
import { register as registerDemo } from "./commands/demo";
import { register as registerDeploy } from "./commands/deploy";
import { register as registerInspect } from "./commands/inspect";
import { register as registerMargin } from "./commands/margin";
import { register as registerMarginCall } from "./commands/margin-call";
import { register as registerProve } from "./commands/prove";
import { register as registerPublish } from "./commands/publish";
import { register as registerScenarios } from "./commands/scenarios";
import { register as registerSetup } from "./commands/setup";
import { register as registerVerify } from "./commands/verify";
import { register as registerWatch } from "./commands/watch";
import { register as registerWeb } from "./commands/web";
import { register as registerWorker } from "./commands/worker";

/** Every verb, in the order `--help` lists them. */
const COMMANDS: ((program: Command) => void)[] = [
  registerMargin,
  registerProve,
  registerVerify,
  registerInspect,
  registerAttest,
  registerCommitments,
  registerScenarios,
  registerAudit,
  registerWeb,
  registerDeploy,
  registerPublish,
  registerWatch,
  registerMarginCall,
  registerBatch,
  registerWorker,
  registerSetup,
  registerCeremony,
  registerDemo,
];

/** Prints a commander usage error (unknown verb or option, missing option) as one refusal line. */
function usageError(message: string, write: (text: string) => void): void {
  const text = message.replace(/^error: /, "").trim();
  write(`zkmargin: command line: ${text} (see --help)\n`);
}

/** The program with every verb registered; commander errors throw instead of exiting. */
export function buildProgram(): Command {
  const program = new Command("zkmargin")
    .description(
      "Private, verifiable margin: prove in zero knowledge that a hidden portfolio meets a published margin policy.",
    )
    .version(TOOL_VERSION, "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({ outputError: usageError });
  // Commands created after this point inherit the exit override and the error output.
  for (const register of COMMANDS) register(program);
  return program;
}

/** Errors that are refusals of bad input or state, reported as one line. */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof InputError ||
    error instanceof ShortfallError ||
    error instanceof FileExistsError ||
    error instanceof ArtifactIntegrityError ||
    error instanceof ProofVerificationError
  );
}

/** Runs the CLI on `argv` (node-style: the first two entries are skipped) and returns the exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    if (isExpected(error)) {
      process.stderr.write(`zkmargin: ${error.message}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`zkmargin: error: ${message}\n`);
      if (process.env.ZKMARGIN_DEBUG === "1" && error instanceof Error) {
        process.stderr.write(`${error.stack}\n`);
      }
    }
    return 1;
  } finally {
    await releaseCurve();
  }
}

/** The executable (bin/zkmargin.js) loads this module; run the CLI when it does. */
const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "zkmargin.js");
if (require.main === module || require.main?.filename === BIN) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
