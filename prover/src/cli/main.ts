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

/** A verb: its name (its module under ./commands is named so) and its line in `--help`. */
type Verb = [name: string, summary: string];

/** Every verb, grouped by who runs it, in the order `--help` lists them. */
const GROUPS: { heading: string; verbs: Verb[] }[] = [
  {
    heading: "Institutions (provers):",
    verbs: [
      ["margin", "the margin report of a portfolio under a policy (local, private)"],
      ["prove", "prove that a portfolio meets a policy; writes the proof and the opening"],
      ["submit", "send a proof with its pledges to the registry; prints the status"],
      ["watch", "keep an account proven round after round, with alerts"],
      ["batch", "prove a round for a folder of portfolios, here or on Redis workers"],
      ["worker", "a proving worker on a Redis queue"],
    ],
  },
  {
    heading: "Custodians:",
    verbs: [
      ["attest", "check a holder's opening against your records and sign it"],
      ["revoke", "revoke your pledges for an account (every venue, or one)"],
    ],
  },
  {
    heading: "Venues and protocols:",
    verbs: [
      ["status", "whether an account's margin counts now, and why (any role)"],
      ["margin-call", "call margin on an account, or settle a call"],
    ],
  },
  {
    heading: "Oracle publishers:",
    verbs: [
      ["publish", "post a market round to a policy's feed"],
      ["scenarios", "add the joint scenario set and option risk arrays to a round"],
    ],
  },
  {
    heading: "Counterparties and auditors:",
    verbs: [
      ["verify", "verify a proof against its public signals"],
      ["inspect", "decode public.json: which account, policy and round a proof is for"],
      ["audit", "audit keys, a ceremony, an opening, a policy or a registry's history"],
      ["web", "build and serve the verify page (verification in the browser)"],
    ],
  },
  {
    heading: "Operators and setup:",
    verbs: [
      ["keystore", "make an encrypted keystore for --keystore (new, import, address)"],
      ["deploy", "deploy the contracts and register policies (Hardhat Ignition)"],
      ["commitments", "the ids and commitments a publisher and governance register"],
      ["setup", "development keys for a circuit instance"],
      ["ceremony", "a multi-party phase-2 trusted setup"],
      ["demo", "the end-to-end story on a local chain"],
    ],
  },
];

/** Prints a commander usage error (unknown verb or option, missing option) as one refusal line. */
function usageError(message: string, write: (text: string) => void): void {
  const text = message.replace(/^error: /, "").trim();
  write(`zkmargin: command line: ${text} (see --help)\n`);
}

/** Registers the verb `name` from its module under ./commands (loaded now, not at start-up). */
function registerVerb(program: Command, name: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const verb = require(`./commands/${name}`) as { register(program: Command): void };
  verb.register(program);
}

/**
 * The program; commander errors throw instead of exiting. Given the command line (node-style),
 * a run of one verb (`zkmargin prove ...`, or its --help) registers and loads that verb alone, so
 * it does not pay for loading every other verb's modules; anything else registers every verb.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command("zkmargin")
    .description(
      "Private, verifiable margin: prove in zero knowledge that a hidden portfolio meets a published margin policy.",
    )
    .version(TOOL_VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "print this help (each verb has its own: zkmargin VERB --help)")
    .exitOverride()
    .configureOutput({ outputError: usageError });
  const named = argv?.[2];
  const only = GROUPS.some((g) => g.verbs.some(([name]) => name === named)) ? named : undefined;
  // Commands created after this point inherit the exit override and the error output.
  for (const group of GROUPS) {
    program.commandsGroup(group.heading);
    for (const [name, summary] of group.verbs) {
      if (only !== undefined && name !== only) continue;
      registerVerb(program, name);
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
    await buildProgram(argv).parseAsync([...argv]);
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
