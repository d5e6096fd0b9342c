/**
 * `zkmargin attest` (custodian): checks a holder's opening.json against the custodian's records
 * and signs the EIP-712 pledge of the commitment to the policy's venue (`Pledge(custodian,
 * registration, account, venue, portfolioCommitment, epoch, issuedAt, validUntil)`). The pledge
 * binds the custodian's current registration at the venue and its epoch for the account and venue:
 * read from the chain with `--rpc`, or given (`--registration`, `--epoch`) to sign offline. With a
 * node, `issuedAt` is the chain's latest block time; without one, this machine's clock (informative
 * only: a revocation is an epoch, not a time). The key comes from `ZKMARGIN_CUSTODIAN_KEY` or an
 * encrypted JSON keystore (`--keystore`, password from `ZKMARGIN_KEYSTORE_PASSWORD`), never from
 * the command line.
 */
import type { Command } from "commander";
import { Contract, JsonRpcProvider } from "ethers";
import { latestBlockTime } from "../../chain/clock";
import { marginRegistryDomain } from "../../chain/eip712";
import { parseVenueId } from "../../chain/policy";
import { readPledgeTerms } from "../../chain/registry";
import { InputError } from "../../errors";
import { deployedContracts, deployedPolicy, feedLayoutOf, readDeployment } from "../../deployment";
import { loadMarket, loadPolicy, parsePortfolio, type Market } from "../../inputs";
import { fetchRound, roundSource } from "../../market-data";
import { openDeployment } from "../chain-options";
import { readJsonFile, writeJsonFile } from "../../io/json";
import { parseOpening, pledgeOpeningHoldings } from "../../proving";
import { withPledgeLedger } from "../../pledges/ledger";
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
  venueId?: string;
  registration?: string;
  epoch?: string;
  validFor: string;
  keystore?: string;
  out: string;
  ledger: string;
}

const KEY_ENV = keyEnvOf("custodian");
const PASSWORD_ENV = KEYSTORE_PASSWORD_ENV;

/** Registers `zkmargin attest`. */
export function register(program: Command): void {
  program
    .command("attest")
    .description(
      "custodian: check a holder's opening against your records and sign the EIP-712 pledge of it to the policy's venue " +
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
      "JSON-RPC endpoint: your registration and epoch and the chain's clock read, and the opening's round fetched (with --deployment)",
    )
    .option(
      "--venue-id <name|bytes32>",
      "the venue the pledge is for (default: the policy's, from --deployment)",
    )
    .option("--registration <id>", "your registration id at the venue (without --rpc)")
    .option("--epoch <n>", "your epoch for the account and venue (without --rpc)")
    .option("--valid-for <seconds>", "how long the pledge counts", "86400")
    .option("--keystore <file>", `encrypted JSON keystore (password from $${PASSWORD_ENV})`)
    .option("--out <file>", "where to write the pledge", "pledge.json")
    .option(
      "--ledger <file>",
      "your pledge ledger (private, 0600; created if missing): every pledge you sign is added, and one " +
        "that the account's live pledges to other venues would leave uncovered by your records is refused",
      "pledge-ledger.json",
    )
    .addHelpText(
      "after",
      examples(
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --policy policy.json --market market.json --registry 0x5FbDB2315678afecb367f032d93F642f64180aa3 --chain-id 31337 --venue-id desk-venue --rpc http://127.0.0.1:8545`,
        `${KEY_ENV}=0x... zkmargin attest --opening opening.json --records records.json --deployment deployment.json --rpc http://127.0.0.1:8545`,
      ),
    )
    .action(async (opts: AttestOptions) => {
      const validFor = parseIntegerOption(opts.validFor, "--valid-for", 32);
      if (validFor === 0n) throw new InputError(COMMAND_LINE, "--valid-for", "must be positive");
      const opening = parseOpening(readJsonFile(opts.opening), opts.opening);
      const context = await pledgeContext(opts, opening);
      const { registry, chainId, policy, market, policyFile, marketFile, chainTime } = context;
      const issuedAt = chainTime ?? BigInt(Math.floor(Date.now() / 1000));
      const records = parsePortfolio(readJsonFile(opts.records), opts.records, policy);
      const signer = await loadWallet("custodian", opts.keystore);
      const terms =
        context.readTerms !== undefined
          ? await context.readTerms(await signer.getAddress(), opening.account)
          : offlineTerms(opts);
      const { pledge, elsewhere } = await withPledgeLedger(
        opts.ledger,
        await signer.getAddress(),
        { account: opening.account, venue: context.venue, now: issuedAt },
        async (pledgedElsewhere) => ({
          ...(await pledgeOpeningHoldings({
            opening,
            records,
            policy,
            market,
            signer,
            domain: marginRegistryDomain(chainId, registry),
            venue: context.venue,
            terms,
            issuedAt,
            validUntil: issuedAt + validFor,
            files: {
              opening: opts.opening,
              records: opts.records,
              policy: policyFile,
              market: marketFile,
            },
            pledgedElsewhere,
          })),
          elsewhere: pledgedElsewhere.count,
        }),
      );
      writeJsonFile(opts.out, pledge);
      process.stdout.write(
        `pledged account ${pledge.account} to venue ${pledge.venue} issued at ` +
          `${unixTime(BigInt(pledge.issuedAt))} ` +
          `(${chainTime !== undefined ? "the chain's clock" : "this machine's clock"}) until ` +
          `${unixTime(BigInt(pledge.validUntil))} as custodian ${pledge.custodian} ` +
          `(registration ${pledge.registration}, epoch ${pledge.epoch}); wrote ${opts.out}; ` +
          `added to ${opts.ledger} (the account's live pledges to other venues: ${elsewhere})\n`,
      );
    });
}

/** The pledge terms given on the command line (no node): both, or an error naming the option. */
function offlineTerms(opts: AttestOptions): { registration: bigint; epoch: bigint } {
  const need = (value: string | undefined, option: string): string => {
    if (value === undefined) {
      throw new InputError(
        COMMAND_LINE,
        option,
        "is required without --rpc (the pledge binds your registration at the venue and your epoch for the account)",
      );
    }
    return value;
  };
  return {
    registration: parseIntegerOption(
      need(opts.registration, "--registration"),
      "--registration",
      32,
    ),
    epoch: parseIntegerOption(need(opts.epoch, "--epoch"), "--epoch", 64),
  };
}

/**
 * The registry, chain, venue, policy and market round an opening is pledged for: from
 * `--deployment` (the policy document and venue by the opening's policy id; with `--rpc`, the
 * opening's round fetched from its feed and checked), or from `--registry`, `--chain-id`,
 * `--venue-id`, `--policy` and `--market`; and, with `--rpc`, the chain's time (its latest block's
 * timestamp) and a reader of the custodian's pledge terms.
 */
async function pledgeContext(opts: AttestOptions, opening: Opening) {
  if (opts.rpc !== undefined && (opts.registration !== undefined || opts.epoch !== undefined)) {
    throw new InputError(
      COMMAND_LINE,
      opts.registration !== undefined ? "--registration" : "--epoch",
      "is read from the chain with --rpc; give it only to sign without a node",
    );
  }
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
    const venue = parseVenueId(need(opts.venueId, "--venue-id"));
    return {
      registry,
      chainId,
      venue,
      policy: loadPolicy(policyFile),
      market: loadMarket(marketFile),
      policyFile,
      marketFile,
      chainTime: opts.rpc === undefined ? undefined : await chainTimeAt(opts.rpc, chainId),
      readTerms:
        opts.rpc === undefined ? undefined : termsReader(opts.rpc, chainId, registry, venue),
    };
  }
  const deployment = readDeployment(opts.deployment);
  const fromFile = opts.policy !== undefined ? loadPolicy(opts.policy) : undefined;
  const policyName = fromFile?.id ?? opening.policyId;
  const deployed = deployedPolicy(deployment, policyName, opts.deployment);
  const policy = fromFile ?? deployed.policy;
  const venue = opts.venueId !== undefined ? parseVenueId(opts.venueId) : deployed.entry.venue;
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
  const registry = deployment.contracts.marginRegistry;
  const chainId = BigInt(deployment.chainId);
  return {
    registry,
    chainId,
    venue,
    policy,
    ...round,
    policyFile,
    chainTime,
    readTerms: opts.rpc === undefined ? undefined : termsReader(opts.rpc, chainId, registry, venue),
  };
}

/** Reads a custodian's pledge terms for an account at `venue` from the node at `rpc`. */
function termsReader(rpc: string, chainId: bigint, registry: string, venue: string) {
  return async (custodian: string, account: string) => {
    const provider = new JsonRpcProvider(rpc, chainId, { staticNetwork: true });
    try {
      const contract = new Contract(
        registry,
        [
          "function policyRegistry() view returns (address)",
          "function epochOf(address custodian, address account, bytes32 venue) view returns (uint256)",
        ],
        provider,
      );
      return await readPledgeTerms(contract, custodian, account, venue);
    } finally {
      provider.destroy();
    }
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
