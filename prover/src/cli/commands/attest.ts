/**
 * `zkmargin attest` (custodian): checks a holder's opening.json against the custodian's records
 * and signs the EIP-712 attestation of `(account, portfolioCommitment, issuedAt, validUntil)`. The key comes
 * from `ZKMARGIN_CUSTODIAN_KEY` or an encrypted JSON keystore (`--keystore`, password from
 * `ZKMARGIN_KEYSTORE_PASSWORD`), never from the command line.
 */
import type { Command } from "commander";
import { marginRegistryDomain } from "../../chain/eip712";
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
    .option("--rpc <url>", "JSON-RPC endpoint, to fetch the opening's round (with --deployment)")
    .option("--valid-for <seconds>", "how long the attestation counts", "86400")
    .option("--keystore <file>", `encrypted JSON keystore (password from $${PASSWORD_ENV})`)
    .option("--out <file>", "where to write the attestation", "attestation.json")
    .addHelpText(
      "after",
      examples(
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --policy policy.json --market market.json --registry 0x5FbDB2315678afecb367f032d93F642f64180aa3 --chain-id 31337`,
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --deployment deployment.json --rpc http://127.0.0.1:8545`,
      ),
    )
    .action(async (opts: AttestOptions) => {
      const validFor = parseIntegerOption(opts.validFor, "--valid-for", 32);
      if (validFor === 0n) throw new InputError(COMMAND_LINE, "--valid-for", "must be positive");
      const issuedAt = BigInt(Math.floor(Date.now() / 1000));
      const validUntil = issuedAt + validFor;
      const opening = parseOpening(readJsonFile(opts.opening), opts.opening);
      const { registry, chainId, policy, market, policyFile, marketFile } =
        await attestationContext(opts, opening);
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
        validUntil,
        files: {
          opening: opts.opening,
          records: opts.records,
          policy: policyFile,
          market: marketFile,
        },
      });
      writeJsonFile(opts.out, attestation);
      process.stdout.write(
        `attested account ${attestation.account} until ${unixTime(BigInt(attestation.validUntil))} ` +
          `as custodian ${attestation.custodian}; wrote ${opts.out}\n`,
      );
    });
}

/**
 * The registry, chain, policy and market round an opening is attested for: from `--deployment`
 * (the policy document by the opening's policy id; with `--rpc`, the opening's round fetched from
 * its feed and checked), or from `--registry`, `--chain-id`, `--policy` and `--market`.
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
    return {
      registry,
      chainId: parseIntegerOption(need(opts.chainId, "--chain-id"), "--chain-id", 64),
      policy: loadPolicy(policyFile),
      market: loadMarket(marketFile),
      policyFile,
      marketFile,
    };
  }
  const deployment = readDeployment(opts.deployment);
  const fromFile = opts.policy !== undefined ? loadPolicy(opts.policy) : undefined;
  const policyName = fromFile?.id ?? opening.policyId;
  const policy = fromFile ?? deployedPolicy(deployment, policyName, opts.deployment).policy;
  const policyFile = opts.policy ?? `${opts.deployment}: policies.${policyName}.document`;
  let market: Market;
  let marketFile: string;
  if (opts.market !== undefined) {
    market = loadMarket(opts.market);
    marketFile = opts.market;
  } else {
    const rpc = need(opts.rpc, "--rpc");
    const { provider } = await openDeployment(opts.deployment, rpc);
    try {
      const layout = feedLayoutOf(deployment, policyName, opts.deployment);
      const round = BigInt(opening.round);
      ({ market } = await fetchRound(
        deployedContracts(deployment, provider).marketBook,
        layout,
        round,
        {
          fromBlock: deployment.startBlock,
        },
      ));
      marketFile = roundSource(layout.feed, round);
    } finally {
      provider.destroy();
    }
  }
  return {
    registry: deployment.contracts.marginRegistry,
    chainId: BigInt(deployment.chainId),
    policy,
    market,
    policyFile,
    marketFile,
  };
}
