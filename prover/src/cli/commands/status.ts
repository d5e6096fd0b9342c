/**
 * `zkmargin status` (anyone: the institution, its custodian, a venue, a counterparty): whether an
 * account's margin counts under a policy right now (`isMarginSufficient`), and why or why not, in
 * words (prover/src/status). Exit status 0 when it counts, 2 when it does not, 1 on an error.
 */
import type { Command } from "commander";
import { JsonRpcProvider, type Contract, type JsonRpcProvider as Provider } from "ethers";
import { parsePolicyId } from "../../chain";
import { deployedContracts, deployedPolicy, readDeployment } from "../../deployment";
import { InputError } from "../../errors";
import {
  contractsOfRegistry,
  formatStatus,
  judgeStatus,
  readStatusFacts,
  statusToJson,
} from "../../status";
import { openDeployment, parseAddress } from "../chain-options";
import { EXIT_NO, exitStatusHelp } from "../exit-status";
import { COMMAND_LINE, examples, parseIntegerOption } from "../options";

interface StatusOptions {
  rpc: string;
  deployment?: string;
  registry?: string;
  policyId: string;
  account: string;
  maxAge?: string;
  json?: boolean;
}

interface Contracts {
  marginRegistry: Contract;
  marketBook: Contract;
  policyRegistry: Contract;
}

/** The contracts, the policy's bytes32 id and name, from `--deployment` or `--registry`. */
async function target(
  opts: StatusOptions,
): Promise<{ provider: Provider; contracts: Contracts; policyId: string; name?: string }> {
  if ((opts.deployment === undefined) === (opts.registry === undefined)) {
    throw new InputError(COMMAND_LINE, "--deployment/--registry", "give exactly one");
  }
  if (opts.deployment !== undefined) {
    const deployment = readDeployment(opts.deployment);
    const { name, entry } = deployedPolicy(deployment, opts.policyId, opts.deployment);
    const { provider } = await openDeployment(opts.deployment, opts.rpc);
    const contracts = deployedContracts(deployment, provider) as Contracts;
    return { provider, contracts, policyId: entry.policyId, name };
  }
  const registry = parseAddress(opts.registry as string, "--registry");
  const provider = new JsonRpcProvider(opts.rpc, undefined, { staticNetwork: true });
  try {
    const contracts = await contractsOfRegistry(registry, provider);
    const policyId = parsePolicyId(opts.policyId);
    return {
      provider,
      contracts,
      policyId,
      ...(policyId === opts.policyId.toLowerCase() ? {} : { name: opts.policyId }),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

/** Registers `zkmargin status`. */
export function register(program: Command): void {
  program
    .command("status")
    .description(
      "anyone: whether an account's margin counts under a policy now (isMarginSufficient), and why or why " +
        "not in words: no status, stale or superseded round, invalidated round, attestation expired or revoked, " +
        "custodian removed, margin call pending or expired",
    )
    .requiredOption("--rpc <url>", "JSON-RPC endpoint of the chain")
    .option("--deployment <file>", "deployment.json written by `zkmargin deploy` (or --registry)")
    .option("--registry <address>", "MarginRegistry address (or --deployment)")
    .requiredOption(
      "--policy-id <id>",
      "the policy: its policy.json id (e.g. desk-maintenance-v1) or its bytes32 id",
    )
    .requiredOption("--account <address>", "the account")
    .option(
      "--max-age <seconds>",
      "the largest round age you accept, as a venue passes it to isMarginSufficient (default: the policy's maxRoundAge)",
    )
    .option("--json", "print the verdict and every fact as JSON (integers as decimal strings)")
    .addHelpText(
      "after",
      examples(
        "zkmargin status --deployment deployment.json --rpc http://127.0.0.1:8545 --policy-id desk-maintenance-v1 --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "zkmargin status --rpc $RPC --registry 0x5FC8d32690cc91D4c39d9d3abcBD16989F875707 --policy-id desk-maintenance-v1 --account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --max-age 3600 --json",
      ) + exitStatusHelp("it counts", "it does not count"),
    )
    .action(async (opts: StatusOptions) => {
      const account = parseAddress(opts.account, "--account");
      const maxAge =
        opts.maxAge === undefined ? undefined : parseIntegerOption(opts.maxAge, "--max-age", 256);
      const { provider, contracts, policyId, name } = await target(opts);
      try {
        const facts = await readStatusFacts(contracts, provider, account, policyId, maxAge);
        const verdict = judgeStatus(facts);
        process.stdout.write(
          opts.json === true
            ? statusToJson(facts, verdict, name)
            : formatStatus(facts, verdict, name),
        );
        if (!verdict.counts) process.exitCode = EXIT_NO;
      } finally {
        provider.destroy();
      }
    });
}
