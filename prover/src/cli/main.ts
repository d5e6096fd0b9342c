/**
 * The `zkmargin` command line. Every expected refusal prints one line, `zkmargin: <file>: <path>:
 * <rule>`, to stderr and exits 1, without a stack trace; `ZKMARGIN_DEBUG=1` adds the stack of
 * unexpected errors. A "no" answer (a shortfall, a status that does not count) exits 2
 * (`exit-status.ts`).
 */
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { InputError, ShortfallError } from "../errors";
import { FileExistsError } from "../io/atomic-write";
import { ProofVerificationError, releaseCurve } from "../proving";
import { ArtifactIntegrityError } from "../setup/manifest";
import { TOOL_VERSION } from "../version";
import { EXIT_NO, NegativeAnswer } from "./exit-status";
import { register as registerAttest } from "./commands/attest";
import { register as registerAudit } from "./commands/audit";
import { register as registerBatch } from "./commands/batch";
import { register as registerCeremony } from "./commands/ceremony";
import { register as registerCommitments } from "./commands/commitments";
import { register as registerDemo } from "./commands/demo";
import { register as registerDeploy } from "./commands/deploy";
import { register as registerInspect } from "./commands/inspect";
import { register as registerKeystore } from "./commands/keystore";
import { register as registerMargin } from "./commands/margin";
import { register as registerMarginCall } from "./commands/margin-call";
import { register as registerProve } from "./commands/prove";
import { register as registerPublish } from "./commands/publish";
import { register as registerRevoke } from "./commands/revoke";
import { register as registerScenarios } from "./commands/scenarios";
import { register as registerSetup } from "./commands/setup";
import { register as registerStatus } from "./commands/status";
import { register as registerSubmit } from "./commands/submit";
import { register as registerVerify } from "./commands/verify";
import { register as registerWatch } from "./commands/watch";
import { register as registerWeb } from "./commands/web";
import { register as registerWorker } from "./commands/worker";

/** A verb: how it is registered, and its line in the top-level `--help`. */
type Verb = [register: (program: Command) => void, summary: string];

/** Every verb, grouped by who runs it, in the order `--help` lists them. */
const GROUPS: { heading: string; verbs: Verb[] }[] = [
  {
    heading: "Institutions (provers):",
    verbs: [
      [registerMargin, "the margin report of a portfolio under a policy (local, private)"],
      [registerProve, "prove that a portfolio meets a policy; writes the proof and the opening"],
      [registerSubmit, "send a proof with its pledges to the registry; prints the status"],
      [registerWatch, "keep an account proven round after round, with alerts"],
      [registerBatch, "prove a round for a folder of portfolios, here or on Redis workers"],
      [registerWorker, "a proving worker on a Redis queue"],
    ],
  },
  {
    heading: "Custodians:",
    verbs: [
      [registerAttest, "check a holder's opening against your records and sign it"],
      [registerRevoke, "revoke your pledges for an account (every venue, or one)"],
    ],
  },
  {
    heading: "Venues and protocols:",
    verbs: [
      [registerStatus, "whether an account's margin counts now, and why (any role)"],
      [registerMarginCall, "call margin on an account, or settle a call"],
    ],
  },
  {
    heading: "Oracle publishers:",
    verbs: [
      [registerPublish, "post a market round to a policy's feed"],
      [registerScenarios, "add the joint scenario set and option risk arrays to a round"],
    ],
  },
  {
    heading: "Counterparties and auditors:",
    verbs: [
      [registerVerify, "verify a proof against its public signals"],
      [registerInspect, "decode public.json: which account, policy and round a proof is for"],
      [registerAudit, "audit keys, a ceremony, an opening, a policy or a registry's history"],
      [registerWeb, "build and serve the verify page (verification in the browser)"],
    ],
  },
  {
    heading: "Operators and setup:",
    verbs: [
      [registerKeystore, "make an encrypted keystore for --keystore (new, import, address)"],
      [registerDeploy, "deploy the contracts and register policies (Hardhat Ignition)"],
      [registerCommitments, "the ids and commitments a publisher and governance register"],
      [registerSetup, "development keys for a circuit instance"],
      [registerCeremony, "a multi-party phase-2 trusted setup"],
      [registerDemo, "the end-to-end story on a local chain"],
    ],
  },
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
    .helpOption("-h, --help", "print this help (each verb has its own: zkmargin VERB --help)")
    .exitOverride()
    .configureOutput({ outputError: usageError });
  // Commands created after this point inherit the exit override and the error output.
  for (const group of GROUPS) {
    program.commandsGroup(group.heading);
    for (const [register, summary] of group.verbs) {
      register(program);
      program.commands.at(-1)?.summary(summary);
    }
  }
  program.helpCommand("help [verb]", "print a verb's help (as zkmargin VERB --help)");
  program.addHelpText(
    "after",
    "\nA verb's own --help lists its options and examples, and its exit status where it answers yes or no.\n",
  );
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
    if (error instanceof NegativeAnswer) {
      process.stderr.write(`zkmargin: ${error.message}\n`);
      return EXIT_NO;
    }
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
