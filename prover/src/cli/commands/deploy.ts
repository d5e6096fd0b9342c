/**
 * `zkmargin deploy contracts | policy`: the Hardhat Ignition modules of prover/src/deployment
 * against a JSON-RPC node, each step signed by the role that may take it (keys from
 * `ZKMARGIN_<ROLE>_KEY` or keystores, never the command line), with Ignition's journal so an
 * interrupted run resumes, and the deployment file the other verbs read.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import {
  deployContracts,
  deployPolicy,
  readDeployment,
  verifierApprovals,
  writeDeployment,
} from "../../deployment";
import { InputError } from "../../errors";
import { FileExistsError } from "../../io/atomic-write";
import { loadPolicy } from "../../inputs";
import { readJsonFile, writeJsonFile } from "../../io/json";
import { hasKeyInEnv, KEYSTORE_PASSWORD_ENV, keyEnvOf, loadWallet } from "../../signer";
import { collect, parseAddress } from "../chain-options";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";
import { seconds, unixTime } from "../../time";

/** The journal folder: `--journal`, or `<deployment file>.ignition/` beside it. */
function journalOf(file: string, journal?: string): string {
  return journal ?? path.join(path.dirname(file), `${path.basename(file, ".json")}.ignition`);
}

function approvalDelayOf(text: string): bigint {
  const delay = parseIntegerOption(text, "--approval-delay", 32);
  if (delay === 0n) throw new InputError(COMMAND_LINE, "--approval-delay", "must be at least 1");
  return delay;
}

function confirmationsOf(text?: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(parseIntegerOption(text, "--confirmations", 8));
  if (n === 0) throw new InputError(COMMAND_LINE, "--confirmations", "must be at least 1");
  return n;
}

/** Registers `zkmargin deploy`. */
export function register(program: Command): void {
  const deploy = program
    .command("deploy")
    .description(
      "deploy the contracts and register policies with Hardhat Ignition (resumable), writing the deployment file",
    );

  deploy
    .command("contracts")
    .description(
      "deploy each instance's verifier, MarketBook, PolicyRegistry and MarginRegistry; grant the policy and " +
        "custodian admin roles to their holders; propose the verifiers (approvable after --approval-delay); " +
        `hand the admin over to --admin (key from $${keyEnvOf("deployer")} or --keystore)`,
    )
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .requiredOption(
      "--instance <name>",
      "circuit instance whose verifier to deploy (repeatable)",
      collect,
      [],
    )
    .requiredOption("--out <file>", "the deployment file to write (never overwritten)")
    .option("--policy-admin <address>", "POLICY_ADMIN_ROLE holder (repeatable)", collect, [])
    .option("--custodian-admin <address>", "CUSTODIAN_ADMIN_ROLE holder (repeatable)", collect, [])
    .option(
      "--admin <address>",
      "final default admin (a two-step transfer is begun; default: the deployer)",
    )
    .option("--admin-delay <seconds>", "delay of a default-admin transfer", "172800")
    .option(
      "--approval-delay <seconds>",
      "delay between a verifier's proposal and its approval (non-zero)",
      "172800",
    )
    .option(
      "--keystore <file>",
      `the deployer's encrypted keystore (password from $${KEYSTORE_PASSWORD_ENV})`,
    )
    .option("--journal <dir>", "Ignition journal folder (default: <out>.ignition/ beside --out)")
    .option("--confirmations <n>", "confirmations per transaction on chains that do not automine")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_DEPLOYER_KEY=0x... zkmargin deploy contracts --rpc http://127.0.0.1:8545 --instance demo --policy-admin 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 --custodian-admin 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc --out deployment.json",
      ),
    )
    .action(
      async (opts: {
        rpc: string;
        instance: string[];
        out: string;
        policyAdmin: string[];
        custodianAdmin: string[];
        admin?: string;
        adminDelay: string;
        approvalDelay: string;
        keystore?: string;
        journal?: string;
        confirmations?: string;
      }) => {
        // Before anything is sent (the write below refuses it again, atomically).
        if (existsSync(opts.out)) throw new FileExistsError(opts.out);
        const addresses = (list: string[], option: string) =>
          list.map((a) => parseAddress(a, option));
        const confirmations = confirmationsOf(opts.confirmations);
        const deployment = await deployContracts({
          rpc: opts.rpc,
          deployer: await loadWallet("deployer", opts.keystore),
          instances: opts.instance,
          ...(opts.admin !== undefined ? { admin: parseAddress(opts.admin, "--admin") } : {}),
          adminDelay: parseIntegerOption(opts.adminDelay, "--admin-delay", 48),
          verifierApprovalDelay: approvalDelayOf(opts.approvalDelay),
          policyAdmins: addresses(opts.policyAdmin, "--policy-admin"),
          custodianAdmins: addresses(opts.custodianAdmin, "--custodian-admin"),
          journalDir: journalOf(opts.out, opts.journal),
          ...(confirmations !== undefined ? { confirmations } : {}),
        });
        writeJsonFile(opts.out, deployment, { overwrite: false });
        const c = deployment.contracts;
        const approvals = await verifierApprovals(opts.rpc, deployment);
        process.stdout.write(
          `deployed on chain ${deployment.chainId}: MarketBook ${c.marketBook}, PolicyRegistry ` +
            `${c.policyRegistry}, MarginRegistry ${c.marginRegistry}` +
            Object.entries(deployment.verifiers)
              .map(([i, v]) => `, verifier ${i} ${v.address} (vkey ${v.verificationKeyHash})`)
              .join("") +
            `; wrote ${opts.out}\n` +
            approvals
              .map(
                (a) =>
                  `verifier ${a.instance} proposed (code hash ${a.codeHash}): approvable from ` +
                  `${a.effectiveAt} (${new Date(Number(a.effectiveAt) * 1000).toISOString()}) by the ` +
                  "chain's clock; `zkmargin deploy policy` approves it then (default admin) and registers\n",
              )
              .join(""),
        );
      },
    );

  deploy
    .command("policy")
    .description(
      "approve the instance's verifier once its proposal is effective (default admin), register a policy on its " +
        "layout's feed (policy admin), add its custodians (custodian admin), grant its venue role and its feed's " +
        `publisher role (default admin), and record it in the deployment file; keys from $${keyEnvOf("policy-admin")}, ` +
        `$${keyEnvOf("custodian-admin")}, $${keyEnvOf("admin")} or their keystores`,
    )
    .requiredOption("--deployment <file>", "the deployment file (updated in place, atomically)")
    .requiredOption("--rpc <url>", "JSON-RPC endpoint")
    .requiredOption("--policy <file>", "policy.json (public)")
    .requiredOption("--instance <name>", "the circuit instance the policy is laid out for")
    .requiredOption("--max-round-age <seconds>", "largest age of a round a proof may use")
    .option("--superseded-grace <seconds>", "how long a superseded round still counts", "0")
    .option("--cure-window <seconds>", "time to answer a margin call (0: no margin calls)", "0")
    .option("--no-attestation", "proofs need no custodian attestation (not for production)")
    .option("--custodian <address>", "custodian whose attestations count (repeatable)", collect, [])
    .option(
      "--venue <address>",
      "holder of the policy's venue role: calls margin (repeatable)",
      collect,
      [],
    )
    .option(
      "--publisher <address>",
      "holder of the publisher role of the policy's feed: posts and invalidates its rounds (repeatable)",
      collect,
      [],
    )
    .option("--policy-admin-keystore <file>", "the policy admin's keystore")
    .option("--custodian-admin-keystore <file>", "the custodian admin's keystore")
    .option("--admin-keystore <file>", "the default admin's keystore")
    .option(
      "--journal <dir>",
      "Ignition journal folder (default: <deployment>.ignition/ beside it)",
    )
    .option("--confirmations <n>", "confirmations per transaction on chains that do not automine")
    .addHelpText(
      "after",
      examples(
        "ZKMARGIN_POLICY_ADMIN_KEY=0x... ZKMARGIN_CUSTODIAN_ADMIN_KEY=0x... ZKMARGIN_ADMIN_KEY=0x... zkmargin deploy policy --deployment deployment.json --rpc http://127.0.0.1:8545 --policy examples/desk/policy.json --instance demo --max-round-age 3600 --superseded-grace 300 --cure-window 900 --custodian 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --publisher 0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      ),
    )
    .action(
      async (opts: {
        deployment: string;
        rpc: string;
        policy: string;
        instance: string;
        maxRoundAge: string;
        supersededGrace: string;
        cureWindow: string;
        attestation: boolean;
        custodian: string[];
        venue: string[];
        publisher: string[];
        policyAdminKeystore?: string;
        custodianAdminKeystore?: string;
        adminKeystore?: string;
        journal?: string;
        confirmations?: string;
      }) => {
        const deployment = readDeployment(opts.deployment);
        const custodians = opts.custodian.map((a) => parseAddress(a, "--custodian"));
        const venues = opts.venue.map((a) => parseAddress(a, "--venue"));
        const publishers = opts.publisher.map((a) => parseAddress(a, "--publisher"));
        const optional = async (
          role: "custodian-admin" | "admin",
          keystore?: string,
          needed = false,
        ) =>
          needed && (keystore !== undefined || hasKeyInEnv(role))
            ? loadWallet(role, keystore)
            : undefined;
        const custodianAdmin = await optional(
          "custodian-admin",
          opts.custodianAdminKeystore,
          custodians.length > 0,
        );
        // The default admin approves the verifier (when not yet approved) and grants the venue and
        // publisher roles: loaded whenever given; deployPolicy says when it is missing.
        const admin = await optional("admin", opts.adminKeystore, true);
        const confirmations = confirmationsOf(opts.confirmations);
        const updated = await deployPolicy({
          rpc: opts.rpc,
          deployment,
          file: opts.deployment,
          policy: loadPolicy(opts.policy),
          document: readJsonFile(opts.policy),
          instance: opts.instance,
          maxRoundAge: parseIntegerOption(opts.maxRoundAge, "--max-round-age", 32),
          supersededGrace: parseIntegerOption(opts.supersededGrace, "--superseded-grace", 32),
          cureWindow: parseIntegerOption(opts.cureWindow, "--cure-window", 32),
          requiresAttestation: opts.attestation,
          custodians,
          venues,
          publishers,
          signers: {
            policyAdmin: await loadWallet("policy-admin", opts.policyAdminKeystore),
            ...(custodianAdmin !== undefined ? { custodianAdmin } : {}),
            ...(admin !== undefined ? { admin } : {}),
          },
          journalDir: journalOf(opts.deployment, opts.journal),
          ...(confirmations !== undefined ? { confirmations } : {}),
          onApprovalWait: (wait, effectiveAt) =>
            process.stderr.write(
              `zkmargin: waiting ${seconds(wait)} for the verifier's approval delay (approvable from ${unixTime(effectiveAt)})\n`,
            ),
        });
        writeDeployment(opts.deployment, updated);
        const policy = loadPolicy(opts.policy);
        const entry = updated.policies[policy.id];
        process.stdout.write(
          `registered ${policy.id} (${entry.policyId}) on feed ${entry.feed}: commitment ${entry.commitment}, ` +
            `cure window ${entry.cureWindow} s, ${custodians.length} custodian(s), ${venues.length} venue(s), ` +
            `${publishers.length} publisher(s) granted; ` +
            `updated ${opts.deployment}\n`,
        );
      },
    );
}
