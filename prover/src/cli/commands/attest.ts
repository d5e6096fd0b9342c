/**
 * `zkmargin attest` (custodian): checks a holder's opening.json against the custodian's records
 * and signs the EIP-712 attestation of `(account, portfolioCommitment, issuedAt, validUntil)`.
 * With a node (`--rpc`), `issuedAt` is the chain's latest block time, so a revocation at the
 * chain's time covers it; without one, this machine's clock (a revocation must then reach as far
 * ahead as that clock may run, up to `MAX_REVOCATION_LEAD`). The key comes from
 * `ZKMARGIN_CUSTODIAN_KEY` or an encrypted JSON keystore (`--keystore`, password from
 * `ZKMARGIN_KEYSTORE_PASSWORD`), never from the command line.
 */
import type { Command } from "commander";
import { JsonRpcProvider } from "ethers";
import { latestBlockTime } from "../../chain/clock";
import { marginRegistryDomain } from "../../chain/eip712";
import { MAX_REVOCATION_LEAD } from "../../chain/registry";
import { InputError } from "../../errors";
import { deployedContracts, deployedPolicy, feedLayoutOf, readDeployment } from "../../deployment";
import { loadMarket, loadPolicy, parsePortfolio, type Market } from "../../inputs";
import { fetchRound, roundSource } from "../../market-data";
import { openDeployment } from "../chain-options";
import { readJsonFile, writeJsonFile } from "../../io/json";
import { attestOpening, parseOpening } from "../../proving";
import type { Opening } from "../../proving/opening";
import { KEYSTORE_PASSWORD_ENV, keyEnvOf, loadWallet } from "../../signer";
import { unixTime } from "../../time";
import { COMMAND_LINE, examples, parseAddressOption, parseIntegerOption } from "../options";

interface AttestOptions {
  opening: string;
  records: string;
  policy?: string;
  market?: string;
  registry?: string;
  chainId?: string;
  deployment?: string;
  rpc?: string;
  validFor: string;
  keystore?: string;
  out: string;
}

const KEY_ENV = keyEnvOf("custodian");
const PASSWORD_ENV = KEYSTORE_PASSWORD_ENV;

/** Registers `zkmargin attest`. */
export function register(program: Command): void {
  program
    .command("attest")
    .description(
      "custodian: check a holder's opening against your records and sign the EIP-712 attestation " +
        `(key from $${KEY_ENV}, or --keystore with $${PASSWORD_ENV})`,
    )
    .requiredOption("--opening <file>", "the holder's opening.json")
    .requiredOption(
      "--records <file>",
      "your records of the account: holdings and positions in the portfolio.json format",
    )
    .option("--policy <file>", "policy.json the opening is for (default: from --deployment)")
    .option(
      "--market <file>",
      "market.json of the round the opening is for (default: fetched from the chain with --deployment and --rpc)",
    )
    .option("--registry <address>", "MarginRegistry address (the EIP-712 verifying contract)")
    .option("--chain-id <n>", "chain id of the registry")
    .option(
      "--deployment <file>",
      "deployment.json: the registry, chain, policy and feed (instead of --registry/--chain-id/--policy)",
    )
    .option(
      "--rpc <url>",
      "JSON-RPC endpoint: issuedAt from the chain's clock, and the opening's round fetched (with --deployment)",
    )
    .option("--valid-for <seconds>", "how long the attestation counts", "86400")
    .option("--keystore <file>", `encrypted JSON keystore (password from $${PASSWORD_ENV})`)
    .option("--out <file>", "where to write the attestation", "attestation.json")
    .addHelpText(
      "after",
      examples(
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --policy policy.json --market market.json --registry 0x5FbDB2315678afecb367f032d93F642f64180aa3 --chain-id 31337 --rpc http://127.0.0.1:8545`,
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --deployment deployment.json --rpc http://127.0.0.1:8545`,
      ),
    )
    .action(async (opts: AttestOptions) => {
      const validFor = parseIntegerOption(opts.validFor, "--valid-for", 32);
      if (validFor === 0n) throw new InputError(COMMAND_LINE, "--valid-for", "must be positive");
      const opening = parseOpening(readJsonFile(opts.opening), opts.opening);
      const { registry, chainId, policy, market, policyFile, marketFile, chainTime } =
        await attestationContext(opts, opening);
      const issuedAt = chainTime ?? BigInt(Math.floor(Date.now() / 1000));
      const validUntil = issuedAt + validFor;
      const records = parsePortfolio(readJsonFile(opts.records), opts.records, policy);
      const signer = await loadWallet("custodian", opts.keystore);
      const attestation = await attestOpening({
        opening,
        records,
        policy,
        market,
        signer,
        domain: marginRegistryDomain(chainId, registry),
        issuedAt,
        ...(chainTime !== undefined ? { chainTime } : {}),
        validUntil,
        files: {
          opening: opts.opening,
          records: opts.records,
          policy: policyFile,
          market: marketFile,
        },
      });
      writeJsonFile(opts.out, attestation);
      if (chainTime === undefined) {
        process.stderr.write(
          "zkmargin: note: no --rpc: issuedAt is this machine's clock; revoke with a `before` as far " +
            `ahead of the chain's clock as this clock may run (at most ${MAX_REVOCATION_LEAD} s)\n`,
        );
      }
      process.stdout.write(
        `attested account ${attestation.account} issued at ${unixTime(BigInt(attestation.issuedAt))} ` +
          `(${chainTime !== undefined ? "the chain's clock" : "this machine's clock"}) until ` +
          `${unixTime(BigInt(attestation.validUntil))} as custodian ${attestation.custodian}; wrote ${opts.out}\n`,
      );
    });
}

/**
 * The registry, chain, policy and market round an opening is attested for: from `--deployment`
 * (the policy document by the opening's policy id; with `--rpc`, the opening's round fetched from
 * its feed and checked), or from `--registry`, `--chain-id`, `--policy` and `--market`; and, with
 * `--rpc`, the chain's time (its latest block's timestamp).
 */
async function attestationContext(opts: AttestOptions, opening: Opening) {
  const need = (value: string | undefined, option: string): string => {
    if (value === undefined) {
      throw new InputError(COMMAND_LINE, option, "is required without --deployment");
    }
    return value;
  };
  if (opts.deployment === undefined) {
    const registry = parseAddressOption(need(opts.registry, "--registry"), "--registry");
    const policyFile = need(opts.policy, "--policy");
    const marketFile = need(opts.market, "--market");
    const chainId = parseIntegerOption(need(opts.chainId, "--chain-id"), "--chain-id", 64);
    return {
      registry,
      chainId,
      policy: loadPolicy(policyFile),
      market: loadMarket(marketFile),
      policyFile,
      marketFile,
      chainTime: opts.rpc === undefined ? undefined : await chainTimeAt(opts.rpc, chainId),
    };
  }
  const deployment = readDeployment(opts.deployment);
  const fromFile = opts.policy !== undefined ? loadPolicy(opts.policy) : undefined;
  const policyName = fromFile?.id ?? opening.policyId;
  const policy = fromFile ?? deployedPolicy(deployment, policyName, opts.deployment).policy;
  const policyFile = opts.policy ?? `${opts.deployment}: policies.${policyName}.document`;
  let round: { market: Market; marketFile: string } | undefined =
    opts.market !== undefined
      ? { market: loadMarket(opts.market), marketFile: opts.market }
      : undefined;
  let chainTime: bigint | undefined;
  if (opts.rpc !== undefined || round === undefined) {
    const { provider } = await openDeployment(opts.deployment, need(opts.rpc, "--rpc"));
    try {
      chainTime = await latestBlockTime(provider);
      if (round === undefined) {
        const layout = feedLayoutOf(deployment, policyName, opts.deployment);
        const number = BigInt(opening.round);
        const { market } = await fetchRound(
          deployedContracts(deployment, provider).marketBook,
          layout,
          number,
          { fromBlock: deployment.startBlock },
        );
        round = { market, marketFile: roundSource(layout.feed, number) };
      }
    } finally {
      provider.destroy();
    }
  }
  return {
    registry: deployment.contracts.marginRegistry,
    chainId: BigInt(deployment.chainId),
    policy,
    ...round,
    policyFile,
    chainTime,
  };
}

/** The latest block's time of the node at `rpc`, refused when it is not on chain `chainId`. */
async function chainTimeAt(rpc: string, chainId: bigint): Promise<bigint> {
  const provider = new JsonRpcProvider(rpc, undefined, { staticNetwork: true });
  try {
    const network = await provider.getNetwork();
    if (network.chainId !== chainId) {
      throw new InputError(
        COMMAND_LINE,
        "--chain-id",
        `is ${chainId} but the node's chain is ${network.chainId}`,
      );
    }
    return await latestBlockTime(provider);
  } finally {
    provider.destroy();
  }
}
