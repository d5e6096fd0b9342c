/**
 * `zkmargin audit keys | ceremony | opening | chain | policy`: the auditor's checks. Each prints a
 * checklist (PASS/FAIL per line, WARN for what holds but must be read, SKIP for checks a failure
 * made impossible) or, with --json, the same as JSON; the exit status is 0 only when every check
 * passed.
 */
import type { Command } from "commander";
import { JsonRpcProvider } from "ethers";
import {
  auditCeremony,
  auditChain,
  auditKeys,
  auditOpening,
  auditPolicy,
  auditToJson,
  formatAudit,
  type AuditResult,
} from "../../audit";
import { readDeployment } from "../../deployment";
import { loadMarket, loadPolicy } from "../../inputs";
import { readJsonFile } from "../../io/json";
import { formatReport } from "../../model";
import { InputError } from "../../errors";
import { writeAuditReports, type AuditReportExtras, type AuditReportFiles } from "../../report";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";

/** How an audit's result is given: printed (text or JSON), and optionally as report files. */
type Output = { json?: boolean } & AuditReportFiles;

const HTML_HELP =
  "also write the checklist (and what the audit found) as one self-contained HTML file";
const MD_HELP = "also write the same as Markdown";

/**
 * Prints the audit, writes the report files asked for (`extras` feed them: notes, the opened
 * portfolio's margin report) and sets the exit status.
 */
function report(
  result: AuditResult<unknown>,
  output: Output,
  appendix?: string,
  extras: AuditReportExtras = {},
): void {
  process.stdout.write(output.json === true ? auditToJson(result) : formatAudit(result, appendix));
  // The text appendix is a note (e.g. the vkey hash to register) unless it is the margin report.
  const notes = appendix !== undefined && extras.marginReport === undefined ? [appendix] : [];
  for (const file of writeAuditReports(result, output, { notes, ...extras })) {
    process.stderr.write(`zkmargin: audit report written to ${file}\n`);
  }
  process.exitCode = result.ok ? 0 : 1;
}

/** Registers `zkmargin audit` and its verbs. */
export function register(program: Command): void {
  const audit = program
    .command("audit")
    .description(
      "audit keys, a ceremony, a disclosed opening, a policy or a registry's on-chain history; " +
        "prints PASS/FAIL per check and exits 0 only if all pass",
    )
    .addHelpText(
      "after",
      examples(
        "zkmargin audit keys --instance small",
        "zkmargin audit ceremony --dir ceremony-small",
        "zkmargin audit opening --opening opening.json --public public.json --policy policy.json --market market.json --proof proof.json",
        "zkmargin audit chain --rpc http://127.0.0.1:8545 --registry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
        "zkmargin audit policy --policy examples/desk/policy.json --instance demo",
      ),
    );

  audit
    .command("policy")
    .description(
      "check a policy.json: every well-formedness rule (tier order, bounds), its layout id and " +
        "commitment on an instance, and with --rpc/--registry its registration (commitment, feed, " +
        "verifier key hash against the local manifest)",
    )
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--instance <name>", "circuit instance the policy is laid out for")
    .option("--rpc <url>", "JSON-RPC endpoint of the chain")
    .option("--registry <address>", "MarginRegistry address (with --rpc)")
    .option(
      "--policy-id <id>",
      "registered id: a bytes32 or a policy.json id (default: the file's)",
    )
    .option("--json", "print the checklist as JSON")
    .option("--html <file>", HTML_HELP)
    .option("--md <file>", MD_HELP)
    .addHelpText(
      "after",
      examples(
        "zkmargin audit policy --policy examples/desk/policy.json --instance demo",
        "zkmargin audit policy --policy policy.json --instance demo --rpc http://127.0.0.1:8545 --registry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
      ),
    )
    .action(
      async (opts: {
        policy: string;
        instance: string;
        rpc?: string;
        registry?: string;
        policyId?: string;
        json?: boolean;
        html?: string;
        md?: string;
      }) => {
        if ((opts.rpc === undefined) !== (opts.registry === undefined)) {
          throw new InputError(COMMAND_LINE, "--rpc/--registry", "give both or neither");
        }
        const provider =
          opts.rpc === undefined
            ? undefined
            : new JsonRpcProvider(opts.rpc, undefined, { staticNetwork: true });
        try {
          const result = await auditPolicy({
            json: readJsonFile(opts.policy),
            file: opts.policy,
            instance: opts.instance,
            ...(provider !== undefined && opts.registry !== undefined
              ? {
                  chain: {
                    provider,
                    registry: opts.registry,
                    ...(opts.policyId !== undefined ? { policyId: opts.policyId } : {}),
                  },
                }
              : {}),
          });
          const d = result.data;
          report(
            result,
            opts,
            d.feed === undefined
              ? undefined
              : `To register: PolicyRegistry.registerPolicy(${d.policyId}, {commitment: ${d.commitment}, feed: ${d.feed}, ...})`,
          );
        } finally {
          provider?.destroy();
        }
      },
    );

  audit
    .command("keys")
    .description(
      "check an instance's artifacts against the manifest, the zkey against the r1cs and ptau, and the " +
        "verification key and Solidity verifiers against fresh exports; report the setup kind and vkey hash",
    )
    .requiredOption("--instance <name>", "circuit instance listed in build/manifest.json")
    .option("--ptau <file>", "the ptau to verify with (must be the manifest's file)")
    .option("--require-production", "fail, not warn, on development keys or a development ptau")
    .option("--json", "print the checklist as JSON")
    .option("--html <file>", HTML_HELP)
    .option("--md <file>", MD_HELP)
    .addHelpText(
      "after",
      examples(
        "zkmargin audit keys --instance small",
        "zkmargin audit keys --instance small --ptau powersOfTau28_hez_final_15.ptau --require-production --json",
      ),
    )
    .action(
      async (opts: {
        instance: string;
        ptau?: string;
        requireProduction?: boolean;
        json?: boolean;
        html?: string;
        md?: string;
      }) => {
        const result = await auditKeys(opts.instance, {
          ...(opts.ptau !== undefined ? { ptau: opts.ptau } : {}),
          requireProduction: opts.requireProduction === true,
        });
        const d = result.data;
        report(
          result,
          opts,
          d.vkeyHash === undefined
            ? undefined
            : `vkeyHash to record on-chain (PolicyRegistry.verificationKeyHash): ${d.vkeyHash}`,
        );
      },
    );

  audit
    .command("ceremony")
    .description(
      "check a phase-2 ceremony folder: transcript and file hashes, every contribution in the verified final " +
        "zkey, the closing beacon, and that the installed keys are the ceremony's",
    )
    .requiredOption("--dir <folder>", "ceremony folder (holding transcript.json)")
    .option("--ptau <file>", "the ceremony's ptau, if it is not at the recorded path")
    .option("--json", "print the checklist as JSON")
    .option("--html <file>", HTML_HELP)
    .option("--md <file>", MD_HELP)
    .addHelpText(
      "after",
      examples("zkmargin audit ceremony --dir ceremony-small --ptau pot15.ptau"),
    )
    .action(async (opts: { dir: string; ptau?: string } & Output) => {
      report(
        await auditCeremony(opts.dir, opts.ptau !== undefined ? { ptau: opts.ptau } : {}),
        opts,
      );
    });

  audit
    .command("opening")
    .description(
      "check a holder's disclosed opening: recompute the commitments from the portfolio, salt and public files, " +
        "compare with the proof's public signals, optionally verify the proof, and print the margin report " +
        "(private figures: the holder consented to show them to you)",
    )
    .requiredOption("--opening <file>", "opening.json disclosed by the holder (private)")
    .requiredOption("--public <file>", "public.json of the proof")
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--market <file>", "market.json of the proof's round (public)")
    .option(
      "--proof <file>",
      "proof.json, to verify with the opening instance's manifest-checked key",
    )
    .option("--json", "print the checklist and the margin report as JSON")
    .option("--html <file>", HTML_HELP)
    .option("--md <file>", MD_HELP)
    .addHelpText(
      "after",
      examples(
        "zkmargin audit opening --opening out/opening.json --public out/public.json --policy examples/small/policy.json --market examples/small/market.json --proof out/proof.json",
      ),
    )
    .action(
      async (opts: {
        opening: string;
        public: string;
        policy: string;
        market: string;
        proof?: string;
        json?: boolean;
        html?: string;
        md?: string;
      }) => {
        const policy = loadPolicy(opts.policy);
        const result = await auditOpening({
          opening: readJsonFile(opts.opening),
          publicSignals: readJsonFile(opts.public),
          policy,
          market: loadMarket(opts.market),
          ...(opts.proof !== undefined ? { proof: readJsonFile(opts.proof) } : {}),
          files: {
            opening: opts.opening,
            public: opts.public,
            policy: opts.policy,
            market: opts.market,
            ...(opts.proof !== undefined ? { proof: opts.proof } : {}),
          },
        });
        const margin = result.data.report;
        report(
          result,
          opts,
          margin === undefined
            ? undefined
            : `Margin report of the opened portfolio:\n${formatReport(margin, policy)}`,
          margin === undefined ? {} : { marginReport: margin, policy },
        );
      },
    );

  audit
    .command("chain")
    .description(
      "check a MarginRegistry's history: MarginProved events, each policy's registered vkey hash and verifier " +
        "code against the local build, each round on MarketBook, each proof re-verified from its calldata, and statuses",
    )
    .requiredOption("--rpc <url>", "JSON-RPC endpoint of the chain")
    .option("--registry <address>", "MarginRegistry address (or --deployment)")
    .option(
      "--deployment <file>",
      "deployment.json: its MarginRegistry, and its deployment block as the default --from-block",
    )
    .option("--policy-id <id>", "only this policy: a bytes32 id or a policy.json id")
    .option("--from-block <n>", "first block to read events from (default 0, or the deployment's)")
    .option(
      "--instance <name>",
      "the local instance every policy must use (default: matched by vkey hash)",
    )
    .option("--json", "print the checklist, policies and events as JSON")
    .option("--html <file>", HTML_HELP)
    .option("--md <file>", MD_HELP)
    .addHelpText(
      "after",
      examples(
        "zkmargin audit chain --rpc http://127.0.0.1:8545 --registry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
        "zkmargin audit chain --rpc $RPC --registry $REGISTRY --policy-id desk-maintenance-v1 --from-block 19000000 --json",
        "zkmargin audit chain --rpc $RPC --deployment deployment.json",
      ),
    )
    .action(
      async (opts: {
        rpc: string;
        registry?: string;
        deployment?: string;
        policyId?: string;
        fromBlock?: string;
        instance?: string;
        json?: boolean;
        html?: string;
        md?: string;
      }) => {
        if ((opts.registry === undefined) === (opts.deployment === undefined)) {
          throw new InputError(COMMAND_LINE, "--registry/--deployment", "give exactly one");
        }
        const deployment =
          opts.deployment !== undefined ? readDeployment(opts.deployment) : undefined;
        const registry = deployment?.contracts.marginRegistry ?? (opts.registry as string);
        const fromBlock =
          opts.fromBlock !== undefined
            ? Number(parseIntegerOption(opts.fromBlock, "--from-block", 53))
            : (deployment?.startBlock ?? 0);
        const provider = new JsonRpcProvider(opts.rpc, undefined, { staticNetwork: true });
        try {
          const result = await auditChain({
            provider,
            registry,
            fromBlock,
            ...(opts.policyId !== undefined ? { policyId: opts.policyId } : {}),
            ...(opts.instance !== undefined ? { instance: opts.instance } : {}),
          });
          report(result, opts);
        } finally {
          provider.destroy();
        }
      },
    );
}
